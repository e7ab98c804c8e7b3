//! Types that travel between the server and the browser as JSON.
//!
//! Plain serde data: nothing here knows about netlink, tokio or Leptos, so
//! the same definitions build for the server and for wasm.

pub mod access;
pub mod conntrack_stats;
pub mod finding;
mod flow;
mod health;
pub mod history;
pub mod invalid;
mod key;
pub mod kiosk;
mod nat;
mod proto;
pub mod ruleset;
mod stream;
pub(crate) mod text;
pub mod vocab;

pub use flow::{
    Counters, Direction, Endpoints, Flow, FlowPage, Tuple, Word, MAX_PAGE_ROWS,
};
pub use health::{CollectorHealth, Health};
pub use key::{FlowKey, FlowKeyError};
pub use nat::{endpoint as nat_endpoint, Nat};
pub use proto::Proto;
pub use stream::{PageMsg, ServerMsg, Window, WindowRows};
