//! ebtables' `pkttype` match (`struct ebt_pkttype_info`): the frame's
//! packet type, one byte, and an inversion byte.

use std::fmt;

use super::info::Info;

/// `PACKET_HOST` and the others of `linux/if_packet.h`, by the names
/// ebtables gives them.
const EBT_PKTTYPES: [&str; 7] = [
    "host",
    "broadcast",
    "multicast",
    "otherhost",
    "outgoing",
    "loopback",
    "fastroute",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EbtPkttype {
    pub kind: u8,
    pub invert: bool,
}

impl EbtPkttype {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            kind: i.u8(0)?,
            invert: i.u8(1)? != 0,
        })
    }

    pub fn name(&self) -> Option<&'static str> {
        EBT_PKTTYPES.get(usize::from(self.kind)).copied()
    }
}

/// `brpkttype_print`.
impl fmt::Display for EbtPkttype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("--pkttype-type ")?;
        if self.invert {
            f.write_str("! ")?;
        }
        match self.name() {
            Some(name) => write!(f, "{name} "),
            None => write!(f, "{} ", self.kind),
        }
    }
}
