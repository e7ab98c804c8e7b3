//! ebtables' `vlan` match (`struct ebt_vlan_info`): the 802.1Q tag's
//! id, priority and encapsulated type, each present by a bit of the
//! bitmask and inverted by the same bit of the inversion flags.

use std::fmt;

use super::info::Info;

pub const EBT_VLAN_ID: u8 = 0x01;
pub const EBT_VLAN_PRIO: u8 = 0x02;
pub const EBT_VLAN_ENCAP: u8 = 0x04;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EbtVlan {
    pub id: u16,
    pub prio: u8,
    /// The encapsulated EtherType, in host order.
    pub encap: u16,
    pub bitmask: u8,
    pub invflags: u8,
}

impl EbtVlan {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            id: i.u16(0)?,
            prio: i.u8(2)?,
            encap: i.be16(4)?,
            bitmask: i.u8(6)?,
            invflags: i.u8(7)?,
        })
    }

    /// Whether the option of `bit` is given, and if so inverted.
    pub fn option(&self, bit: u8) -> Option<bool> {
        (self.bitmask & bit != 0).then_some(self.invflags & bit != 0)
    }
}

/// `brvlan_print`.
impl fmt::Display for EbtVlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = |invert: bool| if invert { "! " } else { "" };
        if let Some(invert) = self.option(EBT_VLAN_ID) {
            write!(f, "--vlan-id {}{} ", not(invert), self.id)?;
        }
        if let Some(invert) = self.option(EBT_VLAN_PRIO) {
            write!(f, "--vlan-prio {}{} ", not(invert), self.prio)?;
        }
        if let Some(invert) = self.option(EBT_VLAN_ENCAP) {
            write!(f, "--vlan-encap {}{:04X} ", not(invert), self.encap)?;
        }
        Ok(())
    }
}
