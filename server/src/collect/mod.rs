//! Collectors: each reads one kind of kernel state over netlink and hands
//! plain Rust values to the state owner.

pub mod conntrack;
pub mod invalid;
pub mod netlink;
pub mod nftables;
mod rate;
