//! Loading a big table: how long nfscope takes from start until its table
//! holds every entry, against `conntrack -L` and against the floor (a
//! dump that is only received), and what each entry costs it in memory.
//! A second line, a dump whose every attribute is walked, shows what the
//! least decoder costs on top of the floor.
//!
//! The table is built in the lab's router, whose ruleset uses conntrack
//! and which has counters and timestamps on, so that every entry carries
//! what a real one does. A table of UDP entries and one of TCP entries
//! (longer: they carry their protocol state) are measured in turn; sizes
//! grow in one table: each adds entries.

use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::ensure;
use nfscope::demo::Lab;

use crate::ctnl::Protocols;
use crate::proc::{
    count, ct_fill, die_with_parent, field, in_netns, run_timed, sibling,
};
use crate::server::{Memory, Server};
use crate::stats::{median, ratio, thousands};
use crate::summary::{at_most, Summary};

/// Polling the status this often bounds the error of a time to sync.
const POLL: Duration = Duration::from_millis(2);
const SYNC_TIMEOUT: Duration = Duration::from_secs(120);
/// Memory is read this long after the sync, once the first publish has
/// turned the whole table into a batch of changes and dropped it.
const SETTLE: Duration = Duration::from_millis(1200);
/// The goals at the largest size.
const GOAL_VS_FLOOR: f64 = 1.3;
const GOAL_BYTES_PER_ENTRY: f64 = 300.0;

/// What the page asks for first: three screens of the youngest flows.
/// Answering it filters and sorts the whole table, as each update of the
/// page's window does.
const SCREEN_QUERY: &str = "sort=age&limit=75";

/// Each kind of table in turn.
const KINDS: [Protocols; 2] = [Protocols::Udp, Protocols::Tcp];

/// Medians of one table size.
struct Row {
    kind: Protocols,
    /// Entries ct-fill made.
    size: u64,
    /// Entries in the kernel's table.
    entries: u64,
    /// The fewest entries nfscope's table held once synced.
    shown: u64,
    fill_ms: f64,
    nfscope_ms: f64,
    conntrack_ms: f64,
    floor_ms: f64,
    walk_ms: f64,
    rss_per_entry: f64,
    peak_per_entry: f64,
    /// The page's first screen: the youngest rows, filtered and sorted.
    screen_ms: f64,
}

pub fn run(
    sizes: &[u64],
    rounds: usize,
    lab_base: &str,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    ensure!(rounds > 0, "at least one round");
    ensure!(sizes.is_sorted(), "table sizes must grow");
    let lab = Lab::build(lab_base)?;
    let ns = lab.router();
    let empty = idle_memory(&ns)?;
    eprintln!(
        "table: nfscope on an empty table: {:.1} MiB resident",
        mib(empty.rss)
    );
    println!(
        "| table | entries | fill ms | nfscope ms | floor ms | walk ms \
         | conntrack -L ms | nfscope/floor | nfscope/conntrack \
         | RSS B/entry | peak B/entry | nfscope shows | first screen ms |"
    );
    println!(
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    let mut rows = Vec::new();
    for kind in KINDS {
        let mut filled = 0;
        for &size in sizes {
            let report = ct_fill(&ns, filled, size - filled, kind)?;
            eprintln!("table: ct-fill {report}");
            filled = size;
            let fill_ms = field(&report, "ms")?;
            let row = measure(&ns, kind, size, fill_ms, rounds, empty)?;
            print_row(&row);
            rows.push(row);
        }
        // Removing a namespace frees its entries in the background; a
        // flush does it now, so that it slows neither the next table nor
        // the next benchmark.
        run_timed(&mut in_netns(&ns, "conntrack", &["-F"]))?;
    }
    let last = sizes.last().copied();
    for row in &rows {
        summarize(row, last == Some(row.size), summary)?;
    }
    Ok(())
}

fn print_row(row: &Row) {
    println!(
        "| {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {} \
         | {:.0} | {:.0} | {} | {:.0} |",
        row.kind.name(),
        row.entries,
        row.fill_ms,
        row.nfscope_ms,
        row.floor_ms,
        row.walk_ms,
        row.conntrack_ms,
        ratio(row.nfscope_ms, row.floor_ms),
        ratio(row.nfscope_ms, row.conntrack_ms),
        row.rss_per_entry,
        row.peak_per_entry,
        row.shown,
        row.screen_ms,
    );
}

/// The server's memory with nothing in the table.
fn idle_memory(ns: &str) -> anyhow::Result<Memory> {
    let server = Server::start(ns)?;
    server.wait_until("the first dump", POLL, SYNC_TIMEOUT, |s| s.synced)?;
    std::thread::sleep(SETTLE);
    server.memory()
}

fn measure(
    ns: &str,
    kind: Protocols,
    size: u64,
    fill_ms: f64,
    rounds: usize,
    empty: Memory,
) -> anyhow::Result<Row> {
    let floor_bin = sibling("ct-floor")?;
    // The lab may hold a few entries of its own besides ours.
    let entries = count(ns)?;
    ensure!(
        entries >= size,
        "the table holds {entries} of {size} entries"
    );
    let (mut ours, mut conntrack) = (vec![], vec![]);
    let (mut floor, mut walk) = (vec![], vec![]);
    let (mut rss, mut peak, mut screen) = (vec![], vec![], vec![]);
    let mut shown = u64::MAX;
    // The readers take turns, so that each round sees the same
    // machine.
    for _ in 0..rounds {
        let server = Server::start(ns)?;
        // Synced: the first dump, all of the table, is in. nfscope's count
        // may still fall short of the kernel's; that is reported.
        let status =
            server.wait_until("the first dump", POLL, SYNC_TIMEOUT, |s| {
                s.synced
            })?;
        ours.push(ms(server.spawned.elapsed()));
        shown = shown.min(status.entries as u64);
        std::thread::sleep(SETTLE);
        let memory = server.memory()?;
        screen.push(ms(server.time_flows(SCREEN_QUERY)?));
        drop(server);
        rss.push(per_entry(memory.rss, empty.rss, entries));
        peak.push(per_entry(memory.peak, empty.rss, entries));

        let mut list = in_netns(ns, "conntrack", &["-L", "-o", "extended"]);
        let (_, took) = run_timed(list.stdout(Stdio::null()))?;
        conntrack.push(ms(took));

        floor.push(run_floor(&floor_bin, ns, false, size)?);
        walk.push(run_floor(&floor_bin, ns, true, size)?);
    }
    Ok(Row {
        kind,
        size,
        entries,
        shown,
        fill_ms,
        nfscope_ms: median(&ours),
        conntrack_ms: median(&conntrack),
        floor_ms: median(&floor),
        walk_ms: median(&walk),
        rss_per_entry: median(&rss),
        peak_per_entry: median(&peak),
        screen_ms: median(&screen),
    })
}

/// Runs ct-floor, which enters the namespace itself as nfscope does, and
/// returns the time it took, process start included as for nfscope.
fn run_floor(
    bin: &std::path::Path,
    ns: &str,
    walk: bool,
    size: u64,
) -> anyhow::Result<f64> {
    let mut cmd = Command::new(bin);
    cmd.args(["--netns", ns]);
    if walk {
        cmd.arg("--walk");
    }
    die_with_parent(&mut cmd);
    let (report, took) = run_timed(&mut cmd)?;
    let seen = field(&report, "entries")?;
    ensure!(seen >= size as f64, "ct-floor saw {seen} of {size} entries");
    Ok(ms(took))
}

fn summarize(
    row: &Row,
    goals: bool,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let n = format!("{} {}", thousands(row.size), row.kind.name());
    let vs_floor = row.nfscope_ms / row.floor_ms;
    let floor_goal = if goals {
        at_most(vs_floor, GOAL_VS_FLOOR, &format!("{GOAL_VS_FLOOR}×"))
    } else {
        String::new()
    };
    let memory_goal = if goals {
        let shown = format!("{GOAL_BYTES_PER_ENTRY} B");
        at_most(row.rss_per_entry, GOAL_BYTES_PER_ENTRY, &shown)
    } else {
        String::new()
    };
    let label = |what: &str| format!("load {n}: {what}");
    let missing = row.entries - row.shown.min(row.entries);
    summary.goal_row(
        &label("entries nfscope shows / the kernel has"),
        &format!("{} / {}", row.shown, row.entries),
        if missing == 0 {
            "all (met)"
        } else {
            "all (missed)"
        },
    )?;
    summary.row(
        &label("nfscope start → synced (first dump in)"),
        &format!("{:.0} ms", row.nfscope_ms),
    )?;
    summary.row(
        &label("`conntrack -L -o extended`"),
        &format!("{:.0} ms", row.conntrack_ms),
    )?;
    summary.row(
        &label("floor (ct-floor: receive only)"),
        &format!("{:.0} ms", row.floor_ms),
    )?;
    summary.row(
        &label("every attribute walked (ct-floor --walk)"),
        &format!("{:.0} ms", row.walk_ms),
    )?;
    summary.goal_row(
        &label("nfscope / floor"),
        &ratio(row.nfscope_ms, row.floor_ms),
        &floor_goal,
    )?;
    summary.row(
        &label("nfscope / conntrack -L"),
        &ratio(row.nfscope_ms, row.conntrack_ms),
    )?;
    summary.goal_row(
        &label("nfscope RSS per entry"),
        &format!("{:.0} B", row.rss_per_entry),
        &memory_goal,
    )?;
    summary.row(
        &label("nfscope peak RSS per entry"),
        &format!("{:.0} B", row.peak_per_entry),
    )?;
    summary.row(
        &label("page's first screen (75 youngest of all, sorted)"),
        &format!("{:.0} ms", row.screen_ms),
    )
}

fn per_entry(bytes: u64, empty: u64, entries: u64) -> f64 {
    (bytes as f64 - empty as f64) / entries as f64
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}
