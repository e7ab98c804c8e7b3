//! The flow table: every live conntrack entry of one network namespace,
//! kept right by events and repaired by dumps.

use app::wire::history::MomentKind;
use app::wire::{Flow, FlowKey};

use super::id_map::{IdMap, Snapshot};
use super::journal::{is_moment, Journal, Moment};
use super::row::Row;
use super::saved_keys::SavedKey;
use super::slot::{slot_of, KeySpace, Slot, SlotMap, SlotSet};
use crate::collect::conntrack::decode::CtCounters;
use crate::collect::conntrack::flow::{to_flow, Seen};
use crate::collect::conntrack::{CtEntry, EventKind};

#[derive(Clone)]
pub(super) struct Record {
    pub(super) entry: CtEntry,
    /// The start that goes into the flow key.
    pub(super) start_ns: u64,
    pub(super) first_seen_ms: u64,
    /// When the record was last written: the timeout counts from here.
    updated_ms: u64,
}

/// State of a dump that is being read.
struct DumpPass {
    /// Mentioned by the dump: what is neither in here nor touched is gone
    /// when the dump ends complete. A set beside the records, because
    /// marking each record would copy every chunk a snapshot holds.
    seen: SlotSet,
    /// Destroyed since the dump began: a later dump message about them
    /// is stale and must not bring them back.
    destroyed: SlotSet,
    /// Changed by an event since the dump began. The dump may have read
    /// them before that change and be queued after it: it must not put
    /// the older state back.
    touched: SlotSet,
}

/// Every live entry of one namespace.
pub struct FlowTable {
    space: KeySpace,
    records: IdMap<Record>,
    /// Keys given before a restart, until the first complete dump has
    /// claimed the ones whose flows still live.
    restored: SlotMap<SavedKey>,
    dump: Option<DumpPass>,
    changed: SlotSet,
    removed: Vec<FlowKey>,
    /// Entries came or went since the keys were last saved.
    keys_changed: bool,
    /// The moments the history keeps, when there is one.
    journal: Option<Journal>,
    /// When the last message applied was received: the time a complete
    /// dump finds a flow gone.
    last_at_ns: u64,
}

impl FlowTable {
    pub fn new(space: KeySpace) -> Self {
        Self {
            space,
            records: IdMap::default(),
            restored: SlotMap::default(),
            dump: None,
            changed: SlotSet::default(),
            removed: Vec::new(),
            keys_changed: false,
            journal: None,
            last_at_ns: 0,
        }
    }

    /// Keeps the moments of flows' lives from now on, for the history.
    pub fn keep_journal(&mut self) {
        self.journal.get_or_insert_default();
    }

    /// The journal, when one is kept.
    pub fn journal(&mut self) -> Option<&mut Journal> {
        self.journal.as_mut()
    }

    /// The journaled moments of the flow with this key, oldest first:
    /// those of a flow that just ended, until the history has them.
    pub fn journaled(&self, key: &FlowKey) -> Vec<Moment> {
        self.journal.as_ref().map(|j| j.of(key)).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Applies one message received at `now_ns` (since the Unix epoch).
    /// The decoder passes on no entry without `CTA_ID` or original tuple;
    /// were one to come, it would be ignored.
    pub fn apply(&mut self, kind: EventKind, entry: CtEntry, now_ns: u64) {
        let Some(slot) = slot_of(&entry) else {
            return;
        };
        self.last_at_ns = now_ns;
        match kind {
            EventKind::Destroy => self.destroy(slot, &entry),
            EventKind::Dumped => match self.dump.as_mut().map(|d| {
                d.seen.insert(slot);
                (d.destroyed.contains(&slot), d.touched.contains(&slot))
            }) {
                // Read before it died: it must not come back.
                Some((true, _)) => {}
                Some((false, true)) => self.confirm(slot, entry),
                _ => self.upsert(kind, slot, entry, now_ns),
            },
            EventKind::New | EventKind::Update => {
                if let Some(d) = &mut self.dump {
                    d.touched.insert(slot);
                }
                self.upsert(kind, slot, entry, now_ns)
            }
        }
    }

    /// A dump entry about a flow an event changed since the dump began:
    /// it proves the flow lives and may bring fresher counters (events
    /// carry none), but its state may be older than the event's.
    fn confirm(&mut self, slot: Slot, entry: CtEntry) {
        let Some(r) = self.records.get_mut(&slot) else {
            return;
        };
        let newer = match (entry.counters, r.entry.counters) {
            (Some(new), Some(old)) => packets(&new) > packets(&old),
            (new, old) => new.is_some() && old.is_none(),
        };
        if newer {
            r.entry.counters = entry.counters;
        }
        // Set once by the kernel, so never older than what an event said.
        let start = r.entry.start_ns.is_none() && entry.start_ns.is_some();
        if start {
            r.entry.start_ns = entry.start_ns;
        }
        if newer || start {
            self.changed.insert(slot);
        }
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
            self.remove(slot, Some(entry));
        }
    }

    fn upsert(
        &mut self,
        kind: EventKind,
        slot: Slot,
        entry: CtEntry,
        now_ns: u64,
    ) {
        let now_ms = now_ns / 1_000_000;
        match self.records.get(&slot) {
            // The kernel reuses ids; a different start means another flow.
            Some(r) if !same_start(entry.start_ns, r.entry.start_ns) => {
                self.remove(slot, None);
                self.insert(kind, slot, entry, now_ns);
            }
            Some(r) => {
                let mut merged = r.entry.clone();
                let changed = merge(&mut merged, entry);
                let moment = is_moment(&r.entry, &merged);
                // Left alone, a record stays shared with the snapshots
                // that hold its chunk.
                if kind == EventKind::Dumped
                    && !changed
                    && counts_down(r, merged.timeout, now_ms)
                {
                    return;
                }
                if let Some(r) = self.records.get_mut(&slot) {
                    (r.entry, r.updated_ms) = (merged, now_ms);
                }
                if moment {
                    self.note(MomentKind::Change, slot, None);
                }
            }
            None => self.insert(kind, slot, entry, now_ns),
        }
        self.changed.insert(slot);
    }

    /// Journals a moment of the live flow in `slot`, as it is now or,
    /// for its end, with what the kernel said last.
    fn note(&mut self, kind: MomentKind, slot: Slot, last: Option<&CtEntry>) {
        let (Some(journal), Some(r)) =
            (self.journal.as_mut(), self.records.get(&slot))
        else {
            return;
        };
        let mut r = r.clone();
        if let Some(last) = last {
            merge(&mut r.entry, last.clone());
        }
        journal.push(kind, self.last_at_ns, self.space, slot, r);
    }

    fn insert(
        &mut self,
        kind: EventKind,
        slot: Slot,
        entry: CtEntry,
        now_ns: u64,
    ) {
        let now_ms = now_ns / 1_000_000;
        let start_ns = self.start_of(kind, slot, &entry, now_ns);
        self.keys_changed = true;
        let record = Record {
            entry,
            start_ns,
            first_seen_ms: now_ms,
            updated_ms: now_ms,
        };
        self.records.insert(slot, record);
        let moment = match kind {
            EventKind::New => MomentKind::New,
            _ => MomentKind::Seen,
        };
        self.note(moment, slot, None);
    }

    /// Takes a flow out of the table; `last` is what its DESTROY said.
    fn remove(&mut self, slot: Slot, last: Option<&CtEntry>) {
        self.note(MomentKind::End, slot, last);
        if let Some(r) = self.records.remove(&slot) {
            self.keys_changed = true;
            self.removed.push(self.key(slot, &r));
            self.changed.remove(&slot);
        }
    }

    fn key(&self, slot: Slot, r: &Record) -> FlowKey {
        self.space.key(slot, r.start_ns)
    }

    /// The start that goes into a new entry's key: the one it had before
    /// a restart if it is that same flow, else the kernel's start, else
    /// now.
    fn start_of(
        &mut self,
        kind: EventKind,
        slot: Slot,
        entry: &CtEntry,
        now_ns: u64,
    ) -> u64 {
        let saved = self.restored.remove(&slot);
        // A NEW event is a flow born after the restart, whatever it reuses.
        if kind != EventKind::New {
            if let Some(saved) = saved.filter(|s| s.same_flow(entry)) {
                return saved.start;
            }
        }
        entry.start_ns.unwrap_or(now_ns)
    }

    /// Takes the keys given before a restart (see [`SavedKey`]).
    pub fn restore(&mut self, saved: Vec<SavedKey>) {
        self.restored = saved.into_iter().map(|s| (s.slot, s)).collect();
    }

    /// Whether entries came or went since the last call: the keys a
    /// restart needs have changed.
    pub fn take_keys_changed(&mut self) -> bool {
        std::mem::take(&mut self.keys_changed)
    }

    /// The keys taken with [`FlowTable::take_keys_changed`] were not saved.
    pub fn keys_unsaved(&mut self) {
        self.keys_changed = true;
    }

    /// A dump starts: what it does not mention, and no event touches
    /// meanwhile, is gone when it ends.
    pub fn begin_dump(&mut self) {
        self.dump = Some(DumpPass {
            seen: SlotSet::default(),
            destroyed: SlotSet::default(),
            touched: SlotSet::default(),
        });
    }

    /// Ends a dump. Only a complete dump may delete entries.
    pub fn end_dump(&mut self, complete: bool) {
        let Some(dump) = self.dump.take() else {
            return;
        };
        if !complete {
            return;
        }
        // Whatever a complete dump did not claim died while nfscope was
        // away.
        self.restored = SlotMap::default();
        let stale: Vec<Slot> = self
            .records
            .iter()
            .map(|(slot, _)| slot)
            .filter(|s| !dump.seen.contains(s) && !dump.touched.contains(s))
            .collect();
        for slot in stale {
            self.remove(slot, None);
        }
    }

    /// Flows changed and keys removed since the last call.
    pub fn take_changes(&mut self) -> (Vec<Flow>, Vec<FlowKey>) {
        let changed = std::mem::take(&mut self.changed);
        let upsert = changed
            .iter()
            .filter_map(|&slot| self.wire_flow(slot, self.records.get(&slot)?))
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

    /// The live flow with this key.
    pub fn get(&self, key: &FlowKey) -> Option<Flow> {
        let slot = self.space.slot(key)?;
        let r = self.records.get(&slot)?;
        (r.start_ns == key.start).then(|| self.wire_flow(slot, r))?
    }

    fn wire_flow(&self, slot: Slot, r: &Record) -> Option<Flow> {
        wire_flow(self.space, slot, r)
    }

    /// Every flow, converted for the wire; readers scan a [`TableView`].
    #[cfg(test)]
    pub fn flows(&self) -> impl Iterator<Item = Flow> + '_ {
        self.records
            .iter()
            .filter_map(|(s, r)| self.wire_flow(s, r))
    }

    /// Whether a view still shares every chunk with the table: nothing
    /// was written since it was taken.
    #[cfg(test)]
    pub fn shares_every_chunk_with(&self, view: &TableView) -> bool {
        self.records.shares_every_chunk_with(&view.records)
    }

    /// The table as it is now, for readers on other threads.
    pub fn view(&self) -> TableView {
        TableView {
            space: self.space,
            records: self.records.snapshot(),
            len: self.records.len(),
        }
    }
}

/// An immutable copy of the table's entries (see [`IdMap::snapshot`]).
pub struct TableView {
    space: KeySpace,
    records: Snapshot<Record>,
    len: usize,
}

impl TableView {
    /// Entries in the copy.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Every key with what tells its flow apart after a restart. All of
    /// them: even a key made of the kernel's start may have been given
    /// first to an UPDATE event, which carries none.
    pub fn saved_keys(&self) -> impl Iterator<Item = SavedKey> + '_ {
        self.records.iter().map(|(slot, r)| SavedKey {
            slot,
            start: r.start_ns,
            kernel_start: r.entry.start_ns,
            packets: r.entry.counters.as_ref().map(packets),
        })
    }

    /// Every entry, as the filter and the sort read it.
    pub(super) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records
            .iter()
            .filter_map(|(slot, r)| Row::new(self.space, slot, r))
    }
}

pub(super) fn wire_flow(
    space: KeySpace,
    slot: Slot,
    r: &Record,
) -> Option<Flow> {
    to_flow(
        &r.entry,
        Seen {
            key: space.key(slot, r.start_ns),
            first_seen_ms: r.first_seen_ms,
            updated_ms: r.updated_ms,
        },
    )
}

fn packets(c: &CtCounters) -> u64 {
    c.orig.packets + c.reply.packets
}

/// Events other than DESTROY carry no kernel start: only two known,
/// different starts tell two flows apart.
fn same_start(a: Option<u64>, b: Option<u64>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// Whether a dump's timeout is the record's own, counted down since it
/// was written, so that the dump brings nothing new. The kernel and the
/// clock here both round down to seconds, and entries wait a little in
/// the queue: two seconds of slack, far less than any timeout that
/// traffic sets back.
fn counts_down(r: &Record, timeout: Option<u32>, now_ms: u64) -> bool {
    const SLACK_S: i64 = 2;
    match (r.entry.timeout, timeout) {
        (Some(old), Some(new)) => {
            let elapsed = (now_ms.saturating_sub(r.updated_ms) / 1000) as i64;
            (i64::from(old) - elapsed - i64::from(new)).abs() <= SLACK_S
        }
        (old, new) => old == new,
    }
}

/// Takes what the newer message says and keeps what it left out: an
/// UPDATE without counters must not erase the last known ones. Returns
/// whether anything but the timeout changed.
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
        take!(old, new; master, orig_zone, reply_zone, secmark, stop_ns, labels,
            helper, secctx, undecoded);
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
