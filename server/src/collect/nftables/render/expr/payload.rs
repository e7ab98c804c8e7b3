//! Header fields by where they sit: `tcp dport` is 16 bits at bit 16
//! of the transport header once the rule has matched TCP.

use super::super::datatype::Type;
use crate::collect::nftables::expr::PayloadBase;

/// A header nft knows the fields of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Ether,
    /// An 802.1Q tag, after `ether type 8021q` or another tag's type.
    Vlan,
    Arp,
    Ip,
    Ip6,
    Tcp,
    Udp,
    Udplite,
    Icmp,
    Icmp6,
    Sctp,
    Dccp,
    Esp,
    Ah,
    Comp,
    Igmp,
    /// The transport header of an unknown protocol (`th`): the ports.
    Th,
}

impl Proto {
    pub fn name(self) -> &'static str {
        match self {
            Self::Ether => "ether",
            Self::Vlan => "vlan",
            Self::Arp => "arp",
            Self::Ip => "ip",
            Self::Ip6 => "ip6",
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Udplite => "udplite",
            Self::Icmp => "icmp",
            Self::Icmp6 => "icmpv6",
            Self::Sctp => "sctp",
            Self::Dccp => "dccp",
            Self::Esp => "esp",
            Self::Ah => "ah",
            Self::Comp => "comp",
            Self::Igmp => "igmp",
            Self::Th => "th",
        }
    }

    /// The transport protocol with IP protocol number `n`.
    pub fn transport(n: u8) -> Option<Self> {
        Some(match n {
            1 => Self::Icmp,
            2 => Self::Igmp,
            6 => Self::Tcp,
            17 => Self::Udp,
            33 => Self::Dccp,
            50 => Self::Esp,
            51 => Self::Ah,
            58 => Self::Icmp6,
            108 => Self::Comp,
            132 => Self::Sctp,
            136 => Self::Udplite,
            _ => return None,
        })
    }

    /// The network protocol with ether type `n`.
    pub fn network(n: u16) -> Option<Self> {
        Some(match n {
            0x0800 => Self::Ip,
            0x86dd => Self::Ip6,
            0x0806 => Self::Arp,
            _ => return None,
        })
    }

    /// A protocol by the number nft keeps for it in a set's
    /// declaration (its `proto_desc_id`).
    fn by_id(id: u32) -> Option<Self> {
        Some(match id {
            1 => Self::Ah,
            2 => Self::Esp,
            3 => Self::Comp,
            4 => Self::Icmp,
            5 => Self::Igmp,
            6 => Self::Udp,
            7 => Self::Udplite,
            8 => Self::Tcp,
            9 => Self::Dccp,
            10 => Self::Sctp,
            11 => Self::Th,
            12 => Self::Ip,
            13 => Self::Ip6,
            14 => Self::Icmp6,
            15 => Self::Arp,
            16 => Self::Vlan,
            17 => Self::Ether,
            _ => return None,
        })
    }
}

/// The ether types that put an 802.1Q or 802.1ad tag next.
pub fn is_vlan_type(n: u128) -> bool {
    matches!(n, 0x8100 | 0x88a8)
}

/// The ether type nft implies before a tag's fields: 802.1Q's.
pub const ETHER_8021Q: u128 = 0x8100;

/// The bits of a tag, where the next one starts.
pub const VLAN_BITS: u32 = 32;

/// Where the first tag starts in the link layer: after the Ethernet
/// header.
pub const ETHER_BITS: u32 = 112;

/// A field: its name, bit offset and bit length in its header, type.
type Field = (&'static str, u32, u32, Type);

/// The fields of a header, in the order of nft's templates (a set's
/// declaration names a field by its place in them).
fn fields(proto: Proto) -> &'static [Field] {
    use Type::*;
    match proto {
        Proto::Ether => &[
            ("daddr", 0, 48, Ether),
            ("saddr", 48, 48, Ether),
            ("type", 96, 16, Ethertype),
        ],
        Proto::Vlan => &[
            ("pcp", 0, 3, Integer),
            ("dei", 3, 1, Integer),
            ("cfi", 3, 1, Integer),
            ("id", 4, 12, Integer),
            ("type", 16, 16, Ethertype),
        ],
        Proto::Arp => &[
            ("htype", 0, 16, Integer),
            ("ptype", 16, 16, Ethertype),
            ("hlen", 32, 8, Integer),
            ("plen", 40, 8, Integer),
            ("operation", 48, 16, ArpOp),
            ("saddr ether", 64, 48, Ether),
            ("saddr ip", 112, 32, Ipv4),
            ("daddr ether", 144, 48, Ether),
            ("daddr ip", 192, 32, Ipv4),
        ],
        Proto::Ip => &[
            ("version", 0, 4, Integer),
            ("hdrlength", 4, 4, Integer),
            ("dscp", 8, 6, Dscp),
            ("ecn", 14, 2, Ecn),
            ("length", 16, 16, Integer),
            ("id", 32, 16, Integer),
            ("frag-off", 48, 16, Integer),
            ("ttl", 64, 8, Integer),
            ("protocol", 72, 8, InetProto),
            ("checksum", 80, 16, Integer),
            ("saddr", 96, 32, Ipv4),
            ("daddr", 128, 32, Ipv4),
        ],
        Proto::Ip6 => &[
            ("version", 0, 4, Integer),
            ("dscp", 4, 6, Dscp),
            ("ecn", 10, 2, Ecn),
            ("flowlabel", 12, 20, Integer),
            ("length", 32, 16, Integer),
            ("nexthdr", 48, 8, InetProto),
            ("hoplimit", 56, 8, Integer),
            ("saddr", 64, 128, Ipv6),
            ("daddr", 192, 128, Ipv6),
        ],
        Proto::Tcp => &[
            ("sport", 0, 16, InetService),
            ("dport", 16, 16, InetService),
            ("sequence", 32, 32, Integer),
            ("ackseq", 64, 32, Integer),
            ("doff", 96, 4, Integer),
            ("reserved", 100, 4, Integer),
            ("flags", 104, 8, TcpFlag),
            ("window", 112, 16, Integer),
            ("checksum", 128, 16, Integer),
            ("urgptr", 144, 16, Integer),
        ],
        Proto::Udp => &[
            ("sport", 0, 16, InetService),
            ("dport", 16, 16, InetService),
            ("length", 32, 16, Integer),
            ("checksum", 48, 16, Integer),
        ],
        Proto::Udplite => &[
            ("sport", 0, 16, InetService),
            ("dport", 16, 16, InetService),
            ("csumcov", 32, 16, Integer),
            ("checksum", 48, 16, Integer),
        ],
        Proto::Icmp => &[
            ("type", 0, 8, Icmp),
            ("code", 8, 8, IcmpCode),
            ("checksum", 16, 16, Integer),
            ("id", 32, 16, Integer),
            ("sequence", 48, 16, Integer),
            ("gateway", 32, 32, Integer),
            ("mtu", 48, 16, Integer),
        ],
        Proto::Icmp6 => &[
            ("type", 0, 8, Icmp6),
            ("code", 8, 8, Icmp6Code),
            ("checksum", 16, 16, Integer),
            ("parameter-problem", 32, 32, Integer),
            ("mtu", 32, 32, Integer),
            ("id", 32, 16, Integer),
            ("sequence", 48, 16, Integer),
            ("max-delay", 32, 16, Integer),
        ],
        Proto::Sctp => &[
            ("sport", 0, 16, InetService),
            ("dport", 16, 16, InetService),
            ("vtag", 32, 32, Integer),
            ("checksum", 64, 32, Integer),
        ],
        Proto::Dccp => &[
            ("sport", 0, 16, InetService),
            ("dport", 16, 16, InetService),
            ("type", 67, 4, DccpPkttype),
        ],
        Proto::Esp => &[("spi", 0, 32, Integer), ("sequence", 32, 32, Integer)],
        Proto::Ah => &[
            ("nexthdr", 0, 8, InetProto),
            ("hdrlength", 8, 8, Integer),
            ("reserved", 16, 16, Integer),
            ("spi", 32, 32, Integer),
            ("sequence", 64, 32, Integer),
        ],
        Proto::Comp => &[
            ("nexthdr", 0, 8, InetProto),
            ("flags", 8, 8, Bitmask),
            ("cpi", 16, 16, Integer),
        ],
        Proto::Igmp => &[
            ("type", 0, 8, Type::Igmp),
            ("mrt", 8, 8, Integer),
            ("checksum", 16, 16, Integer),
            ("group", 32, 32, Ipv4),
        ],
        Proto::Th => &[
            ("sport", 0, 16, InetService),
            ("dport", 16, 16, InetService),
        ],
    }
}

/// The ICMP types a field of an ICMP header is there in, and whether
/// a match of one of them is implied by the field (nft leaves it out),
/// which it is not for an echo's fields: they are in two types.
pub fn icmp_types(proto: Proto, name: &str) -> Option<(&'static [u8], bool)> {
    Some(match (proto, name) {
        (Proto::Icmp, "id" | "sequence") => (&[0, 8], false),
        (Proto::Icmp, "gateway") => (&[5], true),
        (Proto::Icmp, "mtu") => (&[3], true),
        (Proto::Icmp6, "parameter-problem") => (&[4], true),
        (Proto::Icmp6, "mtu") => (&[2], true),
        (Proto::Icmp6, "id" | "sequence") => (&[128, 129], false),
        (Proto::Icmp6, "max-delay") => (&[130], true),
        _ => return None,
    })
}

/// The fields of `proto` a packet of ICMP type `icmp` (when known)
/// has.
fn fields_in(
    proto: Proto,
    icmp: Option<u8>,
) -> impl Iterator<Item = &'static Field> {
    fields(proto).iter().filter(move |(name, ..)| {
        match (icmp, icmp_types(proto, name)) {
            (Some(t), Some((types, _))) => types.contains(&t),
            _ => true,
        }
    })
}

/// The field of `proto` at `offset` bits that is `len` bits long, in a
/// packet of ICMP type `icmp` when known.
pub fn field(
    proto: Proto,
    offset: u32,
    len: u32,
    icmp: Option<u8>,
) -> Option<(String, Type)> {
    fields_in(proto, icmp)
        .find(|(_, o, l, _)| *o == offset && *l == len)
        .map(|(name, _, _, ty)| (format!("{} {name}", proto.name()), *ty))
}

/// A part of a load that spans fields: a field, the first bits of one,
/// or bits no field starts at.
#[derive(Debug, PartialEq, Eq)]
pub struct Piece {
    /// The field's name; none for the bits past the last field.
    pub name: Option<String>,
    pub ty: Type,
    /// Bit offset in the header and bits the load covers.
    pub offset: u32,
    pub len: u32,
    /// The whole field's bits, more than `len` for its first bits.
    pub full: u32,
}

/// The fields a load of `len` bits at `offset` covers, as nft splits a
/// comparison with it: fields in the header's order from the first
/// one starting at `offset`, the last one possibly only in part, and
/// the bits past the last field raw. None when no field starts there.
pub fn expand(
    proto: Proto,
    offset: u32,
    len: u32,
    icmp: Option<u8>,
) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let (mut at, mut left) = (offset, len);
    for &(name, o, l, ty) in fields_in(proto, icmp) {
        if left == 0 {
            break;
        }
        if o != at {
            continue;
        }
        let len = l.min(left);
        pieces.push(Piece {
            name: Some(format!("{} {name}", proto.name())),
            ty,
            offset: at,
            len,
            full: l,
        });
        at += len;
        left -= len;
    }
    if pieces.is_empty() {
        return None;
    }
    if left > 0 {
        pieces.push(Piece {
            name: None,
            ty: Type::Hex,
            offset: at,
            len: left,
            full: left,
        });
    }
    Some(pieces)
}

/// The address field of `proto` at `offset` bits whose first `len`
/// bits are all a load reads: nft matches a prefix (`ip saddr
/// 10.0.0.0/8`) by loading only its bytes. The field's name, type and
/// length in bytes.
pub fn prefix_of(
    proto: Proto,
    offset: u32,
    len: u32,
) -> Option<(String, Type, u32)> {
    fields(proto)
        .iter()
        .find(|(_, o, l, ty)| {
            *o == offset && len < *l && matches!(ty, Type::Ipv4 | Type::Ipv6)
        })
        .map(|(name, _, l, ty)| {
            (format!("{} {name}", proto.name()), *ty, l / 8)
        })
}

/// A field by the numbers nft keeps in a set's declaration: the
/// protocol, and the field's place in its header (from 1).
pub fn by_index(proto: u32, index: u32) -> Option<String> {
    let proto = Proto::by_id(proto)?;
    let i = usize::try_from(index).ok()?.checked_sub(1)?;
    let (name, ..) = fields(proto).get(i)?;
    Some(format!("{} {name}", proto.name()))
}

/// A field nft has no name for: `@nh,96,32`, offsets in bits.
pub fn raw(base: PayloadBase, offset: u32, len: u32) -> String {
    let base = match base {
        PayloadBase::LinkLayer => "ll".to_owned(),
        PayloadBase::Network => "nh".to_owned(),
        PayloadBase::Transport => "th".to_owned(),
        PayloadBase::Inner => "ih".to_owned(),
        PayloadBase::Tunnel => "tun".to_owned(),
        PayloadBase::Other(n) => format!("base{n}"),
    };
    format!("@{base},{offset},{len}")
}
