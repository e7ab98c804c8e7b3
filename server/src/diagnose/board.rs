//! The findings board: which findings hold, since when, and which
//! cleared. Pure bookkeeping over what the checks answered, so it is
//! tested without a kernel.

use std::collections::{BTreeMap, VecDeque};

use app::wire::finding::{CheckStatus, Finding, Findings};

use super::checks::Answer;

/// Cleared findings remembered, the latest first.
pub const CLEARED_KEPT: usize = 100;

#[derive(Default)]
pub struct Board {
    seq: u64,
    active: BTreeMap<String, Finding>,
    cleared: VecDeque<Finding>,
    checks: Vec<CheckStatus>,
    /// Findings that came, changed or cleared since the last take: what
    /// the history writes down.
    news: Vec<Finding>,
}

impl Board {
    /// Starts from the findings of an earlier run, the latest first.
    pub fn restore(past: Vec<Finding>) -> Self {
        let mut cleared: VecDeque<Finding> = past.into();
        cleared.truncate(CLEARED_KEPT);
        Self {
            cleared,
            ..Self::default()
        }
    }

    pub fn take_news(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.news)
    }

    /// Every finding that holds, as of now: for the history to know how
    /// long they held should nfscope stop.
    pub fn holding(&self) -> impl Iterator<Item = &Finding> {
        self.active.values()
    }

    /// Takes one run's answers; says whether the list changed (a finding
    /// came, went or changed, or a check's verdict did).
    pub fn update(&mut self, answers: Vec<Answer>, now_ms: u64) -> bool {
        let mut changed = false;
        let mut found = BTreeMap::new();
        let mut checks = Vec::with_capacity(answers.len());
        for answer in answers {
            checks.push(answer.status);
            for draft in answer.findings {
                found.insert(draft.id.clone(), draft);
            }
        }
        changed |= checks != self.checks;
        self.checks = checks;
        // Those no longer found cleared, except for a check that cannot
        // tell this time: its findings stay as they were.
        let undecided: Vec<_> = self
            .checks
            .iter()
            .filter(|c| c.verdict == app::wire::finding::Verdict::TooEarly)
            .map(|c| c.kind)
            .collect();
        let gone: Vec<String> = self
            .active
            .iter()
            .filter(|(id, f)| {
                !found.contains_key(*id) && !undecided.contains(&f.kind)
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in gone {
            if let Some(mut finding) = self.active.remove(&id) {
                finding.cleared_ms = Some(now_ms);
                self.news.push(finding.clone());
                self.cleared.push_front(finding);
                self.cleared.truncate(CLEARED_KEPT);
                changed = true;
            }
        }
        for (id, mut draft) in found {
            match self.active.get_mut(&id) {
                Some(held) => {
                    draft.since_ms = held.since_ms;
                    draft.seen_ms = now_ms;
                    // The time it was last seen alone is no news.
                    let news = Finding {
                        seen_ms: held.seen_ms,
                        ..draft.clone()
                    } != *held;
                    if news {
                        self.news.push(draft.clone());
                    }
                    changed |= news;
                    *held = draft;
                }
                None => {
                    draft.since_ms = now_ms;
                    draft.seen_ms = now_ms;
                    self.news.push(draft.clone());
                    self.active.insert(id, draft);
                    changed = true;
                }
            }
        }
        if changed {
            self.seq += 1;
        }
        changed
    }

    pub fn findings(&self) -> Findings {
        let mut active: Vec<Finding> = self.active.values().cloned().collect();
        active.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.since_ms.cmp(&b.since_ms))
        });
        Findings {
            seq: self.seq,
            active,
            cleared: self.cleared.iter().cloned().collect(),
            checks: self.checks.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use app::wire::finding::{FindingKind, Severity, Verdict};

    use super::*;

    fn finding(id: &str, summary: &str) -> Finding {
        Finding {
            id: id.into(),
            kind: FindingKind::Setting,
            severity: Severity::Warning,
            summary: summary.into(),
            explanation: String::new(),
            evidence: Vec::new(),
            fixes: Vec::new(),
            since_ms: 0,
            seen_ms: 0,
            cleared_ms: None,
        }
    }

    fn answer(verdict: Verdict, findings: Vec<Finding>) -> Vec<Answer> {
        vec![Answer {
            status: CheckStatus {
                kind: FindingKind::Setting,
                verdict,
                note: None,
            },
            findings,
        }]
    }

    #[test]
    fn a_finding_keeps_its_start_and_clears_into_the_past() {
        let mut board = Board::default();
        assert!(board.update(
            answer(Verdict::Found, vec![finding("setting:a", "A")]),
            1_000
        ));
        // Seen again, unchanged: no news, but its start stays.
        assert!(!board.update(
            answer(Verdict::Found, vec![finding("setting:a", "A")]),
            2_000
        ));
        let now = board.findings();
        assert_eq!(now.active[0].since_ms, 1_000);
        assert_eq!(now.active[0].seen_ms, 2_000);
        // Too early to tell: it stays.
        assert!(board.update(answer(Verdict::TooEarly, vec![]), 3_000));
        assert_eq!(board.findings().active.len(), 1);
        assert!(board.update(answer(Verdict::Ok, vec![]), 4_000));
        let after = board.findings();
        assert!(after.active.is_empty());
        assert_eq!(after.cleared[0].cleared_ms, Some(4_000));
        assert_eq!(after.seq, 3);
        // The history hears of its coming and its clearing only.
        let news = board.take_news();
        assert_eq!(news.len(), 2);
        assert_eq!(news[1].cleared_ms, Some(4_000));
        let again = Board::restore(after.cleared);
        assert_eq!(again.findings().cleared.len(), 1);
    }

    #[test]
    fn a_changed_finding_is_news() {
        let mut board = Board::default();
        board.update(answer(Verdict::Found, vec![finding("s:a", "A")]), 1);
        assert!(board.update(
            answer(Verdict::Found, vec![finding("s:a", "A, worse")]),
            2
        ));
        assert_eq!(board.findings().active[0].summary, "A, worse");
    }
}
