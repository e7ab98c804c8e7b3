//! `GET /api/ruleset`, `GET /api/ruleset/history`,
//! `GET /api/ruleset/diff` and the stream at `/api/ws/ruleset`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::error::ApiError;
use super::AppState;
use crate::collect::nftables::view::{self, Detail};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ruleset", get(ruleset))
        .route("/ruleset/history", get(history))
        .route("/ruleset/diff", get(diff))
        .route("/ws/ruleset", get(super::ws::ruleset::upgrade))
}

/// Read by hand, to say exactly what is wrong.
#[derive(Debug, Default, Deserialize)]
struct RulesetQuery {
    raw: Option<String>,
}

async fn ruleset(
    State(state): State<AppState>,
    Query(query): Query<RulesetQuery>,
) -> Result<Response, ApiError> {
    let raw = match query.raw.as_deref() {
        None | Some("" | "0" | "false") => false,
        Some("1" | "true") => true,
        Some(other) => {
            return Err(bad(format!(
                "raw: {other:?} is not 1, true, 0 or false"
            )))
        }
    };
    let (current, rates) = {
        let shared = state.compute.flows().read();
        (
            shared.ruleset.current.clone(),
            Arc::clone(&shared.ruleset.rates),
        )
    };
    let Some(current) = current else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the ruleset is not read yet; see collectors.nftables in \
             /api/status",
        ));
    };
    // Thousands of rules take a few milliseconds: not on an async worker.
    let wire = tokio::task::spawn_blocking(move || {
        view::to_wire(&current, &rates, Detail { raw })
    })
    .await
    .map_err(|e| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    })?;
    Ok(Json(wire).into_response())
}

async fn history(State(state): State<AppState>) -> Response {
    let history: Vec<_> = state
        .compute
        .flows()
        .read()
        .ruleset
        .history
        .iter()
        .cloned()
        .collect();
    Json(history).into_response()
}

#[derive(Debug, Default, Deserialize)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

/// What changed from generation `from` to `to` (the current one when
/// left out), from the commits the history still holds.
async fn diff(
    State(state): State<AppState>,
    Query(query): Query<DiffQuery>,
) -> Result<Response, ApiError> {
    let generation = |name: &str, value: Option<&str>| match value {
        None | Some("") => Ok(None),
        Some(v) => v.parse::<u32>().map(Some).map_err(|_| {
            bad(format!("{name}: {v:?} is not a generation number"))
        }),
    };
    let Some(from) = generation("from", query.from.as_deref())? else {
        return Err(bad("from: missing; give the generation to diff from"));
    };
    let shared = state.compute.flows().read();
    let rules = &shared.ruleset;
    let current = rules.current.as_ref().map(|r| r.generation);
    let Some(to) = generation("to", query.to.as_deref())?.or(current) else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the ruleset is not read yet",
        ));
    };
    if from > to {
        return Err(bad(format!("from ({from}) is after to ({to})")));
    }
    if current.is_some_and(|c| to > c) {
        return Err(bad(format!(
            "to: generation {to} is not committed yet (the ruleset is at {})",
            current.unwrap_or_default()
        )));
    }
    // A diff is whole only if the history reaches back to the commit
    // right after `from`.
    let oldest = rules.history.front().map(|c| c.generation);
    if from < to && oldest.is_none_or(|o| o > from + 1) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "generation {from} is older than the history, which starts \
                 at {}",
                oldest.map_or("the next commit".to_owned(), |o| o.to_string())
            ),
        ));
    }
    let commits = rules
        .history
        .iter()
        .filter(|c| c.generation > from && c.generation <= to);
    Ok(Json(view::fold(from, to, commits)).into_response())
}

fn bad(why: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, why)
}
