//! A rule's recent rate drawn as a line; the browser rewrites its
//! points (`data-spark` says the size they are for).

use leptos::prelude::*;

use super::super::sparkline::Size;

/// In a rule's row.
pub const ROW: Size = Size {
    width: 80,
    height: 16,
};
/// In the rule's panel.
pub const PANEL: Size = Size {
    width: 440,
    height: 80,
};

pub fn svg(points: String, size: Size) -> impl IntoView {
    view! {
        <svg width=size.width height=size.height class="inline-block align-middle" aria-hidden="true">
            <polyline data-spark=format!("{} {}", size.width, size.height) points=points/>
        </svg>
    }
}
