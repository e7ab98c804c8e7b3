//! Counters, quotas and limits: the same words in a rule
//! (`counter packets 1 bytes 2`) and in a named object's block.

use super::super::units;
use crate::collect::nftables::expr::{
    Counter, Limit, LimitType, Quota, NFT_LIMIT_F_INV, NFT_QUOTA_F_INV,
};

/// `packets N bytes M`.
pub fn counter(attrs: &[Counter]) -> String {
    let (mut packets, mut bytes) = (0, 0);
    for a in attrs {
        match a {
            Counter::Packets(n) => packets = *n,
            Counter::Bytes(n) => bytes = *n,
            _ => {}
        }
    }
    format!("packets {packets} bytes {bytes}")
}

/// `over 1 mbytes used 10 kbytes`; what was used only where nft shows
/// it (in a rule, and when it is not zero).
pub fn quota(attrs: &[Quota], with_used: bool) -> String {
    let (mut bytes, mut flags, mut used) = (0, 0, 0);
    for a in attrs {
        match a {
            Quota::Bytes(n) => bytes = *n,
            Quota::Flags(n) => flags = *n,
            Quota::Consumed(n) => used = *n,
            _ => {}
        }
    }
    let over = if flags & NFT_QUOTA_F_INV != 0 {
        "over "
    } else {
        ""
    };
    let mut out = format!("{over}{}", units::bytes(bytes));
    if with_used && used != 0 {
        out += &format!(" used {}", units::bytes(used));
    }
    out
}

/// The burst nft assumes for a packet limit, and so does not print.
const DEFAULT_PACKET_BURST: u32 = 5;

/// `rate over 10/minute burst 1 packets`, `rate 1 mbytes/second`.
pub fn limit(attrs: &[Limit]) -> String {
    let (mut rate, mut unit, mut burst, mut flags) = (0, 1, 0, 0);
    let mut kind = LimitType::Packets;
    for a in attrs {
        match a {
            Limit::Rate(n) => rate = *n,
            Limit::Unit(n) => unit = *n,
            Limit::Burst(n) => burst = *n,
            Limit::Type(t) => kind = *t,
            Limit::Flags(n) => flags = *n,
            _ => {}
        }
    }
    let over = if flags & NFT_LIMIT_F_INV != 0 {
        "over "
    } else {
        ""
    };
    let period = units::period(unit);
    match kind {
        LimitType::Bytes => {
            let (n, name) = units::scaled(rate);
            let mut out = format!("rate {over}{n} {name}/{period}");
            if burst != 0 {
                out += &format!(" burst {}", units::bytes(burst.into()));
            }
            out
        }
        _ => {
            let mut out = format!("rate {over}{rate}/{period}");
            if burst != DEFAULT_PACKET_BURST && burst != 0 {
                out += &format!(" burst {burst} packets");
            }
            out
        }
    }
}
