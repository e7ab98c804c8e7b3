//! Just enough ctnetlink to fill a table: the numbers (as in
//! `linux/netfilter/nfnetlink_conntrack.h`), a message writer, and a
//! socket set up the way nfscope's collector sets up its own.

use std::io;
use std::net::Ipv4Addr;

use anyhow::{bail, Context};
use netlink_packet_core::{NetlinkBuffer, NLA_F_NESTED, NLMSG_ERROR};
use netlink_sys::{protocols::NETLINK_NETFILTER, Socket, SocketAddr};
use nfscope::collect::netlink::{force_rcvbuf, READ_SIZE};

const NFNL_SUBSYS_CTNETLINK: u16 = 1;
const IPCTNL_MSG_CT_NEW: u16 = 0;
const IPCTNL_MSG_CT_DELETE: u16 = 2;
/// `nlmsg_type` of conntrack NEW and DELETE requests.
const CT_NEW: u16 = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
const CT_DELETE: u16 = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;

const CTA_TUPLE_ORIG: u16 = 1;
const CTA_TUPLE_REPLY: u16 = 2;
const CTA_PROTOINFO: u16 = 4;
const CTA_TIMEOUT: u16 = 7;
const CTA_TUPLE_IP: u16 = 1;
const CTA_TUPLE_PROTO: u16 = 2;
const CTA_IP_V4_SRC: u16 = 1;
const CTA_IP_V4_DST: u16 = 2;
const CTA_PROTO_NUM: u16 = 1;
const CTA_PROTO_SRC_PORT: u16 = 2;
const CTA_PROTO_DST_PORT: u16 = 3;
const CTA_PROTOINFO_TCP: u16 = 1;
const CTA_PROTOINFO_TCP_STATE: u16 = 1;
/// `enum tcp_conntrack`: what a long-lived TCP entry is in.
const TCP_CONNTRACK_ESTABLISHED: u8 = 3;

pub const IPPROTO_TCP: u8 = 6;
pub const IPPROTO_UDP: u8 = 17;

/// What a table holds: a TCP entry is longer than a UDP one (it carries
/// its protocol state), so each kind is measured on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Protocols {
    Udp,
    Tcp,
    /// UDP and TCP in turn.
    Mixed,
}

impl Protocols {
    pub fn name(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
            Self::Mixed => "mixed",
        }
    }
}

/// The original direction of an IPv4 entry; the reply is its mirror.
#[derive(Clone, Copy, Debug)]
pub struct Flow {
    pub proto: u8,
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub sport: u16,
    pub dport: u16,
}

/// Source ports used per source address by [`Flow::numbered`].
const PORTS: u32 = 60_000;

impl Flow {
    /// Entry number `i`: unique by protocol, source address and port.
    pub fn numbered(i: u32, protocols: Protocols) -> Self {
        let tcp = match protocols {
            Protocols::Udp => false,
            Protocols::Tcp => true,
            Protocols::Mixed => i % 2 == 1,
        };
        Self {
            proto: if tcp { IPPROTO_TCP } else { IPPROTO_UDP },
            src: Ipv4Addr::from(
                u32::from(Ipv4Addr::new(10, 64, 0, 0)) + i / PORTS,
            ),
            dst: Ipv4Addr::new(10, 65, 0, 1),
            sport: u16::try_from(1024 + i % PORTS).expect("port fits"),
            dport: if tcp { 443 } else { 53 },
        }
    }
}

/// Appends an `IPCTNL_MSG_CT_NEW` that creates `flow` with a timeout of
/// `timeout` seconds. TCP entries are created established, as a busy
/// server's table mostly holds them.
pub fn push_create(
    buf: &mut Vec<u8>,
    flow: &Flow,
    timeout: u32,
    flags: u16,
    seq: u32,
) {
    push_message(buf, CT_NEW, flags, seq, |buf| {
        let reply = Flow {
            src: flow.dst,
            dst: flow.src,
            sport: flow.dport,
            dport: flow.sport,
            ..*flow
        };
        nested(buf, CTA_TUPLE_ORIG, |b| tuple(b, flow));
        nested(buf, CTA_TUPLE_REPLY, |b| tuple(b, &reply));
        attr(buf, CTA_TIMEOUT, &timeout.to_be_bytes());
        if flow.proto == IPPROTO_TCP {
            nested(buf, CTA_PROTOINFO, |b| {
                nested(b, CTA_PROTOINFO_TCP, |b| {
                    attr(
                        b,
                        CTA_PROTOINFO_TCP_STATE,
                        &[TCP_CONNTRACK_ESTABLISHED],
                    )
                })
            });
        }
    });
}

/// Appends an `IPCTNL_MSG_CT_DELETE` of the entry `flow` created.
pub fn push_delete(buf: &mut Vec<u8>, flow: &Flow, flags: u16, seq: u32) {
    push_message(buf, CT_DELETE, flags, seq, |buf| {
        nested(buf, CTA_TUPLE_ORIG, |b| tuple(b, flow));
    });
}

/// Appends one IPv4 ctnetlink message whose attributes `fill` writes.
fn push_message(
    buf: &mut Vec<u8>,
    kind: u16,
    flags: u16,
    seq: u32,
    fill: impl FnOnce(&mut Vec<u8>),
) {
    let start = buf.len();
    buf.resize(start + 16, 0);
    {
        let mut header = NetlinkBuffer::new(&mut buf[start..]);
        header.set_message_type(kind);
        header.set_flags(flags);
        header.set_sequence_number(seq);
    }
    // struct nfgenmsg: family, version 0, res_id 0.
    buf.extend_from_slice(&[libc::AF_INET as u8, 0, 0, 0]);
    fill(buf);
    let len = u32::try_from(buf.len() - start).expect("small message");
    NetlinkBuffer::new(&mut buf[start..]).set_length(len);
}

fn tuple(buf: &mut Vec<u8>, flow: &Flow) {
    nested(buf, CTA_TUPLE_IP, |b| {
        attr(b, CTA_IP_V4_SRC, &flow.src.octets());
        attr(b, CTA_IP_V4_DST, &flow.dst.octets());
    });
    nested(buf, CTA_TUPLE_PROTO, |b| {
        attr(b, CTA_PROTO_NUM, &[flow.proto]);
        attr(b, CTA_PROTO_SRC_PORT, &flow.sport.to_be_bytes());
        attr(b, CTA_PROTO_DST_PORT, &flow.dport.to_be_bytes());
    });
}

/// Appends one attribute, padded to 4 bytes.
fn attr(buf: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let len = u16::try_from(4 + value.len()).expect("small attribute");
    buf.extend_from_slice(&len.to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(value);
    pad(buf);
}

/// Appends a nested attribute whose content `fill` writes.
fn nested(buf: &mut Vec<u8>, kind: u16, fill: impl FnOnce(&mut Vec<u8>)) {
    let start = buf.len();
    buf.extend_from_slice(&[0; 4]);
    fill(buf);
    let len = u16::try_from(buf.len() - start).expect("small attribute");
    buf[start..start + 2].copy_from_slice(&len.to_ne_bytes());
    buf[start + 2..start + 4]
        .copy_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
}

fn pad(buf: &mut Vec<u8>) {
    buf.resize(buf.len().next_multiple_of(4), 0);
}

/// A ctnetlink socket talking to the kernel, with a receive buffer of
/// `rcvbuf` bytes.
pub fn open(rcvbuf: usize) -> anyhow::Result<Socket> {
    let mut socket = Socket::new(NETLINK_NETFILTER)
        .context("opening a NETLINK_NETFILTER socket (needs root)")?;
    socket.bind_auto().context("binding the netlink socket")?;
    force_rcvbuf(&socket, rcvbuf);
    socket
        .connect(&SocketAddr::new(0, 0))
        .context("connecting the netlink socket")?;
    Ok(socket)
}

/// Reads the kernel's answers and fails on the first error. Returns
/// whether the ACK of message `last_seq` came; with `until_ack`, blocks
/// until it does.
pub fn read_answers(
    socket: &Socket,
    last_seq: u32,
    until_ack: bool,
) -> anyhow::Result<bool> {
    let mut buf = Vec::with_capacity(READ_SIZE);
    loop {
        buf.clear();
        let flags = if until_ack { 0 } else { libc::MSG_DONTWAIT };
        match socket.recv(&mut buf, flags) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return Ok(false)
            }
            Err(e) => return Err(e).context("reading answers"),
        }
        let mut rest = &buf[..];
        while !rest.is_empty() {
            let msg = NetlinkBuffer::new_checked(rest)
                .context("a malformed answer")?;
            let len = (msg.length() as usize).next_multiple_of(4);
            let seq = msg.sequence_number();
            if msg.message_type() == NLMSG_ERROR {
                let code = msg.payload().get(..4).context("short error")?;
                let code = i32::from_ne_bytes(code.try_into()?);
                if code != 0 {
                    let e = io::Error::from_raw_os_error(-code);
                    bail!("the kernel refused entry {}: {e}", seq - 1);
                }
                if seq == last_seq {
                    return Ok(true);
                }
            }
            rest = rest.get(len..).unwrap_or_default();
        }
    }
}
