//! One conntrack entry, decoded, as the API and the page show it.

use std::borrow::Cow;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::{FlowKey, Nat, Proto};

/// One direction of a connection as conntrack sees it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tuple {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// `None` where the protocol has no ports.
    pub sport: Option<u16>,
    pub dport: Option<u16>,
    /// ICMP and ICMPv6 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_type: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_code: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_id: Option<u16>,
    /// A zone of this direction only (`conntrack --orig-zone` or
    /// `--reply-zone`); a zone of both directions is the flow's `zone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<u16>,
}

/// The addresses and ports of one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoints {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// `None` where the protocol has no ports.
    pub sport: Option<u16>,
    pub dport: Option<u16>,
}

impl From<&Tuple> for Endpoints {
    fn from(t: &Tuple) -> Self {
        Self {
            src: t.src,
            dst: t.dst,
            sport: t.sport,
            dport: t.dport,
        }
    }
}

/// Packet and byte counts of one direction (`nf_conntrack_acct`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize,
)]
pub struct Direction {
    pub packets: u64,
    pub bytes: u64,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize,
)]
pub struct Counters {
    pub orig: Direction,
    pub reply: Direction,
}

impl Counters {
    pub fn packets(&self) -> u64 {
        self.orig.packets + self.reply.packets
    }

    pub fn bytes(&self) -> u64 {
        self.orig.bytes + self.reply.bytes
    }
}

/// A word of the kernel's vocabulary (a state, a status bit, a TCP flag):
/// borrowed from a static table on the server, so converting a table of
/// flows allocates no strings; owned once read back from JSON.
pub type Word = Cow<'static, str>;

/// Fields that are usually absent (`use`, kernel timestamps, labels,
/// helper, security context, master tuple, TCP flags, undecoded
/// attributes) are left out of the JSON when absent or empty; the rest is
/// always there, `null` if unknown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    pub key: FlowKey,
    pub proto: Proto,
    pub orig: Tuple,
    pub reply: Tuple,
    /// Protocol state (`established`, `time-wait`, ...) for TCP, SCTP and
    /// DCCP; `None` for stateless protocols.
    pub state: Option<Word>,
    /// Names of the set `IPS_*` status bits, e.g. `assured`, `dst-nat`.
    pub status: Vec<Word>,
    /// TCP per-direction flags (`window-scale`, `sack-perm`, ...), as
    /// "orig:" and "reply:" prefixed names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Word>,
    pub nat: Vec<Nat>,
    pub mark: u32,
    pub zone: u16,
    /// Seconds until the entry expires, as of `updated_ms`.
    pub timeout: Option<u32>,
    pub id: u32,
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub use_count: Option<u32>,
    /// Present only while `nf_conntrack_acct` is on.
    pub counters: Option<Counters>,
    /// Kernel start and stop, ns since the Unix epoch
    /// (`nf_conntrack_timestamp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_ns: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_ns: Option<u64>,
    /// When nfscope first saw the entry, ms since the Unix epoch.
    pub first_seen_ms: u64,
    /// When nfscope last heard of the entry, ms since the Unix epoch.
    pub updated_ms: u64,
    /// Set connlabel bit numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helper: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secctx: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secmark: Option<u32>,
    /// The master tuple of an expected (related) connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<Tuple>,
    /// Kinds (`CTA_*` numbers) of the attributes the kernel sent that
    /// nfscope does not decode.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undecoded: Vec<u16>,
}

impl Flow {
    /// Start of the flow in ms since the Unix epoch: the kernel's timestamp
    /// when known, else when nfscope first saw it.
    pub fn started_ms(&self) -> u64 {
        self.start_ns
            .map_or(self.first_seen_ms, |ns| ns / 1_000_000)
    }

    /// Whether the reply tuple is just the original one reversed, i.e. it
    /// tells nothing new.
    pub fn reply_is_mirror(&self) -> bool {
        self.reply.src == self.orig.dst
            && self.reply.dst == self.orig.src
            && self.reply.sport == self.orig.dport
            && self.reply.dport == self.orig.sport
    }
}

/// Most flows one `GET /api/flows` answers; more are read page by page
/// with `offset`.
pub const MAX_PAGE_ROWS: usize = 10_000;

/// The answer of `GET /api/flows`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowPage {
    /// Flows that matched the filter, before `limit` was applied.
    pub total: usize,
    pub flows: Vec<Flow>,
}
