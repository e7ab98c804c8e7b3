//! Rules of iptables-legacy, ip6tables-legacy and arptables-legacy: they
//! live in x_tables, outside nf_tables, so a ruleset read over netlink
//! misses them. Asked the way `iptables-legacy-save` asks, for the
//! tables that already exist only: asking for one that does not would
//! make the kernel load and create it.

use super::sockopt;

/// A legacy table that holds more than an empty one does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacyTable {
    /// `ip`, `ip6` or `arp`, as nft names families.
    pub family: &'static str,
    pub name: String,
    /// Entries beyond those of the empty table: each rule is one, each
    /// user chain two.
    pub entries: u32,
}

/// One kind of x_tables.
struct Kind {
    family: &'static str,
    names: &'static str,
    domain: libc::c_int,
    level: libc::c_int,
    /// `IPT_SO_GET_INFO` and friends.
    get_info: libc::c_int,
    /// Hooks a table may have: the size of `hook_entry[]`.
    hooks: usize,
}

const KINDS: [Kind; 3] = [
    Kind {
        family: "ip",
        names: "/proc/thread-self/net/ip_tables_names",
        domain: libc::AF_INET,
        level: libc::SOL_IP,
        get_info: 64,
        hooks: 5,
    },
    Kind {
        family: "ip6",
        names: "/proc/thread-self/net/ip6_tables_names",
        domain: libc::AF_INET6,
        level: libc::SOL_IPV6,
        get_info: 64,
        hooks: 5,
    },
    Kind {
        family: "arp",
        names: "/proc/thread-self/net/arp_tables_names",
        domain: libc::AF_INET,
        level: libc::SOL_IP,
        get_info: 96,
        hooks: 3,
    },
];

// The names are read through `thread-self`: `/proc/net` is the netns of
// the process's first thread, which need not be this thread's.

/// Length of a table name in `struct ipt_getinfo`.
const TABLE_NAME_LEN: usize = 32;

/// The legacy tables of this namespace that hold rules or user chains.
/// Empty when x_tables is not loaded, or without the capability (then
/// nothing can be told, and nothing is claimed).
pub fn tables() -> Vec<LegacyTable> {
    KINDS
        .iter()
        .flat_map(|kind| {
            let names = std::fs::read_to_string(kind.names).unwrap_or_default();
            names
                .lines()
                .filter_map(|name| info(kind, name.trim()))
                .collect::<Vec<_>>()
        })
        .filter(|t| t.entries > 0)
        .collect()
}

fn info(kind: &Kind, name: &str) -> Option<LegacyTable> {
    if name.is_empty() || name.len() >= TABLE_NAME_LEN {
        return None;
    }
    // name, valid_hooks, hook_entry[hooks], underflow[hooks],
    // num_entries, size: all u32 after the name.
    let words = 1 + 2 * kind.hooks + 2;
    let mut buf = vec![0u8; TABLE_NAME_LEN + 4 * words];
    buf[..name.len()].copy_from_slice(name.as_bytes());
    let len = sockopt::get(kind.domain, kind.level, kind.get_info, &mut buf)?;
    if len != buf.len() {
        return None;
    }
    let word = |i: usize| {
        let at = TABLE_NAME_LEN + 4 * i;
        u32::from_ne_bytes(buf[at..at + 4].try_into().expect("4 bytes"))
    };
    let valid_hooks = word(0);
    let num_entries = word(1 + 2 * kind.hooks);
    // An empty table: one policy entry per hook, and the final one.
    let empty = valid_hooks.count_ones() + 1;
    Some(LegacyTable {
        family: kind.family,
        name: name.to_owned(),
        entries: num_entries.saturating_sub(empty),
    })
}
