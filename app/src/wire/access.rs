//! What the access routes answer: who is logged in, share links, and the
//! changes an admin makes (deleting flows, turning counters on).

use serde::{Deserialize, Serialize};

use super::FlowKey;

/// `GET /api/session`: who the request comes from, and the token its
/// changes must carry (`X-CSRF-Token`, or a form's `csrf` field).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// `None` when nfscope asks for no password.
    pub user: Option<String>,
    /// `"admin"` or `"viewer"`.
    pub role: String,
    pub csrf: String,
    /// Every change is refused (`--read-only`).
    pub read_only: bool,
    /// When the session ends, ms since the epoch; `None` without login.
    pub expires_ms: Option<u64>,
}

/// A share link, as the list of links in force keeps it: one flow,
/// read-only, to anyone holding its token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLink {
    pub id: String,
    pub key: FlowKey,
    /// The admin who made it.
    pub by: String,
    pub created_ms: u64,
    pub expires_ms: u64,
}

/// A share link as the API answers it, with the addresses that carry
/// its token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    #[serde(flatten)]
    pub link: ShareLink,
    /// The flow's page and its API answer, with the token.
    pub page: String,
    pub api: String,
}

/// `POST /api/shares`: `ttl` is seconds, or an age such as `30m` or
/// `7d`; one day when left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewShare {
    pub key: FlowKey,
    #[serde(default)]
    pub ttl: Option<Ttl>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Ttl {
    Secs(u64),
    Age(String),
}

/// `POST /api/flows/delete?q=FILTER`: how many flows the filter selects
/// now, and the token that deletes exactly those.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteConfirm {
    pub count: usize,
    pub confirm: String,
    pub expires_ms: u64,
}

/// What a delete did: flows the kernel removed, and those it no longer
/// had (ended meanwhile).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    pub deleted: usize,
    pub gone: usize,
}

/// `POST /api/settings`: the per-namespace sysctls an admin may turn on
/// or off; the answer reads them back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CtSettings {
    #[serde(default)]
    pub accounting: Option<bool>,
    #[serde(default)]
    pub timestamps: Option<bool>,
}
