//! A command as `iptables-save` prints its line: `-A CHAIN`, the
//! header's addresses, interfaces, protocol and fragment flag
//! (`save_ipv4_addr`, `save_ipv6_addr`, `save_rule_details`), then
//! every match with `-m NAME`, then the target.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::command::{AddrMatch, Command, Iface, Jump};
use crate::collect::nftables::xt::{prefix_len, Family};

/// iptables' `xtables_chain_protos`, then `/etc/protocols` as Debian
/// ships it, for `-p`; a protocol in neither prints as its number.
const PROTOCOLS: [(u8, &str); 55] = [
    (6, "tcp"),
    (132, "sctp"),
    (17, "udp"),
    (136, "udplite"),
    (1, "icmp"),
    (58, "ipv6-icmp"),
    (50, "esp"),
    (51, "ah"),
    (135, "mobility-header"),
    (2, "igmp"),
    (3, "ggp"),
    (4, "ipencap"),
    (5, "st"),
    (8, "egp"),
    (9, "igp"),
    (12, "pup"),
    (20, "hmp"),
    (22, "xns-idp"),
    (27, "rdp"),
    (29, "iso-tp4"),
    (33, "dccp"),
    (36, "xtp"),
    (37, "ddp"),
    (38, "idpr-cmtp"),
    (41, "ipv6"),
    (43, "ipv6-route"),
    (44, "ipv6-frag"),
    (45, "idrp"),
    (46, "rsvp"),
    (47, "gre"),
    (57, "skip"),
    (59, "ipv6-nonxt"),
    (60, "ipv6-opts"),
    (73, "rspf"),
    (81, "vmtp"),
    (88, "eigrp"),
    (89, "ospf"),
    (93, "ax.25"),
    (94, "ipip"),
    (97, "etherip"),
    (98, "encap"),
    (103, "pim"),
    (108, "ipcomp"),
    (112, "vrrp"),
    (115, "l2tp"),
    (124, "isis"),
    (133, "fc"),
    (137, "mpls-in-ip"),
    (138, "manet"),
    (139, "hip"),
    (140, "shim6"),
    (141, "wesp"),
    (142, "rohc"),
    (143, "ethernet"),
    (0, "all"),
];

/// The rule's line, `-A CHAIN …`.
pub fn line(chain: &str, family: Family, cmd: &Command) -> String {
    let mut out = format!("-A {chain}");
    for (letter, side) in [('s', &cmd.src), ('d', &cmd.dst)] {
        if let Some(a) = side {
            out += &address(letter, family, a);
        }
    }
    for (letter, side) in [('i', &cmd.iniface), ('o', &cmd.outiface)] {
        if let Some(Iface { name, invert }) = side {
            out += &format!("{} -{letter} {name}", not(*invert));
        }
    }
    if cmd.proto != 0 {
        let proto = match protocol_name(cmd.proto) {
            Some(name) => name.to_owned(),
            None => cmd.proto.to_string(),
        };
        out += &format!("{} -p {proto}", not(cmd.proto_invert));
    }
    if let Some(inverted) = cmd.fragment {
        out += &format!("{} -f", not(inverted));
    }
    for m in &cmd.matches {
        out += &format!(" -m {}{m}", m.name());
    }
    match &cmd.jump {
        Some(Jump::Verdict(v)) => out += &format!(" -j {v}"),
        Some(Jump::Chain { name, goto }) => {
            let letter = if *goto { 'g' } else { 'j' };
            out += &format!(" -{letter} {name}");
        }
        Some(Jump::Target(t)) => out += &format!(" -j {}{t}", t.name()),
        None => {}
    }
    out
}

/// The name `-p` gives a protocol, if it has one.
pub fn protocol_name(proto: u8) -> Option<&'static str> {
    PROTOCOLS
        .iter()
        .find(|(n, _)| *n == proto)
        .map(|(_, name)| *name)
}

fn not(invert: bool) -> &'static str {
    if invert {
        " !"
    } else {
        ""
    }
}

/// ` -s ADDR/MASK`: IPv4 always with its mask (`/32` too), as a prefix
/// length or dotted; IPv6 with a prefix length or a mask address.
/// Nothing for a match of anything.
fn address(letter: char, family: Family, a: &AddrMatch) -> String {
    let (addr, mask) = match family {
        Family::Ipv4 => (
            IpAddr::V4(Ipv4Addr::from(padded(&a.addr))),
            IpAddr::V4(Ipv4Addr::from(padded(&a.mask))),
        ),
        Family::Ipv6 => (
            IpAddr::V6(Ipv6Addr::from(padded(&a.addr))),
            IpAddr::V6(Ipv6Addr::from(padded(&a.mask))),
        ),
    };
    let any = |ip: IpAddr| ip.is_unspecified();
    let skip = match family {
        Family::Ipv4 => any(mask) && any(addr) && !a.invert,
        Family::Ipv6 => prefix_len(mask) == Some(0) && !a.invert,
    };
    if skip {
        return String::new();
    }
    let mask = match prefix_len(mask) {
        Some(n) => n.to_string(),
        None => mask.to_string(),
    };
    format!("{} -{letter} {addr}/{mask}", not(a.invert))
}

/// The first `N` bytes, zeros where there are fewer.
fn padded<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    let n = b.len().min(N);
    out[..n].copy_from_slice(&b[..n]);
    out
}
