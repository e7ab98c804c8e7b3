//! Commands that build labs: `ip`, `nft` and `iptables-nft`, run in a
//! namespace and checked, so a failing step says which and why.

use std::net::IpAddr;
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

/// Network namespaces made for a lab, named `{base}-{random}-{host}`;
/// dropping this deletes them, and with them every link, rule and flow
/// they held.
pub struct Namespaces {
    prefix: String,
    names: Vec<String>,
}

impl Namespaces {
    /// Creates one namespace per host, loopback up, then lets `fill`
    /// build the lab in them (it gets the prefix). `needs` names what a
    /// failure may be missing.
    pub fn build(
        base: &str,
        hosts: &[&str],
        needs: &str,
        fill: impl FnOnce(&str) -> anyhow::Result<()>,
    ) -> anyhow::Result<Self> {
        let prefix = lab_prefix(base);
        let mut made = Self {
            prefix: prefix.clone(),
            names: Vec::new(),
        };
        let built = hosts
            .iter()
            .try_for_each(|host| {
                let ns = format!("{prefix}-{host}");
                run("ip", &["netns", "add", &ns])?;
                made.names.push(ns.clone());
                exec(&ns, &["ip", "link", "set", "lo", "up"])
            })
            .and_then(|()| fill(&prefix));
        built.with_context(|| {
            format!("building the lab {prefix} (needs {needs})")
        })?;
        Ok(made)
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The namespace of `host`.
    pub fn of(&self, host: &str) -> String {
        format!("{}-{host}", self.prefix)
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in &self.names {
            let _ = Command::new("ip")
                .args(["netns", "del", ns])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Runs a command inside namespace `ns`.
pub fn exec(ns: &str, args: &[&str]) -> anyhow::Result<()> {
    let mut full = vec!["netns", "exec", ns];
    full.extend_from_slice(args);
    run("ip", &full)
}

/// Loads an nftables script inside namespace `ns`.
pub fn nft(ns: &str, script: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut child = Command::new("ip")
        .args(["netns", "exec", ns, "nft", "-f", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running nft (is the nftables package installed?)")?;
    child
        .stdin
        .take()
        .context("nft stdin")?
        .write_all(script.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("nft -f failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// Runs each line through `iptables-nft` inside namespace `ns`; a line
/// is its arguments split at whitespace.
pub fn iptables(ns: &str, lines: &[&str]) -> anyhow::Result<()> {
    for line in lines {
        let mut args = vec!["iptables-nft"];
        args.extend(line.split_whitespace());
        exec(ns, &args)?;
    }
    Ok(())
}

pub fn address(
    ns: &str,
    dev: &str,
    addr: IpAddr,
    len: u8,
) -> anyhow::Result<()> {
    let cidr = format!("{addr}/{len}");
    let mut args = vec!["ip", "addr", "add", &cidr, "dev", dev];
    if addr.is_ipv6() {
        // No duplicate address detection: usable at once.
        args.push("nodad");
    }
    exec(ns, &args)
}

/// A veth pair from `a` in `ns_a` to `b` in `ns_b`, both ends up.
pub fn veth(ns_a: &str, a: &str, ns_b: &str, b: &str) -> anyhow::Result<()> {
    run(
        "ip",
        &[
            "link", "add", a, "netns", ns_a, "type", "veth", "peer", "name", b,
            "netns", ns_b,
        ],
    )?;
    for (ns, dev) in [(ns_a, a), (ns_b, b)] {
        run("ip", &["-n", ns, "link", "set", dev, "up"])?;
    }
    Ok(())
}

pub fn run(program: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {program}"))?;
    if !out.status.success() {
        bail!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// A lab's name: `base` and enough randomness to keep concurrent labs
/// apart, without a dependency.
fn lab_prefix(base: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    format!("{base}-{:08x}", h.finish() as u32)
}
