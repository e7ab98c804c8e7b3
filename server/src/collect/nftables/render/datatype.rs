//! Values printed by their type, as nft names and prints them: the type
//! of a set's key or data (a number the set carries), or of the field a
//! rule compares.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use super::{clock, names, units, verdict};
use crate::collect::nftables::expr::Data;

/// A value type of nft (`TYPE_*` in set keys), with its size in bytes
/// where it is fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Verdict,
    Nfproto,
    Bitmask,
    Integer,
    String,
    Ipv4,
    Ipv6,
    Ether,
    Ethertype,
    InetProto,
    InetService,
    Icmp,
    TcpFlag,
    Mark,
    Ifindex,
    Realm,
    Uid,
    Gid,
    CtState,
    CtDir,
    CtStatus,
    Icmp6,
    CtLabel,
    Pkttype,
    Devgroup,
    Dscp,
    Ecn,
    Boolean,
    Ifname,
    IcmpCode,
    Icmp6Code,
    /// A route's type, as `fib … type` loads it.
    Addrtype,
    ArpOp,
    DccpPkttype,
    /// An IGMP message's type.
    Igmp,
    /// A mobility header's type.
    Mh,
    /// A relative time in milliseconds (`ct expiration`).
    Time,
    /// An interface's hardware type (`meta iiftype`).
    Arphrd,
    /// A traffic control handle (`meta priority`).
    Classid,
    CtEvent,
    /// Nanoseconds since the epoch (`meta time`).
    TimeDate,
    /// Seconds into the day, in UTC (`meta hour`).
    TimeHour,
    /// The day of the week (`meta day`).
    TimeDay,
    /// An integer nft prints in hex: a header field it has no name for
    /// (`@nh,8,8 0xff`).
    Hex,
    Other(u32),
}

/// Bits per type in a concatenated key type: each field's type is
/// shifted in after the ones before it.
const TYPE_BITS: u32 = 6;

impl Type {
    pub fn from_id(id: u32) -> Self {
        match id {
            1 => Self::Verdict,
            2 => Self::Nfproto,
            3 => Self::Bitmask,
            4 => Self::Integer,
            5 => Self::String,
            7 => Self::Ipv4,
            8 => Self::Ipv6,
            9 => Self::Ether,
            10 => Self::Ethertype,
            12 => Self::InetProto,
            13 => Self::InetService,
            14 => Self::Icmp,
            15 => Self::TcpFlag,
            19 => Self::Mark,
            20 => Self::Ifindex,
            22 => Self::Realm,
            24 => Self::Uid,
            25 => Self::Gid,
            26 => Self::CtState,
            27 => Self::CtDir,
            28 => Self::CtStatus,
            29 => Self::Icmp6,
            30 => Self::CtLabel,
            31 => Self::Pkttype,
            35 => Self::Devgroup,
            36 => Self::Dscp,
            37 => Self::Ecn,
            39 => Self::Boolean,
            41 => Self::Ifname,
            32 => Self::IcmpCode,
            33 => Self::Icmp6Code,
            38 => Self::Addrtype,
            11 => Self::ArpOp,
            16 => Self::DccpPkttype,
            42 => Self::Igmp,
            17 => Self::Mh,
            18 => Self::Time,
            21 => Self::Arphrd,
            23 => Self::Classid,
            40 => Self::CtEvent,
            43 => Self::TimeDate,
            44 => Self::TimeHour,
            45 => Self::TimeDay,
            n => Self::Other(n),
        }
    }

    /// The fields of a set's key type: one type, or those of a
    /// concatenation (a number too large for one type), first field
    /// first.
    pub fn fields(id: u32) -> Vec<Self> {
        if id < 1 << TYPE_BITS {
            return vec![Self::from_id(id)];
        }
        let mut fields = Vec::new();
        let mut rest = id;
        while rest != 0 {
            fields.push(Self::from_id(rest & ((1 << TYPE_BITS) - 1)));
            rest >>= TYPE_BITS;
        }
        fields.reverse();
        fields
    }

    pub fn name(self) -> String {
        match self {
            Self::Verdict => "verdict",
            Self::Nfproto => "nf_proto",
            Self::Bitmask => "bitmask",
            Self::Integer | Self::Hex => "integer",
            Self::String => "string",
            Self::Ipv4 => "ipv4_addr",
            Self::Ipv6 => "ipv6_addr",
            Self::Ether => "ether_addr",
            Self::Ethertype => "ether_type",
            Self::InetProto => "inet_proto",
            Self::InetService => "inet_service",
            Self::Icmp => "icmp_type",
            Self::TcpFlag => "tcp_flag",
            Self::Mark => "mark",
            Self::Ifindex => "iface_index",
            Self::Realm => "realm",
            Self::Uid => "uid",
            Self::Gid => "gid",
            Self::CtState => "ct_state",
            Self::CtDir => "ct_dir",
            Self::CtStatus => "ct_status",
            Self::Icmp6 => "icmpv6_type",
            Self::CtLabel => "ct_label",
            Self::Pkttype => "pkt_type",
            Self::Devgroup => "devgroup",
            Self::Dscp => "dscp",
            Self::Ecn => "ecn",
            Self::Boolean => "boolean",
            Self::Ifname => "ifname",
            Self::IcmpCode => "icmp_code",
            Self::Icmp6Code => "icmpv6_code",
            Self::Addrtype => "fib_addrtype",
            Self::ArpOp => "arp_op",
            Self::DccpPkttype => "dccp_pkttype",
            Self::Igmp => "igmp_type",
            Self::Mh => "mh_type",
            Self::Time => "time",
            Self::Arphrd => "iface_type",
            Self::Classid => "classid",
            Self::CtEvent => "ct_event",
            Self::TimeDate => "time",
            Self::TimeHour => "hour",
            Self::TimeDay => "day",
            Self::Other(n) => return format!("type-{n}"),
        }
        .to_owned()
    }

    /// The value's size in bytes, where the type fixes it.
    pub fn size(self) -> Option<u32> {
        Some(match self {
            Self::Nfproto
            | Self::InetProto
            | Self::Icmp
            | Self::TcpFlag
            | Self::CtDir
            | Self::Icmp6
            | Self::Pkttype
            | Self::Dscp
            | Self::Ecn
            | Self::IcmpCode
            | Self::Icmp6Code
            | Self::Boolean
            | Self::Mh
            | Self::Igmp
            | Self::TimeDay => 1,
            Self::Ethertype
            | Self::InetService
            | Self::ArpOp
            | Self::Arphrd => 2,
            Self::Ipv4
            | Self::Mark
            | Self::Ifindex
            | Self::Realm
            | Self::Uid
            | Self::Gid
            | Self::CtState
            | Self::CtStatus
            | Self::Addrtype
            | Self::Devgroup
            | Self::Time
            | Self::Classid
            | Self::CtEvent
            | Self::TimeHour => 4,
            Self::TimeDate => 8,
            Self::Ether => 6,
            Self::Ipv6 | Self::CtLabel | Self::Ifname => 16,
            _ => return None,
        })
    }

    /// Whether the kernel holds the value in host byte order (meta and
    /// ct keys), not network order (packet bytes).
    pub fn host_order(self) -> bool {
        matches!(
            self,
            Self::Mark
                | Self::Ifindex
                | Self::Realm
                | Self::Uid
                | Self::Gid
                | Self::CtState
                | Self::CtStatus
                | Self::Devgroup
                | Self::Pkttype
                | Self::Addrtype
                | Self::Time
                | Self::Arphrd
                | Self::Classid
                | Self::CtEvent
                | Self::TimeDate
                | Self::TimeHour
                | Self::TimeDay
        )
    }

    /// Whether a value is a set of flags, printed `a,b` and compared
    /// by a mask.
    pub fn is_flags(self) -> bool {
        matches!(
            self,
            Self::CtState | Self::CtStatus | Self::TcpFlag | Self::CtEvent
        )
    }

    /// Elements printed on one line before nft wraps the list: many
    /// small numbers, two addresses, or one of anything longer.
    pub fn per_line(self) -> usize {
        match self {
            Self::Nfproto
            | Self::Integer
            | Self::Hex
            | Self::InetProto
            | Self::InetService
            | Self::TcpFlag
            | Self::Mark
            | Self::Ifindex
            | Self::Uid
            | Self::Gid
            | Self::CtDir => 5,
            Self::Ipv4 | Self::CtState | Self::CtStatus | Self::Pkttype => 2,
            _ => 1,
        }
    }
}

/// `bytes` as a number, in host byte order or network order.
pub fn number(bytes: &[u8], host: bool) -> u128 {
    let fold = |n: u128, b: &u8| (n << 8) | u128::from(*b);
    let bytes = &bytes[..bytes.len().min(16)];
    if host && cfg!(target_endian = "little") {
        bytes.iter().rev().fold(0, fold)
    } else {
        bytes.iter().fold(0, fold)
    }
}

/// A value of type `ty`, as nft prints it.
pub fn value(ty: Type, bytes: &[u8]) -> String {
    value_in(ty, bytes, ty.host_order())
}

/// An IPv6 address as glibc's `inet_ntop` writes it for nft: as Rust
/// does, but an IPv4-compatible one ends in dotted quads
/// (`::18.52.18.52`).
fn ipv6(a: Ipv6Addr) -> String {
    let words = a.segments();
    if words[..6].iter().all(|&w| w == 0) && words[6] != 0 {
        let [.., w, x, y, z] = a.octets();
        return format!("::{}", Ipv4Addr::new(w, x, y, z));
    }
    a.to_string()
}

/// A value of type `ty` held in host byte order (`host`) or network
/// order, as a meta or ct key holds an integer in host order.
pub fn value_in(ty: Type, bytes: &[u8], host: bool) -> String {
    match ty {
        Type::Ipv4 if bytes.len() == 4 => {
            Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string()
        }
        Type::Ipv6 if bytes.len() == 16 => {
            let mut a = [0; 16];
            a.copy_from_slice(bytes);
            ipv6(Ipv6Addr::from(a))
        }
        Type::Ether => bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
        Type::Ifname | Type::String => quoted(bytes),
        Type::Hex if !host => {
            let digits: String =
                bytes.iter().map(|b| format!("{b:02x}")).collect();
            match digits.trim_start_matches('0') {
                "" => "0x0".to_owned(),
                rest => format!("0x{rest}"),
            }
        }
        Type::Ifindex => {
            let index = number(bytes, host);
            ifname(index).unwrap_or_else(|| index.to_string())
        }
        _ => symbol(ty, number(bytes, host), bytes.len()),
    }
}

/// A value as nft prints it where it prints numbers for names, as in a
/// range (`NFT_CTX_OUTPUT_NUMERIC_ALL`): protocols, types and users by
/// number, times in seconds.
pub fn numeric_in(ty: Type, bytes: &[u8], host: bool) -> String {
    numeric(ty, number(bytes, host))
        .unwrap_or_else(|| value_in(ty, bytes, host))
}

/// A number of type `ty` as a range prints it, where that differs from
/// how a single value prints.
pub fn numeric(ty: Type, n: u128) -> Option<String> {
    Some(match ty {
        Type::Ethertype => format!("0x{n:04x}"),
        Type::Time => format!("{}s", n / 1000),
        Type::Nfproto
        | Type::InetProto
        | Type::IcmpCode
        | Type::Icmp6Code
        | Type::Addrtype
        | Type::Icmp
        | Type::Icmp6
        | Type::CtDir
        | Type::Pkttype
        | Type::Boolean
        | Type::Dscp
        | Type::Ecn
        | Type::ArpOp
        | Type::DccpPkttype
        | Type::Igmp
        | Type::Mh
        | Type::Arphrd
        | Type::Devgroup
        | Type::Realm
        | Type::TimeDay => n.to_string(),
        _ => return None,
    })
}

/// The name of the interface with index `index` in the current network
/// namespace, quoted, as nft resolves `iif` and `oif`.
fn ifname(index: u128) -> Option<String> {
    let index = u32::try_from(index).ok().filter(|&i| i != 0)?;
    let mut buf = [0u8; libc::IF_NAMESIZE];
    // SAFETY: the buffer has the IF_NAMESIZE bytes the call may write.
    let found = unsafe { libc::if_indextoname(index, buf.as_mut_ptr().cast()) };
    (!found.is_null()).then(|| quoted(&buf))
}

/// A string a rule compares with, whole (with its NUL): a `*` at its
/// end is escaped (`"eth\*"`), as nft tells it from a wildcard.
pub fn compared_string(bytes: &[u8]) -> String {
    let text = quoted(bytes);
    let whole = bytes.contains(&0);
    match text.strip_suffix("*\"") {
        Some(stem) if whole => format!("{stem}\\*\""),
        _ => text,
    }
}

/// A string value, up to its first NUL.
pub fn quoted(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    format!("\"{}\"", String::from_utf8_lossy(&bytes[..end]))
}

/// A number of type `ty`, by the name nft gives it where it has one.
pub fn symbol(ty: Type, n: u128, len: usize) -> String {
    let named = |table: &[(u128, &str)]| {
        table
            .iter()
            .find(|(v, _)| *v == n)
            .map(|(_, s)| s.to_string())
    };
    let name = match ty {
        Type::Nfproto => named(&[(2, "ipv4"), (10, "ipv6")]),
        Type::InetProto => protocol(n),
        Type::IcmpCode => named(ICMP_CODES),
        Type::Icmp6Code => named(ICMP6_CODES),
        Type::Addrtype => named(&[
            (0, "unspec"),
            (1, "unicast"),
            (2, "local"),
            (3, "broadcast"),
            (4, "anycast"),
            (5, "multicast"),
            (6, "blackhole"),
            (7, "unreachable"),
            (8, "prohibit"),
        ]),
        Type::Ethertype => named(&[
            (0x0800, "ip"),
            (0x0806, "arp"),
            (0x86dd, "ip6"),
            (0x8100, "8021q"),
            (0x88a8, "8021ad"),
        ])
        .or_else(|| Some(format!("0x{n:04x}"))),
        Type::Icmp => named(ICMP_TYPES),
        Type::Icmp6 => named(ICMP6_TYPES),
        Type::CtDir => named(&[(0, "original"), (1, "reply")]),
        Type::Pkttype => named(&[
            (0, "host"),
            (1, "broadcast"),
            (2, "multicast"),
            (3, "other"),
        ]),
        Type::Boolean => named(&[(0, "missing"), (1, "exists")]),
        Type::ArpOp => named(ARP_OPS),
        Type::DccpPkttype => named(DCCP_TYPES),
        Type::Igmp => named(IGMP_TYPES),
        Type::Mh => named(MH_TYPES),
        Type::Arphrd => named(ARPHRD_TYPES),
        Type::Devgroup => names::devgroup(n).map(quote),
        Type::Realm => names::realm(n).map(quote),
        Type::Classid => Some(tc_handle(n)),
        Type::Time => Some(units::duration(n as u64)),
        Type::TimeDate => Some(clock::date(n as u64)),
        Type::TimeHour => Some(clock::hour(n as u64)),
        Type::TimeDay => clock::day(n),
        Type::Mark => Some(format!("0x{n:08x}")),
        Type::Dscp => named(DSCP).or_else(|| Some(format!("0x{n:02x}"))),
        Type::Ecn => {
            named(&[(0, "not-ect"), (1, "ect1"), (2, "ect0"), (3, "ce")])
        }
        Type::CtState
        | Type::CtStatus
        | Type::TcpFlag
        | Type::CtEvent
        | Type::CtLabel => {
            return flags(ty, n);
        }
        Type::Verdict => Some(verdict::code(n as i32)),
        Type::Bitmask | Type::Hex => Some(format!("0x{n:x}")),
        Type::Integer | Type::Other(_) if len > 8 => {
            Some(format!("0x{n:0width$x}", width = len * 2))
        }
        _ => None,
    };
    name.unwrap_or_else(|| n.to_string())
}

fn quote(name: String) -> String {
    format!("\"{name}\"")
}

/// A traffic control handle: `root`, `none`, or `major:minor` in hex.
fn tc_handle(n: u128) -> String {
    const TC_H_ROOT: u128 = 0xffff_ffff;
    match n {
        TC_H_ROOT => "root".to_owned(),
        0 => "none".to_owned(),
        _ => format!("{:x}:{:x}", (n >> 16) & 0xffff, n & 0xffff),
    }
}

/// A set of flags, `a,b`, in the order of their bits; bits without a
/// name as a number.
pub fn flags(ty: Type, n: u128) -> String {
    if ty == Type::CtLabel && n != 0 {
        // Labels are bits, named by their number (without a
        // connlabel.conf to name them).
        let bits: Vec<String> = (0..128)
            .filter(|b| n & (1 << b) != 0)
            .map(|b: u32| b.to_string())
            .collect();
        return bits.join(",");
    }
    let names: &[(u128, &str)] = match ty {
        Type::CtState => &[
            (1, "invalid"),
            (2, "established"),
            (4, "related"),
            (8, "new"),
            (64, "untracked"),
        ],
        Type::CtStatus => &[
            (1, "expected"),
            (2, "seen-reply"),
            (4, "assured"),
            (8, "confirmed"),
            (16, "snat"),
            (32, "dnat"),
            (512, "dying"),
        ],
        Type::CtEvent => &[
            (1, "new"),
            (2, "related"),
            (4, "destroy"),
            (8, "reply"),
            (16, "assured"),
            (32, "protoinfo"),
            (64, "helper"),
            (128, "mark"),
            (256, "seqadj"),
            (512, "secmark"),
            (1024, "label"),
        ],
        Type::TcpFlag => &[
            (1, "fin"),
            (2, "syn"),
            (4, "rst"),
            (8, "psh"),
            (16, "ack"),
            (32, "urg"),
            (64, "ecn"),
            (128, "cwr"),
        ],
        _ => &[],
    };
    let mut out: Vec<String> = names
        .iter()
        .filter(|(bit, _)| n & bit != 0)
        .map(|(_, name)| (*name).to_owned())
        .collect();
    let rest = names.iter().fold(n, |n, (bit, _)| n & !bit);
    if rest != 0 || out.is_empty() {
        out.push(format!("0x{rest:x}"));
    }
    out.join(",")
}

/// The value a data nest holds: bytes of type `ty`, or a verdict.
pub fn data(ty: Type, data: &Data) -> String {
    match data {
        Data::Value(bytes) => value(ty, bytes),
        Data::Verdict(attrs) => verdict::verdict(attrs),
        other => format!("[data {other:?}]"),
    }
}

/// An IP protocol's name as the system's protocol database gives it,
/// as nft looks it up; a table of the common ones where there is no
/// database.
fn protocol(n: u128) -> Option<String> {
    static SYSTEM: OnceLock<HashMap<u128, String>> = OnceLock::new();
    let system = SYSTEM.get_or_init(|| {
        let text =
            std::fs::read_to_string("/etc/protocols").unwrap_or_default();
        let mut names = HashMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut words = line.split_whitespace();
            if let (Some(name), Some(Ok(num))) =
                (words.next(), words.next().map(str::parse::<u128>))
            {
                names.entry(num).or_insert_with(|| name.to_owned());
            }
        }
        names
    });
    system.get(&n).cloned().or_else(|| {
        INET_PROTOS
            .iter()
            .find(|(v, _)| *v == n)
            .map(|(_, s)| (*s).to_owned())
    })
}

const INET_PROTOS: &[(u128, &str)] = &[
    (0, "hopopt"),
    (1, "icmp"),
    (2, "igmp"),
    (4, "ipencap"),
    (6, "tcp"),
    (17, "udp"),
    (33, "dccp"),
    (41, "ipv6"),
    (43, "ipv6-route"),
    (44, "ipv6-frag"),
    (47, "gre"),
    (50, "esp"),
    (51, "ah"),
    (58, "ipv6-icmp"),
    (59, "ipv6-nonxt"),
    (60, "ipv6-opts"),
    (94, "ipip"),
    (103, "pim"),
    (108, "comp"),
    (112, "vrrp"),
    (115, "l2tp"),
    (132, "sctp"),
    (136, "udplite"),
];

const ICMP_TYPES: &[(u128, &str)] = &[
    (0, "echo-reply"),
    (3, "destination-unreachable"),
    (4, "source-quench"),
    (5, "redirect"),
    (8, "echo-request"),
    (9, "router-advertisement"),
    (10, "router-solicitation"),
    (11, "time-exceeded"),
    (12, "parameter-problem"),
    (13, "timestamp-request"),
    (14, "timestamp-reply"),
    (15, "info-request"),
    (16, "info-reply"),
    (17, "address-mask-request"),
    (18, "address-mask-reply"),
];

const ICMP6_TYPES: &[(u128, &str)] = &[
    (1, "destination-unreachable"),
    (2, "packet-too-big"),
    (3, "time-exceeded"),
    (4, "parameter-problem"),
    (128, "echo-request"),
    (129, "echo-reply"),
    (130, "mld-listener-query"),
    (131, "mld-listener-report"),
    (132, "mld-listener-done"),
    (133, "nd-router-solicit"),
    (134, "nd-router-advert"),
    (135, "nd-neighbor-solicit"),
    (136, "nd-neighbor-advert"),
    (137, "nd-redirect"),
    (138, "router-renumbering"),
    (141, "ind-neighbor-solicit"),
    (142, "ind-neighbor-advert"),
    (143, "mld2-listener-report"),
];

const DSCP: &[(u128, &str)] = &[
    (0x00, "cs0"),
    (0x08, "cs1"),
    (0x10, "cs2"),
    (0x18, "cs3"),
    (0x20, "cs4"),
    (0x28, "cs5"),
    (0x30, "cs6"),
    (0x38, "cs7"),
    (0x01, "lephb"),
    (0x0a, "af11"),
    (0x0c, "af12"),
    (0x0e, "af13"),
    (0x12, "af21"),
    (0x14, "af22"),
    (0x16, "af23"),
    (0x1a, "af31"),
    (0x1c, "af32"),
    (0x1e, "af33"),
    (0x22, "af41"),
    (0x24, "af42"),
    (0x26, "af43"),
    (0x2c, "va"),
    (0x2e, "ef"),
];

const ARP_OPS: &[(u128, &str)] = &[
    (1, "request"),
    (2, "reply"),
    (3, "rrequest"),
    (4, "rreply"),
    (8, "inrequest"),
    (9, "inreply"),
    (10, "nak"),
];

const DCCP_TYPES: &[(u128, &str)] = &[
    (0, "request"),
    (1, "response"),
    (2, "data"),
    (3, "ack"),
    (4, "dataack"),
    (5, "closereq"),
    (6, "close"),
    (7, "reset"),
    (8, "sync"),
    (9, "syncack"),
];

const IGMP_TYPES: &[(u128, &str)] = &[
    (0x11, "membership-query"),
    (0x12, "membership-report-v1"),
    (0x16, "membership-report-v2"),
    (0x22, "membership-report-v3"),
    (0x17, "leave-group"),
];

const MH_TYPES: &[(u128, &str)] = &[
    (0, "binding-refresh-request"),
    (1, "home-test-init"),
    (2, "careof-test-init"),
    (3, "home-test"),
    (4, "careof-test"),
    (5, "binding-update"),
    (6, "binding-acknowledgement"),
    (7, "binding-error"),
    (8, "fast-binding-update"),
    (9, "fast-binding-acknowledgement"),
    (10, "fast-binding-advertisement"),
    (11, "experimental-mobility-header"),
    (12, "home-agent-switch-message"),
];

/// Interface types nft names (linux/if_arp.h).
const ARPHRD_TYPES: &[(u128, &str)] = &[
    (1, "ether"),
    (512, "ppp"),
    (768, "ipip"),
    (769, "ipip6"),
    (772, "loopback"),
    (776, "sit"),
    (778, "ipgre"),
];

const ICMP_CODES: &[(u128, &str)] = &[
    (0, "net-unreachable"),
    (1, "host-unreachable"),
    (2, "prot-unreachable"),
    (3, "port-unreachable"),
    (4, "frag-needed"),
    (9, "net-prohibited"),
    (10, "host-prohibited"),
    (13, "admin-prohibited"),
];

const ICMP6_CODES: &[(u128, &str)] = &[
    (0, "no-route"),
    (1, "admin-prohibited"),
    (3, "addr-unreachable"),
    (4, "port-unreachable"),
    (5, "policy-fail"),
    (6, "reject-route"),
];
