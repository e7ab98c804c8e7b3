//! ebtables' `ip` and `ip6` matches (`struct ebt_ip_info`, `struct
//! ebt_ip6_info`): the IP header inside a bridged frame. Ports are in
//! host order; ICMP (ICMPv6 in `ip6`) and IGMP types share their bytes.

use std::net::IpAddr;

use super::info::Info;
use super::Family;

const EBT_IP_SOURCE: u8 = 0x01;
const EBT_IP_DEST: u8 = 0x02;
const EBT_IP_TOS: u8 = 0x04;
const EBT_IP_PROTO: u8 = 0x08;
const EBT_IP_SPORT: u8 = 0x10;
const EBT_IP_DPORT: u8 = 0x20;
/// ICMPv6 in `ip6`.
const EBT_IP_ICMP: u8 = 0x40;
/// `ip` only.
const EBT_IP_IGMP: u8 = 0x80;

/// An address under its mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EbtAddr {
    pub addr: IpAddr,
    pub mask: IpAddr,
    pub invert: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EbtIp {
    pub family: Family,
    pub src: Option<EbtAddr>,
    pub dst: Option<EbtAddr>,
    /// The TOS byte (`ip`) or traffic class (`ip6`).
    pub tos: Option<(u8, bool)>,
    pub proto: Option<(u8, bool)>,
    pub sport: Option<([u16; 2], bool)>,
    pub dport: Option<([u16; 2], bool)>,
    /// ICMP (or ICMPv6) types and codes, each a range.
    pub icmp: Option<([u8; 2], [u8; 2], bool)>,
    pub igmp: Option<([u8; 2], bool)>,
}

impl EbtIp {
    pub fn decode(info: &[u8], family: Family) -> Option<Self> {
        let i = Info(info);
        let (width, flags_at) = match family {
            Family::Ipv4 => (4, 16),
            Family::Ipv6 => (16, 64),
        };
        let bitmask = i.u8(flags_at + 2)?;
        let invflags = i.u8(flags_at + 3)?;
        let known = EBT_IP_SOURCE
            | EBT_IP_DEST
            | EBT_IP_TOS
            | EBT_IP_PROTO
            | EBT_IP_SPORT
            | EBT_IP_DPORT
            | EBT_IP_ICMP
            | if family == Family::Ipv4 {
                EBT_IP_IGMP
            } else {
                0
            };
        (bitmask & !known == 0).then_some(())?;
        let has = |bit: u8| (bitmask & bit != 0).then_some(invflags & bit != 0);
        let ip = |at: usize| match family {
            Family::Ipv4 => i.ipv4(at).map(IpAddr::V4),
            Family::Ipv6 => i.array::<16>(at).map(|b| IpAddr::V6(b.into())),
        };
        let addr = |at: usize, bit: u8| -> Option<Option<EbtAddr>> {
            let Some(invert) = has(bit) else {
                return Some(None);
            };
            Some(Some(EbtAddr {
                addr: ip(at)?,
                mask: ip(at + 2 * width)?,
                invert,
            }))
        };
        let ports = |at: usize, bit: u8| -> Option<Option<([u16; 2], bool)>> {
            let Some(invert) = has(bit) else {
                return Some(None);
            };
            Some(Some(([i.u16(at)?, i.u16(at + 2)?], invert)))
        };
        let byte = |at: usize, bit: u8| -> Option<Option<(u8, bool)>> {
            let Some(invert) = has(bit) else {
                return Some(None);
            };
            Some(Some((i.u8(at)?, invert)))
        };
        let pair = |at: usize| i.array::<2>(at);
        let icmp = match has(EBT_IP_ICMP) {
            Some(invert) => {
                Some((pair(flags_at + 4)?, pair(flags_at + 8)?, invert))
            }
            None => None,
        };
        let igmp = match has(EBT_IP_IGMP) {
            Some(invert) => Some((pair(flags_at + 4)?, invert)),
            None => None,
        };
        Some(Self {
            family,
            src: addr(0, EBT_IP_SOURCE)?,
            dst: addr(width, EBT_IP_DEST)?,
            tos: byte(flags_at, EBT_IP_TOS)?,
            proto: byte(flags_at + 1, EBT_IP_PROTO)?,
            sport: ports(flags_at + 4, EBT_IP_SPORT)?,
            dport: ports(flags_at + 8, EBT_IP_DPORT)?,
            icmp,
            igmp,
        })
    }
}
