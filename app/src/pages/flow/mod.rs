//! `/flow/{key}`: one flow on a page of its own, with what the flows
//! page's panel shows. It stays live through a windowed stream that asks
//! for no rows, only this flow, which the server sends whenever it
//! changes and as `null` once it has ended. A flow that has ended shows
//! as the history last saw it; its path and timeline are rendered on
//! the server (`history`), and so are its INVALID packets and findings
//! (`diagnosis`); the stream brings them again whenever they change.

#[cfg(feature = "ssr")]
mod diagnosis;
#[cfg(feature = "ssr")]
mod history;

use std::sync::Arc;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::flows::ViewParams;
use super::not_found;
use crate::components::{FlowDetails, FlowSections, StreamNote};
use crate::live::{clock, now_ms, Link, LiveTable};
use crate::wire::{Flow, FlowKey, FlowPage};

/// What the server renders with, and the browser hydrates from.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Initial {
    flow: Option<Flow>,
    /// Whether `flow` is in the live table, or from the history.
    live: bool,
    /// The path, timeline and diagnosis, as HTML.
    sections: String,
    now_ms: u64,
}

#[component]
pub fn SingleFlowPage(key: FlowKey) -> impl IntoView {
    let initial = SharedValue::new(|| load_initial(&key)).into_inner();
    if initial.flow.is_none() {
        not_found::set_status();
    }
    let now = clock(initial.now_ms);
    let table = RwSignal::new(LiveTable::new(
        FlowPage::default(),
        initial.flow.clone().filter(|_| initial.live),
    ));
    let ended = RwSignal::new(initial.flow.map(Arc::new));
    let link = RwSignal::new(Link::Connecting);
    // Kept by the page's owner: the socket lives as long as the page.
    #[cfg(feature = "hydrate")]
    StoredValue::new_local(stream(key, table, link));
    view! {
        <div class="min-h-0 flex-1 overflow-y-auto">
            <article class="mx-auto max-w-3xl p-4">
                <div class="mb-4 flex flex-wrap items-start justify-between \
                            gap-2">
                    <div>
                        <h1 class="text-lg font-semibold">"Flow"</h1>
                        <p class="break-all font-mono text-xs text-slate-500 \
                                  dark:text-slate-400">
                            {key.to_string()}
                        </p>
                    </div>
                    <div class="flex items-center gap-4 text-sm">
                        <StreamNote link/>
                        <a
                            class="text-sky-700 underline dark:text-sky-400"
                            href=in_the_table(key)
                        >
                            "Show in the flows table"
                        </a>
                    </div>
                </div>
                <FlowDetails key table ended now/>
                <FlowSections table first=initial.sections/>
            </article>
        </div>
    }
}

/// The flows page with this flow open in its panel.
fn in_the_table(key: FlowKey) -> String {
    let view = ViewParams {
        open: Some(key),
        ..ViewParams::from_query("")
    };
    view.href()
}

/// The stream of this one flow: its key as the filter, so the server
/// sends something only when the flow itself changes.
#[cfg(feature = "hydrate")]
fn stream(
    key: FlowKey,
    table: RwSignal<LiveTable>,
    link: RwSignal<Link>,
) -> crate::live::Connection {
    let window = crate::wire::Window {
        offset: 0,
        limit: 0,
        open: Some(key),
    };
    crate::live::connect(format!("q=key:{key}"), window, table, link)
}

#[cfg(feature = "ssr")]
fn load_initial(key: &FlowKey) -> Initial {
    let source = use_context::<crate::source::SharedSource>();
    let record = source.as_ref().and_then(|s| s.flow(key));
    let sections = source
        .zip(record.as_ref())
        .map(|(s, r)| sections_html(s.as_ref(), r))
        .unwrap_or_default();
    Initial {
        live: record.as_ref().is_some_and(|r| r.live),
        sections,
        flow: record.map(|r| r.flow),
        now_ms: now_ms(),
    }
}

/// What the server renders below the flow's details: its path and
/// timeline, its INVALID packets and findings. The windowed stream
/// sends the same for its open flow, to this page and to the flows
/// page's panel.
#[cfg(feature = "ssr")]
pub fn sections_html(
    source: &dyn crate::source::PageSource,
    record: &crate::wire::history::FlowRecord,
) -> String {
    history::html(record) + &diagnosis::html(&source.diagnosis(&record.flow))
}

/// In the browser this only runs after a client-side navigation; the
/// stream brings the flow right after.
#[cfg(not(feature = "ssr"))]
fn load_initial(_: &FlowKey) -> Initial {
    Initial {
        flow: None,
        live: false,
        sections: String::new(),
        now_ms: now_ms(),
    }
}
