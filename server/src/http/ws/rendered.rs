//! The ruleset as the ruleset streams send it, encoded once per commit
//! and form for every client, off the async workers: a big ruleset takes
//! tens of milliseconds to render, and every open page would otherwise
//! render it again. The page's form carries the findings' badges: it is
//! encoded again when they change.

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::Mutex;

use app::rules_html;
use app::wire::finding::RuleFindings;
use app::wire::ruleset::{RulesDocument, RulesPageMsg, RulesetMsg};

use super::encode;
use super::ruleset::Form;
use crate::collect::nftables::ruleset::Ruleset;
use crate::collect::nftables::view::{self, Detail};
use crate::state::ruleset::Rates;

/// The last ruleset encoded, shared by the streams.
#[derive(Clone, Default)]
pub struct Rendered {
    last: Arc<Mutex<Option<Entry>>>,
}

struct Entry {
    ruleset: Arc<Ruleset>,
    /// The counters it was rendered with.
    rates: Arc<Rates>,
    findings: RuleFindings,
    tree: Option<Utf8Bytes>,
    page: Option<Utf8Bytes>,
}

impl Rendered {
    /// The message that sends `ruleset` in `form`, and the counters it
    /// carries (a stream sends what moved since those). Streams that ask
    /// at once wait for one rendering.
    pub async fn message(
        &self,
        ruleset: &Arc<Ruleset>,
        rates: &Arc<Rates>,
        form: Form,
        findings: &RuleFindings,
    ) -> Result<(Utf8Bytes, Arc<Rates>), axum::Error> {
        let mut last = self.last.lock().await;
        let fresh = last.as_ref().is_some_and(|e| {
            Arc::ptr_eq(&e.ruleset, ruleset)
                && (form == Form::Tree || e.findings == *findings)
        });
        if !fresh {
            *last = Some(Entry {
                ruleset: Arc::clone(ruleset),
                rates: Arc::clone(rates),
                findings: findings.clone(),
                tree: None,
                page: None,
            });
        }
        let entry = last.as_mut().expect("set above");
        let slot = match form {
            Form::Tree => &mut entry.tree,
            Form::Page => &mut entry.page,
        };
        if let Some(text) = slot {
            return Ok((text.clone(), Arc::clone(&entry.rates)));
        }
        let (r, rates) = (Arc::clone(&entry.ruleset), Arc::clone(&entry.rates));
        let findings = entry.findings.clone();
        let text = tokio::task::spawn_blocking(move || {
            render(&r, &rates, form, &findings)
        })
        .await
        .map_err(axum::Error::new)??;
        *slot = Some(text.clone());
        Ok((text, Arc::clone(&entry.rates)))
    }
}

fn render(
    r: &Ruleset,
    rates: &Rates,
    form: Form,
    findings: &RuleFindings,
) -> Result<Utf8Bytes, axum::Error> {
    let wire = view::to_wire(r, rates, Detail::default());
    match form {
        Form::Tree => encode(&RulesetMsg::Ruleset(Box::new(wire))),
        Form::Page => encode(&RulesPageMsg::Document(RulesDocument {
            generation: wire.generation,
            iptables: wire.tables.iter().any(|t| t.iptables),
            html: rules_html::document(&wire, findings),
        })),
    }
}
