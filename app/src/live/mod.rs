//! What stays live in the browser: the page's window on the flow table,
//! fed by the windowed stream, and the header's health, fed by the status
//! stream.

mod clock;
#[cfg(feature = "hydrate")]
mod socket;
#[cfg(feature = "hydrate")]
mod status;
#[cfg(feature = "hydrate")]
mod window;

use std::sync::Arc;

use leptos::prelude::RwSignal;

use crate::wire::{Flow, FlowKey, FlowPage, Health, PageMsg};

pub use clock::{clock, now_ms, remaining_secs};
#[cfg(feature = "hydrate")]
pub use socket::{json, Socket};
#[cfg(feature = "hydrate")]
pub use status::follow as follow_status;
#[cfg(feature = "hydrate")]
pub use window::{connect, Connection};

/// Collector health and the state of the status stream, shown in the
/// header of every page.
#[derive(Clone, Copy)]
pub struct HeaderState {
    pub status: RwSignal<Health>,
    pub link: RwSignal<Link>,
}

/// Whether the stream is flowing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Live,
    /// Closed; retrying. Holds the reason when the server gave one.
    Down(Option<String>),
}

impl Link {
    /// A word for tests and styles: `connecting`, `live` or `down`.
    pub fn state(&self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Live => "live",
            Self::Down(_) => "down",
        }
    }

    /// What the user reads.
    pub fn describe(&self) -> String {
        match self {
            Self::Down(None) => "reconnecting".to_owned(),
            Self::Down(Some(reason)) => reason.clone(),
            other => other.state().to_owned(),
        }
    }
}

/// The rows of the sorted, filtered table that the page shows, as the
/// server last sent them; the server sorts, so a page holds a screenful
/// whatever the size of the table.
#[derive(Clone, Debug, Default)]
pub struct LiveTable {
    /// Rows `offset..offset + rows.len()` of the matching flows.
    rows: Vec<Arc<Flow>>,
    offset: usize,
    /// Flows that match the page's filter.
    total: usize,
    /// The flow the page has open; `None` once it has ended.
    open: Option<Arc<Flow>>,
    /// Those of them a finding names.
    flagged: Vec<FlowKey>,
    /// The open flow's sections that the server renders, as HTML; empty
    /// until the server sent them.
    sections: String,
}

/// What applying a message asks of the connection. The status that
/// messages bring belongs to the header, which has a stream of its own.
#[derive(Debug, PartialEq)]
pub enum Applied {
    /// The rows or the open flow changed.
    Changed,
    /// Nothing the page shows changed.
    Unchanged,
    /// The server refused the view.
    Refused(String),
}

impl LiveTable {
    pub fn new(page: FlowPage, open: Option<Flow>) -> Self {
        Self {
            total: page.total,
            rows: page.flows.into_iter().map(Arc::new).collect(),
            open: open.map(Arc::new),
            ..Self::default()
        }
    }

    pub fn rows(&self) -> &[Arc<Flow>] {
        &self.rows
    }

    /// Position of the first row in the whole sorted table.
    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn total(&self) -> usize {
        self.total
    }

    /// The live copy of the flow with this key, if the page has it.
    pub fn get(&self, key: &FlowKey) -> Option<Arc<Flow>> {
        self.open
            .iter()
            .chain(&self.rows)
            .find(|f| f.key == *key)
            .cloned()
    }

    /// Whether a finding names the flow with this key.
    pub fn flagged(&self, key: &FlowKey) -> bool {
        self.flagged.contains(key)
    }

    pub fn sections(&self) -> &str {
        &self.sections
    }

    pub fn apply(&mut self, msg: PageMsg) -> Applied {
        match msg {
            PageMsg::Window(w) => {
                let w = *w;
                self.rows = w.rows.into_iter().map(Arc::new).collect();
                self.offset = w.offset;
                self.total = w.total;
                self.open = w.open.map(Arc::new);
                self.flagged = w.flagged;
                if let Some(sections) = w.sections {
                    self.sections = sections;
                }
                Applied::Changed
            }
            PageMsg::Error { message } => Applied::Refused(message),
            PageMsg::Health(_) => Applied::Unchanged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::tcp;
    use crate::wire::WindowRows;

    fn flow(id: u32) -> Flow {
        let mut f = tcp("10.0.0.1", 4000 + id as u16, "10.0.0.2", 80);
        f.key.id = id;
        f.id = id;
        f
    }

    #[test]
    fn a_window_replaces_the_rows_and_keeps_the_open_flow() {
        let mut t = LiveTable::new(
            FlowPage {
                total: 1,
                flows: vec![flow(1)],
            },
            None,
        );
        let (a, b) = (flow(1), flow(2));
        let window = PageMsg::Window(Box::new(WindowRows {
            total: 40,
            offset: 30,
            rows: vec![b.clone()],
            open: Some(a.clone()),
            status: Health::default(),
            flagged: vec![b.key],
            sections: Some("<h2>Timeline</h2>".into()),
        }));
        assert_eq!(t.apply(window), Applied::Changed);
        assert_eq!((t.offset(), t.total(), t.rows().len()), (30, 40, 1));
        assert!(t.get(&a.key).is_some(), "the open flow, outside the rows");
        assert!(t.get(&b.key).is_some());
        assert!(t.flagged(&b.key) && !t.flagged(&a.key));
        assert_eq!(t.sections(), "<h2>Timeline</h2>");
        let status = PageMsg::Health(Health::default());
        assert_eq!(t.apply(status), Applied::Unchanged);
        assert_eq!(t.rows().len(), 1);
    }

    #[test]
    fn an_error_refuses_the_view() {
        let mut t = LiveTable::default();
        let msg = PageMsg::Error {
            message: "filter at column 1: bad".into(),
        };
        assert!(matches!(t.apply(msg), Applied::Refused(_)));
    }
}
