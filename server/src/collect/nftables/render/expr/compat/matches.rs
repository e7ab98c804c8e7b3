//! The translations of matches, as the `xlate` functions of iptables'
//! `libxt_*.c` and `libip6t_*.c` build them.

use super::xlate::Xlate;
use super::{bridge, layout, match_name, Libxtables};
use crate::collect::nftables::expr::Match;
use crate::collect::nftables::render::datatype::{self, Type};
use crate::collect::nftables::ruleset::Family;
use crate::collect::nftables::xt::{
    Addrtype, Conntrack, Hl, HlMode, Icmp, Multiport, Pkttype, PortRange, Rt,
    Statistic, StatisticMode, Tcp, Udp, Which, XtMatch, ADDRTYPES, ANY_PORT,
    ANY_SEGSLEFT, INV_DSTPT, INV_SRCPT, IP6T_RT_FST, IP6T_RT_FST_NSTRICT,
    IP6T_RT_INV_LEN, IP6T_RT_INV_SGS, IP6T_RT_INV_TYP, IP6T_RT_LEN,
    IP6T_RT_RES, IP6T_RT_TYP, STATES, XT_ADDRTYPE_INVERT_DEST,
    XT_ADDRTYPE_INVERT_SOURCE, XT_CONNTRACK_STATE, XT_CONNTRACK_STATE_ALIAS,
    XT_CONNTRACK_STATE_DNAT, XT_CONNTRACK_STATE_SNAT, XT_CONNTRACK_STATUS,
    XT_TCP_INV_FLAGS, XT_TCP_INV_OPTION,
};

/// The conntrack states a translation lists, in its order (the first
/// five of iptables' list, which has the NAT bits after them).
const NFT_STATES: [&str; 5] =
    ["invalid", "new", "related", "established", "untracked"];

/// The ICMPv6 types an `icmp6` match's translation names.
const ICMP6_NAMED: [u8; 10] = [1, 2, 3, 4, 128, 129, 133, 134, 135, 136];

/// The protocols whose ports multiport's translation names (`-p` allows
/// no other).
pub(super) const PORT_PROTOCOLS: [&str; 5] =
    ["tcp", "udp", "udplite", "sctp", "dccp"];

/// A match's translation in a table of `family`; `transport` is the
/// protocol the rule matched, which a port list is of.
pub fn matched(
    attrs: &[Match],
    family: Family,
    transport: Option<&str>,
    libxtables: Libxtables,
) -> String {
    if family == Family::Bridge && libxtables.finds_ebt_match(match_name(attrs))
    {
        return bridge::matched(attrs);
    }
    let translated = match &XtMatch::from_expr(attrs, layout(family)) {
        // nft's translation of a comment is empty: the rule shows two
        // spaces where it was.
        XtMatch::Comment(_) => Some(String::new()),
        XtMatch::Conntrack(c) => conntrack(c),
        XtMatch::Icmp(i) if !i.v6 => icmp(i, "icmp", Type::Icmp),
        // Only the ICMPv6 types libxtables names translate.
        XtMatch::Icmp(i) if ICMP6_NAMED.contains(&i.kind) => {
            icmp(i, "icmpv6", Type::Icmp6)
        }
        XtMatch::Multiport(mp) => transport
            .filter(|p| PORT_PROTOCOLS.contains(p))
            .map(|p| multiport(mp, p)),
        XtMatch::Hl(h) => Some(hoplimit(h)),
        XtMatch::Addrtype(a) => addrtype(a),
        XtMatch::Tcp(t) => tcp(t),
        XtMatch::Udp(u) => Some(udp(u)),
        XtMatch::Rt(r) => rt(r),
        XtMatch::Statistic(s) => Some(statistic(s)),
        XtMatch::Pkttype(p) => Some(pkttype(p)),
        _ => None,
    };
    translated.unwrap_or_else(|| format!("xt match {}", match_name(attrs)))
}

/// libxtables names three of the types; nft's `other` and iptables'
/// `otherhost` print as the number.
fn pkttype(p: &Pkttype) -> String {
    let op = if p.invert { " !=" } else { "" };
    match p.kind {
        0..=2 => format!("pkttype{op} {}", p.name().unwrap_or_default()),
        n => format!("pkttype{op} {n}"),
    }
}

/// Plain when it is any code of one type.
fn icmp(i: &Icmp, word: &str, ty: Type) -> Option<String> {
    (i.any_code() && i.invflags == 0)
        .then(|| format!("{word} type {}", datatype::value(ty, &[i.kind])))
}

/// A port list of one direction (`{ 80, 1000-2000 }`), or of either,
/// which libxtables writes as a set of source and destination pairs
/// over the bare port numbers, ranges split and `!` dropped.
fn multiport(m: &Multiport, proto: &str) -> String {
    let mut x = Xlate::default();
    x.add(proto);
    let word = match m.which {
        Which::Source => "sport",
        Which::Destination => "dport",
        Which::Either => {
            x.add(&format!(" sport . {proto} dport {{ "));
            let numbers = m.ports.iter().flat_map(|&[lo, hi]| {
                std::iter::once(lo).chain((lo != hi).then_some(hi))
            });
            for (n, port) in numbers.enumerate() {
                if n > 0 {
                    x.add(", ");
                }
                x.add(&format!("0-65535 . {port}, {port} . 0-65535"));
            }
            x.add(" }");
            return x.text();
        }
    };
    x.add(&format!(" {word} "));
    if m.invert {
        x.add("!= ");
    }
    let braced = m.ports.len() > 1;
    if braced {
        x.add("{ ");
    }
    for (n, &[lo, hi]) in m.ports.iter().enumerate() {
        let comma = if n > 0 { ", " } else { "" };
        x.add(&format!("{comma}{lo}"));
        if lo != hi {
            x.add(&format!("-{hi}"));
        }
    }
    if braced {
        x.add("}");
    }
    x.text()
}

fn hoplimit(h: &Hl) -> String {
    let op = match h.mode {
        HlMode::Eq => "",
        HlMode::Ne => "!= ",
        HlMode::Lt => "< ",
        HlMode::Gt => "> ",
    };
    format!("ip6 hoplimit {op}{}", h.hop_limit)
}

/// Plain for one type of one address, on any interface.
fn addrtype(a: &Addrtype) -> Option<String> {
    let (which, bits, invert) = match (a.source, a.dest) {
        (0, d) if d.count_ones() == 1 => {
            ("daddr", d, a.flags & XT_ADDRTYPE_INVERT_DEST != 0)
        }
        (s, 0) if s.count_ones() == 1 => {
            ("saddr", s, a.flags & XT_ADDRTYPE_INVERT_SOURCE != 0)
        }
        _ => return None,
    };
    if a.flags & !(XT_ADDRTYPE_INVERT_SOURCE | XT_ADDRTYPE_INVERT_DEST) != 0 {
        return None;
    }
    let name = ADDRTYPES.get(bits.trailing_zeros() as usize)?;
    let op = if invert { "!= " } else { "" };
    Some(format!("fib {which} type {op}{}", name.to_lowercase()))
}

/// Ports and an option; nothing for `-m tcp` alone. iptables-nft writes
/// flags as native matches, so a compat match with them is left
/// untranslated.
fn tcp(t: &Tcp) -> Option<String> {
    if t.flg_mask != 0 || t.invflags & XT_TCP_INV_FLAGS != 0 {
        return None;
    }
    let mut x = ports("tcp", t.spts, t.dpts, t.invflags);
    if t.option != 0 {
        let state = match t.invflags & XT_TCP_INV_OPTION {
            0 => "exists",
            _ => "missing",
        };
        x.add(&format!("tcp option {} {state}", t.option));
    }
    Some(x.text())
}

fn udp(u: &Udp) -> String {
    ports("udp", u.spts, u.dpts, u.invflags).text()
}

/// The source and destination ranges that are not any port.
fn ports(proto: &str, spts: PortRange, dpts: PortRange, inv: u8) -> Xlate {
    let mut x = Xlate::default();
    for (word, [lo, hi], bit) in
        [("sport", spts, INV_SRCPT), ("dport", dpts, INV_DSTPT)]
    {
        if [lo, hi] == ANY_PORT {
            continue;
        }
        let op = if inv & bit != 0 { "!= " } else { "" };
        match lo == hi {
            true => x.add(&format!("{proto} {word} {op}{lo}")),
            false => x.add(&format!("{proto} {word} {op}{lo}-{hi}")),
        }
    }
    x
}

/// A match on states only: `ct state related,established`, `ct state !
/// new` inverted; a NAT state is a status bit to nft, and a translation
/// with one names it alone, whatever else the match had.
fn conntrack(c: &Conntrack) -> Option<String> {
    if c.match_flags & !XT_CONNTRACK_STATE_ALIAS != XT_CONNTRACK_STATE {
        return None;
    }
    let mut x = Xlate::default();
    let nat = XT_CONNTRACK_STATE_SNAT | XT_CONNTRACK_STATE_DNAT;
    if c.state_mask & nat != 0 {
        let op = match c.invert_flags & XT_CONNTRACK_STATUS {
            0 => "",
            _ => "!=",
        };
        let status = match c.state_mask & XT_CONNTRACK_STATE_SNAT {
            0 => "dnat",
            _ => "snat",
        };
        x.add(&format!("ct status {op}{status}"));
        return Some(x.text());
    }
    x.add("ct state ");
    if c.invert_flags & XT_CONNTRACK_STATE != 0 {
        x.add("!");
    }
    let named = STATES.iter().zip(NFT_STATES);
    let listed = named.filter(|((bit, _), _)| c.state_mask & bit != 0);
    for (n, (_, name)) in listed.enumerate() {
        let comma = if n > 0 { "," } else { "" };
        x.add(&format!("{comma}{name}"));
    }
    Some(x.text())
}

/// Type, segments left and length; the type 0 options have no
/// translation.
fn rt(r: &Rt) -> Option<String> {
    if r.flags & (IP6T_RT_RES | IP6T_RT_FST | IP6T_RT_FST_NSTRICT) != 0 {
        return None;
    }
    let not = |bit: u8| if r.invflags & bit != 0 { " !=" } else { "" };
    let mut x = Xlate::default();
    if r.flags & IP6T_RT_TYP != 0 {
        x.add(&format!("rt type{} {}", not(IP6T_RT_INV_TYP), r.rt_type));
    }
    if r.segsleft != ANY_SEGSLEFT {
        x.add(&format!("rt seg-left{}", not(IP6T_RT_INV_SGS)));
        match r.segsleft {
            [lo, hi] if lo != hi => x.add(&format!("{lo}-{hi}")),
            [lo, _] => x.add(&lo.to_string()),
        }
    }
    if r.flags & IP6T_RT_LEN != 0 {
        x.add(&format!(
            "rt hdrlength{} {}",
            not(IP6T_RT_INV_LEN),
            r.hdrlen
        ));
    }
    Some(x.text())
}

/// The kernel's test itself: a random 31-bit number against the
/// probability, or a counter modulo the period.
fn statistic(s: &Statistic) -> String {
    match s.mode {
        StatisticMode::Random { probability } => {
            let op = if s.inverted() { ">=" } else { "<" };
            format!("meta random & 2147483647 {op} {probability}")
        }
        StatisticMode::Nth { every, packet } => {
            let op = if s.inverted() { "!= " } else { "" };
            let period = every.wrapping_add(1);
            format!("numgen inc mod {period} {op}{packet}")
        }
    }
}
