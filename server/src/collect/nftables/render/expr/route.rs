//! Loads that ask the kernel rather than read the packet: `fib`
//! (a route lookup), `numgen` (a counter or a random number), `jhash`
//! and `symhash` (a hash of fields or of the flow) and `ipsec` (the
//! IPsec state the packet came or goes through).

use super::{Cx, Value};
use crate::collect::nftables::expr::{
    Expr, Fib, FibResult, Hash, HashType, Numgen, NumgenType, Xfrm,
    XfrmDirection, XfrmKey, NFTA_FIB_F_DADDR, NFTA_FIB_F_IIF, NFTA_FIB_F_MARK,
    NFTA_FIB_F_OIF, NFTA_FIB_F_PRESENT, NFTA_FIB_F_SADDR,
};
use crate::collect::nftables::render::datatype::Type;

impl Cx<'_> {
    /// `fib saddr . iif oif`, `fib daddr type`; a lookup that loads
    /// only whether a route exists compares as `missing` or `exists`.
    pub(super) fn fib(&mut self, e: &Expr, attrs: &[Fib]) {
        let (mut dreg, mut result, mut flags) = (None, None, 0);
        for a in attrs {
            match a {
                Fib::DestinationRegister(r) => dreg = Some(*r),
                Fib::Result(r) => result = Some(*r),
                Fib::Flags(f) => flags = *f,
                _ => {}
            }
        }
        let (result, ty, len) = match result {
            Some(FibResult::Oif) => ("oif", Type::Ifindex, 4),
            Some(FibResult::Oifname) => ("oifname", Type::Ifname, 16),
            Some(FibResult::Addrtype) => ("type", Type::Addrtype, 4),
            _ => return self.raw(e),
        };
        let keys: Vec<&str> = [
            (NFTA_FIB_F_SADDR, "saddr"),
            (NFTA_FIB_F_DADDR, "daddr"),
            (NFTA_FIB_F_MARK, "mark"),
            (NFTA_FIB_F_IIF, "iif"),
            (NFTA_FIB_F_OIF, "oif"),
        ]
        .into_iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| name)
        .collect();
        let text = format!("fib {} {result}", keys.join(" . "));
        let v = if flags & NFTA_FIB_F_PRESENT != 0 {
            Value::field(text, Type::Boolean, 1, true)
        } else {
            Value::field(text, ty, len, true)
        };
        self.set_reg(dreg, v);
    }

    /// `numgen random mod 2`, `numgen inc mod 4 offset 1`.
    pub(super) fn numgen(&mut self, e: &Expr, attrs: &[Numgen]) {
        let (mut dreg, mut modulus, mut kind, mut offset) =
            (None, None, None, 0);
        for a in attrs {
            match a {
                Numgen::DestinationRegister(r) => dreg = Some(*r),
                Numgen::Modulus(m) => modulus = Some(*m),
                Numgen::Type(t) => kind = Some(*t),
                Numgen::Offset(o) => offset = *o,
                _ => {}
            }
        }
        let (Some(modulus), Some(kind)) = (modulus, kind) else {
            return self.raw(e);
        };
        let kind = match kind {
            NumgenType::Incremental => "inc",
            NumgenType::Random => "random",
            NumgenType::Other(_) => return self.raw(e),
        };
        let mut text = format!("numgen {kind} mod {modulus}");
        if offset != 0 {
            text += &format!(" offset {offset}");
        }
        self.set_reg(dreg, Value::field(text, Type::Integer, 4, true));
    }

    /// `jhash ip saddr . ip daddr mod 2 seed 0xdeadbeef offset 100`,
    /// `symhash mod 2`: nft prints the seed when the rule has one.
    pub(super) fn hash(&mut self, e: &Expr, attrs: &[Hash]) {
        let (mut sreg, mut dreg, mut len, mut modulus, mut seed) =
            (None, None, 0, None, None);
        let (mut offset, mut kind) = (0, None);
        for a in attrs {
            match a {
                Hash::SourceRegister(r) => sreg = Some(*r),
                Hash::DestinationRegister(r) => dreg = Some(*r),
                Hash::Length(n) => len = *n,
                Hash::Modulus(m) => modulus = Some(*m),
                Hash::Seed(s) => seed = Some(*s),
                Hash::Offset(o) => offset = *o,
                Hash::Type(t) => kind = Some(*t),
                _ => {}
            }
        }
        let Some(modulus) = modulus else {
            return self.raw(e);
        };
        let mut text = match kind {
            Some(HashType::Jenkins) => {
                let Some(mut key) = self.key(sreg, len as usize) else {
                    return self.raw(e);
                };
                key.unnamed_key();
                format!("jhash {} mod {modulus}", key.text)
            }
            Some(HashType::Sym) => format!("symhash mod {modulus}"),
            _ => return self.raw(e),
        };
        if let Some(seed) = seed {
            text += &format!(" seed 0x{seed:x}");
        }
        if offset != 0 {
            text += &format!(" offset {offset}");
        }
        self.set_reg(dreg, Value::field(text, Type::Integer, 4, true));
    }

    /// `ipsec in reqid 1`, `ipsec out spnum 2 ip saddr 10.0.0.1`.
    pub(super) fn xfrm(&mut self, e: &Expr, attrs: &[Xfrm]) {
        let (mut dreg, mut key, mut dir, mut spnum) = (None, None, None, 0);
        for a in attrs {
            match a {
                Xfrm::DestinationRegister(r) => dreg = Some(*r),
                Xfrm::Key(k) => key = Some(*k),
                Xfrm::Direction(d) => dir = Some(*d),
                Xfrm::Spnum(n) => spnum = *n,
                _ => {}
            }
        }
        let dir = match dir {
            Some(XfrmDirection::In) => "in",
            Some(XfrmDirection::Out) => "out",
            _ => return self.raw(e),
        };
        // The request id is kept in host order, the SPI as it travels.
        let (field, ty, len, host) = match key {
            Some(XfrmKey::DaddrIp4) => ("ip daddr", Type::Ipv4, 4, false),
            Some(XfrmKey::SaddrIp4) => ("ip saddr", Type::Ipv4, 4, false),
            Some(XfrmKey::DaddrIp6) => ("ip6 daddr", Type::Ipv6, 16, false),
            Some(XfrmKey::SaddrIp6) => ("ip6 saddr", Type::Ipv6, 16, false),
            Some(XfrmKey::Reqid) => ("reqid", Type::Integer, 4, true),
            Some(XfrmKey::Spi) => ("spi", Type::Integer, 4, false),
            _ => return self.raw(e),
        };
        let spnum = if spnum == 0 {
            String::new()
        } else {
            format!(" spnum {spnum}")
        };
        let text = format!("ipsec {dir}{spnum} {field}");
        self.set_reg(dreg, Value::field(text, ty, len, host));
    }
}
