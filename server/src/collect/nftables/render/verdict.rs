//! Verdicts: `accept`, `drop`, `jump chain`, …

use crate::collect::nftables::expr::{VerdictAttr, VerdictCode};

/// A verdict nest (`NFTA_DATA_VERDICT`).
pub fn verdict(attrs: &[VerdictAttr]) -> String {
    let code = attrs.iter().find_map(|a| match a {
        VerdictAttr::Code(c) => Some(*c),
        _ => None,
    });
    let chain = attrs.iter().find_map(|a| match a {
        VerdictAttr::Chain(c) => Some(c.clone()),
        VerdictAttr::ChainId(id) => Some(format!("[chain id {id}]")),
        _ => None,
    });
    let word = match code {
        Some(VerdictCode::Accept) => "accept",
        Some(VerdictCode::Drop) => "drop",
        Some(VerdictCode::Queue) => "queue",
        Some(VerdictCode::Continue) => "continue",
        Some(VerdictCode::Return) => "return",
        Some(VerdictCode::Jump) => "jump",
        Some(VerdictCode::Goto) => "goto",
        Some(VerdictCode::Stolen) => "stolen",
        Some(VerdictCode::Repeat) => "repeat",
        Some(VerdictCode::Break) => "break",
        Some(VerdictCode::Other(n)) => return format!("[verdict {n}]"),
        None => return "[verdict]".to_owned(),
    };
    match chain {
        Some(chain) => format!("{word} {chain}"),
        None => word.to_owned(),
    }
}

/// A bare verdict code, as the value of a chain's policy or a number
/// read from a register.
pub fn code(n: i32) -> String {
    verdict(&[VerdictAttr::Code(VerdictCode::from(n))])
}
