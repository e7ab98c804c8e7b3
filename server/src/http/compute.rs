//! Work that grows with the table: filtering and sorting it for a page or
//! a window, turning a big batch into JSON. On an async worker it stalls
//! every connection that worker serves (`/api/status` included); here it
//! runs on tokio's blocking threads, on a snapshot of the table that no
//! lock guards, and only a few at a time, so that the async workers and
//! the table's owner always keep a core.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::state::{Snapshot, StateHandle};

#[derive(Clone)]
pub struct Compute {
    flows: StateHandle,
    slots: Arc<Semaphore>,
}

impl Compute {
    /// One slot per core but one.
    pub fn new(flows: StateHandle) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            flows,
            slots: Arc::new(Semaphore::new(cores.saturating_sub(1).max(1))),
        }
    }

    pub fn flows(&self) -> &StateHandle {
        &self.flows
    }

    /// Runs `work` on a blocking thread once a slot is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        // The semaphore is never closed.
        let _slot = self.slots.acquire().await.expect("compute slots");
        match tokio::task::spawn_blocking(work).await {
            Ok(out) => out,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    /// Runs `work` on this tick's snapshot of the table, on a blocking
    /// thread.
    pub async fn scan<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Snapshot) -> T + Send + 'static,
    ) -> T {
        let snapshot = self.flows.snapshot();
        self.run(move || work(&snapshot)).await
    }

    /// [`Compute::scan`] for synchronous callers on an async worker (the
    /// server-side rendering of a page): the worker hands its other tasks
    /// to another thread meanwhile.
    pub fn scan_in_place<T>(&self, work: impl FnOnce(&Snapshot) -> T) -> T {
        tokio::task::block_in_place(|| {
            let handle = tokio::runtime::Handle::current();
            let _slot = handle
                .block_on(self.slots.acquire())
                .expect("compute slots");
            work(&self.flows.snapshot())
        })
    }
}
