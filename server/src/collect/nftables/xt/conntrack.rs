//! `conntrack` (`struct xt_conntrack_mtinfo1`..`3`) and `state`
//! (`struct xt_state_info`): what conntrack knows about the packet's
//! connection. `-m state` is also written as `conntrack` with
//! `XT_CONNTRACK_STATE_ALIAS`, and then prints as `-m state`.

use std::fmt;
use std::net::IpAddr;

use super::addr::mask_suffix;
use super::info::Info;
use super::Family;

// enum in xt_conntrack.h: match_flags and invert_flags
pub const XT_CONNTRACK_STATE: u16 = 1 << 0;
const XT_CONNTRACK_PROTO: u16 = 1 << 1;
const XT_CONNTRACK_ORIGSRC: u16 = 1 << 2;
const XT_CONNTRACK_ORIGDST: u16 = 1 << 3;
const XT_CONNTRACK_REPLSRC: u16 = 1 << 4;
const XT_CONNTRACK_REPLDST: u16 = 1 << 5;
pub const XT_CONNTRACK_STATUS: u16 = 1 << 6;
const XT_CONNTRACK_EXPIRES: u16 = 1 << 7;
const XT_CONNTRACK_ORIGSRC_PORT: u16 = 1 << 8;
const XT_CONNTRACK_DIRECTION: u16 = 1 << 12;
pub const XT_CONNTRACK_STATE_ALIAS: u16 = 1 << 13;

/// The states of a connection NAT changed, which nft tells by its
/// status bits.
pub const XT_CONNTRACK_STATE_SNAT: u16 = 1 << 6;
pub const XT_CONNTRACK_STATE_DNAT: u16 = 1 << 7;

/// The state bits (`XT_CONNTRACK_STATE_BIT(IP_CT_*)`, `_INVALID`,
/// `_SNAT`, `_DNAT`, `_UNTRACKED`) in the order iptables lists them.
pub const STATES: [(u16, &str); 7] = [
    (1 << 0, "INVALID"),
    (1 << 3, "NEW"),
    (1 << 2, "RELATED"),
    (1 << 1, "ESTABLISHED"),
    (1 << 8, "UNTRACKED"),
    (XT_CONNTRACK_STATE_SNAT, "SNAT"),
    (XT_CONNTRACK_STATE_DNAT, "DNAT"),
];

/// `IPS_*` status bits `--ctstatus` names.
const STATUSES: [(u16, &str); 4] = [
    (1 << 0, "EXPECTED"),
    (1 << 1, "SEEN_REPLY"),
    (1 << 2, "ASSURED"),
    (1 << 3, "CONFIRMED"),
];

/// An address and its mask, of the connection's tuples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Masked {
    pub addr: IpAddr,
    pub mask: IpAddr,
}

/// A port range of a tuple, in host order; `high` is 0 before
/// revision 3, which had single ports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ports {
    pub low: u16,
    pub high: u16,
}

/// Revisions 1 to 3, widened to revision 3's fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conntrack {
    pub origsrc: Masked,
    pub origdst: Masked,
    pub replsrc: Masked,
    pub repldst: Masked,
    pub expires: (u32, u32),
    pub l4proto: u16,
    /// Original source and destination, reply source and destination.
    pub ports: [Ports; 4],
    pub match_flags: u16,
    pub invert_flags: u16,
    pub state_mask: u16,
    pub status_mask: u16,
}

// Offsets common to the three revisions.
const EXPIRES: usize = 128;
const L4PROTO: usize = 136;
const PORTS: usize = 138;
const MATCH_FLAGS: usize = 146;
const STATE_MASK: usize = 150;
/// Revision 3 adds the high ends of the port ranges.
const PORTS_HIGH: usize = 154;

impl Conntrack {
    pub fn decode(revision: u32, info: &[u8], family: Family) -> Option<Self> {
        let i = Info(info);
        let masked = |at: usize| {
            Some(Masked {
                addr: i.inet_addr(at, family)?,
                mask: i.inet_addr(at + 16, family)?,
            })
        };
        let (state_mask, status_mask) = match revision {
            1 => (
                u16::from(i.u8(STATE_MASK)?),
                u16::from(i.u8(STATE_MASK + 1)?),
            ),
            2 | 3 => (i.u16(STATE_MASK)?, i.u16(STATE_MASK + 2)?),
            _ => return None,
        };
        let mut ports = [Ports::default(); 4];
        for (n, p) in ports.iter_mut().enumerate() {
            let at = PORTS + 2 * n;
            *p = match revision {
                // Revision 3 keeps ports in host order, the older ones
                // in network order.
                3 => Ports {
                    low: i.u16(at)?,
                    high: i.u16(PORTS_HIGH + 2 * n)?,
                },
                _ => Ports {
                    low: i.be16(at)?,
                    high: 0,
                },
            };
        }
        Some(Self {
            origsrc: masked(0)?,
            origdst: masked(32)?,
            replsrc: masked(64)?,
            repldst: masked(96)?,
            expires: (i.u32(EXPIRES)?, i.u32(EXPIRES + 4)?),
            l4proto: i.u16(L4PROTO)?,
            ports,
            match_flags: i.u16(MATCH_FLAGS)?,
            invert_flags: i.u16(MATCH_FLAGS + 2)?,
            state_mask,
            status_mask,
        })
    }

    /// `-m state` when written as its alias.
    pub fn name(&self) -> &'static str {
        if self.match_flags & XT_CONNTRACK_STATE_ALIAS != 0 {
            "state"
        } else {
            "conntrack"
        }
    }

    fn has(&self, flag: u16) -> bool {
        self.match_flags & flag != 0
    }

    fn not(&self, flag: u16) -> &'static str {
        if self.invert_flags & flag != 0 {
            " !"
        } else {
            ""
        }
    }
}

/// The names of the bits of `mask` in `names`, comma-separated.
pub fn names(mask: u16, names: &[(u16, &str)]) -> String {
    let list: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| mask & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    list.join(",")
}

/// As `conntrack_dump` prints with the `--` prefix.
impl fmt::Display for Conntrack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.has(XT_CONNTRACK_STATE) {
            let word = if self.has(XT_CONNTRACK_STATE_ALIAS) {
                "state"
            } else {
                "ctstate"
            };
            let states = names(self.state_mask, &STATES);
            write!(f, "{} --{word} {states}", self.not(XT_CONNTRACK_STATE))?;
        }
        if self.has(XT_CONNTRACK_PROTO) {
            let not = self.not(XT_CONNTRACK_PROTO);
            write!(f, "{not} --ctproto {}", self.l4proto)?;
        }
        let addrs = [
            (XT_CONNTRACK_ORIGSRC, "ctorigsrc", self.origsrc),
            (XT_CONNTRACK_ORIGDST, "ctorigdst", self.origdst),
            (XT_CONNTRACK_REPLSRC, "ctreplsrc", self.replsrc),
            (XT_CONNTRACK_REPLDST, "ctrepldst", self.repldst),
        ];
        for (flag, word, m) in addrs {
            if self.has(flag) {
                let (addr, mask) = (m.addr, mask_suffix(m.mask));
                write!(f, "{} --{word} {addr}{mask}", self.not(flag))?;
            }
        }
        let words = [
            "ctorigsrcport",
            "ctorigdstport",
            "ctreplsrcport",
            "ctrepldstport",
        ];
        for (n, (word, p)) in words.iter().zip(self.ports).enumerate() {
            let flag = XT_CONNTRACK_ORIGSRC_PORT << n;
            if self.has(flag) {
                write!(f, "{} --{word} {}", self.not(flag), p.low)?;
                if p.high != 0 && p.high != p.low {
                    write!(f, ":{}", p.high)?;
                }
            }
        }
        if self.has(XT_CONNTRACK_STATUS) {
            let statuses = match self.status_mask {
                0 => "NONE".to_owned(),
                mask => names(mask, &STATUSES),
            };
            let not = self.not(XT_CONNTRACK_STATUS);
            write!(f, "{not} --ctstatus {statuses}")?;
        }
        if self.has(XT_CONNTRACK_EXPIRES) {
            let not = self.not(XT_CONNTRACK_EXPIRES);
            write!(f, "{not} --ctexpire {}", self.expires.0)?;
            if self.expires.1 != self.expires.0 {
                write!(f, ":{}", self.expires.1)?;
            }
        }
        if self.has(XT_CONNTRACK_DIRECTION) {
            let dir = if self.invert_flags & XT_CONNTRACK_DIRECTION != 0 {
                "REPLY"
            } else {
                "ORIGINAL"
            };
            write!(f, " --ctdir {dir}")?;
        }
        Ok(())
    }
}

/// `struct xt_state_info`: the `state` match of revision 0, which
/// iptables no longer writes but the kernel still runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    pub state_mask: u32,
}

impl State {
    pub fn decode(info: &[u8]) -> Option<Self> {
        Some(Self {
            state_mask: Info(info).u32(0)?,
        })
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the five true states: the NAT bits are conntrack's.
        let mask = (self.state_mask & 0x10f) as u16;
        write!(f, " --state {}", names(mask, &STATES[..5]))
    }
}
