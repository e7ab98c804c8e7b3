//! The table as readers see it: an immutable copy taken in microseconds
//! (a pointer per chunk of entries), scanned without any lock while the
//! owner goes on writing, and shared by every reader of one publish tick.
//! Identical views of one tick (several dashboards on the same filter,
//! sort and rows) are computed once.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use app::query::{Filter, FlowFields, Sort};
use app::wire::{Flow, FlowPage, Health};

use super::row::Row;
use super::table::TableView;

/// One publish tick's table and status.
pub struct Snapshot {
    pub seq: u64,
    pub status: Health,
    table: TableView,
    /// Views computed from this snapshot, by their text.
    views: Mutex<HashMap<ViewKey, Arc<OnceLock<Arc<FlowPage>>>>>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct ViewKey {
    filter: String,
    sort: String,
    offset: usize,
    limit: usize,
}

/// Distinct views one snapshot remembers; a client that asks for more
/// (every offset in turn, say) gets them computed but not kept.
const VIEWS_KEPT: usize = 64;

/// How many flows there are by protocol and state, and by kind of NAT.
#[derive(Debug, Default, PartialEq)]
pub struct Tally {
    /// By (protocol, state); `""` for a protocol without states.
    pub by_state: BTreeMap<(String, String), u64>,
    /// By kind of NAT (`dnat`, `snat`, `sport-rewrite`); a flow of two
    /// kinds counts in both.
    pub by_nat: BTreeMap<&'static str, u64>,
}

impl Snapshot {
    /// Counts the flows of this snapshot.
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for row in self.table.rows() {
            let key = (
                row.proto().to_string(),
                row.state().unwrap_or_default().to_owned(),
            );
            *tally.by_state.entry(key).or_default() += 1;
            for nat in row.nat() {
                *tally.by_nat.entry(nat.as_str()).or_default() += 1;
            }
        }
        tally
    }

    pub fn new(seq: u64, status: Health, table: TableView) -> Self {
        Self {
            seq,
            status,
            table,
            views: Mutex::default(),
        }
    }

    /// [`Snapshot::page`], computed once for all readers of this view.
    /// Blocks while another reader computes it.
    pub fn shared_page(
        &self,
        filter: &Filter,
        sort: &Sort,
        offset: usize,
        limit: usize,
    ) -> Arc<FlowPage> {
        let key = ViewKey {
            filter: filter.to_string(),
            sort: sort.to_string(),
            offset,
            limit,
        };
        let cell = {
            let mut views =
                self.views.lock().unwrap_or_else(|e| e.into_inner());
            match views.get(&key) {
                Some(cell) => Some(Arc::clone(cell)),
                None if views.len() < VIEWS_KEPT => {
                    Some(Arc::clone(views.entry(key).or_default()))
                }
                None => None,
            }
        };
        let compute = || Arc::new(self.page(filter, sort, offset, limit));
        match cell {
            Some(cell) => Arc::clone(cell.get_or_init(compute)),
            None => compute(),
        }
    }

    /// Rows `offset..offset + limit` of the flows `filter` selects, in
    /// `sort` order. Keeps only the rows up to the window while it scans,
    /// so the first screens of a big table cost little memory; a window
    /// past the middle is sought from the end (in reverse order), when
    /// the total is known before the scan, as it is without a filter.
    pub fn page(
        &self,
        filter: &Filter,
        sort: &Sort,
        offset: usize,
        limit: usize,
    ) -> FlowPage {
        let known = filter.is_empty().then(|| self.table.len());
        if let Some(len) = known {
            if offset.saturating_add(limit / 2) > len / 2 {
                let from_end = len.saturating_sub(offset);
                let (total, last_first) =
                    self.best(filter, |a, b| sort.compare(b, a), from_end);
                let start = total.saturating_sub(offset.saturating_add(limit));
                let rows = last_first.get(start..).unwrap_or_default();
                let flows = rows.iter().rev().filter_map(Row::flow).collect();
                return FlowPage { total, flows };
            }
        }
        let keep = offset.saturating_add(limit);
        let (total, best) = self.best(filter, |a, b| sort.compare(a, b), keep);
        let flows = best.iter().skip(offset).filter_map(Row::flow).collect();
        FlowPage { total, flows }
    }

    /// How many rows `filter` selects, and the first `keep` of them in
    /// `cmp` order.
    fn best(
        &self,
        filter: &Filter,
        cmp: impl Fn(&Row, &Row) -> std::cmp::Ordering,
        keep: usize,
    ) -> (usize, Vec<Row<'_>>) {
        // Selecting once the buffer holds twice what is kept makes the
        // scan linear in the table.
        let buffer = keep.saturating_mul(2).max(64);
        let mut total = 0;
        let mut best = Vec::new();
        for row in self.table.rows().filter(|r| filter.matches(r)) {
            total += 1;
            if keep == 0 {
                continue;
            }
            best.push(row);
            if best.len() >= buffer {
                best.select_nth_unstable_by(keep - 1, &cmp);
                best.truncate(keep);
            }
        }
        best.sort_unstable_by(&cmp);
        best.truncate(keep);
        (total, best)
    }

    /// Shows every flow to `visit`, unconverted.
    pub fn each(&self, mut visit: impl FnMut(&dyn FlowFields)) {
        for row in self.table.rows() {
            visit(&row);
        }
    }

    pub fn matching(&self, filter: &Filter) -> Vec<Flow> {
        let rows = self.table.rows().filter(|r| filter.matches(r));
        rows.filter_map(|r| r.flow()).collect()
    }
}
