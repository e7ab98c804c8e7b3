use netlink_packet_core::DecodeError;

use super::{attrs, be32, be64, counter, hook, string, Message};
use crate::collect::nftables::attr::*;
use crate::collect::nftables::ruleset::Chain;

pub fn chain(msg: &Message) -> Result<Chain, DecodeError> {
    let mut c = Chain {
        family: msg.family,
        ..Chain::default()
    };
    for a in attrs(msg.attrs) {
        match a? {
            (NFTA_CHAIN_TABLE, v) => c.table = string(v),
            (NFTA_CHAIN_HANDLE, v) => c.handle = be64(v)?,
            (NFTA_CHAIN_NAME, v) => c.name = string(v),
            (NFTA_CHAIN_HOOK, v) => c.hook = Some(hook(v)?),
            (NFTA_CHAIN_POLICY, v) => c.policy = Some(be32(v)?),
            (NFTA_CHAIN_USE, v) => c.use_count = be32(v)?,
            (NFTA_CHAIN_TYPE, v) => c.kind = Some(string(v)),
            (NFTA_CHAIN_COUNTERS, v) => c.counter = Some(counter(v)?),
            (NFTA_CHAIN_FLAGS, v) => c.flags = be32(v)?,
            (NFTA_CHAIN_USERDATA, v) => c.userdata = Some(v.to_vec()),
            _ => {}
        }
    }
    Ok(c)
}
