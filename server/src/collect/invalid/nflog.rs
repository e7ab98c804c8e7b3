//! The NFLOG socket: bound to nfscope's group, it receives every packet
//! the log rules pass, and its thread decodes them into the ring.
//!
//! Blocking, on a thread of its own, with a short read timeout so that
//! the thread sees its stop flag soon after the capture drops.

use std::ffi::CStr;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use netlink_packet_core::NLMSG_ERROR;
use netlink_packet_netfilter::nflog::{
    config_request, ConfigCmd, ConfigFlags, ConfigMode, ConfigNla, Timeout,
};
use netlink_packet_netfilter::NetfilterProtoFamily;
use netlink_sys::{protocols::NETLINK_NETFILTER, Socket, SocketAddr};

use super::packet::{self, NflogPacket};
use super::ring::InvalidRing;
use super::table::{PREFIX, SNAPLEN};
use super::{CaptureError, ANSWER_WAIT};
use crate::collect::conntrack::decode::messages;
use crate::collect::netlink::set_read_timeout;
use crate::collect::netlink::{force_rcvbuf, READ_SIZE};

/// Room for bursts: every chain may log its burst at once.
const RCVBUF: usize = 4 << 20;
/// How long a read blocks before the thread looks at its stop flag.
const TICK: Duration = Duration::from_millis(100);
/// `NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_PACKET`
const NFULNL_PACKET: u16 = 4 << 8;
/// Where the kernel lists the groups bound in a namespace: `/proc/net`
/// follows the main thread's namespace, `thread-self` this thread's.
const INSTANCES: &str = "/proc/thread-self/net/netfilter/nfnetlink_log";

pub struct NflogSocket {
    socket: Socket,
}

impl NflogSocket {
    /// Binds `group`: packets copied up to the snaplen, each sent at once
    /// (queue threshold 1, flush timeout 10 ms), numbered by the kernel
    /// so that losses show.
    pub fn bind(group: u16) -> Result<Self, CaptureError> {
        let mut socket = Socket::new(NETLINK_NETFILTER)
            .map_err(CaptureError::io("opening a NETLINK_NETFILTER socket"))?;
        socket.bind_auto().map_err(CaptureError::io("bind"))?;
        socket
            .connect(&SocketAddr::new(0, 0))
            .map_err(CaptureError::io("connect"))?;
        force_rcvbuf(&socket, RCVBUF);
        set_read_timeout(&socket, ANSWER_WAIT)
            .map_err(CaptureError::io("SO_RCVTIMEO"))?;
        let mut request = config_request(
            NetfilterProtoFamily::Unspec,
            group,
            vec![
                ConfigNla::Cmd(ConfigCmd::Bind),
                ConfigNla::Mode(ConfigMode::new_packet(SNAPLEN)),
                ConfigNla::QThresh(1),
                ConfigNla::Timeout(Timeout::new(1)),
                ConfigNla::Flags(ConfigFlags::SEQ),
            ],
        );
        request.header.sequence_number = 1;
        let mut bytes = vec![0; request.buffer_len()];
        request.serialize(&mut bytes);
        socket
            .send(&bytes, 0)
            .map_err(CaptureError::io("sending the NFLOG bind"))?;
        match answer(&socket, 1)? {
            0 => {}
            // The kernel says EPERM both to a process without
            // CAP_NET_ADMIN and to a bind of a group another socket holds
            // (EBUSY only to a socket binding its own group again).
            code if code == -libc::EPERM => {
                let err = io::Error::from_raw_os_error(-code);
                let text = std::fs::read_to_string(INSTANCES);
                return Err(match text.ok().and_then(|t| holder(&t, group)) {
                    Some(portid) => CaptureError::GroupBusy { group, portid },
                    None => CaptureError::Permission(err),
                });
            }
            code => {
                return Err(CaptureError::Refused {
                    what: format!("binding NFLOG group {group}"),
                    err: io::Error::from_raw_os_error(-code),
                })
            }
        }
        set_read_timeout(&socket, TICK)
            .map_err(CaptureError::io("SO_RCVTIMEO"))?;
        Ok(Self { socket })
    }

    /// Receives until `stop` is set or the socket fails for good.
    pub fn receive(self, ring: &InvalidRing, stop: &AtomicBool) {
        let mut buf = Vec::with_capacity(READ_SIZE);
        let mut reader = Reader {
            ring,
            next_seq: Some(0),
            logged_error: false,
        };
        while !stop.load(Ordering::Relaxed) {
            buf.clear();
            match self.socket.recv(&mut buf, 0) {
                Ok(_) => reader.take(&buf),
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    ring.enobufs()
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => {
                    tracing::error!(error = %e, "the NFLOG socket failed: INVALID packets are no longer captured");
                    return;
                }
            }
        }
    }
}

/// Reads the kernel's answer to request `seq`: the negative errno, or 0.
fn answer(socket: &Socket, seq: u32) -> Result<i32, CaptureError> {
    let mut buf = Vec::with_capacity(READ_SIZE);
    loop {
        buf.clear();
        socket.recv(&mut buf, 0).map_err(CaptureError::io(
            "reading the answer to the NFLOG bind",
        ))?;
        for msg in messages(&buf).flatten() {
            if msg.message_type() == NLMSG_ERROR && msg.sequence_number() == seq
            {
                let code =
                    msg.payload().get(..4).and_then(|b| b.try_into().ok());
                return Ok(code.map_or(-libc::EPROTO, i32::from_ne_bytes));
            }
        }
    }
}

/// The netlink port that holds `group`, from the kernel's list of NFLOG
/// instances (`group portid queued copy-mode copy-range timeout use`).
fn holder(instances: &str, group: u16) -> Option<u32> {
    instances.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        let g: u16 = words.next()?.parse().ok()?;
        let portid: u32 = words.next()?.parse().ok()?;
        (g == group).then_some(portid)
    })
}

/// Takes in datagrams: decodes, numbers, counts.
struct Reader<'a> {
    ring: &'a InvalidRing,
    /// The `NFULA_SEQ` the next packet should carry; `None` after a
    /// message that did not decode, until the next one that does.
    next_seq: Option<u32>,
    /// The first decode error is logged, the rest only counted.
    logged_error: bool,
}

impl Reader<'_> {
    fn take(&mut self, datagram: &[u8]) {
        for msg in messages(datagram) {
            let decoded = msg.and_then(|msg| {
                if msg.message_type() != NFULNL_PACKET {
                    // NLMSG_DONE closes a datagram of several packets.
                    return Ok(None);
                }
                let payload = msg.payload();
                let family = payload.first().copied().unwrap_or_default();
                let attrs = payload.get(4..).unwrap_or_default();
                packet::decode(family, attrs).map(Some)
            });
            match decoded {
                Ok(Some(p)) => self.packet(p),
                Ok(None) => {}
                Err(e) => {
                    if !self.logged_error {
                        tracing::warn!(error = %e, "skipped an NFLOG message that did not decode");
                        self.logged_error = true;
                    }
                    self.ring.decode_error();
                    self.next_seq = None;
                }
            }
        }
    }

    fn packet(&mut self, p: NflogPacket) {
        if let Some(seq) = p.nflog_seq {
            if let Some(expected) = self.next_seq {
                let gap = seq.wrapping_sub(expected);
                if gap != 0 {
                    self.ring.lost(gap.into());
                }
            }
            self.next_seq = Some(seq.wrapping_add(1));
        }
        // Another rule may log to the group too: its packets are not
        // nfscope's to show.
        if p.prefix.as_deref() != Some(PREFIX) {
            return;
        }
        self.ring.push(p.into_packet(now_ms(), if_name));
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The interface's name in this thread's namespace, or `ifN` if it is
/// gone.
fn if_name(index: u32) -> String {
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: buf holds IF_NAMESIZE bytes, as if_indextoname requires.
    let found = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    if found.is_null() {
        return format!("if{index}");
    }
    // SAFETY: on success if_indextoname wrote a NUL-terminated name.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cat /proc/net/netfilter/nfnetlink_log` with two groups bound.
    const INSTANCES_TEXT: &str = "\
 4207  92551     0 2   128      1  1
    5   1234     0 2 65531    100  1
";

    #[test]
    fn the_holder_of_a_group_is_its_port() {
        assert_eq!(holder(INSTANCES_TEXT, 4207), Some(92551));
        assert_eq!(holder(INSTANCES_TEXT, 5), Some(1234));
        assert_eq!(holder(INSTANCES_TEXT, 6), None);
        assert_eq!(holder("garbage\n\n", 6), None);
    }

    #[test]
    fn gaps_in_the_kernel_numbers_count_as_lost() {
        let ring = InvalidRing::new(8);
        let mut reader = Reader {
            ring: &ring,
            next_seq: Some(0),
            logged_error: false,
        };
        let p = |seq, prefix: &str| NflogPacket {
            hook: app::wire::invalid::Hook::Input,
            mark: 0,
            at_ms: Some(1),
            devices: packet::Devices::default(),
            prefix: Some(prefix.into()),
            nflog_seq: Some(seq),
            ip: packet::IpHeaders {
                src: "10.0.0.1".parse().unwrap(),
                dst: "10.0.0.2".parse().unwrap(),
                proto: 17,
                len: 28,
                ports: Some((1, 2)),
                tcp: None,
                icmp: None,
            },
        };
        reader.packet(p(0, PREFIX));
        reader.packet(p(3, PREFIX));
        reader.packet(p(4, "someone else's"));
        reader.packet(p(5, PREFIX));
        let totals = ring.totals();
        assert_eq!((totals.received, totals.lost), (3, 2));

        // A message that did not decode is not counted as lost too.
        reader.take(&[
            20, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
        ]);
        reader.packet(p(7, PREFIX));
        let totals = ring.totals();
        assert_eq!((totals.decode_errors, totals.lost), (1, 2));
    }
}
