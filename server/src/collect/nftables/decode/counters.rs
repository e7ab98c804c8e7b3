use netlink_packet_core::DecodeError;

use super::{attrs, be64, counter, list, string, Message};
use crate::collect::nftables::attr::*;
use crate::collect::nftables::ruleset::{Counter, Object};

/// `NFT_OBJECT_COUNTER`.
pub const COUNTER_OBJECT: u32 = 1;

/// What a named counter object counted; `None` for other objects.
pub fn object_counter(o: &Object) -> Option<Counter> {
    (o.kind == COUNTER_OBJECT)
        .then(|| counter(&o.data).ok())
        .flatten()
}

/// A rule's handle and what its `counter` expressions counted (summed),
/// read without decoding the rest: polled every second.
pub fn rule_counter(
    msg: &Message,
) -> Result<(u64, Option<Counter>), DecodeError> {
    const NFTA_EXPR_NAME: u16 = 1;
    const NFTA_EXPR_DATA: u16 = 2;
    let (mut handle, mut total) = (0, None::<Counter>);
    for a in attrs(msg.attrs) {
        match a? {
            (NFTA_RULE_HANDLE, v) => handle = be64(v)?,
            (NFTA_RULE_EXPRESSIONS, v) => {
                for expr in list(v) {
                    let (mut is_counter, mut data) = (false, &[][..]);
                    for a in attrs(expr?) {
                        match a? {
                            (NFTA_EXPR_NAME, v) => {
                                is_counter = string(v) == "counter"
                            }
                            (NFTA_EXPR_DATA, v) => data = v,
                            _ => {}
                        }
                    }
                    if is_counter {
                        let c = counter(data)?;
                        let t = total.get_or_insert_default();
                        t.packets += c.packets;
                        t.bytes += c.bytes;
                    }
                }
            }
            _ => {}
        }
    }
    Ok((handle, total))
}
