//! `/api/ws?q=FILTER[&sort=FIELD&offset=N&limit=N&open=KEY]`: the live
//! stream. Without `limit` it follows every matching flow as deltas
//! ([`deltas`]); with `limit` it keeps one window of sorted rows up to
//! date, as the page needs ([`window`]).
//!
//! What one stream may hold is bounded: a message the client does not
//! take within [`SEND_TIMEOUT`] ends it (a snapshot of a big table is tens
//! of megabytes, and the broadcast backlog stays alive behind it), and at
//! most `--max-websockets` streams are open at once.

mod deltas;
mod rendered;
pub mod ruleset;
pub mod status;
mod window;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use app::wire::{ServerMsg, Window};

use super::auth::Visitor;
use super::error::ApiError;
use super::site;
use super::view::ViewQuery;
use super::AppState;

use crate::state::StateHandle;
pub use rendered::Rendered;

/// Streams open at once unless `--max-websockets` says otherwise.
pub const DEFAULT_MAX_WEBSOCKETS: usize = 32;
/// A message the client has not taken by then ends its stream.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Clients only send window moves, under a hundred bytes each.
const MAX_CLIENT_MESSAGE: usize = 4096;

/// The open streams, at most `max`.
#[derive(Clone)]
pub struct Streams {
    open: Arc<Semaphore>,
    max: usize,
}

impl Streams {
    pub fn new(max: usize) -> Self {
        Self {
            open: Arc::new(Semaphore::new(max)),
            max,
        }
    }

    fn enter(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        Arc::clone(&self.open).try_acquire_owned().map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "too many live streams: all {} are open; close a page \
                     or raise --max-websockets (NFSCOPE_MAX_WEBSOCKETS)",
                    self.max
                ),
            )
        })
    }
}

/// What every stream checks before it opens: who opens it, that the
/// handshake is sound, and that there is room; the stream holds the
/// returned place while it lives.
fn admit(
    state: &AppState,
    headers: &HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<(WebSocketUpgrade, OwnedSemaphorePermit), ApiError> {
    state.hosts.check_origin(headers)?;
    check_key(headers)?;
    let open = state.streams.enter()?;
    let ws = ws
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE);
    Ok((ws, open))
}

/// A stream that only needs the state: admitted, then `run` on its
/// socket while it holds its place.
fn open_stream<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    ws: WebSocketUpgrade,
    run: F,
) -> Result<Response, ApiError>
where
    F: FnOnce(WebSocket, StateHandle) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let (ws, open) = admit(state, headers, ws)?;
    let flows = state.compute.flows().clone();
    Ok(ws.on_upgrade(move |socket| async move {
        let _open = open;
        run(socket, flows).await
    }))
}

pub async fn upgrade(
    State(state): State<AppState>,
    visitor: Option<Extension<Visitor>>,
    headers: HeaderMap,
    Query(query): Query<ViewQuery>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let (ws, open) = admit(&state, &headers, ws)?;
    // A share link's stream renders what its page may show.
    let pages = site::source_for(
        &site::source(&state),
        visitor.as_ref().map(|Extension(v)| v),
    );
    let view = query.parse().and_then(|view| match view.window {
        Some(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "from, to: the stream follows the live table; read a time \
             window with GET /api/flows",
        )),
        None => Ok(view),
    });
    Ok(ws.on_upgrade(move |mut socket| async move {
        let _open = open;
        let view = match view {
            Ok(view) => view,
            Err(e) => {
                let _ = send(&mut socket, &error(e.message())).await;
                return;
            }
        };
        match view.limit {
            None => {
                deltas::Watcher::new(view.filter)
                    .run(socket, state.compute)
                    .await
            }
            Some(limit) => {
                let window = Window {
                    offset: view.offset,
                    limit,
                    open: view.open,
                };
                let marks = window::Marks {
                    findings: state.findings.clone(),
                    pages,
                };
                window::Watcher::new(view.filter, view.sort, window)
                    .run(socket, state.compute, marks)
                    .await
            }
        }
    }))
}

/// RFC 6455: the key is 16 random bytes in base64. axum only checks that
/// there is one.
fn check_key(headers: &HeaderMap) -> Result<(), ApiError> {
    let key = headers
        .get("sec-websocket-key")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    match STANDARD.decode(key) {
        Ok(bytes) if bytes.len() == 16 => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "Sec-WebSocket-Key {:?} is not 16 bytes in base64",
                String::from_utf8_lossy(key)
            ),
        )),
    }
}

fn error(message: &str) -> ServerMsg {
    ServerMsg::Error {
        message: message.to_owned(),
    }
}

fn encode(msg: &impl serde::Serialize) -> Result<Utf8Bytes, axum::Error> {
    let text = serde_json::to_string(msg).map_err(axum::Error::new)?;
    Ok(Utf8Bytes::from(text))
}

async fn send(
    socket: &mut WebSocket,
    msg: &impl serde::Serialize,
) -> Result<(), axum::Error> {
    send_text(socket, encode(msg)?).await
}

async fn send_text(
    socket: &mut WebSocket,
    text: Utf8Bytes,
) -> Result<(), axum::Error> {
    let sending = socket.send(Message::Text(text));
    match tokio::time::timeout(SEND_TIMEOUT, sending).await {
        Ok(sent) => sent,
        Err(_) => Err(axum::Error::new(format!(
            "the client took no message for {} s",
            SEND_TIMEOUT.as_secs()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn key(value: &str) -> Result<(), ApiError> {
        let mut headers = HeaderMap::new();
        headers
            .insert("sec-websocket-key", HeaderValue::from_str(value).unwrap());
        check_key(&headers)
    }

    #[test]
    fn keys_are_16_bytes_of_base64() {
        // The example of RFC 6455, section 1.3.
        assert!(key("dGhlIHNhbXBsZSBub25jZQ==").is_ok());
        for bad in [
            "x",
            "dGhlIHNhbXBsZSBub25jZQ",
            "dGhlIHNhbXBsZSBub25jZSE=",
            "!!!!",
        ] {
            let err = key(bad).unwrap_err();
            assert!(err.message().contains(bad), "{}", err.message());
        }
    }
}
