//! One folder per page; [`Page`] shows the one a route names.

mod flow;
mod flows;
#[cfg(feature = "ssr")]
pub mod kiosk;
mod not_found;
mod rules;

/// The rules page's HTML, for the server's stream of it.
#[cfg(feature = "ssr")]
pub mod rules_html {
    pub use super::rules::document::panel::{commit, rule};
    pub use super::rules::document::tag;

    /// The document for `r`, unfiltered: the page filters it in place.
    pub fn document(
        r: &crate::wire::ruleset::Ruleset,
        findings: &crate::wire::finding::RuleFindings,
    ) -> String {
        let all = super::rules::RulesView::default();
        super::rules::document::html(r, &all, findings)
    }
}

/// A flow's sections that only the server renders, for the flows
/// page's panel.
#[cfg(feature = "ssr")]
pub use flow::sections_html as flow_sections_html;

use leptos::either::EitherOf4;
use leptos::prelude::*;

use crate::routes::Route;

/// Each page is its own view type, not a boxed `AnyView`: boxing would
/// compile every page's views a second time for async hydration.
#[component]
pub fn Page(route: Route) -> impl IntoView {
    match route {
        Route::Flows => EitherOf4::A(view! { <flows::FlowsPage/> }),
        Route::Rules => EitherOf4::B(view! { <rules::RulesPage/> }),
        Route::Flow(key) => EitherOf4::C(view! { <flow::SingleFlowPage key/> }),
        Route::NotFound(why) => {
            EitherOf4::D(view! { <not_found::NotFound why/> })
        }
    }
}
