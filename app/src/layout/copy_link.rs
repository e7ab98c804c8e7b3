//! "Copy link": every view lives in its URL, so sharing one is copying
//! the address as it is now.

use leptos::prelude::*;

#[component]
pub fn CopyLink() -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Ok(href) = window().location().href() {
            // The promise is let go: the label says it was asked.
            let _ = window().navigator().clipboard().write_text(&href);
            copied.set(true);
        }
    };
    view! {
        <button
            type="button"
            data-copy-link
            on:click=copy
            title="Copy the address of this view"
            class="rounded-md border border-slate-300 px-2 py-1 text-xs \
                   hover:bg-slate-100 dark:border-slate-700 \
                   dark:hover:bg-slate-800"
        >
            {move || if copied.get() { "Copied" } else { "Copy link" }}
        </button>
    }
}
