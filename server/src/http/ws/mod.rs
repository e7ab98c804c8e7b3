//! `/api/ws?q=FILTER[&sort=FIELD&offset=N&limit=N&open=KEY]`: the live
//! stream. Without `limit` it follows every matching flow as deltas
//! ([`deltas`]); with `limit` it keeps one window of sorted rows up to
//! date, as the page needs ([`window`]).

mod deltas;
pub mod status;
mod window;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;

use app::wire::{ServerMsg, Window};

use super::api::ViewQuery;
use super::AppState;

pub async fn upgrade(
    State(state): State<AppState>,
    Query(query): Query<ViewQuery>,
    ws: WebSocketUpgrade,
) -> Response {
    let view = query.parse();
    ws.on_upgrade(move |mut socket| async move {
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
                    .run(socket, state.flows)
                    .await
            }
            Some(limit) => {
                let window = Window {
                    offset: view.offset,
                    limit,
                    open: view.open,
                };
                window::Watcher::new(view.filter, view.sort, window)
                    .run(socket, state.flows)
                    .await
            }
        }
    })
}

fn error(message: &str) -> ServerMsg {
    ServerMsg::Error {
        message: message.to_owned(),
    }
}

async fn send(
    socket: &mut WebSocket,
    msg: &ServerMsg,
) -> Result<(), axum::Error> {
    let text = serde_json::to_string(msg).map_err(axum::Error::new)?;
    socket.send(Message::Text(Utf8Bytes::from(text))).await
}
