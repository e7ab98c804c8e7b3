//! The per-namespace conntrack sysctls that change what nfscope can show.
//! `/proc/sys/net` answers for the namespace of the reading process.

use std::path::Path;

const DIR: &str = "/proc/sys/net/netfilter";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub acct: Option<bool>,
    pub timestamp: Option<bool>,
    pub events: Option<bool>,
}

impl Settings {
    /// `None` where the file is missing (module not loaded yet).
    pub fn read() -> Self {
        Self {
            acct: flag("nf_conntrack_acct"),
            timestamp: flag("nf_conntrack_timestamp"),
            events: flag("nf_conntrack_events"),
        }
    }
}

fn flag(name: &str) -> Option<bool> {
    let text = std::fs::read_to_string(Path::new(DIR).join(name)).ok()?;
    Some(text.trim() != "0")
}
