//! Flows born with a source port NAT rewrote, kept from one diagnosis
//! run to the next. A clash entry may live for milliseconds (its reset
//! ends it), far less than between two looks at the table: the journal
//! sees it born, and this keeps it.

use std::sync::Mutex;

use app::wire::Flow;

/// Kept between two takes at most; a storm of clashes keeps the first.
const KEEP: usize = 1024;

#[derive(Default)]
pub struct Rewrites {
    flows: Mutex<Vec<Flow>>,
}

impl Rewrites {
    pub fn add(&self, flows: impl Iterator<Item = Flow>) {
        let mut kept = self.flows.lock().unwrap_or_else(|e| e.into_inner());
        let room = KEEP.saturating_sub(kept.len());
        kept.extend(flows.take(room));
    }

    pub fn take(&self) -> Vec<Flow> {
        std::mem::take(
            &mut *self.flows.lock().unwrap_or_else(|e| e.into_inner()),
        )
    }
}
