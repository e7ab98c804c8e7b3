//! The view a request asks for in its query string (filter, sort, rows,
//! open flow, time window, format), shared by `GET /api/flows` and the
//! live stream.

use axum::http::StatusCode;
use serde::Deserialize;

use app::query::{window, Filter, Sort, TimeSpan};
use app::wire::{FlowKey, FlowKeyError};

use super::bounds::check_filter;
use super::error::ApiError;
use crate::state::now_ms;

/// The raw query string; parsed by hand to say exactly what is wrong.
#[derive(Debug, Default, Deserialize)]
pub struct ViewQuery {
    pub q: Option<String>,
    pub sort: Option<String>,
    pub offset: Option<String>,
    pub limit: Option<String>,
    pub open: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub format: Option<String>,
}

/// A parsed, valid view: the filter, the sort and which rows.
pub struct View {
    pub filter: Filter,
    pub sort: Sort,
    pub offset: usize,
    pub limit: Option<usize>,
    pub open: Option<FlowKey>,
    /// A history search over this span, ms since the Unix epoch; `None`
    /// for the live table.
    pub window: Option<TimeSpan>,
    pub format: Format,
}

/// How `GET /api/flows` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl ViewQuery {
    pub fn parse(&self) -> Result<View, ApiError> {
        let text = self.q.as_deref().unwrap_or_default();
        check_filter(text)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
        let filter = Filter::parse(text).map_err(ApiError::filter)?;
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
        let window = (self.from.is_some() || self.to.is_some())
            .then(|| window(self.from.as_deref(), self.to.as_deref(), now_ms()))
            .transpose()
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
        let format = match self.format.as_deref() {
            None | Some("" | "json") => Format::Json,
            Some("csv") => Format::Csv,
            Some(other) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("format: {other:?} is not json or csv"),
                ))
            }
        };
        Ok(View {
            filter,
            sort,
            offset: number("offset", self.offset.as_deref())?.unwrap_or(0),
            limit: number("limit", self.limit.as_deref())?,
            open,
            window,
            format,
        })
    }
}

/// A query parameter that must be a non-negative integer; empty is
/// missing.
pub fn number<T: std::str::FromStr>(
    name: &str,
    value: Option<&str>,
) -> Result<Option<T>, ApiError> {
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
