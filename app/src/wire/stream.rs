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

/// The messages a page reads: those of the windowed and status
/// streams, a subset of [`ServerMsg`] spelled the same way. A page
/// parses only these, so its code carries no parser for the rest.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageMsg {
    Window(Box<WindowRows>),
    #[serde(rename = "status")]
    Health(Health),
    Error {
        message: String,
    },
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
    /// Of the rows and the open flow, those a finding holding now names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flagged: Vec<FlowKey>,
    /// What the open flow's page renders on the server below its details
    /// (path, timeline, INVALID packets, findings), as HTML; only when it
    /// changed since the window before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sections: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_reads_what_the_windowed_and_status_streams_send() {
        let sent = [
            ServerMsg::Window(Box::default()),
            ServerMsg::Health(Health::default()),
            ServerMsg::Error {
                message: "bad".into(),
            },
        ];
        let read = [
            PageMsg::Window(Box::default()),
            PageMsg::Health(Health::default()),
            PageMsg::Error {
                message: "bad".into(),
            },
        ];
        for (sent, read) in sent.iter().zip(read) {
            let json = serde_json::to_string(sent).unwrap();
            assert_eq!(serde_json::from_str::<PageMsg>(&json).unwrap(), read);
        }
        let delta = ServerMsg::Lagged {
            missed: 1,
            status: Health::default(),
        };
        let json = serde_json::to_string(&delta).unwrap();
        assert!(serde_json::from_str::<PageMsg>(&json).is_err());
    }
}
