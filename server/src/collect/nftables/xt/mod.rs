//! Typed x_tables extensions: the info structs of the `match` and
//! `target` expressions iptables-nft writes, decoded by name and
//! revision, with the layouts of the kernel's `xt_*.h`, `ipt_*.h` and
//! `ip6t_*.h`. The structs are in host byte order (ports and addresses
//! in network order where the header says `__be`).
//!
//! Each type's `Display` prints its options as `iptables-save` does
//! (the `save` function of iptables' `libxt_*.c`): a space before each
//! option, nothing for what is left at its default. A name or revision
//! this module does not know, or bytes too short for the struct, give
//! [`XtMatch::Unknown`] / [`XtTarget::Unknown`], which keep the bytes;
//! decoding never fails and never panics.

mod addr;
mod addrtype;
mod arp_mangle;
mod comment;
mod connmark;
mod conntrack;
mod ct;
mod ebt;
mod ebt_icmp;
mod ebt_ip;
mod ebt_log;
mod ebt_mark;
mod ebt_nat;
mod ebt_pkttype;
mod ebt_verdict;
mod ebt_vlan;
mod icmp;
mod info;
mod iprange;
mod limit;
mod log;
mod mac;
mod mark;
mod multiport;
mod nat;
mod physdev;
mod pkttype;
mod recent;
mod reject;
mod rt;
mod set;
mod standard;
mod statistic;
mod tcpmss;
mod tcpudp;
mod unknown;

#[cfg(test)]
mod tests;

use std::fmt;

use super::expr::{Match, Target};
use super::ruleset;

pub use self::addr::{
    ether_ntoa, mac_and_mask, mac_string, mask_suffix, prefix_len,
};
pub use self::addrtype::{
    Addrtype, TYPES as ADDRTYPES, XT_ADDRTYPE_INVERT_DEST,
    XT_ADDRTYPE_INVERT_SOURCE,
};
pub use self::arp_mangle::ArpMangle;
pub use self::comment::{save_string, Comment};
pub use self::connmark::{Connmark, ConnmarkMode};
pub use self::conntrack::{
    Conntrack, Masked, Ports, State, STATES, XT_CONNTRACK_STATE,
    XT_CONNTRACK_STATE_ALIAS, XT_CONNTRACK_STATE_DNAT, XT_CONNTRACK_STATE_SNAT,
    XT_CONNTRACK_STATUS,
};
pub use self::ct::Ct;
pub use self::ebt::{EbtMatch, EbtTarget, EbtWatcher};
pub use self::ebt_icmp::{
    ebt_icmp_text, ebt_igmp_text, ICMPV6_CODES, ICMP_CODES,
};
pub use self::ebt_ip::{EbtAddr, EbtIp};
pub use self::ebt_log::{EbtLog, EbtNflog};
pub use self::ebt_mark::{EbtMarkMatch, EbtMarkOp, EbtMarkTarget};
pub use self::ebt_nat::EbtNat;
pub use self::ebt_pkttype::EbtPkttype;
pub use self::ebt_verdict::EbtVerdict;
pub use self::ebt_vlan::{EbtVlan, EBT_VLAN_ENCAP, EBT_VLAN_ID, EBT_VLAN_PRIO};
pub use self::icmp::{Hl, HlMode, Icmp};
pub use self::iprange::Iprange;
pub use self::limit::{Limit, XT_LIMIT_SCALE};
pub use self::log::{Log, Nflog, LOG_DEFAULT_LEVEL, XT_NFLOG_F_COPY_LEN};
pub use self::mac::Mac;
pub use self::mark::{MarkMatch, MarkTarget};
pub use self::multiport::{Multiport, Which};
pub use self::nat::{
    Nat, NatKind, NatRange, NF_NAT_RANGE_MAP_IPS, NF_NAT_RANGE_PERSISTENT,
    NF_NAT_RANGE_PROTO_OFFSET, NF_NAT_RANGE_PROTO_RANDOM,
    NF_NAT_RANGE_PROTO_RANDOM_FULLY, NF_NAT_RANGE_PROTO_SPECIFIED,
};
pub use self::physdev::Physdev;
pub use self::pkttype::Pkttype;
pub use self::recent::Recent;
pub use self::reject::Reject;
pub use self::rt::{
    Rt, ANY_SEGSLEFT, IP6T_RT_FST, IP6T_RT_FST_NSTRICT, IP6T_RT_INV_LEN,
    IP6T_RT_INV_SGS, IP6T_RT_INV_TYP, IP6T_RT_LEN, IP6T_RT_RES, IP6T_RT_TYP,
};
pub use self::set::{CounterMatch, SetMatch};
pub use self::statistic::{Statistic, StatisticMode, XT_STATISTIC_INVERT};
pub use self::tcpmss::Tcpmss;
pub use self::tcpudp::{
    PortRange, Tcp, Udp, ANY_PORT, INV_DSTPT, INV_SRCPT, XT_TCP_INV_FLAGS,
    XT_TCP_INV_OPTION,
};
pub use self::unknown::Unknown;

/// The address family an extension runs in, where it changes a
/// struct's layout or how its addresses print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    /// The family the extensions of a table of `family` run in; `None`
    /// for the families whose tools have extensions of their own
    /// (arptables, ebtables) or none.
    pub fn of_table(family: ruleset::Family) -> Option<Self> {
        match family {
            ruleset::Family::Ip => Some(Self::Ipv4),
            ruleset::Family::Ip6 => Some(Self::Ipv6),
            _ => None,
        }
    }
}

/// The match names this module decodes, for tests and callers that
/// list them.
pub const MATCHES: [&str; 20] = [
    "conntrack",
    "state",
    "addrtype",
    "comment",
    "tcp",
    "udp",
    "icmp",
    "icmp6",
    "hl",
    "multiport",
    "mark",
    "limit",
    "iprange",
    "mac",
    "physdev",
    "set",
    "rt",
    "statistic",
    "pkttype",
    "recent",
];

/// The target names this module decodes ("" is the standard target).
pub const TARGETS: [&str; 13] = [
    "",
    "MASQUERADE",
    "DNAT",
    "SNAT",
    "REDIRECT",
    "LOG",
    "NFLOG",
    "REJECT",
    "MARK",
    "CONNMARK",
    "CT",
    "TCPMSS",
    "NOTRACK",
];

/// A decoded match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XtMatch {
    Conntrack(Conntrack),
    State(State),
    Addrtype(Addrtype),
    Comment(Comment),
    Tcp(Tcp),
    Udp(Udp),
    /// `icmp` and `icmp6`.
    Icmp(Icmp),
    Hl(Hl),
    Multiport(Multiport),
    Mark(MarkMatch),
    Limit(Limit),
    Iprange(Iprange),
    Mac(Mac),
    Physdev(Physdev),
    Set(SetMatch),
    Rt(Rt),
    Statistic(Statistic),
    Pkttype(Pkttype),
    Recent(Recent),
    Unknown(Unknown),
}

impl XtMatch {
    pub fn decode(
        name: &str,
        revision: u32,
        info: &[u8],
        family: Family,
    ) -> Self {
        let known = match (name, revision) {
            ("conntrack", 1..=3) => {
                Conntrack::decode(revision, info, family).map(Self::Conntrack)
            }
            ("state", 0) => State::decode(info).map(Self::State),
            ("addrtype", 1) => Addrtype::decode(info).map(Self::Addrtype),
            ("comment", 0) => Comment::decode(info).map(Self::Comment),
            ("tcp", 0) => Tcp::decode(info).map(Self::Tcp),
            ("udp", 0) => Udp::decode(info).map(Self::Udp),
            ("icmp", 0) => Icmp::decode(info, false).map(Self::Icmp),
            ("icmp6", 0) => Icmp::decode(info, true).map(Self::Icmp),
            ("hl", 0) => Hl::decode(info).map(Self::Hl),
            ("multiport", 1) => Multiport::decode(info).map(Self::Multiport),
            ("mark", 1) => MarkMatch::decode(info).map(Self::Mark),
            ("limit", 0) => Limit::decode(info).map(Self::Limit),
            ("iprange", 1) => Iprange::decode(info, family).map(Self::Iprange),
            ("mac", 0) => Mac::decode(info).map(Self::Mac),
            ("physdev", 0) => Physdev::decode(info).map(Self::Physdev),
            ("set", 1..=4) => SetMatch::decode(revision, info).map(Self::Set),
            ("rt", 0) => Rt::decode(info).map(Self::Rt),
            ("statistic", 0) => Statistic::decode(info).map(Self::Statistic),
            ("pkttype", 0) => Pkttype::decode(info).map(Self::Pkttype),
            ("recent", 0..=1) => {
                Recent::decode(revision, info, family).map(Self::Recent)
            }
            _ => None,
        };
        known.unwrap_or_else(|| {
            Self::Unknown(Unknown::new(name, revision, info))
        })
    }

    /// The match of a `match` expression.
    pub fn from_expr(attrs: &[Match], family: Family) -> Self {
        let (name, revision, info) = match_parts(attrs);
        Self::decode(name, revision, info, family)
    }

    /// The name after `-m`, which for a conntrack match written as
    /// `-m state` is `state`.
    pub fn name(&self) -> &str {
        match self {
            Self::Conntrack(c) => c.name(),
            Self::State(_) => "state",
            Self::Addrtype(_) => "addrtype",
            Self::Comment(_) => "comment",
            Self::Tcp(_) => "tcp",
            Self::Udp(_) => "udp",
            Self::Icmp(i) if i.v6 => "icmp6",
            Self::Icmp(_) => "icmp",
            Self::Hl(_) => "hl",
            Self::Multiport(_) => "multiport",
            Self::Mark(_) => "mark",
            Self::Limit(_) => "limit",
            Self::Iprange(_) => "iprange",
            Self::Mac(_) => "mac",
            Self::Physdev(_) => "physdev",
            Self::Set(_) => "set",
            Self::Rt(_) => "rt",
            Self::Statistic(_) => "statistic",
            Self::Pkttype(_) => "pkttype",
            Self::Recent(_) => "recent",
            Self::Unknown(u) => &u.name,
        }
    }
}

impl fmt::Display for XtMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Conntrack(m) => m.fmt(f),
            Self::State(m) => m.fmt(f),
            Self::Addrtype(m) => m.fmt(f),
            Self::Comment(m) => m.fmt(f),
            Self::Tcp(m) => m.fmt(f),
            Self::Udp(m) => m.fmt(f),
            Self::Icmp(m) => m.fmt(f),
            Self::Hl(m) => m.fmt(f),
            Self::Multiport(m) => m.fmt(f),
            Self::Mark(m) => m.fmt(f),
            Self::Limit(m) => m.fmt(f),
            Self::Iprange(m) => m.fmt(f),
            Self::Mac(m) => m.fmt(f),
            Self::Physdev(m) => m.fmt(f),
            Self::Set(m) => m.fmt(f),
            Self::Rt(m) => m.fmt(f),
            Self::Statistic(m) => m.fmt(f),
            Self::Pkttype(m) => m.fmt(f),
            Self::Recent(m) => m.fmt(f),
            Self::Unknown(m) => m.fmt(f),
        }
    }
}

/// A decoded target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XtTarget {
    /// The standard target's verdict: `ACCEPT`, `DROP`, `QUEUE`,
    /// `RETURN`.
    Standard(&'static str),
    Nat(Nat),
    Log(Log),
    Nflog(Nflog),
    Reject(Reject),
    Mark(MarkTarget),
    Connmark(Connmark),
    Ct(Ct),
    Tcpmss(Tcpmss),
    Unknown(Unknown),
}

impl XtTarget {
    pub fn decode(
        name: &str,
        revision: u32,
        info: &[u8],
        family: Family,
    ) -> Self {
        let nat = |kind| Nat::decode(kind, revision, info, family);
        let known = match (name, revision) {
            ("", 0) => standard::verdict_name(info).map(Self::Standard),
            ("MASQUERADE", 0) => nat(NatKind::Masquerade).map(Self::Nat),
            ("REDIRECT", 0) => nat(NatKind::Redirect).map(Self::Nat),
            ("DNAT", 0..=2) => nat(NatKind::Dnat).map(Self::Nat),
            ("SNAT", 0..=2) => nat(NatKind::Snat).map(Self::Nat),
            ("LOG", 0) => Log::decode(info).map(Self::Log),
            ("NFLOG", 0) => Nflog::decode(info).map(Self::Nflog),
            ("REJECT", 0) => Reject::decode(info, family).map(Self::Reject),
            ("MARK", 2) => MarkTarget::decode(info).map(Self::Mark),
            ("CONNMARK", 1 | 2) => {
                Connmark::decode(revision, info).map(Self::Connmark)
            }
            // The kernel knows `NOTRACK` only as `CT`; iptables asks for
            // `CT` by that name.
            ("CT" | "NOTRACK", 0..=2) => {
                Ct::decode(revision, info).map(Self::Ct)
            }
            ("TCPMSS", 0) => Tcpmss::decode(info).map(Self::Tcpmss),
            _ => None,
        };
        known.unwrap_or_else(|| {
            Self::Unknown(Unknown::new(name, revision, info))
        })
    }

    /// The target of a `target` expression.
    pub fn from_expr(attrs: &[Target], family: Family) -> Self {
        let (name, revision, info) = target_parts(attrs);
        Self::decode(name, revision, info, family)
    }

    /// The name after `-j`.
    pub fn name(&self) -> &str {
        match self {
            Self::Standard(verdict) => verdict,
            Self::Nat(n) => match n.kind {
                NatKind::Dnat => "DNAT",
                NatKind::Snat => "SNAT",
                NatKind::Masquerade => "MASQUERADE",
                NatKind::Redirect => "REDIRECT",
            },
            Self::Log(_) => "LOG",
            Self::Nflog(_) => "NFLOG",
            Self::Reject(_) => "REJECT",
            Self::Mark(_) => "MARK",
            Self::Connmark(_) => "CONNMARK",
            Self::Ct(c) => c.name(),
            Self::Tcpmss(_) => "TCPMSS",
            Self::Unknown(u) => &u.name,
        }
    }
}

impl fmt::Display for XtTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Standard(_) => Ok(()),
            Self::Nat(t) => t.fmt(f),
            Self::Log(t) => t.fmt(f),
            Self::Nflog(t) => t.fmt(f),
            Self::Reject(t) => t.fmt(f),
            Self::Mark(t) => t.fmt(f),
            Self::Connmark(t) => t.fmt(f),
            Self::Ct(t) => t.fmt(f),
            Self::Tcpmss(t) => t.fmt(f),
            Self::Unknown(t) => t.fmt(f),
        }
    }
}

/// An attribute of a `match` or `target` expression, which have the
/// same three.
enum Part<'a> {
    Name(&'a str),
    Rev(u32),
    Info(&'a [u8]),
    Other,
}

/// A `match` expression's extension name, revision and info struct.
pub fn match_parts(attrs: &[Match]) -> (&str, u32, &[u8]) {
    parts(attrs.iter().map(|a| match a {
        Match::Name(n) => Part::Name(n),
        Match::Rev(r) => Part::Rev(*r),
        Match::Info(i) => Part::Info(i),
        _ => Part::Other,
    }))
}

/// A `target` expression's extension name, revision and info struct.
pub fn target_parts(attrs: &[Target]) -> (&str, u32, &[u8]) {
    parts(attrs.iter().map(|a| match a {
        Target::Name(n) => Part::Name(n),
        Target::Rev(r) => Part::Rev(*r),
        Target::Info(i) => Part::Info(i),
        _ => Part::Other,
    }))
}

/// The extension's name, revision and info struct.
fn parts<'a>(
    attrs: impl Iterator<Item = Part<'a>>,
) -> (&'a str, u32, &'a [u8]) {
    let (mut name, mut revision, mut info) = ("", 0, &[][..]);
    for part in attrs {
        match part {
            Part::Name(n) => name = n,
            Part::Rev(r) => revision = r,
            Part::Info(i) => info = i,
            Part::Other => {}
        }
    }
    (name, revision, info)
}
