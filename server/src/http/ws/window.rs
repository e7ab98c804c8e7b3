//! The stream with a window: the rows a page shows, sorted here, sent
//! whole whenever one of them changes. A page holds a screenful of flows
//! whatever the size of the table, and a busy table costs it no more than
//! a quiet one. The rows a finding names are marked, a change of the
//! findings sends the window again, and the open flow comes with what
//! its page renders on the server (path, timeline, INVALID packets,
//! findings) whenever that flow or the findings changed.

use axum::extract::ws::{Message, WebSocket};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use std::collections::HashSet;

use app::query::{Filter, Sort};
use app::source::SharedSource;
use app::wire::{Flow, FlowKey, ServerMsg, Window, WindowRows};

use super::{error, send};
use crate::diagnose::FindingsFeed;
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
    /// The open flow's version and the findings' when its sections were
    /// last sent.
    sections_of: Option<SectionsOf>,
    /// Computing a window of a big table takes a while; the next one waits
    /// as long again, so a watcher never takes more than half a core. The
    /// client's moves and the table's changes wait too: only the last
    /// state before this counts.
    next_at: Instant,
}

/// Where a window's marks and sections come from.
pub struct Marks {
    pub findings: FindingsFeed,
    pub pages: SharedSource,
}

/// What the open flow's sections were rendered from: its key, its
/// version (`None` once it ended) and the findings' sequence number.
type SectionsOf = (FlowKey, Option<u64>, u64);

/// The identity of a sent window: its place, and each row's version.
#[derive(PartialEq)]
struct Shown {
    total: usize,
    offset: usize,
    rows: Vec<(FlowKey, u64)>,
    open: Option<(FlowKey, u64)>,
    flagged: Vec<FlowKey>,
}

impl Shown {
    fn of(w: &WindowRows) -> Self {
        let version = |f: &Flow| (f.key, f.updated_ms);
        Self {
            total: w.total,
            offset: w.offset,
            rows: w.rows.iter().map(version).collect(),
            open: w.open.as_ref().map(version),
            flagged: w.flagged.clone(),
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
            sections_of: None,
            next_at: Instant::now(),
        }
    }

    pub async fn run(
        mut self,
        mut socket: WebSocket,
        compute: Compute,
        mut marks: Marks,
    ) {
        let mut ticks = compute.flows().subscribe();
        if self.update(&mut socket, &compute, &marks).await.is_err() {
            return;
        }
        // Without a diagnosis (its task ended) there is nothing to wait for.
        let mut diagnosing = true;
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
                    self.update(&mut socket, &compute, &marks).await
                }
                changed = marks.findings.changed(), if diagnosing => {
                    diagnosing = changed.is_ok();
                    self.dirty = true;
                    Ok(())
                }
                // A change or a move that came while the last window's
                // cost was being waited out is sent when the wait ends,
                // not a tick later.
                () = tokio::time::sleep_until(self.next_at), if self.dirty => {
                    self.update(&mut socket, &compute, &marks).await
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
        marks: &Marks,
    ) -> Result<(), axum::Error> {
        if !self.dirty || Instant::now() < self.next_at {
            let status = compute.flows().status();
            return send(socket, &ServerMsg::Health(status)).await;
        }
        let (filter, sort, window) =
            (self.filter.clone(), self.sort, self.window);
        let flows = compute.flows().clone();
        let (flagged, findings_seq) = {
            let findings = marks.findings.borrow();
            (findings.flows(), findings.seq)
        };
        let (mut rows, took) = compute
            .scan(move |snapshot| {
                let began = std::time::Instant::now();
                let mut rows =
                    window_rows(snapshot, &flows, &filter, &sort, window);
                rows.flagged = named(&rows, &flagged);
                (rows, began.elapsed())
            })
            .await;
        self.next_at = Instant::now() + took;
        self.dirty = false;
        let sections_of = self.window.open.map(|key| {
            let version = rows.open.as_ref().map(|f| f.updated_ms);
            (key, version, findings_seq)
        });
        if sections_of.is_some() && sections_of != self.sections_of {
            rows.sections = sections_of.and_then(|(key, ..)| {
                let record = marks.pages.flow(&key)?;
                Some(app::flow_sections_html(marks.pages.as_ref(), &record))
            });
            self.sections_of = sections_of;
        }
        let shown = Shown::of(&rows);
        if self.shown.as_ref() == Some(&shown) && rows.sections.is_none() {
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
        flagged: Vec::new(),
        sections: None,
    }
}

/// The keys of the window's flows that are in `flagged`, each once.
fn named(w: &WindowRows, flagged: &HashSet<FlowKey>) -> Vec<FlowKey> {
    let mut named = Vec::new();
    for key in w.rows.iter().chain(&w.open).map(|f| f.key) {
        if flagged.contains(&key) && !named.contains(&key) {
            named.push(key);
        }
    }
    named
}

fn clamp(window: Window) -> Window {
    Window {
        limit: window.limit.min(MAX_LIMIT),
        ..window
    }
}
