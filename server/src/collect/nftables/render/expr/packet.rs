//! Loads from the packet's headers and writes to them: which header a
//! load reads (the protocols the rule has matched tell), the field it
//! names, and the protocol matches that named it, which nft leaves out
//! once the field is matched.

use super::payload::{self, Piece, Proto};
use super::{At, Cx, Header, Value};
use crate::collect::nftables::expr::{CmpOp, Expr, Payload, PayloadBase};
use crate::collect::nftables::render::datatype::{self, Type};

impl Cx<'_> {
    pub(super) fn payload(&mut self, e: &Expr, attrs: &[Payload]) {
        let (mut dreg, mut sreg, mut base, mut offset, mut len) =
            (None, None, None, 0, 0);
        for a in attrs {
            match a {
                Payload::DestinationRegister(r) => dreg = Some(*r),
                Payload::SourceRegister(r) => sreg = Some(*r),
                Payload::Base(b) => base = Some(*b),
                Payload::Offset(n) => offset = *n,
                Payload::Length(n) => len = *n,
                _ => {}
            }
        }
        let Some(base) = base else {
            return self.raw(e);
        };
        let (abs_off, bit_len) =
            (offset.saturating_mul(8), len.saturating_mul(8));
        let header = self.header(base, abs_off);
        let bit_off = abs_off - header.start;
        let at = At::Payload(header, bit_off);
        let named = self.field(header, bit_off, bit_len);
        let prefix = match (named.is_none(), header.proto, sreg) {
            (true, Some(p), None) => payload::prefix_of(p, bit_off, bit_len),
            _ => None,
        };
        if let Some((text, ty, full)) = prefix {
            let mut v = Value::field(text, ty, full as usize, false);
            v.prefix = Some(bit_len as usize);
            v.at = Some(at);
            v.deps = self.field_deps(header, bit_off, &v.text);
            return self.set_reg(dreg, v);
        }
        let deps = match &named {
            Some((text, _)) => self.field_deps(header, bit_off, text),
            None => Vec::new(),
        };
        let unnamed = named.is_none();
        let (text, ty) = named.unwrap_or_else(|| {
            (payload::raw(base, abs_off, bit_len), Type::Hex)
        });
        if let Some(sreg) = sreg {
            let value = self.reg(Some(sreg));
            let written = value.as_ref().and_then(|v| self.field_write(at, v));
            if let Some((text, deps)) = written {
                self.emit(text);
                self.settle(&deps);
                return;
            }
            let v = Value::field(text.clone(), ty, len as usize, false);
            let value = match value {
                // nft 1.0.6 reads zeros written under a mask to bits it
                // cannot name as the mask's complement.
                Some(mut cleared) if unnamed && cleared.at == Some(at) => {
                    cleared.mask =
                        cleared.mask.map(|m| m.iter().map(|b| !b).collect());
                    self.operand(&v, Some(&cleared))
                }
                other => self.operand(&v, other.as_ref()),
            };
            self.emit(format!("{text} set {value}"));
            self.settle(&deps);
            return;
        }
        let mut v = Value::field(text, ty, len as usize, false);
        v.at = Some(at);
        v.deps = deps;
        v.whole = true;
        self.set_reg(dreg, v);
    }

    /// The header a load at bit `offset` of `base` reads in.
    fn header(&self, base: PayloadBase, offset: u32) -> Header {
        let (proto, start) = match base {
            PayloadBase::LinkLayer if !self.ethernet => (None, 0),
            PayloadBase::LinkLayer => self
                .tags
                .iter()
                .find(|t| {
                    (t.start..t.start + payload::VLAN_BITS).contains(&offset)
                })
                .map_or((Some(Proto::Ether), 0), |t| {
                    (Some(Proto::Vlan), t.start)
                }),
            PayloadBase::Network => (self.network_proto(), 0),
            PayloadBase::Transport => {
                (Some(self.transport.map_or(Proto::Th, |(p, _)| p)), 0)
            }
            _ => (None, 0),
        };
        Header { base, proto, start }
    }

    /// The ICMP type the rule has matched, for the fields of `proto`.
    fn icmp_type(&self, proto: Option<Proto>) -> Option<u8> {
        match proto {
            Some(Proto::Icmp | Proto::Icmp6) => self.icmp.map(|(t, _)| t),
            _ => None,
        }
    }

    /// The field of `header` at bit `offset` that is `len` bits long.
    fn field(
        &self,
        header: Header,
        offset: u32,
        len: u32,
    ) -> Option<(String, Type)> {
        let icmp = self.icmp_type(header.proto);
        payload::field(header.proto?, offset, len, icmp)
    }

    /// The protocol matches that named `field` at bit `offset` of
    /// `header`. A tag's fields imply `ether type 8021q`, its type does
    /// not (nft keeps that match before `vlan type`); most ICMP fields
    /// imply the one type they are in.
    pub(super) fn field_deps(
        &self,
        header: Header,
        offset: u32,
        field: &str,
    ) -> Vec<usize> {
        let mut deps = self.deps(header.base);
        match header.proto {
            Some(Proto::Vlan) if offset < 16 => {
                let tag = self.tags.iter().find(|t| t.start == header.start);
                deps.extend(tag.and_then(|t| t.implied_by));
            }
            Some(p @ (Proto::Icmp | Proto::Icmp6)) => {
                let name = field.split_once(' ').map_or(field, |(_, f)| f);
                if let (Some((types, true)), Some((t, Some(n)))) =
                    (payload::icmp_types(p, name), self.icmp)
                {
                    if types.contains(&t) {
                        deps.push(n);
                    }
                }
            }
            _ => {}
        }
        deps
    }

    /// The protocol matches that named a field of `base`, and those
    /// they needed in turn.
    pub(super) fn deps(&self, base: PayloadBase) -> Vec<usize> {
        let mut deps = Vec::new();
        match base {
            PayloadBase::LinkLayer => deps.extend(self.link),
            PayloadBase::Network => {
                deps.extend(self.network.and_then(|(_, by)| by));
            }
            PayloadBase::Transport => {
                let (proto, by) = self.transport.unwrap_or((Proto::Th, None));
                // ICMP is of one IP version only: its match implies the
                // family's too, when it is that family.
                let family = match proto {
                    Proto::Icmp => Some(Proto::Ip),
                    Proto::Icmp6 => Some(Proto::Ip6),
                    _ => None,
                };
                if let (Some(f), Some((network, Some(n))), Some(_)) =
                    (family, self.network, by)
                {
                    if f == network {
                        deps.push(n);
                    }
                }
                deps.extend(by);
            }
            _ => {}
        }
        deps
    }

    /// A field narrower than the bytes loaded (`ip version`, `ip dscp`,
    /// `frag frag-off`), named from the bits the mask keeps.
    pub(super) fn subfield(&self, v: &Value, mask: &[u8]) -> Option<Value> {
        let (lead, width, trail) = mask_run(mask)?;
        let (text, ty, deps) = match v.at? {
            At::Payload(header, bit_off) => {
                let (text, ty) = self.field(header, bit_off + lead, width)?;
                let deps = self.field_deps(header, bit_off + lead, &text);
                (text, ty, deps)
            }
            At::Exthdr(load) => {
                let (text, ty) = load.masked(lead, width)?.text()?;
                (text, ty, self.exthdr_deps(load.op))
            }
        };
        let mut sub = Value::field(text, ty, mask.len(), false);
        sub.shift = trail;
        sub.deps = deps;
        sub.at = v.at;
        Some(sub)
    }

    /// A write of a load's masked bits back to where it was loaded: the
    /// header field the mask clears, set to the bits the xor puts there
    /// (`ip dscp set af23`); and the protocol matches that named it.
    fn field_write(
        &self,
        at: At,
        value: &Value,
    ) -> Option<(String, Vec<usize>)> {
        let (At::Payload(header, offset), Some(At::Payload(h, o))) =
            (at, value.at)
        else {
            return None;
        };
        let (mask, xor) = value.written.as_ref()?;
        if (header.base, header.start, offset) != (h.base, h.start, o)
            || mask.len() != xor.len()
        {
            return None;
        }
        let cleared: Vec<u8> = mask.iter().map(|m| !m).collect();
        let (lead, width, trail) = mask_run(&cleared)?;
        let (text, ty) = self.field(header, offset + lead, width)?;
        let deps = self.field_deps(header, offset + lead, &text);
        let mut field = Value::field(text, ty, xor.len(), false);
        field.shift = trail;
        let text = format!("{} set {}", field.text, field.print(xor));
        Some((text, deps))
    }

    /// A comparison of a whole load with a value, as nft prints it: one
    /// match per field the load covers (`@nh,96,64 0x...` is `ip saddr
    /// ... ip daddr ...`), each naming the header that follows. False
    /// when nft would print it as one match.
    pub(super) fn split_match(
        &mut self,
        v: &Value,
        op: CmpOp,
        data: &[u8],
    ) -> bool {
        let Some(At::Payload(header, offset)) = v.at else {
            return false;
        };
        let negated = match op {
            CmpOp::Equal => false,
            CmpOp::NotEqual => true,
            _ => return false,
        };
        if !v.whole || v.mask.is_some() || data.len() > 16 {
            return false;
        }
        let Some(proto) = header.proto else {
            return false;
        };
        let bits = data.len() as u32 * 8;
        let icmp = self.icmp_type(Some(proto));
        let pieces = match payload::expand(proto, offset, bits, icmp) {
            Some(p) if p.len() > 1 || p[0].full != bits => p,
            _ => return false,
        };
        for piece in &pieces {
            let rel = piece.offset - offset;
            let (text, bytes) = piece_text(piece, rel, data);
            let op = if negated { "!= " } else { "" };
            let name = piece.name.clone().unwrap_or_else(|| {
                payload::raw(
                    header.base,
                    header.start + piece.offset,
                    piece.len,
                )
            });
            let n = self.emit(format!("{name} {op}{text}"));
            if let Some(field) = &piece.name {
                let deps = self.field_deps(header, piece.offset, field);
                self.settle(&deps);
                if let (false, Some(bytes)) = (negated, bytes) {
                    let mut pv = Value::field(
                        field.clone(),
                        piece.ty,
                        bytes.len(),
                        false,
                    );
                    pv.at = Some(At::Payload(header, piece.offset));
                    self.learn(&pv, bytes, n);
                }
            }
        }
        true
    }
}

/// The value a piece of a split comparison compares with, and its
/// bytes when it is whole bytes of the comparison's.
fn piece_text<'a>(
    piece: &Piece,
    rel: u32,
    data: &'a [u8],
) -> (String, Option<&'a [u8]>) {
    if rel.is_multiple_of(8) && piece.len.is_multiple_of(8) {
        let bytes = &data[(rel / 8) as usize..((rel + piece.len) / 8) as usize];
        let mut v = Value::field(String::new(), piece.ty, bytes.len(), false);
        if piece.full > piece.len {
            v.len = piece.full.div_ceil(8) as usize;
            v.prefix = Some(piece.len as usize);
        }
        return (v.print(bytes), Some(bytes));
    }
    let bits = data.len() as u32 * 8;
    let n = (datatype::number(data, false) >> (bits - rel - piece.len))
        & ((1u128 << piece.len) - 1);
    let len = piece.len.div_ceil(8) as usize;
    (datatype::symbol(piece.ty, n, len), None)
}

/// The bits a mask keeps, as leading zeros, ones and trailing zeros,
/// when they are one run of ones.
pub(super) fn mask_run(mask: &[u8]) -> Option<(u32, u32, u32)> {
    let bits = mask.len() as u32 * 8;
    let n = datatype::number(mask, false);
    if n == 0 || bits > 64 {
        return None;
    }
    let lead = n.leading_zeros() - (128 - bits);
    let (width, trail) = (n.count_ones(), n.trailing_zeros());
    (lead + width + trail == bits).then_some((lead, width, trail))
}
