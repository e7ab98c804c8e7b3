//! Work that grows with the table: filtering and sorting it for a page or
//! a window, turning a big batch into JSON. On an async worker it stalls
//! every connection that worker serves (`/api/status` included); here it
//! runs on tokio's blocking threads, on a snapshot of the table that no
//! lock guards, one per core at most: the async workers, the table's
//! owner and the event thread are threads of their own, which the kernel
//! gives their share of the cores, and none of them waits for a scan.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::state::{Snapshot, StateHandle};

#[derive(Clone)]
pub struct Compute {
    flows: StateHandle,
    slots: Arc<Semaphore>,
}

impl Compute {
    /// One slot per core. With one core fewer (one slot on two cores),
    /// eight windows over 150k flows took turns on one core and a new
    /// flow took ~1.3 s (p99) to reach the page during a flood; with two,
    /// 0.24 s, and no event was lost either way (`nfscope-bench watchers`).
    pub fn new(flows: StateHandle) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            flows,
            slots: Arc::new(Semaphore::new(cores)),
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
        self.run_in_place(|| work(&self.flows.snapshot()))
    }

    /// [`Compute::run`] for synchronous callers on an async worker.
    pub fn run_in_place<T>(&self, work: impl FnOnce() -> T) -> T {
        tokio::task::block_in_place(|| {
            let handle = tokio::runtime::Handle::current();
            let _slot = handle
                .block_on(self.slots.acquire())
                .expect("compute slots");
            work()
        })
    }
}
