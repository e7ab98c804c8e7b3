//! The TCP MSS clamp nft writes as `tcp option maxseg size set rt
//! mtu`: a route's MSS (`rt`), turned to network order (`byteorder`),
//! written into the option (`exthdr`). Other `exthdr` and `rt` uses
//! stay in the marked form.

use super::{Cx, Value};
use crate::collect::nftables::expr::{
    Byteorder, Expr, Exthdr, ExthdrOp, Rt, RtKey,
};
use crate::collect::nftables::render::datatype::Type;

/// The TCP option kind of the MSS, and where its value sits in it.
const TCPOPT_MAXSEG: u8 = 2;
const MAXSEG_SIZE_OFFSET: u32 = 2;

impl Cx<'_> {
    pub(super) fn rt(&mut self, e: &Expr, attrs: &[Rt]) {
        let (mut dreg, mut key) = (None, None);
        for a in attrs {
            match a {
                Rt::DestinationRegister(r) => dreg = Some(*r),
                Rt::Key(k) => key = Some(*k),
                _ => {}
            }
        }
        let text = match key {
            Some(RtKey::Tcpmss) => "rt mtu",
            Some(RtKey::Classid) => "rt classid",
            Some(RtKey::Nexthop4) => "rt ip nexthop",
            Some(RtKey::Nexthop6) => "rt ip6 nexthop",
            Some(RtKey::Xfrm) => "rt ipsec",
            _ => return self.raw(e),
        };
        self.set_reg(
            dreg,
            Value::field(text.to_owned(), Type::Integer, 2, true),
        );
    }

    /// A byte swap keeps what the register means: nft does not show it.
    pub(super) fn byteorder(&mut self, e: &Expr, attrs: &[Byteorder]) {
        let (mut sreg, mut dreg) = (None, None);
        for a in attrs {
            match a {
                Byteorder::SourceRegister(r) => sreg = Some(*r),
                Byteorder::DestinationRegister(r) => dreg = Some(*r),
                _ => {}
            }
        }
        match self.reg(sreg) {
            Some(v) => self.set_reg(dreg, v),
            None => self.raw(e),
        }
    }

    pub(super) fn exthdr(&mut self, e: &Expr, attrs: &[Exthdr]) {
        let (mut sreg, mut kind, mut offset, mut op) = (None, None, 0, None);
        for a in attrs {
            match a {
                Exthdr::SourceRegister(r) => sreg = Some(*r),
                Exthdr::Type(t) => kind = Some(*t),
                Exthdr::Offset(o) => offset = *o,
                Exthdr::Op(o) => op = Some(*o),
                _ => {}
            }
        }
        let mss = op == Some(ExthdrOp::TcpOpt)
            && kind == Some(TCPOPT_MAXSEG)
            && offset == MAXSEG_SIZE_OFFSET;
        match (mss, self.reg(sreg)) {
            (true, Some(v)) => {
                let target =
                    Value::field(String::new(), Type::Integer, 2, false);
                let value = self.operand(&target, Some(&v));
                self.emit(format!("tcp option maxseg size set {value}"));
            }
            _ => self.raw(e),
        }
    }
}
