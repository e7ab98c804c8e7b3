//! Conntrack over ctnetlink: pure decoders, the sockets, the two threads
//! that read them (live events, and full dumps), and the supervisor that
//! schedules dumps and hands the flow table what they read.

mod attr;
pub mod decode;
pub mod delete;
pub mod flow;
pub mod socket;
pub mod stats;
mod supervisor;
mod sysctl;
#[cfg(test)]
mod tests;

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

pub use decode::{CtEntry, CtEvent, CtMessage, EventKind};
pub use socket::{EventSocket, SocketError};
pub use supervisor::{DumpRequests, Supervisor, TableOp};
pub use sysctl::{Settings, Sysctl, SysctlError};

use crate::collect::netlink::{split_dump, READ_SIZE};
use crate::state::{Applied, Inbox, Update};
use socket::DumpSocket;

/// Most datagrams to gather into one batch before handing it on.
const BATCH_DATAGRAMS: usize = 64;

/// What the conntrack threads tell their supervisor. Entries and the
/// edges of dumps go straight to the state owner instead, through one
/// queue, so that they arrive in the order read and without a detour.
#[derive(Debug)]
pub enum CtUpdate {
    /// The kernel dropped events (ENOBUFS): the table needs a resync.
    Lost,
    /// The dump ended; `Err` says why it is incomplete.
    DumpDone(Result<(), String>),
    /// Messages that failed to decode and were skipped.
    DecodeErrors(u64),
    /// The event socket failed for good; the table only changes on dumps.
    EventsStopped(String),
    /// nfscope deleted entries itself: the kernel sends no DESTROY for
    /// entries made while nobody listened (`nf_conntrack_events=2`), so a
    /// dump tells the table.
    DumpWanted,
}

/// Where a conntrack thread sends what it read.
#[derive(Clone)]
pub struct Outlets {
    /// Entries and dump edges, to the state owner: events in its live
    /// lane, what dumps read in its bulk lane.
    pub table: Inbox,
    /// Everything else, to the supervisor.
    pub supervisor: mpsc::Sender<CtUpdate>,
    /// Live events received, counted here for the supervisor's health.
    pub received: Arc<AtomicU64>,
}

impl Outlets {
    /// `false` once the receiver is gone.
    fn live(&self, op: TableOp) -> bool {
        self.table.live.blocking_send(Update::Conntrack(op)).is_ok()
    }

    fn bulk(&self, op: TableOp) -> bool {
        self.table.bulk.blocking_send(Update::Conntrack(op)).is_ok()
    }

    /// Sends the edge of a dump in `lane` and waits until the owner has
    /// applied it; `false` once the owner is gone.
    fn edge(
        &self,
        lane: fn(&Self, TableOp) -> bool,
        op: impl FnOnce(Applied) -> TableOp,
    ) -> bool {
        let (applied, done) = oneshot::channel();
        lane(self, op(applied)) && done.blocking_recv().is_ok()
    }

    fn supervisor(&self, update: CtUpdate) -> bool {
        self.supervisor.blocking_send(update).is_ok()
    }
}

/// Reads events until `stop` is set or a receiver is gone. Runs on its
/// own thread.
pub fn read_events(socket: EventSocket, out: Outlets, stop: Arc<AtomicBool>) {
    let mut buf = Vec::with_capacity(READ_SIZE);
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
                    out.supervisor(CtUpdate::EventsStopped(why));
                    return;
                }
            }
        }
        if !batch.is_empty() {
            out.received
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            if !out.live(TableOp::Entries(batch)) {
                return;
            }
        }
        if lost && !out.supervisor(CtUpdate::Lost) {
            return;
        }
        if decode_errors > 0
            && !out.supervisor(CtUpdate::DecodeErrors(decode_errors))
        {
            return;
        }
    }
}

/// How a dump shares the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DumpPriority {
    Normal,
    /// Its threads run niced, so that the event thread and the state
    /// owner always come first: a dump receives fast enough to take two
    /// cores, and the kernel's share of the work is done in its thread.
    Background,
}

impl DumpPriority {
    /// Applies to the calling thread only.
    fn apply(self) {
        if self == Self::Background {
            // SAFETY: plain syscalls on the calling thread's own id.
            // Raising one's niceness needs no privilege; failing leaves
            // the thread at normal priority, which only costs speed.
            unsafe {
                let tid = libc::gettid() as libc::id_t;
                libc::setpriority(libc::PRIO_PROCESS, tid, BACKGROUND_NICE);
            }
        }
    }
}

/// Niceness of background dumps' threads.
const BACKGROUND_NICE: libc::c_int = 10;

/// Dumps the whole table to the state owner, then tells the supervisor
/// how it went. Runs on a thread of its own.
pub fn dump(out: &Outlets, priority: DumpPriority) {
    priority.apply();
    let result = dump_inner(out, priority);
    if let Err(e) = &result {
        tracing::warn!(error = %e, "conntrack dump incomplete");
    }
    let complete = result.is_ok();
    // What this dump read lies in the bulk lane, ahead of its end.
    out.edge(Outlets::bulk, |applied| TableOp::DumpEnds {
        complete,
        applied,
    });
    out.supervisor(CtUpdate::DumpDone(result));
}

fn dump_inner(out: &Outlets, priority: DumpPriority) -> Result<(), String> {
    // Events the owner applies after this are newer than the dump.
    if !out.edge(Outlets::live, |applied| TableOp::DumpBegins { applied }) {
        return Err(closed());
    }
    let socket = DumpSocket::request().map_err(|e| e.to_string())?;
    let recv = |buf: &mut Vec<u8>| {
        socket
            .recv(buf)
            .map(drop)
            .map_err(|e| format!("reading the dump: {e}"))
    };
    split_dump(
        "ct-dump-decode",
        recv,
        decode::ends_dump,
        || priority.apply(),
        |datagram| take_dump(datagram, out),
        |e| e,
    )
}

fn closed() -> String {
    "flow table closed".to_owned()
}

/// Decodes a dump's datagram and hands its entries to the state owner;
/// says how the dump ended if this datagram ends it.
fn take_dump(datagram: &[u8], out: &Outlets) -> Option<Result<(), String>> {
    let mut batch = Vec::new();
    let mut errors = 0;
    let end = decode_into(datagram, true, &mut batch, &mut errors);
    if !batch.is_empty() && !out.bulk(TableOp::Entries(batch)) {
        return Some(Err(closed()));
    }
    if errors > 0 && !out.supervisor(CtUpdate::DecodeErrors(errors)) {
        return Some(Err(closed()));
    }
    end
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
