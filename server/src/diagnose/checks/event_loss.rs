//! Check 5: nfscope itself lost events (its socket's buffer overflowed):
//! until the resync that follows, what it shows may miss flows, and the
//! other checks may miss signs.

use app::wire::finding::{Evidence, EvidenceKind, FindingKind, Severity};

use super::{finding, fix, Check, Facts, Outcome};

/// How long a loss is reported after it stopped.
const KEEP_SECS: u64 = 300;

#[derive(Default)]
pub struct EventLoss {
    /// Losses counted at the last run, and when they last rose.
    last: u64,
    rose_at_secs: Option<u64>,
}

impl Check for EventLoss {
    fn kind(&self) -> FindingKind {
        FindingKind::EventLoss
    }

    fn run(&mut self, facts: &Facts) -> Outcome {
        let collectors = &facts.health.collectors;
        let lost: u64 = collectors.values().map(|c| c.enobufs).sum();
        if lost > self.last {
            self.rose_at_secs = Some(facts.watched_secs);
        }
        self.last = lost;
        let recent = self.rose_at_secs.is_some_and(|at| {
            facts.watched_secs.saturating_sub(at) < KEEP_SECS
        });
        if !recent {
            return Outcome::Ok;
        }
        let mut f = finding(
            FindingKind::EventLoss,
            "nfscope",
            Severity::Warning,
            format!(
                "nfscope lost kernel events {lost} time{} (its receive \
                 buffer overflowed)",
                if lost == 1 { "" } else { "s" }
            ),
            "The kernel sends events only while there is room in the \
             socket's buffer; when it is full, events are dropped and \
             nfscope reads the whole table again. Until then its view may \
             miss short-lived flows, and checks may miss the signs they \
             look for."
                .into(),
        );
        f.evidence = collectors
            .iter()
            .filter(|(_, c)| c.enobufs > 0)
            .map(|(name, c)| Evidence {
                kind: EvidenceKind::Counter,
                label: format!(
                    "{name}: {} overflows, {} resyncs",
                    c.enobufs, c.resyncs
                ),
                href: Some("/api/status".into()),
            })
            .collect();
        f.fixes = vec![fix(
            "Give nfscope a larger receive buffer",
            &["nfscope serve --rcvbuf 256M"],
            "Kernel memory, taken only while events queue up.",
        )];
        Outcome::Found(vec![f])
    }
}
