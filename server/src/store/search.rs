//! Searching the history: the flows alive during a time window that a
//! filter selects, the youngest first, a page at a time.
//!
//! The filter language runs in Rust on each stored flow, as it does on
//! the live table, so both always agree. The index on the start time
//! gives the order and bounds the window; a filter that selects little reads many rows,
//! so a search stops after [`SCAN_BUDGET`] of them and says so.

use app::query::{Filter, TimeSpan};
use app::wire::history::{HistoryPage, PastFlow};
use app::wire::Flow;
use rusqlite::params;

use super::{clamp, unreadable, History};

/// Stored flows one search reads at most (about a second's work).
pub const SCAN_BUDGET: usize = 500_000;

/// Which matches of a search to answer.
#[derive(Clone, Copy, Debug)]
pub struct Rows {
    pub offset: usize,
    pub limit: usize,
}

impl History {
    /// Blocking; one search at a time, beside the permalinks' reader.
    pub fn search(
        &self,
        filter: &Filter,
        window: TimeSpan,
        rows: Rows,
    ) -> rusqlite::Result<HistoryPage> {
        let db = self.search.lock().unwrap_or_else(|e| e.into_inner());
        let mut stmt = db.prepare_cached(
            "SELECT flow, ended_ms FROM flows
             WHERE start_ns <= ?1 AND (ended_ms IS NULL OR ended_ms >= ?2)
             ORDER BY start_ns DESC, key DESC",
        )?;
        let to_ns = window.to_ms.saturating_mul(1_000_000) + 999_999;
        let mut found =
            stmt.query(params![clamp(to_ns), clamp(window.from_ms)])?;
        let mut page = HistoryPage {
            from_ms: window.from_ms,
            to_ms: window.to_ms,
            complete: true,
            ..HistoryPage::default()
        };
        let (mut matched, mut scanned) = (0, 0);
        while let Some(row) = found.next()? {
            if scanned == SCAN_BUDGET {
                page.complete = false;
                break;
            }
            scanned += 1;
            let flow: Flow = serde_json::from_str(row.get_ref(0)?.as_str()?)
                .map_err(unreadable)?;
            if !filter.matches(&flow) {
                continue;
            }
            matched += 1;
            if matched <= rows.offset {
                continue;
            }
            if page.flows.len() == rows.limit {
                page.more = true;
                break;
            }
            page.flows.push(PastFlow {
                flow,
                ended_ms: row.get(1)?,
            });
        }
        Ok(page)
    }
}
