//! The stream without a window: a snapshot of the matching flows, then a
//! delta per publish tick. A watcher that falls behind the broadcast is
//! sent a fresh snapshot; nothing queues up for it.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket};
use tokio::sync::broadcast::error::RecvError;

use app::query::Filter;
use app::wire::{FlowKey, ServerMsg};

use super::send;
use crate::state::{Published, StateHandle};

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

    pub async fn run(mut self, mut socket: WebSocket, flows: StateHandle) {
        let (mut deltas, _following) = flows.follow();
        if self.snapshot(&mut socket, &flows).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                batch = deltas.recv() => {
                    let sent = match batch {
                        Ok(batch) => self.delta(&mut socket, &batch).await,
                        Err(RecvError::Lagged(missed)) => {
                            deltas = deltas.resubscribe();
                            self.lagged(&mut socket, &flows, missed).await
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

    async fn snapshot(
        &mut self,
        socket: &mut WebSocket,
        flows: &StateHandle,
    ) -> Result<(), axum::Error> {
        let (snapshot, matching) = flows.matching(self.filter.clone()).await;
        self.seq = snapshot.seq;
        self.sent = matching.iter().map(|f| f.key).collect();
        let msg = ServerMsg::Snapshot {
            seq: snapshot.seq,
            flows: matching,
            status: snapshot.status.clone(),
        };
        send(socket, &msg).await
    }

    /// Says how far the watcher fell behind, then starts it over.
    async fn lagged(
        &mut self,
        socket: &mut WebSocket,
        flows: &StateHandle,
        missed: u64,
    ) -> Result<(), axum::Error> {
        let status = flows.status();
        send(socket, &ServerMsg::Lagged { missed, status }).await?;
        self.snapshot(socket, flows).await
    }

    async fn delta(
        &mut self,
        socket: &mut WebSocket,
        batch: &Arc<Published>,
    ) -> Result<(), axum::Error> {
        // Batches up to the snapshot's are already in it.
        if batch.seq <= self.seq {
            return Ok(());
        }
        self.seq = batch.seq;
        let mut upsert = Vec::new();
        let mut remove = Vec::new();
        for flow in &batch.upsert {
            if self.filter.matches(flow) {
                self.sent.insert(flow.key);
                upsert.push(flow.clone());
            } else if self.sent.remove(&flow.key) {
                remove.push(flow.key);
            }
        }
        remove.extend(batch.remove.iter().filter(|k| self.sent.remove(k)));
        send(
            socket,
            &ServerMsg::Delta {
                seq: batch.seq,
                upsert,
                remove,
                status: batch.status.clone(),
            },
        )
        .await
    }
}
