//! What the kiosk shows (`/kiosk`, `GET /api/kiosk`): the box's big
//! numbers and its busiest talkers, services and rules, computed on the
//! server from the live state.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Kiosk {
    /// When it was computed, ms since the Unix epoch.
    pub at_ms: u64,
    /// Flows in the table, and the kernel's limit when known.
    pub flows: usize,
    pub max_flows: Option<u64>,
    /// Flows born per second, over the last [`Kiosk::NEW_WINDOW_SECS`].
    pub new_per_sec: f64,
    /// Flows whose addresses or ports NAT rewrote.
    pub nat: usize,
    /// Packets conntrack found INVALID per second, since the previous
    /// kiosk answer; `None` on the first, or when the kernel's
    /// statistics cannot be read.
    pub invalid_per_sec: Option<f64>,
    /// Events the collectors lost (ENOBUFS) since nfscope started.
    pub lost_events: u64,
    pub talkers: Vec<Talker>,
    pub services: Vec<Service>,
    pub rules: Vec<BusyRule>,
}

impl Kiosk {
    pub const NEW_WINDOW_SECS: u64 = 10;
    /// Rows of each list.
    pub const TOP: usize = 8;
}

/// A source address with the most flows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Talker {
    pub addr: String,
    pub flows: usize,
    /// Both directions, while accounting is on.
    pub bytes: Option<u64>,
}

/// A destination that DNAT forwards (a published port) with its flows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub proto: String,
    /// As clients address it, `addr:port`.
    pub addressed: String,
    /// Who answers, `addr:port`.
    pub server: String,
    pub flows: usize,
}

/// A rule by packets per second.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BusyRule {
    /// `family table chain`.
    pub chain: String,
    pub text: String,
    pub packets_per_sec: f64,
}
