//! The moments of flows' lives that the history keeps (see `store`):
//! taken as the table changes, turned into wire flows by whoever writes
//! them down, so that the table's owner only copies a record.

use app::wire::history::MomentKind;
use app::wire::{Flow, FlowKey};

use super::slot::{KeySpace, Slot};
use super::table::{wire_flow, Record};
use crate::collect::conntrack::decode::ProtoState;
use crate::collect::conntrack::CtEntry;

/// Moments kept between two takes at most; more are counted as lost
/// rather than let grow without bound while the store falls behind.
pub const JOURNAL_MAX: usize = 32 * 1024;

/// One moment of one flow: the flow as it was right after it.
#[derive(Clone)]
pub struct Moment {
    pub kind: MomentKind,
    pub at_ns: u64,
    space: KeySpace,
    slot: Slot,
    record: Record,
}

impl Moment {
    /// The flow as of this moment.
    pub fn flow(&self) -> Option<Flow> {
        wire_flow(self.space, self.slot, &self.record)
    }

    /// Whether this is a moment of the flow with this key.
    pub fn is_of(&self, key: &FlowKey) -> bool {
        self.space.slot(key) == Some(self.slot)
            && self.record.start_ns == key.start
    }

    /// Whether this is a birth whose source port NAT rewrote with the
    /// source address kept: what a NAT port clash looks like (with or
    /// without a DNAT). Read from the record, so that the diagnosis
    /// converts only those flows.
    pub fn is_port_rewrite_birth(&self) -> bool {
        let entry = &self.record.entry;
        let (Some(orig), Some(reply)) = (&entry.orig, &entry.reply) else {
            return false;
        };
        matches!(self.kind, MomentKind::New | MomentKind::Seen)
            && reply.dst == orig.src
            && reply.dport != orig.sport
    }
}

/// Moments not yet taken, bounded.
#[derive(Default)]
pub struct Journal {
    moments: Vec<Moment>,
    /// Moments left out since the start because the journal was full.
    pub lost: u64,
}

impl Journal {
    pub(super) fn push(
        &mut self,
        kind: MomentKind,
        at_ns: u64,
        space: KeySpace,
        slot: Slot,
        record: Record,
    ) {
        if self.moments.len() >= JOURNAL_MAX {
            self.lost += 1;
            return;
        }
        self.moments.push(Moment {
            kind,
            at_ns,
            space,
            slot,
            record,
        });
    }

    /// The moments of the flow with this key not yet taken, oldest first.
    pub fn of(&self, key: &FlowKey) -> Vec<Moment> {
        self.moments
            .iter()
            .filter(|m| m.is_of(key))
            .cloned()
            .collect()
    }

    pub fn take(&mut self) -> Vec<Moment> {
        std::mem::take(&mut self.moments)
    }
}

/// Whether an update is a moment of the flow's life: its protocol state
/// or status bits changed. Counters and timeouts change all the time.
pub(super) fn is_moment(old: &CtEntry, new: &CtEntry) -> bool {
    let state = |e: &CtEntry| match e.proto_state {
        Some(ProtoState::Tcp { state, .. }) => Some(state),
        Some(ProtoState::Sctp(s) | ProtoState::Dccp(s)) => Some(s),
        None => None,
    };
    old.status != new.status || state(old) != state(new)
}
