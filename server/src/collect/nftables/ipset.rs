//! Names of the ipsets that iptables' `-m set` matches hold by index
//! (`xt_set_info.index`). `iptables-save` prints the name, which the
//! kernel tells through `SO_IP_SET` as libxt_set asks it: the protocol
//! version first, then `IP_SET_OP_GET_BYINDEX` for each index.

use std::collections::BTreeMap;

use super::expr::Expr;
use super::ruleset::TableContents;
use super::sockopt;
use super::xt::{self, SetMatch};

// linux/netfilter/ipset/ip_set.h
const SO_IP_SET: libc::c_int = 83;
const IP_SET_OP_GET_BYINDEX: u32 = 0x7;
const IP_SET_OP_VERSION: u32 = 0x100;
const IPSET_MAXNAMELEN: usize = 32;

/// The ipsets that the rules refer to, each index with its name, or
/// with none when the kernel could not tell it (no ipset support, no
/// capability). Asked once per snapshot: the kernel neither renames
/// nor destroys a set that a rule refers to, and `ipset swap` swaps
/// the contents under the names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IpsetNames(BTreeMap<u16, Option<String>>);

impl IpsetNames {
    /// The names of the ipsets the set matches of `tables` refer to.
    pub fn of(tables: &[TableContents]) -> Self {
        let indices = tables
            .iter()
            .flat_map(|t| &t.chains)
            .flat_map(|c| &c.rules)
            .flat_map(|r| &r.exprs)
            .filter_map(|e| match e {
                Expr::Match(attrs) => match xt::match_parts(attrs) {
                    ("set", revision, info) => {
                        SetMatch::decode(revision, info).map(|s| s.index)
                    }
                    _ => None,
                },
                _ => None,
            });
        Self::ask(indices)
    }

    /// The name of the ipset at `index`, when known.
    pub fn get(&self, index: u16) -> Option<&str> {
        self.0.get(&index)?.as_deref()
    }

    fn ask(indices: impl Iterator<Item = u16>) -> Self {
        let mut names: BTreeMap<u16, Option<String>> =
            indices.map(|i| (i, None)).collect();
        if names.is_empty() {
            return Self(names);
        }
        if let Some(version) = version() {
            for (index, name) in &mut names {
                *name = by_index(version, *index);
            }
        }
        Self(names)
    }
}

/// `struct ip_set_req_version`: the protocol the kernel speaks, which
/// every other request must carry.
fn version() -> Option<u32> {
    let mut req = [0u8; 8];
    req[..4].copy_from_slice(&IP_SET_OP_VERSION.to_ne_bytes());
    let len = sockopt::get(libc::AF_INET, libc::SOL_IP, SO_IP_SET, &mut req)?;
    (len == req.len())
        .then(|| u32::from_ne_bytes([req[4], req[5], req[6], req[7]]))
}

/// `struct ip_set_req_get_set`: op, version, then the index in, the
/// name out.
fn by_index(version: u32, index: u16) -> Option<String> {
    let mut req = [0u8; 8 + IPSET_MAXNAMELEN];
    req[..4].copy_from_slice(&IP_SET_OP_GET_BYINDEX.to_ne_bytes());
    req[4..8].copy_from_slice(&version.to_ne_bytes());
    req[8..10].copy_from_slice(&index.to_ne_bytes());
    let len = sockopt::get(libc::AF_INET, libc::SOL_IP, SO_IP_SET, &mut req)?;
    if len != req.len() {
        return None;
    }
    let name = &req[8..];
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    (end > 0).then(|| String::from_utf8_lossy(&name[..end]).into_owned())
}
