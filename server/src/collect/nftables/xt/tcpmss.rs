//! `TCPMSS` (`struct xt_tcpmss_info`): rewrite a SYN's MSS option.

use std::fmt;

use super::info::Info;

/// `XT_TCPMSS_CLAMP_PMTU`: clamp to the path MTU instead.
const XT_TCPMSS_CLAMP_PMTU: u16 = 0xffff;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tcpmss {
    pub mss: u16,
}

impl Tcpmss {
    pub fn decode(info: &[u8]) -> Option<Self> {
        Some(Self {
            mss: Info(info).u16(0)?,
        })
    }

    pub fn clamps(&self) -> bool {
        self.mss == XT_TCPMSS_CLAMP_PMTU
    }
}

impl fmt::Display for Tcpmss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.clamps() {
            f.write_str(" --clamp-mss-to-pmtu")
        } else {
            write!(f, " --set-mss {}", self.mss)
        }
    }
}
