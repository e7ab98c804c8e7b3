//! Work that grows with the table: filtering and sorting it for a page or
//! a window, copying it for a snapshot, turning a big batch into JSON. On
//! an async worker it stalls every connection that worker serves
//! (`/api/status` included); here it runs on tokio's blocking threads, and
//! only a few at a time, so that the async workers and the table's owner
//! always keep a core.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::state::{Shared, StateHandle};

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

    /// Runs `work` on the state, read-locked, on a blocking thread.
    pub async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Shared) -> T + Send + 'static,
    ) -> T {
        let flows = self.flows.clone();
        self.run(move || work(&flows.read())).await
    }

    /// [`Compute::read`] for synchronous callers on an async worker (the
    /// server-side rendering of a page): the worker hands its other tasks
    /// to another thread meanwhile.
    pub fn read_in_place<T>(&self, work: impl FnOnce(&Shared) -> T) -> T {
        tokio::task::block_in_place(|| {
            let handle = tokio::runtime::Handle::current();
            let _slot = handle
                .block_on(self.slots.acquire())
                .expect("compute slots");
            work(&self.flows.read())
        })
    }
}
