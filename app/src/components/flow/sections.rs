//! What the flow's page renders on the server below its details (path
//! and timeline, INVALID packets, findings), as the windowed stream
//! brings it whenever it changes.

use leptos::prelude::*;

use crate::live::LiveTable;

/// `first` is what to show until the stream has sent any: the page's
/// own rendering, or nothing.
#[component]
pub fn FlowSections(
    table: RwSignal<LiveTable>,
    first: String,
) -> impl IntoView {
    let html = move || {
        table.with(|t| match t.sections() {
            "" => first.clone(),
            sent => sent.to_owned(),
        })
    };
    view! { <div data-testid="flow-sections" inner_html=html></div> }
}
