//! Child processes: the binaries built beside this one, commands inside a
//! namespace, and timing them.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::ctnl::Protocols;

/// A binary of the same build, e.g. `nfscope` or `ct-fill`.
pub fn sibling(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating this binary")?;
    let path = exe.with_file_name(name);
    if !path.is_file() {
        bail!("{} is missing; run scripts/bench.sh", path.display());
    }
    Ok(path)
}

/// `ip netns exec NS PROGRAM ARGS...`.
pub fn in_netns(ns: &str, program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns, program]).args(args);
    die_with_parent(&mut cmd);
    cmd
}

/// Makes the child get SIGKILL when this process dies, so that nothing
/// keeps running in a namespace after an interrupted benchmark.
pub fn die_with_parent(cmd: &mut Command) -> &mut Command {
    // SAFETY: prctl is async-signal-safe and touches no memory of ours.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// Runs `cmd` to its end with stdin closed, and returns its standard
/// output (unless the caller redirected it) and the wall time it took.
pub fn run_timed(cmd: &mut Command) -> anyhow::Result<(String, Duration)> {
    let started = Instant::now();
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("running {cmd:?}"))?;
    let took = started.elapsed();
    if !out.status.success() {
        bail!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok((String::from_utf8_lossy(&out.stdout).into_owned(), took))
}

/// The value of `key=VALUE` in a tool's one-line report.
pub fn field(report: &str, key: &str) -> anyhow::Result<f64> {
    report
        .split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
        .with_context(|| format!("no {key}= in {report:?}"))?
        .parse()
        .with_context(|| format!("{key}= in {report:?} is not a number"))
}

/// Entries in the conntrack table of namespace `ns` now.
pub fn count(ns: &str) -> anyhow::Result<u64> {
    let (out, _) = run_timed(&mut in_netns(ns, "conntrack", &["-C"]))?;
    out.trim()
        .parse()
        .with_context(|| format!("conntrack -C said {out:?}"))
}

/// Polls `done` every `poll` until it holds; fails after `patience`.
pub fn wait_for(
    what: &str,
    poll: Duration,
    patience: Duration,
    mut done: impl FnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let end = Instant::now() + patience;
    while !done()? {
        anyhow::ensure!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(poll);
    }
    Ok(())
}

/// Adds `count` entries of `protocols`, numbered from `first`, to the
/// table of namespace `ns` with ct-fill, and returns its report.
pub fn ct_fill(
    ns: &str,
    first: u64,
    count: u64,
    protocols: Protocols,
) -> anyhow::Result<String> {
    let (first, count) = (first.to_string(), count.to_string());
    let args = [
        "--first",
        &first,
        "--count",
        &count,
        "--protocols",
        protocols.name(),
    ];
    run_sibling(ns, "ct-fill", &args)
}

/// Runs the sibling binary `name` in namespace `ns` to its end, and
/// returns its one-line report.
pub fn run_sibling(
    ns: &str,
    name: &str,
    args: &[&str],
) -> anyhow::Result<String> {
    let bin = sibling(name)?;
    let bin = bin.to_str().with_context(|| format!("path of {name}"))?;
    let (report, _) = run_timed(&mut in_netns(ns, bin, args))?;
    Ok(report.trim().to_owned())
}
