//! The rules page's view as it lives in the URL: `q` (search in the
//! rules' text), `family`, `syntax` (`nft` or `iptables`), `rule` (the
//! rule in the panel) and `diff` (the commit in the panel).

use crate::location::{form_urlencoded, query_pairs};
use crate::wire::ruleset::RuleRef;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RulesView {
    pub q: String,
    /// Only this family's tables; all when `None`.
    pub family: Option<String>,
    /// Tables iptables-nft manages as `iptables-save` prints them.
    pub iptables: bool,
    pub rule: Option<RuleRef>,
    pub diff: Option<u32>,
}

impl RulesView {
    /// Reads the view from a query string; what is missing or wrong
    /// falls back to the default.
    pub fn from_query(query: &str) -> Self {
        let mut view = Self::default();
        for (name, value) in query_pairs(query) {
            match name.as_str() {
                "q" => view.q = value,
                "family" if !value.is_empty() => view.family = Some(value),
                "syntax" => view.iptables = value == "iptables",
                "rule" => view.rule = value.parse().ok(),
                "diff" => view.diff = value.parse().ok(),
                _ => {}
            }
        }
        view
    }

    pub fn href(&self) -> String {
        let rule = self.rule.as_ref().map(RuleRef::to_string);
        let diff = self.diff.map(|g| g.to_string());
        let pairs: Vec<(&str, &str)> = [
            ("q", self.q.as_str()),
            ("family", self.family.as_deref().unwrap_or_default()),
            ("syntax", if self.iptables { "iptables" } else { "" }),
            ("rule", rule.as_deref().unwrap_or_default()),
            ("diff", diff.as_deref().unwrap_or_default()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        match form_urlencoded(&pairs) {
            q if q.is_empty() => "/rules".to_owned(),
            q => format!("/rules?{q}"),
        }
    }

    /// The search matches this text, whatever the case of ASCII letters
    /// (rules are ASCII but for comments; Unicode case tables would
    /// weigh on the wasm).
    pub fn finds(&self, text: &str) -> bool {
        self.q.is_empty()
            || text
                .to_ascii_lowercase()
                .contains(&self.q.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_round_trips_through_its_href() {
        let view = RulesView {
            q: "dport 22".into(),
            family: Some("ip".into()),
            iptables: true,
            rule: "ip/filter/DOCKER-USER/12".parse().ok(),
            diff: Some(42),
        };
        let href = view.href();
        assert_eq!(
            href,
            "/rules?q=dport+22&family=ip&syntax=iptables\
             &rule=ip/filter/DOCKER-USER/12&diff=42"
        );
        let query = href.split_once('?').unwrap().1;
        assert_eq!(RulesView::from_query(query), view);
        assert_eq!(RulesView::default().href(), "/rules");
    }

    #[test]
    fn what_is_wrong_falls_back_to_the_default() {
        let view = RulesView::from_query("rule=ip/filter&diff=x&syntax=zz");
        assert_eq!(view, RulesView::default());
    }

    #[test]
    fn the_search_ignores_case() {
        let view = RulesView::from_query("q=ACCEPT");
        assert!(view.finds("tcp dport 22 accept"));
        assert!(!view.finds("drop"));
    }
}
