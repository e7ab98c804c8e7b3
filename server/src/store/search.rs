//! Searching the history: the flows alive during a time window that a
//! filter selects, the youngest first, a page at a time.
//!
//! The filter language runs in Rust on each stored flow, as it does on
//! the live table, so both always agree; it reads a flow's few search
//! fields (see `fields`), and only a match is decoded whole. The index
//! on the start time gives the order and bounds the window; a filter
//! that selects little reads many rows, so a search stops after
//! [`SCAN_BUDGET`] of them and says so.

use app::query::{Filter, TimeSpan};
use app::wire::history::{HistoryPage, PastFlow};
use app::wire::Flow;
use rusqlite::params;

use super::fields::Fields;
use super::{clamp, record, History};

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
            "SELECT fields, flow, ended_ms FROM flows
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
            let fields = row.get_ref(0)?.as_blob_or_null()?;
            let decode = || -> rusqlite::Result<Flow> {
                record::decode(fields, || {
                    row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)
                })
            };
            // Rows of layout 2 have no fields: their JSON is read.
            let decoded = match fields.and_then(Fields::decode) {
                Some(fields) if filter.matches(&fields) => None,
                Some(_) => continue,
                None => match decode()? {
                    flow if filter.matches(&flow) => Some(flow),
                    _ => continue,
                },
            };
            matched += 1;
            if matched <= rows.offset {
                continue;
            }
            if page.flows.len() == rows.limit {
                page.more = true;
                break;
            }
            page.flows.push(PastFlow {
                flow: decoded.map_or_else(decode, Ok)?,
                ended_ms: row.get(2)?,
            });
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasher, RandomState};
    use std::time::Duration;

    use rusqlite::Connection;

    use super::super::{fields, open, StoreConfig};
    use super::*;
    use crate::state::KeySpace;

    /// A history in a file of its own, removed on drop.
    struct Temp(std::path::PathBuf);

    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn starts(page: &HistoryPage) -> Vec<u64> {
        page.flows.iter().map(|f| f.flow.key.start).collect()
    }

    /// How a row holds its flow, by the layout that wrote it.
    #[derive(Clone, Copy)]
    enum Row {
        /// Layout 2: JSON alone.
        Json,
        /// Layout 3: JSON and the search fields.
        Fields,
        /// Layout 4: the whole record.
        Record,
    }

    #[test]
    fn rows_of_every_layout_are_searched_alike() {
        let dir = std::env::temp_dir().join(format!(
            "nfs-t-search-{:x}",
            RandomState::new().hash_one(0u8)
        ));
        let _temp = Temp(dir.clone());
        let config = StoreConfig {
            path: dir.join("history.db"),
            max_bytes: 64 << 20,
            max_age: Duration::from_secs(86_400),
        };
        let (_recorder, history) =
            open(config.clone(), KeySpace { boot: 1, netns: 1 }).unwrap();
        let [tcp, icmp] = fields::tests::flows();
        let mut old_tcp = tcp.clone();
        old_tcp.key.start -= 1;
        let mut older_tcp = tcp.clone();
        older_tcp.key.start -= 2;
        let db = Connection::open(&config.path).unwrap();
        for (flow, row) in [
            (&tcp, Row::Record),
            (&old_tcp, Row::Json),
            (&older_tcp, Row::Fields),
            (&icmp, Row::Record),
        ] {
            let json = serde_json::to_string(flow).unwrap();
            let (json, fields) = match row {
                Row::Json => (json, None),
                Row::Fields => (json, Some(fields::encode(flow))),
                Row::Record => {
                    let (fields, json) = record::encode(flow).unwrap();
                    (json, Some(fields))
                }
            };
            db.execute(
                "INSERT INTO flows (start_ns, key, first_ms, last_ms, flow, fields)
                 VALUES (?1, ?2, 0, 0, ?3, ?4)",
                params![
                    clamp(flow.key.start),
                    flow.key.to_string(),
                    json,
                    fields
                ],
            )
            .unwrap();
        }
        let all = TimeSpan {
            from_ms: 0,
            to_ms: u64::MAX / 1_000_000 - 1,
        };
        let search = |text: &str, offset, limit| {
            let filter = Filter::parse(text).unwrap();
            history
                .search(&filter, all, Rows { offset, limit })
                .unwrap()
        };
        let page = search("dport:443 nat:dnat", 0, 10);
        let all_tcp = [&tcp, &old_tcp, &older_tcp];
        assert_eq!(starts(&page), all_tcp.map(|f| f.key.start));
        for (found, flow) in page.flows.iter().zip(all_tcp) {
            assert_eq!(&found.flow, flow);
        }
        assert_eq!(starts(&search("src:fd00::1", 0, 10)), [icmp.key.start]);
        let second = search("", 1, 1);
        assert_eq!(starts(&second), [old_tcp.key.start]);
        assert!(second.more && second.complete);
    }
}
