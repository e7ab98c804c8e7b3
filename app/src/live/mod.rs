//! The page's live copy of the flow table, fed by the WebSocket stream.

mod clock;
#[cfg(feature = "hydrate")]
mod socket;

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::RwSignal;

use crate::query::Sort;
use crate::wire::{Flow, FlowKey, FlowPage, ServerMsg, Status};

pub use clock::now_ms;
#[cfg(feature = "hydrate")]
pub use socket::connect;

/// Collector health and stream state, shared by the header and the page
/// that feeds them.
#[derive(Clone, Copy)]
pub struct Health {
    pub status: RwSignal<Status>,
    pub link: RwSignal<Link>,
}

/// Whether the stream is flowing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Live,
    /// Closed; retrying. Holds the reason when the server gave one.
    Down(Option<String>),
}

/// Flows the server says match the page's filter, and their sorted order.
#[derive(Clone, Debug, Default)]
pub struct LiveTable {
    flows: HashMap<FlowKey, Arc<Flow>>,
    /// `flows` in `sort` order, as of the last [`LiveTable::settle`].
    rows: Vec<Arc<Flow>>,
    /// Messages changed `flows` since `rows` was built.
    stale: bool,
    sort: Sort,
    /// Matching flows on the server; more than `rows` only before the
    /// first snapshot (the server renders a first screenful).
    total: usize,
    pub status: Status,
    /// Sequence number of the last message applied.
    pub seq: u64,
}

/// What applying a message asks of the connection.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// Rows were added, changed or removed.
    Changed,
    /// Only the status moved on.
    Unchanged,
    /// A delta did not follow the last message: reconnect for a snapshot.
    Gap,
    /// The server refused the view.
    Refused(String),
}

impl LiveTable {
    pub fn new(page: FlowPage, sort: Sort) -> Self {
        let mut table = Self {
            flows: page
                .flows
                .into_iter()
                .map(|f| (f.key, Arc::new(f)))
                .collect(),
            sort,
            total: page.total,
            ..Self::default()
        };
        table.resort();
        table.total = table.total.max(table.rows.len());
        table
    }

    pub fn rows(&self) -> &[Arc<Flow>] {
        &self.rows
    }

    pub fn total(&self) -> usize {
        self.total
    }

    pub fn get(&self, key: &FlowKey) -> Option<Arc<Flow>> {
        self.flows.get(key).cloned()
    }

    pub fn set_sort(&mut self, sort: Sort) {
        if self.sort != sort {
            self.sort = sort;
            self.resort();
        }
    }

    pub fn apply(&mut self, msg: ServerMsg) -> Applied {
        match msg {
            ServerMsg::Snapshot { seq, flows, status } => {
                self.flows =
                    flows.into_iter().map(|f| (f.key, Arc::new(f))).collect();
                self.status = status;
                self.seq = seq;
            }
            ServerMsg::Delta {
                seq,
                upsert,
                remove,
                status,
            } => {
                if seq != self.seq + 1 {
                    return Applied::Gap;
                }
                self.status = status;
                self.seq = seq;
                if upsert.is_empty() && remove.is_empty() {
                    return Applied::Unchanged;
                }
                for key in remove {
                    self.flows.remove(&key);
                }
                for flow in upsert {
                    self.flows.insert(flow.key, Arc::new(flow));
                }
            }
            ServerMsg::Error { message } => return Applied::Refused(message),
        }
        self.stale = true;
        Applied::Changed
    }

    /// Rebuilds the sorted rows after messages changed the flows. Done
    /// once per frame, not per message: a page that falls behind applies
    /// the queued messages, then sorts once.
    pub fn settle(&mut self) {
        if std::mem::take(&mut self.stale) {
            self.resort();
        }
    }

    fn resort(&mut self) {
        self.total = self.flows.len();
        self.rows.clear();
        self.rows.extend(self.flows.values().cloned());
        let sort = self.sort;
        self.rows.sort_unstable_by(|a, b| sort.compare(a, b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::tcp;

    fn flow(id: u32) -> Flow {
        let mut f = tcp("10.0.0.1", 4000 + id as u16, "10.0.0.2", 80);
        f.key.id = id;
        f.id = id;
        f
    }

    fn delta(seq: u64, upsert: Vec<Flow>, remove: Vec<FlowKey>) -> ServerMsg {
        ServerMsg::Delta {
            seq,
            upsert,
            remove,
            status: Status::default(),
        }
    }

    #[test]
    fn snapshot_then_deltas_in_sequence() {
        let mut t = LiveTable::default();
        let (a, b) = (flow(1), flow(2));
        let snapshot = ServerMsg::Snapshot {
            seq: 7,
            flows: vec![a.clone()],
            status: Status::default(),
        };
        assert_eq!(t.apply(snapshot), Applied::Changed);
        assert_eq!(t.apply(delta(8, vec![], vec![])), Applied::Unchanged);
        assert_eq!(
            t.apply(delta(9, vec![b.clone()], vec![])),
            Applied::Changed
        );
        t.settle();
        assert_eq!(t.rows().len(), 2);
        assert_eq!(t.apply(delta(10, vec![], vec![a.key])), Applied::Changed);
        assert_eq!(t.rows().len(), 2, "rows wait for settle");
        t.settle();
        assert_eq!(t.rows().len(), 1);
        assert_eq!(t.total(), 1);
        assert!(t.get(&b.key).is_some());
    }

    #[test]
    fn a_gap_asks_for_a_new_snapshot() {
        let mut t = LiveTable::default();
        assert_eq!(t.apply(delta(5, vec![], vec![])), Applied::Gap);
    }
}
