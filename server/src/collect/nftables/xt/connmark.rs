//! `CONNMARK` revisions 1 and 2 (`struct xt_connmark_tginfo1`, `_2`):
//! set the connection's mark, or copy it from or to the packet's.

use std::fmt;

use super::info::Info;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnmarkMode {
    /// `XT_CONNMARK_SET`.
    Set,
    /// `XT_CONNMARK_SAVE`: packet mark to connection mark.
    Save,
    /// `XT_CONNMARK_RESTORE`: connection mark to packet mark.
    Restore,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connmark {
    pub ctmark: u32,
    pub ctmask: u32,
    pub nfmask: u32,
    pub mode: ConnmarkMode,
    /// Revision 2: a shift (0 left, 1 right) and its bit count.
    pub shift: Option<(u8, u8)>,
}

impl Connmark {
    pub fn decode(revision: u32, info: &[u8]) -> Option<Self> {
        let i = Info(info);
        let (mode_at, shift) = match revision {
            1 => (12, None),
            2 => (14, Some((i.u8(12)?, i.u8(13)?))),
            _ => return None,
        };
        let mode = match i.u8(mode_at)? {
            0 => ConnmarkMode::Set,
            1 => ConnmarkMode::Save,
            2 => ConnmarkMode::Restore,
            _ => return None,
        };
        Some(Self {
            ctmark: i.u32(0)?,
            ctmask: i.u32(4)?,
            nfmask: i.u32(8)?,
            mode,
            shift,
        })
    }
}

impl fmt::Display for Connmark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (nf, ct) = (self.nfmask, self.ctmask);
        match self.mode {
            ConnmarkMode::Set => {
                write!(f, " --set-xmark {:#x}/{ct:#x}", self.ctmark)?
            }
            ConnmarkMode::Save => {
                write!(f, " --save-mark --nfmask {nf:#x} --ctmask {ct:#x}")?
            }
            ConnmarkMode::Restore => {
                write!(f, " --restore-mark --nfmask {nf:#x} --ctmask {ct:#x}")?
            }
        }
        if let Some((dir, bits)) = self.shift.filter(|&(_, bits)| bits != 0) {
            let word = match dir {
                0 => "left-shift-mark",
                _ => "right-shift-mark",
            };
            write!(f, " --{word} {bits}")?;
        }
        Ok(())
    }
}
