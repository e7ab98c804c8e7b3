//! Where an entry lives in the table, and how its key finds it again.
//!
//! A slot is the entry's `CTA_ID` in the high half and a hash of its
//! original tuple and zone in the low half. The id alone is a 32-bit hash
//! in the kernel, and a table of 250k entries holds a few repeats. The
//! flow key carries both halves, so a key is a lookup, not a scan.

use std::net::IpAddr;

use app::wire::FlowKey;

use crate::collect::conntrack::decode::{CtEntry, CtTuple};

pub type Slot = u64;

/// Maps and sets of slots hash with Fx, which only mixes: a slot is
/// spread already, and its high half is the kernel's id, a keyed hash
/// that no sender of packets can steer.
pub type SlotMap<V> = rustc_hash::FxHashMap<Slot, V>;
pub type SlotSet = rustc_hash::FxHashSet<Slot>;

/// Which boot and namespace a table's keys belong to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeySpace {
    pub boot: u32,
    pub netns: u64,
}

impl KeySpace {
    pub fn key(&self, slot: Slot, start: u64) -> FlowKey {
        FlowKey {
            boot: self.boot,
            netns: self.netns,
            id: (slot >> 32) as u32,
            tuple: slot as u32,
            start,
        }
    }

    /// The slot a key names, if the key belongs to this table at all.
    pub fn slot(&self, key: &FlowKey) -> Option<Slot> {
        (key.boot == self.boot && key.netns == self.netns)
            .then(|| u64::from(key.id) << 32 | u64::from(key.tuple))
    }
}

/// `None` for a message without `CTA_ID` or original tuple.
pub fn slot_of(entry: &CtEntry) -> Option<Slot> {
    let orig = entry.orig.as_ref()?;
    let zone = entry.zones().0.unwrap_or(0);
    Some(u64::from(entry.id?) << 32 | u64::from(tuple_hash(orig, zone)))
}

/// FNV-1a over the tuple's fields, written out byte by byte: keys are
/// permalinks, so the hash must never change with the compiler or the
/// standard library, as `DefaultHasher` may.
fn tuple_hash(t: &CtTuple, zone: u16) -> u32 {
    let mut h = Fnv1a::default();
    h.write(&[t.proto]);
    for addr in [t.src, t.dst] {
        match addr {
            IpAddr::V4(a) => {
                h.write(&[4]);
                h.write(&a.octets());
            }
            IpAddr::V6(a) => {
                h.write(&[6]);
                h.write(&a.octets());
            }
        }
    }
    for port in [t.sport, t.dport] {
        h.write(&port.map_or([0; 3], |p| {
            let [a, b] = p.to_be_bytes();
            [1, a, b]
        }));
    }
    if let Some(icmp) = t.icmp {
        let [a, b] = icmp.id.to_be_bytes();
        h.write(&[icmp.kind, icmp.code, a, b]);
    }
    h.write(&zone.to_be_bytes());
    h.0
}

struct Fnv1a(u32);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0x811c_9dc5)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u32::from(*b)).wrapping_mul(0x0100_0193);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn udp(sport: u16, zone: Option<u16>) -> CtEntry {
        CtEntry {
            orig: Some(CtTuple {
                src: Ipv4Addr::new(10, 0, 0, 1).into(),
                dst: Ipv4Addr::new(10, 0, 0, 2).into(),
                proto: 17,
                sport: Some(sport),
                dport: Some(53),
                icmp: None,
            }),
            id: Some(7),
            zone,
            ..CtEntry::default()
        }
    }

    #[test]
    fn the_hash_is_pinned() {
        // A permalink made today must find its flow with any later build.
        assert_eq!(slot_of(&udp(1000, None)), Some(0x7_05ae_0cbb));
    }

    #[test]
    fn tuple_and_zone_tell_entries_with_one_id_apart() {
        let a = slot_of(&udp(1000, None)).unwrap();
        assert_ne!(a, slot_of(&udp(1001, None)).unwrap());
        assert_ne!(a, slot_of(&udp(1000, Some(3))).unwrap());
        assert_eq!(a >> 32, 7);
    }

    #[test]
    fn a_key_names_its_slot_in_its_own_space_only() {
        let space = KeySpace { boot: 1, netns: 2 };
        let slot = slot_of(&udp(1000, None)).unwrap();
        let key = space.key(slot, 99);
        assert_eq!(space.slot(&key), Some(slot));
        let other_boot = KeySpace { boot: 5, ..space };
        assert_eq!(other_boot.slot(&key), None);
    }
}
