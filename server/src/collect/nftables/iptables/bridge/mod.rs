//! Rules of ebtables-nft, read back as `nft_bridge_parse_*` reads
//! them and printed as `ebtables-nft-save` prints them
//! (`__nft_bridge_save_rule`): the protocol, MAC addresses and
//! interfaces of the frame, the matches (`ip`, `ip6`, `mark_m`,
//! `pkttype`, `vlan`, `limit`, `among`) and watchers (`log`, `nflog`),
//! then `-j` with a verdict, a chain or a target. Every option ends
//! with a space, as ebtables prints it.
//!
//! ebtables 1.8.9 keeps the matches and watchers of a rule read back in
//! a list that holds the first and the last only (`parse_watcher` links
//! each new one after the first): a rule of three shows two, and so
//! does this.
//!
//! A user chain's policy is a last rule of its own (`counter` and an
//! accept or drop, marked in its userdata), which ebtables shows as
//! the chain's policy and not as a rule; a chain without it returns.

mod among;

use std::fmt::Write;

use self::among::{Among, Loads};
use super::command::{rate_limit, Iface, Jump};
use super::regs::{iface, Comparison, Immediated, Loaded, Regs};
use super::save::protocol_name;
use crate::collect::nftables::expr::{
    CmpOp, Data, Expr, Immediate, Lookup, MetaKey, PayloadBase, VerdictAttr,
    VerdictCode,
};
use crate::collect::nftables::ruleset::{Rule, Set};
use crate::collect::nftables::xt::{
    self, ebt_icmp_text, ebt_igmp_text, mac_and_mask, mask_suffix, EbtAddr,
    EbtIp, EbtMatch, EbtTarget, EbtWatcher, Family, Limit as RateLimit,
    ICMPV6_CODES, ICMP_CODES,
};

/// `/etc/ethertypes` as Debian ships it, for `-p`; a type not in it
/// prints in hex.
const ETHERTYPES: [(u16, &str); 35] = [
    (0x0800, "IPv4"),
    (0x0805, "X25"),
    (0x0806, "ARP"),
    (0x0808, "FR_ARP"),
    (0x08ff, "BPQ"),
    (0x22f3, "TRILL"),
    (0x22f4, "L2-IS-IS"),
    (0x6558, "TEB"),
    (0x6559, "RAW_FR"),
    (0x8035, "RARP"),
    (0x809b, "ATALK"),
    (0x80f3, "AARP"),
    (0x8100, "802_1Q"),
    (0x8137, "IPX"),
    (0x8191, "NetBEUI"),
    (0x86dd, "IPv6"),
    (0x880b, "PPP"),
    (0x8847, "MPLS"),
    (0x8848, "MPLS_MULTI"),
    (0x884c, "ATMMPOA"),
    (0x8863, "PPP_DISC"),
    (0x8864, "PPP_SES"),
    (0x8884, "ATMFATE"),
    (0x888e, "EAPOL"),
    (0x88a8, "S-TAG"),
    (0x88c7, "EAP_PREAUTH"),
    (0x88cc, "LLDP"),
    (0x88e5, "MACSEC"),
    (0x88e7, "PBB"),
    (0x88f5, "MVRP"),
    (0x88f7, "PTP"),
    (0x8906, "FCOE"),
    (0x8914, "FIP"),
    (0x8915, "ROCE"),
    (0xa0ed, "LoWPAN"),
];

/// Below it the type field is an 802.3 length (`-p Length`).
const ETH_P_802_3_MIN: u16 = 0x0600;

/// `UDATA_TYPE_EBTABLES_POLICY`, holding a 32-bit 1.
const UDATA_TYPE_EBTABLES_POLICY: u8 = 1;

/// The MAC addresses ebtables names (`xtables_print_well_known_mac_and_mask`).
const WELL_KNOWN_MACS: [([u8; 6], [u8; 6], &str); 4] = [
    ([0; 6], [1, 0, 0, 0, 0, 0], "Unicast"),
    ([1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], "Multicast"),
    ([0xff; 6], [0xff; 6], "Broadcast"),
    ([0x01, 0x80, 0xc2, 0, 0, 0], [0xff; 6], "BGA"),
];

/// The frame's type field.
enum Proto {
    Type(u16),
    /// `-p Length`: any 802.3 length.
    Length,
}

struct MacMatch {
    addr: [u8; 6],
    mask: [u8; 6],
    invert: bool,
}

/// A match or a watcher, as ebtables lists them together.
enum Listed {
    Match(EbtMatch),
    Watcher(EbtWatcher),
    Limit(RateLimit),
    Among(Among),
}

/// What one ebtables rule says (its `ebt_entry`).
#[derive(Default)]
struct BridgeCommand<'a> {
    proto: Option<(Proto, bool)>,
    src: Option<MacMatch>,
    dst: Option<MacMatch>,
    iniface: Option<Iface>,
    logical_in: Option<Iface>,
    outiface: Option<Iface>,
    logical_out: Option<Iface>,
    matches: Vec<Listed>,
    jump: Option<Jump>,
    target: Option<(&'a str, EbtTarget)>,
}

/// The policy a user chain's last rule sets, if it is ebtables' policy
/// rule.
pub fn policy_rule(rule: &Rule) -> Option<&'static str> {
    policy_marked(rule.userdata.as_deref()?).then_some(())?;
    let [Expr::Counter(_), Expr::Immediate(attrs)] = rule.exprs.as_slice()
    else {
        return None;
    };
    let verdict = attrs.iter().find_map(|a| match a {
        Immediate::Data(Data::Verdict(v)) => Some(v),
        _ => None,
    })?;
    verdict.iter().find_map(|a| match a {
        VerdictAttr::Code(VerdictCode::Accept) => Some("ACCEPT"),
        VerdictAttr::Code(VerdictCode::Drop) => Some("DROP"),
        _ => None,
    })
}

/// Whether the userdata's TLVs hold the policy mark.
fn policy_marked(mut udata: &[u8]) -> bool {
    while let [kind, len, rest @ ..] = udata {
        let Some((value, next)) = rest.split_at_checked(usize::from(*len))
        else {
            return false;
        };
        if *kind == UDATA_TYPE_EBTABLES_POLICY {
            return value == 1u32.to_ne_bytes();
        }
        udata = next;
    }
    false
}

/// The rule's line, `-A CHAIN …`, or `None` when ebtables could not
/// read it back. `sets` are the table's, which `among` looks up.
pub fn line(chain: &str, exprs: &[Expr], sets: &[Set]) -> Option<String> {
    let cmd = command(exprs, sets)?;
    Some(format!("-A {chain} {}", details(&cmd)))
}

fn command<'a>(exprs: &'a [Expr], sets: &[Set]) -> Option<BridgeCommand<'a>> {
    let mut regs = Regs::default();
    let mut loads = Loads::default();
    let mut cmd = BridgeCommand::default();
    for e in exprs {
        match e {
            Expr::Counter(_) => {}
            Expr::Payload(a) => {
                loads.payload(a);
                regs.payload(a)?
            }
            Expr::Meta(a) => regs.meta(a)?,
            Expr::Bitwise(a) => regs.bitwise(a)?,
            Expr::Cmp(a) => cmd.compare(regs.cmp(a)?)?,
            Expr::Immediate(a) => match regs.immediate(a)? {
                // ebtables has no goto.
                Immediated::Verdict(Some(Jump::Chain {
                    goto: true, ..
                })) => return None,
                Immediated::Verdict(jump) => cmd.jump = jump,
                Immediated::Value => {}
            },
            Expr::Match(a) => {
                cmd.listed(Listed::Match(EbtMatch::from_expr(a)?))
            }
            Expr::Limit(a) => cmd.listed(Listed::Limit(rate_limit(a)?)),
            Expr::Target(a) => match EbtWatcher::from_expr(a) {
                Some(w) => cmd.listed(Listed::Watcher(w)),
                None => {
                    let name = xt::target_parts(a).0;
                    cmd.target = Some((name, EbtTarget::from_expr(a)?));
                }
            },
            Expr::Lookup(a) => cmd.among(a, &loads, sets)?,
            // A native statement.
            _ => return None,
        }
    }
    Some(cmd)
}

impl BridgeCommand<'_> {
    /// `parse_watcher`: the first of the list, then the latest.
    fn listed(&mut self, m: Listed) {
        if self.matches.len() < 2 {
            self.matches.push(m);
        } else {
            self.matches[1] = m;
        }
    }

    /// A lookup joins the rule's among match when the list holds one,
    /// and is a new one otherwise.
    fn among(
        &mut self,
        attrs: &[Lookup],
        loads: &Loads,
        sets: &[Set],
    ) -> Option<()> {
        let listed = self.matches.iter_mut().find_map(|m| match m {
            Listed::Among(a) => Some(a),
            _ => None,
        });
        match listed {
            Some(among) => among.add(attrs, loads, sets),
            None => {
                let mut among = Among::default();
                among.add(attrs, loads, sets)?;
                self.listed(Listed::Among(among));
                Some(())
            }
        }
    }

    fn compare(&mut self, c: Comparison) -> Option<()> {
        let invert = c.op == CmpOp::NotEqual;
        match c.reg.loaded {
            // Among's dependency, which ebtables skips whatever it is.
            Loaded::Meta(MetaKey::EtherTypeProtocol) => {}
            Loaded::Meta(key) => {
                let side = match key {
                    MetaKey::Iifname => &mut self.iniface,
                    MetaKey::Oifname => &mut self.outiface,
                    MetaKey::BriIifname => &mut self.logical_in,
                    MetaKey::BriOifname => &mut self.logical_out,
                    _ => return None,
                };
                *side = Some(iface(c.data, invert)?);
            }
            Loaded::Payload {
                base: PayloadBase::LinkLayer,
                offset,
                len,
            } => match offset {
                0 => {
                    self.dst =
                        Some(mac(len, c.reg.mask.as_deref(), c.data, invert))
                }
                6 => {
                    self.src =
                        Some(mac(len, c.reg.mask.as_deref(), c.data, invert))
                }
                12 => self.proto = Some(proto(c.op, c.data)?),
                _ => return None,
            },
            _ => return None,
        }
        Some(())
    }
}

/// An address of the frame; the mask is the bitwise's, or ones over
/// the loaded length.
fn mac(len: u32, mask: Option<&[u8]>, data: &[u8], invert: bool) -> MacMatch {
    let mut addr = [0; 6];
    let n = data.len().min(6);
    addr[..n].copy_from_slice(&data[..n]);
    let mut m = [0; 6];
    match mask {
        Some(b) => {
            let n = b.len().min(6);
            m[..n].copy_from_slice(&b[..n]);
        }
        None => m[..(len as usize).min(6)].fill(0xff),
    }
    MacMatch {
        addr,
        mask: m,
        invert,
    }
}

/// The type field: an equal (or not) type, or 802.3's lengths as
/// `< 0x0600` (inverted `>=`).
fn proto(op: CmpOp, data: &[u8]) -> Option<(Proto, bool)> {
    let [a, b] = data else {
        return None;
    };
    let value = u16::from_be_bytes([*a, *b]);
    match op {
        _ if value == ETH_P_802_3_MIN => {
            Some((Proto::Length, op == CmpOp::GreatherThanEqual))
        }
        CmpOp::Equal => Some((Proto::Type(value), false)),
        CmpOp::NotEqual => Some((Proto::Type(value), true)),
        _ => None,
    }
}

fn not(invert: bool) -> &'static str {
    if invert {
        "! "
    } else {
        ""
    }
}

/// `ebt_print_mac_and_mask`.
fn mac_text(m: &MacMatch) -> String {
    let known = WELL_KNOWN_MACS
        .iter()
        .find(|(addr, mask, _)| *addr == m.addr && *mask == m.mask);
    match known {
        Some((_, _, name)) => (*name).to_owned(),
        None => mac_and_mask(&m.addr, &m.mask),
    }
}

fn details(cmd: &BridgeCommand) -> String {
    let mut out = String::new();
    if let Some((proto, invert)) = &cmd.proto {
        let name = match proto {
            Proto::Length => "Length".to_owned(),
            Proto::Type(t) => match ETHERTYPES.iter().find(|(n, _)| n == t) {
                Some((_, name)) => (*name).to_owned(),
                None => format!("{t:#x}"),
            },
        };
        let _ = write!(out, "-p {}{name} ", not(*invert));
    }
    for (letter, side) in [('s', &cmd.src), ('d', &cmd.dst)] {
        if let Some(m) = side {
            let _ = write!(out, "-{letter} {}{} ", not(m.invert), mac_text(m));
        }
    }
    for (option, side) in [
        ("-i", &cmd.iniface),
        ("--logical-in", &cmd.logical_in),
        ("-o", &cmd.outiface),
        ("--logical-out", &cmd.logical_out),
    ] {
        if let Some(Iface { name, invert }) = side {
            let bang = if *invert { " !" } else { "" };
            let _ = write!(out, "{option}{bang} {name} ");
        }
    }
    for m in &cmd.matches {
        match m {
            Listed::Match(EbtMatch::Ip(ip)) => out += &ip_text(ip),
            Listed::Match(EbtMatch::Mark(mark)) => out += &mark.to_string(),
            Listed::Match(EbtMatch::Pkttype(p)) => out += &p.to_string(),
            Listed::Match(EbtMatch::Vlan(v)) => out += &v.to_string(),
            Listed::Among(a) => out += &a.to_string(),
            Listed::Watcher(EbtWatcher::Log(l)) => out += &l.to_string(),
            Listed::Watcher(EbtWatcher::Nflog(n)) => out += &n.to_string(),
            Listed::Limit(l) => {
                let _ = write!(
                    out,
                    "--limit {} --limit-burst {} ",
                    l.rate(),
                    l.burst
                );
            }
        }
    }
    out += "-j ";
    match (&cmd.target, &cmd.jump) {
        (Some((name, target)), _) => {
            let options = match target {
                EbtTarget::Mark(m) => m.to_string(),
                EbtTarget::Nat(n) => n.to_string(),
            };
            let _ = write!(out, "{name} {options}");
        }
        (None, Some(Jump::Verdict(v))) => out += v,
        (None, Some(Jump::Chain { name, .. })) => out += name,
        (None, Some(Jump::Target(_)) | None) => out += "CONTINUE",
    }
    out
}

/// `brip_print` and `brip6_print`.
fn ip_text(ip: &EbtIp) -> String {
    let (prefix, tos) = match ip.family {
        Family::Ipv4 => ("ip", "ip-tos"),
        Family::Ipv6 => ("ip6", "ip6-tclass"),
    };
    let mut out = String::new();
    for (side, a) in [("src", &ip.src), ("dst", &ip.dst)] {
        if let Some(EbtAddr { addr, mask, invert }) = a {
            let mask = mask_suffix(*mask);
            let _ =
                write!(out, "--{prefix}-{side} {}{addr}{mask} ", not(*invert));
        }
    }
    if let Some((value, invert)) = ip.tos {
        let _ = write!(out, "--{tos} {}0x{value:02X} ", not(invert));
    }
    if let Some((proto, invert)) = ip.proto {
        // getprotobynumber: `/etc/protocols` calls 0 `ip`.
        let name = match proto {
            0 => "ip".to_owned(),
            n => protocol_name(n).map_or_else(|| n.to_string(), str::to_owned),
        };
        let _ = write!(out, "--{prefix}-proto {}{name} ", not(invert));
    }
    for (side, ports) in [("sport", &ip.sport), ("dport", &ip.dport)] {
        if let Some(([from, to], invert)) = ports {
            let range = if from == to {
                from.to_string()
            } else {
                format!("{from}:{to}")
            };
            let _ = write!(out, "--{prefix}-{side} {}{range} ", not(*invert));
        }
    }
    if let Some((types, codes, invert)) = ip.icmp {
        let names = match ip.family {
            Family::Ipv4 => &ICMP_CODES[..],
            Family::Ipv6 => &ICMPV6_CODES[..],
        };
        let text = ebt_icmp_text(names, types, codes);
        let _ = write!(out, "--{prefix}-icmp-type {}{text}", not(invert));
    }
    if let Some((types, invert)) = ip.igmp {
        let text = ebt_igmp_text(types);
        let _ = write!(out, "--ip-igmp-type {}{text}", not(invert));
    }
    out
}
