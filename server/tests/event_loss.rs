//! Issue 8: with a deliberately tiny receive buffer, a flood of new flows
//! makes the kernel drop events. nfscope must say so (ENOBUFS counted in
//! /api/status), resync by itself, and end with the same table as
//! `conntrack -L`.

mod common;

use std::collections::BTreeSet;
use std::net::UdpSocket;

use app::wire::CollectorHealth;
use common::*;

/// The lost events are counted against their collector.
fn conntrack(server: &Server) -> CollectorHealth {
    server.status().collectors["conntrack"].clone()
}

/// Flows in the flood; each is one UDP datagram to another port.
const FLOWS: u16 = 20_000;

#[test]
fn lost_events_are_reported_and_repaired() {
    let lab = lab();
    let server = Server::start(&lab.router(), &["--rcvbuf", "4K"]);
    assert!(conntrack(&server).rcvbuf < 64 * 1024);

    in_netns(&lab.client(), || {
        let socket = UdpSocket::bind((ADDRS.client, 0)).unwrap();
        for port in 1..=FLOWS {
            // The router itself answers: every port is a new entry there.
            let _ = socket.send_to(b"x", (ADDRS.router_in, 10_000 + port));
        }
    });

    server.wait_for("ENOBUFS to be counted", |s| conntrack(s).enobufs > 0);
    server.wait_for("a resync to finish", |s| {
        let status = conntrack(s);
        status.resyncs > 0 && !status.resyncing
    });
    server.wait_for("the table to converge to conntrack -L", |s| {
        let reference: BTreeSet<u32> =
            conntrack_list(&lab.router()).into_keys().collect();
        let ours: BTreeSet<u32> =
            s.flows("").flows.iter().map(|f| f.id).collect();
        reference.len() >= usize::from(FLOWS) && ours == reference
    });
    assert!(conntrack(&server).last_resync.is_some());
    assert_eq!(server.status().entries, server.flows("").total);
    // The diagnosis says so too.
    server.wait_for("the event-loss finding", |s| {
        let findings: app::wire::finding::Findings =
            serde_json::from_str(&s.get("/api/findings").unwrap()).unwrap();
        findings.active.iter().any(|f| f.id == "event-loss:nfscope")
    });
}
