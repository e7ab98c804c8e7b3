//! iptables-nft's `match` and `target`: an x_tables extension with its
//! info struct in host byte order, decoded by `xt`. nft prints the
//! translation libxtables gives, and `xt match NAME` / `xt target NAME`
//! where there is none; so does this, translating the common
//! extensions whose translation is plain, and printing the rest as nft
//! does without a translation.
//!
//! The translations here do not depend on the family, so the structs
//! are read with IPv4's layouts, whose fields they use are IPv6's too.

use crate::collect::nftables::expr::{Match, Target};
use crate::collect::nftables::render::datatype::{self, Type};
use crate::collect::nftables::xt::{
    Addrtype, Conntrack, Family, Hl, HlMode, Icmp, Multiport, NatKind, Tcp,
    Udp, Which, XtMatch, XtTarget, ADDRTYPES, IPT_ICMP_PORT_UNREACHABLE,
    LOG_DEFAULT_LEVEL, STATES, XT_ADDRTYPE_INVERT_DEST,
    XT_ADDRTYPE_INVERT_SOURCE, XT_CONNTRACK_STATE, XT_CONNTRACK_STATE_ALIAS,
};

/// The conntrack states a translation lists, in its order (the first
/// five of iptables' list, which has the NAT bits after them).
const NFT_STATES: [&str; 5] =
    ["invalid", "new", "related", "established", "untracked"];

/// A match's translation; `transport` is the protocol the rule
/// matched, which a port list is of.
pub fn matched(attrs: &[Match], transport: Option<&str>) -> String {
    let m = XtMatch::from_expr(attrs, Family::Ipv4);
    let translated = match &m {
        // nft's translation of a comment is empty: the rule shows two
        // spaces where it was.
        XtMatch::Comment(_) => Some(String::new()),
        XtMatch::Conntrack(c) => conntrack(c),
        XtMatch::Icmp(i) if !i.v6 => icmp(i, "icmp", Type::Icmp),
        // Only the ICMPv6 types libxtables names translate.
        XtMatch::Icmp(i) if ICMP6_NAMED.contains(&i.kind) => {
            icmp(i, "icmpv6", Type::Icmp6)
        }
        XtMatch::Multiport(mp) => transport.and_then(|p| multiport(mp, p)),
        XtMatch::Hl(h) => Some(hoplimit(h)),
        XtMatch::Addrtype(a) => addrtype(a),
        XtMatch::Tcp(t) => tcp(t),
        XtMatch::Udp(u) => udp(u),
        _ => None,
    };
    // By the name the expression carries: `conntrack` also when
    // iptables prints it as `state`.
    let name = attrs.iter().find_map(|a| match a {
        Match::Name(n) => Some(n.as_str()),
        _ => None,
    });
    translated
        .unwrap_or_else(|| format!("xt match {}", name.unwrap_or_default()))
}

/// Plain when it is any code of one type.
fn icmp(i: &Icmp, word: &str, ty: Type) -> Option<String> {
    (i.any_code() && i.invflags == 0)
        .then(|| format!("{word} type {}", datatype::value(ty, &[i.kind])))
}

/// Plain for destination ports without ranges.
fn multiport(m: &Multiport, proto: &str) -> Option<String> {
    if m.which != Which::Destination
        || m.invert
        || m.ports.iter().any(|[lo, hi]| lo != hi)
    {
        return None;
    }
    let list: Vec<String> =
        m.ports.iter().map(|[p, _]| p.to_string()).collect();
    Some(match list.as_slice() {
        [one] => format!("{proto} dport {one}"),
        _ => format!("{proto} dport {{ {} }}", list.join(", ")),
    })
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

/// Plain for a destination range alone, without flags or inversions.
fn tcp(t: &Tcp) -> Option<String> {
    let plain = Tcp {
        dpts: t.dpts,
        ..Tcp::default()
    };
    (*t == plain).then(|| dport("tcp", t.dpts))
}

fn udp(u: &Udp) -> Option<String> {
    let plain = Udp {
        dpts: u.dpts,
        ..Udp::default()
    };
    (*u == plain).then(|| dport("udp", u.dpts))
}

fn dport(proto: &str, [lo, hi]: [u16; 2]) -> String {
    match lo == hi {
        true => format!("{proto} dport {lo}"),
        false => format!("{proto} dport {lo}-{hi}"),
    }
}

/// `ct state related,established`, for a conntrack match on states
/// only.
fn conntrack(c: &Conntrack) -> Option<String> {
    if c.match_flags & !XT_CONNTRACK_STATE_ALIAS != XT_CONNTRACK_STATE {
        return None;
    }
    let names: Vec<&str> = STATES
        .iter()
        .zip(NFT_STATES)
        .filter(|((bit, _), _)| c.state_mask & bit != 0)
        .map(|(_, name)| name)
        .collect();
    (!names.is_empty()).then(|| format!("ct state {}", names.join(",")))
}

/// A target's translation.
pub fn target(attrs: &[Target]) -> String {
    let t = XtTarget::from_expr(attrs, Family::Ipv4);
    let translated = match &t {
        // One range, no flags.
        XtTarget::Nat(n) if n.kind == NatKind::Masquerade => {
            (n.range.flags == 0).then(|| "masquerade".to_owned())
        }
        // Port unreachable is what a bare `reject` means.
        XtTarget::Reject(r) => {
            (r.with == IPT_ICMP_PORT_UNREACHABLE).then(|| "reject".to_owned())
        }
        // The default level and no flags are what a bare `log` means.
        XtTarget::Log(l) if l.level == LOG_DEFAULT_LEVEL && l.flags == 0 => {
            let mut out = "log".to_owned();
            if !l.prefix.is_empty() {
                let prefix = datatype::value(Type::String, l.prefix.as_bytes());
                out += &format!(" prefix {prefix}");
            }
            Some(out)
        }
        _ => None,
    };
    // `CT` also when iptables prints it as `NOTRACK`.
    let name = attrs.iter().find_map(|a| match a {
        Target::Name(n) => Some(n.as_str()),
        _ => None,
    });
    translated
        .unwrap_or_else(|| format!("xt target {}", name.unwrap_or_default()))
}

/// The ICMPv6 types an `icmp6` match's translation names.
const ICMP6_NAMED: [u8; 10] = [1, 2, 3, 4, 128, 129, 133, 134, 135, 136];
