use netlink_packet_core::DecodeError;

use super::{attrs, be32, be64, string, Message};
use crate::collect::nftables::attr::*;
use crate::collect::nftables::ruleset::Table;

pub fn table(msg: &Message) -> Result<Table, DecodeError> {
    let mut t = Table {
        family: msg.family,
        ..Table::default()
    };
    for a in attrs(msg.attrs) {
        match a? {
            (NFTA_TABLE_NAME, v) => t.name = string(v),
            (NFTA_TABLE_FLAGS, v) => t.flags = be32(v)?,
            (NFTA_TABLE_USE, v) => t.use_count = be32(v)?,
            (NFTA_TABLE_HANDLE, v) => t.handle = be64(v)?,
            (NFTA_TABLE_USERDATA, v) => t.userdata = Some(v.to_vec()),
            (NFTA_TABLE_OWNER, v) => t.owner = Some(be32(v)?),
            _ => {}
        }
    }
    Ok(t)
}
