//! The benchmark that `scripts/bench.sh` runs: nfscope against the
//! kernel's floor and conntrack-tools, on tables and floods built in
//! network namespaces named `nfs-t-*`.
//!
//! A library for the binaries in `src/bin`: `nfscope-bench` measures,
//! `ct-fill`, `ct-floor`, `nft-floor`, `nft-read` and `udp-flood` are the
//! tools it runs.

pub mod ctnl;
pub mod events;
pub mod proc;
pub mod rules;
pub mod server;
pub mod stats;
pub mod store;
pub mod summary;
pub mod table;
pub mod watchers;
