//! The translations of ebtables' extensions in a bridge table, as the
//! `xlate` functions of iptables' `libebt_*.c` (1.8.9) build them.

use super::matches::PORT_PROTOCOLS;
use super::xlate::Xlate;
use super::{match_name, target_name};
use crate::collect::nftables::expr::{Match, Target};
use crate::collect::nftables::render::datatype::{self, Type};
use crate::collect::nftables::xt::{
    ether_ntoa, mask_suffix, EbtAddr, EbtIp, EbtLog, EbtMarkMatch, EbtMarkOp,
    EbtMarkTarget, EbtMatch, EbtNat, EbtNflog, EbtPkttype, EbtTarget,
    EbtVerdict, EbtVlan, EbtWatcher, Family, EBT_VLAN_ENCAP, EBT_VLAN_ID,
    EBT_VLAN_PRIO,
};

/// The level a `log` translation leaves unsaid (`LOG_INFO`).
const LOG_DEFAULT_LEVEL: u8 = 6;

/// The targets nft calls watchers.
const WATCHERS: [&str; 2] = ["log", "nflog"];

/// `PACKET_OTHERHOST`, which nft calls `other`.
const PACKET_OTHERHOST: u8 = 3;

pub fn matched(attrs: &[Match]) -> String {
    match EbtMatch::from_expr(attrs) {
        Some(EbtMatch::Ip(ip)) => ip_match(&ip),
        Some(EbtMatch::Mark(m)) => mark_match(&m),
        Some(EbtMatch::Pkttype(p)) => pkttype(&p),
        Some(EbtMatch::Vlan(v)) => vlan(&v),
        None => format!("xt match {}", match_name(attrs)),
    }
}

/// A watcher's or a target's translation; `xt watcher NAME` or `xt
/// target NAME` where libebt has none (nft knows the watchers by name).
pub fn target(attrs: &[Target]) -> String {
    let translated = match EbtWatcher::from_expr(attrs) {
        Some(EbtWatcher::Log(l)) => log(&l),
        Some(EbtWatcher::Nflog(n)) => Some(nflog(&n)),
        None => match EbtTarget::from_expr(attrs) {
            Some(EbtTarget::Mark(m)) => Some(mark_target(&m)),
            Some(EbtTarget::Nat(n)) => nat(&n),
            None => None,
        },
    };
    translated.unwrap_or_else(|| {
        let name = target_name(attrs);
        let kind = if WATCHERS.contains(&name) {
            "watcher"
        } else {
            "target"
        };
        format!("xt {kind} {name}")
    })
}

/// `brip_xlate` and `brip6_xlate`: the protocol goes unsaid where the
/// ports name it.
fn ip_match(ip: &EbtIp) -> String {
    let (word, protocol) = match ip.family {
        Family::Ipv4 => ("ip", "ip protocol "),
        Family::Ipv6 => ("ip6", "meta l4proto "),
    };
    let mut x = Xlate::default();
    let not = |x: &mut Xlate, invert: bool| {
        if invert {
            x.add("!= ");
        }
    };
    if ip.family == Family::Ipv6
        && ip.src.is_none()
        && ip.dst.is_none()
        && ip.tos.is_none()
        && ip.icmp.is_none()
    {
        x.add("ether type ip6 ");
    }
    for (side, a) in [("saddr", &ip.src), ("daddr", &ip.dst)] {
        if let Some(EbtAddr { addr, mask, invert }) = a {
            x.add(&format!("{word} {side} "));
            not(&mut x, *invert);
            x.add(&format!("{addr}{} ", mask_suffix(*mask)));
        }
    }
    if let Some((tos, invert)) = ip.tos {
        x.add(&format!("{word} dscp "));
        not(&mut x, invert);
        x.add(&format!("0x{:02x} ", tos & 0x3f));
    }
    // The ports or the ICMP types say the protocol (not IGMP's).
    let said = ip.sport.is_some() || ip.dport.is_some() || ip.icmp.is_some();
    let mut named = None;
    match ip.proto {
        // Ports of other protocols are offsets of the transport header.
        Some((proto, false)) if said => {
            let name = datatype::value(Type::InetProto, &[proto]);
            named = PORT_PROTOCOLS.contains(&name.as_str()).then_some(name);
        }
        Some((proto, invert)) => {
            x.add(protocol);
            not(&mut x, invert);
            x.add(&format!("{} ", datatype::value(Type::InetProto, &[proto])));
        }
        None => {}
    }
    for (side, offset, ports) in
        [("sport", 0, &ip.sport), ("dport", 16, &ip.dport)]
    {
        let Some(([lo, hi], invert)) = ports else {
            continue;
        };
        match &named {
            Some(name) => x.add(&format!("{name} {side} ")),
            None => x.add(&format!("@th,{offset},16 ")),
        }
        not(&mut x, *invert);
        x.add(&range([*lo, *hi]));
    }
    let icmp = match ip.family {
        Family::Ipv4 => "icmp",
        Family::Ipv6 => "icmpv6",
    };
    if let Some((types, codes, invert)) = ip.icmp {
        x.add(&format!("{icmp} type "));
        not(&mut x, invert);
        x.add(&range(types));
        if codes != [0, u8::MAX] {
            x.add(&format!("{icmp} code "));
            not(&mut x, invert);
            x.add(&range(codes));
        }
    }
    if let Some((types, invert)) = ip.igmp {
        x.add("@th,0,8 ");
        not(&mut x, invert);
        x.add(&range(types));
    }
    x.text()
}

/// `N ` or `N-M `.
fn range<T: PartialEq + std::fmt::Display>([lo, hi]: [T; 2]) -> String {
    match lo == hi {
        true => format!("{lo} "),
        false => format!("{lo}-{hi} "),
    }
}

/// `brmark_m_xlate`: the marks are cut to 32 bits.
fn mark_match(m: &EbtMarkMatch) -> String {
    let (mark, mask) = (m.mark as u32, m.mask as u32);
    let op = if m.invert { "!= " } else { "" };
    let mut x = Xlate::default();
    x.add("meta mark ");
    if m.any {
        // Any bit of the mask: not none of them.
        let op = if m.invert { "" } else { "!= " };
        x.add(&format!("and {mask:#x} {op}0 "));
    } else if m.mask != u64::from(u32::MAX) {
        x.add(&format!("and {mask:#x} {op}{mark:#x} "));
    } else {
        x.add(&format!("{op}{mark:#x} "));
    }
    x.text()
}

/// Three types by name, `otherhost` as nft's `other`, the rest as the
/// number.
fn pkttype(p: &EbtPkttype) -> String {
    let mut x = Xlate::default();
    x.add(&format!(
        "meta pkttype {}",
        if p.invert { "!= " } else { "" }
    ));
    match p.kind {
        PACKET_OTHERHOST => x.add("other "),
        0..=2 => x.add(&format!("{} ", p.name().unwrap_or_default())),
        n => x.add(&format!("{n} ")),
    }
    x.text()
}

fn vlan(v: &EbtVlan) -> String {
    let not = |invert: bool| if invert { "!= " } else { "" };
    let mut x = Xlate::default();
    if let Some(invert) = v.option(EBT_VLAN_ID) {
        x.add(&format!("vlan id {}{} ", not(invert), v.id));
    }
    if let Some(invert) = v.option(EBT_VLAN_PRIO) {
        x.add(&format!("vlan pcp {}{} ", not(invert), v.prio));
    }
    if let Some(invert) = v.option(EBT_VLAN_ENCAP) {
        x.add(&format!("vlan type {}0x{:04x} ", not(invert), v.encap));
    }
    x.text()
}

/// The frame's header always (`flags ether`): the headers ebtables
/// adds to it go unsaid.
fn log(l: &EbtLog) -> Option<String> {
    let mut x = Xlate::default();
    x.add("log");
    if !l.prefix.is_empty() {
        x.add(&format!(" prefix \"{}\"", l.prefix));
    }
    if l.level != LOG_DEFAULT_LEVEL {
        x.add(&format!(" level {}", l.level_name()?));
    }
    x.add(" flags ether ");
    Some(x.text())
}

fn nflog(n: &EbtNflog) -> String {
    let mut x = Xlate::default();
    x.add("log ");
    if !n.0.prefix.is_empty() {
        x.add(&format!("prefix \"{}\" ", n.0.prefix));
    }
    x.add(&format!("group {} ", n.0.group));
    if n.0.len != 0 {
        x.add(&format!("snaplen {} ", n.0.len));
    }
    if n.threshold_given() {
        x.add(&format!("queue-threshold {} ", n.0.threshold));
    }
    x.text()
}

fn mark_target(m: &EbtMarkTarget) -> String {
    let mut x = Xlate::default();
    x.add("meta mark set ");
    match m.op {
        EbtMarkOp::Set => {}
        EbtMarkOp::Or => x.add("meta mark or "),
        EbtMarkOp::Xor => x.add("meta mark xor "),
        EbtMarkOp::And => x.add("meta mark and "),
    }
    x.add(&format!("{:#x} {} ", m.mark, m.then.nft()));
    x.text()
}

/// A MAC written, and the verdict; `snat` that also rewrites ARP
/// replies has no translation.
fn nat(n: &EbtNat) -> Option<String> {
    let mut x = Xlate::default();
    match n {
        EbtNat::Dnat { mac, then } => x.add(&format!(
            "ether daddr set {} {} ",
            ether_ntoa(mac),
            then.nft()
        )),
        EbtNat::Snat { arp: true, .. } => return None,
        EbtNat::Snat { mac, then, .. } => x.add(&format!(
            "ether saddr set {} {} ",
            ether_ntoa(mac),
            then.nft()
        )),
        EbtNat::Redirect { then } => {
            x.add("meta set pkttype host");
            if *then != EbtVerdict::Accept {
                x.add(&format!(" {} ", then.nft()));
            }
        }
    }
    Some(x.text())
}
