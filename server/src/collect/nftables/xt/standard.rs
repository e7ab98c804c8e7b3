//! The standard target (`struct xt_standard_target`, named ""): a
//! verdict as x_tables encodes it. iptables-nft writes verdicts as
//! native `immediate`s; this decodes the struct where another tool
//! wrote it.

use super::info::Info;

/// A verdict: `-NF_* - 1` for the netfilter verdicts, `XT_RETURN` for
/// return; a positive number is a jump offset into a legacy blob,
/// which means nothing here.
pub fn verdict_name(info: &[u8]) -> Option<&'static str> {
    let verdict = Info(info).u32(0)? as i32;
    match verdict {
        -1 => Some("DROP"),
        -2 => Some("ACCEPT"),
        -4 => Some("QUEUE"),
        -5 => Some("RETURN"),
        _ => None,
    }
}
