//! `LOG` (`struct xt_log_info`) and `NFLOG` (`struct xt_nflog_info`):
//! to the kernel log, or to an NFLOG group. iptables-nft writes NFLOG
//! as a native `log` with a group and reads it back into the struct.

use std::fmt;

use super::comment::save_string;
use super::info::Info;

// XT_LOG_* flags
const XT_LOG_TCPSEQ: u8 = 0x01;
const XT_LOG_TCPOPT: u8 = 0x02;
const XT_LOG_IPOPT: u8 = 0x04;
const XT_LOG_UID: u8 = 0x08;
const XT_LOG_MACDECODE: u8 = 0x20;

/// `LOG_WARNING`: the level iptables leaves out.
pub const LOG_DEFAULT_LEVEL: u8 = 4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    pub level: u8,
    pub flags: u8,
    pub prefix: String,
}

impl Log {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            level: i.u8(0)?,
            flags: i.u8(1)?,
            prefix: i.string(2, 30)?,
        })
    }
}

impl fmt::Display for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.prefix.is_empty() {
            write!(f, " --log-prefix {}", save_string(&self.prefix))?;
        }
        if self.level != LOG_DEFAULT_LEVEL {
            write!(f, " --log-level {}", self.level)?;
        }
        let flags = [
            (XT_LOG_TCPSEQ, "log-tcp-sequence"),
            (XT_LOG_TCPOPT, "log-tcp-options"),
            (XT_LOG_IPOPT, "log-ip-options"),
            (XT_LOG_UID, "log-uid"),
            (XT_LOG_MACDECODE, "log-macdecode"),
        ];
        for (bit, word) in flags {
            if self.flags & bit != 0 {
                write!(f, " --{word}")?;
            }
        }
        Ok(())
    }
}

/// `XT_NFLOG_F_COPY_LEN`: `len` is a copy length (`--nflog-size`).
pub const XT_NFLOG_F_COPY_LEN: u16 = 0x1;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nflog {
    pub len: u32,
    pub group: u16,
    pub threshold: u16,
    pub flags: u16,
    pub prefix: String,
}

impl Nflog {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            len: i.u32(0)?,
            group: i.u16(4)?,
            threshold: i.u16(6)?,
            flags: i.u16(8)?,
            prefix: i.string(12, 64)?,
        })
    }
}

impl fmt::Display for Nflog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.prefix.is_empty() {
            write!(f, " --nflog-prefix {}", save_string(&self.prefix))?;
        }
        if self.group != 0 {
            write!(f, " --nflog-group {}", self.group)?;
        }
        if self.flags & XT_NFLOG_F_COPY_LEN != 0 {
            write!(f, " --nflog-size {}", self.len)?;
        } else if self.len != 0 {
            write!(f, " --nflog-range {}", self.len)?;
        }
        // `XT_NFLOG_DEFAULT_THRESHOLD` is 0.
        if self.threshold != 0 {
            write!(f, " --nflog-threshold {}", self.threshold)?;
        }
        Ok(())
    }
}
