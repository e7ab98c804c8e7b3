//! The windowed stream the page uses: rows of the sorted, filtered table
//! from an offset, moved by the client, kept up to date, with the open
//! flow wherever it sorts and what its page renders on the server, and
//! the rows a finding names marked.

mod common;

use std::net::TcpStream;
use std::time::Instant;

use app::wire::finding::Findings;
use app::wire::{FlowKey, ServerMsg, WindowRows};
use common::*;
use nfscope::demo::Fault;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

const FIRST_PORT: u16 = 2000;
const FLOWS: u16 = 40;

fn next(ws: &mut Socket) -> ServerMsg {
    let msg = ws.read().expect("stream message");
    serde_json::from_str(msg.to_text().unwrap()).unwrap()
}

/// The next window that satisfies `done`, skipping status ticks.
fn window_where(
    ws: &mut Socket,
    done: impl Fn(&WindowRows) -> bool,
) -> WindowRows {
    let end = Instant::now() + PATIENCE;
    loop {
        assert!(Instant::now() < end, "no such window on the stream");
        match next(ws) {
            ServerMsg::Window(w) if done(&w) => return *w,
            ServerMsg::Window(_) | ServerMsg::Health(_) => {}
            other => panic!("unexpected message {other:?}"),
        }
    }
}

fn sports(w: &WindowRows) -> Vec<u16> {
    w.rows.iter().filter_map(|f| f.orig.sport).collect()
}

#[test]
fn a_window_follows_the_client_and_the_table() {
    let lab = lab();
    let ns = lab.router();
    let server = Server::start(&ns, &[]);
    for port in FIRST_PORT..FIRST_PORT + FLOWS {
        insert_udp(&ns, port, &[]);
    }
    server.wait_for("the inserted flows", |s| {
        s.flows("q=dport:53").total == usize::from(FLOWS)
    });

    let url = format!(
        "{}/api/ws?q=dport:53&sort=sport&offset=0&limit=10",
        server.base.replace("http://", "ws://")
    );
    let (mut ws, _) = tungstenite::connect(url).expect("WebSocket connect");
    let first = window_where(&mut ws, |_| true);
    assert_eq!((first.total, first.offset), (usize::from(FLOWS), 0));
    let expected: Vec<u16> = (FIRST_PORT..FIRST_PORT + 10).collect();
    assert_eq!(sports(&first), expected);
    let oldest: FlowKey = first.rows[0].key;

    // Scrolled to the end, with the first flow open: it still comes.
    let window = format!(r#"{{"offset":30,"limit":20,"open":"{oldest}"}}"#);
    ws.send(Message::text(window)).unwrap();
    let end = window_where(&mut ws, |w| w.offset == 30);
    let expected: Vec<u16> = (FIRST_PORT + 30..FIRST_PORT + FLOWS).collect();
    assert_eq!(sports(&end), expected);
    assert_eq!(end.open.map(|f| f.key), Some(oldest));
    let sections = end.sections.expect("the open flow's sections");
    assert!(sections.contains("Timeline"), "{sections}");

    // A flow of the window ends: the window closes up.
    let gone = (FIRST_PORT + 35).to_string();
    sh(&ns, &["conntrack", "-D", "-p", "udp", "--sport", &gone]);
    let after = window_where(&mut ws, |w| w.total == usize::from(FLOWS) - 1);
    assert_eq!(after.rows.len(), 9);
    assert!(!sports(&after).contains(&(FIRST_PORT + 35)));

    // A message that is not a window is refused, in words.
    ws.send(Message::text("scroll please")).unwrap();
    let end = Instant::now() + PATIENCE;
    loop {
        assert!(Instant::now() < end, "no error for a bad window");
        match next(&mut ws) {
            ServerMsg::Error { message } => {
                assert!(message.starts_with("window: "), "{message}");
                break;
            }
            ServerMsg::Window(_) | ServerMsg::Health(_) => {}
            other => panic!("unexpected message {other:?}"),
        }
    }
}

#[test]
fn the_rows_a_finding_names_are_flagged() {
    let lab = lab();
    lab.start_servers().unwrap();
    lab.add_fault(Fault::DroppingServer).unwrap();
    let server = Server::start(&lab.router(), &[]);
    let url = format!(
        "{}/api/ws?q=proto:tcp&offset=0&limit=50",
        server.base.replace("http://", "ws://")
    );
    let (mut ws, _) = tungstenite::connect(url).expect("WebSocket connect");
    let first = window_where(&mut ws, |_| true);
    assert!(first.flagged.is_empty());

    syns_to_the_published_port(&lab, 3);
    // The unanswered check names them after a few seconds: the window
    // comes again with them flagged, though no row changed.
    let flagged = window_where(&mut ws, |w| !w.flagged.is_empty());
    let findings: Findings =
        serde_json::from_str(&server.get("/api/findings").unwrap()).unwrap();
    let named = findings.flows();
    for key in &flagged.flagged {
        assert!(named.contains(key), "{key} is named by no finding");
        assert!(flagged.rows.iter().any(|f| f.key == *key));
    }
}
