//! `snat`, `dnat`, `masquerade` and `redirect`: their addresses and
//! ports come from registers the rule loaded before.

use super::{sets, Cx};
use crate::collect::nftables::expr::{
    Expr, Masq, Nat, NatType, Nfproto, Redir, Register, NF_NAT_RANGE_NETMAP,
    NF_NAT_RANGE_PERSISTENT, NF_NAT_RANGE_PROTO_RANDOM,
    NF_NAT_RANGE_PROTO_RANDOM_FULLY,
};
use crate::collect::nftables::render::datatype::{self, Type};
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

    /// The addresses of a NAT: one, a prefix where the range is one
    /// (`10.0.0.0/24`), or a range; IPv6 ones bracketed before a port.
    fn addresses(
        &self,
        min: Option<Register>,
        max: Option<Register>,
        ty: Type,
        len: usize,
        bracket: bool,
    ) -> String {
        let wrap = |a: String| if bracket { format!("[{a}]") } else { a };
        let constant = |r: Option<Register>| self.reg(r)?.constant;
        if let (Some(lo), Some(hi)) = (constant(min), constant(max)) {
            if min != max && lo.len() == len && hi.len() == len && lo != hi {
                let span = sets::range(ty, &lo, &hi);
                if !span.contains('-') || ty != Type::Ipv6 || !bracket {
                    return wrap(span);
                }
                let bound = |b: &[u8]| wrap(datatype::value(ty, b));
                return format!("{}-{}", bound(&lo), bound(&hi));
            }
        }
        self.span(min, max, ty, len).map_or_else(String::new, wrap)
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
        // A map to an address and a port, or to ranges, fills all the
        // registers at once: nft names the map once, and the family.
        let whole_map = self.reg(amin).filter(|v| v.len > len);
        // An inet table says which family the address is of.
        let mut fam = if whole_map.is_some()
            || (self.family == Family::Inet && amin.is_some())
        {
            format!(" {fam}")
        } else {
            String::new()
        };
        if bits & NF_NAT_RANGE_NETMAP != 0 {
            fam += " prefix";
        }
        let (addr, ports) = match whole_map {
            Some(v) => (v.text, String::new()),
            None => {
                let ports = self.ports(pmin, pmax);
                let bracket = ty == Type::Ipv6 && !ports.is_empty();
                (self.addresses(amin, amax, ty, len, bracket), ports)
            }
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
