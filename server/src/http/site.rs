//! Server-side rendered pages and the static files of `pkg/`.

use std::path::Path;
use std::sync::Arc;

use app::query::{Filter, Sort};
use app::source::{FlowSource, SharedSource};
use app::wire::{Flow, FlowKey, FlowPage, Status};
use app::{shell, App};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{file_and_error_handler, generate_route_list, LeptosRoutes};
use tower_http::services::ServeDir;

use super::AppState;
use crate::state::StateHandle;

impl FlowSource for StateHandle {
    fn page(&self, filter: &Filter, sort: &Sort, limit: usize) -> FlowPage {
        self.read().page(filter, sort, limit)
    }

    fn flow(&self, key: &FlowKey) -> Option<Flow> {
        self.read().table.get(key)
    }

    fn status(&self) -> Status {
        StateHandle::status(self)
    }
}

pub fn routes(state: &AppState, site_root: &Path) -> Router<AppState> {
    let source: SharedSource = Arc::new(state.flows.clone());
    let options = state.leptos.clone();
    Router::new()
        .leptos_routes_with_context(
            state,
            generate_route_list(App),
            move || provide_context(source.clone()),
            move || shell(options.clone()),
        )
        .nest_service("/pkg", ServeDir::new(site_root.join("pkg")))
        // Any other path: the app's own "page not found", with a 404.
        .fallback(file_and_error_handler::<AppState, _>(shell))
}
