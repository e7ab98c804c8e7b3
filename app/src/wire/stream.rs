//! Messages of the live WebSocket stream (`/api/ws`).
//!
//! The stream has two modes. Without a window it sends every matching
//! flow: a `snapshot`, then a `delta` per publish tick, for programs that
//! keep their own copy. With a window (`limit` in the URL) it sends only
//! the rows a page shows, sorted on the server, so a page stays as light
//! with 250,000 flows as with 25.

use serde::{Deserialize, Serialize};

use super::{Flow, FlowKey, Health};

/// Externally tagged (`{"delta": {...}}`): the tag comes first, so a
/// reader parses a message in one pass.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerMsg {
    /// Every matching flow. `seq` grows by one per message; a client that
    /// sees a gap, or one the server dropped for falling behind, starts
    /// again from a new snapshot.
    Snapshot {
        seq: u64,
        flows: Vec<Flow>,
        status: Health,
    },
    Delta {
        seq: u64,
        upsert: Vec<Flow>,
        remove: Vec<FlowKey>,
        status: Health,
    },
    /// The watcher fell behind by `missed` batches, which nobody keeps
    /// for it: a fresh `snapshot` follows.
    Lagged { missed: u64, status: Health },
    /// Windowed mode: rows `offset..offset + rows.len()` of the matching
    /// flows in the stream's sort order, whenever they change. Each one
    /// is complete, so nothing can be missed between two of them.
    Window(Box<WindowRows>),
    /// Windowed mode, on a tick that changed no row of the window, and the
    /// status stream. Its JSON name is the API's word, `status`.
    #[serde(rename = "status")]
    Health(Health),
    /// The filter or sort in the stream's URL is wrong; nothing follows.
    Error { message: String },
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowRows {
    /// Flows that match the filter.
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<Flow>,
    /// The flow the page has open, wherever it sorts and whether or not
    /// it matches; `None` once it has ended.
    pub open: Option<Flow>,
    pub status: Health,
}

/// What a page shows, sent as the stream's query (`offset`, `limit`,
/// `open`) and again as a JSON text message whenever it scrolls or opens
/// another flow.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize,
)]
pub struct Window {
    pub offset: usize,
    pub limit: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<FlowKey>,
}
