//! `iprange` revision 1 (`struct xt_iprange_mtinfo`): source and
//! destination address ranges.

use std::fmt;
use std::net::IpAddr;

use super::info::Info;
use super::Family;

// IPRANGE_* flags
const IPRANGE_SRC: u8 = 1 << 0;
const IPRANGE_DST: u8 = 1 << 1;
const IPRANGE_SRC_INV: u8 = 1 << 4;
const IPRANGE_DST_INV: u8 = 1 << 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Iprange {
    pub src: [IpAddr; 2],
    pub dst: [IpAddr; 2],
    pub flags: u8,
}

impl Iprange {
    pub fn decode(info: &[u8], family: Family) -> Option<Self> {
        let i = Info(info);
        let addr = |n: usize| i.inet_addr(16 * n, family);
        Some(Self {
            src: [addr(0)?, addr(1)?],
            dst: [addr(2)?, addr(3)?],
            flags: i.u8(64)?,
        })
    }
}

impl fmt::Display for Iprange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sides = [
            (IPRANGE_SRC, IPRANGE_SRC_INV, "src", self.src),
            (IPRANGE_DST, IPRANGE_DST_INV, "dst", self.dst),
        ];
        for (on, inv, word, [lo, hi]) in sides {
            if self.flags & on != 0 {
                let not = if self.flags & inv != 0 { " !" } else { "" };
                write!(f, "{not} --{word}-range {lo}-{hi}")?;
            }
        }
        Ok(())
    }
}
