//! `meta` and `ct` keys: their names in nft's syntax, their types, and
//! the byte order the kernel loads them in.

use super::super::datatype::Type;
use crate::collect::nftables::expr::{CtDirection, CtKey, MetaKey};
use crate::collect::nftables::ruleset::Family;

/// What a key loads: its name, type, and whether it is in host order.
pub struct Key {
    pub name: String,
    pub ty: Type,
    pub host: bool,
}

fn key(name: &str, ty: Type, host: bool) -> Key {
    Key {
        name: name.to_owned(),
        ty,
        host,
    }
}

/// A meta key. nft leaves `meta` off the interface keys.
pub fn meta(k: MetaKey) -> Key {
    use MetaKey as M;
    use Type::*;
    let (name, ty, host) = match k {
        M::Length => ("meta length", Integer, true),
        M::EtherTypeProtocol => ("meta protocol", Ethertype, false),
        M::Priority => ("meta priority", Integer, true),
        M::Mark => ("meta mark", Mark, true),
        M::Iif => ("iif", Ifindex, true),
        M::Oif => ("oif", Ifindex, true),
        M::Iifname => ("iifname", Ifname, false),
        M::Oifname => ("oifname", Ifname, false),
        M::Iftype => ("iiftype", Integer, true),
        M::Oiftype => ("oiftype", Integer, true),
        M::SocketUserId => ("meta skuid", Uid, true),
        M::SocketGroupId => ("meta skgid", Gid, true),
        M::NftraceBit => ("meta nftrace", Integer, true),
        M::Rtclassid => ("meta rtclassid", Realm, true),
        M::Secmark => ("meta secmark", Integer, true),
        M::Nfproto => ("meta nfproto", Nfproto, true),
        M::L4Proto => ("meta l4proto", InetProto, true),
        M::BriIifname => ("meta ibrname", Ifname, false),
        M::BriOifname => ("meta obrname", Ifname, false),
        M::PacketType => ("meta pkttype", Pkttype, true),
        M::Cpu => ("meta cpu", Integer, true),
        M::Iifgroup => ("iifgroup", Devgroup, true),
        M::Oifgroup => ("oifgroup", Devgroup, true),
        M::Cgroup => ("meta cgroup", Integer, true),
        M::PseudoRandom => ("meta random", Integer, true),
        M::Secpath => ("meta ipsec", Boolean, true),
        M::Iifkind => ("meta iifkind", String, false),
        M::Oifkind => ("meta oifkind", String, false),
        M::BriIifpvid => ("meta ibrpvid", Integer, true),
        M::BriIifvproto => ("meta ibrvproto", Ethertype, false),
        M::TimeNs => ("meta time", Integer, true),
        M::TimeDay => ("meta day", Integer, true),
        M::TimeHour => ("meta hour", Integer, true),
        M::Sdif => ("meta sdif", Ifindex, true),
        M::Sdifname => ("meta sdifname", Ifname, false),
        M::BriBroute => ("meta broute", Integer, true),
        M::BriIifhwaddr => ("meta ibrhwaddr", Ether, false),
        other => {
            return key(
                &format!("meta [key {}]", u32::from(other)),
                Integer,
                true,
            )
        }
    };
    key(name, ty, host)
}

/// A ct key, read in a direction or for the whole entry. Addresses
/// take the family's type where the key does not say it.
pub fn ct(k: CtKey, dir: Option<CtDirection>, family: Family) -> Key {
    use CtKey as C;
    use Type::*;
    let addr = if family == Family::Ip6 { Ipv6 } else { Ipv4 };
    let (name, ty, host) = match k {
        C::State => ("state", CtState, true),
        C::Direction => ("direction", CtDir, true),
        C::Status => ("status", CtStatus, true),
        C::Mark => ("mark", Mark, true),
        C::Secmark => ("secmark", Integer, true),
        C::Expiration => ("expiration", Integer, true),
        C::Helper => ("helper", String, false),
        C::L3Protocol => ("l3proto", Nfproto, true),
        C::Src => ("saddr", addr, false),
        C::Dst => ("daddr", addr, false),
        C::Protocol => ("protocol", InetProto, true),
        C::ProtoSrc => ("proto-src", InetService, false),
        C::ProtoDst => ("proto-dst", InetService, false),
        C::Labels => ("label", CtLabel, true),
        C::Pkts => ("packets", Integer, true),
        C::Bytes => ("bytes", Integer, true),
        C::AvgPkt => ("avgpkt", Integer, true),
        C::Zone => ("zone", Integer, true),
        C::EventMask => ("event", Integer, true),
        C::SrcIp => ("ip saddr", Ipv4, false),
        C::DstIp => ("ip daddr", Ipv4, false),
        C::SrcIp6 => ("ip6 saddr", Ipv6, false),
        C::DstIp6 => ("ip6 daddr", Ipv6, false),
        C::Id => ("id", Integer, true),
        C::Other(n) => return key(&format!("ct [key {n}]"), Integer, true),
    };
    let name = match dir {
        Some(CtDirection::Original) => format!("ct original {name}"),
        Some(CtDirection::Reply) => format!("ct reply {name}"),
        Some(CtDirection::Other(n)) => format!("ct [direction {n}] {name}"),
        None => format!("ct {name}"),
    };
    Key { name, ty, host }
}
