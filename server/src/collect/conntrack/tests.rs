//! Decoder tests on messages captured from kernel 6.18 by
//! `scripts/capture-ct-fixtures.py`; each `fixtures/*.txt` names the flow
//! and the `conntrack -L` line it matches.

use app::wire::{Nat, Proto};
use netlink_packet_core::NetlinkBuffer;
use proptest::prelude::*;

use super::decode::{
    messages, parse_entry, parse_message, CtEntry, CtEvent, CtMessage,
    EventKind, Icmp, ProtoState,
};
use super::flow::{to_flow, Seen};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("fixtures/", $name, ".bin")).as_slice()
    };
}

fn event(bytes: &[u8], dumping: bool) -> CtEvent {
    let msg = NetlinkBuffer::new_checked(bytes).expect("netlink header");
    match parse_message(&msg, dumping).expect("decodes") {
        CtMessage::Entry(event) => event,
        other => panic!("not an entry: {other:?}"),
    }
}

fn decode(bytes: &[u8], dumping: bool) -> (EventKind, CtEntry) {
    let event = event(bytes, dumping);
    (event.kind, event.entry)
}

fn dumped(bytes: &[u8]) -> CtEntry {
    let (kind, entry) = decode(bytes, true);
    assert_eq!(kind, EventKind::Dumped);
    entry
}

fn seen() -> Seen {
    Seen {
        key: app::wire::FlowKey::default(),
        first_seen_ms: 2,
        updated_ms: 3,
    }
}

#[test]
fn tcp_through_dnat_and_masquerade() {
    // tcp ESTABLISHED src=10.77.1.2 dst=10.77.1.1 sport=41080 dport=8080
    // packets=4 bytes=230 src=10.77.2.2 dst=10.77.2.1 sport=80
    // dport=41080 packets=3 bytes=183 [ASSURED] mark=0 use=1 id=2681439936
    let e = dumped(fixture!("tcp_dnat_masq_established"));
    let orig = e.orig.as_ref().unwrap();
    let reply = e.reply.as_ref().unwrap();
    assert_eq!(orig.src.to_string(), "10.77.1.2");
    assert_eq!(orig.dst.to_string(), "10.77.1.1");
    assert_eq!((orig.sport, orig.dport), (Some(41080), Some(8080)));
    assert_eq!(reply.src.to_string(), "10.77.2.2");
    assert_eq!(reply.dst.to_string(), "10.77.2.1");
    assert_eq!((reply.sport, reply.dport), (Some(80), Some(41080)));
    assert_eq!(e.id, Some(2681439936));
    assert_eq!(e.mark, 0);
    assert_eq!(e.use_count, Some(1));
    assert_eq!(e.status, 0x1be);
    assert!(matches!(
        e.proto_state,
        Some(ProtoState::Tcp { state: 3, .. })
    ));
    let c = e.counters.unwrap();
    assert_eq!((c.orig.packets, c.orig.bytes), (4, 230));
    assert_eq!((c.reply.packets, c.reply.bytes), (3, 183));
    assert!(e.start_ns.is_some() && e.stop_ns().is_none());
    // Nothing rare: no allocation beyond the entry itself.
    assert!(e.extra.is_none());

    let flow = to_flow(&e, seen()).unwrap();
    assert_eq!(flow.proto, Proto::TCP);
    assert_eq!(flow.state.as_deref(), Some("established"));
    assert_eq!(flow.nat, [Nat::Dnat, Nat::Snat]);
    assert!(flow.status.iter().any(|s| s == "assured"));
    assert!(flow.status.iter().any(|s| s == "dst-nat"));
    assert_eq!(flow.counters.unwrap().bytes(), 413);
}

#[test]
fn plain_tcp_has_no_nat() {
    let e = dumped(fixture!("tcp_plain_established"));
    assert_eq!(e.id, Some(2850635636));
    let flow = to_flow(&e, seen()).unwrap();
    assert!(flow.nat.is_empty());
    assert!(flow.reply_is_mirror());
}

#[test]
fn time_wait_state() {
    let e = dumped(fixture!("tcp_time_wait"));
    assert_eq!(e.id, Some(536282374));
    let flow = to_flow(&e, seen()).unwrap();
    assert_eq!(flow.state.as_deref(), Some("time-wait"));
}

#[test]
fn udp_mark_zone_and_masquerade() {
    let e = dumped(fixture!("udp_ct_mark"));
    assert_eq!((e.mark, e.id), (42, Some(1371872902)));
    let e = dumped(fixture!("udp_zone7"));
    assert_eq!((e.zone, e.id), (Some(7), Some(3656106268)));
    let e = dumped(fixture!("udp_masq"));
    let flow = to_flow(&e, seen()).unwrap();
    assert_eq!(flow.proto, Proto::UDP);
    assert_eq!(flow.nat, [Nat::Snat]);
    assert_eq!(flow.state, None);
    let e = dumped(fixture!("udp_plain"));
    assert_eq!(e.id, Some(2177922789));
}

#[test]
fn icmp_echo_v4_and_v6() {
    // icmp src=10.77.1.2 dst=10.77.2.2 type=8 code=0 id=19831
    let e = dumped(fixture!("icmp_echo"));
    let orig = e.orig.as_ref().unwrap();
    assert_eq!(orig.proto, 1);
    assert_eq!((orig.sport, orig.dport), (None, None));
    assert_eq!(
        orig.icmp,
        Some(Icmp {
            kind: 8,
            code: 0,
            id: 19831
        })
    );
    assert_eq!(e.reply.as_ref().unwrap().icmp.unwrap().kind, 0);

    let e = dumped(fixture!("ipv6_icmp_echo"));
    let orig = e.orig.as_ref().unwrap();
    assert_eq!(orig.proto, 58);
    assert_eq!(orig.icmp.unwrap().kind, 128);
    assert_eq!(e.id, Some(885184794));
}

#[test]
fn ipv6_tuples() {
    let e = dumped(fixture!("ipv6_tcp"));
    let orig = e.orig.as_ref().unwrap();
    assert_eq!(orig.src.to_string(), "fd77:1::2");
    assert_eq!(orig.dst.to_string(), "fd77:2::2");
    assert_eq!((orig.sport, orig.dport), (Some(41006), Some(9006)));
    assert_eq!(e.id, Some(800535773));
    let e = dumped(fixture!("ipv6_udp"));
    assert_eq!(e.orig.unwrap().proto, 17);
}

#[test]
fn other_protocols_keep_their_numbers() {
    // unknown 253: no port attributes at all.
    let e = dumped(fixture!("unknown_proto_253"));
    let flow = to_flow(&e, seen()).unwrap();
    assert_eq!(flow.proto, Proto(253));
    assert_eq!(flow.proto.to_string(), "253");
    assert_eq!((flow.orig.sport, flow.orig.dport), (None, None));
    assert!(!flow.status.iter().any(|s| s == "seen-reply"));

    // GRE v0: keys travel as ports.
    let e = dumped(fixture!("gre_v0"));
    let orig = e.orig.as_ref().unwrap();
    assert_eq!((orig.proto, orig.sport, orig.dport), (47, Some(0), Some(0)));

    // SCTP INIT: state CLOSED.
    let e = dumped(fixture!("sctp_init"));
    assert_eq!(e.proto_state, Some(ProtoState::Sctp(1)));
    let flow = to_flow(&e, seen()).unwrap();
    assert_eq!(flow.state.as_deref(), Some("closed"));
    assert_eq!(flow.orig.dport, Some(43001));
}

#[test]
fn events_tell_when_the_kernel_made_them() {
    // Kernel 6.18 adds CTA_TIMESTAMP_EVENT to every event, not to dumps.
    let new = event(fixture!("event_new_tcp"), false);
    let destroy = event(fixture!("event_destroy_tcp"), false);
    let (Some(made), Some(ended)) = (new.at_ns, destroy.at_ns) else {
        panic!("no CTA_TIMESTAMP_EVENT: {new:?} {destroy:?}");
    };
    assert!(made < ended, "{made} {ended}");
    assert!(made > 1_700_000_000_000_000_000, "ns since the epoch");
    assert_eq!(event(fixture!("tcp_plain_established"), true).at_ns, None);
    // Nothing else in them goes undecoded.
    assert_eq!(new.entry.extra.and_then(|x| x.undecoded), None);
}

#[test]
fn a_synproxy_of_zeros_is_no_news() {
    // What the kernel adds to every entry made over ctnetlink: CTA_ID,
    // then CTA_SYNPROXY with ISN, ITS and TSOFF all 0.
    let mut attrs = vec![8, 0, 12, 0, 0, 0, 0, 7, 28, 0, 24, 0x80];
    for kind in 1..=3 {
        attrs.extend([8, 0, kind, 0, 0, 0, 0, 0]);
    }
    let (entry, _) = parse_entry(&attrs).unwrap();
    assert_eq!(entry.extra, None);
    // With synproxy at work, the attribute is kept as undecoded.
    attrs[19] = 1;
    let (entry, _) = parse_entry(&attrs).unwrap();
    assert_eq!(&*entry.extra.unwrap().undecoded.unwrap(), [24]);
}

#[test]
fn attributes_not_decoded_are_kept() {
    // CTA_SEQ_ADJ_ORIG (15), nested and empty, after a CTA_ID.
    let attrs = [
        8, 0, 12, 0, 0, 0, 0, 7, //
        4, 0, 15, 0x80, //
    ];
    let (entry, _) = parse_entry(&attrs).unwrap();
    assert_eq!(entry.id, Some(7));
    let undecoded = entry.extra.and_then(|x| x.undecoded).unwrap();
    assert_eq!(&*undecoded, [15]);
}

#[test]
fn events_new_update_destroy() {
    let (kind, e) = decode(fixture!("event_new_tcp"), false);
    assert_eq!(kind, EventKind::New);
    assert_eq!(e.id, Some(3676915200));
    assert!(matches!(
        e.proto_state,
        Some(ProtoState::Tcp { state: 1, .. })
    ));

    let (kind, e) = decode(fixture!("event_update_tcp_1_syn_recv"), false);
    assert_eq!(kind, EventKind::Update);
    assert!(matches!(
        e.proto_state,
        Some(ProtoState::Tcp { state: 2, .. })
    ));

    let (kind, e) = decode(fixture!("event_update_tcp_2_established"), false);
    assert_eq!(kind, EventKind::Update);
    assert!(matches!(
        e.proto_state,
        Some(ProtoState::Tcp { state: 3, .. })
    ));

    // DESTROY carries counters and both timestamps.
    let (kind, e) = decode(fixture!("event_destroy_tcp"), false);
    assert_eq!(kind, EventKind::Destroy);
    let c = e.counters.unwrap().orig;
    assert_eq!((c.packets, c.bytes), (4, 226));
    assert!(e.start_ns.unwrap() <= e.stop_ns().unwrap());
}

#[test]
fn one_datagram_many_messages() {
    let entries: Vec<_> = messages(fixture!("dump_datagram"))
        .map(|m| parse_message(&m.unwrap(), true).unwrap())
        .collect();
    assert_eq!(entries.len(), 14);
    assert!(entries.iter().all(|m| matches!(
        m,
        CtMessage::Entry(CtEvent {
            kind: EventKind::Dumped,
            ..
        })
    )));
    let done: Vec<_> = messages(fixture!("dump_done"))
        .map(|m| parse_message(&m.unwrap(), true).unwrap())
        .collect();
    assert_eq!(done, [CtMessage::Done]);
}

#[test]
fn truncated_messages_are_errors_not_panics() {
    let bytes = fixture!("tcp_dnat_masq_established");
    for len in 0..bytes.len() {
        let cut = &bytes[..len];
        for msg in messages(cut).flatten() {
            let _ = parse_message(&msg, true);
        }
        let _ = parse_entry(cut.get(20..).unwrap_or_default());
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        for msg in messages(&bytes).flatten() {
            let _ = parse_message(&msg, false);
        }
        let _ = parse_entry(&bytes);
    }

    #[test]
    fn corrupted_fixtures_never_panic(
        flips in proptest::collection::vec((0usize..284, any::<u8>()), 1..8)
    ) {
        let mut bytes = fixture!("tcp_dnat_masq_established").to_vec();
        for (at, value) in flips {
            bytes[at % 284] = value;
        }
        for msg in messages(&bytes).flatten() {
            if let Ok(CtMessage::Entry(CtEvent { entry: e, .. })) =
                parse_message(&msg, true)
            {
                let _ = to_flow(&e, seen());
            }
        }
    }
}
