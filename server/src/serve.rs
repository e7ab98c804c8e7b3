//! `nfscope serve`: watch one network namespace, serve the dashboard.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use app::query::Cidr;

use crate::access::{Access, Plan};
use crate::capture::InvalidSwitch;
use crate::collect::conntrack::{Supervisor, Sysctl};
use crate::collect::nftables;
use crate::http::{listener, AllowedHost, HttpConfig};
use crate::state::{inbox, KeySpace, StateHandle};
use crate::store::StoreConfig;

/// Updates queued between the collectors and the state owner, in each of
/// its two lanes. When full a collector waits, and so do its threads, until the kernel's buffer
/// fills and ENOBUFS triggers a resync: memory stays bounded under any
/// event storm.
const UPDATE_QUEUE: usize = 4096;

/// How long a stop waits for the history to write what it was given.
const FLUSH_PATIENCE: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Socket receive buffer for conntrack events, bytes.
    pub rcvbuf: usize,
    /// The shortest time between two conntrack dumps that refresh
    /// counters (events carry none).
    pub ct_refresh: Duration,
    /// How often the ruleset's counters are read.
    pub rules_poll: Duration,
    /// Folder holding `pkg/` (wasm, JS, CSS).
    pub site_root: PathBuf,
    /// Where flow keys are kept across restarts; `None` keeps nothing.
    pub state_dir: Option<PathBuf>,
    /// The history database; `None` keeps no history.
    pub history: Option<StoreConfig>,
    /// Names to answer to besides the loopback ones and the listen
    /// address.
    pub allow_hosts: Vec<AllowedHost>,
    /// Open HTTP connections at most; by default what the descriptor
    /// limit allows.
    pub max_connections: Option<usize>,
    pub max_websockets: usize,
    /// `/` opens the kiosk.
    pub kiosk: bool,
    /// Who may see and change what, as decided from the command line
    /// and the access file.
    pub access: Plan,
    /// Proxies believed about the client's address.
    pub trusted_proxies: Vec<Cidr>,
    /// Sysctls turned on in the watched namespace before the first dump.
    pub enable: Vec<Sysctl>,
    /// A demo scenario's repair, offered on the findings page.
    pub remedy: Option<crate::demo::Remedy>,
    /// Capture INVALID packets from the start.
    pub capture_invalid: bool,
}

/// Runs until `shutdown` resolves. `listener` was bound by the caller,
/// possibly in another network namespace than the one watched.
pub async fn serve(
    config: ServeConfig,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let netns = crate::netns::current().context("reading /proc/self/ns/net")?;
    let boot = crate::netns::boot().context("reading the kernel's boot_id")?;
    // Before the collector opens anything: a limit too low fails here.
    let max_connections = listener::max_connections(config.max_connections)?;
    for sysctl in &config.enable {
        sysctl.set(true)?;
        tracing::info!(sysctl = sysctl.name(), "turned on");
    }
    let access = Access::open(config.access, config.state_dir.as_deref())?;
    let space = KeySpace { boot, netns };
    let mut state = StateHandle::new(space, config.state_dir.as_deref());
    let history = match config.history {
        Some(store) => {
            let (recorder, history) = crate::store::open(store, space)?;
            state = state.record_to(recorder.clone());
            Some((recorder, history))
        }
        None => None,
    };
    let (recorder, history) = history.unzip();
    let (state, rewrites) = state.keep_rewrites();
    let capture = Arc::new(InvalidSwitch::default());
    if config.capture_invalid {
        capture.on().context("--capture-invalid")?;
        tracing::info!("capturing INVALID packets");
    }
    let (updates, from_collectors) = inbox(UPDATE_QUEUE);
    let updates_for_rules = updates.clone();
    let conntrack =
        Supervisor::start(config.rcvbuf, config.ct_refresh, updates)?;
    let dumps = conntrack.dump_requests();
    tokio::spawn(conntrack.run());
    nftables::supervisor::start(updates_for_rules, config.rules_poll)?;
    tokio::spawn(state.clone().run(from_collectors));
    let (findings, stats) = crate::diagnose::start(
        state.clone(),
        rewrites,
        Arc::clone(&capture),
        recorder.zip(history.clone()),
    );

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
        state.clone(),
        HttpConfig {
            site_root: config.site_root,
            listen: addr,
            allow_hosts: config.allow_hosts,
            max_websockets: config.max_websockets,
            history,
            kiosk: config.kiosk,
            access: Arc::new(access),
            trusted_proxies: config.trusted_proxies,
            dumps,
            findings,
            stats,
            capture,
            remedy: config.remedy.map(Arc::new),
        },
    );
    listener::serve(listener, app, max_connections, shutdown).await;
    tokio::task::spawn_blocking(move || {
        state.save_keys();
        state.flush_history(FLUSH_PATIENCE);
    })
    .await?;
    Ok(())
}
