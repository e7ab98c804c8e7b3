//! The stream with a window: the rows a page shows, sorted here, sent
//! whole whenever one of them changes. A page holds a screenful of flows
//! whatever the size of the table, and a busy table costs it no more than
//! a quiet one.

use axum::extract::ws::{Message, WebSocket};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use app::query::{Filter, Sort};
use app::wire::{Flow, FlowKey, ServerMsg, Window, WindowRows};

use super::{error, send};
use crate::http::compute::Compute;
use crate::state::{Snapshot, StateHandle};

/// Largest window a page may ask for: a few tall screens.
const MAX_LIMIT: usize = 1000;

pub struct Watcher {
    filter: Filter,
    sort: Sort,
    window: Window,
    /// What the page was last sent, to send nothing when nothing changed.
    shown: Option<Shown>,
    /// Flows changed, or the client moved the window, since it was last
    /// computed.
    dirty: bool,
    /// Computing a window of a big table takes a while; the next one waits
    /// as long again, so a watcher never takes more than half a core. The
    /// client's moves and the table's changes wait too: only the last
    /// state before this counts.
    next_at: Instant,
}

/// The identity of a sent window: its place, and each row's version.
#[derive(PartialEq)]
struct Shown {
    total: usize,
    offset: usize,
    rows: Vec<(FlowKey, u64)>,
    open: Option<(FlowKey, u64)>,
}

impl Shown {
    fn of(w: &WindowRows) -> Self {
        let version = |f: &Flow| (f.key, f.updated_ms);
        Self {
            total: w.total,
            offset: w.offset,
            rows: w.rows.iter().map(version).collect(),
            open: w.open.as_ref().map(version),
        }
    }
}

impl Watcher {
    pub fn new(filter: Filter, sort: Sort, window: Window) -> Self {
        Self {
            filter,
            sort,
            window: clamp(window),
            shown: None,
            dirty: true,
            next_at: Instant::now(),
        }
    }

    pub async fn run(mut self, mut socket: WebSocket, compute: Compute) {
        let mut ticks = compute.flows().subscribe();
        if self.update(&mut socket, &compute).await.is_err() {
            return;
        }
        loop {
            let sent = tokio::select! {
                tick = ticks.recv() => {
                    match tick {
                        Ok(batch) => self.dirty |= batch.changed,
                        Err(RecvError::Lagged(_)) => {
                            ticks = ticks.resubscribe();
                            self.dirty = true;
                        }
                        Err(RecvError::Closed) => return,
                    }
                    self.update(&mut socket, &compute).await
                }
                // A change or a move that came while the last window's
                // cost was being waited out is sent when the wait ends,
                // not a tick later.
                () = tokio::time::sleep_until(self.next_at), if self.dirty => {
                    self.update(&mut socket, &compute).await
                }
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        match serde_json::from_str::<Window>(&text) {
                            Ok(window) => {
                                self.window = clamp(window);
                                self.dirty = true;
                                Ok(())
                            }
                            Err(e) => {
                                let message = format!("window: {e}");
                                let _ = send(&mut socket, &error(&message)).await;
                                return;
                            }
                        }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => Ok(()),
                }
            };
            if sent.is_err() {
                return;
            }
        }
    }

    /// Sends the window if it changed, else only the status.
    async fn update(
        &mut self,
        socket: &mut WebSocket,
        compute: &Compute,
    ) -> Result<(), axum::Error> {
        if !self.dirty || Instant::now() < self.next_at {
            let status = compute.flows().status();
            return send(socket, &ServerMsg::Health(status)).await;
        }
        let (filter, sort, window) =
            (self.filter.clone(), self.sort, self.window);
        let flows = compute.flows().clone();
        let (rows, took) = compute
            .scan(move |snapshot| {
                let began = std::time::Instant::now();
                let rows =
                    window_rows(snapshot, &flows, &filter, &sort, window);
                (rows, began.elapsed())
            })
            .await;
        self.next_at = Instant::now() + took;
        self.dirty = false;
        let shown = Shown::of(&rows);
        if self.shown.as_ref() == Some(&shown) {
            return send(socket, &ServerMsg::Health(rows.status)).await;
        }
        self.shown = Some(shown);
        send(socket, &ServerMsg::Window(Box::new(rows))).await
    }
}

/// The window's rows from the snapshot, shared with every watcher of the
/// same view; the open flow as it is now.
fn window_rows(
    snapshot: &Snapshot,
    flows: &StateHandle,
    filter: &Filter,
    sort: &Sort,
    window: Window,
) -> WindowRows {
    let Window {
        offset,
        limit,
        open,
    } = window;
    let page = snapshot.shared_page(filter, sort, offset, limit);
    // The open flow usually is a row of the window; a lookup otherwise.
    let open = open.and_then(|key| {
        page.flows
            .iter()
            .find(|f| f.key == key)
            .cloned()
            .or_else(|| flows.flow(&key))
    });
    WindowRows {
        total: page.total,
        offset,
        rows: page.flows.clone(),
        open,
        status: snapshot.status.clone(),
    }
}

fn clamp(window: Window) -> Window {
    Window {
        limit: window.limit.min(MAX_LIMIT),
        ..window
    }
}
