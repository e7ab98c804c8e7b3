//! Flow table rules: merging, id reuse, and reconciling dumps with events.

use std::net::Ipv4Addr;
use std::sync::Arc;

use app::wire::history::MomentKind;
use app::wire::FlowKey;

use super::slot::KeySpace;
use super::table::FlowTable;
use crate::collect::conntrack::decode::{
    CtCounter, CtCounters, CtEntry, CtTuple, ProtoState,
};
use crate::collect::conntrack::EventKind::{Destroy, Dumped, New, Update};

fn entry(id: u32, start_ns: Option<u64>) -> CtEntry {
    let t = |a, b, sport, dport| CtTuple {
        src: Ipv4Addr::new(10, 0, 0, a).into(),
        dst: Ipv4Addr::new(10, 0, 0, b).into(),
        proto: 17,
        sport: Some(sport),
        dport: Some(dport),
        icmp: None,
    };
    CtEntry {
        orig: Some(t(1, 2, 1000 + id as u16, 53)),
        reply: Some(t(2, 1, 53, 1000 + id as u16)),
        id: Some(id),
        start_ns,
        ..CtEntry::default()
    }
}

fn table(netns: u64) -> FlowTable {
    FlowTable::new(KeySpace {
        boot: 0xb007,
        netns,
    })
}

/// Tests speak of milliseconds; the table takes nanoseconds.
fn ms(n: u64) -> u64 {
    n * 1_000_000
}

fn ids(table: &FlowTable) -> Vec<u32> {
    let mut ids: Vec<u32> = table.flows().map(|f| f.id).collect();
    ids.sort();
    ids
}

#[test]
fn update_keeps_what_it_does_not_mention() {
    let mut t = table(1);
    let mut first = entry(7, Some(100));
    first.counters = Some(CtCounters {
        orig: CtCounter {
            packets: 3,
            bytes: 300,
        },
        ..CtCounters::default()
    });
    t.apply(New, first, ms(10));
    t.apply(Update, entry(7, Some(100)), ms(20));
    let flow = t.flows().next().unwrap();
    assert_eq!(flow.counters.unwrap().orig.bytes, 300);
    assert_eq!((flow.first_seen_ms, flow.updated_ms), (10, 20));
}

#[test]
fn reused_id_is_a_new_flow() {
    let mut t = table(1);
    t.apply(New, entry(7, Some(100)), ms(10));
    let _ = t.take_changes();
    t.apply(New, entry(7, Some(200)), ms(20));
    let (upsert, removed) = t.take_changes();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].start, 100);
    assert_eq!(upsert[0].key.start, 200);
}

#[test]
fn key_start_falls_back_to_first_seen() {
    let mut t = table(9);
    t.apply(New, entry(7, None), ms(1234));
    let key = t.flows().next().unwrap().key;
    assert_eq!((key.boot, key.netns), (0xb007, 9));
    assert_eq!((key.id, key.start), (7, 1_234_000_000));
    assert!(t.get(&key).is_some());
}

#[test]
fn complete_dump_removes_what_it_did_not_see() {
    let mut t = table(1);
    for id in 1..=3 {
        t.apply(New, entry(id, Some(id.into())), ms(0));
    }
    t.begin_dump();
    t.apply(Dumped, entry(1, Some(1)), ms(5));
    // Created during the dump by an event: not stale.
    t.apply(New, entry(4, Some(4)), ms(5));
    t.end_dump(true);
    assert_eq!(ids(&t), [1, 4]);
}

#[test]
fn incomplete_dump_removes_nothing() {
    let mut t = table(1);
    t.apply(New, entry(1, Some(1)), ms(0));
    t.begin_dump();
    t.end_dump(false);
    assert_eq!(ids(&t), [1]);
}

#[test]
fn destroyed_during_dump_stays_destroyed() {
    let mut t = table(1);
    t.begin_dump();
    t.apply(Destroy, entry(5, Some(5)), ms(1));
    // The dump had read entry 5 before it died.
    t.apply(Dumped, entry(5, Some(5)), ms(2));
    t.end_dump(true);
    assert!(t.is_empty());
}

#[test]
fn destroy_of_an_older_flow_keeps_the_newer() {
    let mut t = table(1);
    t.apply(New, entry(7, Some(200)), ms(0));
    t.apply(Destroy, entry(7, Some(100)), ms(1));
    assert_eq!(ids(&t), [7]);
    t.apply(Destroy, entry(7, Some(200)), ms(2));
    assert!(t.is_empty());
}

#[test]
fn destroy_with_start_removes_a_flow_seen_without_one() {
    // NEW events carry no timestamp; DESTROY does.
    let mut t = table(1);
    t.apply(New, entry(7, None), ms(0));
    t.apply(Destroy, entry(7, Some(100)), ms(1));
    assert!(t.is_empty());
}

#[test]
fn refresh_that_only_counts_down_is_not_news() {
    let mut t = table(1);
    let mut e = entry(7, Some(1));
    e.timeout = Some(30);
    t.apply(New, e.clone(), ms(0));
    let _ = t.take_changes();
    t.begin_dump();
    e.timeout = Some(20);
    t.apply(Dumped, e.clone(), ms(10_000));
    t.end_dump(true);
    assert!(t.take_changes().0.is_empty());
    // Nothing was written: 30 s as of 0 is 20 s as of 10 s.
    let flow = t.flows().next().unwrap();
    assert_eq!((flow.timeout, flow.updated_ms), (Some(30), 0));

    // Traffic set the timeout back: that is news.
    t.begin_dump();
    e.timeout = Some(29);
    t.apply(Dumped, e.clone(), ms(11_000));
    t.end_dump(true);
    let (upsert, _) = t.take_changes();
    assert_eq!(upsert[0].timeout, Some(29));

    e.counters = Some(CtCounters::default());
    t.begin_dump();
    t.apply(Dumped, e, ms(12_000));
    t.end_dump(true);
    assert_eq!(t.take_changes().0.len(), 1);
}

#[test]
fn a_refresh_that_brings_nothing_new_copies_nothing() {
    let mut t = table(1);
    let entries: Vec<CtEntry> = (0..200)
        .map(|id| CtEntry {
            timeout: Some(120),
            ..entry(id, Some(1))
        })
        .collect();
    for e in &entries {
        t.apply(New, e.clone(), ms(0));
    }
    let held = t.view();
    t.begin_dump();
    for e in entries {
        let timeout = Some(115);
        t.apply(Dumped, CtEntry { timeout, ..e }, ms(5_000));
    }
    t.end_dump(true);
    assert_eq!(t.len(), 200);
    assert!(t.shares_every_chunk_with(&held));
}

#[test]
fn same_id_different_tuples_are_two_flows() {
    // CTA_ID is a 32-bit hash: a big table holds a few repeats.
    let mut t = table(1);
    let a = entry(7, None);
    let mut b = entry(7, None);
    b.orig.as_mut().unwrap().sport = Some(9999);
    t.apply(New, a.clone(), ms(0));
    t.apply(New, b, ms(0));
    assert_eq!(ids(&t), [7, 7]);
    t.apply(Destroy, a, ms(1));
    assert_eq!(t.flows().next().unwrap().orig.sport, Some(9999));
}

#[test]
fn a_page_is_a_slice_of_the_sorted_matches() {
    let mut table = table(1);
    for id in 1..=20 {
        table.apply(New, entry(id, Some(u64::from(id))), ms(10));
    }
    let shared =
        super::Snapshot::new(0, app::wire::Health::default(), table.view());
    let filter = app::query::Filter::parse("sport:!1003").unwrap();
    let sort: app::query::Sort = "-id".parse().unwrap();
    let ids = |offset, limit| -> (usize, Vec<u32>) {
        let page = shared.page(&filter, &sort, offset, limit);
        (page.total, page.flows.iter().map(|f| f.id).collect())
    };
    assert_eq!(ids(0, 3), (19, vec![20, 19, 18]));
    assert_eq!(ids(15, 10), (19, vec![5, 4, 2, 1]));
    assert_eq!(ids(19, 5), (19, vec![]));
    assert_eq!(ids(usize::MAX, usize::MAX), (19, vec![]));

    // Without a filter, windows past the middle are sought from the end:
    // the same rows as a scan from the start finds.
    let everything = app::query::Filter::parse("").unwrap();
    let all: Vec<u32> = (1..=20).rev().collect();
    for offset in 0..=22 {
        for limit in [0, 1, 3, 7, 25] {
            let page = shared.page(&everything, &sort, offset, limit);
            let got: Vec<u32> = page.flows.iter().map(|f| f.id).collect();
            let end = (offset + limit).min(20);
            let want = all.get(offset.min(20)..end).unwrap_or_default();
            assert_eq!((page.total, &got[..]), (20, want), "{offset}+{limit}");
        }
    }
}

#[test]
fn a_dump_entry_older_than_an_event_does_not_undo_it() {
    // The dump thread read the entry before the kernel sent an UPDATE
    // that marks it assured, but the entry reached the table after it.
    const IPS_ASSURED: u32 = 1 << 2;
    let mut t = table(1);
    t.apply(New, entry(7, None), ms(0));
    t.begin_dump();
    let mut assured = entry(7, None);
    assured.status = IPS_ASSURED;
    t.apply(Update, assured, ms(1));
    let mut read_before = entry(7, Some(100));
    read_before.counters = Some(CtCounters {
        orig: CtCounter {
            packets: 2,
            bytes: 80,
        },
        ..CtCounters::default()
    });
    t.apply(Dumped, read_before, ms(2));
    t.end_dump(true);
    let flow = t.flows().next().unwrap();
    assert!(flow.status.iter().any(|s| s == "assured"), "{flow:?}");
    // What events never carry is still taken from the dump.
    assert_eq!(flow.counters.unwrap().orig.packets, 2);
    assert_eq!(flow.start_ns, Some(100));
}

#[test]
fn colliding_ids_get_keys_that_find_each_flow() {
    let mut t = table(1);
    let a = entry(7, None);
    let mut b = entry(7, None);
    b.orig.as_mut().unwrap().sport = Some(9999);
    t.apply(New, a.clone(), ms(5));
    t.apply(New, b.clone(), ms(5));
    let mut keys: Vec<_> = t.flows().map(|f| f.key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 2, "{keys:?}");
    for key in &keys {
        assert_eq!(t.get(key).map(|f| f.key), Some(*key));
    }
    // The same id and tuple again, once the first flow is gone: a new
    // flow, a new key, and the old key finds nothing.
    t.apply(Destroy, a.clone(), ms(6));
    t.apply(New, a, ms(7));
    let reborn: Vec<_> = t.flows().map(|f| f.key).collect();
    assert_eq!(reborn.len(), 2);
    assert!(reborn
        .iter()
        .all(|k| keys.contains(k) != (k.start == ms(7))));
    let gone = keys.iter().find(|k| !reborn.contains(k)).unwrap();
    assert!(t.get(gone).is_none());
}

#[test]
fn a_restart_gives_live_flows_their_keys_back() {
    let mut before = table(1);
    for id in 1..=3 {
        before.apply(New, entry(id, None), ms(u64::from(id)));
    }
    let keys: Vec<_> = before.flows().map(|f| f.key).collect();
    assert!(before.take_keys_changed());
    assert!(!before.take_keys_changed(), "nothing changed since");
    let saved = before.view().saved_keys().collect();

    let mut after = table(1);
    after.restore(saved);
    after.begin_dump();
    after.apply(Dumped, entry(1, None), ms(100));
    // Flow 2 died while nfscope was away and a new flow took its id and
    // tuple: its NEW event says so.
    after.apply(New, entry(2, None), ms(101));
    after.end_dump(true);
    let key_of =
        |t: &FlowTable, id| t.flows().find(|f| f.id == id).unwrap().key;
    assert_eq!(
        key_of(&after, 1),
        keys.iter().find(|k| k.id == 1).copied().unwrap()
    );
    assert_eq!(key_of(&after, 2).start, ms(101));
    // The dump did not see flow 3: its saved key is forgotten.
    after.apply(Dumped, entry(3, None), ms(200));
    assert_eq!(key_of(&after, 3).start, ms(200));
}

#[test]
fn readers_of_one_tick_share_a_view_and_never_see_later_writes() {
    let mut table = table(1);
    for id in 1..=5 {
        table.apply(New, entry(id, Some(u64::from(id))), ms(10));
    }
    let snapshot =
        super::Snapshot::new(0, app::wire::Health::default(), table.view());
    let filter = app::query::Filter::parse("").unwrap();
    let sort = app::query::Sort::default();
    let first = snapshot.shared_page(&filter, &sort, 0, 3);
    assert!(Arc::ptr_eq(
        &first,
        &snapshot.shared_page(&filter, &sort, 0, 3)
    ));
    assert!(!Arc::ptr_eq(
        &first,
        &snapshot.shared_page(&filter, &sort, 1, 3)
    ));
    // The writer goes on; the snapshot's readers see the tick they took.
    table.apply(New, entry(6, Some(6)), ms(11));
    table.apply(Destroy, entry(1, Some(1)), ms(11));
    assert_eq!(snapshot.page(&filter, &sort, 0, 10).total, 5);
    assert_eq!(table.len(), 5);
    assert_eq!(ids(&table), [2, 3, 4, 5, 6]);
}

#[test]
fn a_record_reads_as_its_wire_flow_does() {
    use app::query::{Filter, FlowFields, Sort};
    let mut table = table(1);
    let mut natted = entry(2, Some(2));
    natted.reply.as_mut().unwrap().src = Ipv4Addr::new(10, 0, 9, 9).into();
    natted.status = 0b1110;
    natted.mark = 0x42;
    let mut tcp = entry(3, None);
    tcp.orig.as_mut().unwrap().proto = 6;
    tcp.reply.as_mut().unwrap().proto = 6;
    tcp.proto_state = Some(ProtoState::Tcp {
        state: 3,
        flags_orig: 0,
        flags_reply: 0,
    });
    for e in [entry(1, Some(1)), natted, tcp] {
        table.apply(New, e, ms(5));
    }
    let view = table.view();
    let rows: Vec<_> = view.rows().collect();
    let flows: Vec<_> = rows.iter().map(|r| r.flow().unwrap()).collect();
    for text in [
        "",
        "proto:tcp",
        "proto:udp",
        "nat:dnat",
        "nat:none",
        "state:established",
        "state:none",
        "status:assured",
        "mark:0x42",
        "src:10.0.0.0/8",
        "host:10.0.9.9",
        "sport:1001-1002",
        "zone:0",
        "id:2",
    ] {
        let filter = Filter::parse(text).unwrap();
        for (row, flow) in rows.iter().zip(&flows) {
            assert_eq!(filter.matches(row), filter.matches(flow), "{text}");
        }
    }
    for field in app::query::SortField::ALL {
        let sort = Sort {
            field,
            descending: false,
        };
        for (a, fa) in rows.iter().zip(&flows) {
            for (b, fb) in rows.iter().zip(&flows) {
                assert_eq!(sort.compare(a, b), sort.compare(fa, fb), "{sort}");
            }
        }
    }
    assert_eq!(rows[0].key(), flows[0].key);
}

#[test]
fn a_flow_gone_from_the_table_is_in_its_journal_until_taken() {
    let mut t = table(1);
    t.keep_journal();
    t.apply(New, entry(7, Some(200)), ms(0));
    t.apply(New, entry(8, Some(300)), ms(1));
    let key = t.flows().find(|f| f.id == 7).unwrap().key;
    t.apply(Destroy, entry(7, Some(200)), ms(2));
    assert!(t.get(&key).is_none());

    let kinds = |t: &FlowTable| -> Vec<MomentKind> {
        t.journaled(&key).iter().map(|m| m.kind).collect()
    };
    assert_eq!(kinds(&t), [MomentKind::New, MomentKind::End]);
    let other = FlowKey { start: 201, ..key };
    assert!(
        t.journaled(&other).is_empty(),
        "another start, another flow"
    );
    t.journal().unwrap().take();
    assert!(kinds(&t).is_empty());
}
