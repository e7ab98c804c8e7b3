//! The history under load. Rounds of one-packet UDP flows at full rate
//! through the lab's router, each round then flushed from the table, so
//! that every flow is two events (NEW, DESTROY) and two moments to
//! write, until the history holds a million flows. Measured: what the
//! writer can take (moments per second of writing), what it lost, the
//! bytes a stored flow takes, and searches of the full history, against
//! reading the same rows from SQLite without decoding them (the floor).

use std::time::{Duration, Instant};

use anyhow::Context;
use app::wire::history::{HistoryPage, HistoryStatus};
use nfscope::demo::Lab;
use nfscope::store::SCAN_BUDGET;
use rusqlite::{Connection, OpenFlags};

use crate::events::{flood, FLOOD_FIRST_PORT};
use crate::proc::{count, field, in_netns, run_timed, wait_for};
use crate::server::Server;
use crate::stats::{median, ratio, thousands};
use crate::summary::{at_least, at_most, Summary};

/// The writer must take at least this many moments per second.
const GOAL_PER_SEC: f64 = 50_000.0;
/// A search's first page, at most.
const GOAL_SEARCH: Duration = Duration::from_millis(200);
const POLL: Duration = Duration::from_millis(250);
/// The writer's counts holding still this long mean it is done.
const QUIET: Duration = Duration::from_secs(2);
const PATIENCE: Duration = Duration::from_secs(120);

/// A search over the whole history, as the API takes it.
struct Search {
    name: &'static str,
    query: &'static str,
}

/// About 0.15 % of the flows match the first: 100 ports of each 64k the
/// flood walks through. Nothing matches the last, so it reads up to the
/// search's budget of stored flows.
const SEARCHES: [Search; 3] = [
    Search {
        name: "100 of every 64k ports (`dport:5000-5099`)",
        query: "q=dport:5000-5099&from=-1d&limit=100",
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
    flows: u32,
    stored: u64,
    rounds: usize,
    lab_base: &str,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    anyhow::ensure!(rounds > 0 && flows > 0, "at least one round and flow");
    let lab = Lab::build(lab_base)?;
    let rtr = lab.router();
    let server = Server::start_with(
        &rtr,
        &["--history-max-size", "8G", "--history-max-age", "1d"],
    )?;
    server.wait_until("the first dump", POLL, PATIENCE, |s| s.synced)?;

    println!(
        "| round | sent/s | new entries | events to nfscope | events/s \
         | moments written | lost |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let mut round = 0;
    let mut rates = Vec::new();
    while server.history()?.flows < stored {
        round += 1;
        let before = (server.history()?, events(&server)?);
        let began = Instant::now();
        let report = flood(&lab.client(), flows, FLOOD_FIRST_PORT)?;
        let created = count(&rtr)?;
        run_timed(&mut in_netns(&rtr, "conntrack", &["-F"]))?;
        let after = settle(&server)?;
        let heard = events(&server)? - before.1;
        // The events arrived within the flood and the flush; the time to
        // settle after them is not theirs.
        let secs = (began.elapsed() - QUIET).as_secs_f64();
        rates.push(heard as f64 / secs);
        println!(
            "| {round} | {:.0} | {created} | {heard} | {:.0} | {} | {} |",
            field(&report, "per_sec")?,
            heard as f64 / secs,
            after.written - before.0.written,
            after.lost - before.0.lost,
        );
    }
    let status = server.history()?;
    let capacity =
        status.written as f64 * 1000.0 / status.busy_ms.max(1) as f64;
    let per_flow = status.bytes as f64 / status.flows.max(1) as f64;
    println!(
        "\n{} flows, {} moments in {} MB: {per_flow:.0} B per flow; \
         the writer took {capacity:.0} moments/s of writing; {} lost\n",
        thousands(status.flows),
        thousands(status.moments),
        status.bytes >> 20,
        status.lost,
    );
    let label =
        |what: &str| format!("history, {}: {what}", thousands(status.flows));
    summary.row(
        &label("events per second into nfscope, flood and flush (median)"),
        &format!("{:.0}", median(&rates)),
    )?;
    summary.goal_row(
        &label("moments the writer takes per second of writing"),
        &format!("{capacity:.0}"),
        &at_least(capacity, GOAL_PER_SEC, "50000"),
    )?;
    summary.goal_row(
        &label("moments lost by the history"),
        &status.lost.to_string(),
        &at_most(status.lost as f64, 0.0, "0"),
    )?;
    summary.row(
        &label("bytes per stored flow (two moments each)"),
        &format!("{per_flow:.0} B"),
    )?;

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

fn events(server: &Server) -> anyhow::Result<u64> {
    let status = server.status()?;
    let conntrack = status.collectors.get("conntrack");
    Ok(conntrack.map_or(0, |c| c.events_received))
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
/// each one's JSON touched but not decoded: the least SQLite makes a
/// search do. Median of `rounds`, ms.
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
            "SELECT flow, ended_ms FROM flows
             WHERE start_ns <= ?1 AND (ended_ms IS NULL OR ended_ms >= ?2)
             ORDER BY start_ns DESC, key DESC LIMIT ?3",
        )?;
        let mut rows =
            stmt.query(rusqlite::params![i64::MAX, 0, SCAN_BUDGET as i64])?;
        let mut bytes = 0;
        while let Some(row) = rows.next()? {
            bytes += row.get_ref(0)?.as_str()?.len();
        }
        std::hint::black_box(bytes);
        times.push(began.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(median(&times))
}
