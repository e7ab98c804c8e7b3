//! Diagnoses: what the server's checks found wrong, with the evidence and
//! the fix (`GET /api/findings`, the findings page).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::ruleset::RuleRef;
use super::FlowKey;
use crate::location;

/// How much a finding matters.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is broken by it alone.
    Info,
    /// Something will break, or makes a diagnosis harder.
    Warning,
    /// Traffic is failing now.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One kind of check, and what each of its findings is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// Conntrack tracked the same connection twice through a bridge with
    /// `bridge-nf-call-iptables=1`.
    DoubleTracking,
    /// NAT rewrote a source port that no rule asked to rewrite.
    NatPortClash,
    /// Connections that never got an answer, by destination.
    Unanswered,
    /// The conntrack table is full or failing to insert.
    TablePressure,
    /// nfscope itself lost events: what it shows may be incomplete.
    EventLoss,
    /// A setting that is risky, or that hides what is going on.
    Setting,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::DoubleTracking => "double-tracking",
            FindingKind::NatPortClash => "nat-port-clash",
            FindingKind::Unanswered => "unanswered",
            FindingKind::TablePressure => "table-pressure",
            FindingKind::EventLoss => "event-loss",
            FindingKind::Setting => "setting",
        }
    }
}

/// What a piece of evidence is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    Flow,
    Packet,
    Rule,
    Sysctl,
    Counter,
}

/// One thing the finding rests on, with a link to see it where it has
/// a page (`/flow/KEY`, `/rules?…`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

impl Evidence {
    /// A rule, linked to its panel on the rules page.
    pub fn rule(at: &RuleRef, label: String) -> Self {
        let query = location::form_urlencoded(&[("rule", &at.to_string())]);
        Self {
            kind: EvidenceKind::Rule,
            label,
            href: Some(format!("/rules?{query}")),
        }
    }

    /// A flow, linked to its page.
    pub fn flow(key: FlowKey, label: String) -> Self {
        Self {
            kind: EvidenceKind::Flow,
            label,
            href: Some(format!("/flow/{key}")),
        }
    }

    /// The flow this evidence is, if it is one.
    pub fn flow_key(&self) -> Option<FlowKey> {
        if self.kind != EvidenceKind::Flow {
            return None;
        }
        self.href.as_deref()?.strip_prefix("/flow/")?.parse().ok()
    }

    /// The rule this evidence is, if it is one.
    pub fn rule_ref(&self) -> Option<RuleRef> {
        if self.kind != EvidenceKind::Rule {
            return None;
        }
        let query = self.href.as_deref()?.strip_prefix("/rules?")?;
        let (_, at) =
            location::query_pairs(query).find(|(name, _)| name == "rule")?;
        at.parse().ok()
    }
}

/// A way out, with what it costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    pub title: String,
    /// Shell commands, in order, as a user would type them.
    pub commands: Vec<String>,
    pub tradeoff: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable while the condition lasts: the kind and what it is about,
    /// e.g. `double-tracking:br-lan137`.
    pub id: String,
    pub kind: FindingKind,
    pub severity: Severity,
    /// One line.
    pub summary: String,
    /// Plain words: what happens, and why.
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    pub fixes: Vec<Fix>,
    /// When it was first found, ms since the Unix epoch.
    pub since_ms: u64,
    /// When the condition was last seen.
    pub seen_ms: u64,
    /// When it cleared; `None` while it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleared_ms: Option<u64>,
}

/// What one check answered on its last run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ok,
    Found,
    /// Not enough seen yet to tell.
    TooEarly,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckStatus {
    pub kind: FindingKind,
    pub verdict: Verdict,
    /// Why it cannot tell yet, or what it looked at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `GET /api/findings`, and each message of its stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Findings {
    /// Rises by one each time the list changes.
    pub seq: u64,
    /// Holding now, the most severe first.
    pub active: Vec<Finding>,
    /// Cleared ones, the latest first, a bounded number.
    pub cleared: Vec<Finding>,
    pub checks: Vec<CheckStatus>,
}

impl Findings {
    /// The flows the findings holding now name.
    pub fn flows(&self) -> std::collections::HashSet<FlowKey> {
        let evidence = self.active.iter().flat_map(|f| &f.evidence);
        evidence.filter_map(Evidence::flow_key).collect()
    }

    /// The findings holding now, by the rules they name: the rules
    /// page's badges.
    pub fn by_rule(&self) -> RuleFindings {
        let mut by_rule = RuleFindings::default();
        for f in &self.active {
            for at in f.evidence.iter().filter_map(Evidence::rule_ref) {
                let note = FindingNote {
                    id: f.id.clone(),
                    severity: f.severity,
                    summary: f.summary.clone(),
                };
                by_rule.0.entry(at).or_default().push(note);
            }
        }
        by_rule
    }
}

/// A finding as a rule shows it: a badge that links to it.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct FindingNote {
    pub id: String,
    pub severity: Severity,
    pub summary: String,
}

/// The findings that name each rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleFindings(HashMap<RuleRef, Vec<FindingNote>>);

impl RuleFindings {
    pub fn of(&self, at: &RuleRef) -> &[FindingNote] {
        self.0.get(at).map_or(&[], Vec::as_slice)
    }

    /// The same number for equal findings, in whatever order the map
    /// holds them.
    #[cfg(feature = "ssr")]
    pub fn digest(&self) -> u64 {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut entries: Vec<_> = self.0.iter().collect();
        entries.sort_unstable_by_key(|(at, _)| at.to_string());
        let mut hasher = DefaultHasher::new();
        entries.hash(&mut hasher);
        hasher.finish()
    }
}

/// What the diagnosis knows of one flow, for its page: the INVALID
/// packets on its path and the findings that name it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowDiagnosis {
    /// Whether INVALID packets are being captured now.
    pub capture: bool,
    pub invalid: Vec<super::invalid::InvalidPacket>,
    pub findings: Vec<Finding>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_as_evidence_names_it_again() {
        let at: RuleRef = "ip/nat/DOCKER CHAIN/7".parse().unwrap();
        let e = Evidence::rule(&at, "dnat".into());
        assert_eq!(
            e.href.as_deref(),
            Some("/rules?rule=ip/nat/DOCKER+CHAIN/7")
        );
        assert_eq!(e.rule_ref(), Some(at.clone()));
        let flow = Evidence {
            kind: EvidenceKind::Flow,
            ..e.clone()
        };
        assert_eq!(flow.rule_ref(), None);

        let finding = |id: &str| Finding {
            id: id.into(),
            kind: FindingKind::Setting,
            severity: Severity::Info,
            summary: format!("{id} holds"),
            explanation: String::new(),
            evidence: vec![e.clone()],
            fixes: Vec::new(),
            since_ms: 0,
            seen_ms: 0,
            cleared_ms: None,
        };
        let findings = Findings {
            active: vec![finding("a"), finding("b")],
            cleared: vec![finding("gone")],
            ..Findings::default()
        };
        let by_rule = findings.by_rule();
        let ids: Vec<&str> =
            by_rule.of(&at).iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert!(by_rule.of(&RuleRef::default()).is_empty());
    }
}
