//! The HTML document, and the page for each path.

use leptos::either::Either;
use leptos::prelude::*;

use crate::layout::Layout;
use crate::location;
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
                <title>"nfscope"</title>
                <link rel="icon" href="/pkg/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href="/pkg/nfscope.css"/>
                <script nonce=use_nonce()>{THEME_SCRIPT}</script>
                <HydrationScripts options/>
            </head>
            <body class="bg-white text-slate-900 dark:bg-slate-950 \
                         dark:text-slate-100 antialiased">
                <App/>
            </body>
        </html>
    }
}

/// The app has one page; every other path is "not found".
#[component]
pub fn App() -> impl IntoView {
    let path = location::current().0;
    // Built inside the layout, which provides what pages expect.
    view! {
        <Layout>
            {match path.as_str() {
                "/" => Either::Left(view! { <FlowsPage/> }),
                _ => Either::Right(view! { <NotFound/> }),
            }}
        </Layout>
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
