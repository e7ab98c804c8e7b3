//! `GET /api/flows`, `GET /api/flows/{key}`, `GET /api/status`, the
//! WebSocket at `/api/ws`, and the ruleset's and the kiosk's routes.

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use app::query::{Sort, TimeSpan};
use app::wire::{FlowKey, FlowKeyError, Health};

use super::bounds::MAX_PAGE_LIMIT;
use super::error::{json_errors, ApiError};
use super::view::{Format, View, ViewQuery};
use super::{export, history, ws, AppState};
use crate::store::Rows;

/// Without `limit`, `/api/flows` answers at most this many flows.
pub const DEFAULT_LIMIT: usize = 1000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/flows", get(flows))
        .route("/flows/{key}", get(flow))
        .route("/flows/{key}/invalid", get(super::findings::flow_invalid))
        .route("/status", get(status))
        .route("/findings", get(super::findings::findings))
        .route("/findings/stream", get(super::findings::stream))
        .route("/invalid", get(super::findings::invalid))
        .route("/conntrack/stats", get(super::findings::conntrack_stats))
        .route("/history", get(history::status))
        .route("/ws", get(ws::upgrade))
        .route("/ws/status", get(ws::status::upgrade))
        .merge(super::ruleset::routes())
        .merge(super::kiosk::api_routes())
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
    if let Some(window) = view.window {
        return past_flows(&state, view, window, limit).await;
    }
    // Encoded on the blocking thread too.
    let format = view.format;
    let body = state
        .compute
        .scan(move |snapshot| {
            let page = snapshot.shared_page(
                &view.filter,
                &view.sort,
                view.offset,
                limit,
            );
            match format {
                Format::Json => serde_json::to_vec(&*page),
                Format::Csv => {
                    Ok(export::csv(page.flows.iter().map(|f| (f, None)))
                        .into_bytes())
                }
            }
        })
        .await
        .map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        })?;
    Ok(encoded(format, body))
}

/// The flows of the history alive during `window`, the youngest first.
async fn past_flows(
    state: &AppState,
    view: View,
    window: TimeSpan,
    limit: usize,
) -> Result<Response, ApiError> {
    let Some(history) = state.history.clone() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("from, to: {}", history::NO_HISTORY),
        ));
    };
    if view.sort != Sort::default() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "sort: a time window lists the youngest flows first (sort={}); \
                 other orders are for the live table",
                Sort::default()
            ),
        ));
    }
    let rows = Rows {
        offset: view.offset,
        limit,
    };
    let format = view.format;
    let body = state
        .compute
        .run(move || {
            let page = history.search(&view.filter, window, rows)?;
            Ok::<_, anyhow::Error>(match format {
                Format::Json => serde_json::to_vec(&page)?,
                Format::Csv => export::past(&page.flows).into_bytes(),
            })
        })
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("searching the history: {e}"),
            )
        })?;
    Ok(encoded(format, body))
}

fn encoded(format: Format, body: Vec<u8>) -> Response {
    match format {
        Format::Json => {
            ([(CONTENT_TYPE, "application/json")], body).into_response()
        }
        Format::Csv => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8"),
                (CONTENT_DISPOSITION, "attachment; filename=\"flows.csv\""),
            ],
            body,
        )
            .into_response(),
    }
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
