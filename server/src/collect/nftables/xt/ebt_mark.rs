//! ebtables' `mark_m` match (`struct ebt_mark_m_info`) and `mark`
//! target (`struct ebt_mark_t_info`). Their marks are `unsigned long`:
//! eight bytes on the 64-bit hosts this decodes for.

use std::fmt;

use super::ebt_verdict::EbtVerdict;
use super::info::Info;

const EBT_MARK_OR: u8 = 0x02;
const EBT_VERDICT_BITS: u32 = 0x0000_000f;
const MARK_SET_VALUE: u32 = 0xffff_fff0;
const MARK_OR_VALUE: u32 = 0xffff_ffe0;
const MARK_AND_VALUE: u32 = 0xffff_ffd0;
const MARK_XOR_VALUE: u32 = 0xffff_ffc0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EbtMarkMatch {
    pub mark: u64,
    pub mask: u64,
    pub invert: bool,
    /// `--mark /MASK`: any of the mask's bits set.
    pub any: bool,
}

impl EbtMarkMatch {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            mark: i.u64(0)?,
            mask: i.u64(8)?,
            invert: i.u8(16)? != 0,
            any: i.u8(17)? == EBT_MARK_OR,
        })
    }
}

/// `brmark_m_print`.
impl fmt::Display for EbtMarkMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("--mark ")?;
        if self.invert {
            f.write_str("! ")?;
        }
        if self.any {
            write!(f, "/{:#x} ", self.mask)
        } else if self.mask != 0xffff_ffff {
            write!(f, "{:#x}/{:#x} ", self.mark, self.mask)
        } else {
            write!(f, "{:#x} ", self.mark)
        }
    }
}

/// How the target writes its value into the mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EbtMarkOp {
    Set,
    Or,
    And,
    Xor,
}

impl EbtMarkOp {
    /// The option ebtables writes it with.
    pub fn option(self) -> &'static str {
        match self {
            Self::Set => "--mark-set",
            Self::Or => "--mark-or",
            Self::And => "--mark-and",
            Self::Xor => "--mark-xor",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EbtMarkTarget {
    pub mark: u64,
    pub op: EbtMarkOp,
    pub then: EbtVerdict,
}

impl EbtMarkTarget {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        let target = i.u32(8)?;
        let op = match target & !EBT_VERDICT_BITS {
            MARK_SET_VALUE => EbtMarkOp::Set,
            MARK_OR_VALUE => EbtMarkOp::Or,
            MARK_AND_VALUE => EbtMarkOp::And,
            MARK_XOR_VALUE => EbtMarkOp::Xor,
            _ => return None,
        };
        Some(Self {
            mark: i.u64(0)?,
            op,
            then: EbtVerdict::from_raw(target | !EBT_VERDICT_BITS)?,
        })
    }
}

/// `brmark_print`.
impl fmt::Display for EbtMarkTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:#x} --mark-target {}",
            self.op.option(),
            self.mark,
            self.then
        )
    }
}
