//! `nfscope serve`: watch one network namespace, serve the dashboard.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::mpsc;

use crate::collect::conntrack::{self, EventSocket};
use crate::http::{listener, AllowedHost, HttpConfig};
use crate::state::StateHandle;

/// Event batches queued between the socket thread and the table owner.
/// When full the reader waits, the kernel's buffer fills, and ENOBUFS
/// triggers a resync: memory stays bounded under any event storm.
const UPDATE_QUEUE: usize = 4096;

#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Socket receive buffer for conntrack events, bytes.
    pub rcvbuf: usize,
    /// Folder holding `pkg/` (wasm, JS, CSS).
    pub site_root: PathBuf,
    /// Names to answer to besides the loopback ones and the listen
    /// address.
    pub allow_hosts: Vec<AllowedHost>,
    /// Open HTTP connections at most; by default what the descriptor
    /// limit allows.
    pub max_connections: Option<usize>,
    pub max_websockets: usize,
}

/// Runs until `shutdown` resolves. `listener` was bound by the caller,
/// possibly in another network namespace than the one watched.
pub async fn serve(
    config: ServeConfig,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let netns = crate::netns::current().context("reading /proc/self/ns/net")?;
    // Before the collector opens anything: a limit too low fails here.
    let max_connections = listener::max_connections(config.max_connections)?;
    let events = EventSocket::open(config.rcvbuf)?;
    if events.rcvbuf < config.rcvbuf {
        tracing::warn!(
            granted = events.rcvbuf,
            asked = config.rcvbuf,
            "smaller event buffer than asked; events may be lost under load"
        );
    }
    let state = StateHandle::new(netns);
    let (tx, rx) = mpsc::channel(UPDATE_QUEUE);
    let stop = Arc::new(AtomicBool::new(false));
    let rcvbuf = events.rcvbuf;
    {
        let (tx, stop) = (tx.clone(), Arc::clone(&stop));
        std::thread::Builder::new()
            .name("ct-events".into())
            .spawn(move || conntrack::read_events(events, tx, stop))
            .context("starting the event thread")?;
    }
    tokio::spawn(state.clone().run(rx, tx, rcvbuf));

    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(netns, "dashboard on http://{addr}/");
    if !config.site_root.join("pkg/nfscope_bg.wasm").exists() {
        tracing::warn!(
            site_root = %config.site_root.display(),
            "no built site here: pages will not go live; run \
             scripts/build.sh or pass --site-root"
        );
    }
    if addr.ip().is_unspecified() {
        tracing::info!(
            "listening on every address: to open the dashboard by another \
             name than localhost, allow it with --allow-host NAME"
        );
    }
    let app = crate::http::router(
        state,
        HttpConfig {
            site_root: config.site_root,
            listen: addr,
            allow_hosts: config.allow_hosts,
            max_websockets: config.max_websockets,
        },
    );
    listener::serve(listener, app, max_connections, shutdown).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}
