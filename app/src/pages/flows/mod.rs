//! The flows page: every conntrack entry, live, filtered and sorted by the
//! view in the URL, with a detail panel for one flow; or, with a time
//! window in the URL, the flows of the history (`past`).

mod cells;
mod columns;
mod detail;
mod filter_bar;
mod params;
#[cfg(feature = "ssr")]
mod past;
mod table;

use std::sync::Arc;

use leptos::either::Either;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::live::{clock, now_ms, Link, LiveTable};
use crate::location;
use crate::wire::{Flow, FlowPage};

pub use params::ViewParams;
use table::Span;

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
    let view = RwSignal::new(ViewParams::from_query(&location::current().1));
    if view.with_untracked(ViewParams::is_past) {
        let html =
            SharedValue::new(|| load_past(&view.get_untracked())).into_inner();
        return Either::Left(view! {
            <div class="flex min-h-0 flex-1 flex-col" inner_html=html></div>
        });
    }
    let params = Memo::new(move |_| view.get());
    let initial =
        SharedValue::new(|| load_initial(&params.get_untracked())).into_inner();
    let now = clock(initial.now_ms);
    let table =
        RwSignal::new(LiveTable::new(initial.page, initial.open.clone()));
    let ended = RwSignal::new(initial.open.map(Arc::new));
    let span = RwSignal::new(Span::first());
    let link = RwSignal::new(Link::Connecting);
    #[cfg(feature = "hydrate")]
    stream(params, span, table, link);

    let go: Navigate = Callback::new(move |p: ViewParams| {
        #[cfg(feature = "hydrate")]
        location::replace(&p.href());
        view.set(p);
    });

    Either::Right(view! {
        <filter_bar::FilterBar params go table link/>
        <div class="flex min-h-0 flex-1">
            <table::FlowGrid params go table now span/>
            {move || params.with(|p| p.open).map(|key| view! {
                <detail::Detail key table ended now go params/>
            })}
        </div>
    })
}

/// Keeps the table live in the browser: the stream for the current filter
/// and sort, reopened when they change and told when the page scrolls or
/// opens another flow.
#[cfg(feature = "hydrate")]
fn stream(
    params: Memo<ViewParams>,
    span: RwSignal<Span>,
    table: RwSignal<LiveTable>,
    link: RwSignal<Link>,
) {
    use crate::live::connect;
    use crate::wire::Window;

    let connection = StoredValue::new_local(None::<crate::live::Connection>);
    let stream_query = Memo::new(move |_| params.with(|p| p.stream_query()));
    let window = Memo::new(move |_| {
        let Span { offset, limit } = span.get();
        let open = params.with(|p| p.open);
        Window {
            offset,
            limit,
            open,
        }
    });
    Effect::new(move |_| {
        let window = window.get();
        connection.with_value(|c| {
            if let Some(c) = c {
                c.set_window(window);
            }
        });
    });
    Effect::new(move |_| {
        let query = stream_query.get();
        // Dropping the old connection closes its socket first.
        connection.set_value(None);
        if params.with_untracked(|p| crate::query::Filter::parse(&p.q).is_ok())
        {
            let window = window.get_untracked();
            connection.set_value(Some(connect(query, window, table, link)));
        } else {
            link.set(Link::Down(Some("paused: invalid filter".into())));
        }
    });
}

#[cfg(feature = "ssr")]
fn load_initial(params: &ViewParams) -> Initial {
    let Some(source) = use_context::<crate::source::SharedSource>() else {
        return Initial::default();
    };
    let page = match params.filter() {
        Ok(filter) => source.page(&filter, &params.sort, Span::first().limit),
        Err(_) => FlowPage::default(),
    };
    Initial {
        page,
        open: params
            .open
            .and_then(|k| source.flow(&k))
            .filter(|r| r.live)
            .map(|r| r.flow),
        now_ms: now_ms(),
    }
}

#[cfg(feature = "ssr")]
fn load_past(params: &ViewParams) -> String {
    let found = (|| {
        let source = use_context::<crate::source::SharedSource>()
            .ok_or_else(|| "no data to show".to_owned())?;
        let filter = params.filter().map_err(|e| format!("filter {e}"))?;
        let span = crate::query::window(
            Some(&params.from),
            Some(&params.to),
            now_ms(),
        )?;
        source.past(&filter, span, params.offset, past::PAGE_ROWS)
    })();
    past::html(params, &found)
}

#[cfg(not(feature = "ssr"))]
fn load_past(_: &ViewParams) -> String {
    String::new()
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
