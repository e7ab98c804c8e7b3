//! Check 4: the conntrack table under pressure: nearly full, or the
//! kernel failing to insert, dropping, or finding many packets INVALID.
//! From conntrack's own statistics, summed over CPUs.

use std::collections::VecDeque;

use app::wire::conntrack_stats::CtStats;
use app::wire::finding::{
    Evidence, EvidenceKind, Finding, FindingKind, Severity,
};

use super::{finding, fix, Check, Facts, Outcome};

/// The window rates are taken over.
const WINDOW_SECS: u64 = 60;
/// Seconds of statistics before a rate means anything.
const FIRST_SECS: u64 = 5;
/// INVALID packets per second worth a word, averaged over the window.
const INVALID_PER_SEC: f64 = 10.0;

#[derive(Default)]
pub struct TablePressure {
    samples: VecDeque<(u64, CtStats)>,
}

impl Check for TablePressure {
    fn kind(&self) -> FindingKind {
        FindingKind::TablePressure
    }

    fn run(&mut self, facts: &Facts) -> Outcome {
        let Some(now) = facts.stats else {
            return Outcome::TooEarly(
                "the kernel gives no conntrack statistics".into(),
            );
        };
        let at = facts.watched_secs;
        self.samples.push_back((at, now));
        while self
            .samples
            .front()
            .is_some_and(|(t, _)| at.saturating_sub(*t) > WINDOW_SECS)
        {
            self.samples.pop_front();
        }
        let mut found = Vec::new();
        if let Some(full) = fullness(&now) {
            found.push(full);
        }
        let (since, then) = self.samples.front().expect("just pushed");
        let secs = at.saturating_sub(*since);
        if secs < FIRST_SECS {
            return match found.is_empty() {
                true => Outcome::TooEarly("a few seconds of statistics".into()),
                false => Outcome::Found(found),
            };
        }
        let rose = |now: u64, then: u64| now.saturating_sub(then);
        let failing = [
            ("insert_failed", rose(now.insert_failed, then.insert_failed)),
            ("drop", rose(now.drop, then.drop)),
            ("early_drop", rose(now.early_drop, then.early_drop)),
        ];
        if failing.iter().any(|(_, n)| *n > 0) {
            found.push(failing_inserts(&failing, secs));
        }
        let invalid = rose(now.invalid, then.invalid) as f64 / secs as f64;
        if invalid > INVALID_PER_SEC {
            found.push(invalid_rising(invalid, secs));
        }
        Outcome::Found(found)
    }
}

fn fullness(s: &CtStats) -> Option<Finding> {
    let (count, max) = (u64::from(s.entries), u64::from(s.max_entries));
    let share = count as f64 / (max as f64).max(1.0);
    let severity = match share {
        x if max > 0 && x >= 0.9 => Severity::Error,
        x if max > 0 && x >= 0.75 => Severity::Warning,
        _ => return None,
    };
    let mut f = finding(
        FindingKind::TablePressure,
        "full",
        severity,
        format!(
            "The conntrack table is {:.0} % full ({} of {})",
            share * 100.0,
            count,
            max
        ),
        "When the table is full the kernel drops new connections (or evicts \
         unassured ones first): new connections fail while old ones work."
            .into(),
    );
    f.evidence = vec![counter("entries", count), counter("max", max)];
    f.fixes = vec![fix(
        "Make the table bigger",
        &[&format!(
            "sysctl -w net.netfilter.nf_conntrack_max={}",
            max.saturating_mul(2)
        )],
        "About 300 bytes of kernel memory per entry; set in the initial \
         namespace only. Shorter timeouts (nf_conntrack_tcp_timeout_*) help \
         too.",
    )];
    Some(f)
}

fn failing_inserts(failing: &[(&str, u64)], secs: u64) -> Finding {
    let words: Vec<String> = failing
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{name} +{n}"))
        .collect();
    let mut f = finding(
        FindingKind::TablePressure,
        "inserts",
        Severity::Warning,
        format!(
            "Conntrack failed to add or kept dropping entries in the last \
             {secs} s ({})",
            words.join(", ")
        ),
        "insert_failed counts entries that lost a race for their tuple (or \
         found it taken); drop and early_drop count connections refused or \
         evicted because the table was full."
            .into(),
    );
    f.evidence = failing.iter().map(|(name, n)| counter(name, *n)).collect();
    f.fixes = vec![fix(
        "Watch the statistics per CPU",
        &["conntrack -S"],
        "Only looks.",
    )];
    f
}

fn invalid_rising(per_sec: f64, secs: u64) -> Finding {
    let mut f = finding(
        FindingKind::TablePressure,
        "invalid",
        Severity::Warning,
        format!(
            "Conntrack finds {per_sec:.0} packets per second INVALID (over \
             the last {secs} s)"
        ),
        "INVALID packets belong to no connection conntrack can follow: out \
         of window, a SYN/ACK without its SYN, a connection tracked twice. \
         They pass without NAT unless a rule drops them."
            .into(),
    );
    f.fixes = vec![fix(
        "See which packets they are",
        &["nfscope serve --capture-invalid"],
        "Adds a table of nfscope's own that logs them to NFLOG, rate \
         limited; it goes when nfscope stops.",
    )];
    f
}

fn counter(name: &str, value: u64) -> Evidence {
    Evidence {
        kind: EvidenceKind::Counter,
        label: format!("{name} = {value}"),
        href: Some("/api/conntrack/stats".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        check: &mut TablePressure,
        secs: u64,
        stats: CtStats,
    ) -> Vec<String> {
        let mut facts = Facts::empty(secs * 1000, secs);
        facts.stats = Some(stats);
        match check.run(&facts) {
            Outcome::Found(found) => found.into_iter().map(|f| f.id).collect(),
            Outcome::TooEarly(_) => vec!["too-early".into()],
            Outcome::Ok => Vec::new(),
        }
    }

    #[test]
    fn a_nearly_full_table_is_found_at_once() {
        let mut check = TablePressure::default();
        let full = CtStats {
            entries: 950,
            max_entries: 1000,
            ..CtStats::default()
        };
        assert_eq!(run(&mut check, 0, full), ["table-pressure:full"]);
        let f = fullness(&full).unwrap();
        assert_eq!(f.severity, Severity::Error);
        let three_quarters = CtStats {
            entries: 800,
            ..full
        };
        assert_eq!(
            fullness(&three_quarters).unwrap().severity,
            Severity::Warning
        );
        assert!(fullness(&CtStats {
            entries: 10,
            ..full
        })
        .is_none());
        assert!(fullness(&CtStats::default()).is_none());
    }

    #[test]
    fn rising_failures_and_invalid_need_a_few_seconds() {
        let mut check = TablePressure::default();
        let calm = CtStats {
            entries: 10,
            max_entries: 1000,
            ..CtStats::default()
        };
        assert_eq!(run(&mut check, 0, calm), ["too-early"]);
        assert!(run(&mut check, 6, calm).is_empty(), "nothing rose");
        let worse = CtStats {
            early_drop: 3,
            invalid: 600,
            ..calm
        };
        assert_eq!(
            run(&mut check, 12, worse),
            ["table-pressure:inserts", "table-pressure:invalid"]
        );
        // After a gap longer than the window, rates start over.
        assert_eq!(run(&mut check, 100, worse), ["too-early"]);
        assert!(run(&mut check, 106, worse).is_empty());
    }
}
