//! iptables-nft's `match` and `target`: an x_tables extension with its
//! info struct in host byte order. nft prints the translation
//! libxtables gives, and `xt match NAME` / `xt target NAME` where there
//! is none; so does this, translating the common extensions whose
//! translation is plain, and printing the rest as nft does without a
//! translation.

use crate::collect::nftables::expr::{Match, Target};
use crate::collect::nftables::render::datatype::{self, Type};

/// Offsets in `struct xt_conntrack_mtinfo1`..`3` (after eight 16-byte
/// addresses, two u32 expiry bounds, the protocol and four ports).
const CONNTRACK_MATCH_FLAGS: usize = 146;
const CONNTRACK_STATE_MASK: usize = 150;
/// `XT_CONNTRACK_STATE` in `match_flags`.
const XT_CONNTRACK_STATE: u16 = 1 << 0;
/// `XT_CONNTRACK_STATE_ALIAS`: the match is `-m state`.
const XT_CONNTRACK_STATE_ALIAS: u16 = 1 << 13;

/// The conntrack match's states in the order its translation lists
/// them, with their `XT_CONNTRACK_STATE_*` bits.
const STATES: [(u16, &str); 5] = [
    (1 << 0, "invalid"),
    (1 << 3, "new"),
    (1 << 2, "related"),
    (1 << 1, "established"),
    (1 << 6, "untracked"),
];

fn u16_at(info: &[u8], at: usize) -> Option<u16> {
    info.get(at..at + 2)
        .map(|b| u16::from_ne_bytes([b[0], b[1]]))
}

fn u32_at(info: &[u8], at: usize) -> Option<u32> {
    info.get(at..at + 4)
        .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
}

/// A match's translation; `transport` is the protocol the rule
/// matched, which a port list is of.
pub fn matched(attrs: &[Match], transport: Option<&str>) -> String {
    let (mut name, mut info) = (String::new(), &[][..]);
    for a in attrs {
        match a {
            Match::Name(n) => name = n.clone(),
            Match::Info(i) => info = i,
            _ => {}
        }
    }
    let translated = match name.as_str() {
        // nft's translation of a comment is empty: the rule shows two
        // spaces where it was.
        "comment" => Some(String::new()),
        "conntrack" | "state" => conntrack(info),
        "icmp" => icmp(info, "icmp", Type::Icmp),
        // Only the ICMPv6 types libxtables names translate.
        "icmp6" if info.first().is_some_and(|t| ICMP6_NAMED.contains(t)) => {
            icmp(info, "icmpv6", Type::Icmp6)
        }
        "multiport" => transport.and_then(|p| multiport(info, p)),
        "hl" => hoplimit(info),
        "addrtype" => addrtype(info),
        "tcp" | "udp" => ports(&name, info),
        _ => None,
    };
    translated.unwrap_or_else(|| format!("xt match {name}"))
}

/// `struct ipt_icmp`: a type, a code range, an inversion flag; plain
/// when it is any code of one type.
fn icmp(info: &[u8], word: &str, ty: Type) -> Option<String> {
    let [kind, lo, hi, inv, ..] = info else {
        return None;
    };
    ((*lo, *hi, *inv) == (0, 0xff, 0))
        .then(|| format!("{word} type {}", datatype::value(ty, &[*kind])))
}

/// `struct xt_multiport_v1`: which ports, a count, up to 15 ports, a
/// range flag per port, an inversion; plain for destination ports
/// without ranges.
fn multiport(info: &[u8], proto: &str) -> Option<String> {
    const MAX: usize = 15;
    const DESTINATION: u8 = 1;
    let (flags, count) = (*info.first()?, usize::from(*info.get(1)?));
    let ports: Vec<u16> = (0..count.min(MAX))
        .map(|i| u16_at(info, 2 + 2 * i))
        .collect::<Option<_>>()?;
    let ranges = info.get(2 + 2 * MAX..2 + 3 * MAX)?;
    let invert = *info.get(2 + 3 * MAX)?;
    if flags != DESTINATION || invert != 0 || ranges.iter().any(|&r| r != 0) {
        return None;
    }
    let list: Vec<String> = ports.iter().map(u16::to_string).collect();
    Some(match list.as_slice() {
        [one] => format!("{proto} dport {one}"),
        _ => format!("{proto} dport {{ {} }}", list.join(", ")),
    })
}

/// `struct ip6t_hl_info`: a comparison and a hop limit.
fn hoplimit(info: &[u8]) -> Option<String> {
    let [mode, limit, ..] = info else {
        return None;
    };
    let op = match mode {
        0 => "",
        1 => "!= ",
        2 => "< ",
        3 => "> ",
        _ => return None,
    };
    Some(format!("ip6 hoplimit {op}{limit}"))
}

/// `struct xt_addrtype_info_v1`: source and destination type bits and
/// flags; plain for one type of one address, on any interface.
fn addrtype(info: &[u8]) -> Option<String> {
    const NAMES: [&str; 12] = [
        "unspec",
        "unicast",
        "local",
        "broadcast",
        "anycast",
        "multicast",
        "blackhole",
        "unreachable",
        "prohibit",
        "throw",
        "nat",
        "xresolve",
    ];
    let (src, dst, flags) =
        (u16_at(info, 0)?, u16_at(info, 2)?, u32_at(info, 4)?);
    let (which, bits, invert) = match (src, dst) {
        (0, d) if d.count_ones() == 1 => ("daddr", d, flags & 2 != 0),
        (s, 0) if s.count_ones() == 1 => ("saddr", s, flags & 1 != 0),
        _ => return None,
    };
    if flags & !3 != 0 {
        return None;
    }
    let name = NAMES.get(bits.trailing_zeros() as usize)?;
    let op = if invert { "!= " } else { "" };
    Some(format!("fib {which} type {op}{name}"))
}

/// `struct xt_tcp` and `struct xt_udp`: source and destination port
/// ranges first; plain for a destination range alone.
fn ports(proto: &str, info: &[u8]) -> Option<String> {
    let (slo, shi) = (u16_at(info, 0)?, u16_at(info, 2)?);
    let (dlo, dhi) = (u16_at(info, 4)?, u16_at(info, 6)?);
    // The flags and inversions after the ports: none.
    let rest = match proto {
        "tcp" => info.get(8..12)?,
        _ => info.get(8..9)?,
    };
    if (slo, shi) != (0, u16::MAX) || rest.iter().any(|&b| b != 0) {
        return None;
    }
    Some(match (dlo, dhi) {
        (lo, hi) if lo == hi => format!("{proto} dport {lo}"),
        (lo, hi) => format!("{proto} dport {lo}-{hi}"),
    })
}

/// `ct state related,established`, for a conntrack match on states
/// only.
fn conntrack(info: &[u8]) -> Option<String> {
    let flags = u16_at(info, CONNTRACK_MATCH_FLAGS)?;
    let mask = u16_at(info, CONNTRACK_STATE_MASK)?;
    if flags & !XT_CONNTRACK_STATE_ALIAS != XT_CONNTRACK_STATE {
        return None;
    }
    let names: Vec<&str> = STATES
        .iter()
        .filter(|(bit, _)| mask & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    (!names.is_empty()).then(|| format!("ct state {}", names.join(",")))
}

/// A target's translation.
pub fn target(attrs: &[Target]) -> String {
    let (mut name, mut info) = (String::new(), &[][..]);
    for a in attrs {
        match a {
            Target::Name(n) => name = n.clone(),
            Target::Info(i) => info = i,
            _ => {}
        }
    }
    let translated = match name.as_str() {
        // `struct nf_nat_ipv4_multi_range_compat`: one range, no flags.
        "MASQUERADE" => {
            (u32_at(info, 4) == Some(0)).then(|| "masquerade".to_owned())
        }
        // `struct ipt_reject_info`: port unreachable is what a bare
        // `reject` means.
        "REJECT" => (u32_at(info, 0) == Some(IPT_ICMP_PORT_UNREACHABLE))
            .then(|| "reject".to_owned()),
        "LOG" => log(info),
        _ => None,
    };
    translated.unwrap_or_else(|| format!("xt target {name}"))
}

/// The ICMPv6 types an `icmp6` match's translation names.
const ICMP6_NAMED: [u8; 10] = [1, 2, 3, 4, 128, 129, 133, 134, 135, 136];

/// `enum ipt_reject_with`: what a bare `-j REJECT` answers.
const IPT_ICMP_PORT_UNREACHABLE: u32 = 3;

/// `struct xt_log_info`: level, log flags, a 30-byte prefix.
fn log(info: &[u8]) -> Option<String> {
    let (level, flags) = (*info.first()?, *info.get(1)?);
    let prefix = info.get(2..32)?;
    let mut out = "log".to_owned();
    if prefix.first().is_some_and(|&b| b != 0) {
        out += &format!(" prefix {}", datatype::value(Type::String, prefix));
    }
    // The default level and no flags are what a bare `log` means.
    (level == 4 && flags == 0).then_some(out)
}
