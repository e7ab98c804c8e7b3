//! One folder per page; [`Page`] shows the one a route names.

mod flow;
mod flows;
mod not_found;

use leptos::either::EitherOf3;
use leptos::prelude::*;

use crate::routes::Route;

/// Each page is its own view type, not a boxed `AnyView`: boxing would
/// compile every page's views a second time for async hydration.
#[component]
pub fn Page(route: Route) -> impl IntoView {
    match route {
        Route::Flows => EitherOf3::A(view! { <flows::FlowsPage/> }),
        Route::Flow(key) => EitherOf3::B(view! { <flow::SingleFlowPage key/> }),
        Route::NotFound(why) => {
            EitherOf3::C(view! { <not_found::NotFound why/> })
        }
    }
}
