//! The HTTP face: JSON API, the live WebSocket, and the server-rendered
//! Leptos pages with their static assets.

mod api;
mod site;
mod ws;

use std::path::PathBuf;

use axum::extract::FromRef;
use axum::Router;
use leptos::prelude::LeptosOptions;
use tower_http::compression::CompressionLayer;

use crate::state::StateHandle;

#[derive(Clone)]
pub struct AppState {
    pub flows: StateHandle,
    pub leptos: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Builds the whole router. `site_root` holds `pkg/` with the wasm, JS
/// and CSS that scripts/build.sh produced.
pub fn router(flows: StateHandle, site_root: PathBuf) -> Router {
    let leptos = LeptosOptions::builder()
        .output_name("nfscope")
        .site_root(site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .build();
    let state = AppState { flows, leptos };
    Router::new()
        .nest("/api", api::routes())
        .merge(site::routes(&state, &site_root))
        .layer(CompressionLayer::new())
        .with_state(state)
}
