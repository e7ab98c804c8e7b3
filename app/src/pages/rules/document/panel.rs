//! The panel beside the ruleset, rendered on the server: one rule (its
//! text in both syntaxes, counters, ten minutes of rate, its
//! expressions) or one commit (what it changed, rule by rule). The
//! browser patches the rule's counters as it does the rows'.

use leptos::prelude::*;

use super::super::sparkline;
use super::{badge, line};
use crate::format;
use crate::wire::finding::FindingNote;
use crate::wire::ruleset::{
    ChainChange, Counted, RuleDetail, RuleRef, RulesetChange,
};

/// The panel of the rule at `at`, with the findings that name it.
pub fn rule(
    at: &RuleRef,
    detail: Option<&RuleDetail>,
    findings: &[FindingNote],
) -> String {
    let title = format!(
        "{} {} {} · handle {}",
        at.family, at.table, at.chain, at.handle
    );
    let Some(d) = detail else {
        return Owner::new().with(|| {
            view! {
                <h2 class="mb-3 font-semibold">{title}</h2>
                <p data-testid="no-rule">
                    "There is no such rule in the ruleset now: it was deleted, or \
                     its chain or table was."
                </p>
            }
            .to_html()
        });
    };
    let c = d.rule.counter.as_ref();
    let text = |f: fn(&Counted) -> String| {
        c.map(f).unwrap_or_else(|| "no counter".into())
    };
    let never = c.is_some_and(|c| !c.matched);
    let points = c
        .and_then(|c| c.recent.as_deref())
        .map(|r| sparkline::points(r, line::PANEL))
        .unwrap_or_default();
    let raw = d.rule.raw.clone().unwrap_or_default();
    let findings = (!findings.is_empty()).then(|| {
        let items = findings
            .iter()
            .map(|n| view! { <li>{badge::badge(n)} " " {n.summary.clone()}</li> })
            .collect_view();
        view! { <ul class="mb-3 space-y-1 text-sm" data-testid="rule-findings">{items}</ul> }
    });
    let view = view! {
        <h2 class="mb-3 font-semibold">{title}</h2>
        {findings}
        <pre class="whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono \
                    dark:bg-slate-900" data-testid="panel-text">
            {d.rule.stateless.clone().unwrap_or_else(|| d.rule.text.clone())}
        </pre>
        {d.rule.iptables.clone().map(|t| view! {
            <pre class="mt-2 whitespace-pre-wrap break-all rounded bg-slate-50 p-2 \
                        font-mono dark:bg-slate-900">
                {t}
            </pre>
        })}
        <div data-rule=at.to_string()>
            <dl class="mt-4 grid grid-cols-2 gap-1">
                <dt class="text-slate-500">"packets"</dt>
                <dd data-packets>{text(|c| format::count(c.packets))}</dd>
                <dt class="text-slate-500">"bytes"</dt>
                <dd data-bytes>{text(|c| format::bytes(c.bytes))}</dd>
                <dt class="text-slate-500">"rate"</dt>
                <dd data-rate>{text(sparkline::rate)}</dd>
            </dl>
            <p data-never hidden=!never class="mt-2 text-amber-700 dark:text-amber-300">
                "Never matched since nfscope started."
            </p>
            <h3 class="mt-4 font-semibold">"Packets per second, last 10 minutes"</h3>
            {line::svg(points, line::PANEL)}
        </div>
        <h3 class="mt-4 font-semibold">"Expressions"</h3>
        <ol class="mt-1 space-y-0.5 font-mono text-xs" data-testid="raw">
            {raw.into_iter().map(|e| view! { <li class="break-all">{e}</li> }).collect_view()}
        </ol>
    };
    Owner::new().with(|| view.to_html())
}

pub fn commit(generation: u32, commit: Option<&RulesetChange>) -> String {
    let Some(c) = commit else {
        return Owner::new().with(|| {
            view! {
                <h2 class="mb-3 font-semibold">{format!("Generation {generation}")}</h2>
                <p data-testid="no-commit">
                    {format!(
                        "nfscope's history no longer holds (or never saw) the commit \
                         of generation {generation}; /api/ruleset/history lists those \
                         it keeps."
                    )}
                </p>
            }
            .to_html()
        });
    };
    let when = format::utc_ms(c.at_ms);
    let by = c.process.as_deref().unwrap_or("an unknown process");
    let pid = c.pid.map(|p| format!(", pid {p}")).unwrap_or_default();
    let chains = c.chains.iter().map(chain_diff).collect_view();
    let view = view! {
        <h2 class="mb-1 font-semibold">{format!("Generation {}", c.generation)}</h2>
        <p class="mb-3 text-slate-500">{format!("{when}, by {by}{pid}")}</p>
        <p class="mb-3">{c.summary()}</p>
        <div class="space-y-3" data-testid="diff">{chains}</div>
    };
    Owner::new().with(|| view.to_html())
}

fn chain_diff(c: &ChainChange) -> impl IntoView {
    let line = |sign: &str, class: &'static str, text: &str| {
        view! { <li class=class>{format!("{sign} {text}")}</li> }
    };
    let green = "text-emerald-700 dark:text-emerald-400";
    let red = "text-red-700 dark:text-red-400";
    let lines = c
        .removed
        .iter()
        .map(|r| line("-", red, &r.text))
        .chain(c.changed.iter().flat_map(|r| {
            [line("-", red, &r.before), line("+", green, &r.after)]
        }))
        .chain(c.added.iter().map(|r| line("+", green, &r.text)))
        .collect_view();
    view! {
        <div>
            <div class="font-mono font-semibold">
                {format!("{} {} {} ({})", c.family, c.table, c.chain, c.what)}
            </div>
            <ul class="whitespace-pre-wrap break-all font-mono text-xs">{lines}</ul>
        </div>
    }
}
