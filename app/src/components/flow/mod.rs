//! One flow in full, as the flows page's panel and the flow's own page
//! show it: live while the page's table has it, then what was last known
//! of it once it has ended.

mod fields;
mod sections;
mod tuples;

use std::sync::Arc;

use leptos::either::Either;
use leptos::prelude::*;

use crate::live::LiveTable;
use crate::wire::{Flow, FlowKey};

use fields::Fields;
pub use sections::FlowSections;

#[component]
pub fn FlowDetails(
    key: FlowKey,
    /// The page's live table, which holds the flow while it lives.
    table: RwSignal<LiveTable>,
    /// The last copy seen of the flow, kept after it ends; the page owns
    /// it, so that it outlives this view.
    ended: RwSignal<Option<Arc<Flow>>>,
    now: RwSignal<u64>,
) -> impl IntoView {
    let live = move || table.with(|t| t.get(&key));
    Effect::new(move |_| {
        if let Some(f) = live() {
            ended.set(Some(f));
        }
    });
    let shown = move || live().or_else(|| ended.get().filter(|f| f.key == key));
    move || match shown() {
        Some(flow) => {
            let gone = live().is_none();
            Either::Left(view! { <Fields flow gone now/> })
        }
        None => Either::Right(view! {
            <p role="status" class="text-sm text-slate-500">
                "This flow is not in the live table; it may have ended."
            </p>
        }),
    }
}
