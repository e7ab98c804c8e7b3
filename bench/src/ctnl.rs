//! Just enough ctnetlink to fill a table: the numbers (as in
//! `linux/netfilter/nfnetlink_conntrack.h`), a message writer, and a
//! socket set up the way nfscope's collector sets up its own.

use std::net::Ipv4Addr;

use anyhow::Context;
use netlink_packet_core::{NetlinkBuffer, NLA_F_NESTED};
use netlink_sys::{protocols::NETLINK_NETFILTER, Socket, SocketAddr};
use nfscope::collect::netlink::force_rcvbuf;

const NFNL_SUBSYS_CTNETLINK: u16 = 1;
const IPCTNL_MSG_CT_NEW: u16 = 0;
/// `nlmsg_type` of a conntrack NEW request.
const CT_NEW: u16 = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;

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
    let start = buf.len();
    buf.resize(start + 16, 0);
    {
        let mut header = NetlinkBuffer::new(&mut buf[start..]);
        header.set_message_type(CT_NEW);
        header.set_flags(flags);
        header.set_sequence_number(seq);
    }
    // struct nfgenmsg: family, version 0, res_id 0.
    buf.extend_from_slice(&[libc::AF_INET as u8, 0, 0, 0]);
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
                attr(b, CTA_PROTOINFO_TCP_STATE, &[TCP_CONNTRACK_ESTABLISHED])
            })
        });
    }
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
