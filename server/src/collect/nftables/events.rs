//! The ruleset's change events (`NFNLGRP_NFTABLES`): after each commit
//! the kernel sends the objects it changed, then `NFT_MSG_NEWGEN` with
//! the new generation and the process that committed. Only the NEWGENs
//! are read here: each one is followed by a new snapshot.

use std::io;
use std::time::Duration;

use netlink_packet_core::NetlinkBuffer;
use netlink_sys::{protocols::NETLINK_NETFILTER, Socket};

use super::attr::NFNL_SUBSYS_NFTABLES;
use super::decode::{self, Message};
use super::ruleset::Generation;
use super::socket::NftError;
use crate::collect::netlink::{force_rcvbuf, READ_SIZE};

const NFNLGRP_NFTABLES: u32 = 7;
const NFT_MSG_NEWGEN: u8 = 15;
/// A commit of 10k rules sends ~4 MB of events before its NEWGEN.
const RCVBUF: usize = 32 << 20;

/// What the event socket says happened.
#[derive(Debug)]
pub enum Commit {
    /// The last of the commits read at once.
    New(Generation),
    /// The kernel dropped events (ENOBUFS): a snapshot repairs that.
    Lost,
    /// Nothing came in the time given.
    Quiet,
}

pub struct EventSocket {
    socket: Socket,
    buf: Vec<u8>,
    pub rcvbuf: usize,
}

impl EventSocket {
    /// Subscribes; do it before the first snapshot, so that no commit
    /// slips between.
    pub fn open() -> Result<Self, NftError> {
        let io = |what| move |err| NftError::Io { what, err };
        let mut socket = Socket::new(NETLINK_NETFILTER)
            .map_err(io("opening a NETLINK_NETFILTER socket"))?;
        socket.bind_auto().map_err(io("bind"))?;
        socket.add_membership(NFNLGRP_NFTABLES).map_err(|err| {
            match err.raw_os_error() {
                Some(libc::EPERM | libc::EACCES) => NftError::Permission(err),
                _ => NftError::Io {
                    what: "joining the nftables event group",
                    err,
                },
            }
        })?;
        force_rcvbuf(&socket, RCVBUF);
        let rcvbuf = socket.get_rx_buf_sz().map_err(io("SO_RCVBUF"))?;
        Ok(Self {
            socket,
            buf: Vec::with_capacity(READ_SIZE),
            rcvbuf,
        })
    }

    /// Waits up to `wait` for a commit, then reads whatever else is
    /// waiting: one snapshot then covers a burst of commits.
    pub fn next_commit(&mut self, wait: Duration) -> io::Result<Commit> {
        self.set_timeout(wait)?;
        let mut last = None;
        let mut flags = 0;
        loop {
            self.buf.clear();
            match self.socket.recv(&mut self.buf, flags) {
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    return Ok(Commit::Lost)
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(last.map_or(Commit::Quiet, Commit::New));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            if let Some(g) = newgen(&self.buf) {
                last = Some(g);
                flags = libc::MSG_DONTWAIT;
            }
        }
    }
}

impl EventSocket {
    /// How long a blocking read waits; at least a millisecond, as zero
    /// would mean forever.
    fn set_timeout(&self, wait: Duration) -> io::Result<()> {
        let wait = wait.max(Duration::from_millis(1));
        crate::collect::netlink::set_read_timeout(&self.socket, wait)
    }
}

/// The last NEWGEN of a datagram, if it holds one.
fn newgen(datagram: &[u8]) -> Option<Generation> {
    let kind = u16::from(NFNL_SUBSYS_NFTABLES) << 8 | u16::from(NFT_MSG_NEWGEN);
    let mut rest = datagram;
    let mut found = None;
    while let Ok(msg) = NetlinkBuffer::new_checked(rest) {
        let len = (msg.length() as usize).next_multiple_of(4);
        if msg.message_type() == kind {
            found = Message::parse(NFT_MSG_NEWGEN, msg.payload())
                .and_then(|m| decode::generation(&m))
                .ok();
        }
        rest = rest.get(len..).unwrap_or_default();
    }
    found
}
