//! Pure decoding of one NFLOG packet message (`NFULNL_MSG_PACKET`): the
//! attributes, then the IP and layer-4 headers of the packet's first
//! bytes.
//!
//! Written on netlink-packet-core's `NlaBuffer` instead of
//! netlink-packet-netfilter's `nflog::PacketNla`: that crate keeps the
//! fields of its packet header and timestamp private, and copies the
//! payload of every packet.
//!
//! ```text
//! NFULA_PACKET_HDR  hw_protocol (be16) | hook (u8) | pad
//! NFULA_TIMESTAMP   sec (be64) | usec (be64)   (hooks up to forward)
//! NFULA_PAYLOAD     the packet from its IP header, up to the snaplen
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use app::wire::invalid::{Hook, InvalidPacket, TcpFlags};
use app::wire::Proto;
use netlink_packet_core::{
    parse_u32_be, DecodeError, ErrorContext, NlasIterator,
};

// enum nfulnl_attr_type (linux/netfilter/nfnetlink_log.h)
const NFULA_PACKET_HDR: u16 = 1;
const NFULA_MARK: u16 = 2;
const NFULA_TIMESTAMP: u16 = 3;
const NFULA_IFINDEX_INDEV: u16 = 4;
const NFULA_IFINDEX_OUTDEV: u16 = 5;
const NFULA_IFINDEX_PHYSINDEV: u16 = 6;
const NFULA_IFINDEX_PHYSOUTDEV: u16 = 7;
const NFULA_PAYLOAD: u16 = 9;
const NFULA_PREFIX: u16 = 10;
const NFULA_SEQ: u16 = 12;

const NFPROTO_IPV4: u8 = 2;
const NFPROTO_BRIDGE: u8 = 7;
const NFPROTO_IPV6: u8 = 10;
const ETH_P_IP: u16 = 0x0800;
const ETH_P_IPV6: u16 = 0x86dd;

const IPPROTO_HOPOPTS: u8 = 0;
const IPPROTO_ICMP: u8 = 1;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const IPPROTO_DCCP: u8 = 33;
const IPPROTO_ROUTING: u8 = 43;
const IPPROTO_FRAGMENT: u8 = 44;
const IPPROTO_AH: u8 = 51;
const IPPROTO_ICMPV6: u8 = 58;
const IPPROTO_DSTOPTS: u8 = 60;
const IPPROTO_SCTP: u8 = 132;
const IPPROTO_MH: u8 = 135;
const IPPROTO_UDPLITE: u8 = 136;

/// More IPv6 extension headers than this is not a packet worth reading
/// to the end: the walk stops with an error.
const MAX_EXTENSION_HEADERS: usize = 8;

/// What one NFLOG message says, before interface names are looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NflogPacket {
    pub hook: Hook,
    pub mark: u32,
    /// The kernel's time for the packet, ms since the Unix epoch; the
    /// kernel gives none from the output hook on, nor when nothing on
    /// the machine asked for packet timestamps.
    pub at_ms: Option<u64>,
    pub devices: Devices,
    /// The log rule's prefix.
    pub prefix: Option<String>,
    /// `NFULA_SEQ`: the kernel's count of packets logged to this group
    /// (`NFULNL_CFG_F_SEQ`); a gap is packets lost on the way.
    pub nflog_seq: Option<u32>,
    pub ip: IpHeaders,
}

/// Interface indexes; the physical ones are a bridge's ports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Devices {
    pub in_dev: Option<u32>,
    pub out_dev: Option<u32>,
    pub phys_in: Option<u32>,
    pub phys_out: Option<u32>,
}

/// The headers of the logged packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpHeaders {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// For IPv6, the header after the extension headers.
    pub proto: u8,
    /// The whole packet as its IP header says, bytes.
    pub len: u16,
    /// `None` in a fragment that is not the first.
    pub ports: Option<(u16, u16)>,
    pub tcp: Option<TcpHeader>,
    pub icmp: Option<(u8, u8)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpHeader {
    pub flags: u8,
    pub seq: u32,
    pub ack: u32,
    pub window: u16,
}

/// Decodes the attributes of one `NFULNL_MSG_PACKET` (after `struct
/// nfgenmsg`, whose family is `nfgen_family`: the packet's for the IP
/// families, 7 for the bridge).
pub fn decode(
    nfgen_family: u8,
    attrs: &[u8],
) -> Result<NflogPacket, DecodeError> {
    let (mut header, mut payload) = (None, None);
    let (mut mark, mut at_ms, mut prefix, mut nflog_seq) =
        (0, None, None, None);
    let mut devices = Devices::default();
    for nla in NlasIterator::new(attrs) {
        let nla = nla.context("invalid NFLOG attribute")?;
        let (kind, len) = (nla.kind(), usize::from(nla.length()));
        // Sliced from `attrs` itself, not borrowed from `nla` as its
        // `value()` is: the payload is read after the loop.
        let v = nla.into_inner().get(4..len).unwrap_or_default();
        match kind {
            NFULA_PACKET_HDR => {
                header =
                    Some(packet_hdr(v).context("invalid NFULA_PACKET_HDR")?)
            }
            NFULA_MARK => {
                mark = parse_u32_be(v).context("invalid NFULA_MARK")?
            }
            NFULA_TIMESTAMP => {
                at_ms = timestamp(v).context("invalid NFULA_TIMESTAMP")?
            }
            NFULA_IFINDEX_INDEV => {
                devices.in_dev = Some(
                    parse_u32_be(v).context("invalid NFULA_IFINDEX_INDEV")?,
                )
            }
            NFULA_IFINDEX_OUTDEV => {
                devices.out_dev = Some(
                    parse_u32_be(v).context("invalid NFULA_IFINDEX_OUTDEV")?,
                )
            }
            NFULA_IFINDEX_PHYSINDEV => {
                devices.phys_in = Some(
                    parse_u32_be(v)
                        .context("invalid NFULA_IFINDEX_PHYSINDEV")?,
                )
            }
            NFULA_IFINDEX_PHYSOUTDEV => {
                devices.phys_out = Some(
                    parse_u32_be(v)
                        .context("invalid NFULA_IFINDEX_PHYSOUTDEV")?,
                )
            }
            NFULA_PREFIX => prefix = Some(prefix_text(v)),
            NFULA_SEQ => {
                nflog_seq = Some(parse_u32_be(v).context("invalid NFULA_SEQ")?)
            }
            NFULA_PAYLOAD => payload = Some(v),
            _ => {}
        }
    }
    let (hw_protocol, hook) =
        header.ok_or_else(|| DecodeError::from("no NFULA_PACKET_HDR"))?;
    let payload =
        payload.ok_or_else(|| DecodeError::from("no NFULA_PAYLOAD"))?;
    let ip = match (nfgen_family, hw_protocol) {
        (NFPROTO_IPV4, _) | (NFPROTO_BRIDGE, ETH_P_IP) => ipv4(payload),
        (NFPROTO_IPV6, _) | (NFPROTO_BRIDGE, ETH_P_IPV6) => ipv6(payload),
        _ => Err(DecodeError::from(format!(
            "family {nfgen_family} with protocol {hw_protocol:#06x} is not IP"
        ))),
    }
    .context("invalid NFULA_PAYLOAD")?;
    Ok(NflogPacket {
        hook: hook_of(nfgen_family, hook),
        mark,
        at_ms,
        devices,
        prefix,
        nflog_seq,
        ip,
    })
}

impl NflogPacket {
    /// The packet as the API shows it, with `seq` 0 for the ring to
    /// number. `received_ms` stands in for a time the kernel did not
    /// give; `name` names an interface index.
    pub fn into_packet(
        self,
        received_ms: u64,
        name: impl Fn(u32) -> String,
    ) -> InvalidPacket {
        let ip = self.ip;
        let family = match ip.src {
            IpAddr::V4(_) => NFPROTO_IPV4,
            IpAddr::V6(_) => NFPROTO_IPV6,
        };
        InvalidPacket {
            seq: 0,
            at_ms: self.at_ms.unwrap_or(received_ms),
            family,
            hook: self.hook,
            in_dev: self.devices.in_dev.map(&name),
            out_dev: self.devices.out_dev.map(&name),
            phys_in: self.devices.phys_in.map(&name),
            phys_out: self.devices.phys_out.map(&name),
            mark: self.mark,
            proto: Proto(ip.proto),
            src: ip.src,
            dst: ip.dst,
            sport: ip.ports.map(|(s, _)| s),
            dport: ip.ports.map(|(_, d)| d),
            tcp_flags: ip.tcp.map(|t| TcpFlags(t.flags)),
            tcp_seq: ip.tcp.map(|t| t.seq),
            tcp_ack: ip.tcp.map(|t| t.ack),
            tcp_window: ip.tcp.map(|t| t.window),
            icmp: ip.icmp,
            len: ip.len,
        }
    }
}

/// The bridge numbers its hooks as the IP families do.
fn hook_of(nfgen_family: u8, hook: u8) -> Hook {
    let bridge = nfgen_family == NFPROTO_BRIDGE;
    match (hook, bridge) {
        (0, false) => Hook::Prerouting,
        (1, false) => Hook::Input,
        (2, false) => Hook::Forward,
        (3, false) => Hook::Output,
        (4, false) => Hook::Postrouting,
        (0, true) => Hook::BridgePrerouting,
        (1, true) => Hook::BridgeInput,
        (2, true) => Hook::BridgeForward,
        (3, true) => Hook::BridgeOutput,
        (4, true) => Hook::BridgePostrouting,
        (n, _) => Hook::Other(n),
    }
}

/// `struct nfulnl_msg_packet_hdr`: hardware protocol and hook.
fn packet_hdr(v: &[u8]) -> Result<(u16, u8), DecodeError> {
    match *v {
        [hi, lo, hook, _pad] => Ok((u16::from_be_bytes([hi, lo]), hook)),
        _ => Err(format!("{} bytes instead of 4", v.len()).into()),
    }
}

/// `struct nfulnl_msg_packet_timestamp`; all zero is no time.
fn timestamp(v: &[u8]) -> Result<Option<u64>, DecodeError> {
    let (sec, usec) = match v.len() {
        16 => (be64(&v[..8]), be64(&v[8..])),
        n => return Err(format!("{n} bytes instead of 16").into()),
    };
    let ms = sec.saturating_mul(1000).saturating_add(usec / 1000);
    Ok(((sec, usec) != (0, 0)).then_some(ms))
}

/// NUL-terminated; a prefix that is not UTF-8 is kept readable.
fn prefix_text(v: &[u8]) -> String {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    String::from_utf8_lossy(&v[..end]).into_owned()
}

/// ```text
///  0       4       8      12      16      20
///  |v ihl|tos|len |id |frag|ttl|p|sum| src | dst | options…
/// ```
fn ipv4(b: &[u8]) -> Result<IpHeaders, DecodeError> {
    let h = b
        .get(..20)
        .ok_or_else(|| short("IPv4 header", b.len(), 20))?;
    if h[0] >> 4 != 4 {
        return Err(
            format!("IP version {} in an IPv4 packet", h[0] >> 4).into()
        );
    }
    let header_len = usize::from(h[0] & 0x0f) * 4;
    // 0 in a BIG TCP packet, of more than 64 KiB.
    let len = be16(&h[2..4]);
    if header_len < 20 || (len != 0 && usize::from(len) < header_len) {
        return Err(format!(
            "IPv4 header of {header_len} bytes in a packet of {len}"
        )
        .into());
    }
    let first_fragment = be16(&h[6..8]) & 0x1fff == 0;
    let l4 = b
        .get(header_len..)
        .ok_or_else(|| short("IPv4 options", b.len(), header_len))?;
    let src = Ipv4Addr::from(be32(&h[12..16]));
    let dst = Ipv4Addr::from(be32(&h[16..20]));
    transport(
        src.into(),
        dst.into(),
        h[9],
        len,
        first_fragment.then_some(l4),
    )
}

/// ```text
///  0        4       6    7     8        24       40
///  |v tc flow|paylen|next|hops| src     | dst     | extension headers…
/// ```
fn ipv6(b: &[u8]) -> Result<IpHeaders, DecodeError> {
    let h = b
        .get(..40)
        .ok_or_else(|| short("IPv6 header", b.len(), 40))?;
    if h[0] >> 4 != 6 {
        return Err(
            format!("IP version {} in an IPv6 packet", h[0] >> 4).into()
        );
    }
    let len = be16(&h[4..6]).saturating_add(40);
    let src = Ipv6Addr::from(octets::<16>(&h[8..24]));
    let dst = Ipv6Addr::from(octets::<16>(&h[24..40]));
    let (proto, l4) = extension_headers(h[6], &b[40..])?;
    transport(src.into(), dst.into(), proto, len, l4)
}

/// Walks the extension headers from `next`; gives the protocol after
/// them and its bytes, or no bytes in a fragment that is not the first.
fn extension_headers(
    mut next: u8,
    mut rest: &[u8],
) -> Result<(u8, Option<&[u8]>), DecodeError> {
    for _ in 0..MAX_EXTENSION_HEADERS {
        let len = match next {
            IPPROTO_HOPOPTS | IPPROTO_ROUTING | IPPROTO_DSTOPTS
            | IPPROTO_MH => {
                let h = rest.get(..2).ok_or_else(|| ext_short(next))?;
                (usize::from(h[1]) + 1) * 8
            }
            IPPROTO_AH => {
                let h = rest.get(..2).ok_or_else(|| ext_short(next))?;
                (usize::from(h[1]) + 2) * 4
            }
            IPPROTO_FRAGMENT => 8,
            _ => return Ok((next, Some(rest))),
        };
        let header = rest.get(..len).ok_or_else(|| ext_short(next))?;
        let this = next;
        next = header[0];
        rest = &rest[len..];
        if this == IPPROTO_FRAGMENT && be16(&header[2..4]) >> 3 != 0 {
            return Ok((next, None));
        }
    }
    Err(
        format!("more than {MAX_EXTENSION_HEADERS} IPv6 extension headers")
            .into(),
    )
}

fn ext_short(kind: u8) -> DecodeError {
    format!("IPv6 extension header {kind} runs past the capture").into()
}

/// The layer-4 header at the start of `l4`, if the packet has it.
fn transport(
    src: IpAddr,
    dst: IpAddr,
    proto: u8,
    len: u16,
    l4: Option<&[u8]>,
) -> Result<IpHeaders, DecodeError> {
    let mut ip = IpHeaders {
        src,
        dst,
        proto,
        len,
        ports: None,
        tcp: None,
        icmp: None,
    };
    let Some(b) = l4 else {
        return Ok(ip);
    };
    let need = match proto {
        IPPROTO_TCP => 20,
        IPPROTO_UDP | IPPROTO_UDPLITE => 8,
        IPPROTO_SCTP | IPPROTO_DCCP => 4,
        IPPROTO_ICMP | IPPROTO_ICMPV6 => 4,
        _ => return Ok(ip),
    };
    let h = b.get(..need).ok_or_else(|| {
        short(&format!("{} header", Proto(proto)), b.len(), need)
    })?;
    if matches!(proto, IPPROTO_ICMP | IPPROTO_ICMPV6) {
        ip.icmp = Some((h[0], h[1]));
        return Ok(ip);
    }
    ip.ports = Some((be16(&h[0..2]), be16(&h[2..4])));
    if proto == IPPROTO_TCP {
        ip.tcp = Some(TcpHeader {
            seq: be32(&h[4..8]),
            ack: be32(&h[8..12]),
            flags: h[13],
            window: be16(&h[14..16]),
        });
    }
    Ok(ip)
}

fn short(what: &str, have: usize, need: usize) -> DecodeError {
    format!("{what} cut short: {have} bytes of {need}").into()
}

// Callers pass slices of the exact length, cut from a checked one.
fn octets<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0; N];
    a.copy_from_slice(b);
    a
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes(octets(b))
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes(octets(b))
}

fn be64(b: &[u8]) -> u64 {
    u64::from_be_bytes(octets(b))
}

#[cfg(test)]
mod tests {
    //! Fixtures are NFLOG messages captured on kernel 6.18.44 with a raw
    //! NETLINK_NETFILTER socket bound to group 4207 (copy range 128,
    //! qthreshold 1, `NFULNL_CFG_F_SEQ`) in a namespace B joined to A
    //! by a veth (a0 10.77.0.1, fd77::1 — b0 10.77.0.2, fd77::2, ifindex
    //! 2), B loaded with the rules nfscope installs, a `meta mark set
    //! 0x2a` at prerouting priority raw, and
    //! `net.netfilter.nf_conntrack_tcp_loose=0`. A connected to
    //! 10.77.0.2:8080, `conntrack -F` ran in B, and A sent "hello
    //! invalid"; then A sent, through an AF_PACKET socket, an ICMPv6
    //! echo reply behind a Destination Options header. The bridged
    //! packet is the same exchange between two namespaces on the ports
    //! px (3) and py (4) of a bridge br0 (2) in a third one, with
    //! `bridge-nf-call-iptables=1`: br_netfilter runs the inet hooks for
    //! it. Each line below is one attribute.

    use proptest::prelude::*;

    use super::*;

    use crate::collect::netlink::hex_bytes as bytes;

    /// The attributes of a captured message, after checking its headers.
    fn attrs(message: &[u8], family: u8) -> &[u8] {
        assert_eq!(message.len(), message[0] as usize);
        // NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_PACKET
        assert_eq!(&message[4..6], &0x0400u16.to_ne_bytes());
        // nfgenmsg: the family, version 0, the group
        assert_eq!(&message[16..20], &[family, 0, 0x10, 0x6f]);
        &message[20..]
    }

    /// The data A sent arrives at B's prerouting.
    const V4_TCP_PREROUTING: &str = concat!(
        "d8000000 00040000 00000000 00000000", // nlmsghdr: len 216
        "0200106f", // nfgenmsg: AF_INET, version 0, group 4207
        "08000100 08000000", // PACKET_HDR: 0x0800, hook 0
        "14000a00 6e667363 6f70652d 696e7661 6c696400", // PREFIX
        "08000400 00000002", // IFINDEX_INDEV 2
        "08000200 0000002a", // MARK 0x2a
        "10000800 00060000 c6f5d804 b78d0000", // HWADDR
        "06000f00 00010000", // HWTYPE 1
        "06001100 000e0000", // HWLEN 14
        "12001000 36cbb840 5577c6f5 d804b78d 08000000", // HWHEADER
        "14000300 00000000 6b0f856a 00000000 0002e1ef", // TIMESTAMP
        "08000c00 00000000", // SEQ 0
        "45000900", // PAYLOAD, 65 bytes
        "45000041 a6304000 40067fea 0a4d0001 0a4d0002", // IPv4, TCP
        "9bb01f90 50470284 93afc445 8018003f 14d00000", // 39856 → 8080
        "0101080a 094a61e9 0e787376 68656c6c 6f20696e", // options, data
        "76616c69 64000000",
    );

    /// B acknowledges it: the output hook, where the kernel gives no
    /// time and the packet has no mark.
    const V4_TCP_OUTPUT: &str = concat!(
        "88000000 00040000 00000000 00000000", // nlmsghdr: len 136
        "0200106f",                            // nfgenmsg
        "08000100 08000300",                   // PACKET_HDR: hook 3
        "14000a00 6e667363 6f70652d 696e7661 6c696400", // PREFIX
        "08000500 00000002",                   // IFINDEX_OUTDEV 2
        "08000b00 00000000",                   // UID 0
        "08000e00 00000000",                   // GID 0
        "08000c00 00000002",                   // SEQ 2
        "38000900",                            // PAYLOAD, 52 bytes
        "45000034 c6704000 40065fb7 0a4d0002 0a4d0001",
        "1f909bb0 93afc445 50470291 80100040 14c30000",
        "0101080a 0e7873e7 094a61e9",
    );

    /// An ICMPv6 echo reply nobody asked for, behind Destination Options.
    const V6_ICMP_DSTOPTS: &str = concat!(
        "d4000000 00040000 00000000 00000000", // nlmsghdr: len 212
        "0a00106f", // nfgenmsg: AF_INET6, version 0, group 4207
        "08000100 86dd0000", // PACKET_HDR: 0x86dd, hook 0
        "14000a00 6e667363 6f70652d 696e7661 6c696400", // PREFIX
        "08000400 00000002", // IFINDEX_INDEV 2
        "08000200 0000002a", // MARK 0x2a
        "10000800 00060000 02000000 00010000", // HWADDR
        "06000f00 00010000", // HWTYPE
        "06001100 000e0000", // HWLEN
        "12001000 36cbb840 55770200 00000001 86dd0000", // HWHEADER
        "14000300 00000000 6b0f856c 00000000 000c69a0", // TIMESTAMP
        "08000c00 00000006", // SEQ 6
        "44000900", // PAYLOAD, 64 bytes
        "60000000 00183c40 fd770000 00000000 00000000", // next 60 (dstopts)
        "00000001 fd770000 00000000 00000000 00000002",
        "3a000104 00000000 81008b1d 42420007 6e667363", // next 58, PadN;
        "6f706521",                                     // echo reply id 0x4242
    );

    /// Data between two bridge ports, at the inet forward hook.
    const V4_BRIDGED_FORWARD: &str = concat!(
        "e8000000 00040000 00000000 00000000", // nlmsghdr: len 232
        "0200106f",                            // nfgenmsg
        "08000100 08000200",                   // PACKET_HDR: hook 2
        "14000a00 6e667363 6f70652d 696e7661 6c696400", // PREFIX
        "08000400 00000002",                   // IFINDEX_INDEV 2 (br0)
        "08000600 00000003",                   // IFINDEX_PHYSINDEV 3 (px)
        "08000500 00000002",                   // IFINDEX_OUTDEV 2 (br0)
        "08000700 00000004",                   // IFINDEX_PHYSOUTDEV 4 (py)
        "10000800 00060000 2adfab95 66d10000", // HWADDR
        "06000f00 00010000",                   // HWTYPE
        "06001100 000e0000",                   // HWLEN
        "12001000 a2fe3e96 27af2adf ab9566d1 08000000", // HWHEADER
        "14000300 00000000 6b0f8d0d 00000000 0002533b", // TIMESTAMP
        "08000c00 00000001",                   // SEQ 1
        "45000900",                            // PAYLOAD, 65 bytes
        "45000041 5edc4000 4006c73c 0a4e0001 0a4e0002", // 10.78.0.1 →
        "cd941f90 1481d131 6e9ac01f 8018003f 14d20000", // 10.78.0.2
        "0101080a 5ac9d1b6 476f6b7e 68656c6c 6f206272",
        "69646765 64000000",
    );

    fn name(index: u32) -> String {
        format!("dev{index}")
    }

    #[test]
    fn tcp_data_at_prerouting() {
        let message = bytes(V4_TCP_PREROUTING);
        let p = decode(2, attrs(&message, 2)).unwrap();
        assert_eq!(p.hook, Hook::Prerouting);
        assert_eq!(p.mark, 0x2a);
        assert_eq!(p.at_ms, Some(1_796_179_306_188));
        assert_eq!((p.devices.in_dev, p.devices.out_dev), (Some(2), None));
        assert_eq!(p.prefix.as_deref(), Some("nfscope-invalid"));
        assert_eq!(p.nflog_seq, Some(0));
        let ip = &p.ip;
        assert_eq!(ip.src.to_string(), "10.77.0.1");
        assert_eq!(ip.dst.to_string(), "10.77.0.2");
        assert_eq!((ip.proto, ip.len), (6, 65));
        assert_eq!(ip.ports, Some((39856, 8080)));
        assert_eq!(
            ip.tcp,
            Some(TcpHeader {
                flags: 0x18,
                seq: 0x5047_0284,
                ack: 0x93af_c445,
                window: 63,
            })
        );

        let wire = p.into_packet(5, name);
        assert_eq!(wire.at_ms, 1_796_179_306_188);
        assert_eq!(wire.family, 2);
        assert_eq!(wire.in_dev.as_deref(), Some("dev2"));
        assert_eq!(wire.proto, Proto::TCP);
        assert_eq!((wire.sport, wire.dport), (Some(39856), Some(8080)));
        assert_eq!(wire.tcp_flags.unwrap().to_string(), "PSH,ACK");
        assert_eq!(wire.icmp, None);
    }

    #[test]
    fn the_ack_at_output_has_no_kernel_time() {
        let message = bytes(V4_TCP_OUTPUT);
        let p = decode(2, attrs(&message, 2)).unwrap();
        assert_eq!(p.hook, Hook::Output);
        assert_eq!((p.mark, p.at_ms), (0, None));
        assert_eq!((p.devices.in_dev, p.devices.out_dev), (None, Some(2)));
        assert_eq!(p.nflog_seq, Some(2));
        assert_eq!(p.ip.ports, Some((8080, 39856)));
        assert_eq!(p.ip.len, 52);
        let wire = p.into_packet(1234, name);
        assert_eq!(wire.at_ms, 1234);
        assert_eq!(wire.out_dev.as_deref(), Some("dev2"));
        assert_eq!(wire.tcp_flags.unwrap().to_string(), "ACK");
    }

    #[test]
    fn icmpv6_behind_an_extension_header() {
        let message = bytes(V6_ICMP_DSTOPTS);
        let p = decode(10, attrs(&message, 10)).unwrap();
        assert_eq!(p.hook, Hook::Prerouting);
        assert_eq!(p.ip.src.to_string(), "fd77::1");
        assert_eq!(p.ip.dst.to_string(), "fd77::2");
        assert_eq!((p.ip.proto, p.ip.len), (58, 64));
        assert_eq!(p.ip.icmp, Some((129, 0)));
        assert_eq!(p.ip.ports, None);
        let wire = p.into_packet(0, name);
        assert_eq!((wire.family, wire.proto), (10, Proto::ICMPV6));
    }

    #[test]
    fn a_bridged_packet_names_bridge_and_ports() {
        let message = bytes(V4_BRIDGED_FORWARD);
        let p = decode(2, attrs(&message, 2)).unwrap();
        assert_eq!(p.hook, Hook::Forward);
        assert_eq!((p.devices.in_dev, p.devices.out_dev), (Some(2), Some(2)));
        assert_eq!((p.devices.phys_in, p.devices.phys_out), (Some(3), Some(4)));
        assert_eq!(p.ip.ports, Some((52628, 8080)));
        let wire = p.into_packet(0, name);
        assert_eq!(wire.phys_in.as_deref(), Some("dev3"));
        assert_eq!(wire.phys_out.as_deref(), Some("dev4"));
    }

    #[test]
    fn the_bridge_family_reads_the_ethertype() {
        let message = bytes(V4_TCP_PREROUTING);
        let p = decode(7, attrs(&message, 2)).unwrap();
        assert_eq!(p.hook, Hook::BridgePrerouting);
        assert_eq!(p.ip.ports, Some((39856, 8080)));
        let message = bytes(V6_ICMP_DSTOPTS);
        let p = decode(7, attrs(&message, 10)).unwrap();
        assert_eq!(p.ip.icmp, Some((129, 0)));
    }

    /// An attribute header and value, padded.
    fn nla(kind: u16, value: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&(4 + value.len() as u16).to_ne_bytes());
        b.extend_from_slice(&kind.to_ne_bytes());
        b.extend_from_slice(value);
        b.resize(b.len().next_multiple_of(4), 0);
        b
    }

    /// A message with just a header and this payload.
    fn with_payload(hw_protocol: u16, payload: &[u8]) -> Vec<u8> {
        let mut hdr = hw_protocol.to_be_bytes().to_vec();
        hdr.extend_from_slice(&[1, 0]);
        let mut b = nla(NFULA_PACKET_HDR, &hdr);
        b.extend(nla(NFULA_PAYLOAD, payload));
        b
    }

    /// The captured IPv6 payload, its first header changed to `next`
    /// and `extra` put in front of the Destination Options.
    fn v6_payload(next: u8, extra: &[u8]) -> Vec<u8> {
        let message = bytes(V6_ICMP_DSTOPTS);
        let payload = &message[message.len() - 64..];
        let mut b = payload[..40].to_vec();
        b[6] = next;
        b.extend_from_slice(extra);
        b.extend_from_slice(&payload[40..]);
        b
    }

    #[test]
    fn fragments_after_the_first_have_no_ports() {
        let message = bytes(V4_TCP_PREROUTING);
        let mut payload = message[message.len() - 68..][..65].to_vec();
        payload[6..8].copy_from_slice(&0x2001u16.to_be_bytes());
        let p = decode(2, &with_payload(ETH_P_IP, &payload)).unwrap();
        assert_eq!((p.ip.proto, p.ip.ports, p.ip.tcp), (6, None, None));

        // A fragment header (offset 8, next header 60) in front.
        let frag = [60, 0, 0, 8 << 3, 0, 0, 0, 1];
        let p = decode(10, &with_payload(ETH_P_IPV6, &v6_payload(44, &frag)))
            .unwrap();
        assert_eq!((p.ip.proto, p.ip.icmp), (60, None));
        // The first fragment goes on to the ICMPv6 header.
        let frag = [60, 0, 0, 0, 0, 0, 0, 1];
        let p = decode(10, &with_payload(ETH_P_IPV6, &v6_payload(44, &frag)))
            .unwrap();
        assert_eq!((p.ip.proto, p.ip.icmp), (58, Some((129, 0))));
    }

    #[test]
    fn hostile_messages_are_errors() {
        let tcp = bytes(V4_TCP_PREROUTING);
        let payload = &tcp[tcp.len() - 68..][..65];
        let error = |family, attrs: &[u8]| {
            decode(family, attrs).unwrap_err().to_string()
        };
        // Cut short anywhere in the IP or TCP header.
        for len in [0, 19, 20, 39] {
            let e = error(2, &with_payload(ETH_P_IP, &payload[..len]));
            assert!(e.contains("cut short"), "{len}: {e}");
        }
        // A header length longer than the packet.
        let mut bad = payload.to_vec();
        bad[2..4].copy_from_slice(&10u16.to_be_bytes());
        assert!(error(2, &with_payload(ETH_P_IP, &bad)).contains("header"));
        // IPv6 bytes in an IPv4 message, and the reverse.
        let v6 = v6_payload(60, &[]);
        assert!(error(2, &with_payload(ETH_P_IP, &v6)).contains("version"));
        assert!(
            error(10, &with_payload(ETH_P_IPV6, payload)).contains("version")
        );
        // An extension header chain that never ends.
        let loop_ = [0u8, 0, 0, 0, 0, 0, 0, 0].repeat(9);
        assert!(error(10, &with_payload(ETH_P_IPV6, &v6_payload(0, &loop_)))
            .contains("extension headers"));
        // Not IP at all, in the bridge family.
        assert!(error(7, &with_payload(0x0806, payload)).contains("not IP"));
        // Missing attributes, and an attribute longer than the message.
        assert!(
            error(2, &nla(NFULA_PAYLOAD, payload)).contains("NFULA_PACKET_HDR")
        );
        assert!(error(2, &nla(NFULA_PACKET_HDR, &[8, 0, 0, 0]))
            .contains("NFULA_PAYLOAD"));
        assert!(error(2, &[200, 0, 9, 0, 0]).contains("attribute"));
        // Attributes of the wrong size.
        let mut short_mark = with_payload(ETH_P_IP, payload);
        short_mark.extend(nla(NFULA_MARK, &[1]));
        assert!(error(2, &short_mark).contains("NFULA_MARK"));
        let mut short_time = with_payload(ETH_P_IP, payload);
        short_time.extend(nla(NFULA_TIMESTAMP, &[0; 8]));
        assert!(error(2, &short_time).contains("NFULA_TIMESTAMP"));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(
            family in any::<u8>(),
            attrs in proptest::collection::vec(any::<u8>(), 0..512),
        ) {
            let _ = decode(family, &attrs);
        }

        /// Well-framed attributes around an arbitrary packet, so that
        /// the header walk is what the input exercises.
        #[test]
        fn arbitrary_packets_never_panic(
            family in prop::sample::select(vec![2u8, 7, 10]),
            hw_protocol in prop::sample::select(vec![ETH_P_IP, ETH_P_IPV6]),
            first in prop::sample::select(vec![0x45u8, 0x46, 0x4f, 0x60]),
            next in any::<u8>(),
            rest in proptest::collection::vec(any::<u8>(), 0..160),
        ) {
            let mut payload = vec![first];
            payload.extend_from_slice(&rest);
            if payload.len() > 6 {
                payload[6] = next;
            }
            let _ = decode(family, &with_payload(hw_protocol, &payload));
        }
    }
}
