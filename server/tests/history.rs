//! The history: a permalink resolves after its flow is destroyed (at
//! once, too) and after a restart, a `kill -9` during heavy writes loses
//! no flow that was confirmed written, and the file keeps within its cap
//! under a flood.

mod common;

use std::net::UdpSocket;
use std::path::Path;

use app::wire::history::{FlowRecord, HistoryPage, HistoryStatus, MomentKind};
use app::wire::FlowKey;
use common::*;
use nfscope::state::now_ms;

fn record(server: &Server, key: &FlowKey) -> Result<FlowRecord, (u16, String)> {
    let body = server.get(&format!("/api/flows/{key}"))?;
    Ok(serde_json::from_str(&body).unwrap())
}

fn history(server: &Server) -> HistoryStatus {
    serde_json::from_str(&server.get("/api/history").unwrap()).unwrap()
}

/// One UDP datagram per port from the client to the router, which
/// answers nothing: each is a new flow there.
fn flood(lab: &Lab, ports: std::ops::Range<u16>) {
    in_netns(&lab.client(), move || {
        let socket = UdpSocket::bind((ADDRS.client, 0)).unwrap();
        for port in ports {
            let _ = socket.send_to(b"x", (ADDRS.router_in, port));
        }
    });
}

#[test]
fn a_permalink_outlives_its_flow_and_a_restart() {
    let lab = lab();
    let ns = lab.router();
    let state = Scratch::new("history");
    let args = ["--state-dir", state.path()];
    let server = Server::start(&ns, &args);
    insert_udp(&ns, 4100, &[]);
    server.wait_for("the flow", |s| s.flows("q=sport:4100").total == 1);
    let key = server.flows("q=sport:4100").flows[0].key;
    server.wait_for("its birth in the history", |s| {
        record(s, &key).is_ok_and(|r| r.live && !r.timeline.is_empty())
    });

    // Asked for again and again, it is ended the moment it is no longer
    // live, before the file has its end; what it says then is what the
    // file says after the restart.
    sh(&ns, &["conntrack", "-D", "-p", "udp", "--sport", "4100"]);
    let ended = (0..5_000)
        .map(|_| {
            record(&server, &key)
                .unwrap_or_else(|e| panic!("right after its end: {e:?}"))
        })
        .find(|r| !r.live)
        .expect("its end");
    let last = ended.timeline.last().map(|m| m.kind);
    assert_eq!(last, Some(MomentKind::End), "{ended:?}");
    assert!(ended.ended_ms.is_some(), "{ended:?}");
    assert_eq!(ended.timeline[0].kind, MomentKind::New);
    let page = server.get(&format!("/flow/{key}")).unwrap();
    assert!(page.contains("data-timeline") && page.contains("data-path"));
    assert!(page.contains("data-moment=\"end\""));
    server.stop();

    let server = Server::start(&ns, &args);
    assert_eq!(record(&server, &key).unwrap(), ended);
    let page = server.get(&format!("/flow/{key}")).unwrap();
    assert!(page.contains("data-moment=\"end\""));

    // A key the history never had, and one older than it keeps.
    let mut unknown = key;
    unknown.id ^= 1;
    let (code, why) = record(&server, &unknown).unwrap_err();
    assert_eq!(code, 404);
    assert!(
        why.contains("neither in the table nor in the history"),
        "{why}"
    );
    let ancient = FlowKey {
        start: 1_000_000_000,
        ..unknown
    };
    let (code, why) = record(&server, &ancient).unwrap_err();
    assert_eq!(code, 404);
    assert!(why.contains("longer ago than the history keeps"), "{why}");
}

#[test]
fn a_kill_during_heavy_writes_loses_no_confirmed_flow() {
    let lab = lab();
    let state = Scratch::new("history");
    let args = ["--state-dir", state.path()];
    let server = Server::start(&lab.router(), &args);
    // Confirmed: the history itself served the flow's timeline.
    let mut confirmed = Vec::new();
    for round in 0..10u16 {
        let written = history(&server).written;
        flood(&lab, 20_000 + round * 2000..20_000 + (round + 1) * 2000);
        server.wait_for("the round written", |s| {
            history(s).written >= written + 2000
        });
        let page: app::wire::FlowPage = serde_json::from_str(
            &server
                .get("/api/flows?q=dport:20000-45000&limit=20")
                .unwrap(),
        )
        .unwrap();
        for f in page.flows {
            if record(&server, &f.key).is_ok_and(|r| !r.timeline.is_empty()) {
                confirmed.push(f.key);
            }
        }
    }
    // Killed while the writer still has the last rounds to write.
    flood(&lab, 40_000..45_000);
    server.kill();
    assert!(confirmed.len() >= 20, "confirmed only {confirmed:?}");

    let db = Path::new(state.path()).join("history.db");
    let check: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let server = Server::start(&lab.router(), &args);
    for key in &confirmed {
        let r = record(&server, key).unwrap_or_else(|e| panic!("{key}: {e:?}"));
        assert!(!r.timeline.is_empty(), "{key}");
    }
}

#[test]
fn the_history_keeps_within_its_cap_under_a_flood() {
    const CAP: u64 = 8 << 20;
    let lab = lab();
    let state = Scratch::new("history");
    let args = ["--state-dir", state.path(), "--history-max-size", "8M"];
    let server = Server::start(&lab.router(), &args);
    let size = || {
        ["", "-wal"]
            .iter()
            .map(|suffix| {
                let file = format!("{}/history.db{suffix}", state.path());
                std::fs::metadata(file).map_or(0, |m| m.len())
            })
            .sum::<u64>()
    };
    // About 15 MB of flows and moments, in rounds, the file measured
    // after each.
    for round in 0..6u16 {
        flood(&lab, 1000 + round * 5000..1000 + (round + 1) * 5000);
        server.wait_for("the round written", |s| {
            history(s).written >= u64::from(round + 1) * 5000
        });
        assert!(size() <= CAP, "round {round}: {} bytes", size());
    }
    let status = history(&server);
    assert!(status.flows < 30_000, "nothing forgotten: {status:?}");
    assert_eq!(status.lost, 0, "{status:?}");
    assert_eq!(status.error, None);
}

fn search(server: &Server, query: &str) -> HistoryPage {
    serde_json::from_str(&server.get(&format!("/api/flows?{query}")).unwrap())
        .unwrap()
}

#[test]
fn a_time_window_searches_the_history_with_the_filter_language() {
    let lab = lab();
    let ns = lab.router();
    let state = Scratch::new("history");
    let server = Server::start(&ns, &["--state-dir", state.path()]);
    let before = now_ms();
    insert_udp(&ns, 4200, &[]);
    insert_udp(&ns, 4201, &[]);
    server.wait_for("both in the history", |s| {
        search(s, "q=sport:4200,4201&from=-1h").flows.len() == 2
    });
    sh(&ns, &["conntrack", "-D", "-p", "udp", "--sport", "4200"]);
    server.wait_for("the end of one", |s| {
        search(s, "q=sport:4200&from=-1h").flows[0]
            .ended_ms
            .is_some()
    });
    let after = now_ms();

    // Youngest first, the ended flow with its end, a page at a time.
    let all = search(&server, "q=sport:4200,4201&from=-1h&to=now");
    let ports: Vec<_> = all.flows.iter().map(|p| p.flow.orig.sport).collect();
    assert_eq!(ports, [Some(4201), Some(4200)]);
    assert!(all.complete && !all.more);
    let first = search(&server, "q=sport:4200,4201&from=-1h&limit=1");
    assert!(first.more);
    let second = search(&server, "q=sport:4200,4201&from=-1h&limit=1&offset=1");
    assert_eq!(second.flows, all.flows[1..]);

    // A window before both flows has neither; one ending at the end of
    // the ended flow still has it.
    let early =
        search(&server, &format!("q=sport:4200,4201&to={}", before - 1));
    assert!(early.flows.is_empty(), "{early:?}");
    let ended = all.flows[1].ended_ms.unwrap();
    let late =
        search(&server, &format!("q=sport:4200&from={ended}&to={after}"));
    assert_eq!(late.flows.len(), 1);

    // The same view as a file, and the same page in the browser.
    let csv = server
        .get("/api/flows?q=sport:4200,4201&from=-1h&format=csv")
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("key,proto,state,orig_src,orig_sport"));
    assert!(lines[2].contains(",4200,"), "{csv}");
    let page = server.get("/?q=sport:4200,4201&from=-1h").unwrap();
    assert_eq!(page.matches("<tr data-key=").count(), 2, "{page}");
    assert!(page.contains("Export"));

    // Wrong windows are refused with the reason, on the page too.
    for (query, why) in [
        ("from=yesterday", "from: \\\"yesterday\\\" is not a time"),
        ("from=now&to=-1h", "is after to"),
        ("from=-1h&sort=-bytes", "lists the youngest flows first"),
        ("from=-1h&format=xml", "is not json or csv"),
    ] {
        let (code, body) =
            server.get(&format!("/api/flows?{query}")).unwrap_err();
        assert_eq!(code, 400, "{query}");
        assert!(body.contains(why), "{query}: {body}");
    }
    let page = server.get("/?from=yesterday").unwrap();
    assert!(page.contains("is not a time"), "{page}");
}
