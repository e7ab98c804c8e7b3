//! Reading the history back: one flow with its moments, and the last
//! findings.

use std::borrow::Cow;

use app::wire::finding::Finding;
use app::wire::history::{self as wire, MomentKind};
use app::wire::{Flow, FlowKey};
use rusqlite::{params, OptionalExtension};

use super::{clamp, record, unreadable, History};
use crate::state::journal::Moment;

/// A flow as the history keeps it.
#[derive(Clone, Debug)]
pub struct Stored {
    /// As of its last moment.
    pub flow: Flow,
    pub ended_ms: Option<u64>,
    /// Oldest first.
    pub timeline: Vec<wire::Moment>,
}

/// `stored` followed by `newer`, of which it may have the first few
/// already: a moment that moved on while the two were read is the tail
/// of one and the head of the other.
fn followed_by(stored: Option<Stored>, newer: &[Moment]) -> Option<Stored> {
    let (moments, flows): (Vec<_>, Vec<_>) = newer
        .iter()
        .filter_map(|m| {
            let flow = m.flow()?;
            let moment = wire::Moment {
                at_ms: m.at_ns / 1_000_000,
                kind: m.kind,
                state: flow.state.clone(),
                status: flow.status.clone(),
                counters: flow.counters,
            };
            Some((moment, flow))
        })
        .unzip();
    let mut stored = match stored {
        Some(stored) => stored,
        None => Stored {
            flow: flows.first()?.clone(),
            ended_ms: None,
            timeline: Vec::new(),
        },
    };
    let seen = (1..=moments.len().min(stored.timeline.len()))
        .rev()
        .find(|&n| stored.timeline.ends_with(&moments[..n]))
        .unwrap_or(0);
    for (moment, flow) in moments.into_iter().zip(flows).skip(seen) {
        // As the writer does: the row is as of its last moment.
        stored.ended_ms =
            (moment.kind == MomentKind::End).then_some(moment.at_ms);
        stored.timeline.push(moment);
        stored.flow = flow;
    }
    // In the file's order.
    stored.timeline.sort_by_key(|m| m.at_ms);
    Some(stored)
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

    /// The flow with this key, if the history has it or is about to:
    /// what the file has, then the moments on their way to it, then
    /// `journaled`, those the table has not handed over yet. Blocking.
    pub fn flow(
        &self,
        key: &FlowKey,
        journaled: Vec<Moment>,
    ) -> rusqlite::Result<Option<Stored>> {
        // Read against the stream, the journal first (by the caller) and
        // the file last: a moment moving on meanwhile is then seen twice,
        // never missed.
        let unwritten = self.unwritten.of(key);
        let stored = followed_by(self.stored(key)?, &unwritten);
        Ok(followed_by(stored, &journaled))
    }

    fn stored(&self, key: &FlowKey) -> rusqlite::Result<Option<Stored>> {
        let db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        let found = db
            .prepare_cached(
                "SELECT id, fields, flow, ended_ms FROM flows
                 WHERE start_ns = ?1 AND key = ?2",
            )?
            .query_row(params![clamp(key.start), key.to_string()], |r| {
                let flow =
                    record::decode(r.get_ref(1)?.as_blob_or_null()?, || {
                        r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)
                    });
                Ok((r.get::<_, i64>(0)?, flow, r.get(3)?))
            })
            .optional()?;
        let Some((id, flow, ended_ms)) = found else {
            return Ok(None);
        };
        let flow = flow?;
        let timeline = db
            .prepare_cached(
                "SELECT at_ms, kind, state, status, counters FROM moments
                 WHERE flow = ?1 ORDER BY at_ms, rowid",
            )?
            .query_map(params![id], |r| {
                let kind: String = r.get(1)?;
                let status: String = r.get(3)?;
                let counters: Option<String> = r.get(4)?;
                Ok(wire::Moment {
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
