//! A netlink socket speaking nf_tables: requests, dumps and the answers.
//!
//! Blocking, like conntrack's: a snapshot runs on a thread of its own.

use std::io;

use netlink_packet_core::{
    NetlinkBuffer, NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK, NLM_F_DUMP,
    NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use netlink_sys::{protocols::NETLINK_NETFILTER, Socket, SocketAddr};

use super::attr::NFNL_SUBSYS_NFTABLES;
use super::decode::Message;
use crate::collect::netlink::{force_rcvbuf, split_dump, READ_SIZE};

/// Room for the kernel to run ahead of the reader in a dump.
const RCVBUF: usize = 4 << 20;

#[derive(Debug, thiserror::Error)]
pub enum NftError {
    #[error(
        "nfscope needs CAP_NET_ADMIN to read the nftables ruleset (run it \
         as root, or grant it with `setcap cap_net_admin+ep $(which \
         nfscope)`)"
    )]
    Permission(#[source] io::Error),
    #[error("nftables netlink socket: {what}: {err}")]
    Io {
        what: &'static str,
        #[source]
        err: io::Error,
    },
    #[error("the kernel refused {what}: {err}")]
    Refused {
        what: &'static str,
        #[source]
        err: io::Error,
    },
    #[error("a malformed nftables message in {what}: {reason}")]
    Malformed { what: &'static str, reason: String },
    /// The ruleset changed while it was dumped: the dump must start over.
    #[error("the ruleset changed during the dump")]
    Interrupted,
}

pub struct NftSocket {
    socket: Socket,
    seq: u32,
    buf: Vec<u8>,
}

impl NftSocket {
    pub fn open() -> Result<Self, NftError> {
        let mut socket = Socket::new(NETLINK_NETFILTER)
            .map_err(refused_or_io("opening a NETLINK_NETFILTER socket"))?;
        socket.bind_auto().map_err(io_err("bind"))?;
        force_rcvbuf(&socket, RCVBUF);
        socket
            .connect(&SocketAddr::new(0, 0))
            .map_err(io_err("connect"))?;
        Ok(Self {
            socket,
            seq: 0,
            buf: Vec::with_capacity(READ_SIZE),
        })
    }

    /// Sends one request (`NFT_MSG_*` kind, family, attributes) and hands
    /// each message of the answer to `each`, until the kernel is done.
    /// `what` names the request in errors.
    pub fn request(
        &mut self,
        what: &'static str,
        kind: u8,
        family: u8,
        dump: bool,
        attrs: &[u8],
        mut each: impl FnMut(&Message) -> Result<(), NftError>,
    ) -> Result<(), NftError> {
        let mut answer = self.send(what, kind, family, dump, attrs)?;
        loop {
            self.buf.clear();
            self.socket
                .recv(&mut self.buf, 0)
                .map_err(io_err("reading an answer"))?;
            if let Some(end) = answer.walk(&self.buf, &mut each) {
                return end;
            }
        }
    }

    /// A dump as [`NftSocket::request`] makes it, for a big one: received
    /// on this thread and walked on another (see [`split_dump`]).
    pub fn dump_split(
        &mut self,
        what: &'static str,
        kind: u8,
        attrs: &[u8],
        mut each: impl FnMut(&Message) -> Result<(), NftError> + Send,
    ) -> Result<(), NftError> {
        let mut answer = self.send(what, kind, 0, true, attrs)?;
        let socket = &self.socket;
        let recv = |buf: &mut Vec<u8>| {
            socket
                .recv(buf, 0)
                .map(drop)
                .map_err(io_err("reading an answer"))
        };
        split_dump(
            "nft-dump-walk",
            recv,
            ends_answer,
            || {},
            |datagram| answer.walk(datagram, &mut each),
            |reason| NftError::Malformed { what, reason },
        )
    }

    fn send(
        &mut self,
        what: &'static str,
        kind: u8,
        family: u8,
        dump: bool,
        attrs: &[u8],
    ) -> Result<Answer, NftError> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let flags = NLM_F_REQUEST | if dump { NLM_F_DUMP } else { NLM_F_ACK };
        let bytes = request_bytes(kind, family, flags, seq, attrs);
        self.socket
            .send(&bytes, 0)
            .map_err(refused_or_io("sending a request"))?;
        Ok(Answer {
            what,
            seq,
            interrupted: false,
        })
    }
}

/// The answer to one request, as it is read.
struct Answer {
    what: &'static str,
    seq: u32,
    /// The ruleset changed during the dump.
    interrupted: bool,
}

impl Answer {
    /// Hands the datagram's messages to `each`; says how the answer ended
    /// if this datagram ends it.
    fn walk(
        &mut self,
        datagram: &[u8],
        each: &mut impl FnMut(&Message) -> Result<(), NftError>,
    ) -> Option<Result<(), NftError>> {
        let what = self.what;
        let malformed =
            |e: netlink_packet_core::DecodeError| NftError::Malformed {
                what,
                reason: e.to_string(),
            };
        let mut rest = datagram;
        while !rest.is_empty() {
            let msg = match NetlinkBuffer::new_checked(rest) {
                Ok(msg) => msg,
                Err(e) => return Some(Err(malformed(e))),
            };
            let len = (msg.length() as usize).next_multiple_of(4);
            rest = rest.get(len..).unwrap_or_default();
            // An answer to an earlier request that was given up on.
            if msg.sequence_number() != self.seq {
                continue;
            }
            self.interrupted |= msg.flags() & NLM_F_DUMP_INTR != 0;
            match msg.message_type() {
                NLMSG_DONE => return Some(done(self.interrupted)),
                NLMSG_ERROR => {
                    let code = error_code(msg.payload());
                    if code == 0 {
                        return Some(done(self.interrupted));
                    }
                    let err = io::Error::from_raw_os_error(-code);
                    return Some(Err(match -code {
                        libc::EPERM | libc::EACCES => NftError::Permission(err),
                        _ => NftError::Refused { what, err },
                    }));
                }
                t if (t >> 8) as u8 == NFNL_SUBSYS_NFTABLES => {
                    let message = match Message::parse(t as u8, msg.payload()) {
                        Ok(m) => m,
                        Err(e) => return Some(Err(malformed(e))),
                    };
                    if let Err(e) = each(&message) {
                        return Some(Err(e));
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// Whether a datagram holds the end of an answer, from headers alone.
fn ends_answer(datagram: &[u8]) -> bool {
    let mut rest = datagram;
    while let Ok(msg) = NetlinkBuffer::new_checked(rest) {
        if matches!(msg.message_type(), NLMSG_DONE | NLMSG_ERROR) {
            return true;
        }
        let len = (msg.length() as usize).next_multiple_of(4);
        rest = rest.get(len..).unwrap_or_default();
    }
    false
}

fn done(interrupted: bool) -> Result<(), NftError> {
    if interrupted {
        Err(NftError::Interrupted)
    } else {
        Ok(())
    }
}

/// The errno of an `NLMSG_ERROR`, negative; 0 is an ACK.
fn error_code(payload: &[u8]) -> i32 {
    payload
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map_or(-libc::EPROTO, i32::from_ne_bytes)
}

/// A netlink message: header, `struct nfgenmsg`, attributes.
fn request_bytes(
    kind: u8,
    family: u8,
    flags: u16,
    seq: u32,
    attrs: &[u8],
) -> Vec<u8> {
    let len = 16 + 4 + attrs.len();
    let mut bytes = vec![0; 16];
    {
        let mut header = NetlinkBuffer::new(&mut bytes[..]);
        header.set_length(len as u32);
        header.set_message_type(
            u16::from(NFNL_SUBSYS_NFTABLES) << 8 | u16::from(kind),
        );
        header.set_flags(flags);
        header.set_sequence_number(seq);
    }
    // nfgenmsg: family, version 0, res_id 0.
    bytes.extend_from_slice(&[family, 0, 0, 0]);
    bytes.extend_from_slice(attrs);
    bytes
}

/// Appends a string attribute, NUL-terminated and padded, for requests.
pub fn push_string(buf: &mut Vec<u8>, kind: u16, value: &str) {
    let len = 4 + value.len() + 1;
    buf.extend_from_slice(&(len as u16).to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(value.as_bytes());
    buf.push(0);
    buf.resize(buf.len().next_multiple_of(4), 0);
}

pub fn push_be32(buf: &mut Vec<u8>, kind: u16, value: u32) {
    buf.extend_from_slice(&8u16.to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(&value.to_be_bytes());
}

fn io_err(what: &'static str) -> impl FnOnce(io::Error) -> NftError {
    move |err| NftError::Io { what, err }
}

fn refused_or_io(what: &'static str) -> impl FnOnce(io::Error) -> NftError {
    move |err| match err.raw_os_error() {
        Some(libc::EPERM | libc::EACCES) => NftError::Permission(err),
        _ => NftError::Io { what, err },
    }
}
