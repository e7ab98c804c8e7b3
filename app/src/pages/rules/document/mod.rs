//! The ruleset as the rules page's HTML, rendered on the server only:
//! each family with its hooks in packet order, each table with its chain
//! graph and its chains' rules and counters. The browser never builds
//! this; it sets it whole and patches the counters in place
//! (`rules::patch`), by the `data-*` attributes it carries.

mod badge;
mod graph;
mod hooks;
mod line;
pub mod panel;
mod table;

use leptos::prelude::*;

use super::{RulesView, FAMILIES};
use crate::wire::finding::RuleFindings;
use crate::wire::ruleset::{Ruleset, Table};

/// The page's document for `r`, filtered as `view` asks, with a badge on
/// each rule a finding names.
pub fn html(r: &Ruleset, view: &RulesView, findings: &RuleFindings) -> String {
    Owner::new().with(|| {
        provide_context(findings.clone());
        document(r, view).to_html()
    })
}

/// Names what a document is rendered from, its generation and its
/// badges: a page holding the document of this tag need not be sent it
/// again.
pub fn tag(generation: u32, findings: &RuleFindings) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    (generation, findings.digest()).hash(&mut hasher);
    format!("{generation}-{:016x}", hasher.finish())
}

fn document(r: &Ruleset, view: &RulesView) -> impl IntoView {
    // Known families in their order, then any this build has no name
    // for (`family-N`).
    let mut names: Vec<&str> = FAMILIES.to_vec();
    for t in &r.tables {
        if !names.contains(&t.family.as_str()) {
            names.push(&t.family);
        }
    }
    let families = names
        .into_iter()
        .filter_map(|f| {
            let tables: Vec<&Table> =
                r.tables.iter().filter(|t| t.family == f).collect();
            (!tables.is_empty()).then(|| family(f, tables, view))
        })
        .collect_view();
    let legacy = r.legacy_warning().map(|w| {
        view! {
            <div
                role="alert"
                data-testid="legacy"
                class="mb-4 rounded border border-amber-300 bg-amber-50 px-4 py-2 \
                       text-sm text-amber-900 dark:border-amber-800 \
                       dark:bg-amber-950 dark:text-amber-200"
            >
                {w}
            </div>
        }
    });
    let empty = r.tables.is_empty().then(|| {
        view! { <p class="text-slate-500">"The ruleset is empty: no table in any family."</p> }
    });
    view! { {legacy} {empty} <div class="space-y-10">{families}</div> }
}

fn family(name: &str, tables: Vec<&Table>, view: &RulesView) -> impl IntoView {
    let hidden = view.family.as_deref().is_some_and(|f| f != name);
    let blocks = tables.iter().map(|t| table::table(t, view)).collect_view();
    view! {
        <section data-family=name.to_owned() hidden=hidden>
            <h2 class="mb-2 text-lg font-semibold">{name.to_owned()}</h2>
            {hooks::hook_path(&tables)}
            <div class="mt-4 space-y-8">{blocks}</div>
        </section>
    }
}
