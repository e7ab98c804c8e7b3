//! The filter language, the sort order of the flow table, and the time
//! window of a history search.
//!
//! Both travel as text (`?q=proto:tcp dport:443&sort=-bytes`) and are
//! applied on the server and in the browser alike, so this module sticks to
//! plain Rust: no regexes, nothing OS-specific, so it builds for wasm.

mod cidr;
mod fields;
mod filter;
mod flow_fields;
mod sort;
mod window;
mod words;

pub use cidr::Cidr;
pub use filter::{add_term, Filter, FilterError};
pub use flow_fields::{Endpoints, FlowFields};
pub use sort::{Sort, SortError, SortField};
pub use window::{age_secs, instant, window, TimeSpan};
