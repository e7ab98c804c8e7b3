//! The last ruleset a collector read, and a bounded history of commits.

use std::collections::VecDeque;
use std::sync::Arc;

use app::wire::ruleset::RulesetChange;

use crate::collect::nftables::ruleset::Ruleset;

/// Commits remembered, oldest dropped first (until a store keeps them).
const HISTORY: usize = 200;

#[derive(Default)]
pub struct RulesetState {
    /// `None` until the first snapshot.
    pub current: Option<Arc<Ruleset>>,
    /// Oldest first.
    pub history: VecDeque<RulesetChange>,
}

impl RulesetState {
    pub fn replace(
        &mut self,
        ruleset: Arc<Ruleset>,
        change: Option<RulesetChange>,
    ) {
        self.current = Some(ruleset);
        if let Some(change) = change {
            if self.history.len() == HISTORY {
                self.history.pop_front();
            }
            self.history.push_back(change);
        }
    }
}
