//! Named stateful objects: `counter NAME { packets 0 bytes 0 }`,
//! quotas, limits, synproxies, conntrack helpers, timeouts and
//! expectations; other kinds in the marked raw form.

use super::expr::{known_object_keyword, socket, stateful};
use super::userdata::{self, COMMENT};
use super::{ct_object, raw};

use crate::collect::nftables::expr::{decode_expr, Expr, ObjectType};
use crate::collect::nftables::ruleset::Object;

/// The object's keyword and the lines of its block.
pub fn object(o: &Object) -> (String, Vec<String>) {
    let mut lines = Vec::new();
    if let Some(c) = userdata::comment(o.userdata.as_deref(), COMMENT) {
        lines.push(format!("comment \"{c}\""));
    }
    let keyword =
        known_object_keyword(ObjectType::from(o.kind)).unwrap_or("object");
    // Counters, quotas and limits have the attributes of the expression
    // of the same name; the others stay raw, under the keyword.
    match decode_expr(keyword, &o.data) {
        Expr::Counter(a) => lines.push(stateful::counter(&a)),
        Expr::Quota(a) => lines.push(stateful::quota(&a, false)),
        Expr::Limit(a) => lines.push(stateful::limit(&a)),
        Expr::Synproxy(a) => lines.extend(socket::synproxy_lines(&a)),
        Expr::Raw(raw) if keyword == "ct helper" => {
            lines.extend(ct_object::helper(&raw.attrs));
        }
        Expr::Raw(raw) if keyword == "ct expectation" => {
            lines.extend(ct_object::expectation(&raw.attrs));
        }
        Expr::Raw(raw) if keyword == "ct timeout" => {
            match ct_object::timeout(&raw.attrs) {
                Some(block) => lines.extend(block),
                None => lines.push(raw::expr(&Expr::Raw(raw))),
            }
        }
        other => lines.push(raw::expr(&other)),
    }
    let keyword = match keyword {
        "object" => format!("[object {}]", o.kind),
        k => k.to_owned(),
    };
    (keyword, lines)
}
