//! The marked form of what the renderer does not understand, so that
//! nothing is dropped: `[expr NAME …]`.
//!
//! - An expression of a kind this build does not decode, or whose
//!   attributes did not decode: `[expr NAME TYPE:HEX … error "WHY"]`,
//!   each attribute by its number and its value in hex, the error only
//!   when there was one.
//! - A decoded expression in a place nft would not put it (a comparison
//!   of a register nothing loaded, say): `[expr NAME ATTR …]`, each
//!   attribute as its decoded form.

use netlink_packet_core::{DefaultNla, Nla as _};

use crate::collect::nftables::expr::Expr;

/// The marked form of one expression.
pub fn expr(e: &Expr) -> String {
    let parts = match e {
        Expr::Raw(raw) => {
            let mut parts: Vec<String> = raw.attrs.iter().map(attr).collect();
            if let Some(error) = &raw.error {
                parts.push(format!("error {error:?}"));
            }
            parts
        }
        other => decoded(other),
    };
    let name = if e.name().is_empty() { "?" } else { e.name() };
    let mut out = format!("[expr {name}");
    for p in parts {
        out.push(' ');
        out.push_str(&p);
    }
    out.push(']');
    out
}

fn attr(nla: &DefaultNla) -> String {
    let mut value = vec![0; nla.value_len()];
    nla.emit_value(&mut value);
    let hex: String = value.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}:{hex}", nla.kind())
}

/// The attributes of a decoded expression, each as its decoded form
/// (`Op(Equal)`), from the variant's `Debug`: `Kind([a, b])` gives
/// `a` and `b`.
fn decoded(e: &Expr) -> Vec<String> {
    let debug = format!("{e:?}");
    let inner = debug
        .split_once("([")
        .and_then(|(_, rest)| rest.strip_suffix("])"))
        .unwrap_or("");
    split_top(inner)
}

/// `a, b(c, d), e` split at the commas outside brackets.
fn split_top(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(s[start..i].trim().to_owned());
                start = i + 1;
            }
            _ => {}
        }
    }
    if !s[start..].trim().is_empty() {
        parts.push(s[start..].trim().to_owned());
    }
    parts
}
