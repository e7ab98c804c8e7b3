//! `pkttype` (`struct xt_pkttype_info`): the link layer's packet type,
//! `PACKET_HOST` and the others of `linux/if_packet.h`.

use std::fmt;

use super::info::Info;

/// The names iptables prints, first name first where one type has
/// several (`host` is read as `unicast`).
const NAMES: [(u32, &str); 4] = [
    (0, "unicast"),
    (1, "broadcast"),
    (2, "multicast"),
    (3, "otherhost"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pkttype {
    pub kind: u32,
    pub invert: bool,
}

impl Pkttype {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        // Two ints.
        Some(Self {
            kind: i.u32(0)?,
            invert: i.u32(4)? != 0,
        })
    }

    /// iptables' name for the type, when it has one.
    pub fn name(&self) -> Option<&'static str> {
        NAMES.iter().find(|(k, _)| *k == self.kind).map(|(_, n)| *n)
    }
}

impl fmt::Display for Pkttype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.invert {
            f.write_str(" !")?;
        }
        match self.name() {
            Some(name) => write!(f, " --pkt-type {name}"),
            None => write!(f, " --pkt-type {}", self.kind),
        }
    }
}
