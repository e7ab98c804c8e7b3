//! `CT` (`struct xt_ct_target_info`, and `_v1` for revisions 1 and 2):
//! how conntrack treats the packet's connection: not at all
//! (`--notrack`), in a zone, with a helper or timeout policy, with
//! chosen events. `-j NOTRACK` is written as `CT` with
//! `XT_CT_NOTRACK_ALIAS`, and prints as `-j NOTRACK`.

use std::fmt;

use super::info::Info;

// XT_CT_* flags
const XT_CT_NOTRACK: u16 = 1 << 0;
const XT_CT_NOTRACK_ALIAS: u16 = 1 << 1;
const XT_CT_ZONE_DIR_ORIG: u16 = 1 << 2;
const XT_CT_ZONE_DIR_REPL: u16 = 1 << 3;
const XT_CT_ZONE_MARK: u16 = 1 << 4;

/// `IPCT_*` event bits `--ctevents` names, in its order.
const CT_EVENTS: [&str; 10] = [
    "new",
    "related",
    "destroy",
    "reply",
    "assured",
    "protoinfo",
    "helper",
    "mark",
    "natseqinfo",
    "secmark",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ct {
    pub flags: u16,
    pub zone: u16,
    pub ct_events: u32,
    pub exp_events: u32,
    pub helper: String,
    /// Revisions 1 and 2: a timeout policy's name.
    pub timeout: String,
}

impl Ct {
    pub fn decode(revision: u32, info: &[u8]) -> Option<Self> {
        let i = Info(info);
        let timeout = match revision {
            0 => String::new(),
            1 | 2 => i.string(28, 32)?,
            _ => return None,
        };
        Some(Self {
            flags: i.u16(0)?,
            zone: i.u16(2)?,
            ct_events: i.u32(4)?,
            exp_events: i.u32(8)?,
            helper: i.string(12, 16)?,
            timeout,
        })
    }

    /// `NOTRACK` when written as that alias.
    pub fn name(&self) -> &'static str {
        if self.flags & XT_CT_NOTRACK_ALIAS != 0 {
            "NOTRACK"
        } else {
            "CT"
        }
    }

    pub fn notrack(&self) -> bool {
        self.flags & XT_CT_NOTRACK != 0
    }
}

impl fmt::Display for Ct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.flags & XT_CT_NOTRACK_ALIAS != 0 {
            return Ok(());
        }
        if self.notrack() {
            f.write_str(" --notrack")?;
        }
        if !self.helper.is_empty() {
            write!(f, " --helper {}", self.helper)?;
        }
        if !self.timeout.is_empty() {
            write!(f, " --timeout {}", self.timeout)?;
        }
        if self.ct_events != 0 {
            let names: Vec<&str> = CT_EVENTS
                .iter()
                .enumerate()
                .filter(|(bit, _)| self.ct_events & (1 << bit) != 0)
                .map(|(_, name)| *name)
                .collect();
            write!(f, " --ctevents {}", names.join(","))?;
        }
        // `IPEXP_NEW` is the only expectation event iptables names.
        if self.exp_events != 0 {
            let new = if self.exp_events & 1 != 0 { "new" } else { "" };
            write!(f, " --expevents {new}")?;
        }
        if self.flags & XT_CT_ZONE_MARK != 0 || self.zone != 0 {
            f.write_str(" --zone")?;
            let dirs = self.flags & (XT_CT_ZONE_DIR_ORIG | XT_CT_ZONE_DIR_REPL);
            if dirs == XT_CT_ZONE_DIR_ORIG {
                f.write_str("-orig")?;
            } else if dirs == XT_CT_ZONE_DIR_REPL {
                f.write_str("-reply")?;
            }
            if self.flags & XT_CT_ZONE_MARK != 0 {
                f.write_str(" mark")?;
            } else {
                write!(f, " {}", self.zone)?;
            }
        }
        Ok(())
    }
}
