//! INVALID packets: the ones conntrack could not tie to a flow, which
//! nothing in the kernel reports one by one.
//!
//! nfscope installs its own nftables table (`table.rs`) whose rules log
//! them, rate-limited, to an NFLOG group; a thread receives them on that
//! group (`nflog.rs`), decodes them (`packet.rs`) and keeps the latest
//! in a ring (`ring.rs`) for the API to read. The table is owned by a
//! socket of the [`InvalidCapture`]: it goes when the capture drops, or
//! with the process. Packets above the rate are not logged; conntrack
//! still counts them all (`CtStats::invalid`).

mod nflog;
pub mod packet;
mod ring;
mod table;

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub use ring::InvalidRing;

/// How long to wait for the kernel to answer a request.
const ANSWER_WAIT: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaptureConfig {
    /// The NFLOG group the rules log to, which the capture binds.
    pub group: u16,
    /// Packets each chain logs per second at most (burst 20).
    pub rate_per_sec: u32,
    /// Packets the ring keeps.
    pub ring: usize,
}

impl Default for CaptureConfig {
    fn default() -> Self {
        Self {
            group: 4207,
            rate_per_sec: 50,
            ring: 2048,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error(
        "nfscope needs CAP_NET_ADMIN to capture INVALID packets (run it as \
         root, or grant it with `setcap cap_net_admin+ep $(which nfscope)`)"
    )]
    Permission(#[source] io::Error),
    #[error(
        "NFLOG group {group} is already bound by another program (netlink \
         port {portid}, usually its process id; see \
         /proc/net/netfilter/nfnetlink_log): choose another group"
    )]
    GroupBusy { group: u16, portid: u32 },
    #[error(
        "the table {table} already exists: another nfscope runs in this \
         network namespace, or the table was made by hand (`nft delete \
         table {table}` removes it then)"
    )]
    TableExists {
        table: String,
        #[source]
        err: io::Error,
    },
    #[error("the kernel refused {what}: {err}")]
    Refused {
        what: String,
        #[source]
        err: io::Error,
    },
    #[error("INVALID capture: {what}: {err}")]
    Io {
        what: &'static str,
        #[source]
        err: io::Error,
    },
}

impl CaptureError {
    fn io(what: &'static str) -> impl FnOnce(io::Error) -> Self {
        move |err| match err.raw_os_error() {
            Some(libc::EPERM | libc::EACCES) => Self::Permission(err),
            _ => Self::Io { what, err },
        }
    }
}

/// While it lives, nfscope's table is installed in the namespace of the
/// thread that started it, and the thread `invalid-nflog` fills the
/// ring. Dropping it stops the thread (within ~100 ms) and deletes the
/// table.
pub struct InvalidCapture {
    ring: Arc<InvalidRing>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// Dropped after the thread is stopped: closing its socket is what
    /// deletes the table.
    _tables: table::Tables,
}

impl InvalidCapture {
    /// Binds the group first, so that a group in use fails before the
    /// firewall changes; then installs the table and starts the thread.
    pub fn start(config: CaptureConfig) -> Result<Self, CaptureError> {
        let socket = nflog::NflogSocket::bind(config.group)?;
        let tables = table::Tables::install(&config)?;
        let ring = Arc::new(InvalidRing::new(config.ring));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("invalid-nflog".into())
            .spawn({
                let (ring, stop) = (Arc::clone(&ring), Arc::clone(&stop));
                move || socket.receive(&ring, &stop)
            })
            .map_err(|err| CaptureError::Io {
                what: "starting the invalid-nflog thread",
                err,
            })?;
        Ok(Self {
            ring,
            stop,
            thread: Some(thread),
            _tables: tables,
        })
    }

    pub fn ring(&self) -> Arc<InvalidRing> {
        Arc::clone(&self.ring)
    }
}

impl Drop for InvalidCapture {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            // A panic there is already reported by the panic hook.
            let _ = thread.join();
        }
    }
}
