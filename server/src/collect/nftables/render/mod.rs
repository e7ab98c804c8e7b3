//! The ruleset as `nft list ruleset` prints it (and, with handles, as
//! `nft -a list ruleset` does), from the decoded snapshot alone.
//!
//! Whatever the renderer does not understand is printed, never
//! dropped, in a marked form that nft itself never prints: square
//! brackets. An expression is `[expr NAME …]` (the format is described
//! in `raw.rs`), a number with no name where one is expected `[hook
//! 7]`, `[policy 3]`, `[verdict 9]`, `[register]` for a register
//! nothing loaded. An iptables-nft extension without a translation
//! prints as nft prints it: `xt match NAME`, `xt target NAME`.

mod chain;
mod clock;
mod ct_object;
mod datatype;
mod expr;
mod names;
mod object;
mod raw;
mod set;
mod set_typeof;
mod table;
mod units;
mod userdata;
mod verdict;

#[cfg(test)]
mod tests;

pub use self::chain::{chain_header, hook_name, priority};
pub use self::expr::Libxtables;
pub use self::raw::expr as raw_expr;

use self::userdata::COMMENT;
use super::ruleset::{Family, Rule, RuleText, Ruleset, TableContents};

/// The whole ruleset as nft prints it, with ` # handle N` after each
/// object when `handles` is set.
pub fn ruleset(r: &Ruleset, handles: bool) -> String {
    r.tables.iter().map(|t| table::table(t, handles)).collect()
}

/// One table's block.
pub fn table(t: &TableContents, handles: bool) -> String {
    table::table(t, handles)
}

/// A rule's texts as on its line (statements and comment, without
/// indentation or handle), kept as [`Rule::text`]. `table` is the
/// rule's table, for its sets; `libxtables` what the listing loaded
/// before the rule.
pub fn rule_texts(
    family: Family,
    table: &TableContents,
    libxtables: Libxtables,
    rule: &Rule,
) -> RuleText {
    let (mut nft, mut stateless) =
        expr::statements(family, table, libxtables, &rule.exprs);
    if let Some(c) = userdata::comment(rule.userdata.as_deref(), COMMENT) {
        let comment = format!("comment \"{c}\"");
        for text in std::iter::once(&mut nft).chain(stateless.as_mut()) {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&comment);
        }
    }
    RuleText { nft, stateless }
}
