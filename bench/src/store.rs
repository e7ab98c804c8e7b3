//! The history under load. ct-churn creates and deletes conntrack
//! entries in the lab's router at a steady 50k events per second (a
//! packet flood of this machine reaches a fifth of that), each entry a
//! NEW and a DESTROY for nfscope to hear and two moments to write,
//! until the history holds a million flows. Measured: whether nfscope
//! heard every event and wrote every moment at that rate, the share of
//! a core the writer took, the bytes a stored flow takes, and searches
//! of the full history, against reading the same rows from SQLite
//! without decoding them (the floor).

use std::time::{Duration, Instant};

use anyhow::Context;
use app::wire::history::{HistoryPage, HistoryStatus};
use app::wire::{CollectorHealth, Health};
use nfscope::demo::Lab;
use nfscope::store::SCAN_BUDGET;
use rusqlite::{Connection, OpenFlags};

use crate::proc::{field, run_sibling, wait_for};
use crate::server::Server;
use crate::stats::{median, ratio, thousands};
use crate::summary::{at_least, at_most, Summary};

/// The rate the history must keep up with.
pub const GOAL_PER_SEC: u32 = 50_000;
/// A search's first page, at most.
const GOAL_SEARCH: Duration = Duration::from_millis(200);
const POLL: Duration = Duration::from_millis(250);
/// The writer's counts holding still this long mean it is done.
const QUIET: Duration = Duration::from_secs(2);
const PATIENCE: Duration = Duration::from_secs(120);
/// How long each churned entry lives: the table holds about a second's
/// worth of them.
const LIFE_MS: &str = "500";

/// A search over the whole history, as the API takes it.
struct Search {
    name: &'static str,
    query: &'static str,
}

/// About 0.17 % of the flows match the first: 100 source ports of each
/// 60k ct-churn walks through. Nothing matches the last, so it reads up
/// to the search's budget of stored flows.
const SEARCHES: [Search; 3] = [
    Search {
        name: "100 of every 60k ports (`sport:5000-5099`)",
        query: "q=sport:5000-5099&from=-1d&limit=100",
    },
    Search {
        name: "no filter",
        query: "from=-1d&limit=100",
    },
    Search {
        name: "a filter that matches nothing (`dst:192.0.2.1`)",
        query: "q=dst:192.0.2.1&from=-1d&limit=100",
    },
];

pub fn run(
    per_sec: u32,
    stored: u64,
    rounds: usize,
    lab_base: &str,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    anyhow::ensure!(rounds > 0 && per_sec >= 2, "at least one round and event");
    let lab = Lab::build(lab_base)?;
    let rtr = lab.router();
    let server = Server::start_with(
        &rtr,
        &["--history-max-size", "8G", "--history-max-age", "1d"],
    )?;
    server.wait_until("the first dump", POLL, PATIENCE, |s| s.synced)?;

    // Two events per stored flow.
    let secs = (stored * 2).div_ceil(u64::from(per_sec)).max(1);
    let (history, health) = (server.history()?, server.status()?);
    let began = Instant::now();
    // ct-churn paces itself in ticks and ends with a tail of deletes: it
    // is asked for a percent more than the rate it must reach.
    let aim = per_sec + per_sec / 100;
    let args = [
        "--events-per-sec",
        &aim.to_string(),
        "--secs",
        &secs.to_string(),
        "--life-ms",
        LIFE_MS,
    ];
    let report = run_sibling(&rtr, "ct-churn", &args)?;
    let caused = field(&report, "per_sec")?;
    let events =
        (field(&report, "created")? + field(&report, "deleted")?) as u64;
    let status = settle(&server)?;
    let wall = (began.elapsed() - QUIET).as_secs_f64();
    let now = server.status()?;
    let heard = conntrack(&now, |c| c.events_received)
        - conntrack(&health, |c| c.events_received);
    let missed = events.saturating_sub(heard);
    let enobufs = now.enobufs() - health.enobufs();
    let written = status.written - history.written;
    let lost = status.lost - history.lost;
    let busy_ms = (status.busy_ms - history.busy_ms).max(1) as f64;
    let busy = busy_ms / 1000.0 / wall;
    let capacity = written as f64 * 1000.0 / busy_ms;
    let per_flow = status.bytes as f64 / status.flows.max(1) as f64;
    println!(
        "| events/s caused | events caused | heard by nfscope | ENOBUFS \
         | moments written | lost | writer's share of a core |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {caused:.0} | {events} | {heard} | {enobufs} | {written} | {lost} \
         | {:.0} % |",
        busy * 100.0
    );
    println!(
        "\n{} flows, {} moments in {} MB: {per_flow:.0} B per flow; \
         the writer takes {capacity:.0} moments per second of writing\n",
        thousands(status.flows),
        thousands(status.moments),
        status.bytes >> 20,
    );
    let label = |what: &str| format!("history, {what}");
    let goal = f64::from(GOAL_PER_SEC);
    summary.goal_row(
        &label("events per second caused (ct-churn)"),
        &format!("{caused:.0}"),
        &at_least(caused, goal, &thousands(u64::from(GOAL_PER_SEC))),
    )?;
    summary.goal_row(
        &label("events nfscope did not hear (ENOBUFS)"),
        &format!("{missed} ({enobufs} ENOBUFS)"),
        &at_most(missed as f64, 0.0, "0"),
    )?;
    summary.goal_row(
        &label("moments lost by the history"),
        &lost.to_string(),
        &at_most(lost as f64, 0.0, "0"),
    )?;
    summary.row(
        &label("the writer's share of a core at that rate"),
        &format!("{:.0} %", busy * 100.0),
    )?;
    summary.row(
        &label("moments the writer takes per second of writing"),
        &format!("{capacity:.0}"),
    )?;
    summary.row(
        &label("bytes per stored flow (two moments each)"),
        &format!("{per_flow:.0} B"),
    )?;
    let label =
        |what: &str| format!("history, {}: {what}", thousands(status.flows));

    let floor = floor(&status, rounds)?;
    println!(
        "| search, first page of 100 (median of {rounds}) | time | complete |"
    );
    println!("|---|---:|---|");
    for (i, search) in SEARCHES.iter().enumerate() {
        let mut times = Vec::new();
        let mut complete = true;
        for _ in 0..rounds {
            let (body, took) = server.flows_timed(search.query)?;
            let page: HistoryPage =
                serde_json::from_str(&body).context("decoding a search")?;
            complete &= page.complete;
            times.push(took.as_secs_f64() * 1000.0);
        }
        let ms = median(&times);
        println!("| {} | {ms:.0} ms | {complete} |", search.name);
        let measure = label(&format!("search, {}", search.name));
        let value = format!("{ms:.0} ms");
        if i == 0 {
            let goal = GOAL_SEARCH.as_millis() as f64;
            summary.goal_row(&measure, &value, &at_most(ms, goal, "200 ms"))?;
        } else {
            summary.row(&measure, &value)?;
        }
        if i == SEARCHES.len() - 1 {
            println!(
                "| floor: the same {} rows read, not decoded | {floor:.0} ms | |",
                thousands(SCAN_BUDGET as u64)
            );
            summary.row(
                &label("search that matches nothing / floor"),
                &ratio(ms, floor),
            )?;
        }
    }
    Ok(())
}

/// A count of the conntrack collector's.
fn conntrack(health: &Health, count: impl Fn(&CollectorHealth) -> u64) -> u64 {
    health.collectors.get("conntrack").map_or(0, count)
}

/// Waits until the writer's counts hold still.
fn settle(server: &Server) -> anyhow::Result<HistoryStatus> {
    let mut last = None;
    let mut still_since = Instant::now();
    wait_for("the history's writer to catch up", POLL, PATIENCE, || {
        let status = server.history()?;
        let now = (status.written, status.lost);
        if last != Some(now) {
            last = Some(now);
            still_since = Instant::now();
        }
        Ok(still_since.elapsed() >= QUIET)
    })?;
    server.history()
}

/// Reading the rows a search that matches nothing reads, youngest first,
/// each one's search fields touched but not decoded: the least SQLite
/// makes a search do. Median of `rounds`, ms.
fn floor(status: &HistoryStatus, rounds: usize) -> anyhow::Result<f64> {
    let db = Connection::open_with_flags(
        &status.path,
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .with_context(|| format!("opening {}", status.path))?;
    let mut times = Vec::new();
    for _ in 0..rounds {
        let began = Instant::now();
        let mut stmt = db.prepare_cached(
            "SELECT fields, ended_ms FROM flows
             WHERE start_ns <= ?1 AND (ended_ms IS NULL OR ended_ms >= ?2)
             ORDER BY start_ns DESC, key DESC LIMIT ?3",
        )?;
        let mut rows =
            stmt.query(rusqlite::params![i64::MAX, 0, SCAN_BUDGET as i64])?;
        let mut bytes = 0;
        while let Some(row) = rows.next()? {
            bytes += row.get_ref(0)?.as_blob_or_null()?.map_or(0, <[u8]>::len);
        }
        std::hint::black_box(bytes);
        times.push(began.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(median(&times))
}
