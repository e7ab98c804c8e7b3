//! `mark` (`struct xt_mark_mtinfo1`) and `MARK` revision 2 (`struct
//! xt_mark_tginfo2`): the packet's mark under a mask.

use std::fmt;

use super::info::Info;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarkMatch {
    pub mark: u32,
    pub mask: u32,
    pub invert: bool,
}

impl MarkMatch {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            mark: i.u32(0)?,
            mask: i.u32(4)?,
            invert: i.u8(8)? != 0,
        })
    }
}

/// `xtables_print_mark_mask`: the mask only when it is not all ones.
impl fmt::Display for MarkMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.invert {
            f.write_str(" !")?;
        }
        write!(f, " --mark {:#x}", self.mark)?;
        if self.mask != u32::MAX {
            write!(f, "/{:#x}", self.mask)?;
        }
        Ok(())
    }
}

/// `MARK`: `mark = (mark & ~mask) ^ value`; iptables saves every form
/// (`--set-mark`, `--or-mark`, …) as that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarkTarget {
    pub mark: u32,
    pub mask: u32,
}

impl MarkTarget {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            mark: i.u32(0)?,
            mask: i.u32(4)?,
        })
    }
}

impl fmt::Display for MarkTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " --set-xmark {:#x}/{:#x}", self.mark, self.mask)
    }
}
