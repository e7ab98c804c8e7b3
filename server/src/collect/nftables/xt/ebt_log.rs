//! ebtables' watchers `log` (`struct ebt_log_info`) and `nflog`
//! (`struct ebt_nflog_info`): targets that log the frame and let the
//! rule go on.

use std::fmt;

use super::info::Info;
use super::log::Nflog;

const EBT_LOG_IP: u32 = 0x01;
const EBT_LOG_ARP: u32 = 0x02;
const EBT_LOG_IP6: u32 = 0x08;
const EBT_LOG_PREFIX_SIZE: usize = 30;
/// The threshold ebtables leaves unsaid.
const EBT_NFLOG_DEFAULT_THRESHOLD: u16 = 1;

/// The syslog levels by the names ebtables gives them.
const EBT_LOG_LEVELS: [&str; 8] = [
    "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EbtLog {
    pub level: u8,
    /// `EBT_LOG_*`: the headers to log beyond the frame's.
    pub bitmask: u32,
    pub prefix: String,
}

impl EbtLog {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            level: i.u8(0)?,
            prefix: i.string(1, EBT_LOG_PREFIX_SIZE)?,
            // After the prefix, at its alignment.
            bitmask: i.u32(32)?,
        })
    }

    pub fn level_name(&self) -> Option<&'static str> {
        EBT_LOG_LEVELS.get(usize::from(self.level)).copied()
    }
}

/// `brlog_print`.
impl fmt::Display for EbtLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.level_name() {
            Some(name) => write!(f, "--log-level {name}")?,
            None => write!(f, "--log-level {}", self.level)?,
        }
        if !self.prefix.is_empty() {
            write!(f, " --log-prefix \"{}\"", self.prefix)?;
        }
        for (bit, option) in [
            (EBT_LOG_IP, " --log-ip"),
            (EBT_LOG_ARP, " --log-arp"),
            (EBT_LOG_IP6, " --log-ip6"),
        ] {
            if self.bitmask & bit != 0 {
                f.write_str(option)?;
            }
        }
        f.write_str(" ")
    }
}

/// The same struct as iptables' `NFLOG` (`struct xt_nflog_info`),
/// printed as ebtables prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EbtNflog(pub Nflog);

impl EbtNflog {
    pub fn decode(info: &[u8]) -> Option<Self> {
        Nflog::decode(info).map(Self)
    }

    /// Whether the threshold is other than the one ebtables leaves
    /// unsaid.
    pub fn threshold_given(&self) -> bool {
        self.0.threshold != EBT_NFLOG_DEFAULT_THRESHOLD
    }
}

/// `nflog_print`.
impl fmt::Display for EbtNflog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Nflog {
            len,
            group,
            threshold,
            prefix,
            ..
        } = &self.0;
        if !prefix.is_empty() {
            write!(f, "--nflog-prefix \"{prefix}\" ")?;
        }
        if *group != 0 {
            write!(f, "--nflog-group {group} ")?;
        }
        if *len != 0 {
            write!(f, "--nflog-range {len} ")?;
        }
        if self.threshold_given() {
            write!(f, "--nflog-threshold {threshold} ")?;
        }
        Ok(())
    }
}
