//! nftables over netlink: the ruleset of every family (tables, chains,
//! sets, objects, flowtables, rules and their expressions), read as one
//! consistent snapshot, kept up to date by the change events, and its
//! counters polled.

pub(crate) mod attr;
pub mod counters;
pub mod decode;
mod events;
pub mod expr;
pub mod ipset;
pub mod iptables;
pub mod legacy;
pub mod render;
pub mod ruleset;
pub mod snapshot;
pub mod socket;
mod sockopt;
pub mod supervisor;
pub mod view;
pub mod xt;
