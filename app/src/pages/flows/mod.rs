//! The flows page: every conntrack entry, live, filtered and sorted by the
//! view in the URL, with a detail panel for one flow.

mod cells;
mod columns;
mod detail;
mod filter_bar;
mod params;
mod table;

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use serde::{Deserialize, Serialize};

#[cfg(feature = "hydrate")]
use crate::live::Health;
use crate::live::{now_ms, LiveTable};
use crate::wire::{Flow, FlowPage};

pub use params::ViewParams;

/// Rows rendered on the server before the stream takes over: enough to
/// fill a tall screen.
#[cfg(feature = "ssr")]
const SSR_ROWS: usize = 60;

/// What the server renders with, and the browser hydrates from.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Initial {
    page: FlowPage,
    open: Option<Flow>,
    now_ms: u64,
}

/// Changes the view; the URL is the single source of truth.
pub type Navigate = Callback<ViewParams>;

#[component]
pub fn FlowsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| ViewParams::from_query(&query.read()));
    let initial =
        SharedValue::new(|| load_initial(&params.get_untracked())).into_inner();
    let now = RwSignal::new(initial.now_ms);
    let table = RwSignal::new(LiveTable::new(
        initial.page,
        params.with_untracked(|p| p.sort),
    ));
    let ended = RwSignal::new(initial.open.map(Arc::new));

    Effect::new(move |_| {
        let sort = params.with(|p| p.sort);
        table.update(|t| t.set_sort(sort));
    });
    #[cfg(feature = "hydrate")]
    stream(params, table, expect_context::<Health>(), now);

    let navigate = use_navigate();
    let go: Navigate = Callback::new(move |p: ViewParams| {
        navigate(
            &p.href(),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        )
    });

    view! {
        <filter_bar::FilterBar params go table/>
        <div class="flex min-h-0 flex-1">
            <table::FlowTable params go table now/>
            {move || params.with(|p| p.open).map(|key| view! {
                <detail::Detail key table ended now go params/>
            })}
        </div>
    }
}

/// Keeps the page live in the browser: a clock for ages and timeouts, and
/// the stream for the current filter and sort, reopened when they change.
#[cfg(feature = "hydrate")]
fn stream(
    params: Memo<ViewParams>,
    table: RwSignal<LiveTable>,
    health: Health,
    now: RwSignal<u64>,
) {
    use crate::live::{connect, Link};

    let _clock = set_interval_with_handle(
        move || now.set(now_ms()),
        std::time::Duration::from_secs(1),
    );
    let connection = StoredValue::new_local(None);
    let stream_query = Memo::new(move |_| params.with(|p| p.stream_query()));
    Effect::new(move |_| {
        let query = stream_query.get();
        // Dropping the old connection closes its socket first.
        connection.set_value(None);
        if params.with_untracked(|p| crate::query::Filter::parse(&p.q).is_ok())
        {
            connection.set_value(Some(connect(query, table, health)));
        } else {
            health
                .link
                .set(Link::Down(Some("paused: invalid filter".into())));
        }
    });
}

#[cfg(feature = "ssr")]
fn load_initial(params: &ViewParams) -> Initial {
    let Some(source) = use_context::<crate::source::SharedSource>() else {
        return Initial::default();
    };
    let page = match params.filter() {
        Ok(filter) => source.page(&filter, &params.sort, SSR_ROWS),
        Err(_) => FlowPage::default(),
    };
    Initial {
        page,
        open: params.open.and_then(|k| source.flow(&k)),
        now_ms: now_ms(),
    }
}

/// In the browser this only runs after a client-side navigation; the
/// stream fills the table right after.
#[cfg(not(feature = "ssr"))]
fn load_initial(_: &ViewParams) -> Initial {
    Initial {
        now_ms: now_ms(),
        ..Initial::default()
    }
}
