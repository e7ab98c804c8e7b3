//! Loads that ask the kernel rather than read the packet: `fib`
//! (a route lookup) and `numgen` (a counter or a random number).

use super::{Cx, Value};
use crate::collect::nftables::expr::{
    Expr, Fib, FibResult, Numgen, NumgenType, NFTA_FIB_F_DADDR, NFTA_FIB_F_IIF,
    NFTA_FIB_F_MARK, NFTA_FIB_F_OIF, NFTA_FIB_F_PRESENT, NFTA_FIB_F_SADDR,
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
}
