//! `meta` and `ct` keys: their names in nft's syntax, their types, and
//! the byte order the kernel loads them in.

use super::super::datatype::Type;
use crate::collect::nftables::expr::{CtDirection, CtKey, MetaKey};
use crate::collect::nftables::ruleset::Family;

/// What a key loads: its name, type, size in bytes, and whether it is
/// in host order.
pub struct Key {
    pub name: String,
    pub ty: Type,
    pub len: usize,
    pub host: bool,
}

fn key(name: &str, ty: Type, len: usize, host: bool) -> Key {
    Key {
        name: name.to_owned(),
        ty,
        len,
        host,
    }
}

/// A meta key. nft leaves `meta` off the interface keys.
pub fn meta(k: MetaKey) -> Key {
    use MetaKey as M;
    use Type::*;
    let (name, ty, len, host) = match k {
        M::Length => ("meta length", Integer, 4, true),
        M::EtherTypeProtocol => ("meta protocol", Ethertype, 2, false),
        M::Priority => ("meta priority", Classid, 4, true),
        M::Mark => ("meta mark", Mark, 4, true),
        M::Iif => ("iif", Ifindex, 4, true),
        M::Oif => ("oif", Ifindex, 4, true),
        M::Iifname => ("iifname", Ifname, 16, false),
        M::Oifname => ("oifname", Ifname, 16, false),
        M::Iftype => ("meta iiftype", Arphrd, 2, true),
        M::Oiftype => ("meta oiftype", Arphrd, 2, true),
        M::SocketUserId => ("meta skuid", Uid, 4, true),
        M::SocketGroupId => ("meta skgid", Gid, 4, true),
        M::NftraceBit => ("meta nftrace", Integer, 1, true),
        M::Rtclassid => ("meta rtclassid", Realm, 4, true),
        M::Secmark => ("meta secmark", Integer, 4, true),
        M::Nfproto => ("meta nfproto", Nfproto, 1, true),
        M::L4Proto => ("meta l4proto", InetProto, 1, true),
        M::BriIifname => ("meta ibrname", Ifname, 16, false),
        M::BriOifname => ("meta obrname", Ifname, 16, false),
        M::PacketType => ("meta pkttype", Pkttype, 1, true),
        M::Cpu => ("meta cpu", Integer, 4, true),
        M::Iifgroup => ("iifgroup", Devgroup, 4, true),
        M::Oifgroup => ("oifgroup", Devgroup, 4, true),
        M::Cgroup => ("meta cgroup", Integer, 4, true),
        M::PseudoRandom => ("meta random", Integer, 4, false),
        M::Secpath => ("meta ipsec", Boolean, 1, true),
        M::Iifkind => ("meta iifkind", String, 16, false),
        M::Oifkind => ("meta oifkind", String, 16, false),
        M::BriIifpvid => ("meta ibrpvid", Integer, 2, true),
        M::BriIifvproto => ("meta ibrvproto", Ethertype, 2, false),
        M::TimeNs => ("meta time", TimeDate, 8, true),
        M::TimeDay => ("meta day", TimeDay, 1, true),
        M::TimeHour => ("meta hour", TimeHour, 4, true),
        M::Sdif => ("meta sdif", Ifindex, 4, true),
        M::Sdifname => ("meta sdifname", Ifname, 16, false),
        M::BriBroute => ("meta broute", Integer, 1, true),
        M::BriIifhwaddr => ("meta ibrhwaddr", Ether, 6, false),
        other => {
            return key(
                &format!("meta [key {}]", u32::from(other)),
                Integer,
                4,
                true,
            )
        }
    };
    key(name, ty, len, host)
}

/// A ct key, read in a direction or for the whole entry. Addresses
/// take the family's type where the key does not say it.
/// Whether ct key `k` is of one family, which nft matches before it in
/// a table of several.
pub fn needs_family(k: CtKey) -> bool {
    use CtKey as C;
    matches!(
        k,
        C::Src
            | C::Dst
            | C::Protocol
            | C::SrcIp
            | C::DstIp
            | C::SrcIp6
            | C::DstIp6
    )
}

pub fn ct(k: CtKey, dir: Option<CtDirection>, family: Family) -> Key {
    use CtKey as C;
    use Type::*;
    let (addr, addr_len) = if family == Family::Ip6 {
        (Ipv6, 16)
    } else {
        (Ipv4, 4)
    };
    let (name, ty, len, host) = match k {
        C::State => ("state", CtState, 4, true),
        C::Direction => ("direction", CtDir, 1, true),
        C::Status => ("status", CtStatus, 4, true),
        C::Mark => ("mark", Mark, 4, true),
        C::Secmark => ("secmark", Integer, 4, true),
        C::Expiration => ("expiration", Time, 4, true),
        C::Helper => ("helper", String, 16, false),
        C::L3Protocol => ("l3proto", Nfproto, 1, true),
        C::Src => ("saddr", addr, addr_len, false),
        C::Dst => ("daddr", addr, addr_len, false),
        C::Protocol => ("protocol", InetProto, 1, false),
        C::ProtoSrc => ("proto-src", InetService, 2, false),
        C::ProtoDst => ("proto-dst", InetService, 2, false),
        C::Labels => ("label", CtLabel, 16, true),
        C::Pkts => ("packets", Integer, 8, true),
        C::Bytes => ("bytes", Integer, 8, true),
        C::AvgPkt => ("avgpkt", Integer, 8, true),
        C::Zone => ("zone", Integer, 2, true),
        C::EventMask => ("event", CtEvent, 4, true),
        C::SrcIp => ("ip saddr", Ipv4, 4, false),
        C::DstIp => ("ip daddr", Ipv4, 4, false),
        C::SrcIp6 => ("ip6 saddr", Ipv6, 16, false),
        C::DstIp6 => ("ip6 daddr", Ipv6, 16, false),
        C::Id => ("id", Integer, 4, false),
        C::Other(n) => return key(&format!("ct [key {n}]"), Integer, 4, true),
    };
    let name = match dir {
        Some(CtDirection::Original) => format!("ct original {name}"),
        Some(CtDirection::Reply) => format!("ct reply {name}"),
        Some(CtDirection::Other(n)) => format!("ct [direction {n}] {name}"),
        None => format!("ct {name}"),
    };
    Key {
        name,
        ty,
        len,
        host,
    }
}
