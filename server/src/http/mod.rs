//! The HTTP face: JSON API, the live WebSocket, and the server-rendered
//! Leptos pages with their static assets.

mod admin;
mod api;
mod auth;
mod basic;
mod bounds;
mod client;
mod compute;
mod confirm;
mod error;
mod export;
mod findings;
mod guard;
mod headers;
mod history;
mod html;
mod kiosk;
pub mod listener;
mod login;
mod metrics;
mod ruleset;
mod shared_flow;
mod site;
mod view;
mod ws;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use leptos::prelude::LeptosOptions;
use tower_http::compression::CompressionLayer;

pub use admin::change_routes;
pub use auth::{Need, FORM_LIMIT, SHARE_COOKIE};
pub use bounds::{MAX_FILTER_CHARS, MAX_FILTER_VALUES, MAX_PAGE_LIMIT};
pub use guard::AllowedHost;
pub use ws::{DEFAULT_MAX_WEBSOCKETS, SEND_TIMEOUT};

use app::query::Cidr;

use crate::access::Access;
use crate::capture::InvalidSwitch;
use crate::collect::conntrack::DumpRequests;
use crate::demo::Remedy;
use crate::diagnose::{FindingsFeed, StatsFeed};
use crate::state::StateHandle;
use crate::store::History;
use compute::Compute;
use confirm::Confirmations;
use guard::AllowedHosts;

/// What the router needs to know besides the state.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Folder holding `pkg/` with the wasm, JS and CSS that
    /// scripts/build-site.sh produced.
    pub site_root: PathBuf,
    /// The address the listener is bound to, port included.
    pub listen: SocketAddr,
    /// Names to answer to besides the loopback ones and `listen`.
    pub allow_hosts: Vec<AllowedHost>,
    pub max_websockets: usize,
    /// The history, when one is kept.
    pub history: Option<Arc<History>>,
    /// `/` opens the kiosk.
    pub kiosk: bool,
    /// Who may see and change what.
    pub access: Arc<Access>,
    /// Proxies whose `Forwarded` and `X-Forwarded-For` name the client.
    pub trusted_proxies: Vec<Cidr>,
    /// Asks the conntrack collector for a dump after a delete.
    pub dumps: DumpRequests,
    pub findings: FindingsFeed,
    pub stats: StatsFeed,
    pub capture: Arc<InvalidSwitch>,
    /// A demo scenario's repair.
    pub remedy: Option<Arc<Remedy>>,
}

#[derive(Clone)]
pub struct AppState {
    pub compute: Compute,
    pub hosts: Arc<AllowedHosts>,
    pub streams: ws::Streams,
    /// The ruleset as its streams send it, once per commit.
    pub rendered: ws::Rendered,
    pub history: Option<Arc<History>>,
    pub invalid: Arc<kiosk::Invalid>,
    pub access: Arc<Access>,
    /// Deletes by filter waiting for their confirmation.
    pub confirmations: Arc<Confirmations>,
    pub dumps: DumpRequests,
    pub findings: FindingsFeed,
    pub stats: StatsFeed,
    pub capture: Arc<InvalidSwitch>,
    pub remedy: Option<Arc<Remedy>>,
    pub leptos: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Builds the whole router.
pub fn router(flows: StateHandle, config: HttpConfig) -> Router {
    let leptos = LeptosOptions::builder()
        .output_name("nfscope")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .build();
    let hosts = Arc::new(AllowedHosts::new(config.listen, &config.allow_hosts));
    let state = AppState {
        compute: Compute::new(flows),
        hosts: Arc::clone(&hosts),
        streams: ws::Streams::new(config.max_websockets),
        rendered: ws::Rendered::default(),
        history: config.history,
        invalid: Arc::default(),
        access: Arc::clone(&config.access),
        confirmations: Arc::default(),
        dumps: config.dumps,
        findings: config.findings,
        stats: config.stats,
        capture: config.capture,
        remedy: config.remedy,
        leptos,
    };
    let front = match config.kiosk {
        true => Router::new().route(
            "/",
            axum::routing::get(|| async {
                axum::response::Redirect::to("/kiosk")
            }),
        ),
        false => Router::new(),
    };
    let gate = Arc::new(auth::Gate {
        access: config.access,
        hosts: Arc::clone(&hosts),
        proxies: client::TrustedProxies::new(config.trusted_proxies),
    });
    // The last layer is the outermost: refusals get the headers too.
    let api = api::routes()
        .merge(login::api_routes())
        .merge(admin::api_routes());
    Router::new()
        .nest("/api", api)
        .route("/metrics", axum::routing::get(metrics::serve))
        .merge(front)
        .merge(kiosk::page_routes())
        .merge(login::routes())
        .merge(admin::page_routes())
        .merge(site::routes(&state, &config.site_root))
        .layer(axum::middleware::from_fn_with_state(gate, auth::check))
        .layer(axum::middleware::from_fn_with_state(
            hosts,
            guard::check_host,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(headers::secure))
        .with_state(state)
}
