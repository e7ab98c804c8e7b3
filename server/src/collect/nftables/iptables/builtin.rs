//! The tables and base chains iptables-nft creates, per family (the
//! `builtin_table` lists of iptables' `nft.c`): a chain is iptables'
//! own only with its name, type, hook and priority all as there.

use crate::collect::nftables::ruleset::{Chain, Family};

/// A builtin chain: name, nft chain type, hook number, priority.
pub struct BuiltinChain {
    pub name: &'static str,
    pub kind: &'static str,
    pub hook: u32,
    pub priority: i32,
}

const fn chain(
    name: &'static str,
    kind: &'static str,
    hook: u32,
    priority: i32,
) -> BuiltinChain {
    BuiltinChain {
        name,
        kind,
        hook,
        priority,
    }
}

// NF_INET_* hooks
const PRE_ROUTING: u32 = 0;
const LOCAL_IN: u32 = 1;
const FORWARD: u32 = 2;
const LOCAL_OUT: u32 = 3;
const POST_ROUTING: u32 = 4;

type Tables = &'static [(&'static str, &'static [BuiltinChain])];

/// `xtables_ipv4`, which ip6tables shares.
const INET: Tables = &[
    (
        "raw",
        &[
            chain("PREROUTING", "filter", PRE_ROUTING, -300),
            chain("OUTPUT", "filter", LOCAL_OUT, -300),
        ],
    ),
    (
        "mangle",
        &[
            chain("PREROUTING", "filter", PRE_ROUTING, -150),
            chain("INPUT", "filter", LOCAL_IN, -150),
            chain("FORWARD", "filter", FORWARD, -150),
            chain("OUTPUT", "route", LOCAL_OUT, -150),
            chain("POSTROUTING", "filter", POST_ROUTING, -150),
        ],
    ),
    (
        "filter",
        &[
            chain("INPUT", "filter", LOCAL_IN, 0),
            chain("FORWARD", "filter", FORWARD, 0),
            chain("OUTPUT", "filter", LOCAL_OUT, 0),
        ],
    ),
    (
        "security",
        &[
            chain("INPUT", "filter", LOCAL_IN, 150),
            chain("FORWARD", "filter", FORWARD, 150),
            chain("OUTPUT", "filter", LOCAL_OUT, 150),
        ],
    ),
    (
        "nat",
        &[
            chain("PREROUTING", "nat", PRE_ROUTING, -100),
            chain("INPUT", "nat", LOCAL_IN, 100),
            chain("POSTROUTING", "nat", POST_ROUTING, 100),
            chain("OUTPUT", "nat", LOCAL_OUT, -100),
        ],
    ),
];

/// `xtables_arp`: NF_ARP_IN and NF_ARP_OUT.
const ARP: Tables = &[(
    "filter",
    &[
        chain("INPUT", "filter", 0, 0),
        chain("OUTPUT", "filter", 1, 0),
    ],
)];

/// `xtables_bridge`, with the `NF_BR_PRI_*` priorities.
const BRIDGE: Tables = &[
    (
        "filter",
        &[
            chain("INPUT", "filter", LOCAL_IN, -200),
            chain("FORWARD", "filter", FORWARD, -200),
            chain("OUTPUT", "filter", LOCAL_OUT, -200),
        ],
    ),
    (
        "nat",
        &[
            chain("PREROUTING", "filter", PRE_ROUTING, -300),
            chain("OUTPUT", "filter", LOCAL_OUT, 100),
            chain("POSTROUTING", "filter", POST_ROUTING, 300),
        ],
    ),
];

/// The builtin chains of table `name` of `family`, if iptables-nft
/// has such a table.
pub fn table(family: Family, name: &str) -> Option<&'static [BuiltinChain]> {
    let tables = match family {
        Family::Ip | Family::Ip6 => INET,
        Family::Arp => ARP,
        Family::Bridge => BRIDGE,
        _ => return None,
    };
    tables.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// The builtin chain `chain` is, if it is one of `builtins`: the one
/// of its hook, with its name, type and priority
/// (`nft_cache_add_base_chain`).
pub fn base_chain<'a>(
    builtins: &'a [BuiltinChain],
    chain: &Chain,
) -> Option<&'a BuiltinChain> {
    let hook = chain.hook.as_ref()?;
    let b = builtins.iter().find(|b| Some(b.hook) == hook.num)?;
    let same = hook.priority == Some(b.priority)
        && chain.name == b.name
        && chain.kind.as_deref().unwrap_or("filter") == b.kind;
    same.then_some(b)
}
