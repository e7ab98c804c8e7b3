use netlink_packet_core::DecodeError;

use super::{attrs, be32, be64, string, Message};
use crate::collect::nftables::attr::*;
use crate::collect::nftables::expr::decode_expressions;
use crate::collect::nftables::ruleset::Rule;

pub fn rule(msg: &Message) -> Result<Rule, DecodeError> {
    let mut r = Rule {
        family: msg.family,
        ..Rule::default()
    };
    for a in attrs(msg.attrs) {
        match a? {
            (NFTA_RULE_TABLE, v) => r.table = string(v),
            (NFTA_RULE_CHAIN, v) => r.chain = string(v),
            (NFTA_RULE_HANDLE, v) => r.handle = be64(v)?,
            (NFTA_RULE_EXPRESSIONS, v) => r.exprs = decode_expressions(v),
            (NFTA_RULE_COMPAT, v) => r.compat = Some(compat(v)?),
            (NFTA_RULE_POSITION, v) => r.position = Some(be64(v)?),
            (NFTA_RULE_USERDATA, v) => r.userdata = Some(v.to_vec()),
            _ => {}
        }
    }
    Ok(r)
}

fn compat(v: &[u8]) -> Result<(u32, u32), DecodeError> {
    let (mut proto, mut flags) = (0, 0);
    for a in attrs(v) {
        match a? {
            (NFTA_RULE_COMPAT_PROTO, v) => proto = be32(v)?,
            (NFTA_RULE_COMPAT_FLAGS, v) => flags = be32(v)?,
            _ => {}
        }
    }
    Ok((proto, flags))
}
