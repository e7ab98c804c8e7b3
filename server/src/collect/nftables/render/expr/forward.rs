//! Statements that send the packet, or a copy of it, elsewhere: `dup
//! to`, `fwd to` and `tproxy to`, with the addresses, ports and devices
//! the rule loaded into registers before.

use super::{Cx, Value};
use crate::collect::nftables::expr::{
    Dup, Expr, Fwd, Nfproto, Register, Tproxy,
};
use crate::collect::nftables::render::datatype::Type;
use crate::collect::nftables::ruleset::Family;

impl Cx<'_> {
    /// An address from `r`: of the family its length says when it is a
    /// constant, of the table's otherwise.
    fn address(&self, r: Register) -> String {
        let v6 = match self.reg(Some(r)) {
            Some(Value {
                constant: Some(bytes),
                ..
            }) => bytes.len() == 16,
            _ => self.family == Family::Ip6,
        };
        let (ty, len) = if v6 {
            (Type::Ipv6, 16)
        } else {
            (Type::Ipv4, 4)
        };
        self.loaded(r, ty, len, false)
    }

    /// An interface index, in host order as the kernel keeps it.
    fn device(&self, r: Register) -> String {
        self.loaded(r, Type::Ifindex, 4, true)
    }

    /// `dup to 10.0.0.1 device "eth0"`; `dup to "eth0"` in netdev.
    pub(super) fn dup(&mut self, e: &Expr, attrs: &[Dup]) {
        let (mut addr, mut dev) = (None, None);
        for a in attrs {
            match a {
                Dup::SregAddr(r) => addr = Some(*r),
                Dup::SregDev(r) => dev = Some(*r),
                _ => {}
            }
        }
        let text = match (addr, dev) {
            (Some(addr), dev) => {
                let mut text = format!("dup to {}", self.address(addr));
                if let Some(dev) = dev {
                    text += &format!(" device {}", self.device(dev));
                }
                text
            }
            (None, Some(dev)) => format!("dup to {}", self.device(dev)),
            (None, None) => return self.raw(e),
        };
        self.emit(text);
    }

    /// `fwd to "eth0"`, `fwd ip to 10.0.0.1 device "eth0"`.
    pub(super) fn fwd(&mut self, e: &Expr, attrs: &[Fwd]) {
        let (mut addr, mut dev, mut family) = (None, None, None);
        for a in attrs {
            match a {
                Fwd::SregAddr(r) => addr = Some(*r),
                Fwd::SregDev(r) => dev = Some(*r),
                Fwd::Nfproto(f) => family = Some(*f),
                _ => {}
            }
        }
        let Some(dev) = dev else {
            return self.raw(e);
        };
        let device = self.device(dev);
        let text = match (family, addr) {
            (Some(Nfproto::Ipv4), Some(addr)) => {
                let to = self.loaded(addr, Type::Ipv4, 4, false);
                format!("fwd ip to {to} device {device}")
            }
            (Some(Nfproto::Ipv6), Some(addr)) => {
                let to = self.loaded(addr, Type::Ipv6, 16, false);
                format!("fwd ip6 to {to} device {device}")
            }
            (_, None) => format!("fwd to {device}"),
            _ => return self.raw(e),
        };
        self.emit(text);
    }

    /// `tproxy to 10.0.0.1:8080`, `tproxy ip6 to [fd00::1]`, `tproxy to
    /// :8080`: the family is named in inet tables.
    pub(super) fn tproxy(&mut self, e: &Expr, attrs: &[Tproxy]) {
        let (mut addr, mut port, mut family) = (None, None, None);
        for a in attrs {
            match a {
                Tproxy::RegAddr(r) => addr = Some(*r),
                Tproxy::RegPort(r) => port = Some(*r),
                Tproxy::Family(f) => family = Some(*f),
                _ => {}
            }
        }
        let (word, ty, len) = match family {
            Some(Nfproto::Ipv4) => (" ip", Type::Ipv4, 4),
            Some(Nfproto::Ipv6) => (" ip6", Type::Ipv6, 16),
            Some(Nfproto::Unspec) | None => ("", Type::Ipv4, 4),
            _ => return self.raw(e),
        };
        let word = if self.family == Family::Inet {
            word
        } else {
            ""
        };
        let is_constant = |r: Register| {
            self.reg(Some(r)).is_some_and(|v| v.constant.is_some())
        };
        let mut text = format!("tproxy{word} to");
        if let Some(addr) = addr {
            let shown = self.loaded(addr, ty, len, false);
            if ty == Type::Ipv6 && is_constant(addr) {
                text += &format!(" [{shown}]");
            } else {
                text += &format!(" {shown}");
            }
        }
        // nft 1.0.6 prints a port only when it is a constant: one from
        // a map goes unsaid; a register nothing loaded is not followed.
        if port.is_some_and(|p| self.reg(Some(p)).is_none()) {
            return self.raw(e);
        }
        if let Some(port) = port.filter(|&p| is_constant(p)) {
            if addr.is_none() {
                text.push(' ');
            }
            text +=
                &format!(":{}", self.loaded(port, Type::InetService, 2, false));
        }
        self.emit(text);
    }
}
