use netlink_packet_core::DecodeError;

use super::{attrs, be32, be64, list, string, Message};
use crate::collect::nftables::attr::*;
use crate::collect::nftables::expr::{decode_expressions, decode_nested_expr};
use crate::collect::nftables::ruleset::Set;

pub fn set(msg: &Message) -> Result<Set, DecodeError> {
    let mut s = Set {
        family: msg.family,
        ..Set::default()
    };
    for a in attrs(msg.attrs) {
        match a? {
            (NFTA_SET_TABLE, v) => s.table = string(v),
            (NFTA_SET_NAME, v) => s.name = string(v),
            (NFTA_SET_FLAGS, v) => s.flags = be32(v)?,
            (NFTA_SET_KEY_TYPE, v) => s.key_type = be32(v)?,
            (NFTA_SET_KEY_LEN, v) => s.key_len = be32(v)?,
            (NFTA_SET_DATA_TYPE, v) => s.data_type = Some(be32(v)?),
            (NFTA_SET_DATA_LEN, v) => s.data_len = Some(be32(v)?),
            (NFTA_SET_POLICY, v) => s.policy = Some(be32(v)?),
            (NFTA_SET_DESC, v) => desc(v, &mut s)?,
            (NFTA_SET_TIMEOUT, v) => s.timeout_ms = Some(be64(v)?),
            (NFTA_SET_GC_INTERVAL, v) => s.gc_interval_ms = Some(be32(v)?),
            (NFTA_SET_USERDATA, v) => s.userdata = Some(v.to_vec()),
            (NFTA_SET_OBJ_TYPE, v) => s.obj_type = Some(be32(v)?),
            (NFTA_SET_HANDLE, v) => s.handle = be64(v)?,
            (NFTA_SET_EXPR, v) => s.exprs.push(decode_nested_expr(v)),
            (NFTA_SET_EXPRESSIONS, v) => s.exprs = decode_expressions(v),
            _ => {}
        }
    }
    Ok(s)
}

/// Size and, for a concatenated key, the length of each field.
fn desc(v: &[u8], s: &mut Set) -> Result<(), DecodeError> {
    for a in attrs(v) {
        match a? {
            (NFTA_SET_DESC_SIZE, v) => s.size = Some(be32(v)?),
            (NFTA_SET_DESC_CONCAT, v) => {
                for field in list(v) {
                    for a in attrs(field?) {
                        if let (NFTA_SET_FIELD_LEN, v) = a? {
                            s.fields.push(be32(v)?);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}
