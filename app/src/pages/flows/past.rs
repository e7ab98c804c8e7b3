//! The flows page over a time window (`?from=-1h&to=now`): the flows of
//! the history alive at some moment of it, the youngest first, a page at
//! a time. It is rendered on the server only, as plain HTML with a form
//! and links, so that the browser loads no code for it; every change is
//! a new URL.

use leptos::prelude::*;

use super::ViewParams;
use crate::format::{count, utc_ms};
use crate::wire::history::{HistoryPage, PastFlow};
use crate::wire::nat_endpoint;

/// Rows on one page of a search.
pub const PAGE_ROWS: usize = 100;

/// Windows offered with one click, as `from` values.
const RECENT: [(&str, &str); 4] = [
    ("-15m", "15 min"),
    ("-1h", "1 hour"),
    ("-24h", "24 hours"),
    ("-7d", "7 days"),
];

/// The section's HTML: the search form, then `found` (or why there is
/// nothing to show).
pub fn html(
    params: &ViewParams,
    found: &Result<HistoryPage, String>,
) -> String {
    Owner::new().with(|| section(params, found).to_html())
}

fn section(
    params: &ViewParams,
    found: &Result<HistoryPage, String>,
) -> impl IntoView {
    let body = match found {
        Ok(page) => results(params, page).into_any(),
        Err(why) => view! {
            <p role="alert" data-testid="filter-error"
               class="px-4 py-3 font-mono text-sm text-red-600 dark:text-red-400">
                {why.clone()}
            </p>
        }
        .into_any(),
    };
    view! {
        <section data-past class="flex min-h-0 flex-1 flex-col">
            {form(params)}
            {body}
        </section>
    }
}

fn form(params: &ViewParams) -> impl IntoView {
    let input = "rounded-md border border-slate-300 bg-white px-3 py-1.5 \
                 font-mono text-sm dark:border-slate-700 dark:bg-slate-900";
    let recent = RECENT.map(|(from, name)| {
        let href = ViewParams {
            from: from.to_owned(),
            to: String::new(),
            offset: 0,
            ..params.clone()
        }
        .href();
        view! { <a href=href class="text-sky-700 hover:underline dark:text-sky-400">{name}</a> }
    });
    let live = ViewParams {
        from: String::new(),
        to: String::new(),
        offset: 0,
        ..params.clone()
    }
    .href();
    view! {
        <form method="get" action="/"
              class="flex flex-wrap items-center gap-2 border-b border-slate-200 \
                     px-4 py-2 text-sm dark:border-slate-800">
            <input type="search" name="q" aria-label="Filter" value=params.q.clone()
                   spellcheck="false" autocomplete="off"
                   class=format!("{input} w-full min-w-0 sm:w-auto sm:flex-1")/>
            <label>"from "
                <input name="from" aria-label="From" value=params.from.clone()
                       placeholder="-1h" class=format!("{input} w-44")/>
            </label>
            <label>"to "
                <input name="to" aria-label="To" value=params.to.clone()
                       placeholder="now" class=format!("{input} w-44")/>
            </label>
            <button type="submit"
                    class="rounded-md bg-sky-600 px-3 py-1.5 font-medium text-white \
                           hover:bg-sky-700">
                "Search"
            </button>
            <span class="text-slate-500">"last"</span>
            {recent}
            <a href=live data-live-link
               class="rounded-md px-2 py-1.5 text-slate-600 hover:bg-slate-100 \
                      dark:text-slate-300 dark:hover:bg-slate-800">
                "Back to live"
            </a>
        </form>
    }
}

fn results(params: &ViewParams, page: &HistoryPage) -> impl IntoView {
    let span = format!(
        "Flows alive between {} and {}, youngest first",
        utc_ms(page.from_ms),
        utc_ms(page.to_ms)
    );
    let rows = page.flows.iter().map(row).collect_view();
    let empty = page.flows.is_empty().then(|| {
        view! {
            <p class="px-4 py-3 text-sm text-slate-500">
                "The history has no flow of this window that the filter selects."
            </p>
        }
    });
    let cut = (!page.complete).then(|| {
        view! {
            <p role="status" data-testid="search-cut"
               class="px-4 py-2 text-sm text-amber-700 dark:text-amber-300">
                "The search stopped before it read the whole window: narrow \
                 the window or the filter to see older flows."
            </p>
        }
    });
    view! {
        <div class="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2 text-sm">
            <span class="text-slate-500">{span}</span>
            {pager(params, page)}
            <span class="sm:ml-auto">"Export "
                <a href=params.export_href("csv") download="flows.csv"
                   class="text-sky-700 hover:underline dark:text-sky-400">"CSV"</a>
                " · "
                <a href=params.export_href("json")
                   class="text-sky-700 hover:underline dark:text-sky-400">"JSON"</a>
            </span>
        </div>
        {cut}
        <div class="min-h-0 flex-1 overflow-auto">
            <table data-past-flows class="w-full text-left text-sm">
                <thead class="sticky top-0 bg-slate-50 text-xs uppercase \
                              text-slate-500 dark:bg-slate-900">
                    <tr>
                        <th class="px-4 py-1.5">"Started"</th>
                        <th class="px-2 py-1.5">"Ended"</th>
                        <th class="px-2 py-1.5">"Proto"</th>
                        <th class="px-2 py-1.5">"Client → addressed"</th>
                        <th class="px-2 py-1.5">"Answered by"</th>
                        <th class="px-2 py-1.5">"State"</th>
                        <th class="px-2 py-1.5 text-right">"Packets"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {empty}
        </div>
    }
}

fn row(past: &PastFlow) -> impl IntoView {
    let f = &past.flow;
    let ended = past.ended_ms.map_or_else(|| "live".to_owned(), utc_ms);
    let orig = format!(
        "{} → {}",
        nat_endpoint(f.orig.src, f.orig.sport),
        nat_endpoint(f.orig.dst, f.orig.dport)
    );
    let answered = nat_endpoint(f.reply.src, f.reply.sport);
    let packets = f.counters.map(|c| count(c.packets())).unwrap_or_default();
    view! {
        <tr data-key=f.key.to_string()
            class="border-t border-slate-100 dark:border-slate-800">
            <td class="whitespace-nowrap px-4 py-1 font-mono text-xs">
                <a href=format!("/flow/{}", f.key)
                   class="text-sky-700 hover:underline dark:text-sky-400">
                    {utc_ms(f.started_ms())}
                </a>
            </td>
            <td class="whitespace-nowrap px-2 py-1 font-mono text-xs">{ended}</td>
            <td class="px-2 py-1">{f.proto.to_string()}</td>
            <td class="px-2 py-1 font-mono">{orig}</td>
            <td class="px-2 py-1 font-mono">{answered}</td>
            <td class="px-2 py-1">{f.state.as_deref().unwrap_or("").to_owned()}</td>
            <td class="px-2 py-1 text-right tabular-nums">{packets}</td>
        </tr>
    }
}

/// Newer and older pages of the same search.
fn pager(params: &ViewParams, page: &HistoryPage) -> impl IntoView {
    let at = |offset: usize| {
        ViewParams {
            offset,
            ..params.clone()
        }
        .href()
    };
    let newer = (params.offset > 0)
        .then(|| at(params.offset.saturating_sub(PAGE_ROWS)));
    let older = page.more.then(|| at(params.offset + PAGE_ROWS));
    let link = |href: Option<String>, name: &'static str, rel: &'static str| {
        href.map(|href| view! {
            <a href=href rel=rel class="text-sky-700 hover:underline dark:text-sky-400">
                {name}
            </a>
        })
    };
    view! {
        <span class="flex gap-3">
            {link(newer, "← newer", "prev")}
            {link(older, "older →", "next")}
        </span>
    }
}
