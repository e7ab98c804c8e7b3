//! Flows and filters for unit tests.

use crate::query::Filter;
use crate::wire::{vocab, Flow, FlowKey, Nat, Proto, Tuple};

pub fn tuple(src: &str, sport: u16, dst: &str, dport: u16) -> Tuple {
    Tuple {
        src: src.parse().unwrap(),
        dst: dst.parse().unwrap(),
        sport: Some(sport),
        dport: Some(dport),
        icmp_type: None,
        icmp_code: None,
        icmp_id: None,
        zone: None,
    }
}

/// An established, assured TCP flow without NAT.
pub fn tcp(src: &str, sport: u16, dst: &str, dport: u16) -> Flow {
    let orig = tuple(src, sport, dst, dport);
    let reply = tuple(dst, dport, src, sport);
    flow(Proto::TCP, orig, reply)
}

/// A ping: no ports, no state.
pub fn icmp(src: &str, dst: &str) -> Flow {
    let portless = |src: &str, dst: &str| Tuple {
        sport: None,
        dport: None,
        icmp_type: Some(8),
        icmp_code: Some(0),
        icmp_id: Some(7),
        ..tuple(src, 0, dst, 0)
    };
    let mut flow = flow(Proto::ICMP, portless(src, dst), portless(dst, src));
    flow.state = None;
    flow.status = vocab::status_words(0b10); // SEEN_REPLY
    flow
}

/// Like [`tcp`], with NAT worked out from the tuples.
pub fn flow(proto: Proto, orig: Tuple, reply: Tuple) -> Flow {
    Flow {
        key: FlowKey {
            boot: 0x8f3a_9c2e,
            netns: 4_026_531_840,
            id: 1,
            tuple: 0x9ad3_c2b1,
            start: 1_700_000_000_000_000_000,
        },
        proto,
        nat: Nat::classify(&orig, &reply),
        orig,
        reply,
        state: Some(vocab::tcp_state(3)),
        // SEEN_REPLY | ASSURED | CONFIRMED
        status: vocab::status_words(0b1110),
        flags: Vec::new(),
        mark: 0,
        zone: 0,
        timeout: Some(431_999),
        id: 1,
        use_count: Some(1),
        counters: None,
        start_ns: None,
        stop_ns: None,
        first_seen_ms: 1_700_000_000_000,
        updated_ms: 1_700_000_000_000,
        labels: Vec::new(),
        helper: None,
        secctx: None,
        secmark: None,
        master: None,
        undecoded: Vec::new(),
    }
}

/// 10.0.1.2:40000 -> 10.0.1.1:8080, forwarded to 10.0.2.2:80 and
/// masqueraded as 10.0.2.1:61000.
pub fn nat_both() -> Flow {
    flow(
        Proto::TCP,
        tuple("10.0.1.2", 40000, "10.0.1.1", 8080),
        tuple("10.0.2.2", 80, "10.0.2.1", 61000),
    )
}

pub fn filter(text: &str) -> Filter {
    Filter::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// Whether the filter `text` matches `flow`.
pub fn hits(text: &str, flow: &Flow) -> bool {
    filter(text).matches(flow)
}

/// The error for `text`, as (column - 1, reason).
pub fn error(text: &str) -> (usize, String) {
    let e = Filter::parse(text).expect_err(text);
    (e.position, e.reason)
}

pub fn position(text: &str) -> usize {
    error(text).0
}
