//! The ICMP, ICMPv6 and IGMP types of ebtables' `ip` and `ip6` matches,
//! printed as ebtables prints them: by the name of iptables' tables
//! (`libxt_icmp.h`) when one names exactly the type and the codes, else
//! as numbers (`3:5/0:1`).

/// A name, its type and the codes it covers.
type Named = (&'static str, u8, u8, u8);

/// The first of several names of one type and codes is the one printed.
pub const ICMP_CODES: [Named; 40] = [
    ("any", 0xff, 0, 0xff),
    ("echo-reply", 0, 0, 0xff),
    ("pong", 0, 0, 0xff),
    ("destination-unreachable", 3, 0, 0xff),
    ("network-unreachable", 3, 0, 0),
    ("host-unreachable", 3, 1, 1),
    ("protocol-unreachable", 3, 2, 2),
    ("port-unreachable", 3, 3, 3),
    ("fragmentation-needed", 3, 4, 4),
    ("source-route-failed", 3, 5, 5),
    ("network-unknown", 3, 6, 6),
    ("host-unknown", 3, 7, 7),
    ("network-prohibited", 3, 9, 9),
    ("host-prohibited", 3, 10, 10),
    ("TOS-network-unreachable", 3, 11, 11),
    ("TOS-host-unreachable", 3, 12, 12),
    ("communication-prohibited", 3, 13, 13),
    ("host-precedence-violation", 3, 14, 14),
    ("precedence-cutoff", 3, 15, 15),
    ("source-quench", 4, 0, 0xff),
    ("redirect", 5, 0, 0xff),
    ("network-redirect", 5, 0, 0),
    ("host-redirect", 5, 1, 1),
    ("TOS-network-redirect", 5, 2, 2),
    ("TOS-host-redirect", 5, 3, 3),
    ("echo-request", 8, 0, 0xff),
    ("ping", 8, 0, 0xff),
    ("router-advertisement", 9, 0, 0xff),
    ("router-solicitation", 10, 0, 0xff),
    ("time-exceeded", 11, 0, 0xff),
    ("ttl-exceeded", 11, 0, 0xff),
    ("ttl-zero-during-transit", 11, 0, 0),
    ("ttl-zero-during-reassembly", 11, 1, 1),
    ("parameter-problem", 12, 0, 0xff),
    ("ip-header-bad", 12, 0, 0),
    ("required-option-missing", 12, 1, 1),
    ("timestamp-request", 13, 0, 0xff),
    ("timestamp-reply", 14, 0, 0xff),
    ("address-mask-request", 17, 0, 0xff),
    ("address-mask-reply", 18, 0, 0xff),
];

pub const ICMPV6_CODES: [Named; 28] = [
    ("destination-unreachable", 1, 0, 0xff),
    ("no-route", 1, 0, 0),
    ("communication-prohibited", 1, 1, 1),
    ("beyond-scope", 1, 2, 2),
    ("address-unreachable", 1, 3, 3),
    ("port-unreachable", 1, 4, 4),
    ("failed-policy", 1, 5, 5),
    ("reject-route", 1, 6, 6),
    ("packet-too-big", 2, 0, 0xff),
    ("time-exceeded", 3, 0, 0xff),
    ("ttl-exceeded", 3, 0, 0xff),
    ("ttl-zero-during-transit", 3, 0, 0),
    ("ttl-zero-during-reassembly", 3, 1, 1),
    ("parameter-problem", 4, 0, 0xff),
    ("bad-header", 4, 0, 0),
    ("unknown-header-type", 4, 1, 1),
    ("unknown-option", 4, 2, 2),
    ("echo-request", 128, 0, 0xff),
    ("ping", 128, 0, 0xff),
    ("echo-reply", 129, 0, 0xff),
    ("pong", 129, 0, 0xff),
    ("router-solicitation", 133, 0, 0xff),
    ("router-advertisement", 134, 0, 0xff),
    ("neighbour-solicitation", 135, 0, 0xff),
    ("neighbor-solicitation", 135, 0, 0xff),
    ("neighbour-advertisement", 136, 0, 0xff),
    ("neighbor-advertisement", 136, 0, 0xff),
    ("redirect", 137, 0, 0xff),
];

/// IGMP's have no codes.
pub const IGMP_TYPES: [(&str, u8); 5] = [
    ("membership-query", 0x11),
    ("membership-report-v1", 0x12),
    ("membership-report-v2", 0x16),
    ("leave-group", 0x17),
    ("membership-report-v3", 0x22),
];

/// `ebt_print_icmp_type`: a range of types as numbers with the codes
/// after them, one type by its name when one covers exactly its codes.
pub fn ebt_icmp_text(
    names: &[Named],
    types: [u8; 2],
    codes: [u8; 2],
) -> String {
    let numbers = |t: String| match codes {
        [lo, hi] if lo == hi => format!("{t}/{lo} "),
        [lo, hi] => format!("{t}/{lo}:{hi} "),
    };
    match types {
        [lo, hi] if lo != hi => numbers(format!("{lo}:{hi}")),
        [t, _] => names
            .iter()
            .find(|(_, kind, from, to)| *kind == t && [*from, *to] == codes)
            .map_or_else(|| numbers(t.to_string()), |(n, ..)| format!("{n} ")),
    }
}

/// As [`ebt_icmp_text`] for IGMP, which names a type alone and leaves no
/// space after a number.
pub fn ebt_igmp_text(types: [u8; 2]) -> String {
    match types {
        [lo, hi] if lo != hi => format!("{lo}:{hi}"),
        [t, _] => IGMP_TYPES
            .iter()
            .find(|(_, kind)| *kind == t)
            .map_or_else(|| t.to_string(), |(n, _)| format!("{n} ")),
    }
}
