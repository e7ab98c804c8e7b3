//! arptables' `mangle` target (`struct arpt_mangle`): rewrites the
//! ARP packet's addresses.

use std::fmt;
use std::net::Ipv4Addr;

use super::addr::mac_string;
use super::info::Info;

const ARPT_MANGLE_SDEV: u8 = 0x01;
const ARPT_MANGLE_TDEV: u8 = 0x02;
const ARPT_MANGLE_SIP: u8 = 0x04;
const ARPT_MANGLE_TIP: u8 = 0x08;
const NF_DROP: i32 = 0;
const NF_ACCEPT: i32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArpMangle {
    pub src_mac: [u8; 6],
    pub tgt_mac: [u8; 6],
    pub src_ip: Ipv4Addr,
    pub tgt_ip: Ipv4Addr,
    pub flags: u8,
    /// The verdict after the rewrite.
    pub target: i32,
}

impl ArpMangle {
    /// The device addresses take `ARPT_DEV_ADDR_LEN_MAX` (16) bytes
    /// each; the verdict is an int at its alignment after the flags.
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            src_mac: i.array(0)?,
            tgt_mac: i.array(16)?,
            src_ip: i.ipv4(32)?,
            tgt_ip: i.ipv4(36)?,
            flags: i.u8(40)?,
            target: i.u32(44)? as i32,
        })
    }
}

/// `arpmangle_print`.
impl fmt::Display for ArpMangle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.flags & ARPT_MANGLE_SIP != 0 {
            write!(f, " --mangle-ip-s {}", self.src_ip)?;
        }
        if self.flags & ARPT_MANGLE_SDEV != 0 {
            write!(f, " --mangle-mac-s {}", mac_string(&self.src_mac))?;
        }
        if self.flags & ARPT_MANGLE_TIP != 0 {
            write!(f, " --mangle-ip-d {}", self.tgt_ip)?;
        }
        if self.flags & ARPT_MANGLE_TDEV != 0 {
            write!(f, " --mangle-mac-d {}", mac_string(&self.tgt_mac))?;
        }
        if self.target != NF_ACCEPT {
            let name = if self.target == NF_DROP {
                "DROP"
            } else {
                "CONTINUE"
            };
            write!(f, " --mangle-target {name}")?;
        }
        Ok(())
    }
}
