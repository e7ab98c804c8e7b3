//! Packets conntrack called INVALID, as nfscope's own nftables table logs
//! them over NFLOG: where each was seen, its addresses and the header
//! fields that say why conntrack refused it.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Endpoints, Proto, Tuple};

/// One logged packet. Each hook it passed while INVALID logs it again,
/// so one packet can come as several records (prerouting, then input).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidPacket {
    /// nfscope's number for it: 1 for the first packet received, one
    /// more for each after; a client asks for the packets after the
    /// last one it has.
    pub seq: u64,
    /// When the kernel saw it (or, where the kernel gives no time,
    /// when nfscope received it), ms since the Unix epoch.
    pub at_ms: u64,
    /// Address family of the packet: 2 (IPv4) or 10 (IPv6).
    pub family: u8,
    pub hook: Hook,
    /// Interfaces by name; `ifN` for an index whose interface is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_dev: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_dev: Option<String>,
    /// The bridge ports of a bridged packet (`in_dev` and `out_dev` are
    /// then the bridge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phys_in: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phys_out: Option<String>,
    /// The packet mark (`meta mark`), 0 when unset.
    pub mark: u32,
    /// The layer-4 protocol: for IPv6, the header after the extension
    /// headers.
    pub proto: Proto,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// `None` where the protocol has no ports, or in a fragment that is
    /// not the first.
    pub sport: Option<u16>,
    pub dport: Option<u16>,
    /// TCP only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_flags: Option<TcpFlags>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_seq: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_ack: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_window: Option<u16>,
    /// ICMP and ICMPv6 only: `[type, code]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp: Option<(u8, u8)>,
    /// Length of the whole IP packet, bytes, as its header says (nfscope
    /// receives only the first 128).
    pub len: u16,
}

/// Which way a packet travels along a conntrack tuple.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Along {
    /// From the tuple's source to its destination.
    Same,
    /// From the tuple's destination back to its source.
    Reversed,
}

impl InvalidPacket {
    pub fn endpoints(&self) -> Endpoints {
        Endpoints {
            src: self.src,
            dst: self.dst,
            sport: self.sport,
            dport: self.dport,
        }
    }

    /// How this packet relates to a flow's tuple (its `orig` or its
    /// `reply`) of protocol `proto`; `None` if it is not on that path.
    /// ICMP tuples carry no ports, so ICMP packets match by addresses.
    pub fn along(&self, proto: Proto, tuple: &Tuple) -> Option<Along> {
        if proto != self.proto {
            return None;
        }
        let t = Endpoints::from(tuple);
        let p = self.endpoints();
        if p == t {
            Some(Along::Same)
        } else if (p.src, p.dst, p.sport, p.dport)
            == (t.dst, t.src, t.dport, t.sport)
        {
            Some(Along::Reversed)
        } else {
            None
        }
    }
}

/// The netfilter hook a packet was logged at: the IP hooks, and the
/// bridge's own, which share their numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hook {
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
    BridgePrerouting,
    BridgeInput,
    BridgeForward,
    BridgeOutput,
    BridgePostrouting,
    /// A number this build does not name, printed `hook-N`.
    Other(u8),
}

impl Hook {
    /// Every hook with a name.
    pub const NAMED: [Hook; 10] = [
        Self::Prerouting,
        Self::Input,
        Self::Forward,
        Self::Output,
        Self::Postrouting,
        Self::BridgePrerouting,
        Self::BridgeInput,
        Self::BridgeForward,
        Self::BridgeOutput,
        Self::BridgePostrouting,
    ];

    /// The name, or the number of a [`Hook::Other`].
    fn named(self) -> Result<&'static str, u8> {
        Ok(match self {
            Self::Prerouting => "prerouting",
            Self::Input => "input",
            Self::Forward => "forward",
            Self::Output => "output",
            Self::Postrouting => "postrouting",
            Self::BridgePrerouting => "bridge-prerouting",
            Self::BridgeInput => "bridge-input",
            Self::BridgeForward => "bridge-forward",
            Self::BridgeOutput => "bridge-output",
            Self::BridgePostrouting => "bridge-postrouting",
            Self::Other(n) => return Err(n),
        })
    }
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.named() {
            Ok(name) => f.write_str(name),
            Err(n) => write!(f, "hook-{n}"),
        }
    }
}

impl FromStr for Hook {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(hook) = Self::NAMED.iter().find(|h| h.named() == Ok(s)) {
            return Ok(*hook);
        }
        s.strip_prefix("hook-")
            .and_then(|n| n.parse().ok())
            .map(Self::Other)
            .ok_or_else(|| format!("unknown hook {s:?}"))
    }
}

crate::wire::text::serde_as_text!(Hook);

/// The flags byte of a TCP header (CWR and ECE included), printed as
/// tcpdump's reader would say them: `SYN,ACK`, or `none`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TcpFlags(pub u8);

/// By bit, lowest first.
const TCP_FLAG_NAMES: [&str; 8] =
    ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];

impl TcpFlags {
    pub const FIN: Self = Self(0x01);
    pub const SYN: Self = Self(0x02);
    pub const RST: Self = Self(0x04);
    pub const PSH: Self = Self(0x08);
    pub const ACK: Self = Self(0x10);

    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl fmt::Display for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("none");
        }
        let mut names = TCP_FLAG_NAMES
            .iter()
            .enumerate()
            .filter(|(bit, _)| self.0 & (1 << bit) != 0)
            .map(|(_, name)| name);
        if let Some(first) = names.next() {
            f.write_str(first)?;
        }
        names.try_for_each(|name| write!(f, ",{name}"))
    }
}

impl FromStr for TcpFlags {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "none" {
            return Ok(Self(0));
        }
        s.split(',').try_fold(Self(0), |flags, name| {
            let bit = TCP_FLAG_NAMES
                .iter()
                .position(|n| n.eq_ignore_ascii_case(name))
                .ok_or_else(|| format!("unknown TCP flag {name:?}"))?;
            Ok(Self(flags.0 | 1 << bit))
        })
    }
}

crate::wire::text::serde_as_text!(TcpFlags);

/// What the capture received and lost since it started.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize,
)]
pub struct InvalidTotals {
    /// Packets received and decoded; also the `seq` of the latest.
    pub received: u64,
    /// Packets pushed out of the ring by newer ones before anyone read
    /// them with `since`; still counted in `received`.
    pub dropped: u64,
    /// Packets the kernel logged but could not deliver (its buffer for
    /// nfscope was full), counted from the gaps in NFLOG's sequence.
    pub lost: u64,
    /// Times the kernel reported ENOBUFS (each time one or more packets
    /// were lost).
    pub enobufs: u64,
    /// Messages that did not decode and were skipped.
    pub decode_errors: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet() -> InvalidPacket {
        InvalidPacket {
            seq: 3,
            at_ms: 1_700_000_000_123,
            family: 2,
            hook: Hook::Prerouting,
            in_dev: Some("b0".into()),
            out_dev: None,
            phys_in: None,
            phys_out: None,
            mark: 42,
            proto: Proto::TCP,
            src: "10.77.0.1".parse().unwrap(),
            dst: "10.77.0.2".parse().unwrap(),
            sport: Some(39856),
            dport: Some(8080),
            tcp_flags: Some(TcpFlags(0x18)),
            tcp_seq: Some(1),
            tcp_ack: Some(2),
            tcp_window: Some(63),
            icmp: None,
            len: 65,
        }
    }

    #[test]
    fn serde_form_names_hook_and_flags() {
        let json = serde_json::to_value(packet()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "seq": 3,
                "at_ms": 1_700_000_000_123u64,
                "family": 2,
                "hook": "prerouting",
                "in_dev": "b0",
                "mark": 42,
                "proto": "tcp",
                "src": "10.77.0.1",
                "dst": "10.77.0.2",
                "sport": 39856,
                "dport": 8080,
                "tcp_flags": "PSH,ACK",
                "tcp_seq": 1,
                "tcp_ack": 2,
                "tcp_window": 63,
                "len": 65,
            })
        );
        let back: InvalidPacket = serde_json::from_value(json).unwrap();
        assert_eq!(back, packet());
    }

    #[test]
    fn icmp_travels_as_type_and_code() {
        let p = InvalidPacket {
            proto: Proto::ICMPV6,
            sport: None,
            dport: None,
            tcp_flags: None,
            tcp_seq: None,
            tcp_ack: None,
            tcp_window: None,
            icmp: Some((129, 0)),
            hook: Hook::BridgeForward,
            ..packet()
        };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["icmp"], serde_json::json!([129, 0]));
        assert_eq!(json["hook"], "bridge-forward");
        assert_eq!(json["sport"], serde_json::Value::Null);
        assert_eq!(serde_json::from_value::<InvalidPacket>(json).unwrap(), p);
    }

    #[test]
    fn hooks_and_flags_round_trip_as_text() {
        for n in 0..=255u8 {
            let flags = TcpFlags(n);
            assert_eq!(flags.to_string().parse(), Ok(flags));
            let hook = Hook::Other(n);
            assert_eq!(hook.to_string().parse(), Ok(hook));
        }
        for hook in Hook::NAMED {
            assert_eq!(hook.to_string().parse(), Ok(hook));
        }
        assert_eq!(Hook::BridgeForward.to_string(), "bridge-forward");
        assert_eq!(TcpFlags(0x12).to_string(), "SYN,ACK");
        assert_eq!(TcpFlags(0).to_string(), "none");
        assert!("SYN,NOPE".parse::<TcpFlags>().is_err());
        assert!("hook-256".parse::<Hook>().is_err());
    }

    #[test]
    fn a_packet_matches_a_tuple_either_way() {
        use crate::testing::tuple;
        let p = packet();
        let orig = tuple("10.77.0.1", 39856, "10.77.0.2", 8080);
        let reply = tuple("10.77.0.2", 8080, "10.77.0.1", 39856);
        assert_eq!(p.along(Proto::TCP, &orig), Some(Along::Same));
        assert_eq!(p.along(Proto::TCP, &reply), Some(Along::Reversed));
        assert_eq!(p.along(Proto::UDP, &orig), None);
        let other = tuple("10.77.0.1", 39857, "10.77.0.2", 8080);
        assert_eq!(p.along(Proto::TCP, &other), None);
    }

    #[test]
    fn totals_serde_form() {
        let t = InvalidTotals {
            received: 5,
            dropped: 1,
            lost: 2,
            enobufs: 1,
            decode_errors: 0,
        };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"received":5,"dropped":1,"lost":2,"enobufs":1,"decode_errors":0}"#
        );
        assert_eq!(serde_json::from_str::<InvalidTotals>(&json).unwrap(), t);
    }
}
