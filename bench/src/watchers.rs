//! Readers must never slow the writer: a big table, eight page windows
//! open on it (sorted by different columns, some deep in the table), and
//! a flood of one-packet flows at full rate. What counts is whether
//! nfscope lost events meanwhile (ENOBUFS, resyncs), and how long a new
//! flow took to reach the window that shows the youngest flows.
//!
//! Status and stream messages are read as plain JSON, so that the same
//! run can measure an nfscope of another version (`--nfscope PATH`).

use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use nfscope::demo::Lab;
use serde_json::Value;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::WebSocket;

use crate::ctnl::Protocols;
use crate::events::{flood, FLOOD_FIRST_PORT};
use crate::proc::{ct_fill, field, sibling, wait_for};
use crate::server::Server;
use crate::summary::{at_most, Summary};

/// The windows a few dashboards would hold: (sort, offset). The first
/// one, youngest flows first (`age`), is where the flood's flows show.
const WINDOWS: [(&str, usize); 8] = [
    ("age", 0),
    ("-age", 0),
    ("sport", 0),
    ("-sport", 40_000),
    ("dport", 75_000),
    ("-id", 100_000),
    ("dst", 0),
    ("-timeout", 120_000),
];
/// Rows per window: about three screens, as the page asks.
const LIMIT: usize = 75;
const POLL: Duration = Duration::from_millis(200);
const PATIENCE: Duration = Duration::from_secs(60);
/// The table holds still this long once the flood is in.
const QUIET: Duration = Duration::from_secs(2);

/// One run against one nfscope.
pub struct Outcome {
    pub enobufs: u64,
    pub resyncs: u64,
    /// Flood flows that reached the youngest window, and how long each
    /// took from the kernel's event (ms).
    pub latencies_ms: Vec<f64>,
    pub windows_received: u64,
    pub flows_per_sec: f64,
}

pub fn run(
    preload: u64,
    flows: u32,
    design: &str,
    nfscope: Option<&Path>,
    lab_base: &str,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let bin = match nfscope {
        Some(path) => path.to_owned(),
        None => sibling("nfscope")?,
    };
    let out = round(&bin, preload, flows, lab_base)?;
    let mut sorted = out.latencies_ms.clone();
    sorted.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(at).copied().unwrap_or(f64::NAN)
    };
    println!(
        "| design | flood flows/s | ENOBUFS | resyncs | flows seen in the \
         youngest window | p50 | p99 | windows received |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {design} | {:.0} | {} | {} | {} | {:.0} ms | {:.0} ms | {} |",
        out.flows_per_sec,
        out.enobufs,
        out.resyncs,
        sorted.len(),
        pct(0.5),
        pct(0.99),
        out.windows_received
    );
    let label = |what: &str| {
        format!(
            "watchers ({design}): {}k table, 8 windows, {}k-flow flood: {what}",
            preload / 1000,
            flows / 1000
        )
    };
    let lost = (out.enobufs + out.resyncs) as f64;
    summary.goal_row(
        &label("ENOBUFS / resyncs"),
        &format!("{} / {}", out.enobufs, out.resyncs),
        &at_most(lost, 0.0, "0"),
    )?;
    summary.row(
        &label("flow → youngest window p50 / p99"),
        &format!("{:.0} ms / {:.0} ms", pct(0.5), pct(0.99)),
    )
}

fn round(
    bin: &Path,
    preload: u64,
    flows: u32,
    lab_base: &str,
) -> anyhow::Result<Outcome> {
    let lab = Lab::build(lab_base)?;
    let rtr = lab.router();
    let server = Server::start_bin(bin, &rtr)?;
    wait("the first dump", || Ok(status(&server)?["synced"] == true))?;
    fill(&rtr, preload)?;
    wait("the preloaded table", || {
        Ok(status(&server)?["entries"].as_u64() >= Some(preload))
    })?;

    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let received = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut watchers = Vec::new();
    for (i, &(sort, offset)) in WINDOWS.iter().enumerate() {
        let url = format!(
            "{}/api/ws?q=&sort={sort}&offset={offset}&limit={LIMIT}",
            server.base().replace("http://", "ws://")
        );
        let socket = connect(&url)?;
        let (stop, received) = (Arc::clone(&stop), Arc::clone(&received));
        let seen = (i == 0).then(|| Arc::clone(&seen));
        watchers.push(std::thread::spawn(move || {
            watch(socket, &stop, &received, seen.as_deref())
        }));
    }
    wait("every window's first message", || {
        Ok(received.load(Ordering::Relaxed) >= WINDOWS.len() as u64)
    })?;

    let before = counts(&server)?;
    let report = flood(&lab.client(), flows, FLOOD_FIRST_PORT)?;
    eprintln!("watchers: udp-flood {}", report.trim());
    let mut last = None;
    let mut still_since = Instant::now();
    wait("the table to take the flood in", || {
        let entries = status(&server)?["entries"].as_u64();
        if last != Some(entries) {
            (last, still_since) = (Some(entries), Instant::now());
        }
        Ok(still_since.elapsed() >= QUIET)
    })?;
    stop.store(true, Ordering::Relaxed);
    for w in watchers {
        let _ = w.join();
    }
    let after = counts(&server)?;
    let latencies_ms = std::mem::take(&mut *seen.lock().unwrap());
    Ok(Outcome {
        enobufs: after.0 - before.0,
        resyncs: after.1 - before.1,
        latencies_ms,
        windows_received: received.load(Ordering::Relaxed),
        flows_per_sec: field(&report, "per_sec")?,
    })
}

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

fn connect(url: &str) -> anyhow::Result<Socket> {
    let (socket, _) =
        tungstenite::connect(url).with_context(|| format!("opening {url}"))?;
    if let MaybeTlsStream::Plain(tcp) = socket.get_ref() {
        // Wakes the reader now and then to see whether to stop.
        tcp.set_read_timeout(Some(POLL))?;
    }
    Ok(socket)
}

/// Reads a window stream as a page does until `stop`; for the youngest
/// window, notes how long each flood flow took to show.
fn watch(
    mut socket: Socket,
    stop: &AtomicBool,
    received: &std::sync::atomic::AtomicU64,
    seen: Option<&Mutex<Vec<f64>>>,
) {
    let mut shown = std::collections::HashSet::new();
    while !stop.load(Ordering::Relaxed) {
        let text = match socket.read() {
            Ok(msg) => msg.into_text().map(|t| t.to_string()),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(_) => return,
        };
        let Ok(msg) = text.map(|t| serde_json::from_str::<Value>(&t)) else {
            continue;
        };
        let Ok(Value::Object(msg)) = msg else {
            continue;
        };
        let Some(window) = msg.get("window") else {
            continue;
        };
        received.fetch_add(1, Ordering::Relaxed);
        let (Some(seen), Some(rows)) = (seen, window["rows"].as_array()) else {
            continue;
        };
        let now = now_ms();
        for row in rows {
            let flood = row["orig"]["dport"]
                .as_u64()
                .is_some_and(|p| p >= u64::from(FLOOD_FIRST_PORT));
            let key = row["key"].as_str().unwrap_or_default().to_owned();
            if flood && shown.insert(key) {
                let at = row["first_seen_ms"].as_f64().unwrap_or(now);
                seen.lock().unwrap().push(now - at);
            }
        }
    }
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn status(server: &Server) -> anyhow::Result<Value> {
    serde_json::from_str(&server.status_text()?).context("/api/status")
}

/// ENOBUFS and resyncs so far, where either version reports them.
fn counts(server: &Server) -> anyhow::Result<(u64, u64)> {
    let s = status(server)?;
    let of = |name: &str| {
        s["collectors"]["conntrack"][name]
            .as_u64()
            .or(s[name].as_u64())
            .unwrap_or(0)
    };
    Ok((of("enobufs"), of("resyncs")))
}

fn fill(ns: &str, count: u64) -> anyhow::Result<()> {
    let report = ct_fill(ns, 0, count, Protocols::Mixed)?;
    eprintln!("watchers: ct-fill {report}");
    Ok(())
}

fn wait(
    what: &str,
    done: impl FnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    wait_for(what, POLL, PATIENCE, done)
}
