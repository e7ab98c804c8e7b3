//! A table record as the filter and the sort read it, without converting
//! it for the wire: a page of a big table converts only the rows it
//! keeps.

use std::cell::OnceCell;

use app::query::FlowFields;
use app::wire::{Counters, Endpoints, Flow, FlowKey, Nat, Proto, Word};

use super::slot::{KeySpace, Slot};
use super::table::{wire_flow, Record};
use crate::collect::conntrack::decode::CtTuple;
use crate::collect::conntrack::flow::{counters, state_word};

pub(super) struct Row<'a> {
    space: KeySpace,
    slot: Slot,
    record: &'a Record,
    orig: &'a CtTuple,
    reply: &'a CtTuple,
    /// Worked out when first asked: most filters and sorts never ask,
    /// and one that does may ask often.
    state: OnceCell<Option<Word>>,
}

impl<'a> Row<'a> {
    /// `None` for a record without both tuples, which the wire would not
    /// show either.
    pub(super) fn new(
        space: KeySpace,
        slot: Slot,
        record: &'a Record,
    ) -> Option<Self> {
        let e = &record.entry;
        let (orig, reply) = (e.orig.as_ref()?, e.reply.as_ref()?);
        Some(Self {
            space,
            slot,
            record,
            orig,
            reply,
            state: OnceCell::new(),
        })
    }

    /// The row converted for the wire.
    pub(super) fn flow(&self) -> Option<Flow> {
        wire_flow(self.space, self.slot, self.record)
    }
}

fn ends(t: &CtTuple) -> Endpoints {
    Endpoints {
        src: t.src,
        dst: t.dst,
        sport: t.sport,
        dport: t.dport,
    }
}

impl FlowFields for Row<'_> {
    fn key(&self) -> FlowKey {
        self.space.key(self.slot, self.record.start_ns)
    }

    fn proto(&self) -> Proto {
        Proto(self.orig.proto)
    }

    fn orig(&self) -> Endpoints {
        ends(self.orig)
    }

    fn reply(&self) -> Endpoints {
        ends(self.reply)
    }

    fn nat(&self) -> &[Nat] {
        Nat::of(&ends(self.orig), &ends(self.reply))
    }

    fn state(&self) -> Option<&str> {
        let state = self.record.entry.proto_state;
        self.state.get_or_init(|| state.map(state_word)).as_deref()
    }

    fn status_bits(&self) -> u32 {
        self.record.entry.status
    }

    fn mark(&self) -> u32 {
        self.record.entry.mark
    }

    fn zone(&self) -> u16 {
        self.record.entry.flow_zone()
    }

    fn id(&self) -> u32 {
        (self.slot >> 32) as u32
    }

    fn started_ms(&self) -> u64 {
        let r = self.record;
        r.entry
            .start_ns
            .map_or(r.first_seen_ms, |ns| ns / 1_000_000)
    }

    fn timeout(&self) -> Option<u32> {
        self.record.entry.timeout
    }

    fn counters(&self) -> Option<Counters> {
        self.record.entry.counters.map(counters)
    }
}
