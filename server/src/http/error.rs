//! The API's one error shape, `{"error": "...", "position": N}`, and the
//! layer that gives it to the answers axum builds itself (a path that does
//! not decode, a bad query, a failed WebSocket upgrade, a wrong method),
//! which come as plain text otherwise.

use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use app::query::FilterError;

/// axum's rejection texts are a line or two; anything longer is cut.
const REJECTION_BYTES: usize = 4096;

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

    pub fn filter(e: FilterError) -> Self {
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

    pub fn status(&self) -> StatusCode {
        self.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.code, Json(self.body)).into_response()
    }
}

/// Rewrites an error answer that is not JSON into the API's shape, keeping
/// its status and its text.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), REJECTION_BYTES)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    let text = text.trim();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        text.to_owned()
    };
    ApiError::new(status, message).into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    use super::*;

    /// A body-less answer with only a status.
    fn bare(status: StatusCode) -> Response {
        Response::builder()
            .status(status)
            .body(Body::empty())
            .unwrap()
    }

    async fn answer(router: Router, uri: &str) -> (StatusCode, String) {
        let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
        let res = router.oneshot(req).await.unwrap();
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    fn router() -> Router {
        Router::new()
            .route(
                "/q",
                get(|_: axum::extract::Query<Vec<(u8, u8)>>| async { "ok" }),
            )
            .route("/teapot", get(|| async { bare(StatusCode::IM_A_TEAPOT) }))
            .route(
                "/own",
                get(|| async { ApiError::new(StatusCode::NOT_FOUND, "gone") }),
            )
            .layer(axum::middleware::from_fn(json_errors))
    }

    #[tokio::test]
    async fn text_rejections_become_json() {
        let (status, body) = answer(router(), "/q?a=b").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(json["error"].as_str().unwrap().contains("query"), "{body}");
    }

    #[tokio::test]
    async fn an_empty_error_gets_its_status_text() {
        let (status, body) = answer(router(), "/teapot").await;
        assert_eq!(status, StatusCode::IM_A_TEAPOT);
        assert_eq!(body, r#"{"error":"i'm a teapot"}"#);
    }

    #[tokio::test]
    async fn json_errors_pass_unchanged() {
        let (status, body) = answer(router(), "/own").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, r#"{"error":"gone"}"#);
    }
}
