//! Dark and light themes; the choice is kept in localStorage.

use leptos::prelude::*;

#[component]
pub fn ThemeToggle() -> impl IntoView {
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let Some(root) = document().document_element() else {
                return;
            };
            let dark = root.class_list().toggle("dark").unwrap_or(false);
            if let Ok(Some(storage)) = window().local_storage() {
                let _ = storage.set_item(
                    "nfscope-theme",
                    if dark { "dark" } else { "light" },
                );
            }
        }
    };
    view! {
        <button
            type="button"
            on:click=toggle
            title="Switch between dark and light theme"
            aria-label="Switch theme"
            class="rounded-md border border-slate-300 px-2 py-1 text-xs \
                   hover:bg-slate-100 dark:border-slate-700 \
                   dark:hover:bg-slate-800"
        >
            <span class="dark:hidden">"Dark"</span>
            <span class="hidden dark:inline">"Light"</span>
        </button>
    }
}
