//! The commit that arrived while the page was open, with its diff one
//! click away.

use leptos::prelude::*;

use super::Live;

#[component]
pub fn Banner(live: Live) -> impl IntoView {
    let Live { view, go, shown } = live;
    move || {
        shown.with(|s| s.banner.clone()).map(|(generation, text)| {
            let mut with_diff = view.get_untracked();
            with_diff.diff = Some(generation);
            with_diff.rule = None;
            let href = with_diff.href();
            view! {
                <div
                    role="status"
                    data-testid="change-banner"
                    class="flex items-center gap-3 border-b border-sky-300 \
                           bg-sky-50 px-4 py-2 text-sm text-sky-900 \
                           dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100"
                >
                    <span>"The ruleset changed: " {text}</span>
                    <a
                        class="underline"
                        href=href
                        on:click=move |ev| {
                            ev.prevent_default();
                            go.run(with_diff.clone());
                        }
                    >
                        "Show the diff"
                    </a>
                    <button
                        class="ml-auto"
                        aria-label="Dismiss"
                        on:click=move |_| shown.update(|s| s.banner = None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
