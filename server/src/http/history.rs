//! A flow live or from the history (`GET /api/flows/{key}`, the flow
//! page), and the history's own state (`GET /api/history`).

use std::time::Duration;

use app::format::duration_secs;
use app::wire::history::{FlowRecord, HistoryStatus};
use app::wire::FlowKey;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::error::ApiError;
use super::AppState;
use crate::state::{now_ms, Lookup, StateHandle};
use crate::store::History;

/// Why there is nothing to search.
pub const NO_HISTORY: &str =
    "nfscope keeps no history (--no-history), only the live table";

/// The flow with this key: live, with what the history has of its life,
/// or as the history last saw it. Blocking when there is a history.
pub fn flow_record(
    flows: &StateHandle,
    history: Option<&History>,
    key: &FlowKey,
) -> rusqlite::Result<Option<FlowRecord>> {
    let Lookup { live, journaled } = flows.look_up(key);
    let stored = match history {
        Some(h) => h.flow(key, journaled)?,
        None => None,
    };
    Ok(match (live, stored) {
        (Some(flow), stored) => Some(FlowRecord {
            flow,
            live: true,
            ended_ms: None,
            timeline: stored.map(|s| s.timeline).unwrap_or_default(),
        }),
        (None, Some(s)) => Some(FlowRecord {
            flow: s.flow,
            live: false,
            ended_ms: s.ended_ms,
            timeline: s.timeline,
        }),
        (None, None) => None,
    })
}

/// Why there is no flow with this key, plainly.
pub fn missing(history: Option<&History>, key: &FlowKey) -> String {
    let Some(history) = history else {
        return format!(
            "flow {key} is not in the table, and nfscope keeps no history \
             (--no-history)"
        );
    };
    let age =
        Duration::from_millis(now_ms().saturating_sub(key.start / 1_000_000));
    if age > history.max_age() {
        format!(
            "flow {key} started {} ago, longer ago than the history keeps \
             ended flows ({})",
            duration_secs(age.as_secs()),
            duration_secs(history.max_age().as_secs())
        )
    } else {
        format!("flow {key} is neither in the table nor in the history")
    }
}

pub async fn status(
    State(state): State<AppState>,
) -> Result<Json<HistoryStatus>, ApiError> {
    match &state.history {
        Some(h) => Ok(Json(h.status())),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, NO_HISTORY)),
    }
}
