//! The registers of one rule as the xtables tools track them while
//! they read it back (`nft_xt_ctx_reg`): what each register was loaded
//! from, the mask a `bitwise` put on it, and what a `cmp` compares it
//! with. Shared by the iptables, arptables and ebtables readers, which
//! differ only in what the loads mean.

use std::collections::HashMap;

use super::command::{Iface, Jump};
use crate::collect::nftables::expr::{
    immediate_parts, Bitwise, BitwiseOp, Cmp, CmpOp, Data, Immediate, Meta,
    MetaKey, Payload, PayloadBase, Register, VerdictAttr, VerdictCode,
};

/// `IFNAMSIZ`.
const IFNAMSIZ: usize = 16;

/// What a register holds.
#[derive(Clone, Debug)]
pub enum Loaded {
    Meta(MetaKey),
    Payload {
        base: PayloadBase,
        offset: u32,
        len: u32,
    },
    Immediate,
}

#[derive(Clone, Debug)]
pub struct Reg {
    pub loaded: Loaded,
    /// The mask of a `bitwise` on it.
    pub mask: Option<Vec<u8>>,
}

/// One `cmp`: the register it reads, its operator and its data.
pub struct Comparison<'a> {
    pub reg: Reg,
    pub op: CmpOp,
    pub data: &'a [u8],
}

/// What an `immediate` did.
pub enum Immediated {
    /// Loaded a value into a register.
    Value,
    /// Set the verdict; `None` for those the tools leave without a
    /// target (continue, queue).
    Verdict(Option<Jump>),
}

#[derive(Default)]
pub struct Regs(HashMap<u32, Reg>);

/// The 128-bit register a register number is, or is part of.
fn index(r: Register) -> Option<u32> {
    match u32::from(r) {
        n @ 1..=4 => Some(n - 1),
        n @ 8..=23 => Some((n - 8) / 4),
        _ => None,
    }
}

pub fn value(d: &Data) -> Option<&[u8]> {
    match d {
        Data::Value(v) => Some(v),
        _ => None,
    }
}

impl Regs {
    pub fn get(&self, r: Register) -> Option<&Reg> {
        self.0.get(&index(r)?)
    }

    fn load(&mut self, r: Register, loaded: Loaded) -> Option<()> {
        self.0.insert(index(r)?, Reg { loaded, mask: None });
        Some(())
    }

    /// A payload load; a payload write is `None`.
    pub fn payload(&mut self, attrs: &[Payload]) -> Option<()> {
        let (mut dreg, mut base, mut offset, mut len) = (None, None, 0, 0);
        for a in attrs {
            match a {
                Payload::DestinationRegister(r) => dreg = Some(*r),
                Payload::Base(b) => base = Some(*b),
                Payload::Offset(o) => offset = *o,
                Payload::Length(l) => len = *l,
                Payload::SourceRegister(_) => return None,
                _ => {}
            }
        }
        let loaded = Loaded::Payload {
            base: base?,
            offset,
            len,
        };
        self.load(dreg?, loaded)
    }

    /// A meta load; a write (`meta nftrace set 1`, `-j TRACE`) is
    /// `None`.
    pub fn meta(&mut self, attrs: &[Meta]) -> Option<()> {
        let (mut dreg, mut key) = (None, None);
        for a in attrs {
            match a {
                Meta::DestinationRegister(r) => dreg = Some(*r),
                Meta::Key(k) => key = Some(*k),
                Meta::SourceRegister(_) => return None,
                _ => {}
            }
        }
        self.load(dreg?, Loaded::Meta(key?))
    }

    /// A mask on a register; the tools write no other `bitwise`.
    pub fn bitwise(&mut self, attrs: &[Bitwise]) -> Option<()> {
        let (mut sreg, mut dreg, mut mask) = (None, None, None);
        for a in attrs {
            match a {
                Bitwise::SourceRegister(r) => sreg = Some(*r),
                Bitwise::DestinationRegister(r) => dreg = Some(*r),
                Bitwise::Mask(d) => mask = value(d).map(<[u8]>::to_vec),
                Bitwise::Op(BitwiseOp::MaskXor) => {}
                Bitwise::Op(_) => return None,
                _ => {}
            }
        }
        let mut reg = self.get(sreg?)?.clone();
        reg.mask = Some(mask?);
        self.0.insert(index(dreg?)?, reg);
        Some(())
    }

    pub fn cmp<'a>(&self, attrs: &'a [Cmp]) -> Option<Comparison<'a>> {
        let (mut sreg, mut op, mut data) = (None, CmpOp::Equal, None);
        for a in attrs {
            match a {
                Cmp::SourceRegister(r) => sreg = Some(*r),
                Cmp::Op(o) => op = *o,
                Cmp::Data(d) => data = value(d),
                _ => {}
            }
        }
        Some(Comparison {
            reg: self.get(sreg?)?.clone(),
            op,
            data: data?,
        })
    }

    pub fn immediate(&mut self, attrs: &[Immediate]) -> Option<Immediated> {
        let (dreg, data) = immediate_parts(attrs);
        match data? {
            Data::Verdict(v) => Some(Immediated::Verdict(verdict(v))),
            Data::Value(_) => {
                self.load(dreg?, Loaded::Immediate)?;
                Some(Immediated::Value)
            }
            _ => None,
        }
    }
}

/// `nft_parse_immediate`: accept, drop, return, a jump or a goto.
fn verdict(attrs: &[VerdictAttr]) -> Option<Jump> {
    let (mut code, mut chain) = (None, None);
    for a in attrs {
        match a {
            VerdictAttr::Code(c) => code = Some(*c),
            VerdictAttr::Chain(c) => chain = Some(c.clone()),
            _ => {}
        }
    }
    match (code?, chain) {
        (VerdictCode::Accept, _) => Some(Jump::Verdict("ACCEPT")),
        (VerdictCode::Drop, _) => Some(Jump::Verdict("DROP")),
        (VerdictCode::Return, _) => Some(Jump::Verdict("RETURN")),
        (VerdictCode::Jump, Some(name)) => {
            Some(Jump::Chain { name, goto: false })
        }
        (VerdictCode::Goto, Some(name)) => {
            Some(Jump::Chain { name, goto: true })
        }
        _ => None,
    }
}

/// The 4-byte word at the start of `b`, in host order (a mark).
pub fn word(b: &[u8]) -> Option<u32> {
    b.get(..4)
        .map(|w| u32::from_ne_bytes([w[0], w[1], w[2], w[3]]))
}

/// `parse_ifname` and `save_iface`: a comparison that takes the name's
/// NUL is the name; a shorter one is a prefix, `+`. iptables writes
/// `! -i +` as a match of the impossible name `INVAL/D`.
pub fn iface(data: &[u8], invert: bool) -> Option<Iface> {
    let printable = |b: &[u8]| -> String {
        b.iter()
            .filter(|&&c| c != 0)
            .map(|&c| char::from(c))
            .collect()
    };
    let (last, _) = data.split_last()?;
    let name = if *last == 0 {
        let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
        let name = printable(&data[..end]);
        if name == "INVAL/D" && !invert {
            return Some(Iface {
                name: "+".to_owned(),
                invert: true,
            });
        }
        name
    } else if data.len() >= IFNAMSIZ {
        // iptables sets no mask for it, and so prints nothing.
        return None;
    } else {
        format!("{}+", printable(data))
    };
    Some(Iface { name, invert })
}
