//! iptables-nft's `match` and `target`: an x_tables extension with its
//! info struct in host byte order, decoded by `xt`. nft prints the
//! translation libxtables gives, and `xt match NAME` / `xt target NAME`
//! where there is none; so does this, translating the common
//! extensions as libxtables 1.8.9 does (`matches.rs`, `targets.rs`),
//! and printing the rest as nft does without a translation. A bridge
//! table's are ebtables' extensions, whose translations are libebt's
//! (`bridge.rs`).

mod bridge;
mod matches;
mod targets;
mod xlate;

use crate::collect::nftables::expr::{Expr, Match, Target};
use crate::collect::nftables::ruleset::{Family, Rule, TableContents};
use crate::collect::nftables::xt;

pub use self::matches::matched;
pub use self::targets::target;

/// The targets of libxt_NAT, one shared library.
const NAT_TARGETS: [&str; 4] = ["DNAT", "SNAT", "MASQUERADE", "REDIRECT"];

/// What libxtables has loaded in the nft process that lists a ruleset,
/// which changes what nft prints for later rules.
///
/// libxtables loads an extension's library once per process, and keeps
/// of the targets it declares those of the family it was loaded for and
/// those of any family (of its matches, all). libxt_NAT declares each
/// of its targets per family, so nft 1.0.6 translates them only in the
/// family of the table it printed the first of them in; in any other it
/// finds none, and prints nothing where they are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Libxtables {
    /// The family libxt_NAT's targets are registered for; `None` before
    /// a rule uses one.
    nat: Option<Family>,
    /// The family of the first table a `pkttype` match is printed in.
    /// libxt_pkttype is for any family: loaded first, it is found before
    /// libebt_pkttype in bridge tables too, and reads their structs as
    /// its own.
    pkttype: Option<Family>,
}

impl Libxtables {
    /// As it is for each rule of `nft list ruleset` over `tables`: the
    /// first NAT target nft prints decides.
    pub fn listing(tables: &[TableContents]) -> Self {
        let mut libxtables = Self::default();
        for t in tables {
            for rule in t.chains.iter().flat_map(|c| &c.rules) {
                libxtables.printing(t.table.family, rule);
            }
        }
        libxtables
    }

    /// As it is while nft prints `rule`, of a table of `family`, having
    /// printed the rules before it: the rules are listed in the order the
    /// kernel dumps them.
    pub fn printing(&mut self, family: Family, rule: &Rule) {
        if self.nat.is_none() && rule.exprs.iter().any(is_nat_target) {
            self.nat = Some(family);
        }
        if self.pkttype.is_none() && rule.exprs.iter().any(is_pkttype_match) {
            self.pkttype = Some(family);
        }
    }

    /// Whether nft reads a bridge table's `match` called `name` with
    /// libebt's extension.
    fn finds_ebt_match(&self, name: &str) -> bool {
        name != "pkttype" || self.pkttype.is_none_or(|f| f == Family::Bridge)
    }

    /// Whether nft finds `name`, a target, in a table of `family`.
    fn finds_target(&self, name: &str, family: Family) -> bool {
        !NAT_TARGETS.contains(&name) || self.nat.is_none_or(|f| f == family)
    }
}

fn is_pkttype_match(e: &Expr) -> bool {
    matches!(e, Expr::Match(a) if match_name(a) == "pkttype")
}

fn is_nat_target(e: &Expr) -> bool {
    match e {
        Expr::Target(a) => NAT_TARGETS.contains(&target_name(a)),
        _ => false,
    }
}

/// The layouts the structs of a table of `family` have: IPv4's outside
/// the two IP families, whose fields the translations use are IPv6's
/// too.
fn layout(family: Family) -> xt::Family {
    xt::Family::of_table(family).unwrap_or(xt::Family::Ipv4)
}

/// By the name the expression carries: `conntrack` also when iptables
/// prints it as `state`.
fn match_name(attrs: &[Match]) -> &str {
    xt::match_parts(attrs).0
}

/// `CT` also when iptables prints it as `NOTRACK`.
fn target_name(attrs: &[Target]) -> &str {
    xt::target_parts(attrs).0
}
