//! `GET /api/ruleset`, `GET /api/ruleset/history` and the stream at
//! `/api/ws/ruleset`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::error::ApiError;
use super::AppState;
use crate::collect::nftables::view;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ruleset", get(ruleset))
        .route("/ruleset/history", get(history))
        .route("/ws/ruleset", get(super::ws::ruleset::upgrade))
}

async fn ruleset(State(state): State<AppState>) -> Result<Response, ApiError> {
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
    let wire =
        tokio::task::spawn_blocking(move || view::to_wire(&current, &rates))
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
