//! ebtables' `dnat` and `snat` targets (`struct ebt_nat_info`) and
//! `redirect` (`struct ebt_redirect_info`): a MAC address to write and
//! the verdict after it.

use std::fmt;

use super::addr::mac_string;
use super::ebt_verdict::EbtVerdict;
use super::info::Info;

/// Clear in an `snat`'s verdict for `--snat-arp`.
const NAT_ARP_BIT: u32 = 0x10;
const EBT_VERDICT_BITS: u32 = 0x0000_000f;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EbtNat {
    Dnat {
        mac: [u8; 6],
        then: EbtVerdict,
    },
    Snat {
        mac: [u8; 6],
        arp: bool,
        then: EbtVerdict,
    },
    Redirect {
        then: EbtVerdict,
    },
}

impl EbtNat {
    /// The target called `name`, if it is one of these.
    pub fn decode(name: &str, info: &[u8]) -> Option<Self> {
        let i = Info(info);
        match name {
            "dnat" => Some(Self::Dnat {
                mac: i.array(0)?,
                then: EbtVerdict::from_raw(i.u32(8)?)?,
            }),
            "snat" => {
                let target = i.u32(8)?;
                Some(Self::Snat {
                    mac: i.array(0)?,
                    arp: target & NAT_ARP_BIT == 0,
                    then: EbtVerdict::from_raw(target | !EBT_VERDICT_BITS)?,
                })
            }
            "redirect" => Some(Self::Redirect {
                then: EbtVerdict::from_raw(i.u32(0)?)?,
            }),
            _ => None,
        }
    }
}

/// `brdnat_print`, `brsnat_print`, `brredir_print`.
impl fmt::Display for EbtNat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dnat { mac, then } => {
                write!(f, "--to-dst {} --dnat-target {then}", mac_string(mac))
            }
            Self::Snat { mac, arp, then } => {
                write!(f, "--to-src {}", mac_string(mac))?;
                if *arp {
                    f.write_str(" --snat-arp")?;
                }
                write!(f, " --snat-target {then}")
            }
            Self::Redirect {
                then: EbtVerdict::Accept,
            } => Ok(()),
            Self::Redirect { then } => write!(f, "--redirect-target {then}"),
        }
    }
}
