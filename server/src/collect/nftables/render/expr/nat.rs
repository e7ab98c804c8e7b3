//! `snat`, `dnat`, `masquerade` and `redirect`: their addresses and
//! ports come from registers the rule loaded before.

use super::Cx;
use crate::collect::nftables::expr::{
    Expr, Masq, Nat, NatType, Nfproto, Redir, Register,
    NF_NAT_RANGE_PERSISTENT, NF_NAT_RANGE_PROTO_RANDOM,
    NF_NAT_RANGE_PROTO_RANDOM_FULLY,
};
use crate::collect::nftables::render::datatype::Type;
use crate::collect::nftables::ruleset::Family;

/// ` random,persistent`: the NAT flags nft names.
fn flags(bits: u32) -> String {
    let names: Vec<&str> = [
        (NF_NAT_RANGE_PROTO_RANDOM, "random"),
        (NF_NAT_RANGE_PROTO_RANDOM_FULLY, "fully-random"),
        (NF_NAT_RANGE_PERSISTENT, "persistent"),
    ]
    .into_iter()
    .filter(|(bit, _)| bits & bit != 0)
    .map(|(_, name)| name)
    .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(" {}", names.join(","))
    }
}

impl Cx<'_> {
    /// `min` or `min-max` from two registers, printed as `ty`.
    fn span(
        &self,
        min: Option<Register>,
        max: Option<Register>,
        ty: Type,
        len: usize,
    ) -> Option<String> {
        let min = min?;
        let lo = self.loaded(min, ty, len, false);
        let hi = max
            .filter(|&m| m != min)
            .map(|m| self.loaded(m, ty, len, false));
        Some(match hi {
            Some(hi) if hi != lo => format!("{lo}-{hi}"),
            _ => lo,
        })
    }

    fn ports(&self, min: Option<Register>, max: Option<Register>) -> String {
        self.span(min, max, Type::InetService, 2)
            .map_or_else(String::new, |p| format!(":{p}"))
    }

    pub(super) fn nat(&mut self, e: &Expr, attrs: &[Nat]) {
        let (mut kind, mut family, mut bits) = (None, None, 0);
        let (mut amin, mut amax, mut pmin, mut pmax) = (None, None, None, None);
        for a in attrs {
            match a {
                Nat::Type(t) => kind = Some(*t),
                Nat::Family(f) => family = Some(*f),
                Nat::RegAddrMin(r) => amin = Some(*r),
                Nat::RegAddrMax(r) => amax = Some(*r),
                Nat::RegProtoMin(r) => pmin = Some(*r),
                Nat::RegProtoMax(r) => pmax = Some(*r),
                Nat::Flags(f) => bits = *f,
                _ => {}
            }
        }
        let word = match kind {
            Some(NatType::Snat) => "snat",
            Some(NatType::Dnat) => "dnat",
            _ => return self.raw(e),
        };
        let (ty, len, fam) = match family {
            Some(Nfproto::Ipv6) => (Type::Ipv6, 16, "ip6"),
            _ => (Type::Ipv4, 4, "ip"),
        };
        // An inet table says which family the address is of.
        let fam = if self.family == Family::Inet && amin.is_some() {
            format!(" {fam}")
        } else {
            String::new()
        };
        let addr = self.span(amin, amax, ty, len).unwrap_or_default();
        // A map to address and port fills both registers at once: nft
        // names the map once.
        let ports = match self.reg(amin) {
            Some(v) if v.len > len => String::new(),
            _ => self.ports(pmin, pmax),
        };
        let addr = if ty == Type::Ipv6 && !ports.is_empty() {
            format!("[{addr}]")
        } else {
            addr
        };
        let to = if addr.is_empty() && ports.is_empty() {
            String::new()
        } else {
            format!(" to {addr}{ports}")
        };
        let text = format!("{word}{fam}{to}{}", flags(bits));
        self.emit(text);
    }

    pub(super) fn masq(&mut self, attrs: &[Masq]) {
        let (mut bits, mut pmin, mut pmax) = (0, None, None);
        for a in attrs {
            match a {
                Masq::Flags(f) => bits = *f,
                Masq::RegProtoMin(r) => pmin = Some(*r),
                Masq::RegProtoMax(r) => pmax = Some(*r),
                _ => {}
            }
        }
        self.port_mapping("masquerade", bits, pmin, pmax);
    }

    pub(super) fn redir(&mut self, attrs: &[Redir]) {
        let (mut bits, mut pmin, mut pmax) = (0, None, None);
        for a in attrs {
            match a {
                Redir::Flags(f) => bits = *f,
                Redir::RegProtoMin(r) => pmin = Some(*r),
                Redir::RegProtoMax(r) => pmax = Some(*r),
                _ => {}
            }
        }
        self.port_mapping("redirect", bits, pmin, pmax);
    }

    /// `masquerade` and `redirect`: the word, the ports if any, flags.
    fn port_mapping(
        &mut self,
        word: &str,
        bits: u32,
        pmin: Option<Register>,
        pmax: Option<Register>,
    ) {
        let ports = self.ports(pmin, pmax);
        let to = if ports.is_empty() {
            String::new()
        } else {
            format!(" to {ports}")
        };
        self.emit(format!("{word}{to}{}", flags(bits)));
    }
}
