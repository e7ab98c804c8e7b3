//! Health of the collector, as `GET /api/status` and the header show it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// Entries in the table now.
    pub entries: usize,
    /// True once the first full dump is in the table.
    pub synced: bool,
    /// Conntrack events received since start.
    pub events_received: u64,
    /// Events per second over the last few seconds.
    pub events_per_sec: f64,
    /// Times the kernel reported ENOBUFS: events were dropped.
    pub enobufs: u64,
    /// Full re-dumps done to repair the table after lost events.
    pub resyncs: u64,
    /// When the last resync finished, ms since the Unix epoch.
    pub last_resync: Option<u64>,
    /// True from a lost event until the resync that repairs it is done.
    pub resyncing: bool,
    /// Messages that failed to decode and were skipped.
    pub decode_errors: u64,
    /// `net.netfilter.nf_conntrack_acct`: counters are only known when on.
    pub accounting: Option<bool>,
    /// `net.netfilter.nf_conntrack_timestamp`.
    pub timestamps: Option<bool>,
    /// `net.netfilter.nf_conntrack_events`: with 0 the kernel sends none.
    pub kernel_events: Option<bool>,
    /// Receive buffer the kernel granted for events, bytes.
    pub rcvbuf: usize,
    /// Inode of the watched network namespace.
    pub netns: u64,
    /// Set when the collector cannot run (e.g. missing CAP_NET_ADMIN).
    pub error: Option<String>,
}

impl Status {
    /// A sentence for the header when something costs the user data.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(e) = &self.error {
            out.push(e.clone());
        }
        if self.resyncing {
            out.push(
                "The kernel dropped conntrack events (ENOBUFS); \
                 re-reading the table."
                    .to_owned(),
            );
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
