//! `nfscope demo`: a lab of network namespaces with live traffic, so a
//! newcomer sees real flows at once. Integration tests build the same lab.

mod lab;
mod traffic;

pub use lab::{Lab, LabAddrs, ADDRS};
