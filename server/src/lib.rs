//! nfscope's server: netlink collectors, the flow state, and HTTP.
//!
//! A library so that integration tests reach the collectors and the
//! state; the binary (`main.rs`) only wires it up. Every decoder of
//! outside bytes has a property test over arbitrary bytes: conntrack
//! messages (`collect/conntrack/tests.rs`) and statistics
//! (`collect/conntrack/stats.rs`), NFLOG packets
//! (`collect/invalid/packet.rs`), rtnetlink links and addresses
//! (`collect/links.rs`) and the saved flow keys (`state/saved_keys.rs`).

pub mod access;
pub mod capture;
pub mod collect;
pub mod demo;
pub mod diagnose;
pub mod http;
pub mod netns;
pub mod serve;
pub mod state;
pub mod store;
pub mod units;
