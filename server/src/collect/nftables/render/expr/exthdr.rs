//! Extension headers, IPv4 and TCP options and SCTP chunks
//! (`exthdr`, named in `options.rs`), and what the TCP MSS clamp `tcp
//! option maxseg size set rt mtu` takes: a route's MSS (`rt`), turned
//! to network order (`byteorder`).

use super::options::{Load, NFT_EXTHDR_F_PRESENT};
use super::{At, Cx, Value};
use crate::collect::nftables::expr::{
    Byteorder, ByteorderOp, Expr, Exthdr, ExthdrOp, PayloadBase, Rt, RtKey,
};
use crate::collect::nftables::render::datatype::Type;

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
        // As nft's rt templates type them.
        let (text, ty, len, host) = match key {
            Some(RtKey::Tcpmss) => ("rt mtu", Type::Integer, 2, true),
            Some(RtKey::Classid) => ("rt classid", Type::Realm, 4, true),
            Some(RtKey::Nexthop4) => ("rt ip nexthop", Type::Ipv4, 4, false),
            Some(RtKey::Nexthop6) => ("rt ip6 nexthop", Type::Ipv6, 16, false),
            Some(RtKey::Xfrm) => ("rt ipsec", Type::Boolean, 1, true),
            _ => return self.raw(e),
        };
        self.set_reg(dreg, Value::field(text.to_owned(), ty, len, host));
    }

    /// A byte swap keeps what the register means, and nft does not show
    /// it; values compared with it then come in the new order (nft
    /// turns a host-order key to network order before `<`, `>` and
    /// ranges).
    pub(super) fn byteorder(&mut self, e: &Expr, attrs: &[Byteorder]) {
        let (mut sreg, mut dreg, mut op) = (None, None, None);
        for a in attrs {
            match a {
                Byteorder::SourceRegister(r) => sreg = Some(*r),
                Byteorder::DestinationRegister(r) => dreg = Some(*r),
                Byteorder::Op(o) => op = Some(*o),
                _ => {}
            }
        }
        let Some(mut v) = self.reg(sreg) else {
            return self.raw(e);
        };
        match op {
            Some(ByteorderOp::Hton) => v.host = false,
            Some(ByteorderOp::Ntoh) => v.host = true,
            _ => {}
        }
        self.set_reg(dreg, v);
    }

    /// A load from an extension header, option or chunk; the writing
    /// of one (`tcp option maxseg size set rt mtu`); or, with neither
    /// register, the removal of a TCP option (`reset tcp option sack`).
    pub(super) fn exthdr(&mut self, e: &Expr, attrs: &[Exthdr]) {
        let (mut dreg, mut sreg) = (None, None);
        // A load without an operation reads an IPv6 extension header.
        let mut load = Load {
            op: ExthdrOp::Ipv6,
            kind: 0,
            offset: 0,
            len: 0,
            flags: 0,
        };
        for a in attrs {
            match a {
                Exthdr::DestinationRegister(r) => dreg = Some(*r),
                Exthdr::SourceRegister(r) => sreg = Some(*r),
                Exthdr::Type(t) => load.kind = *t,
                Exthdr::Offset(o) => load.offset = o.saturating_mul(8),
                Exthdr::Length(l) => load.len = l.saturating_mul(8),
                Exthdr::Flags(f) => load.flags = *f,
                Exthdr::Op(o) => load.op = *o,
                _ => {}
            }
        }
        if dreg.is_none() && sreg.is_none() {
            load.flags |= NFT_EXTHDR_F_PRESENT;
        }
        let Some((text, ty)) = load.text() else {
            return self.raw(e);
        };
        let len = (load.len / 8) as usize;
        match (dreg, sreg) {
            (Some(_), _) => {
                let mut v = Value::field(text, ty, len, false);
                v.at = Some(At::Exthdr(load));
                v.deps = self.exthdr_deps(load.op);
                self.set_reg(dreg, v);
            }
            (None, Some(_)) => {
                let target = Value::field(text.clone(), ty, len, false);
                let value = self.operand(&target, self.reg(sreg).as_ref());
                self.emit(format!("{text} set {value}"));
            }
            (None, None) => {
                self.emit(format!("reset {text}"));
            }
        }
    }

    /// The protocol matches nft leaves out before a match on an
    /// extension header or option (`exthdr_dependency_kill`): the
    /// transport protocol's for a TCP option, the network protocol's
    /// for IPv6 headers and IPv4 options, none for SCTP chunks.
    pub(super) fn exthdr_deps(&self, op: ExthdrOp) -> Vec<usize> {
        match op {
            ExthdrOp::TcpOpt => self.deps(PayloadBase::Transport),
            ExthdrOp::Ipv6 | ExthdrOp::Ipv4 => self.deps(PayloadBase::Network),
            _ => Vec::new(),
        }
    }
}
