//! nfscope's server: netlink collectors, the flow state, and HTTP.
//!
//! A library so that integration tests and fuzz targets reach the
//! decoders; the binary (`main.rs`) only wires it up.

pub mod collect;
pub mod demo;
pub mod http;
pub mod netns;
pub mod serve;
pub mod state;
