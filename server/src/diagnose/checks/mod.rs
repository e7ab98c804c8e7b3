//! The checks, one per file. Each keeps what it needs of earlier runs
//! and answers every run.

mod double_tracking;
mod event_loss;
mod nat_port_clash;
mod settings;
mod table_pressure;
mod unanswered;

use app::wire::finding::{
    CheckStatus, Evidence, EvidenceKind, Finding, FindingKind, Fix, Severity,
    Verdict,
};
use app::wire::ruleset::RuleRef;
use app::wire::Flow;

use super::facts::Facts;
use crate::collect::nftables::ruleset::{Rule, Ruleset};

pub trait Check: Send {
    fn kind(&self) -> FindingKind;
    fn run(&mut self, facts: &Facts) -> Outcome;
}

pub enum Outcome {
    Ok,
    /// Not enough seen yet; says what is missing.
    TooEarly(String),
    Found(Vec<Finding>),
}

/// One check's answer, for the board.
pub struct Answer {
    pub status: CheckStatus,
    pub findings: Vec<Finding>,
}

pub fn all() -> Vec<Box<dyn Check>> {
    vec![
        Box::new(double_tracking::DoubleTracking::default()),
        Box::new(nat_port_clash::NatPortClash::default()),
        Box::new(unanswered::Unanswered),
        Box::new(table_pressure::TablePressure::default()),
        Box::new(event_loss::EventLoss::default()),
        Box::new(settings::Settings),
    ]
}

pub fn run(checks: &mut [Box<dyn Check>], facts: &Facts) -> Vec<Answer> {
    checks
        .iter_mut()
        .map(|check| {
            let kind = check.kind();
            let (verdict, note, findings) = match check.run(facts) {
                Outcome::Ok => (Verdict::Ok, None, Vec::new()),
                Outcome::TooEarly(why) => {
                    (Verdict::TooEarly, Some(why), Vec::new())
                }
                Outcome::Found(found) if found.is_empty() => {
                    (Verdict::Ok, None, found)
                }
                Outcome::Found(found) => (Verdict::Found, None, found),
            };
            Answer {
                status: CheckStatus {
                    kind,
                    verdict,
                    note,
                },
                findings,
            }
        })
        .collect()
}

/// A finding about `subject`, to be given its evidence and fixes; the
/// board sets its times.
fn finding(
    kind: FindingKind,
    subject: &str,
    severity: Severity,
    summary: String,
    explanation: String,
) -> Finding {
    Finding {
        id: format!("{}:{subject}", kind.as_str()),
        kind,
        severity,
        summary,
        explanation,
        evidence: Vec::new(),
        fixes: Vec::new(),
        since_ms: 0,
        seen_ms: 0,
        cleared_ms: None,
    }
}

fn fix(title: &str, commands: &[&str], tradeoff: &str) -> Fix {
    Fix {
        title: title.to_owned(),
        commands: commands.iter().map(|c| (*c).to_owned()).collect(),
        tradeoff: tradeoff.to_owned(),
    }
}

/// A flow as evidence: its tuples in words, linking to its page.
fn flow_evidence(flow: &Flow, what: &str) -> Evidence {
    Evidence::flow(flow.key, format!("{what}: {}", describe_flow(flow)))
}

fn describe_flow(flow: &Flow) -> String {
    use app::wire::nat_endpoint;
    let o = &flow.orig;
    let mut text = format!(
        "{} {} → {}",
        flow.proto,
        nat_endpoint(o.src, o.sport),
        nat_endpoint(o.dst, o.dport)
    );
    for nat in &flow.nat {
        text.push_str(", ");
        text.push_str(&nat.describe(&flow.orig, &flow.reply));
    }
    text
}

/// Every rule of every table.
fn rules(ruleset: &Ruleset) -> impl Iterator<Item = &Rule> {
    let chains = ruleset.tables.iter().flat_map(|t| &t.chains);
    chains.flat_map(|c| &c.rules)
}

/// A rule as evidence: where it is and its text, linking to its panel.
fn rule_evidence(r: &Rule) -> Evidence {
    let at = RuleRef {
        family: r.family.name(),
        table: r.table.clone(),
        chain: r.chain.clone(),
        handle: r.handle,
    };
    let label =
        format!("{} {} {}: {}", at.family, at.table, at.chain, r.text.nft);
    Evidence::rule(&at, label)
}

fn sysctl_evidence(name: &str, value: i64) -> Evidence {
    Evidence {
        kind: EvidenceKind::Sysctl,
        label: format!("{} = {value}", name.replace('/', ".")),
        href: None,
    }
}
