use netlink_packet_core::DecodeError;

use super::{attrs, be32, string, Message};
use crate::collect::nftables::attr::*;
use crate::collect::nftables::ruleset::Generation;

/// `NFT_MSG_NEWGEN`: the answer to `NFT_MSG_GETGEN`, and the last event
/// of every commit.
pub fn generation(msg: &Message) -> Result<Generation, DecodeError> {
    let mut g = Generation::default();
    for a in attrs(msg.attrs) {
        match a? {
            (NFTA_GEN_ID, v) => g.id = be32(v)?,
            (NFTA_GEN_PROC_PID, v) => g.pid = Some(be32(v)?),
            (NFTA_GEN_PROC_NAME, v) => g.process = Some(string(v)),
            _ => {}
        }
    }
    Ok(g)
}
