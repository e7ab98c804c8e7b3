//! `GET /api/flows`, `GET /api/flows/{key}`, `GET /api/status`, and the
//! WebSocket at `/api/ws`.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use app::query::{Filter, FilterError, Sort};
use app::wire::{FlowKey, FlowKeyError, FlowPage, Status};

use super::{ws, AppState};

/// Without `limit`, `/api/flows` answers at most this many flows.
pub const DEFAULT_LIMIT: usize = 1000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/flows", get(flows))
        .route("/flows/{key}", get(flow))
        .route("/status", get(status))
        .route("/ws", get(ws::upgrade))
        .route("/ws/status", get(ws::status::upgrade))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "no such API endpoint")
        })
}

/// The raw query string; parsed by hand to say exactly what is wrong.
#[derive(Debug, Default, Deserialize)]
pub struct ViewQuery {
    pub q: Option<String>,
    pub sort: Option<String>,
    pub offset: Option<String>,
    pub limit: Option<String>,
    pub open: Option<String>,
}

/// A parsed, valid view: the filter, the sort and which rows.
pub struct View {
    pub filter: Filter,
    pub sort: Sort,
    pub offset: usize,
    pub limit: Option<usize>,
    pub open: Option<FlowKey>,
}

impl ViewQuery {
    pub fn parse(&self) -> Result<View, ApiError> {
        let filter = Filter::parse(self.q.as_deref().unwrap_or_default())
            .map_err(ApiError::filter)?;
        let sort = match self.sort.as_deref() {
            None | Some("") => Sort::default(),
            Some(s) => s.parse().map_err(|e| {
                ApiError::new(StatusCode::BAD_REQUEST, format!("sort: {e}"))
            })?,
        };
        let open = match self.open.as_deref() {
            None | Some("") => None,
            Some(s) => Some(s.parse().map_err(|e: FlowKeyError| {
                ApiError::new(StatusCode::BAD_REQUEST, format!("open: {e}"))
            })?),
        };
        Ok(View {
            filter,
            sort,
            offset: number("offset", self.offset.as_deref())?.unwrap_or(0),
            limit: number("limit", self.limit.as_deref())?,
            open,
        })
    }
}

fn number(name: &str, value: Option<&str>) -> Result<Option<usize>, ApiError> {
    match value {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("{name}: {s:?} is not a non-negative integer"),
            )
        }),
    }
}

async fn flows(
    State(state): State<AppState>,
    query: Result<Query<ViewQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<FlowPage>, ApiError> {
    let Query(query) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let view = query.parse()?;
    let limit = view.limit.unwrap_or(DEFAULT_LIMIT);
    let (_, page) = state
        .flows
        .page(view.filter, view.sort, view.offset, limit)
        .await;
    Ok(Json(Arc::unwrap_or_clone(page)))
}

async fn flow(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let key: FlowKey = key.parse().map_err(|e: FlowKeyError| {
        ApiError::new(StatusCode::BAD_REQUEST, e.to_string())
    })?;
    let shared = state.flows.read();
    match shared.table.get(&key) {
        Some(flow) => Ok(Json(flow).into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("flow {key} is not in the table"),
        )),
    }
}

async fn status(State(state): State<AppState>) -> Json<Status> {
    Json(state.flows.status())
}

/// An error answer: `{"error": "...", "position": N}` with a status code.
#[derive(Debug)]
pub struct ApiError {
    code: StatusCode,
    body: ErrorBody,
}

#[derive(Debug, Serialize)]
struct ErrorBody {
    error: String,
    /// For filter errors: 0-based character offset of the problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
}

impl ApiError {
    pub fn new(code: StatusCode, error: impl Into<String>) -> Self {
        Self {
            code,
            body: ErrorBody {
                error: error.into(),
                position: None,
            },
        }
    }

    fn filter(e: FilterError) -> Self {
        Self {
            code: StatusCode::BAD_REQUEST,
            body: ErrorBody {
                error: format!("filter {e}"),
                position: Some(e.position),
            },
        }
    }

    pub fn message(&self) -> &str {
        &self.body.error
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.code, Json(self.body)).into_response()
    }
}
