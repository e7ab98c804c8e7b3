//! nfscope's web app, shared by the server (feature `ssr`) and the browser
//! (feature `hydrate`): the wire types, the filter language, and the Leptos
//! views.

// The flows page's view type is deeply nested.
#![recursion_limit = "256"]

pub mod format;
pub mod live;
mod location;
pub mod query;
#[cfg(feature = "ssr")]
pub mod source;
pub mod wire;

#[cfg(test)]
mod testing;

mod components;
mod layout;
mod pages;
mod routes;
mod shell;

pub use shell::{shell, App, LoggedIn};

#[cfg(feature = "ssr")]
pub use pages::{flow_sections_html, kiosk, rules_html};
