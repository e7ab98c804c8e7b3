//! Where server-side rendering reads its data. The server implements this
//! over its live state and provides it as Leptos context.

use std::sync::Arc;

use crate::query::{Filter, Sort, TimeSpan};
use crate::wire::finding::{FlowDiagnosis, RuleFindings};
use crate::wire::history::{FlowRecord, HistoryPage};
use crate::wire::ruleset::{RuleDetail, RuleRef, Ruleset, RulesetChange};
use crate::wire::{Flow, FlowKey, FlowPage, Health};

pub trait PageSource: Send + Sync {
    fn page(&self, filter: &Filter, sort: &Sort, limit: usize) -> FlowPage;
    /// The flow live, or as the history last saw it.
    fn flow(&self, key: &FlowKey) -> Option<FlowRecord>;
    /// A page of the history's flows alive during `span` that `filter`
    /// selects, or why there is none.
    fn past(
        &self,
        filter: &Filter,
        span: TimeSpan,
        offset: usize,
        limit: usize,
    ) -> Result<HistoryPage, String>;
    fn status(&self) -> Health;
    /// `None` until the collector has read it.
    fn ruleset(&self) -> Option<Ruleset>;
    fn rule(&self, at: &RuleRef) -> Option<RuleDetail>;
    /// The commit that made generation `generation`, while the history
    /// holds it.
    fn commit(&self, generation: u32) -> Option<RulesetChange>;
    /// The INVALID packets and findings of a flow; none where the
    /// diagnosis is not shown (a share link).
    fn diagnosis(&self, flow: &Flow) -> FlowDiagnosis {
        let _ = flow;
        FlowDiagnosis::default()
    }
    /// The findings holding now, by the rules they name.
    fn rule_findings(&self) -> RuleFindings {
        RuleFindings::default()
    }
}

pub type SharedSource = Arc<dyn PageSource>;
