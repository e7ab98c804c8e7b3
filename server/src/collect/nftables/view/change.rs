//! What a commit changed, rule by rule with the rules' text, and what a
//! run of commits changed, folded into one diff.

use std::collections::BTreeMap;

use app::wire::ruleset::{
    ChainChange, ChangedRule, RuleLine, RulesetChange, RulesetDiff,
};

use crate::collect::nftables::expr::{Expr, Quota};
use crate::collect::nftables::ruleset::{Generation, Rule, Ruleset};

/// Chains that came or went, and per chain the rules added, removed or
/// changed (same handle, other expressions).
pub fn change(
    before: &Ruleset,
    after: &Ruleset,
    generation: &Generation,
    at_ms: u64,
) -> RulesetChange {
    let (old, new) = (chains(before), chains(after));
    let mut changes = Vec::new();
    for (key, now) in &new {
        let was = old.get(key);
        let what = if was.is_some() { "changed" } else { "added" };
        let mut c = chain_change(key, what);
        for (handle, rule) in now {
            match was.and_then(|w| w.get(handle)) {
                None => c.added.push(line(rule)),
                Some(old) if !same_statements(old, rule) => {
                    c.changed.push(ChangedRule {
                        handle: *handle,
                        before: text(old),
                        after: text(rule),
                    });
                }
                Some(_) => {}
            }
        }
        if let Some(was) = was {
            c.removed = was
                .iter()
                .filter(|(h, _)| !now.contains_key(h))
                .map(|(_, r)| line(r))
                .collect();
        }
        if c.what == "added" || touched(&c) {
            changes.push(c);
        }
    }
    for (key, was) in &old {
        if !new.contains_key(key) {
            let mut c = chain_change(key, "removed");
            c.removed = was.values().map(|r| line(r)).collect();
            changes.push(c);
        }
    }
    RulesetChange {
        generation: generation.id,
        at_ms,
        process: generation.process.clone(),
        pid: generation.pid,
        chains: changes,
    }
}

/// The commits after `from` up to `to`, oldest first, folded: each
/// rule compared as it was before the first and after the last.
pub fn fold<'a>(
    from: u32,
    to: u32,
    commits: impl IntoIterator<Item = &'a RulesetChange>,
) -> RulesetDiff {
    #[derive(Default)]
    struct Ends {
        /// `None`: the chain (or rule) did not exist.
        before: Option<Option<String>>,
        after: Option<String>,
    }
    let mut chains: BTreeMap<ChainKey, (Ends, BTreeMap<u64, Ends>)> =
        BTreeMap::new();
    for commit in commits {
        for c in &commit.chains {
            let key = (c.family.clone(), c.table.clone(), c.chain.clone());
            let (chain, rules) = chains.entry(key).or_default();
            let existed = c.what != "added";
            chain.before.get_or_insert(existed.then(String::new));
            chain.after = (c.what != "removed").then(String::new);
            let mut seen =
                |handle: u64, before: Option<&str>, after: Option<&str>| {
                    let rule = rules.entry(handle).or_default();
                    rule.before.get_or_insert(before.map(str::to_owned));
                    rule.after = after.map(str::to_owned);
                };
            for r in &c.added {
                seen(r.handle, None, Some(&r.text));
            }
            for r in &c.removed {
                seen(r.handle, Some(&r.text), None);
            }
            for r in &c.changed {
                seen(r.handle, Some(&r.before), Some(&r.after));
            }
        }
    }
    let mut diff = RulesetDiff {
        from,
        to,
        chains: Vec::new(),
    };
    for (key, (chain, rules)) in &chains {
        let what = match (chain.before.clone().flatten(), &chain.after) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            (None, None) => continue,
            (Some(_), Some(_)) => "changed",
        };
        let mut c = chain_change(key, what);
        for (&handle, r) in rules {
            match (r.before.clone().flatten(), r.after.clone()) {
                (None, Some(text)) => c.added.push(RuleLine { handle, text }),
                (Some(text), None) => c.removed.push(RuleLine { handle, text }),
                (Some(before), Some(after)) if before != after => {
                    c.changed.push(ChangedRule {
                        handle,
                        before,
                        after,
                    });
                }
                _ => {}
            }
        }
        if what != "changed" || touched(&c) {
            diff.chains.push(c);
        }
    }
    diff
}

/// What counters, quotas and `last` have counted is state, not a
/// change of the rule.
fn same_statements(a: &Rule, b: &Rule) -> bool {
    let unused = |q: &[Quota]| -> Vec<Quota> {
        q.iter()
            .filter(|a| !matches!(a, Quota::Consumed(_)))
            .cloned()
            .collect()
    };
    a.userdata == b.userdata
        && a.exprs.len() == b.exprs.len()
        && a.exprs.iter().zip(&b.exprs).all(|pair| match pair {
            (Expr::Counter(_), Expr::Counter(_))
            | (Expr::Last(_), Expr::Last(_)) => true,
            (Expr::Quota(p), Expr::Quota(q)) => unused(p) == unused(q),
            (x, y) => x == y,
        })
}

fn touched(c: &ChainChange) -> bool {
    !(c.added.is_empty() && c.removed.is_empty() && c.changed.is_empty())
}

type ChainKey = (String, String, String);

/// A chain's rules by handle.
type ChainRules<'a> = BTreeMap<u64, &'a Rule>;

/// As `nft --stateless` prints it: what a counter counted is not what a
/// commit changed.
fn text(rule: &Rule) -> String {
    rule.text.stateless().to_owned()
}

fn line(rule: &Rule) -> RuleLine {
    RuleLine {
        handle: rule.handle,
        text: text(rule),
    }
}

fn chains(r: &Ruleset) -> BTreeMap<ChainKey, ChainRules<'_>> {
    let mut out = BTreeMap::new();
    for t in &r.tables {
        for c in &t.chains {
            let key = (
                t.table.family.name(),
                t.table.name.clone(),
                c.chain.name.clone(),
            );
            out.insert(key, c.rules.iter().map(|r| (r.handle, r)).collect());
        }
    }
    out
}

fn chain_change((family, table, chain): &ChainKey, what: &str) -> ChainChange {
    ChainChange {
        family: family.clone(),
        table: table.clone(),
        chain: chain.clone(),
        what: what.to_owned(),
        ..ChainChange::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::nftables::expr::Counter;

    #[test]
    fn a_counter_that_counted_is_not_a_changed_rule() {
        let rule = |packets| Rule {
            exprs: vec![
                Expr::Counter(vec![Counter::Packets(packets)]),
                Expr::Quota(vec![Quota::Bytes(100), Quota::Consumed(packets)]),
            ],
            ..Rule::default()
        };
        assert!(same_statements(&rule(1), &rule(7)));
        let mut other = rule(1);
        other.exprs.pop();
        assert!(!same_statements(&rule(1), &other));
    }

    fn commit(generation: u32, chains: Vec<ChainChange>) -> RulesetChange {
        RulesetChange {
            generation,
            chains,
            ..RulesetChange::default()
        }
    }

    fn chain(what: &str) -> ChainChange {
        chain_change(&("ip".into(), "filter".into(), "INPUT".into()), what)
    }

    fn line(handle: u64, text: &str) -> RuleLine {
        RuleLine {
            handle,
            text: text.into(),
        }
    }

    #[test]
    fn a_rule_added_then_changed_is_added_with_its_last_text() {
        let mut first = chain("changed");
        first.added = vec![line(5, "accept"), line(6, "drop")];
        let mut second = chain("changed");
        second.changed = vec![ChangedRule {
            handle: 5,
            before: "accept".into(),
            after: "counter accept".into(),
        }];
        second.removed = vec![line(6, "drop")];
        second.added = vec![line(7, "return")];
        let commits = [commit(2, vec![first]), commit(3, vec![second])];
        let diff = fold(1, 3, &commits);
        let [c] = diff.chains.as_slice() else {
            panic!("one chain: {diff:?}");
        };
        assert_eq!(c.what, "changed");
        assert_eq!(c.added, [line(5, "counter accept"), line(7, "return")]);
        assert!(c.removed.is_empty() && c.changed.is_empty(), "{c:?}");
    }

    #[test]
    fn a_chain_added_and_removed_again_is_not_in_the_diff() {
        let mut added = chain("added");
        added.added = vec![line(1, "accept")];
        let mut removed = chain("removed");
        removed.removed = vec![line(1, "accept")];
        let commits = [commit(2, vec![added]), commit(3, vec![removed])];
        assert!(fold(1, 3, &commits).chains.is_empty());
    }

    #[test]
    fn a_change_and_its_undo_cancel() {
        let mut there = chain("changed");
        there.changed = vec![ChangedRule {
            handle: 4,
            before: "accept".into(),
            after: "drop".into(),
        }];
        let mut back = chain("changed");
        back.changed = vec![ChangedRule {
            handle: 4,
            before: "drop".into(),
            after: "accept".into(),
        }];
        let commits = [commit(8, vec![there]), commit(9, vec![back])];
        assert!(fold(7, 9, &commits).chains.is_empty());
    }
}
