//! Flows for unit tests.

use crate::wire::{Flow, FlowKey, Nat, Proto, Tuple};

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
    flow.status = vec!["seen-reply".into()];
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
        state: Some("established".into()),
        status: vec!["seen-reply".into(), "assured".into(), "confirmed".into()],
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
