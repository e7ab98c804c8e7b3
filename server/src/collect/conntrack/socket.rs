//! The two ctnetlink sockets: one subscribed to events, one per dump.
//!
//! Both are blocking and live on their own threads: the event reader must
//! drain the kernel's buffer faster than conntrack fills it, and a thread
//! that does nothing else is the simplest way to never be late.

use std::io;

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_netfilter::conntrack::ConntrackMessage;
use netlink_packet_netfilter::{
    NetfilterHeader, NetfilterMessage, NetfilterProtoFamily,
};
use netlink_sys::{protocols::NETLINK_NETFILTER, Socket, SocketAddr};

use super::attr::*;
use crate::collect::netlink::force_rcvbuf;

#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error(
        "nfscope needs CAP_NET_ADMIN to read conntrack (run it as root, or \
         grant it with `setcap cap_net_admin+ep $(which nfscope)`)"
    )]
    Permission(#[source] io::Error),
    #[error("conntrack netlink socket: {what}: {err}")]
    Io {
        what: &'static str,
        #[source]
        err: io::Error,
    },
}

pub(super) fn io_err(
    what: &'static str,
) -> impl FnOnce(io::Error) -> SocketError {
    move |err| SocketError::Io { what, err }
}

/// A socket subscribed to NEW, UPDATE and DESTROY events.
pub struct EventSocket {
    socket: Socket,
    /// The receive buffer the kernel granted, bytes.
    pub rcvbuf: usize,
}

impl EventSocket {
    /// Subscribes before anything is dumped, so that no change can slip
    /// between the dump and the first event.
    pub fn open(rcvbuf: usize) -> Result<Self, SocketError> {
        let mut socket = open_socket()?;
        socket.bind_auto().map_err(io_err("bind"))?;
        for group in [
            NFNLGRP_CONNTRACK_NEW,
            NFNLGRP_CONNTRACK_UPDATE,
            NFNLGRP_CONNTRACK_DESTROY,
        ] {
            socket
                .add_membership(group)
                .map_err(permission_or("joining the conntrack event groups"))?;
        }
        force_rcvbuf(&socket, rcvbuf);
        let rcvbuf = socket.get_rx_buf_sz().map_err(io_err("SO_RCVBUF"))?;
        Ok(Self { socket, rcvbuf })
    }

    /// Blocks for the next datagram and appends it to `buf`.
    pub fn recv(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
        self.socket.recv(buf, 0)
    }

    /// Appends the next datagram if one is waiting, without blocking.
    pub fn try_recv(&self, buf: &mut Vec<u8>) -> io::Result<Option<usize>> {
        match self.socket.recv(buf, libc::MSG_DONTWAIT) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Sends a dump request for both address families on a fresh socket; the
/// answer is read with [`DumpSocket::recv`] until `NLMSG_DONE`.
pub struct DumpSocket {
    socket: Socket,
}

impl DumpSocket {
    pub fn request() -> Result<Self, SocketError> {
        let mut socket = open_socket()?;
        socket.bind_auto().map_err(io_err("bind"))?;
        // A big buffer lets the kernel run ahead while we decode.
        force_rcvbuf(&socket, 8 << 20);
        socket
            .connect(&SocketAddr::new(0, 0))
            .map_err(io_err("connect"))?;
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_DUMP;
        let mut msg = NetlinkMessage::new(
            header,
            NetlinkPayload::from(NetfilterMessage::new(
                NetfilterHeader::new(NetfilterProtoFamily::Unspec, 0, 0),
                ConntrackMessage::Get(Vec::new()),
            )),
        );
        msg.finalize();
        let mut bytes = vec![0; msg.buffer_len()];
        msg.serialize(&mut bytes);
        socket
            .send(&bytes, 0)
            .map_err(permission_or("sending the dump request"))?;
        Ok(Self { socket })
    }

    pub fn recv(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
        self.socket.recv(buf, 0)
    }
}

pub(super) fn open_socket() -> Result<Socket, SocketError> {
    Socket::new(NETLINK_NETFILTER)
        .map_err(permission_or("opening a NETLINK_NETFILTER socket"))
}

fn permission_or(what: &'static str) -> impl FnOnce(io::Error) -> SocketError {
    move |err| match err.raw_os_error() {
        Some(libc::EPERM | libc::EACCES) => SocketError::Permission(err),
        _ => SocketError::Io { what, err },
    }
}
