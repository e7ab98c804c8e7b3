//! `/api/ws/ruleset`: the ruleset at once, then each commit (what it
//! changed, then the new ruleset) and, after each counter poll, the
//! counters that moved. A client that reads slowly skips polls, never a
//! commit: each tick sends what is new since what it last sent.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use tokio::sync::broadcast::error::RecvError;

use app::wire::ruleset::RulesetMsg;

use super::send;
use crate::collect::nftables::ruleset::Ruleset;
use crate::collect::nftables::view;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::state::ruleset::Rates;
use crate::state::StateHandle;

pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    super::open_stream(&state, &headers, ws, run)
}

/// What the client was sent last.
#[derive(Default)]
struct Sent {
    ruleset: Option<Arc<Ruleset>>,
    rates: Arc<Rates>,
    /// Commits of the history sent, by generation.
    generation: Option<u32>,
}

async fn run(mut socket: WebSocket, flows: StateHandle) {
    let mut ticks = flows.subscribe();
    let mut sent = Sent::default();
    loop {
        if catch_up(&mut socket, &flows, &mut sent).await.is_err() {
            return;
        }
        tokio::select! {
            tick = ticks.recv() => match tick {
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => ticks = ticks.resubscribe(),
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Sends what changed since `sent`.
async fn catch_up(
    socket: &mut WebSocket,
    flows: &StateHandle,
    sent: &mut Sent,
) -> Result<(), axum::Error> {
    let (ruleset, rates, changes) = {
        let shared = flows.read();
        let state = &shared.ruleset;
        let changes: Vec<_> = match sent.generation {
            Some(g) => state
                .history
                .iter()
                .filter(|c| c.generation > g)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        (state.current.clone(), Arc::clone(&state.rates), changes)
    };
    let Some(ruleset) = ruleset else {
        return Ok(());
    };
    let new_ruleset = !sent
        .ruleset
        .as_ref()
        .is_some_and(|s| Arc::ptr_eq(s, &ruleset));
    if new_ruleset {
        for change in changes {
            send(socket, &RulesetMsg::Change(change)).await?;
        }
        let wire = view::to_wire(&ruleset, &rates);
        send(socket, &RulesetMsg::Ruleset(Box::new(wire))).await?;
        sent.generation = Some(ruleset.generation);
        sent.ruleset = Some(ruleset);
    } else if !Arc::ptr_eq(&sent.rates, &rates) {
        let moved = view::moved_counters(&sent.rates, &rates);
        if !moved.is_empty() {
            send(socket, &RulesetMsg::Counters(moved)).await?;
        }
    }
    sent.rates = rates;
    Ok(())
}
