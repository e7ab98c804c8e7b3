//! Deleting entries: `IPCTNL_MSG_CT_DELETE` with the entry's original
//! tuple, its zone and its `CTA_ID`, in the namespace of the calling
//! thread (nfscope's threads all live in the watched one). The id makes
//! the kernel delete that entry only: a later flow with the same tuple
//! has another id, and is left alone (`ENOENT`).
//!
//! ```text
//! nlmsghdr   len u32 | type u16 (CTNETLINK << 8 | DELETE) | flags u16
//!            | seq u32 | pid u32
//! nfgenmsg   family u8 | version u8 | res_id be16
//! CTA_TUPLE_ORIG { CTA_TUPLE_IP { SRC, DST }, CTA_TUPLE_PROTO { NUM,
//!                  ports or ICMP id/type/code }, [CTA_TUPLE_ZONE] }
//! [CTA_ZONE] CTA_ID
//! ```

use std::io;
use std::net::IpAddr;

use app::wire::{Flow, Tuple};
use netlink_packet_core::{NLMSG_ERROR, NLM_F_ACK, NLM_F_REQUEST};
use netlink_sys::SocketAddr;

use super::attr::*;
use super::decode::{self, CtMessage};
use super::socket::{io_err, open_socket, SocketError};

const NLA_F_NESTED: u16 = 0x8000;
const NFNETLINK_V0: u8 = 0;
const NLMSG_HDRLEN: usize = 16;
const IPPROTO_ICMP: u8 = 1;
const IPPROTO_ICMPV6: u8 = 58;

/// One entry to delete, as the kernel finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    orig: Tuple,
    proto: u8,
    id: u32,
    /// The zone of both directions.
    zone: Option<u16>,
}

impl Target {
    pub fn of(flow: &Flow) -> Self {
        // A zone of one direction is on its tuple; the flow's own zone
        // then repeats it and must not be sent as both directions'.
        let one_way = flow.orig.zone.is_some() || flow.reply.zone.is_some();
        Self {
            orig: flow.orig.clone(),
            proto: flow.proto.0,
            id: flow.id,
            zone: Some(flow.zone).filter(|z| *z != 0 && !one_way),
        }
    }
}

/// What the kernel did with one target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Deleted,
    /// The kernel has no such entry (any more).
    Gone,
}

#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    #[error(transparent)]
    Socket(#[from] SocketError),
    #[error("the kernel refused to delete a conntrack entry: {0}")]
    Refused(io::Error),
}

/// Deletes `targets` one after the other over one socket. Blocking.
pub fn delete(targets: &[Target]) -> Result<Vec<Outcome>, DeleteError> {
    let mut socket = open_socket()?;
    socket.bind_auto().map_err(io_err("bind"))?;
    socket
        .connect(&SocketAddr::new(0, 0))
        .map_err(io_err("connect"))?;
    let mut outcomes = Vec::with_capacity(targets.len());
    let mut buf = Vec::with_capacity(8192);
    for (seq, target) in (1u32..).zip(targets) {
        socket
            .send(&request(target, seq), 0)
            .map_err(io_err("sending a delete"))?;
        let code = loop {
            buf.clear();
            socket
                .recv(&mut buf, 0)
                .map_err(io_err("reading the ack"))?;
            if let Some(code) = ack(&buf, seq) {
                break code;
            }
        };
        outcomes.push(match -code {
            0 => Outcome::Deleted,
            libc::ENOENT => Outcome::Gone,
            libc::EPERM | libc::EACCES => {
                let err = io::Error::from_raw_os_error(-code);
                return Err(SocketError::Permission(err).into());
            }
            errno => {
                let err = io::Error::from_raw_os_error(errno);
                return Err(DeleteError::Refused(err));
            }
        });
    }
    Ok(outcomes)
}

/// The error code of the acknowledgement of request `seq`, if `datagram`
/// holds it.
fn ack(datagram: &[u8], seq: u32) -> Option<i32> {
    decode::messages(datagram).flatten().find_map(|msg| {
        if msg.message_type() != NLMSG_ERROR || msg.sequence_number() != seq {
            return None;
        }
        match decode::parse_message(&msg, false) {
            Ok(CtMessage::Error(code)) => Some(code),
            _ => None,
        }
    })
}

/// The whole request, header included.
pub fn request(target: &Target, seq: u32) -> Vec<u8> {
    let mut msg = vec![0; NLMSG_HDRLEN];
    let family = match target.orig.src {
        IpAddr::V4(_) => libc::AF_INET,
        IpAddr::V6(_) => libc::AF_INET6,
    };
    msg.extend_from_slice(&[family as u8, NFNETLINK_V0, 0, 0]);
    nested(&mut msg, CTA_TUPLE_ORIG, |m| tuple(m, target));
    if let Some(zone) = target.zone {
        attr(&mut msg, CTA_ZONE, &zone.to_be_bytes());
    }
    attr(&mut msg, CTA_ID, &target.id.to_be_bytes());
    let kind =
        u16::from(NFNL_SUBSYS_CTNETLINK) << 8 | u16::from(IPCTNL_MSG_CT_DELETE);
    let len = msg.len() as u32;
    msg[0..4].copy_from_slice(&len.to_ne_bytes());
    msg[4..6].copy_from_slice(&kind.to_ne_bytes());
    msg[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
    msg[8..12].copy_from_slice(&seq.to_ne_bytes());
    msg
}

fn tuple(msg: &mut Vec<u8>, target: &Target) {
    let t = &target.orig;
    nested(msg, CTA_TUPLE_IP, |m| match (t.src, t.dst) {
        (IpAddr::V4(src), IpAddr::V4(dst)) => {
            attr(m, CTA_IP_V4_SRC, &src.octets());
            attr(m, CTA_IP_V4_DST, &dst.octets());
        }
        (src, dst) => {
            attr(m, CTA_IP_V6_SRC, &v6(src));
            attr(m, CTA_IP_V6_DST, &v6(dst));
        }
    });
    nested(msg, CTA_TUPLE_PROTO, |m| {
        attr(m, CTA_PROTO_NUM, &[target.proto]);
        let (id, kind, code) = match target.proto {
            IPPROTO_ICMP => {
                (CTA_PROTO_ICMP_ID, CTA_PROTO_ICMP_TYPE, CTA_PROTO_ICMP_CODE)
            }
            IPPROTO_ICMPV6 => (
                CTA_PROTO_ICMPV6_ID,
                CTA_PROTO_ICMPV6_TYPE,
                CTA_PROTO_ICMPV6_CODE,
            ),
            _ => {
                if let Some(port) = t.sport {
                    attr(m, CTA_PROTO_SRC_PORT, &port.to_be_bytes());
                }
                if let Some(port) = t.dport {
                    attr(m, CTA_PROTO_DST_PORT, &port.to_be_bytes());
                }
                return;
            }
        };
        if let Some(v) = t.icmp_id {
            attr(m, id, &v.to_be_bytes());
        }
        if let Some(v) = t.icmp_type {
            attr(m, kind, &[v]);
        }
        if let Some(v) = t.icmp_code {
            attr(m, code, &[v]);
        }
    });
    if let Some(zone) = t.zone {
        attr(msg, CTA_TUPLE_ZONE, &zone.to_be_bytes());
    }
}

fn v6(addr: IpAddr) -> [u8; 16] {
    match addr {
        IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
        IpAddr::V6(a) => a.octets(),
    }
}

/// Appends one attribute, padded to 4 bytes.
fn attr(msg: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let len = (4 + value.len()) as u16;
    msg.extend_from_slice(&len.to_ne_bytes());
    msg.extend_from_slice(&kind.to_ne_bytes());
    msg.extend_from_slice(value);
    msg.resize(msg.len().next_multiple_of(4), 0);
}

/// Appends a nested attribute holding what `inner` appends.
fn nested(msg: &mut Vec<u8>, kind: u16, inner: impl FnOnce(&mut Vec<u8>)) {
    let start = msg.len();
    msg.extend_from_slice(&[0; 4]);
    inner(msg);
    let len = (msg.len() - start) as u16;
    msg[start..start + 2].copy_from_slice(&len.to_ne_bytes());
    msg[start + 2..start + 4]
        .copy_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn udp(zone: Option<u16>, orig_zone: Option<u16>) -> Target {
        let orig = Tuple {
            src: "10.9.0.1".parse().unwrap(),
            dst: "10.9.0.2".parse().unwrap(),
            sport: Some(3000),
            dport: Some(53),
            icmp_type: None,
            icmp_code: None,
            icmp_id: None,
            zone: orig_zone,
        };
        Target {
            orig,
            proto: 17,
            id: 0x01020304,
            zone,
        }
    }

    #[test]
    fn a_delete_names_the_tuple_the_zone_and_the_id() {
        let msg = request(&udp(Some(7), None), 9);
        #[rustfmt::skip]
        let expected: Vec<u8> = [
            &[88, 0, 0, 0][..],       // nlmsg_len
            &[0x02, 0x01],            // CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE
            &[0x05, 0x00],            // NLM_F_REQUEST | NLM_F_ACK
            &[9, 0, 0, 0],            // seq
            &[0, 0, 0, 0],            // pid
            &[2, 0, 0, 0],            // AF_INET, NFNETLINK_V0, res_id 0
            &[52, 0, 0x01, 0x80],     // CTA_TUPLE_ORIG, nested
            &[20, 0, 0x01, 0x80],     //   CTA_TUPLE_IP
            &[8, 0, 1, 0, 10, 9, 0, 1], //   CTA_IP_V4_SRC 10.9.0.1
            &[8, 0, 2, 0, 10, 9, 0, 2], //   CTA_IP_V4_DST 10.9.0.2
            &[28, 0, 0x02, 0x80],     //   CTA_TUPLE_PROTO
            &[5, 0, 1, 0, 17, 0, 0, 0], //   CTA_PROTO_NUM udp, padded
            &[6, 0, 2, 0, 0x0b, 0xb8, 0, 0], // CTA_PROTO_SRC_PORT 3000
            &[6, 0, 3, 0, 0, 53, 0, 0], //   CTA_PROTO_DST_PORT 53
            &[6, 0, 18, 0, 0, 7, 0, 0], // CTA_ZONE 7
            &[8, 0, 12, 0, 1, 2, 3, 4], // CTA_ID
        ]
        .concat();
        assert_eq!(msg, expected);
    }

    #[test]
    fn a_zone_of_one_direction_goes_on_the_tuple() {
        let msg = request(&udp(None, Some(3)), 1);
        // CTA_TUPLE_ZONE 3 closes the original tuple.
        let zone = [6, 0, 3, 0, 0, 3, 0, 0];
        assert!(msg.windows(8).any(|w| w == zone));
        assert!(!msg.windows(4).any(|w| w == [6, 0, 18, 0]));
    }

    #[test]
    fn an_ack_is_found_by_its_sequence_number() {
        let mut datagram = vec![0; 36];
        datagram[0..4].copy_from_slice(&36u32.to_ne_bytes());
        datagram[4..6].copy_from_slice(&NLMSG_ERROR.to_ne_bytes());
        datagram[8..12].copy_from_slice(&5u32.to_ne_bytes());
        datagram[16..20].copy_from_slice(&(-libc::ENOENT).to_ne_bytes());
        assert_eq!(ack(&datagram, 5), Some(-libc::ENOENT));
        assert_eq!(ack(&datagram, 6), None);
        assert_eq!(ack(&[1, 2, 3], 5), None);
    }
}
