//! `physdev` (`struct xt_physdev_info`): the bridge ports a bridged
//! packet came in by and goes out by.

use std::fmt;

use super::info::Info;

// XT_PHYSDEV_OP_*
const XT_PHYSDEV_OP_IN: u8 = 0x01;
const XT_PHYSDEV_OP_OUT: u8 = 0x02;
const XT_PHYSDEV_OP_BRIDGED: u8 = 0x04;
const XT_PHYSDEV_OP_ISIN: u8 = 0x08;
const XT_PHYSDEV_OP_ISOUT: u8 = 0x10;

/// `IFNAMSIZ`.
const IFNAMSIZ: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Physdev {
    /// As given, with a `+` for a prefix.
    pub physindev: String,
    pub physoutdev: String,
    /// `XT_PHYSDEV_OP_*` bits inverted, and those tested.
    pub invert: u8,
    pub bitmask: u8,
}

impl Physdev {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        // Each name is followed by its mask.
        Some(Self {
            physindev: i.string(0, IFNAMSIZ)?,
            physoutdev: i.string(2 * IFNAMSIZ, IFNAMSIZ)?,
            invert: i.u8(4 * IFNAMSIZ)?,
            bitmask: i.u8(4 * IFNAMSIZ + 1)?,
        })
    }
}

impl fmt::Display for Physdev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let options = [
            (XT_PHYSDEV_OP_ISIN, "physdev-is-in", None),
            (XT_PHYSDEV_OP_IN, "physdev-in", Some(&self.physindev)),
            (XT_PHYSDEV_OP_ISOUT, "physdev-is-out", None),
            (XT_PHYSDEV_OP_OUT, "physdev-out", Some(&self.physoutdev)),
            (XT_PHYSDEV_OP_BRIDGED, "physdev-is-bridged", None),
        ];
        for (bit, word, name) in options {
            if self.bitmask & bit == 0 {
                continue;
            }
            let not = if self.invert & bit != 0 { " !" } else { "" };
            write!(f, "{not} --{word}")?;
            if let Some(name) = name {
                write!(f, " {name}")?;
            }
        }
        Ok(())
    }
}
