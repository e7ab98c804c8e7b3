//! Pure decoders of nf_tables messages: one file per kind of object.
//! Numbers the kernel sends in network byte order are read as such; an
//! attribute this build does not know is skipped, never an error.

mod chain;
mod counters;
mod element;
mod flowtable;
mod generation;
mod object;
mod rule;
mod set;
mod table;

pub use chain::chain;
pub use counters::{object_counter, rule_counter, COUNTER_OBJECT};
pub use element::elements;
pub use flowtable::flowtable;
pub use generation::generation;
pub use object::object;
pub use rule::rule;
pub use set::set;
pub use table::table;

use netlink_packet_core::{DecodeError, NLA_TYPE_MASK};

use super::ruleset::{Counter, Family, Hook};
use crate::collect::nftables::attr::*;

/// One nf_tables message: the header's type and `struct nfgenmsg`.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    /// `NFT_MSG_*`.
    pub kind: u8,
    pub family: Family,
    /// The low 16 bits of the generation, in dumps.
    pub res_id: u16,
    pub attrs: &'a [u8],
}

impl<'a> Message<'a> {
    /// `payload` follows the netlink header of a message of type
    /// `NFNL_SUBSYS_NFTABLES << 8 | kind`.
    pub fn parse(kind: u8, payload: &'a [u8]) -> Result<Self, DecodeError> {
        let [family, _version, hi, lo, ..] = *payload else {
            return Err(DecodeError::from(
                "nf_tables message without nfgenmsg",
            ));
        };
        Ok(Self {
            kind,
            family: Family::from_raw(family),
            res_id: u16::from_be_bytes([hi, lo]),
            attrs: &payload[4..],
        })
    }
}

/// The attributes of `buf`: kind (flags masked) and value.
fn attrs(
    buf: &[u8],
) -> impl Iterator<Item = Result<(u16, &[u8]), DecodeError>> {
    raw_attrs(buf).map(|a| a.map(|a| (a.kind & NLA_TYPE_MASK, a.value)))
}

/// The values of the `NFTA_LIST_ELEM`s of a list.
fn list(buf: &[u8]) -> impl Iterator<Item = Result<&[u8], DecodeError>> {
    attrs(buf).filter_map(|a| match a {
        Ok((NFTA_LIST_ELEM, v)) => Some(Ok(v)),
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    })
}

fn be32(v: &[u8]) -> Result<u32, DecodeError> {
    v.try_into()
        .map(u32::from_be_bytes)
        .map_err(|_| DecodeError::from(format!("{} bytes for a u32", v.len())))
}

fn be64(v: &[u8]) -> Result<u64, DecodeError> {
    v.try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| DecodeError::from(format!("{} bytes for a u64", v.len())))
}

/// A NUL-terminated string; bytes that are not UTF-8 are replaced.
fn string(v: &[u8]) -> String {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    String::from_utf8_lossy(&v[..end]).into_owned()
}

fn counter(v: &[u8]) -> Result<Counter, DecodeError> {
    let mut c = Counter::default();
    for a in attrs(v) {
        match a? {
            (NFTA_COUNTER_BYTES, v) => c.bytes = be64(v)?,
            (NFTA_COUNTER_PACKETS, v) => c.packets = be64(v)?,
            _ => {}
        }
    }
    Ok(c)
}

/// Device names of `NFTA_HOOK_DEVS` (and of a flowtable's hook), a list
/// of `NFTA_DEVICE_NAME`s.
fn devices(v: &[u8]) -> Result<Vec<String>, DecodeError> {
    let mut names = Vec::new();
    for a in attrs(v) {
        if let (NFTA_DEVICE_NAME, name) = a? {
            names.push(string(name));
        }
    }
    Ok(names)
}

/// A chain's `NFTA_CHAIN_HOOK`. The hook number is kept as a number: what
/// it means depends on the family, which the renderer knows.
fn hook(v: &[u8]) -> Result<Hook, DecodeError> {
    let mut h = Hook::default();
    for a in attrs(v) {
        match a? {
            (NFTA_HOOK_HOOKNUM, v) => h.num = Some(be32(v)?),
            (NFTA_HOOK_PRIORITY, v) => h.priority = Some(be32(v)? as i32),
            (NFTA_HOOK_DEV, v) => h.devices.push(string(v)),
            (NFTA_HOOK_DEVS, v) => h.devices.extend(devices(v)?),
            _ => {}
        }
    }
    Ok(h)
}

#[cfg(test)]
mod tests;
