//! `GET /api/flows`, `GET /api/flows/{key}`, `GET /api/status`, the
//! WebSocket at `/api/ws`, and the ruleset's routes.

use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use app::wire::{FlowKey, FlowKeyError, Health};

use super::bounds::MAX_PAGE_LIMIT;
use super::error::{json_errors, ApiError};
use super::view::ViewQuery;
use super::{history, ws, AppState};

/// Without `limit`, `/api/flows` answers at most this many flows.
pub const DEFAULT_LIMIT: usize = 1000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/flows", get(flows))
        .route("/flows/{key}", get(flow))
        .route("/status", get(status))
        .route("/history", get(history::status))
        .route("/ws", get(ws::upgrade))
        .route("/ws/status", get(ws::status::upgrade))
        .merge(super::ruleset::routes())
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "no such API endpoint")
        })
        .layer(axum::middleware::from_fn(json_errors))
}

async fn flows(
    State(state): State<AppState>,
    Query(query): Query<ViewQuery>,
) -> Result<Response, ApiError> {
    let view = query.parse()?;
    let limit = view.limit.unwrap_or(DEFAULT_LIMIT);
    if limit > MAX_PAGE_LIMIT {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "limit: {limit} is more than the {MAX_PAGE_LIMIT} flows a \
                 page may hold; read further pages with offset"
            ),
        ));
    }
    // Encoded on the blocking thread too.
    let body = state
        .compute
        .scan(move |snapshot| {
            let page = snapshot.shared_page(
                &view.filter,
                &view.sort,
                view.offset,
                limit,
            );
            serde_json::to_vec(&*page)
        })
        .await
        .map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        })?;
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

async fn flow(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let key: FlowKey = key.parse().map_err(|e: FlowKeyError| {
        ApiError::new(StatusCode::BAD_REQUEST, e.to_string())
    })?;
    let flows = state.compute.flows().clone();
    let history = state.history.clone();
    let found = state
        .compute
        .run(move || {
            let history = history.as_deref();
            history::flow_record(&flows, history, &key).map(|found| {
                found.ok_or_else(|| history::missing(history, &key))
            })
        })
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("reading the history: {e}"),
            )
        })?;
    match found {
        Ok(record) => Ok(Json(record).into_response()),
        Err(why) => Err(ApiError::new(StatusCode::NOT_FOUND, why)),
    }
}

async fn status(State(state): State<AppState>) -> Json<Health> {
    Json(state.compute.flows().status())
}
