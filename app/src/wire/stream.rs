//! Messages of the live WebSocket stream (`/api/ws`).

use serde::{Deserialize, Serialize};

use super::{Flow, FlowKey, Status};

/// The server sends a `snapshot` first, then `delta`s. `seq` grows by one
/// per message; a client that sees a gap, or one the server dropped for
/// falling behind, starts again from a new snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ServerMsg {
    Snapshot {
        seq: u64,
        flows: Vec<Flow>,
        status: Status,
    },
    Delta {
        seq: u64,
        upsert: Vec<Flow>,
        remove: Vec<FlowKey>,
        status: Status,
    },
    /// The filter or sort in the stream's URL is wrong; nothing follows.
    Error { message: String },
}
