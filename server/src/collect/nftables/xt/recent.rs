//! `recent` (`struct xt_recent_mtinfo`, revision 0, and
//! `xt_recent_mtinfo_v1`, revision 1, which adds a mask): a list of
//! addresses seen lately, set, checked, updated or removed from.

use std::fmt;
use std::net::IpAddr;

use super::info::Info;
use super::Family;

// linux/netfilter/xt_recent.h
const XT_RECENT_CHECK: u8 = 1 << 0;
const XT_RECENT_SET: u8 = 1 << 1;
const XT_RECENT_UPDATE: u8 = 1 << 2;
const XT_RECENT_REMOVE: u8 = 1 << 3;
const XT_RECENT_TTL: u8 = 1 << 4;
const XT_RECENT_REAP: u8 = 1 << 5;
const XT_RECENT_SOURCE: u8 = 0;
const XT_RECENT_DEST: u8 = 1;
const XT_RECENT_NAME_LEN: usize = 200;

/// Where the fields after the name sit: the side, then (revision 1)
/// the mask at the next 4-byte boundary.
const NAME: usize = 10;
const SIDE: usize = NAME + XT_RECENT_NAME_LEN;
const MASK: usize = SIDE + 2;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recent {
    pub seconds: u32,
    pub hit_count: u32,
    /// `XT_RECENT_*` operation and option bits.
    pub check_set: u8,
    pub invert: bool,
    pub name: String,
    pub side: u8,
    /// Revision 1.
    pub mask: Option<IpAddr>,
}

impl Recent {
    pub fn decode(revision: u32, info: &[u8], family: Family) -> Option<Self> {
        let i = Info(info);
        let mask = match revision {
            0 => None,
            1 => Some(i.inet_addr(MASK, family)?),
            _ => return None,
        };
        Some(Self {
            seconds: i.u32(0)?,
            hit_count: i.u32(4)?,
            check_set: i.u8(8)?,
            invert: i.u8(9)? != 0,
            name: i.string(NAME, XT_RECENT_NAME_LEN)?,
            side: i.u8(SIDE)?,
            mask,
        })
    }
}

impl fmt::Display for Recent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let has = |bit: u8| self.check_set & bit != 0;
        if self.invert {
            f.write_str(" !")?;
        }
        for (bit, word) in [
            (XT_RECENT_SET, " --set"),
            (XT_RECENT_CHECK, " --rcheck"),
            (XT_RECENT_UPDATE, " --update"),
            (XT_RECENT_REMOVE, " --remove"),
        ] {
            if has(bit) {
                f.write_str(word)?;
            }
        }
        if self.seconds != 0 {
            write!(f, " --seconds {}", self.seconds)?;
        }
        if has(XT_RECENT_REAP) {
            f.write_str(" --reap")?;
        }
        if self.hit_count != 0 {
            write!(f, " --hitcount {}", self.hit_count)?;
        }
        if has(XT_RECENT_TTL) {
            f.write_str(" --rttl")?;
        }
        if !self.name.is_empty() {
            write!(f, " --name {}", self.name)?;
        }
        if let Some(mask) = self.mask {
            write!(f, " --mask {mask}")?;
        }
        match self.side {
            XT_RECENT_SOURCE => f.write_str(" --rsource"),
            XT_RECENT_DEST => f.write_str(" --rdest"),
            _ => Ok(()),
        }
    }
}
