//! What the filter and the sort read of a flow.
//!
//! They read it through [`FlowFields`] rather than the wire [`Flow`], so
//! that the server can test its own table records without converting
//! each one for the wire first.

pub use crate::wire::Endpoints;
use crate::wire::{vocab, Counters, Flow, FlowKey, Nat, Proto};

/// The fields a filter term or a sort column looks at.
pub trait FlowFields {
    fn key(&self) -> FlowKey;
    fn proto(&self) -> Proto;
    fn orig(&self) -> Endpoints;
    fn reply(&self) -> Endpoints;
    /// What NAT did, in [`Nat::classify`] order; empty without NAT.
    fn nat(&self) -> &[Nat];
    /// The protocol state word of [`vocab`] (`state-N` for a number
    /// without one); `None` for protocols without states.
    fn state(&self) -> Option<&str>;
    /// `CTA_STATUS`: bit N is the word `vocab::STATUS[N]`.
    fn status_bits(&self) -> u32;
    fn mark(&self) -> u32;
    fn zone(&self) -> u16;
    /// `CTA_ID`.
    fn id(&self) -> u32;
    /// Start in ms since the Unix epoch: the kernel's when known, else
    /// when nfscope first saw the flow.
    fn started_ms(&self) -> u64;
    /// Seconds left before the entry expires.
    fn timeout(&self) -> Option<u32>;
    /// `None` while accounting is off.
    fn counters(&self) -> Option<Counters>;
}

impl FlowFields for Flow {
    fn key(&self) -> FlowKey {
        self.key
    }

    fn proto(&self) -> Proto {
        self.proto
    }

    fn orig(&self) -> Endpoints {
        (&self.orig).into()
    }

    fn reply(&self) -> Endpoints {
        (&self.reply).into()
    }

    fn nat(&self) -> &[Nat] {
        &self.nat
    }

    fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// Words outside the vocabulary (from a newer server) set no bit.
    fn status_bits(&self) -> u32 {
        self.status
            .iter()
            .filter_map(|word| vocab::status_bit(word))
            .fold(0, |bits, bit| bits | 1 << bit)
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
        Flow::started_ms(self)
    }

    fn timeout(&self) -> Option<u32> {
        self.timeout
    }

    fn counters(&self) -> Option<Counters> {
        self.counters
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::tcp;

    #[test]
    fn status_words_become_bits() {
        let mut f = tcp("10.0.0.1", 1, "10.0.0.2", 2);
        // seen-reply, assured, confirmed
        assert_eq!(f.status_bits(), 0b1110);
        f.status = vocab::status_words(1 << 20 | 1);
        f.status.push("from-the-future".into());
        assert_eq!(f.status_bits(), 1 << 20 | 1);
    }
}
