//! The expressions of a rule, from `NFTA_RULE_EXPRESSIONS` (and from set
//! elements and `dynset`, which carry the same lists).
//!
//! Each kind is an attribute enum in the shape of netlink-packet-netfilter
//! (kernel constants by their names, `Other` for what is not known),
//! in a file per kind or per few related kinds. That crate types six
//! kinds: `meta` and `lookup` are used as they are; `bitwise`, `cmp` and
//! `immediate` are typed here because its data decoder indexes a short
//! nest unchecked and its verdicts lack accept and drop, and `payload`
//! because it leaves the base a bare number.
//!
//! Decoding never fails as a whole: a kind this module does not know,
//! or one whose attributes do not decode, comes back as [`Expr::Raw`]
//! with its attributes, so a rule keeps every expression in order and
//! the caller can count what went wrong.

use netlink_packet_core::{DecodeError, DefaultNla, NLA_TYPE_MASK};

mod attr;
mod bitwise;
mod cmp;
mod compat;
mod ct;
mod data;
mod fib;
mod flow_offload;
mod fwd;
mod hash;
mod immediate;
mod log;
mod meta;
mod nat;
mod payload;
mod reject;
mod set;
mod socket;
mod stateful;
mod synproxy;
mod tunnel;
mod xfrm;

#[cfg(test)]
mod tests;

pub use self::bitwise::*;
pub use self::cmp::*;
pub use self::compat::*;
pub use self::ct::*;
pub use self::data::*;
pub use self::fib::*;
pub use self::flow_offload::*;
pub use self::fwd::*;
pub use self::hash::*;
pub use self::immediate::*;
pub use self::log::*;
pub use self::meta::*;
pub use self::nat::*;
pub use self::payload::*;
pub use self::reject::*;
pub use self::set::*;
pub use self::socket::*;
pub use self::stateful::*;
pub use self::synproxy::*;
pub use self::tunnel::*;
pub use self::xfrm::*;

use self::attr::{borrowed_string, parse_attrs, raw_attrs};

// enum nft_list_attributes
const NFTA_LIST_ELEM: u16 = 1;
// enum nft_expr_attributes
const NFTA_EXPR_NAME: u16 = 1;
const NFTA_EXPR_DATA: u16 = 2;

/// Declares [`Expr`] from one table of kind names and attribute types,
/// so that the variants, [`Expr::name`] and the dispatch by name cannot
/// disagree.
macro_rules! expressions {
    ($( $name:literal => $variant:ident($attr:ty), )*) => {
        /// One expression of a rule.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Expr {
            $( $variant(Vec<$attr>), )*
            /// A kind not known here, or a known kind whose attributes
            /// did not decode. Boxed: rare, and three times the size of
            /// the others, which every expression of a ruleset would pay.
            Raw(Box<RawExpr>),
        }

        impl Expr {
            /// The kind's name, as in `NFTA_EXPR_NAME`.
            pub fn name(&self) -> &str {
                match self {
                    $( Self::$variant(_) => $name, )*
                    Self::Raw(raw) => &raw.name,
                }
            }
        }

        /// The expression of a kind known here, or `None`.
        fn decode_known(
            name: &str,
            data: &[u8],
        ) -> Option<Result<Expr, DecodeError>> {
            Some(match name {
                $( $name => parse_attrs(data).map(Expr::$variant), )*
                _ => return None,
            })
        }
    };
}

expressions! {
    "immediate" => Immediate(Immediate),
    "cmp" => Cmp(Cmp),
    "range" => Range(Range),
    "bitwise" => Bitwise(Bitwise),
    "byteorder" => Byteorder(Byteorder),
    "payload" => Payload(Payload),
    "exthdr" => Exthdr(Exthdr),
    "meta" => Meta(Meta),
    "rt" => Rt(Rt),
    "ct" => Ct(Ct),
    "notrack" => Notrack(DefaultNla),
    "lookup" => Lookup(Lookup),
    "dynset" => Dynset(Dynset),
    "objref" => Objref(Objref),
    "counter" => Counter(Counter),
    "quota" => Quota(Quota),
    "limit" => Limit(Limit),
    "connlimit" => Connlimit(Connlimit),
    "last" => Last(Last),
    "log" => Log(Log),
    "queue" => Queue(Queue),
    "nat" => Nat(Nat),
    "masq" => Masq(Masq),
    "redir" => Redir(Redir),
    "tproxy" => Tproxy(Tproxy),
    "reject" => Reject(Reject),
    "hash" => Hash(Hash),
    "numgen" => Numgen(Numgen),
    "fib" => Fib(Fib),
    "socket" => Socket(Socket),
    "osf" => Osf(Osf),
    "xfrm" => Xfrm(Xfrm),
    "synproxy" => Synproxy(Synproxy),
    "tunnel" => Tunnel(Tunnel),
    "inner" => Inner(Inner),
    "fwd" => Fwd(Fwd),
    "dup" => Dup(Dup),
    "flow_offload" => FlowOffload(FlowOffload),
    "match" => Match(Match),
    "target" => Target(Target),
}

/// An expression of a kind not known here (`error` is `None`), or of a
/// known kind whose attributes did not decode (`error` says why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawExpr {
    pub name: String,
    /// The attributes that could be read.
    pub attrs: Vec<DefaultNla>,
    pub error: Option<String>,
}

impl Expr {
    pub fn raw(
        name: String,
        attrs: Vec<DefaultNla>,
        error: Option<String>,
    ) -> Self {
        Self::Raw(Box::new(RawExpr { name, attrs, error }))
    }

    /// Why this expression did not decode, when it did not.
    pub fn error(&self) -> Option<&str> {
        match self {
            Self::Raw(raw) => raw.error.as_deref(),
            _ => None,
        }
    }
}

/// Where an expression sits. The kinds that carry expressions (`dynset`,
/// `inner`) never carry each other in the kernel, which takes only
/// stateful ones in the first and `payload` or `meta` in the second;
/// refusing them one level down bounds the recursion on hostile bytes.
#[derive(Clone, Copy)]
enum Level {
    Top,
    Nested,
}

const CARRIES_EXPRESSIONS: [&str; 2] = ["dynset", "inner"];

/// The payload of `NFTA_RULE_EXPRESSIONS`, `NFTA_SET_EXPRESSIONS` or
/// `NFTA_SET_ELEM_EXPRESSIONS`: a list of `NFTA_LIST_ELEM`, each an
/// `NFTA_EXPR_NAME` and an `NFTA_EXPR_DATA`. Bytes that are not such a
/// list end it with an [`Expr::Raw`] that says so.
pub fn decode_expressions(list: &[u8]) -> Vec<Expr> {
    decode_list(list, Level::Top)
}

/// One `nft_expr_attributes` nest (`NFTA_EXPR_NAME` and
/// `NFTA_EXPR_DATA`), as `NFTA_SET_EXPR` and `NFTA_SET_ELEM_EXPR` hold
/// when there is a single expression.
pub fn decode_nested_expr(nest: &[u8]) -> Expr {
    decode_nest(nest, Level::Top)
}

/// The expression of kind `name` with the attributes `data` (the
/// payload of `NFTA_EXPR_DATA`).
pub fn decode_expr(name: &str, data: &[u8]) -> Expr {
    decode_at(name, data, Level::Top)
}

/// `NFTA_DYNSET_EXPR` and `NFTA_INNER_EXPR`.
fn nested_expr(nest: &[u8]) -> Result<Box<Expr>, DecodeError> {
    Ok(Box::new(decode_nest(nest, Level::Nested)))
}

/// `NFTA_DYNSET_EXPRESSIONS`.
fn nested_exprs(list: &[u8]) -> Result<Vec<Expr>, DecodeError> {
    Ok(decode_list(list, Level::Nested))
}

fn decode_list(list: &[u8], level: Level) -> Vec<Expr> {
    let mut exprs = Vec::with_capacity(attr::count(list));
    exprs.extend(raw_attrs(list).map(|a| match a {
        Ok(a) if a.kind & NLA_TYPE_MASK == NFTA_LIST_ELEM => {
            decode_nest(a.value, level)
        }
        Ok(a) => Expr::raw(
            String::new(),
            vec![DefaultNla::new(a.kind, a.value.to_vec())],
            Some(format!(
                "attribute {} in an expression list",
                a.kind & NLA_TYPE_MASK
            )),
        ),
        Err(err) => {
            raw("", &[], Some(format!("invalid NFTA_LIST_ELEM: {err}")))
        }
    }));
    exprs
}

fn decode_nest(nest: &[u8], level: Level) -> Expr {
    let mut name = None;
    let mut data: &[u8] = &[];
    for a in raw_attrs(nest) {
        match a.map(|a| (a.kind & NLA_TYPE_MASK, a.value)) {
            Ok((NFTA_EXPR_NAME, value)) => {
                name = Some(borrowed_string(value));
            }
            Ok((NFTA_EXPR_DATA, value)) => data = value,
            // Unknown envelope attributes say nothing about the kind.
            Ok(_) => {}
            Err(err) => {
                let name = name.unwrap_or_default();
                let error = format!("invalid nft_expr_attributes: {err}");
                return raw(&name, data, Some(error));
            }
        }
    }
    match name {
        Some(name) => decode_at(&name, data, level),
        None => raw("", data, Some("no NFTA_EXPR_NAME".to_owned())),
    }
}

fn decode_at(name: &str, data: &[u8], level: Level) -> Expr {
    let decoded = match level {
        Level::Nested if CARRIES_EXPRESSIONS.contains(&name) => {
            Err(format!("{name} inside another expression").into())
        }
        _ => decode_known(name, data).unwrap_or_else(|| {
            parse_attrs(data)
                .map(|attrs| Expr::raw(name.to_owned(), attrs, None))
        }),
    };
    decoded.unwrap_or_else(|err| raw(name, data, Some(err.to_string())))
}

/// An [`Expr::Raw`] holding the attributes of `data` up to the first
/// that does not parse.
fn raw(name: &str, data: &[u8], error: Option<String>) -> Expr {
    let attrs = raw_attrs(data)
        .map_while(Result::ok)
        .map(|a| DefaultNla::new(a.kind, a.value.to_vec()))
        .collect();
    Expr::raw(name.to_owned(), attrs, error)
}
