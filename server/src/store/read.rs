//! Reading the history back: one flow with its moments, and the last
//! findings.

use std::borrow::Cow;

use app::wire::finding::Finding;
use app::wire::history::{Moment, MomentKind};
use app::wire::{Flow, FlowKey};
use rusqlite::{params, OptionalExtension};

use super::{clamp, unreadable, History};

/// A flow as the history keeps it.
#[derive(Clone, Debug)]
pub struct Stored {
    /// As of its last moment.
    pub flow: Flow,
    pub ended_ms: Option<u64>,
    /// Oldest first.
    pub timeline: Vec<Moment>,
}

impl History {
    /// The `limit` findings seen last, the latest first; one that still
    /// held when nfscope stopped counts as cleared when it was last seen.
    /// Blocking.
    pub fn findings(&self, limit: usize) -> rusqlite::Result<Vec<Finding>> {
        let db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        let mut query = db.prepare_cached(
            "SELECT finding FROM findings ORDER BY seen_ms DESC LIMIT ?1",
        )?;
        let rows = query.query_map(params![clamp(limit as u64)], |r| {
            r.get::<_, String>(0)
        })?;
        rows.map(|json| {
            let mut f: Finding =
                serde_json::from_str(&json?).map_err(unreadable)?;
            f.cleared_ms.get_or_insert(f.seen_ms);
            Ok(f)
        })
        .collect()
    }

    /// The flow with this key, if the history has it. Blocking.
    pub fn flow(&self, key: &FlowKey) -> rusqlite::Result<Option<Stored>> {
        let db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        let found = db
            .prepare_cached(
                "SELECT id, flow, ended_ms FROM flows
                 WHERE start_ns = ?1 AND key = ?2",
            )?
            .query_row(params![clamp(key.start), key.to_string()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?))
            })
            .optional()?;
        let Some((id, json, ended_ms)) = found else {
            return Ok(None);
        };
        let flow = serde_json::from_str(&json).map_err(unreadable)?;
        let timeline = db
            .prepare_cached(
                "SELECT at_ms, kind, state, status, counters FROM moments
                 WHERE flow = ?1 ORDER BY at_ms, rowid",
            )?
            .query_map(params![id], |r| {
                let kind: String = r.get(1)?;
                let status: String = r.get(3)?;
                let counters: Option<String> = r.get(4)?;
                Ok(Moment {
                    at_ms: r.get(0)?,
                    kind: MomentKind::from_name(&kind).unwrap_or_default(),
                    state: r.get::<_, Option<String>>(2)?.map(Cow::Owned),
                    status: status
                        .split(',')
                        .filter(|w| !w.is_empty())
                        .map(|w| Cow::Owned(w.to_owned()))
                        .collect(),
                    counters: counters
                        .and_then(|c| serde_json::from_str(&c).ok()),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(Stored {
            flow,
            ended_ms,
            timeline,
        }))
    }
}
