//! `mac` (`struct xt_mac_info`): the source MAC address.

use std::fmt;

use super::info::Info;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mac {
    pub source: [u8; 6],
    pub invert: bool,
}

impl Mac {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            source: i.array(0)?,
            // An int after the six bytes, at its alignment.
            invert: i.u32(8)? != 0,
        })
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.invert {
            f.write_str(" !")?;
        }
        let hex: Vec<String> =
            self.source.iter().map(|b| format!("{b:02x}")).collect();
        write!(f, " --mac-source {}", hex.join(":"))
    }
}
