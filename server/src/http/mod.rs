//! The HTTP face: JSON API, the live WebSocket, and the server-rendered
//! Leptos pages with their static assets.

mod api;
mod bounds;
mod compute;
mod error;
mod export;
mod guard;
mod headers;
mod history;
mod kiosk;
pub mod listener;
mod metrics;
mod ruleset;
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

pub use bounds::{MAX_FILTER_CHARS, MAX_FILTER_VALUES, MAX_PAGE_LIMIT};
pub use guard::AllowedHost;
pub use ws::{DEFAULT_MAX_WEBSOCKETS, SEND_TIMEOUT};

use crate::state::StateHandle;
use crate::store::History;
use compute::Compute;
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
    // The last layer is the outermost: refusals get the headers too.
    Router::new()
        .nest("/api", api::routes())
        .route("/metrics", axum::routing::get(metrics::serve))
        .merge(front)
        .merge(kiosk::page_routes())
        .merge(site::routes(&state, &config.site_root))
        .layer(axum::middleware::from_fn_with_state(
            hosts,
            guard::check_host,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(headers::secure))
        .with_state(state)
}
