//! The frame around every page: header with live counts and warnings, fed
//! by a status stream of its own, navigation, theme switch.

mod copy_link;
mod status_bar;
mod theme;

use leptos::prelude::*;

use crate::live::{HeaderState, Link};
use crate::routes::Route;
use crate::wire::Health;

use status_bar::StatusBar;

/// Typed children, not `Children`: a boxed `AnyView` would compile every
/// page's views a second time for async hydration, which this app never
/// does.
#[component]
pub fn Layout<V: IntoView + 'static>(
    /// The page inside, which the navigation marks.
    route: Route,
    children: TypedChildren<V>,
) -> impl IntoView {
    let children = children.into_inner();
    let initial = SharedValue::new(initial_status).into_inner();
    let health = HeaderState {
        status: RwSignal::new(initial),
        link: RwSignal::new(Link::Connecting),
    };
    // Kept by the layout's owner: the socket lives as long as the page.
    #[cfg(feature = "hydrate")]
    StoredValue::new_local(crate::live::follow_status(health));
    view! {
        <div class="flex h-dvh flex-col">
            <header class="z-20 shrink-0 border-b border-slate-200 \
                           bg-white/90 backdrop-blur dark:border-slate-800 \
                           dark:bg-slate-950/90">
                <div class="flex flex-wrap items-center gap-x-6 gap-y-2 \
                            px-4 py-2">
                    <a href="/" class="flex items-center gap-2 font-semibold \
                                       tracking-tight">
                        <span class="inline-block h-3 w-3 rounded-full \
                                     bg-sky-500"></span>
                        "nfscope"
                    </a>
                    <Nav current=route/>
                    <div class="flex flex-wrap items-center gap-x-4 gap-y-1 \
                                sm:ml-auto">
                        <StatusBar health/>
                        <copy_link::CopyLink/>
                        <theme::ThemeToggle/>
                        // Shown to those logged in (the document says so,
                        // see `shell`): who they are, and logging out.
                        <a
                            href="/login"
                            class="hidden text-xs text-slate-600 \
                                   hover:text-slate-900 \
                                   dark:text-slate-300 \
                                   [[data-session]_&]:inline"
                        >
                            "Account"
                        </a>
                    </div>
                </div>
                <Warnings health/>
            </header>
            <main class="flex min-h-0 flex-1 flex-col">{children()}</main>
        </div>
    }
}

/// The pages that exist; full page loads between them.
#[component]
fn Nav(current: Route) -> impl IntoView {
    let current = current.href();
    let links = Route::NAV.into_iter().map(|(href, name)| {
        let here = current.as_deref() == Some(href);
        view! {
            <a
                href=href
                aria-current=here.then_some("page")
                class=if here {
                    "font-medium text-sky-700 dark:text-sky-400"
                } else {
                    "text-slate-600 hover:text-slate-900 \
                     dark:text-slate-300 dark:hover:text-white"
                }
            >
                {name}
            </a>
        }
    });
    view! {
        <nav aria-label="Pages" class="flex gap-4 text-sm">
            {links.collect_view()}
        </nav>
    }
}

#[component]
fn Warnings(health: HeaderState) -> impl IntoView {
    let warnings = move || health.status.with(Health::warnings);
    view! {
        <For each=warnings key=|w| w.clone() let:warning>
            <div
                role="alert"
                class="border-t border-amber-300 bg-amber-50 px-4 py-1.5 \
                       text-sm text-amber-900 dark:border-amber-800 \
                       dark:bg-amber-950 dark:text-amber-200"
            >
                {warning}
            </div>
        </For>
    }
}

fn initial_status() -> Health {
    #[cfg(feature = "ssr")]
    if let Some(source) = use_context::<crate::source::SharedSource>() {
        return source.status();
    }
    Health::default()
}
