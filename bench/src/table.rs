//! Loading a big table: how long nfscope takes from start until its table
//! holds every entry, against `conntrack -L` and against the floor (a
//! dump that is only walked), and what each entry costs it in memory.
//!
//! The table is built in the lab's router, whose ruleset uses conntrack
//! and which has counters and timestamps on, so that every entry carries
//! what a real one does. Sizes grow in one table: each adds entries.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{ensure, Context};
use nfscope::demo::Lab;

use crate::proc::{count, field, in_netns, run_timed, sibling};
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

/// Medians of one table size.
struct Row {
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
    let lab = Lab::build(lab_base)?;
    let ns = lab.router();
    let empty = idle_memory(&ns)?;
    eprintln!(
        "table: nfscope on an empty table: {:.1} MiB resident",
        mib(empty.rss)
    );
    println!(
        "| entries | fill ms | nfscope ms | floor ms | conntrack -L ms \
         | nfscope/floor | nfscope/conntrack | RSS B/entry \
         | peak B/entry | nfscope shows | first screen ms |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut filled = 0;
    let mut rows = Vec::new();
    for &size in sizes {
        ensure!(size >= filled, "table sizes must grow");
        let fill_ms = fill(&ns, filled, size - filled)?;
        filled = size;
        let row = measure(&ns, size, fill_ms, rounds, empty)?;
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {} | {:.0} | {:.0} \
             | {} | {:.0} |",
            row.entries,
            row.fill_ms,
            row.nfscope_ms,
            row.floor_ms,
            row.conntrack_ms,
            ratio(row.nfscope_ms, row.floor_ms),
            ratio(row.nfscope_ms, row.conntrack_ms),
            row.rss_per_entry,
            row.peak_per_entry,
            row.shown,
            row.screen_ms,
        );
        rows.push(row);
    }
    // Removing a namespace frees its entries in the background; a flush
    // does it now, so that it does not slow the next benchmark.
    run_timed(&mut in_netns(&ns, "conntrack", &["-F"]))?;
    let last = rows.last().map(|r| r.size);
    for row in &rows {
        summarize(row, last == Some(row.size), summary)?;
    }
    Ok(())
}

/// The server's memory with nothing in the table.
fn idle_memory(ns: &str) -> anyhow::Result<Memory> {
    let server = Server::start(ns)?;
    server.wait_until("the first dump", POLL, SYNC_TIMEOUT, |s| s.synced)?;
    std::thread::sleep(SETTLE);
    server.memory()
}

/// Adds `count` entries numbered from `first`; returns the time taken.
fn fill(ns: &str, first: u64, count: u64) -> anyhow::Result<f64> {
    let bin = sibling("ct-fill")?;
    let bin = bin.to_str().context("path of ct-fill")?;
    let (first, count) = (first.to_string(), count.to_string());
    let (report, _) = run_timed(&mut in_netns(
        ns,
        bin,
        &["--first", &first, "--count", &count],
    ))?;
    eprintln!("table: ct-fill {}", report.trim());
    field(&report, "ms")
}

fn measure(
    ns: &str,
    size: u64,
    fill_ms: f64,
    rounds: usize,
    empty: Memory,
) -> anyhow::Result<Row> {
    let floor_bin = sibling("ct-floor")?;
    let floor_bin = floor_bin.to_str().context("path of ct-floor")?;
    // The lab may hold a few entries of its own besides ours.
    let entries = count(ns)?;
    ensure!(
        entries >= size,
        "the table holds {entries} of {size} entries"
    );
    let (mut ours, mut conntrack, mut floor) = (vec![], vec![], vec![]);
    let (mut rss, mut peak, mut screen) = (vec![], vec![], vec![]);
    let mut shown = u64::MAX;
    // The three readers take turns, so that each round sees the same
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

        let (report, took) = run_timed(&mut in_netns(ns, floor_bin, &[]))?;
        let seen = field(&report, "entries")?;
        ensure!(seen >= size as f64, "ct-floor saw {seen} of {size} entries");
        floor.push(ms(took));
    }
    Ok(Row {
        size,
        entries,
        shown,
        fill_ms,
        nfscope_ms: median(&ours),
        conntrack_ms: median(&conntrack),
        floor_ms: median(&floor),
        rss_per_entry: median(&rss),
        peak_per_entry: median(&peak),
        screen_ms: median(&screen),
    })
}

fn summarize(
    row: &Row,
    goals: bool,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let n = thousands(row.size);
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
        &label("floor (ct-floor)"),
        &format!("{:.0} ms", row.floor_ms),
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
