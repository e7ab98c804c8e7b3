//! The counters of the ruleset, polled: those of the rules that count
//! (one dump per chain that has such rules), and the policy counters of
//! base chains. Never with the `*_RESET` messages: they zero what they
//! read, for every other reader too.

use super::attr::*;
use super::decode;
use super::expr::{self, Expr};
use super::ruleset::{Counter, Family, Ruleset};
use super::socket::{push_be32, push_string, NftError, NftSocket};

/// A rule, found again across commits by what names it in the kernel.
/// A base chain's policy is handle 0 of its chain; a named counter
/// object is its handle in its table (handles are unique in a table),
/// with no chain.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId {
    pub family: Family,
    pub table: String,
    pub chain: String,
    pub handle: u64,
}

/// What one poll read.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    pub rules: Vec<(RuleId, Counter)>,
    /// Base chains' policy counters, as rule id with handle 0.
    pub chains: Vec<(RuleId, Counter)>,
    /// Named counter objects, as rule id without a chain.
    pub objects: Vec<(RuleId, Counter)>,
}

/// The id of a named object of table `t`.
pub fn object_id(family: Family, table: &str, handle: u64) -> RuleId {
    RuleId {
        family,
        table: table.to_owned(),
        chain: String::new(),
        handle,
    }
}

/// What a rule's `counter` expressions counted (summed), if it has any.
pub fn of_rule(exprs: &[Expr]) -> Option<Counter> {
    let mut total: Option<Counter> = None;
    for e in exprs {
        let Expr::Counter(attrs) = e else { continue };
        let t = total.get_or_insert_default();
        for a in attrs {
            match a {
                expr::Counter::Packets(n) => t.packets += n,
                expr::Counter::Bytes(n) => t.bytes += n,
                _ => {}
            }
        }
    }
    total
}

/// Every counter of a snapshot: rules', and base chains' policies under
/// handle 0.
pub fn in_snapshot(
    r: &Ruleset,
) -> impl Iterator<Item = (RuleId, Counter)> + '_ {
    r.tables.iter().flat_map(|t| {
        t.chains
            .iter()
            .flat_map(move |c| {
                let id = move |handle| RuleId {
                    family: t.table.family,
                    table: t.table.name.clone(),
                    chain: c.chain.name.clone(),
                    handle,
                };
                let policy = c.chain.counter.map(|counter| (id(0), counter));
                let rules = c.rules.iter().filter_map(move |rule| {
                    Some((id(rule.handle), of_rule(&rule.exprs)?))
                });
                policy.into_iter().chain(rules)
            })
            .chain(t.objects.iter().filter_map(|o| {
                let id = object_id(t.table.family, &t.table.name, o.handle);
                Some((id, decode::object_counter(o)?))
            }))
    })
}

/// Chains that hold at least one rule with a counter.
pub fn counted_chains(r: &Ruleset) -> Vec<(Family, String, String)> {
    let mut out = Vec::new();
    for t in &r.tables {
        for c in &t.chains {
            let counts = c
                .rules
                .iter()
                .any(|r| r.exprs.iter().any(|e| matches!(e, Expr::Counter(_))));
            if counts {
                out.push((
                    t.table.family,
                    t.table.name.clone(),
                    c.chain.name.clone(),
                ));
            }
        }
    }
    out
}

/// What a dump of a poll reads.
#[derive(Clone, Copy)]
pub enum DumpOf<'a> {
    /// The rules of one chain, for their counters.
    Rules(&'a (Family, String, String)),
    /// Every chain, for the policy counters.
    Chains,
    /// The counter objects.
    Objects,
}

/// One dump of a poll.
pub struct Dump<'a> {
    pub what: &'static str,
    pub kind: u8,
    pub family: u8,
    pub attrs: Vec<u8>,
    pub of: DumpOf<'a>,
}

/// The dumps of one poll, in order: each of `chains`' rules, then every
/// chain, then the counter objects.
pub fn dumps(chains: &[(Family, String, String)]) -> Vec<Dump<'_>> {
    let mut out: Vec<Dump> = chains
        .iter()
        .map(|c @ (family, table, chain)| {
            let mut attrs = Vec::new();
            push_string(&mut attrs, NFTA_RULE_TABLE, table);
            push_string(&mut attrs, NFTA_RULE_CHAIN, chain);
            Dump {
                what: "rule counters",
                kind: NFT_MSG_GETRULE,
                family: family.raw(),
                attrs,
                of: DumpOf::Rules(c),
            }
        })
        .collect();
    out.push(Dump {
        what: "chain counters",
        kind: NFT_MSG_GETCHAIN,
        family: 0,
        attrs: Vec::new(),
        of: DumpOf::Chains,
    });
    let mut only_counters = Vec::new();
    push_be32(&mut only_counters, NFTA_OBJ_TYPE, decode::COUNTER_OBJECT);
    out.push(Dump {
        what: "counter objects",
        kind: NFT_MSG_GETOBJ,
        family: 0,
        attrs: only_counters,
        of: DumpOf::Objects,
    });
    out
}

/// One poll. The chains come from [`counted_chains`] of the last
/// snapshot; a chain that went away since answers with an error, which
/// only leaves it out.
pub fn poll(
    socket: &mut NftSocket,
    chains: &[(Family, String, String)],
) -> Result<Counters, NftError> {
    let mut out = Counters::default();
    for dump in dumps(chains) {
        let what = dump.what;
        let malformed =
            |e: netlink_packet_core::DecodeError| NftError::Malformed {
                what,
                reason: e.to_string(),
            };
        let read = socket.request(
            what,
            dump.kind,
            dump.family,
            true,
            &dump.attrs,
            |m| {
                match dump.of {
                    DumpOf::Rules((family, table, chain)) => {
                        let (handle, counter) =
                            decode::rule_counter(m).map_err(malformed)?;
                        if let Some(counter) = counter {
                            let id = RuleId {
                                family: *family,
                                table: table.clone(),
                                chain: chain.clone(),
                                handle,
                            };
                            out.rules.push((id, counter));
                        }
                    }
                    DumpOf::Chains => {
                        let chain = decode::chain(m).map_err(malformed)?;
                        if let Some(counter) = chain.counter {
                            let id = RuleId {
                                family: chain.family,
                                table: chain.table,
                                chain: chain.name,
                                handle: 0,
                            };
                            out.chains.push((id, counter));
                        }
                    }
                    DumpOf::Objects => {
                        let o = decode::object(m).map_err(malformed)?;
                        if let Some(counter) = decode::object_counter(&o) {
                            let id = object_id(o.family, &o.table, o.handle);
                            out.objects.push((id, counter));
                        }
                    }
                }
                Ok(())
            },
        );
        match read {
            Err(NftError::Refused { .. })
                if matches!(dump.of, DumpOf::Rules(_)) => {}
            other => other?,
        }
    }
    Ok(out)
}
