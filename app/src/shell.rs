//! The HTML document and the routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::StaticSegment;

use crate::layout::Layout;
use crate::pages::flows::FlowsPage;

/// Sets the theme before first paint, so a dark page never flashes white.
const THEME_SCRIPT: &str = "(function(){try{var t=localStorage.getItem(\
'nfscope-theme');if(t==='dark'||(!t&&matchMedia('(prefers-color-scheme: \
dark)').matches)){document.documentElement.classList.add('dark')}}catch(e){}\
})()";

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta
                    name="viewport"
                    content="width=device-width, initial-scale=1"
                />
                <link rel="icon" href="/pkg/favicon.svg" type="image/svg+xml"/>
                <script>{THEME_SCRIPT}</script>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="bg-white text-slate-900 dark:bg-slate-950 \
                         dark:text-slate-100 antialiased">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/nfscope.css"/>
        <Title text="nfscope"/>
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=StaticSegment("") view=FlowsPage/>
                </Routes>
            </Layout>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <div class="p-8">
            <h1 class="text-xl font-semibold">"Page not found"</h1>
            <a class="text-sky-600 underline" href="/">"Back to the flows"</a>
        </div>
    }
}
