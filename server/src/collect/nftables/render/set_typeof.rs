//! `typeof ip saddr`: the expressions a set's key or data was declared
//! with, which nft keeps in the set's user data and lists instead of
//! the type. Only what is known here is read; the caller falls back to
//! `type` for the rest.
//!
//! The user data holds, under the key's (or data's) TLV, an expression
//! kind and its parameters: a meta key, a ct key, a header field by
//! protocol and index, or a concatenation of such, each a nested TLV.

use super::expr::{ct_key, meta_key, payload_by_index};
use super::userdata::field;
use crate::collect::nftables::ruleset::Family;

/// The TLV of the key's declaration.
pub const KEY_TYPEOF: u8 = 3;
/// The TLV of the data's declaration.
pub const DATA_TYPEOF: u8 = 4;

// What the declaration's own TLVs hold: the kind, then its parameters.
const TYPEOF_KIND: u8 = 0;
const TYPEOF_DATA: u8 = 1;
// Expression kinds.
const KIND_PAYLOAD: u32 = 7;
const KIND_META: u32 = 9;
const KIND_CT: u32 = 12;
const KIND_CONCAT: u32 = 13;

/// The declaration stored under TLV `which` of `userdata`.
pub fn declared(
    userdata: Option<&[u8]>,
    which: u8,
    family: Family,
) -> Option<String> {
    expression(field(userdata?, which)?, family)
}

fn number(tlvs: &[u8], kind: u8) -> Option<u32> {
    field(tlvs, kind)?.try_into().ok().map(u32::from_ne_bytes)
}

fn expression(tlvs: &[u8], family: Family) -> Option<String> {
    let kind = number(tlvs, TYPEOF_KIND)?;
    let data = field(tlvs, TYPEOF_DATA)?;
    match kind {
        KIND_META => Some(meta_key(number(data, 0)?)),
        // A ct key in a declaration is without a direction.
        KIND_CT => Some(ct_key(number(data, 0)?, family)),
        KIND_PAYLOAD => payload_by_index(number(data, 0)?, number(data, 1)?),
        KIND_CONCAT => {
            let mut parts = Vec::new();
            for i in 0.. {
                match field(data, i) {
                    Some(part) => parts.push(expression(part, family)?),
                    None => break,
                }
            }
            (!parts.is_empty()).then(|| parts.join(" . "))
        }
        _ => None,
    }
}
