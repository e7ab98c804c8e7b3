//! What a page rendered for a share link may read: its one flow. The
//! header's counters, the flows table and the ruleset stay empty.

use std::sync::Arc;

use app::query::{Filter, Sort, TimeSpan};
use app::source::{PageSource, SharedSource};
use app::wire::history::{FlowRecord, HistoryPage};
use app::wire::ruleset::{RuleDetail, RuleRef, Ruleset, RulesetChange};
use app::wire::{FlowKey, FlowPage, Health};

pub struct SharedFlow {
    pub site: SharedSource,
    pub key: FlowKey,
}

impl SharedFlow {
    pub fn source(site: SharedSource, key: FlowKey) -> SharedSource {
        Arc::new(Self { site, key })
    }
}

impl PageSource for SharedFlow {
    fn page(&self, _: &Filter, _: &Sort, _: usize) -> FlowPage {
        FlowPage::default()
    }

    fn flow(&self, key: &FlowKey) -> Option<FlowRecord> {
        (*key == self.key).then(|| self.site.flow(key)).flatten()
    }

    fn past(
        &self,
        _: &Filter,
        _: TimeSpan,
        _: usize,
        _: usize,
    ) -> Result<HistoryPage, String> {
        Err("a share link opens one flow only".to_owned())
    }

    fn status(&self) -> Health {
        Health::default()
    }

    fn ruleset(&self) -> Option<Ruleset> {
        None
    }

    fn rule(&self, _: &RuleRef) -> Option<RuleDetail> {
        None
    }

    fn commit(&self, _: u32) -> Option<RulesetChange> {
        None
    }
}
