//! `DNAT`, `SNAT`, `MASQUERADE` and `REDIRECT`: a range of addresses
//! and ports, in one of three structs by revision and family:
//! `struct nf_nat_ipv4_multi_range_compat` (revision 0, IPv4),
//! `struct nf_nat_range` (revision 1, and revision 0 for IPv6) and
//! `struct nf_nat_range2` (revision 2, which adds a port offset).

use std::fmt;
use std::net::IpAddr;

use super::info::Info;
use super::Family;

// NF_NAT_RANGE_* (linux/netfilter/nf_nat.h)
pub const NF_NAT_RANGE_MAP_IPS: u32 = 1 << 0;
pub const NF_NAT_RANGE_PROTO_SPECIFIED: u32 = 1 << 1;
pub const NF_NAT_RANGE_PROTO_RANDOM: u32 = 1 << 2;
pub const NF_NAT_RANGE_PERSISTENT: u32 = 1 << 3;
pub const NF_NAT_RANGE_PROTO_RANDOM_FULLY: u32 = 1 << 4;
pub const NF_NAT_RANGE_PROTO_OFFSET: u32 = 1 << 5;

/// Which of the four targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatKind {
    Dnat,
    Snat,
    Masquerade,
    Redirect,
}

/// The range, as `struct nf_nat_range2` holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NatRange {
    pub flags: u32,
    pub min_addr: IpAddr,
    pub max_addr: IpAddr,
    /// Host order.
    pub min_port: u16,
    pub max_port: u16,
    pub base_port: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nat {
    pub kind: NatKind,
    pub range: NatRange,
}

impl NatRange {
    pub fn decode(revision: u32, info: &[u8], family: Family) -> Option<Self> {
        let i = Info(info);
        match (revision, family) {
            (0, Family::Ipv4) => Some(Self {
                // After the count of ranges, which is always one.
                flags: i.u32(4)?,
                min_addr: IpAddr::V4(i.ipv4(8)?),
                max_addr: IpAddr::V4(i.ipv4(12)?),
                min_port: i.be16(16)?,
                max_port: i.be16(18)?,
                base_port: 0,
            }),
            (0..=2, _) => Some(Self {
                flags: i.u32(0)?,
                min_addr: i.inet_addr(4, family)?,
                max_addr: i.inet_addr(20, family)?,
                min_port: i.be16(36)?,
                max_port: i.be16(38)?,
                base_port: match revision {
                    2 => i.be16(40)?,
                    _ => 0,
                },
            }),
            _ => None,
        }
    }

    /// `sprint_range`: `ADDR[-ADDR][:PORT[-PORT][/BASE]]`, the
    /// addresses of IPv6 in brackets when a port follows.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let ports = self.flags & NF_NAT_RANGE_PROTO_SPECIFIED != 0;
        if self.flags & NF_NAT_RANGE_MAP_IPS != 0 {
            let brackets = self.min_addr.is_ipv6() && ports;
            if brackets {
                out.push('[');
            }
            out += &self.min_addr.to_string();
            if self.max_addr != self.min_addr {
                out += &format!("-{}", self.max_addr);
            }
            if brackets {
                out.push(']');
            }
        }
        if ports {
            out += &format!(":{}", self.min_port);
            if self.max_port != self.min_port {
                out += &format!("-{}", self.max_port);
            }
            if self.flags & NF_NAT_RANGE_PROTO_OFFSET != 0 {
                out += &format!("/{}", self.base_port);
            }
        }
        out
    }
}

impl Nat {
    pub fn decode(
        kind: NatKind,
        revision: u32,
        info: &[u8],
        family: Family,
    ) -> Option<Self> {
        Some(Self {
            kind,
            range: NatRange::decode(revision, info, family)?,
        })
    }
}

/// `__NAT_print` with the save options.
impl fmt::Display for Nat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (option, ports_only) = match self.kind {
            NatKind::Dnat => ("--to-destination", false),
            NatKind::Snat => ("--to-source", false),
            NatKind::Masquerade | NatKind::Redirect => ("--to-ports", true),
        };
        let text = self.range.text();
        // The ports-only targets drop the colon before their ports.
        let text = match text.strip_prefix(':') {
            Some(rest) if ports_only => rest,
            _ => &text,
        };
        if !text.is_empty() {
            write!(f, " {option} {text}")?;
        }
        let flags = [
            (NF_NAT_RANGE_PROTO_RANDOM, "random"),
            (NF_NAT_RANGE_PROTO_RANDOM_FULLY, "random-fully"),
            (NF_NAT_RANGE_PERSISTENT, "persistent"),
        ];
        for (bit, word) in flags {
            if self.range.flags & bit != 0 {
                write!(f, " --{word}")?;
            }
        }
        Ok(())
    }
}
