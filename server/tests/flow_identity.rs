//! Flow keys are permalinks: a flow keeps its key when nfscope restarts,
//! with kernel timestamps on and off, a key is a lookup, and a flow
//! reborn with the same id and tuple gets a new one. Zones are decoded
//! per direction.

mod common;

use std::collections::BTreeMap;

use app::wire::history::FlowRecord;
use app::wire::FlowKey;
use common::*;

const FIRST_PORT: u16 = 3000;
const FLOWS: u16 = 6;

fn keys_by_port(server: &Server) -> BTreeMap<u16, FlowKey> {
    let page = server.flows("q=dport:53 src:10.9.0.1");
    page.flows
        .iter()
        .map(|f| (f.orig.sport.unwrap(), f.key))
        .collect()
}

fn wait_for_flows(server: &Server, n: u16) {
    server.wait_for("the inserted flows", |s| {
        s.flows("q=dport:53 src:10.9.0.1").total == usize::from(n)
    });
}

fn keys_survive_a_restart(timestamps: bool) {
    let lab = lab();
    let ns = lab.router();
    let setting = format!(
        "net.netfilter.nf_conntrack_timestamp={}",
        u8::from(timestamps)
    );
    sh(&ns, &["sysctl", "-qw", &setting]);
    let state = Scratch::new("keys");
    let args = ["--state-dir", state.path()];

    // Half the flows are in the first dump, half come as NEW events.
    let half = FIRST_PORT + FLOWS / 2;
    for port in FIRST_PORT..half {
        insert_udp(&ns, port, &[]);
    }
    let server = Server::start(&ns, &args);
    for port in half..FIRST_PORT + FLOWS {
        insert_udp(&ns, port, &[]);
    }
    wait_for_flows(&server, FLOWS);
    let before = keys_by_port(&server);
    server.stop();

    let server = Server::start(&ns, &args);
    wait_for_flows(&server, FLOWS);
    assert_eq!(keys_by_port(&server), before, "timestamps {timestamps}");
    for key in before.values() {
        let record: FlowRecord = serde_json::from_str(
            &server.get(&format!("/api/flows/{key}")).unwrap(),
        )
        .unwrap();
        assert_eq!((record.flow.key, record.live), (*key, true));
    }

    if timestamps {
        // Gone and made again while nfscope is away: the same id and
        // tuple may come back, but it is another flow with another key.
        server.stop();
        let port = FIRST_PORT.to_string();
        sh(&ns, &["conntrack", "-D", "-p", "udp", "--sport", &port]);
        insert_udp(&ns, FIRST_PORT, &[]);
        let server = Server::start(&ns, &args);
        wait_for_flows(&server, FLOWS);
        let after = keys_by_port(&server);
        assert_ne!(after[&FIRST_PORT], before[&FIRST_PORT]);
        assert_eq!(after[&(FIRST_PORT + 1)], before[&(FIRST_PORT + 1)]);
        // The history still has the old one: ended, as far as anyone
        // knows, when nfscope last saw it.
        let old: FlowRecord = serde_json::from_str(
            &server
                .get(&format!("/api/flows/{}", before[&FIRST_PORT]))
                .unwrap(),
        )
        .unwrap();
        assert!(!old.live && old.ended_ms.is_some(), "{old:?}");
    }
}

#[test]
fn keys_survive_a_restart_with_kernel_timestamps() {
    keys_survive_a_restart(true);
}

#[test]
fn keys_survive_a_restart_without_kernel_timestamps() {
    keys_survive_a_restart(false);
}

#[test]
fn zones_of_each_direction_are_shown() {
    let lab = lab();
    let ns = lab.router();
    let server = Server::start(&ns, &[]);
    insert_udp(&ns, FIRST_PORT, &["--reply-zone", "3"]);
    insert_udp(&ns, FIRST_PORT + 1, &["--zone", "5"]);
    wait_for_flows(&server, 2);
    let page = server.flows("q=dport:53 src:10.9.0.1&sort=sport");
    let [reply_only, both] = &page.flows[..] else {
        panic!("{page:?}");
    };
    assert_eq!(
        (reply_only.orig.zone, reply_only.reply.zone),
        (None, Some(3))
    );
    assert_eq!(reply_only.zone, 3);
    assert_eq!(
        (both.orig.zone, both.reply.zone, both.zone),
        (None, None, 5)
    );
}
