//! What a filter reads of a stored flow, in a hundred-odd bytes at the
//! head of its record. A search tests every row it reads, and decoding
//! each row's whole flow took nine tenths of a search's time; these few
//! fields decode without allocating, and only the flows that match are
//! decoded in full (see `record`).
//!
//! Layout, little-endian: a layout byte, the key (boot, netns, id,
//! tuple, start), the protocol, both directions' addresses (family byte
//! then 4 or 16 bytes) and optional ports, the optional state word
//! (length byte then UTF-8), status bits, mark, zone, id, start in ms,
//! optional timeout and optional counters. An option is a presence byte
//! then the value. In a record of layout [`WHOLE`] the rest of the flow
//! follows.

use app::query::FlowFields;
use app::wire::{Counters, Direction, Endpoints, Flow, FlowKey, Nat, Proto};

use super::bytes::{push_endpoints, push_option, Reader};

/// A record of the search fields alone, beside the flow's JSON.
const FIELDS_ONLY: u8 = 1;
/// A record of the whole flow: these fields, then the rest.
pub const WHOLE: u8 = 2;

/// The fields of one stored flow, borrowed from its record.
#[derive(Clone, Debug, PartialEq)]
pub struct Fields<'a> {
    key: FlowKey,
    proto: Proto,
    orig: Endpoints,
    reply: Endpoints,
    state: Option<&'a str>,
    status_bits: u32,
    mark: u32,
    zone: u16,
    id: u32,
    started_ms: u64,
    timeout: Option<u32>,
    counters: Option<Counters>,
}

/// The record of `flow`'s search fields alone.
pub fn encode(flow: &Flow) -> Vec<u8> {
    encode_as(flow, FIELDS_ONLY)
}

/// The search fields of `flow` at the head of a record of `layout`.
pub fn encode_as(flow: &Flow, layout: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(160);
    out.push(layout);
    let key = &flow.key;
    out.extend_from_slice(&key.boot.to_le_bytes());
    out.extend_from_slice(&key.netns.to_le_bytes());
    out.extend_from_slice(&key.id.to_le_bytes());
    out.extend_from_slice(&key.tuple.to_le_bytes());
    out.extend_from_slice(&key.start.to_le_bytes());
    out.push(flow.proto.0);
    for ends in [(&flow.orig).into(), (&flow.reply).into()] {
        push_endpoints(&mut out, &ends);
    }
    match flow.state.as_deref() {
        // A word longer than a length byte says is not one of the
        // kernel's: kept out rather than cut.
        Some(word) if word.len() <= usize::from(u8::MAX) => {
            out.push(1);
            out.push(word.len() as u8);
            out.extend_from_slice(word.as_bytes());
        }
        _ => out.push(0),
    }
    out.extend_from_slice(&flow.status_bits().to_le_bytes());
    out.extend_from_slice(&flow.mark.to_le_bytes());
    out.extend_from_slice(&flow.zone.to_le_bytes());
    out.extend_from_slice(&flow.id.to_le_bytes());
    out.extend_from_slice(&flow.started_ms().to_le_bytes());
    push_option(&mut out, flow.timeout, |out, t| {
        out.extend_from_slice(&t.to_le_bytes())
    });
    push_option(&mut out, flow.counters, |out, c| {
        for d in [c.orig, c.reply] {
            out.extend_from_slice(&d.packets.to_le_bytes());
            out.extend_from_slice(&d.bytes.to_le_bytes());
        }
    });
    out
}

impl<'a> Fields<'a> {
    /// `None` for a record of neither layout, cut short, or of the
    /// fields alone and followed by anything.
    pub fn decode(record: &'a [u8]) -> Option<Self> {
        let mut r = Reader(record);
        let (layout, fields) = Self::read(&mut r)?;
        (layout == WHOLE || r.is_empty()).then_some(fields)
    }

    /// Reads the fields at the head of a record; says its layout.
    pub fn read(r: &mut Reader<'a>) -> Option<(u8, Self)> {
        let layout = r.u8()?;
        if layout != FIELDS_ONLY && layout != WHOLE {
            return None;
        }
        let key = FlowKey {
            boot: r.u32()?,
            netns: r.u64()?,
            id: r.u32()?,
            tuple: r.u32()?,
            start: r.u64()?,
        };
        let fields = Self {
            key,
            proto: Proto(r.u8()?),
            orig: r.endpoints()?,
            reply: r.endpoints()?,
            state: r.option(Reader::short_text)?,
            status_bits: r.u32()?,
            mark: r.u32()?,
            zone: r.u16()?,
            id: r.u32()?,
            started_ms: r.u64()?,
            timeout: r.option(Reader::u32)?,
            counters: r.option(|r| {
                let mut direction = || {
                    Some(Direction {
                        packets: r.u64()?,
                        bytes: r.u64()?,
                    })
                };
                Some(Counters {
                    orig: direction()?,
                    reply: direction()?,
                })
            })?,
        };
        Some((layout, fields))
    }
}

impl FlowFields for Fields<'_> {
    fn key(&self) -> FlowKey {
        self.key
    }

    fn proto(&self) -> Proto {
        self.proto
    }

    fn orig(&self) -> Endpoints {
        self.orig
    }

    fn reply(&self) -> Endpoints {
        self.reply
    }

    fn nat(&self) -> &[Nat] {
        Nat::of(&self.orig, &self.reply)
    }

    fn state(&self) -> Option<&str> {
        self.state
    }

    fn status_bits(&self) -> u32 {
        self.status_bits
    }

    fn mark(&self) -> u32 {
        self.mark
    }

    fn zone(&self) -> u16 {
        self.zone
    }

    fn id(&self) -> u32 {
        self.id
    }

    fn started_ms(&self) -> u64 {
        self.started_ms
    }

    fn timeout(&self) -> Option<u32> {
        self.timeout
    }

    fn counters(&self) -> Option<Counters> {
        self.counters
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use app::query::Filter;
    use proptest::prelude::*;

    /// A NAT'd TCP flow with every optional field set, and an ICMPv6 one
    /// with none.
    pub(in crate::store) fn flows() -> [Flow; 2] {
        let full = serde_json::json!({
            "key": "0a0b0c0d-4026531840-1234-000099aa-1764590000123456789",
            "proto": "tcp",
            "orig": {"src": "192.168.1.20", "dst": "203.0.113.7",
                     "sport": 40000, "dport": 443},
            "reply": {"src": "172.17.0.2", "dst": "203.0.113.1",
                      "sport": 8443, "dport": 61000},
            "state": "established",
            "status": ["seen-reply", "assured", "src-nat", "dst-nat"],
            "nat": ["dnat", "snat"],
            "mark": 7, "zone": 3, "timeout": 431999, "id": 1234,
            "counters": {"orig": {"packets": 5, "bytes": 400},
                         "reply": {"packets": 4, "bytes": 9000}},
            "start_ns": 1764590000123456789u64,
            "first_seen_ms": 1764590000200u64,
            "updated_ms": 1764590001000u64
        });
        let bare = serde_json::json!({
            "key": "0a0b0c0d-4026531840-7-00000001-1764590000000000000",
            "proto": "icmpv6",
            "orig": {"src": "fd00::1", "dst": "fd00::2",
                     "sport": null, "dport": null},
            "reply": {"src": "fd00::2", "dst": "fd00::1",
                      "sport": null, "dport": null},
            "state": null, "status": [], "nat": [],
            "mark": 0, "zone": 0, "timeout": null, "id": 7,
            "counters": null,
            "first_seen_ms": 1764590000000u64,
            "updated_ms": 1764590000000u64
        });
        [full, bare].map(|v| serde_json::from_value(v).unwrap())
    }

    #[test]
    fn a_record_reads_back_as_the_flow_reads() {
        for flow in flows() {
            let record = encode(&flow);
            let f = Fields::decode(&record).unwrap();
            assert_eq!(f.key(), flow.key);
            assert_eq!(f.proto(), flow.proto);
            assert_eq!(f.orig(), FlowFields::orig(&flow));
            assert_eq!(f.reply(), FlowFields::reply(&flow));
            assert_eq!(f.nat(), flow.nat.as_slice());
            assert_eq!(f.state(), flow.state.as_deref());
            assert_eq!(f.status_bits(), flow.status_bits());
            assert_eq!(f.mark(), flow.mark);
            assert_eq!(f.zone(), flow.zone);
            assert_eq!(f.id(), flow.id);
            assert_eq!(f.started_ms(), flow.started_ms());
            assert_eq!(f.timeout(), flow.timeout);
            assert_eq!(f.counters(), flow.counters);
            for text in FILTERS {
                let filter = Filter::parse(text).unwrap();
                assert_eq!(filter.matches(&f), filter.matches(&flow), "{text}");
            }
        }
    }

    /// Terms over every field, each matching one of [`flows`].
    const FILTERS: [&str; 12] = [
        "host:203.0.113.7",
        "dport:443 nat:dnat",
        "src:fd00::1",
        "proto:icmpv6",
        "state:established",
        "status:assured",
        "mark:7",
        "zone:3",
        "id:1234",
        "port:8443",
        "nat:none",
        "key:0a0b0c0d-4026531840-7-00000001-1764590000000000000",
    ];

    #[test]
    fn a_record_cut_short_or_of_another_layout_is_refused() {
        let record = encode(&flows()[0]);
        for len in 0..record.len() {
            assert_eq!(Fields::decode(&record[..len]), None, "{len}");
        }
        let mut longer = record.clone();
        longer.push(0);
        assert_eq!(Fields::decode(&longer), None);
        let mut other = record;
        other[0] = WHOLE + 1;
        assert_eq!(Fields::decode(&other), None);
    }

    proptest! {
        #[test]
        fn no_bytes_make_decoding_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = Fields::decode(&bytes);
        }
    }
}
