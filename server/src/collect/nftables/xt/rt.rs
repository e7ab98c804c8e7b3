//! `rt` (`struct ip6t_rt`, IPv6 only): the routing header's type,
//! segments left and length, and for type 0 its reserved field and
//! addresses.

use std::fmt;
use std::net::Ipv6Addr;

use super::info::Info;

// IP6T_RT_* (linux/netfilter_ipv6/ip6t_rt.h): flags
pub const IP6T_RT_TYP: u8 = 0x01;
pub const IP6T_RT_LEN: u8 = 0x04;
pub const IP6T_RT_RES: u8 = 0x08;
pub const IP6T_RT_FST: u8 = 0x10;
pub const IP6T_RT_FST_NSTRICT: u8 = 0x20;
// IP6T_RT_INV_*: invflags
pub const IP6T_RT_INV_TYP: u8 = 0x01;
pub const IP6T_RT_INV_SGS: u8 = 0x02;
pub const IP6T_RT_INV_LEN: u8 = 0x04;

/// `IP6T_RT_HOPS`: room for this many type 0 addresses.
const HOPS: usize = 16;

// Offsets: the addresses are 4-byte aligned after the two flag bytes.
const FLAGS: usize = 16;
const ADDRS: usize = 20;
const ADDRNR: usize = ADDRS + 16 * HOPS;

/// Any number of segments left: what a rule without `--rt-segsleft`
/// holds.
pub const ANY_SEGSLEFT: [u32; 2] = [0, u32::MAX];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rt {
    pub rt_type: u32,
    pub segsleft: [u32; 2],
    pub hdrlen: u32,
    pub flags: u8,
    pub invflags: u8,
    /// The type 0 addresses given, in order.
    pub addrs: Vec<Ipv6Addr>,
}

impl Rt {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        let count = usize::from(i.u8(ADDRNR)?).min(HOPS);
        let addrs = (0..count)
            .map(|n| i.array::<16>(ADDRS + 16 * n).map(Ipv6Addr::from))
            .collect::<Option<_>>()?;
        Some(Self {
            rt_type: i.u32(0)?,
            segsleft: [i.u32(4)?, i.u32(8)?],
            hdrlen: i.u32(12)?,
            flags: i.u8(FLAGS)?,
            invflags: i.u8(FLAGS + 1)?,
            addrs,
        })
    }

    /// ` !` before an option whose inversion bit is set.
    fn not(&self, bit: u8) -> &'static str {
        if self.invflags & bit != 0 {
            " !"
        } else {
            ""
        }
    }
}

/// `rt_save`.
impl fmt::Display for Rt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.flags & IP6T_RT_TYP != 0 {
            let not = self.not(IP6T_RT_INV_TYP);
            write!(f, "{not} --rt-type {}", self.rt_type)?;
        }
        if self.segsleft != ANY_SEGSLEFT {
            let [lo, hi] = self.segsleft;
            write!(f, "{} --rt-segsleft {lo}", self.not(IP6T_RT_INV_SGS))?;
            if lo != hi {
                write!(f, ":{hi}")?;
            }
        }
        if self.flags & IP6T_RT_LEN != 0 {
            let not = self.not(IP6T_RT_INV_LEN);
            write!(f, "{not} --rt-len {}", self.hdrlen)?;
        }
        if self.flags & IP6T_RT_RES != 0 {
            f.write_str(" --rt-0-res")?;
        }
        if self.flags & IP6T_RT_FST != 0 {
            f.write_str(" --rt-0-addrs")?;
        }
        let addrs: Vec<String> =
            self.addrs.iter().map(Ipv6Addr::to_string).collect();
        if !addrs.is_empty() {
            write!(f, " {}", addrs.join(","))?;
        }
        if self.flags & IP6T_RT_FST_NSTRICT != 0 {
            f.write_str(" --rt-0-not-strict")?;
        }
        Ok(())
    }
}
