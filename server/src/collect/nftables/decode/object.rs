use netlink_packet_core::DecodeError;

use super::{attrs, be32, be64, string, Message};
use crate::collect::nftables::attr::*;
use crate::collect::nftables::ruleset::Object;

pub fn object(msg: &Message) -> Result<Object, DecodeError> {
    let mut o = Object {
        family: msg.family,
        ..Object::default()
    };
    for a in attrs(msg.attrs) {
        match a? {
            (NFTA_OBJ_TABLE, v) => o.table = string(v),
            (NFTA_OBJ_NAME, v) => o.name = string(v),
            (NFTA_OBJ_TYPE, v) => o.kind = be32(v)?,
            (NFTA_OBJ_DATA, v) => o.data = v.to_vec(),
            (NFTA_OBJ_USE, v) => o.use_count = be32(v)?,
            (NFTA_OBJ_HANDLE, v) => o.handle = be64(v)?,
            (NFTA_OBJ_USERDATA, v) => o.userdata = Some(v.to_vec()),
            _ => {}
        }
    }
    Ok(o)
}
