//! Tables of iptables-nft as `iptables-nft-save` (and
//! `ip6tables-nft-save`) prints them: `*TABLE`, a `:CHAIN POLICY
//! [packets:bytes]` line per chain, a `-A CHAIN …` line per rule,
//! `COMMIT`; without the `# Generated` and `# Completed` comments.
//!
//! A table is iptables-nft's when it has one of iptables' table names
//! in an iptables family, no named sets, objects or flowtables, only
//! the expressions iptables-nft writes, and either only iptables' own
//! base chains or rules with x_tables extensions. Its chains print in
//! iptables' order: the builtin base chains by hook, then the others
//! by name; a base chain that is not iptables' own is left out, as
//! iptables leaves it out.
//!
//! Rules are rebuilt as iptables rebuilds them (`command.rs`) and
//! printed with the options of each extension (`xt`). An extension
//! iptables-nft cannot name prints as `-m NAME` or `-j NAME` with its
//! bytes in square brackets, and an ipset the kernel cannot name by
//! its index (see `xt::set`). A rule iptables could not read back at all makes the
//! rule, and its table, `None`.
//!
//! Tables of family `arp` print as `arptables-nft-save` prints them
//! (`arp.rs`) and those of family `bridge` as `ebtables-nft-save`
//! does (`bridge.rs`): the same blocks without counters on the chains
//! and without `COMMIT`.

mod arp;
mod bridge;
mod builtin;
mod command;
mod regs;
mod save;

#[cfg(test)]
mod tests;

use self::builtin::BuiltinChain;
use crate::collect::nftables::expr::{Expr, LimitType};
use crate::collect::nftables::ipset::IpsetNames;
use crate::collect::nftables::ruleset::{
    ChainContents, Counter, Family, Rule, TableContents,
};
use crate::collect::nftables::xt;

pub use self::command::{command, AddrMatch, Command, Iface, Jump};

/// `NFT_SET_ANONYMOUS`: the set belongs to one rule.
const NFT_SET_ANONYMOUS: u32 = 0x1;

/// Whether iptables-nft (or arptables-nft, ebtables-nft) manages the
/// table.
pub fn manages(t: &TableContents) -> bool {
    let Some(builtins) = builtin::table(t.table.family, &t.table.name) else {
        return false;
    };
    let native_objects =
        t.sets.iter().any(|s| s.flags & NFT_SET_ANONYMOUS == 0)
            || !t.objects.is_empty()
            || !t.flowtables.is_empty();
    let rules = || t.chains.iter().flat_map(|c| &c.rules);
    let own_base_chains = t.chains.iter().all(|c| {
        c.chain.hook.is_none()
            || builtin::base_chain(builtins, &c.chain).is_some()
    });
    let extensions = rules()
        .flat_map(|r| &r.exprs)
        .any(|e| matches!(e, Expr::Match(_) | Expr::Target(_)));
    !native_objects
        && rules().all(|r| r.exprs.iter().all(compatible))
        && (own_base_chains || extensions)
}

/// `nft_is_expr_compatible`: the expressions iptables-nft writes.
fn compatible(e: &Expr) -> bool {
    use crate::collect::nftables::expr::{Limit, Log};
    match e {
        Expr::Match(_)
        | Expr::Target(_)
        | Expr::Payload(_)
        | Expr::Meta(_)
        | Expr::Cmp(_)
        | Expr::Bitwise(_)
        | Expr::Counter(_)
        | Expr::Immediate(_)
        | Expr::Lookup(_)
        | Expr::Range(_) => true,
        // A packet rate, no `over`.
        Expr::Limit(a) => a.iter().all(|a| match a {
            Limit::Type(t) => *t == LimitType::Packets,
            Limit::Flags(f) => *f == 0,
            _ => true,
        }),
        Expr::Log(a) => a.iter().any(|a| matches!(a, Log::Group(_))),
        _ => false,
    }
}

/// The table's block, `*NAME`, a line per chain and per rule, and for
/// iptables `COMMIT` (arptables and ebtables print none), or `None`
/// when the xtables tools do not manage it or one of its rules cannot
/// be printed.
pub fn table(t: &TableContents, ipsets: &IpsetNames) -> Option<String> {
    if !manages(t) {
        return None;
    }
    let family = t.table.family;
    let builtins = builtin::table(family, &t.table.name)?;
    let mut out = format!("*{}\n", t.table.name);
    let chains = listed(builtins, t);
    for c in &chains {
        out += &format!(":{} {}", c.name, c.policy);
        // Only iptables prints the counters of its chains.
        if xt::Family::of_table(family).is_some() {
            let counter = c.counter.unwrap_or_default();
            out += &format!(" [{}:{}]", counter.packets, counter.bytes);
        }
        out.push('\n');
    }
    for c in &chains {
        for r in c.rules {
            out += &line(t, c.name, &r.exprs, ipsets)?;
            out.push('\n');
        }
    }
    if xt::Family::of_table(family).is_some() {
        out += "COMMIT\n";
    }
    Some(out)
}

/// One rule's line in the save format of the table's family.
fn line(
    t: &TableContents,
    chain: &str,
    exprs: &[Expr],
    ipsets: &IpsetNames,
) -> Option<String> {
    match t.table.family {
        Family::Arp => arp::line(chain, exprs),
        Family::Bridge => bridge::line(chain, exprs, &t.sets),
        family => {
            let family = xt::Family::of_table(family)?;
            let mut cmd = command(family, exprs)?;
            for m in &mut cmd.matches {
                if let xt::XtMatch::Set(s) = m {
                    s.name = ipsets.get(s.index).map(str::to_owned);
                }
            }
            Some(save::line(chain, family, &cmd))
        }
    }
}

/// A chain as iptables lists it.
struct Listed<'a> {
    name: &'a str,
    /// `ACCEPT` or `DROP` for a builtin chain; for the others `-`, or
    /// in ebtables the policy of the chain's policy rule, else
    /// `RETURN`.
    policy: &'static str,
    counter: Option<Counter>,
    rules: &'a [Rule],
}

/// The chains iptables lists, in its order: the builtin chains by
/// hook, each as the kernel has it or, where iptables-nft has not
/// made it yet, as it would make it; then the others by name. A base
/// chain that is not a builtin one iptables leaves out.
fn listed<'a>(
    builtins: &'a [BuiltinChain],
    t: &'a TableContents,
) -> Vec<Listed<'a>> {
    let mut order: Vec<&BuiltinChain> = builtins.iter().collect();
    order.sort_by_key(|b| b.hook);
    let mut out: Vec<Listed> = order
        .into_iter()
        .map(|b| {
            let kernel = t.chains.iter().find(|c| {
                builtin::base_chain(builtins, &c.chain)
                    .is_some_and(|own| own.hook == b.hook)
            });
            match kernel {
                Some(c) => Listed {
                    name: &c.chain.name,
                    policy: match c.chain.policy {
                        Some(0) => "DROP",
                        _ => "ACCEPT",
                    },
                    counter: c.chain.counter,
                    rules: &c.rules,
                },
                None => Listed {
                    name: b.name,
                    policy: "ACCEPT",
                    counter: None,
                    rules: &[],
                },
            }
        })
        .collect();
    let mut user: Vec<&ChainContents> =
        t.chains.iter().filter(|c| c.chain.hook.is_none()).collect();
    user.sort_by(|a, b| a.chain.name.cmp(&b.chain.name));
    let bridge = t.table.family == Family::Bridge;
    out.extend(user.into_iter().map(|c| {
        let policy = c.rules.split_last().and_then(|(last, rest)| {
            bridge.then(|| bridge::policy_rule(last).map(|p| (p, rest)))?
        });
        match policy {
            Some((policy, rules)) => Listed {
                name: &c.chain.name,
                policy,
                counter: None,
                rules,
            },
            None => Listed {
                name: &c.chain.name,
                policy: if bridge { "RETURN" } else { "-" },
                counter: None,
                rules: &c.rules,
            },
        }
    }));
    out
}

/// One rule's line, `-A CHAIN …`, or `None` when the xtables tools do
/// not manage the table or cannot read the rule back.
pub fn rule(
    t: &TableContents,
    chain: &ChainContents,
    rule: &Rule,
    ipsets: &IpsetNames,
) -> Option<String> {
    if !manages(t) {
        return None;
    }
    line(t, &chain.chain.name, &rule.exprs, ipsets)
}
