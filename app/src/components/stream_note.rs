//! The state of a page's own stream, next to what it feeds. The header
//! shows the server's link; this says when the page's data stopped
//! following it (a refused filter, a reconnect).

use leptos::prelude::*;

use crate::live::Link;

#[component]
pub fn StreamNote(link: RwSignal<Link>) -> impl IntoView {
    let down = move || link.with(|l| matches!(l, Link::Down(_)));
    view! {
        <span
            data-testid="stream"
            data-state=move || link.with(Link::state)
            // Takes no room in a row of items while there is nothing to say.
            class=move || {
                if down() {
                    "text-sm text-red-600 dark:text-red-400"
                } else {
                    "hidden"
                }
            }
        >
            {move || down().then(|| link.with(Link::describe))}
        </span>
    }
}
