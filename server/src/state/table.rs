//! The flow table: every live conntrack entry of one network namespace,
//! kept right by events and repaired by dumps.

use std::collections::HashSet;

use app::wire::{Flow, FlowKey};

use super::id_map::IdMap;
use crate::collect::conntrack::flow::{to_flow, Seen};
use crate::collect::conntrack::{CtEntry, EventKind};

struct Record {
    entry: CtEntry,
    /// The start that goes into the flow key.
    start_ns: u64,
    first_seen_ms: u64,
    updated_ms: u64,
    /// The dump pass that last confirmed the entry.
    pass: u32,
}

/// State of a dump that is being read.
struct DumpPass {
    /// Ids destroyed since the dump began: a later dump message about them
    /// is stale and must not bring them back.
    destroyed: HashSet<Slot>,
}

/// Where an entry lives in the table: its `CTA_ID` in the high half and a
/// hash of its original tuple in the low half. The id alone is a 32-bit
/// hash in the kernel, and a table of 250k entries holds a few repeats.
type Slot = u64;

fn slot_of(entry: &CtEntry) -> Option<Slot> {
    use std::hash::{Hash, Hasher};
    let orig = entry.orig.as_ref()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (orig.src, orig.dst, orig.proto, orig.sport, orig.dport).hash(&mut h);
    Some(u64::from(entry.id?) << 32 | (h.finish() & 0xffff_ffff))
}

/// Every live entry of one namespace.
pub struct FlowTable {
    netns: u64,
    records: IdMap<Record>,
    pass: u32,
    dump: Option<DumpPass>,
    changed: HashSet<Slot>,
    removed: Vec<FlowKey>,
}

impl FlowTable {
    pub fn new(netns: u64) -> Self {
        Self {
            netns,
            records: IdMap::default(),
            pass: 0,
            dump: None,
            changed: HashSet::new(),
            removed: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Applies one message; `false` when it lacked `CTA_ID` or the
    /// original tuple.
    pub fn apply(
        &mut self,
        kind: EventKind,
        entry: CtEntry,
        now_ms: u64,
    ) -> bool {
        let Some(slot) = slot_of(&entry) else {
            return false;
        };
        match kind {
            EventKind::Destroy => self.destroy(slot, &entry),
            EventKind::Dumped
                if self
                    .dump
                    .as_ref()
                    .is_some_and(|d| d.destroyed.contains(&slot)) => {}
            _ => self.upsert(kind, slot, entry, now_ms),
        }
        true
    }

    fn destroy(&mut self, slot: Slot, entry: &CtEntry) {
        if let Some(dump) = &mut self.dump {
            dump.destroyed.insert(slot);
        }
        let same_flow = self
            .records
            .get(&slot)
            .is_some_and(|r| same_start(entry.start_ns, r.entry.start_ns));
        if same_flow {
            self.remove(slot);
        }
    }

    fn upsert(
        &mut self,
        kind: EventKind,
        slot: Slot,
        entry: CtEntry,
        now_ms: u64,
    ) {
        let pass = self.pass;
        // The kernel reuses ids; a different start means another flow.
        let reused = self
            .records
            .get(&slot)
            .is_some_and(|r| !same_start(entry.start_ns, r.entry.start_ns));
        if reused {
            self.remove(slot);
        }
        match self.records.get_mut(&slot) {
            Some(r) => {
                let changed = merge(&mut r.entry, entry);
                r.updated_ms = now_ms;
                r.pass = pass;
                if !changed && kind == EventKind::Dumped {
                    return;
                }
            }
            None => {
                let start_ns =
                    entry.start_ns.unwrap_or(now_ms.saturating_mul(1_000_000));
                self.records.insert(
                    slot,
                    Record {
                        entry,
                        start_ns,
                        first_seen_ms: now_ms,
                        updated_ms: now_ms,
                        pass,
                    },
                );
            }
        }
        self.changed.insert(slot);
    }

    fn remove(&mut self, slot: Slot) {
        if let Some(r) = self.records.remove(&slot) {
            self.removed.push(self.key(slot, &r));
            self.changed.remove(&slot);
        }
    }

    fn key(&self, slot: Slot, r: &Record) -> FlowKey {
        FlowKey {
            netns: self.netns,
            id: (slot >> 32) as u32,
            start: r.start_ns,
        }
    }

    /// A dump starts: what it does not mention, and no event touches
    /// meanwhile, is gone when it ends.
    pub fn begin_dump(&mut self) {
        self.pass = self.pass.wrapping_add(1);
        self.dump = Some(DumpPass {
            destroyed: HashSet::new(),
        });
    }

    /// Ends a dump. Only a complete dump may delete entries.
    pub fn end_dump(&mut self, complete: bool) {
        self.dump = None;
        if !complete {
            return;
        }
        let pass = self.pass;
        let stale: Vec<Slot> = self
            .records
            .iter()
            .filter(|(_, r)| r.pass != pass)
            .map(|(id, _)| id)
            .collect();
        for slot in stale {
            self.remove(slot);
        }
    }

    /// Flows changed and keys removed since the last call.
    pub fn take_changes(&mut self) -> (Vec<Flow>, Vec<FlowKey>) {
        let changed = std::mem::take(&mut self.changed);
        let upsert = changed
            .iter()
            .filter_map(|slot| self.wire_flow(self.records.get(slot)?))
            .collect();
        (upsert, std::mem::take(&mut self.removed))
    }

    pub fn has_changes(&self) -> bool {
        !self.changed.is_empty() || !self.removed.is_empty()
    }

    /// Forgets pending changes: nobody follows them, and converting them
    /// all (a whole table after a dump) would only cost time and memory.
    pub fn discard_changes(&mut self) {
        self.changed.clear();
        self.removed.clear();
    }

    /// The live flow with this key. A scan: the key lacks the tuple hash
    /// of the slot, and this serves one page view, not the event path.
    pub fn get(&self, key: &FlowKey) -> Option<Flow> {
        if key.netns != self.netns {
            return None;
        }
        self.records
            .iter()
            .find(|(slot, r)| {
                (slot >> 32) as u32 == key.id && r.start_ns == key.start
            })
            .and_then(|(_, r)| self.wire_flow(r))
    }

    fn wire_flow(&self, r: &Record) -> Option<Flow> {
        to_flow(
            &r.entry,
            Seen {
                netns: self.netns,
                start_ns: r.start_ns,
                first_seen_ms: r.first_seen_ms,
                updated_ms: r.updated_ms,
            },
        )
    }

    /// Every flow, converted for the wire.
    pub fn flows(&self) -> impl Iterator<Item = Flow> + '_ {
        self.records.iter().filter_map(|(_, r)| self.wire_flow(r))
    }
}

/// Events other than DESTROY carry no kernel start: only two known,
/// different starts tell two flows apart.
fn same_start(a: Option<u64>, b: Option<u64>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// Takes what the newer message says and keeps what it left out: an
/// UPDATE without counters must not erase the last known ones. Returns
/// whether anything but the timeout changed: a refresh dump that only
/// counts timeouts down is not news for watchers.
fn merge(old: &mut CtEntry, new: CtEntry) -> bool {
    let mut changed = false;
    macro_rules! take {
        ($old:expr, $new:expr; $($field:ident),*) => {
            $(if $new.$field.is_some() && $new.$field != $old.$field {
                $old.$field = $new.$field;
                changed = true;
            })*
        };
    }
    take!(old, new; orig, reply, zone, proto_state, counters, use_count, id,
        start_ns);
    // Every message carries the status; the kernel leaves out a zero mark.
    changed |= (old.status, old.mark) != (new.status, new.mark);
    (old.status, old.mark) = (new.status, new.mark);
    if new.timeout.is_some() {
        old.timeout = new.timeout;
    }
    if let Some(new) = new.extra {
        let old = old.extra.get_or_insert_default();
        take!(old, new; master, secmark, stop_ns, labels, helper, secctx);
    }
    changed
}

#[cfg(test)]
#[test]
fn record_stays_small() {
    // The goal is 300 bytes per entry, index and spare room included:
    // slots take this much, the index ~17 bytes at 250k entries.
    let size = std::mem::size_of::<Option<(u64, Record)>>();
    assert!(size <= 248, "a table slot grew to {size} bytes");
}
