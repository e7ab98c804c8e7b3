//! The accept loop, on hyper's HTTP/1 server: axum::serve has no timeouts
//! and no limit on connections, so clients that opened connections and
//! sent nothing took every file descriptor, and then `/api/status` and
//! the collector's next dump socket too.
//!
//! - Reading a request's head times out ([`HEADER_TIMEOUT`]); hyper runs
//!   the same timer while a kept-alive connection waits for its next
//!   request, so it is the idle timeout as well.
//! - An answer that moves no byte for [`STALL_TIMEOUT`] (a client that
//!   stopped reading) ends its connection.
//! - At most `max` connections are open, WebSockets included, well below
//!   the descriptor limit ([`max_connections`]). When all are taken, the
//!   one that has waited longest for a request is closed to make room:
//!   idle connections cannot lock out a client that has something to ask.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Notify};
use tokio::time::Instant;
use tower::ServiceExt;

pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const STALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Descriptors kept for everything but connections: the collector's
/// netlink sockets, /proc reads, the runtime, the logs.
pub const FD_RESERVE: u64 = 64;
/// A connection may hold a file open while it serves one.
const FDS_PER_CONNECTION: u64 = 2;
/// A dashboard needs no more, however many descriptors there are.
const CONNECTIONS_CEILING: u64 = 1024;
/// How long a new connection waits for room before it is closed.
const ROOM_WAIT: Duration = Duration::from_secs(1);
/// After a failed accept (a full descriptor table), before the next.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// How long shutdown waits for answers in progress.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    #[error("cannot read the file descriptor limit (RLIMIT_NOFILE)")]
    Rlimit(#[source] io::Error),
    #[error(
        "{connections} connections need {needed} file descriptors, but the \
         limit (RLIMIT_NOFILE) is {nofile}: raise it (ulimit -n) or lower \
         --max-connections"
    )]
    TooFewDescriptors {
        connections: usize,
        needed: u64,
        nofile: u64,
    },
}

/// `wanted` connections if the descriptor limit allows them, by default
/// as many as it allows (up to 1024), keeping [`FD_RESERVE`] free.
pub fn max_connections(wanted: Option<usize>) -> Result<usize, LimitError> {
    let nofile = nofile_limit().map_err(LimitError::Rlimit)?;
    let fits = nofile.saturating_sub(FD_RESERVE) / FDS_PER_CONNECTION;
    let connections = wanted
        .map_or(fits.min(CONNECTIONS_CEILING), |n| n as u64)
        .max(1);
    let needed = FD_RESERVE + connections * FDS_PER_CONNECTION;
    if needed > nofile {
        return Err(LimitError::TooFewDescriptors {
            connections: connections as usize,
            needed,
            nofile,
        });
    }
    Ok(connections as usize)
}

fn nofile_limit() -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(limit.rlim_cur)
}

/// Serves `app` until `shutdown` resolves, then lets answers in progress
/// finish for a few seconds.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    max: usize,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Slots::new(max));
    let (stop, stopping) = watch::channel(());
    // Every connection task holds a sender: recv() ends when all are gone.
    let (alive, mut all_done) = mpsc::channel::<()>(1);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = slots.admit().await else {
            tracing::warn!(max, "every connection is busy; closing a new one");
            continue;
        };
        tokio::spawn(connection(
            stream,
            peer,
            slot,
            app.clone(),
            stopping.clone(),
            alive.clone(),
        ));
    }
    drop(listener);
    let _ = stop.send(());
    drop(alive);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, all_done.recv()).await;
}

/// Requests carry `peer` as axum's `ConnectInfo`: who is asking, for
/// the logs and the login limits.
async fn connection(
    stream: TcpStream,
    peer: std::net::SocketAddr,
    slot: Arc<Slot>,
    app: Router,
    mut stopping: watch::Receiver<()>,
    _alive: mpsc::Sender<()>,
) {
    let io = TokioIo::new(Tracked {
        stream,
        slot: Arc::clone(&slot),
    });
    let service = {
        let slot = Arc::clone(&slot);
        service_fn(move |mut req: Request<Incoming>| {
            slot.set_idle(false);
            req.extensions_mut().insert(ConnectInfo(peer));
            let slot = Arc::clone(&slot);
            let answer = app.clone().oneshot(req);
            async move {
                let response = answer.await?;
                // An upgraded connection stays busy for as long as it lives.
                if response.status() == StatusCode::SWITCHING_PROTOCOLS {
                    return Ok::<_, Infallible>(response);
                }
                let done = IdleWhenSent(slot);
                Ok(response.map(move |body| {
                    Body::new(body.map_frame(move |frame| {
                        let _ = &done;
                        frame
                    }))
                }))
            }
        })
    };
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .serve_connection(io, service)
        .with_upgrades();
    tokio::pin!(conn);
    let mut draining = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended");
                }
                return;
            }
            () = slot.close.notified() => {
                tracing::debug!("closing an idle connection to make room");
                return;
            }
            () = tokio::time::sleep_until(slot.next_stall_check()) => {
                if slot.stalled() {
                    tracing::debug!("closing a connection whose client stopped reading");
                    return;
                }
            }
            _ = stopping.changed(), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// The open connections and those among them waiting for a request.
struct Slots {
    max: usize,
    room: Mutex<Room>,
    /// A connection closed; only the accept loop waits for this.
    freed: Notify,
    /// Origin of [`Slot::progress`].
    epoch: Instant,
}

#[derive(Default)]
struct Room {
    open: usize,
    /// Connections waiting for a request, by when they began to: the
    /// first has waited longest. Each holds its connection's close signal.
    idle: BTreeMap<u64, Arc<Notify>>,
    next_ticket: u64,
}

impl Slots {
    fn new(max: usize) -> Self {
        Self {
            max,
            room: Mutex::default(),
            freed: Notify::new(),
            epoch: Instant::now(),
        }
    }

    fn room(&self) -> MutexGuard<'_, Room> {
        self.room.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A slot for a new connection, closing idle ones to make room;
    /// `None` when every connection is busy for [`ROOM_WAIT`].
    async fn admit(self: &Arc<Self>) -> Option<Arc<Slot>> {
        let give_up = Instant::now() + ROOM_WAIT;
        loop {
            {
                let mut room = self.room();
                if room.open < self.max {
                    room.open += 1;
                    drop(room);
                    let slot = Arc::new(Slot {
                        slots: Arc::clone(self),
                        ticket: Mutex::new(None),
                        close: Arc::new(Notify::new()),
                        progress: AtomicU64::new(0),
                    });
                    slot.moved();
                    slot.set_idle(true);
                    return Some(slot);
                }
                if let Some((_, close)) = room.idle.pop_first() {
                    close.notify_one();
                }
            }
            let freed = self.freed.notified();
            if tokio::time::timeout_at(give_up, freed).await.is_err() {
                return None;
            }
        }
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }
}

/// One open connection's place among the slots; freed when the
/// connection's socket closes, an upgraded one's included.
struct Slot {
    slots: Arc<Slots>,
    /// Its key in [`Room::idle`] while it waits for a request.
    ticket: Mutex<Option<u64>>,
    close: Arc<Notify>,
    /// When a byte last moved, ms after [`Slots::epoch`].
    progress: AtomicU64,
}

impl Slot {
    fn set_idle(&self, idle: bool) {
        let mut ticket = self.ticket.lock().unwrap_or_else(|e| e.into_inner());
        let mut room = self.slots.room();
        if let Some(t) = ticket.take() {
            room.idle.remove(&t);
        }
        if idle {
            let t = room.next_ticket;
            room.next_ticket += 1;
            room.idle.insert(t, Arc::clone(&self.close));
            *ticket = Some(t);
        }
    }

    fn is_idle(&self) -> bool {
        self.ticket
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    fn moved(&self) {
        self.progress.store(self.slots.now_ms(), Ordering::Relaxed);
    }

    fn since_progress(&self) -> Duration {
        let last = self.progress.load(Ordering::Relaxed);
        Duration::from_millis(self.slots.now_ms().saturating_sub(last))
    }

    /// Busy with an answer that has not moved for [`STALL_TIMEOUT`].
    fn stalled(&self) -> bool {
        !self.is_idle() && self.since_progress() >= STALL_TIMEOUT
    }

    /// An idle connection is hyper's to time out; look again later.
    fn next_stall_check(&self) -> Instant {
        let now = Instant::now();
        if self.is_idle() {
            return now + STALL_TIMEOUT;
        }
        now + STALL_TIMEOUT.saturating_sub(self.since_progress())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.set_idle(false);
        self.slots.room().open -= 1;
        self.slots.freed.notify_one();
    }
}

/// Marks its connection idle once the answer's body is sent (or dropped).
struct IdleWhenSent(Arc<Slot>);

impl Drop for IdleWhenSent {
    fn drop(&mut self) {
        self.0.set_idle(true);
    }
}

/// The socket, noting each byte that moves and holding the slot.
struct Tracked {
    stream: TcpStream,
    slot: Arc<Slot>,
}

impl Tracked {
    fn note<T>(
        &self,
        result: &Poll<io::Result<T>>,
        moved: impl Fn(&T) -> bool,
    ) {
        if let Poll::Ready(Ok(value)) = result {
            if moved(value) {
                self.slot.moved();
            }
        }
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        let after = buf.filled().len();
        this.note(&result, |()| after > before);
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.note(&result, |n| *n > 0);
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.note(&result, |n| *n > 0);
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_house_closes_the_longest_idle_connection() {
        let slots = Arc::new(Slots::new(2));
        let first = slots.admit().await.unwrap();
        let second = slots.admit().await.unwrap();
        second.set_idle(false);
        let close = Arc::clone(&first.close);
        // The connection task drops its slot once told to close.
        let task = tokio::spawn(async move {
            close.notified().await;
            drop(first);
        });
        let third = slots.admit().await.expect("room made");
        task.await.unwrap();
        assert_eq!(slots.room().open, 2);
        drop((second, third));
        assert_eq!(slots.room().open, 0);
        assert!(slots.room().idle.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn busy_connections_are_not_closed_for_room() {
        let slots = Arc::new(Slots::new(1));
        let busy = slots.admit().await.unwrap();
        busy.set_idle(false);
        assert!(slots.admit().await.is_none());
        assert!(!busy.stalled());
        tokio::time::advance(STALL_TIMEOUT).await;
        assert!(busy.stalled());
        busy.set_idle(true);
        assert!(!busy.stalled(), "an idle connection is hyper's to time out");
    }

    #[test]
    fn the_limit_leaves_a_reserve() {
        let most = max_connections(None).unwrap() as u64;
        let nofile = nofile_limit().unwrap();
        assert!(FD_RESERVE + most * FDS_PER_CONNECTION <= nofile);
        let err = max_connections(Some(usize::MAX / 4)).unwrap_err();
        assert!(err.to_string().contains("--max-connections"), "{err}");
    }
}
