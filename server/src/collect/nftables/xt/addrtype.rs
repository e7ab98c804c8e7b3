//! `addrtype` revision 1 (`struct xt_addrtype_info_v1`): the route
//! types of the source and destination addresses.

use std::fmt;

use super::info::Info;

// XT_ADDRTYPE_* flags
pub const XT_ADDRTYPE_INVERT_SOURCE: u32 = 0x0001;
pub const XT_ADDRTYPE_INVERT_DEST: u32 = 0x0002;
const XT_ADDRTYPE_LIMIT_IFACE_IN: u32 = 0x0004;
const XT_ADDRTYPE_LIMIT_IFACE_OUT: u32 = 0x0008;

/// The `RTN_*` route types by bit, as iptables names them.
pub const TYPES: [&str; 12] = [
    "UNSPEC",
    "UNICAST",
    "LOCAL",
    "BROADCAST",
    "ANYCAST",
    "MULTICAST",
    "BLACKHOLE",
    "UNREACHABLE",
    "PROHIBIT",
    "THROW",
    "NAT",
    "XRESOLVE",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addrtype {
    /// `1 << RTN_*` bits.
    pub source: u16,
    pub dest: u16,
    pub flags: u32,
}

impl Addrtype {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            source: i.u16(0)?,
            dest: i.u16(2)?,
            flags: i.u32(4)?,
        })
    }
}

fn types(mask: u16) -> String {
    let names: Vec<&str> = TYPES
        .iter()
        .enumerate()
        .filter(|(bit, _)| mask & (1 << bit) != 0)
        .map(|(_, name)| *name)
        .collect();
    names.join(",")
}

impl fmt::Display for Addrtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sides = [
            (self.source, XT_ADDRTYPE_INVERT_SOURCE, "src"),
            (self.dest, XT_ADDRTYPE_INVERT_DEST, "dst"),
        ];
        for (mask, inv, word) in sides {
            if mask != 0 {
                let not = if self.flags & inv != 0 { " !" } else { "" };
                write!(f, "{not} --{word}-type {}", types(mask))?;
            }
        }
        if self.flags & XT_ADDRTYPE_LIMIT_IFACE_IN != 0 {
            f.write_str(" --limit-iface-in")?;
        }
        if self.flags & XT_ADDRTYPE_LIMIT_IFACE_OUT != 0 {
            f.write_str(" --limit-iface-out")?;
        }
        Ok(())
    }
}
