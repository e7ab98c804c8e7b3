//! Server-side rendered pages and the static files of `pkg/`.

use std::path::Path;
use std::sync::Arc;

use app::query::{Filter, Sort};
use app::shell;
use app::source::{FlowSource, SharedSource};
use app::wire::{Flow, FlowKey, FlowPage, Status};
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::render_app_to_stream_with_context;
use tower_http::services::ServeDir;

use super::AppState;
use crate::state::StateHandle;

impl FlowSource for StateHandle {
    /// Leptos renders on an async worker; the scan moves the worker's
    /// other tasks elsewhere while it runs.
    fn page(&self, filter: &Filter, sort: &Sort, limit: usize) -> FlowPage {
        let snapshot = self.snapshot();
        let page = tokio::task::block_in_place(|| {
            snapshot.shared_page(filter, sort, 0, limit)
        });
        Arc::unwrap_or_clone(page)
    }

    fn flow(&self, key: &FlowKey) -> Option<Flow> {
        self.read().table.get(key)
    }

    fn status(&self) -> Status {
        StateHandle::status(self)
    }
}

pub fn routes(state: &AppState, site_root: &Path) -> Router<AppState> {
    // Rendering spawns tasks through Leptos' executor; it runs them on
    // tokio. A second call (tests start several servers) changes nothing.
    let _ = any_spawner::Executor::init_tokio();
    let source: SharedSource = Arc::new(state.flows.clone());
    let options = state.leptos.clone();
    // The app picks the page by path: any path but `/` is its own "page
    // not found", with a 404.
    let page = render_app_to_stream_with_context(
        move || provide_context(source.clone()),
        move || shell(options.clone()),
    );
    Router::new()
        .nest_service("/pkg", ServeDir::new(site_root.join("pkg")))
        .fallback(get(page))
}
