//! Events lost at full data-plane rate: the lab's client sends one-packet
//! UDP flows through the router to the server as fast as it can, while
//! nfscope and `conntrack -E` both listen to the router's NEW events.
//! What the kernel created is counted after the flood; each listener's
//! loss is what it did not receive of that.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use nfscope::demo::{Lab, ADDRS};

use crate::proc::{count, field, in_netns, run_timed, sibling, wait_for};
use crate::server::Server;
use crate::stats::{median, thousands};
use crate::summary::{at_most, Summary};

/// The conntrack collector's counts, where lost events are told.
fn conntrack(status: &app::wire::Health) -> app::wire::CollectorHealth {
    status
        .collectors
        .get("conntrack")
        .cloned()
        .unwrap_or_default()
}

/// Probe flows take ports from here up, below the flood's.
const PROBE_FIRST_PORT: u16 = 900;
pub(crate) const FLOOD_FIRST_PORT: u16 = 1024;
const POLL: Duration = Duration::from_millis(200);
/// Counters that hold still this long mean the listeners are done.
const QUIET: Duration = Duration::from_secs(1);
/// Bound on every wait here; UDP entries live 30 s, so counting must end
/// well before they expire.
const PATIENCE: Duration = Duration::from_secs(20);

/// One flood, as each side counted it.
struct Round {
    sent_per_sec: f64,
    /// New entries the kernel created.
    created: u64,
    nfscope: u64,
    nfscope_enobufs: u64,
    conntrack_e: u64,
    conntrack_e_enobufs: u64,
}

impl Round {
    fn lost_pct(&self, received: u64) -> f64 {
        (self.created as f64 - received as f64) * 100.0 / self.created as f64
    }
}

pub fn run(
    flows: u32,
    rounds: usize,
    lab_base: &str,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    ensure!(rounds > 0, "at least one round");
    println!(
        "| round | sent/s | new entries | nfscope got | nfscope lost % \
         | nfscope ENOBUFS | conntrack -E got | conntrack -E lost % \
         | conntrack -E ENOBUFS |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut all = Vec::new();
    for i in 1..=rounds {
        let r = round(flows, lab_base)?;
        println!(
            "| {i} | {:.0} | {} | {} | {:.2} | {} | {} | {:.2} | {} |",
            r.sent_per_sec,
            r.created,
            r.nfscope,
            r.lost_pct(r.nfscope),
            r.nfscope_enobufs,
            r.conntrack_e,
            r.lost_pct(r.conntrack_e),
            r.conntrack_e_enobufs,
        );
        all.push(r);
    }
    let med = |f: &dyn Fn(&Round) -> f64| {
        median(&all.iter().map(f).collect::<Vec<_>>())
    };
    let ours = med(&|r| r.lost_pct(r.nfscope));
    let label = |what: &str| {
        format!(
            "events, {} flows ({rounds} rounds): {what}",
            thousands(flows.into())
        )
    };
    summary.row(
        &label("flows sent per second (median)"),
        &format!("{:.0}", med(&|r| r.sent_per_sec)),
    )?;
    summary.row(
        &label("new entries the kernel made (median)"),
        &format!("{:.0}", med(&|r| r.created as f64)),
    )?;
    summary.goal_row(
        &label("nfscope lost (median)"),
        &format!("{ours:.2} %"),
        &at_most(ours, 0.0, "0 %"),
    )?;
    summary.row(
        &label("nfscope ENOBUFS (total)"),
        &all.iter()
            .map(|r| r.nfscope_enobufs)
            .sum::<u64>()
            .to_string(),
    )?;
    summary.row(
        &label("`conntrack -E` lost (median)"),
        &format!("{:.2} %", med(&|r| r.lost_pct(r.conntrack_e))),
    )?;
    summary.row(
        &label("`conntrack -E` ENOBUFS warnings (total)"),
        &all.iter()
            .map(|r| r.conntrack_e_enobufs)
            .sum::<u64>()
            .to_string(),
    )
}

/// One flood in a fresh lab, so that no round inherits another's entries.
fn round(flows: u32, lab_base: &str) -> anyhow::Result<Round> {
    let lab = Lab::build(lab_base)?;
    let rtr = lab.router();
    let server = Server::start(&rtr)?;
    server.wait_until("the first dump", POLL, PATIENCE, |s| s.synced)?;
    let listener = Listener::start(&rtr)?;
    // A flow both listeners see proves that both listen before the flood
    // starts; conntrack -E takes a moment to subscribe, so a new probe
    // flow goes out on each poll until then.
    let mut probe = PROBE_FIRST_PORT;
    wait("both listeners to see a probe flow", || {
        ensure!(probe < FLOOD_FIRST_PORT, "out of probe ports");
        flood(&lab.client(), 1, probe)?;
        probe += 1;
        std::thread::sleep(POLL);
        Ok(listener.lines() >= 1
            && conntrack(&server.status()?).events_received >= 1)
    })?;
    // The last probe's events may still be on their way.
    settle(&rtr, &server, &listener)?;
    let created_before = count(&rtr)?;
    let status_before = conntrack(&server.status()?);
    let (heard_before, warned_before) = (listener.lines(), listener.enobufs());

    let report = flood(&lab.client(), flows, FLOOD_FIRST_PORT)?;
    eprintln!("events: udp-flood {}", report.trim());
    settle(&rtr, &server, &listener)?;
    let status = conntrack(&server.status()?);
    let round = Round {
        sent_per_sec: field(&report, "per_sec")?,
        created: count(&rtr)? - created_before,
        nfscope: status.events_received - status_before.events_received,
        nfscope_enobufs: status.enobufs - status_before.enobufs,
        conntrack_e: listener.lines() - heard_before,
        conntrack_e_enobufs: listener.enobufs() - warned_before,
    };
    drop((listener, server));
    run_timed(&mut in_netns(&rtr, "conntrack", &["-F"]))?;
    Ok(round)
}

/// Waits until the kernel's count and both listeners' counts hold still.
fn settle(
    ns: &str,
    server: &Server,
    listener: &Listener,
) -> anyhow::Result<()> {
    let mut last = None;
    let mut still_since = Instant::now();
    wait("the listeners to catch up", || {
        let now = (
            count(ns)?,
            conntrack(&server.status()?).events_received,
            listener.lines(),
        );
        if last != Some(now) {
            last = Some(now);
            still_since = Instant::now();
        }
        Ok(still_since.elapsed() >= QUIET)
    })
}

/// Runs `udp-flood` from the client to the server, through the router.
pub(crate) fn flood(
    client: &str,
    flows: u32,
    first_port: u16,
) -> anyhow::Result<String> {
    let mut cmd = std::process::Command::new(sibling("udp-flood")?);
    cmd.args(["--netns", client, "--dst", &ADDRS.server.to_string()])
        .args(["--flows", &flows.to_string()])
        .args(["--first-port", &first_port.to_string()]);
    Ok(run_timed(&mut cmd)?.0)
}

/// Polls `done` every [`POLL`] for at most [`PATIENCE`].
fn wait(
    what: &str,
    done: impl FnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    wait_for(what, POLL, PATIENCE, done)
}

/// `conntrack -E -e NEW -o id` in a namespace, its lines counted.
struct Listener {
    child: Child,
    lines: Arc<AtomicU64>,
    enobufs: Arc<AtomicU64>,
}

impl Listener {
    fn start(ns: &str) -> anyhow::Result<Self> {
        let mut child =
            in_netns(ns, "conntrack", &["-E", "-e", "NEW", "-o", "id"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .context("starting conntrack -E")?;
        let stdout = child.stdout.take().context("conntrack -E stdout")?;
        let stderr = child.stderr.take().context("conntrack -E stderr")?;
        let lines = count_lines(stdout, |_| true);
        // Both pipes are drained as fast as they fill: a full pipe would
        // stall conntrack and make it lose events that it would not lose
        // writing to a terminal.
        let enobufs = count_lines(stderr, |l| l.contains("ENOBUFS"));
        Ok(Self {
            child,
            lines,
            enobufs,
        })
    }

    fn lines(&self) -> u64 {
        self.lines.load(Ordering::Relaxed)
    }

    fn enobufs(&self) -> u64 {
        self.enobufs.load(Ordering::Relaxed)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Counts, on a thread, the lines of `pipe` that `wanted` accepts.
fn count_lines(
    pipe: impl Read + Send + 'static,
    wanted: fn(&str) -> bool,
) -> Arc<AtomicU64> {
    let counter = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&counter);
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if wanted(&line) {
                counted.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    counter
}
