use netlink_packet_core::DecodeError;

use super::{attrs, be32, be64, list, string, Message};
use crate::collect::nftables::attr::*;
use crate::collect::nftables::expr::{
    decode_data, decode_expressions, decode_nested_expr, Data,
};
use crate::collect::nftables::ruleset::Element;

/// A set element dump message: the set it belongs to (table, set) and its
/// elements.
pub fn elements(
    msg: &Message,
) -> Result<(String, String, Vec<Element>), DecodeError> {
    let (mut table, mut set, mut out) = (String::new(), String::new(), vec![]);
    for a in attrs(msg.attrs) {
        match a? {
            (NFTA_SET_ELEM_LIST_TABLE, v) => table = string(v),
            (NFTA_SET_ELEM_LIST_SET, v) => set = string(v),
            (NFTA_SET_ELEM_LIST_ELEMENTS, v) => {
                for e in list(v) {
                    out.push(element(e?)?);
                }
            }
            _ => {}
        }
    }
    Ok((table, set, out))
}

fn element(v: &[u8]) -> Result<Element, DecodeError> {
    let mut e = Element::default();
    for a in attrs(v) {
        match a? {
            (NFTA_SET_ELEM_KEY, v) => e.key = value(v)?,
            (NFTA_SET_ELEM_KEY_END, v) => e.key_end = Some(value(v)?),
            (NFTA_SET_ELEM_DATA, v) => e.data = Some(decode_data(v)?),
            (NFTA_SET_ELEM_FLAGS, v) => e.flags = be32(v)?,
            (NFTA_SET_ELEM_TIMEOUT, v) => e.timeout_ms = Some(be64(v)?),
            (NFTA_SET_ELEM_EXPIRATION, v) => e.expiration_ms = Some(be64(v)?),
            (NFTA_SET_ELEM_USERDATA, v) => e.userdata = Some(v.to_vec()),
            (NFTA_SET_ELEM_EXPR, v) => e.exprs.push(decode_nested_expr(v)),
            (NFTA_SET_ELEM_EXPRESSIONS, v) => e.exprs = decode_expressions(v),
            (NFTA_SET_ELEM_OBJREF, v) => e.objref = Some(string(v)),
            _ => {}
        }
    }
    Ok(e)
}

/// A key is data that is always a value.
fn value(v: &[u8]) -> Result<Vec<u8>, DecodeError> {
    match decode_data(v)? {
        Data::Value(bytes) => Ok(bytes),
        other => Err(DecodeError::from(format!("a set key of {other:?}"))),
    }
}
