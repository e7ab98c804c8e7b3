//! The page for a path that names no page, served with a 404.

use leptos::prelude::*;

/// Answers the request being rendered with a 404.
pub fn set_status() {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
}

#[component]
pub fn NotFound(
    /// What is wrong with the path, for the user.
    why: String,
) -> impl IntoView {
    set_status();
    view! {
        <div class="p-8">
            <h1 class="text-xl font-semibold">"Page not found"</h1>
            <p data-testid="not-found" class="mt-2 text-slate-600 dark:text-slate-300">
                {why}
            </p>
            <a class="mt-4 inline-block text-sky-600 underline" href="/">
                "Back to the flows"
            </a>
        </div>
    }
}
