//! A table record as the filter and the sort read it, without converting
//! it for the wire: a page of a big table converts only the rows it
//! keeps.

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
    /// Worked out once: a filter or a sort may ask several times.
    state: Option<Word>,
    nat: &'static [Nat],
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
            state: e.proto_state.map(state_word),
            nat: Nat::of(&ends(orig), &ends(reply)),
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
        self.nat
    }

    fn state(&self) -> Option<&str> {
        self.state.as_deref()
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
