//! Conntrack over ctnetlink: pure decoders, the sockets, the two threads
//! that read them (live events, and full dumps), and the supervisor that
//! schedules dumps and hands the flow table what they read.

mod attr;
pub mod decode;
pub mod flow;
pub mod socket;
mod supervisor;
mod sysctl;
#[cfg(test)]
mod tests;

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::mpsc;

pub use decode::{CtEntry, CtEvent, CtMessage, EventKind};
pub use socket::{EventSocket, SocketError};
pub use supervisor::{Supervisor, TableOp};
pub use sysctl::Settings;

use socket::{DumpSocket, READ_SIZE};

/// Most datagrams to gather into one batch before handing it on.
const BATCH_DATAGRAMS: usize = 64;

/// What the conntrack threads tell their supervisor.
#[derive(Debug)]
pub enum CtUpdate {
    /// Live events or dumped entries (by their kind), in kernel order.
    Entries(Vec<CtEvent>),
    /// The kernel dropped events (ENOBUFS): the table needs a resync.
    Lost,
    /// A dump began; its entries follow as `Entries` of kind `Dumped`.
    DumpStarted,
    /// The dump ended; `Err` says why it is incomplete.
    DumpDone(Result<(), String>),
    /// Messages that failed to decode and were skipped.
    DecodeErrors(u64),
    /// The event socket failed for good; the table only changes on dumps.
    EventsStopped(String),
}

/// Reads events until `stop` is set or the receiver is gone. Runs on its
/// own thread.
pub fn read_events(
    socket: EventSocket,
    tx: mpsc::Sender<CtUpdate>,
    stop: Arc<AtomicBool>,
) {
    let mut buf = Vec::with_capacity(READ_SIZE);
    let send = |update| tx.blocking_send(update).is_ok();
    while !stop.load(Ordering::Relaxed) {
        let mut batch = Vec::new();
        let mut decode_errors = 0u64;
        let mut lost = false;
        // Block for one datagram, then take whatever else is waiting.
        for n in 0..BATCH_DATAGRAMS {
            buf.clear();
            let received = if n == 0 {
                socket.recv(&mut buf).map(Some)
            } else {
                socket.try_recv(&mut buf)
            };
            match received {
                Ok(Some(_)) => {
                    decode_into(&buf, false, &mut batch, &mut decode_errors);
                }
                Ok(None) => break,
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    lost = true;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => break,
                Err(e) => {
                    tracing::error!(error = %e, "conntrack event socket failed");
                    let why = format!("conntrack events stopped: {e}");
                    send(CtUpdate::EventsStopped(why));
                    return;
                }
            }
        }
        if !batch.is_empty() && !send(CtUpdate::Entries(batch)) {
            return;
        }
        if lost && !send(CtUpdate::Lost) {
            return;
        }
        if decode_errors > 0 && !send(CtUpdate::DecodeErrors(decode_errors)) {
            return;
        }
    }
}

/// Dumps the whole table into `tx`. Runs on a blocking thread.
pub fn dump(tx: &mpsc::Sender<CtUpdate>) {
    let result = dump_inner(tx);
    if let Err(e) = &result {
        tracing::warn!(error = %e, "conntrack dump incomplete");
    }
    let _ = tx.blocking_send(CtUpdate::DumpDone(result));
}

fn dump_inner(tx: &mpsc::Sender<CtUpdate>) -> Result<(), String> {
    let closed = |_| "flow table closed".to_owned();
    let socket = DumpSocket::request().map_err(|e| e.to_string())?;
    tx.blocking_send(CtUpdate::DumpStarted).map_err(closed)?;
    let mut buf = Vec::with_capacity(READ_SIZE);
    loop {
        buf.clear();
        socket
            .recv(&mut buf)
            .map_err(|e| format!("reading the dump: {e}"))?;
        let mut batch = Vec::new();
        let mut errors = 0;
        let end = decode_into(&buf, true, &mut batch, &mut errors);
        if !batch.is_empty() {
            tx.blocking_send(CtUpdate::Entries(batch)).map_err(closed)?;
        }
        if errors > 0 {
            tx.blocking_send(CtUpdate::DecodeErrors(errors))
                .map_err(closed)?;
        }
        if let Some(end) = end {
            return end;
        }
    }
}

fn dump_error(code: i32) -> String {
    let err = io::Error::from_raw_os_error(-code);
    match -code {
        libc::EPERM | libc::EACCES => SocketError::Permission(err).to_string(),
        _ => format!("the kernel refused the dump: {err}"),
    }
}

/// Decodes every message of a datagram; a bad one is counted and skipped.
/// Returns how a dump ended if the datagram ends it.
fn decode_into(
    datagram: &[u8],
    dumping: bool,
    out: &mut Vec<CtEvent>,
    errors: &mut u64,
) -> Option<Result<(), String>> {
    let mut end = None;
    for msg in decode::messages(datagram) {
        match msg.and_then(|m| decode::parse_message(&m, dumping)) {
            // The table keys entries by id and original tuple: one
            // without is malformed.
            Ok(CtMessage::Entry(event))
                if event.entry.id.is_some() && event.entry.orig.is_some() =>
            {
                out.push(event)
            }
            Ok(CtMessage::Entry(..)) => {
                let e = "entry without CTA_ID or CTA_TUPLE_ORIG".into();
                log_decode_error(*errors, &e);
                *errors += 1;
            }
            Ok(CtMessage::Done) => end = Some(Ok(())),
            Ok(CtMessage::Error(0) | CtMessage::Ignored) => {}
            Ok(CtMessage::Error(code)) => end = Some(Err(dump_error(code))),
            Err(e) => {
                log_decode_error(*errors, &e);
                *errors += 1;
            }
        }
    }
    end
}

/// Logs the first failure of a burst; the count tells the rest.
fn log_decode_error(seen: u64, e: &netlink_packet_core::DecodeError) {
    if seen == 0 {
        tracing::warn!(error = %e, "skipped a conntrack message that did not decode");
    }
}
