//! `/api/ws/status`: the collector's status as `{"status": {...}}`
//! messages, for the header of every page. One comes at once, then one
//! whenever the status changes (at most every 100 ms) and one every
//! second while it does not, so a page can tell a quiet server from a
//! dead link.

use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use tokio::sync::broadcast::error::RecvError;

use app::wire::{Health, ServerMsg};

use super::send;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::state::StateHandle;

/// Changes closer together than this wait for the next publish tick.
const MIN_GAP: Duration = Duration::from_millis(100);
/// An unchanged status is sent again this often.
const HEARTBEAT: Duration = Duration::from_secs(1);

pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    super::open_stream(&state, &headers, ws, run)
}

async fn run(mut socket: WebSocket, flows: StateHandle) {
    // Subscribe first, then read the status, so no change falls between.
    let mut ticks = flows.subscribe();
    let mut pacer = Pacer::new(flows.status(), Instant::now());
    if send(&mut socket, &ServerMsg::Health(pacer.sent.clone()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        let status = tokio::select! {
            tick = ticks.recv() => match tick {
                Ok(batch) => batch.status.clone(),
                Err(RecvError::Lagged(_)) => {
                    ticks = ticks.resubscribe();
                    flows.status()
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => continue,
            },
        };
        if pacer.due(&status, Instant::now())
            && send(&mut socket, &ServerMsg::Health(status)).await.is_err()
        {
            return;
        }
    }
}

/// Decides which statuses go out: changes, spaced by [`MIN_GAP`], and a
/// heartbeat every [`HEARTBEAT`].
struct Pacer {
    sent: Health,
    sent_at: Instant,
}

impl Pacer {
    fn new(sent: Health, now: Instant) -> Self {
        Self { sent, sent_at: now }
    }

    /// Whether to send `status` now; if so, it counts as sent.
    fn due(&mut self, status: &Health, now: Instant) -> bool {
        let since = now.saturating_duration_since(self.sent_at);
        let due = if *status == self.sent {
            since >= HEARTBEAT
        } else {
            since >= MIN_GAP
        };
        if due {
            self.sent = status.clone();
            self.sent_at = now;
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(entries: usize) -> Health {
        Health {
            entries,
            ..Health::default()
        }
    }

    #[test]
    fn changes_go_out_at_most_every_100_ms() {
        let t0 = Instant::now();
        let mut pacer = Pacer::new(status(1), t0);
        let at = |ms| t0 + Duration::from_millis(ms);
        assert!(!pacer.due(&status(2), at(50)), "too soon after the last");
        assert!(pacer.due(&status(2), at(100)));
        assert!(pacer.due(&status(3), at(200)));
        assert!(!pacer.due(&status(3), at(300)), "unchanged");
    }

    #[test]
    fn an_unchanged_status_goes_out_every_second() {
        let t0 = Instant::now();
        let mut pacer = Pacer::new(status(1), t0);
        let at = |ms| t0 + Duration::from_millis(ms);
        assert!(!pacer.due(&status(1), at(900)));
        assert!(pacer.due(&status(1), at(1000)));
        assert!(!pacer.due(&status(1), at(1900)));
        assert!(pacer.due(&status(1), at(2000)));
    }
}
