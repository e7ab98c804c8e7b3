//! Health of the server and of each collector, as `GET /api/status` and
//! the header show it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// Entries in the flow table now.
    pub entries: usize,
    /// True once the first full conntrack dump is in the table.
    pub synced: bool,
    /// `net.netfilter.nf_conntrack_acct`: counters are only known when on.
    pub accounting: Option<bool>,
    /// `net.netfilter.nf_conntrack_timestamp`.
    pub timestamps: Option<bool>,
    /// `net.netfilter.nf_conntrack_events`: with 0 the kernel sends none.
    pub kernel_events: Option<bool>,
    /// Inode of the watched network namespace.
    pub netns: u64,
    /// Each collector by name (`conntrack`), so that every lost event is
    /// counted against its source.
    pub collectors: BTreeMap<String, CollectorHealth>,
}

/// What one collector received, lost and repaired.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CollectorHealth {
    /// Events received since start.
    pub events_received: u64,
    /// Events per second over the last few seconds.
    pub events_per_sec: f64,
    /// Times the kernel reported ENOBUFS: events were dropped.
    pub enobufs: u64,
    /// Full re-reads done to repair the state after lost events.
    pub resyncs: u64,
    /// When the last resync finished, ms since the Unix epoch.
    pub last_resync: Option<u64>,
    /// True from a lost event until the resync that repairs it is done.
    pub resyncing: bool,
    /// Messages that failed to decode and were skipped.
    pub decode_errors: u64,
    /// Receive buffer the kernel granted for events, bytes.
    pub rcvbuf: usize,
    /// Set when the collector cannot run (e.g. missing CAP_NET_ADMIN).
    pub error: Option<String>,
}

impl Health {
    /// Events per second, all collectors together.
    pub fn events_per_sec(&self) -> f64 {
        self.collectors.values().map(|c| c.events_per_sec).sum()
    }

    /// Times any collector lost events.
    pub fn enobufs(&self) -> u64 {
        self.collectors.values().map(|c| c.enobufs).sum()
    }

    pub fn resyncs(&self) -> u64 {
        self.collectors.values().map(|c| c.resyncs).sum()
    }

    /// A sentence for the header when something costs the user data.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, c) in &self.collectors {
            if let Some(e) = &c.error {
                out.push(e.clone());
            }
            if c.resyncing {
                out.push(format!(
                    "The kernel dropped {name} events (ENOBUFS); re-reading."
                ));
            }
        }
        if self.kernel_events == Some(false) {
            out.push(
                "net.netfilter.nf_conntrack_events is 0: the kernel sends no \
                 events, the table only refreshes on resync."
                    .to_owned(),
            );
        }
        if self.accounting == Some(false) {
            out.push(
                "Byte and packet counters are off; enable them with \
                 sysctl -w net.netfilter.nf_conntrack_acct=1"
                    .to_owned(),
            );
        }
        out
    }
}
