//! `icmp` (`struct ipt_icmp`) and `icmp6` (`struct ip6t_icmp`), which
//! share a layout: a type, a code range, an inversion flag.

use std::fmt;

use super::info::Info;

/// `IPT_ICMP_INV` and `IP6T_ICMP_INV`.
const ICMP_INV: u8 = 0x01;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Icmp {
    /// 0xff is any type (IPv4 only).
    pub kind: u8,
    pub code: [u8; 2],
    pub invflags: u8,
    /// Which of the two it is: they print their options differently.
    pub v6: bool,
}

impl Icmp {
    pub fn decode(info: &[u8], v6: bool) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            kind: i.u8(0)?,
            code: i.array(1)?,
            invflags: i.u8(3)?,
            v6,
        })
    }

    /// Any code of the type.
    pub fn any_code(&self) -> bool {
        self.code == [0, 0xff]
    }
}

impl fmt::Display for Icmp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.invflags & ICMP_INV != 0 {
            f.write_str(" !")?;
        }
        if self.v6 {
            write!(f, " --icmpv6-type {}", self.kind)?;
        } else if self.kind == 0xff {
            return f.write_str(" --icmp-type any");
        } else {
            write!(f, " --icmp-type {}", self.kind)?;
        }
        if !self.any_code() {
            write!(f, "/{}", self.code[0])?;
        }
        Ok(())
    }
}

/// `struct ip6t_hl_info`: a comparison (`IP6T_HL_EQ`, `_NE`, `_LT`,
/// `_GT`) with a hop limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hl {
    pub mode: HlMode,
    pub hop_limit: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HlMode {
    Eq,
    Ne,
    Lt,
    Gt,
}

impl Hl {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        let mode = match i.u8(0)? {
            0 => HlMode::Eq,
            1 => HlMode::Ne,
            2 => HlMode::Lt,
            3 => HlMode::Gt,
            _ => return None,
        };
        Some(Self {
            mode,
            hop_limit: i.u8(1)?,
        })
    }
}

impl fmt::Display for Hl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.mode {
            HlMode::Eq => "--hl-eq",
            HlMode::Ne => "! --hl-eq",
            HlMode::Lt => "--hl-lt",
            HlMode::Gt => "--hl-gt",
        };
        write!(f, " {op} {}", self.hop_limit)
    }
}
