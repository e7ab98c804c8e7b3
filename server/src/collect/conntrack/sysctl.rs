//! The per-namespace conntrack sysctls that change what nfscope can show.
//! `/proc/sys/net` answers for the namespace of the reading thread, and
//! takes writes from one with CAP_NET_ADMIN there.

use std::io;
use std::path::Path;

const DIR: &str = "/proc/sys/net/netfilter";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub acct: Option<bool>,
    pub timestamp: Option<bool>,
    pub events: Option<bool>,
}

impl Settings {
    /// `None` where the file is missing (module not loaded yet).
    pub fn read() -> Self {
        Self {
            acct: flag("nf_conntrack_acct"),
            timestamp: flag("nf_conntrack_timestamp"),
            events: flag("nf_conntrack_events"),
        }
    }
}

fn flag(name: &str) -> Option<bool> {
    let text = std::fs::read_to_string(Path::new(DIR).join(name)).ok()?;
    Some(text.trim() != "0")
}

/// The sysctls an admin may turn on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sysctl {
    /// `nf_conntrack_acct`: per-flow packet and byte counters.
    Accounting,
    /// `nf_conntrack_timestamp`: the kernel's start and stop times.
    Timestamps,
}

impl Sysctl {
    pub fn name(self) -> &'static str {
        match self {
            Self::Accounting => "nf_conntrack_acct",
            Self::Timestamps => "nf_conntrack_timestamp",
        }
    }

    /// Sets it in the namespace of the calling thread.
    pub fn set(self, on: bool) -> Result<(), SysctlError> {
        let path = Path::new(DIR).join(self.name());
        std::fs::write(&path, if on { "1\n" } else { "0\n" }).map_err(|err| {
            SysctlError {
                name: self.name(),
                err,
            }
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot set net.netfilter.{name}: {}", explain(.err))]
pub struct SysctlError {
    name: &'static str,
    #[source]
    err: io::Error,
}

fn explain(err: &io::Error) -> String {
    match err.raw_os_error() {
        Some(libc::ENOENT) => "conntrack is not loaded in this namespace yet \
                               (no rule uses it)"
            .to_owned(),
        Some(libc::EROFS) => "/proc/sys is read-only here (systemd's \
                              ProtectKernelTunables=)"
            .to_owned(),
        Some(libc::EACCES | libc::EPERM) => {
            "nfscope needs CAP_NET_ADMIN in the watched namespace".to_owned()
        }
        _ => err.to_string(),
    }
}
