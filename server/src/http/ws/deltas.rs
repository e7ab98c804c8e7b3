//! The stream without a window: a snapshot of the matching flows, then a
//! delta per publish tick. A watcher that falls behind the broadcast is
//! sent a fresh snapshot; nothing queues up for it.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket};
use tokio::sync::broadcast::error::RecvError;

use app::query::Filter;
use app::wire::{FlowKey, ServerMsg};

use super::{encode, send_text};
use crate::http::compute::Compute;
use crate::state::Published;

/// One client's copy of the matching flows.
pub struct Watcher {
    filter: Filter,
    /// Keys this browser holds, so removals go only where they matter.
    sent: HashSet<FlowKey>,
    seq: u64,
}

impl Watcher {
    pub fn new(filter: Filter) -> Self {
        Self {
            filter,
            sent: HashSet::new(),
            seq: 0,
        }
    }

    pub async fn run(mut self, mut socket: WebSocket, compute: Compute) {
        let (mut deltas, _following) = compute.flows().follow();
        if self.snapshot(&mut socket, &compute).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                batch = deltas.recv() => {
                    let sent = match batch {
                        Ok(batch) => {
                            self.delta(&mut socket, &compute, batch).await
                        }
                        Err(RecvError::Lagged(missed)) => {
                            deltas = deltas.resubscribe();
                            self.lagged(&mut socket, &compute, missed).await
                        }
                        Err(RecvError::Closed) => return,
                    };
                    if sent.is_err() {
                        return;
                    }
                }
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                        return
                    }
                    Some(Ok(_)) => {}
                }
            }
        }
    }

    /// Says how far the watcher fell behind, then starts it over.
    async fn lagged(
        &mut self,
        socket: &mut WebSocket,
        compute: &Compute,
        missed: u64,
    ) -> Result<(), axum::Error> {
        let status = compute.flows().status();
        let text = encode(&ServerMsg::Lagged { missed, status });
        send_text(socket, text?).await?;
        self.snapshot(socket, compute).await
    }

    /// Finds and encodes the matching flows on a blocking thread.
    async fn snapshot(
        &mut self,
        socket: &mut WebSocket,
        compute: &Compute,
    ) -> Result<(), axum::Error> {
        let filter = self.filter.clone();
        let (seq, sent, text) = compute
            .scan(move |snapshot| {
                let (seq, status) = (snapshot.seq, snapshot.status.clone());
                let flows = snapshot.matching(&filter);
                let sent = flows.iter().map(|f| f.key).collect();
                let text = encode(&ServerMsg::Snapshot { seq, flows, status });
                (seq, sent, text)
            })
            .await;
        self.seq = seq;
        self.sent = sent;
        send_text(socket, text?).await
    }

    async fn delta(
        &mut self,
        socket: &mut WebSocket,
        compute: &Compute,
        batch: Arc<Published>,
    ) -> Result<(), axum::Error> {
        // Batches up to the snapshot's are already in it.
        if batch.seq <= self.seq {
            return Ok(());
        }
        self.seq = batch.seq;
        // A refresh dump changes the whole table: the keys this browser
        // holds go to the blocking thread and come back.
        let filter = self.filter.clone();
        let mut sent = std::mem::take(&mut self.sent);
        let (sent, text) = compute
            .run(move || {
                let msg = changes(&filter, &mut sent, &batch);
                (sent, encode(&msg))
            })
            .await;
        self.sent = sent;
        send_text(socket, text?).await
    }
}

/// The part of `batch` a watcher of `filter` holding `sent` must see.
fn changes(
    filter: &Filter,
    sent: &mut HashSet<FlowKey>,
    batch: &Published,
) -> ServerMsg {
    let mut upsert = Vec::new();
    let mut remove = Vec::new();
    for flow in &batch.upsert {
        if filter.matches(flow) {
            sent.insert(flow.key);
            upsert.push(flow.clone());
        } else if sent.remove(&flow.key) {
            remove.push(flow.key);
        }
    }
    remove.extend(batch.remove.iter().filter(|k| sent.remove(k)));
    ServerMsg::Delta {
        seq: batch.seq,
        upsert,
        remove,
        status: batch.status.clone(),
    }
}
