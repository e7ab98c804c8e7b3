//! What the history keeps of flows: each one's last state and the
//! moments of its life, live or long ended, and the store's own state.

use serde::{Deserialize, Serialize};

use super::{Counters, Flow, Word};

/// One flow as `GET /api/flows/{key}` answers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowRecord {
    /// The live flow, or the flow as of its last moment.
    pub flow: Flow,
    /// Whether it is in the kernel's table now.
    pub live: bool,
    /// When it ended, ms since the Unix epoch: its DESTROY, or the dump
    /// that found it gone.
    pub ended_ms: Option<u64>,
    /// Its moments, oldest first; empty without a history.
    pub timeline: Vec<Moment>,
}

/// A moment of a flow's life, with its state right after it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Moment {
    pub at_ms: u64,
    pub kind: MomentKind,
    pub state: Option<Word>,
    pub status: Vec<Word>,
    /// The counters as of the moment, while accounting is on; an end's
    /// are the flow's final counters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counters: Option<Counters>,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum MomentKind {
    /// Born (a NEW event).
    #[default]
    New,
    /// First seen in a dump: it was there before nfscope looked.
    Seen,
    /// Its protocol state or status bits changed.
    Change,
    /// Destroyed, or found gone by a dump.
    End,
}

impl MomentKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Seen => "seen",
            Self::Change => "change",
            Self::End => "end",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Self::New, Self::Seen, Self::Change, Self::End]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// The history's own state (`GET /api/history`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryStatus {
    /// The database file.
    pub path: String,
    /// Its size now, and the most it may take, bytes.
    pub bytes: u64,
    pub max_bytes: u64,
    /// Ended flows older than this are forgotten, seconds.
    pub max_age_secs: u64,
    pub flows: u64,
    pub moments: u64,
    /// The first moment of the flow kept that started first, ms since
    /// the Unix epoch: about the oldest moment kept.
    pub oldest_ms: Option<u64>,
    /// Moments written since the start.
    pub written: u64,
    /// Moments left out since the start because the store fell behind;
    /// they are lost to the history only, never to the live table.
    pub lost: u64,
    /// Time spent writing since the start, ms: `written / busy_ms` is
    /// what the writer can take.
    pub busy_ms: u64,
    /// The last error writing, if the last write failed.
    pub error: Option<String>,
}

/// One flow of a history search: as of its last moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PastFlow {
    pub flow: Flow,
    /// `None` while it lives, as far as the history knows.
    pub ended_ms: Option<u64>,
}

/// The answer of `GET /api/flows` with a time window: the flows alive at
/// some moment between `from_ms` and `to_ms`, the youngest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub from_ms: u64,
    pub to_ms: u64,
    pub flows: Vec<PastFlow>,
    /// Whether more flows match past this page.
    pub more: bool,
    /// `false` when the search stopped at its budget of stored flows
    /// read before filling the page: narrow the window or the filter.
    pub complete: bool,
}
