//! Moments handed to the writer and not yet written. A flow that just
//! ended is in neither the table nor the file: its permalink reads its
//! end here meanwhile.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use app::wire::FlowKey;

use crate::state::journal::Moment;

/// The batches of moments on their way to the file, oldest first: those
/// in the writer's queue and the one it is writing.
#[derive(Default)]
pub struct Unwritten {
    batches: Mutex<VecDeque<Arc<Vec<Moment>>>>,
}

impl Unwritten {
    /// Hands `batch` over with `send`, which says whether the writer
    /// took it, and keeps it readable until [`Unwritten::done`].
    pub fn hand_over(
        &self,
        batch: Arc<Vec<Moment>>,
        send: impl FnOnce(Arc<Vec<Moment>>) -> bool,
    ) {
        // Held across the send, so the writer cannot be done with the
        // batch before it is here.
        let mut batches = self.lock();
        if send(Arc::clone(&batch)) {
            batches.push_back(batch);
        }
    }

    /// The writer wrote the batch, or gave up on it.
    pub fn done(&self, batch: &Arc<Vec<Moment>>) {
        self.lock().retain(|b| !Arc::ptr_eq(b, batch));
    }

    /// The moments of the flow with this key, oldest first.
    pub fn of(&self, key: &FlowKey) -> Vec<Moment> {
        // Scanned outside the lock: the owner hands over while a reader
        // looks.
        let batches: Vec<_> = self.lock().iter().cloned().collect();
        batches
            .iter()
            .flat_map(|b| b.iter().filter(|m| m.is_of(key)).cloned())
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Vec<Moment>>>> {
        self.batches.lock().unwrap_or_else(|e| e.into_inner())
    }
}
