//! The HTML document, and the page for each path.

use leptos::prelude::*;

use crate::layout::Layout;
use crate::location;
use crate::pages::Page;
use crate::routes::Route;

/// Sets the theme before first paint, so a dark page never flashes white.
const THEME_SCRIPT: &str = "(function(){try{var t=localStorage.getItem(\
'nfscope-theme');if(t==='dark'||(!t&&matchMedia('(prefers-color-scheme: \
dark)').matches)){document.documentElement.classList.add('dark')}}catch(e){}\
})()";

/// Whether the visitor is logged in, from the server: the document says
/// so (`data-session`), and the header shows the account link.
#[derive(Clone, Copy, Debug)]
pub struct LoggedIn(pub bool);

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let session = use_context::<LoggedIn>().is_some_and(|l| l.0);
    view! {
        <!DOCTYPE html>
        <html lang="en" data-session=session.then_some("")>
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

/// The page the path names, in the frame every page shares.
#[component]
pub fn App() -> impl IntoView {
    let route = Route::parse(&location::current().0);
    view! {
        <Layout route=route.clone()>
            <Page route/>
        </Layout>
    }
}
