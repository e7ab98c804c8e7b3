//! One module per route.

pub mod flows;
