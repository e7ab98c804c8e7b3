//! ebtables' `among`: a lookup of the frame's source or destination
//! MAC address, alone or with the IPv4 address after it, in an
//! anonymous set, read back as `nft_bridge_parse_lookup` reads it and
//! printed as `bramong_print` prints it. Both sides of one rule are one
//! match, the source listed first; each side's pairs sorted, as
//! `nft_among_insert_pair` keeps them.

use std::collections::HashMap;
use std::fmt::Write;
use std::net::Ipv4Addr;

use crate::collect::nftables::expr::{
    Lookup, Payload, PayloadBase, NFT_LOOKUP_F_INV,
};
use crate::collect::nftables::ruleset::Set;
use crate::collect::nftables::xt::ether_ntoa;

/// Where the addresses sit: ether source and destination, IPv4 source
/// and destination.
const ETHER_SOURCE: u32 = 6;
const ETHER_DEST: u32 = 0;
const IP_SOURCE: u32 = 12;
const IP_DEST: u32 = 16;

/// The payload loads of a rule so far, by the 32-bit register each
/// starts in: a concatenated key spans several.
#[derive(Default)]
pub struct Loads(HashMap<u32, (PayloadBase, u32, u32)>);

impl Loads {
    pub fn payload(&mut self, attrs: &[Payload]) {
        let (mut dreg, mut base, mut offset, mut len) = (None, None, 0, 0);
        for a in attrs {
            match a {
                Payload::DestinationRegister(r) => dreg = Some(u32::from(*r)),
                Payload::Base(b) => base = Some(*b),
                Payload::Offset(o) => offset = *o,
                Payload::Length(l) => len = *l,
                _ => {}
            }
        }
        if let (Some(reg), Some(base)) = (dreg.and_then(word_register), base) {
            self.0.insert(reg, (base, offset, len));
        }
    }

    fn at(&self, reg: u32) -> Option<(PayloadBase, u32, u32)> {
        self.0.get(&reg).copied()
    }
}

/// The 32-bit register a register number starts at: the 128-bit
/// registers 1 to 4 are the 32-bit ones 8 to 23, four each.
fn word_register(reg: u32) -> Option<u32> {
    match reg {
        1..=4 => Some(8 + (reg - 1) * 4),
        8..=23 => Some(reg),
        _ => None,
    }
}

/// One side's list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Side {
    pub invert: bool,
    /// MAC, then the IPv4 address or `0.0.0.0` for none.
    pub pairs: Vec<([u8; 6], Ipv4Addr)>,
}

/// A rule's among match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Among {
    pub src: Option<Side>,
    pub dst: Option<Side>,
}

impl Among {
    /// Adds the side `attrs` looks up, with the set's elements, to this
    /// match; `None` when the lookup is not among's (ebtables would skip
    /// it and print the rest of the rule: the table is then shown in nft
    /// syntax only, rather than as a rule without it).
    pub fn add(
        &mut self,
        attrs: &[Lookup],
        loads: &Loads,
        sets: &[Set],
    ) -> Option<()> {
        let (mut sreg, mut name, mut flags) = (None, None, 0);
        for a in attrs {
            match a {
                Lookup::SourceRegister(r) => sreg = Some(u32::from(*r)),
                Lookup::Set(s) => name = Some(s.as_str()),
                Lookup::Flags(f) => flags = *f,
                _ => {}
            }
        }
        let set = sets.iter().find(|s| Some(s.name.as_str()) == name)?;
        let sreg = word_register(sreg?)?;
        let dst = match loads.at(sreg)? {
            (PayloadBase::LinkLayer, ETHER_SOURCE, 6) => false,
            (PayloadBase::LinkLayer, ETHER_DEST, 6) => true,
            _ => return None,
        };
        match set.key_len {
            6 => {}
            // The address follows the MAC's six bytes, in the register
            // after the two they take.
            12 => match loads.at(sreg + 2)? {
                (PayloadBase::Network, IP_SOURCE, 4) if !dst => {}
                (PayloadBase::Network, IP_DEST, 4) if dst => {}
                _ => return None,
            },
            _ => return None,
        }
        let mut pairs: Vec<([u8; 6], Ipv4Addr)> = set
            .elements
            .iter()
            .filter_map(|e| {
                let mac: [u8; 6] = e.key.get(..6)?.try_into().ok()?;
                let ip = match e.key.get(8..12) {
                    Some(&[a, b, c, d]) => Ipv4Addr::new(a, b, c, d),
                    _ => Ipv4Addr::UNSPECIFIED,
                };
                Some((mac, ip))
            })
            .collect();
        pairs.sort_unstable();
        let side = Side {
            invert: flags & NFT_LOOKUP_F_INV != 0,
            pairs,
        };
        let slot = if dst { &mut self.dst } else { &mut self.src };
        *slot = Some(side);
        Some(())
    }
}

/// `bramong_print`: each side's option, `! ` when inverted, and its
/// pairs as `MAC` or `MAC=IP`, comma-separated.
impl std::fmt::Display for Among {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (option, side) in
            [("--among-src", &self.src), ("--among-dst", &self.dst)]
        {
            let Some(side) = side.as_ref().filter(|s| !s.pairs.is_empty())
            else {
                continue;
            };
            let mut list = String::new();
            for (mac, ip) in &side.pairs {
                if !list.is_empty() {
                    list.push(',');
                }
                list += &ether_ntoa(mac);
                if !ip.is_unspecified() {
                    let _ = write!(list, "={ip}");
                }
            }
            let bang = if side.invert { "! " } else { "" };
            write!(f, "{option} {bang}{list} ")?;
        }
        Ok(())
    }
}
