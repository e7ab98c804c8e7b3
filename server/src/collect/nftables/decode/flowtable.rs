use netlink_packet_core::DecodeError;

use super::{attrs, be32, be64, devices, string, Message};
use crate::collect::nftables::attr::*;
use crate::collect::nftables::ruleset::{Flowtable, Hook};

pub fn flowtable(msg: &Message) -> Result<Flowtable, DecodeError> {
    let mut f = Flowtable {
        family: msg.family,
        ..Flowtable::default()
    };
    for a in attrs(msg.attrs) {
        match a? {
            (NFTA_FLOWTABLE_TABLE, v) => f.table = string(v),
            (NFTA_FLOWTABLE_NAME, v) => f.name = string(v),
            (NFTA_FLOWTABLE_HOOK, v) => f.hook = hook(v)?,
            (NFTA_FLOWTABLE_USE, v) => f.use_count = be32(v)?,
            (NFTA_FLOWTABLE_HANDLE, v) => f.handle = be64(v)?,
            (NFTA_FLOWTABLE_FLAGS, v) => f.flags = be32(v)?,
            _ => {}
        }
    }
    Ok(f)
}

/// A flowtable's hook has numbers of its own, and its devices as a list.
fn hook(v: &[u8]) -> Result<Hook, DecodeError> {
    let mut h = Hook::default();
    for a in attrs(v) {
        match a? {
            (NFTA_FLOWTABLE_HOOK_NUM, v) => h.num = Some(be32(v)?),
            (NFTA_FLOWTABLE_HOOK_PRIORITY, v) => {
                h.priority = Some(be32(v)? as i32)
            }
            (NFTA_FLOWTABLE_HOOK_DEVS, v) => h.devices = devices(v)?,
            _ => {}
        }
    }
    Ok(h)
}
