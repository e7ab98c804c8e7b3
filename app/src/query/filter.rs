//! The filter language: `proto:tcp dport:80,443 src:!10.0.0.0/8`.
//!
//! Terms are separated by whitespace and must all hold. A comma list inside
//! a term means any of its values, and a `!` right after the colon negates
//! the whole list. The same text goes in URLs, the API and the filter box,
//! so [`Filter`] prints a canonical form that parses back to an equal
//! filter.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::cidr::Cidr;
use crate::wire::{Flow, FlowKey, Nat, Proto};

/// A parsed filter; the default one matches every flow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    terms: Vec<Term>,
}

/// Why a filter text did not parse, and where.
#[derive(
    Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize,
)]
#[error("at column {}: {}", .position + 1, .reason)]
pub struct FilterError {
    /// Characters (not bytes) before the bad field or value, so the browser
    /// can put the cursor there.
    pub position: usize,
    pub reason: String,
}

impl Filter {
    /// The field names, in the order help texts list them.
    pub const FIELDS: &'static [&'static str] = &[
        "proto", "src", "dst", "host", "sport", "dport", "port", "nat",
        "state", "status", "mark", "zone", "id", "key",
    ];

    /// Empty or blank text gives the filter that matches everything.
    pub fn parse(text: &str) -> Result<Self, FilterError> {
        let terms = tokens(text)
            .into_iter()
            .map(|(at, token)| Term::parse(at, token))
            .collect::<Result<_, _>>()
            .map_err(|(byte, reason)| FilterError {
                position: text[..byte].chars().count(),
                reason,
            })?;
        Ok(Self { terms })
    }

    pub fn matches(&self, flow: &Flow) -> bool {
        self.terms.iter().all(|term| term.matches(flow))
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, term) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{term}")?;
        }
        Ok(())
    }
}

impl FromStr for Filter {
    type Err = FilterError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

crate::wire::text::serde_as_text!(Filter);

/// Appends `field:value` to the filter text `text`, first dropping the
/// terms on the same field with the same negation (a `value` starting with
/// `!` is a negated one): clicking `dport` 443 after 80 then shows flows to
/// 443, not none. Works on text that does not parse yet, as typed into the
/// filter box, and leaves the other terms as they were written.
pub fn add_term(text: &str, field: &str, value: &str) -> String {
    let negated = value.starts_with('!');
    let replaced = |token: &&str| {
        token.split_once(':').is_some_and(|(f, v)| {
            f.eq_ignore_ascii_case(field) && v.starts_with('!') == negated
        })
    };
    let term = format!("{field}:{value}");
    text.split_whitespace()
        .filter(|token| !replaced(token))
        .chain([term.as_str()])
        .collect::<Vec<_>>()
        .join(" ")
}

/// The whitespace-separated words of `text`, with their byte offsets.
fn tokens(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// A reason with the byte offset it is about; [`Filter::parse`] turns the
/// offset into a column.
type Located = (usize, String);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Term {
    negated: bool,
    test: Test,
}

/// One variant per field, holding the values of its comma list.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Test {
    Proto(Vec<Proto>),
    Src(Vec<Cidr>),
    Dst(Vec<Cidr>),
    Host(Vec<Cidr>),
    Sport(Vec<Ports>),
    Dport(Vec<Ports>),
    Port(Vec<Ports>),
    Nat(Vec<NatTest>),
    /// Lowercase, `_` as `-`.
    State(Vec<String>),
    /// Lowercase, `_` as `-`.
    Status(Vec<String>),
    Mark(Vec<Mark>),
    Zone(Vec<u16>),
    Id(Vec<u32>),
    Key(Vec<FlowKey>),
}

impl Term {
    /// `token` is one whitespace-free word starting at byte `at`.
    fn parse(at: usize, token: &str) -> Result<Self, Located> {
        let Some((field, rest)) = token.split_once(':') else {
            return Err((
                at,
                format!(
                    "missing \":\" in {token:?}; write terms as field:value, \
                     e.g. dport:443"
                ),
            ));
        };
        let rest_at = at + field.len() + 1;
        let (negated, list, list_at) = match rest.strip_prefix('!') {
            Some(list) => (true, list, rest_at + 1),
            None => (false, rest, rest_at),
        };
        if list.is_empty() {
            let head = &token[..list_at - at];
            return Err((list_at, format!("missing value after {head:?}")));
        }
        let mut items = Vec::new();
        let mut item_at = list_at;
        for item in list.split(',') {
            if item.is_empty() {
                return Err((item_at, format!("empty value in list {list:?}")));
            }
            if item.starts_with('!') {
                return Err((
                    item_at,
                    format!(
                        "misplaced \"!\" in {token:?}; it negates the whole \
                         list and goes right after the colon, as in \
                         dport:!80,443"
                    ),
                ));
            }
            items.push((item_at, item));
            item_at += item.len() + 1;
        }
        let test = Test::parse(at, field, &items)?;
        Ok(Self { negated, test })
    }

    fn matches(&self, flow: &Flow) -> bool {
        self.test.matches(flow) != self.negated
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bang = if self.negated { "!" } else { "" };
        write!(f, "{}:{bang}", self.test.field())?;
        match &self.test {
            Test::Proto(v) => list(f, v),
            Test::Src(v) | Test::Dst(v) | Test::Host(v) => list(f, v),
            Test::Sport(v) | Test::Dport(v) | Test::Port(v) => list(f, v),
            Test::Nat(v) => list(f, v),
            Test::State(v) | Test::Status(v) => list(f, v),
            Test::Mark(v) => list(f, v),
            Test::Zone(v) => list(f, v),
            Test::Id(v) => list(f, v),
            Test::Key(v) => list(f, v),
        }
    }
}

fn list<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    items: &[T],
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl Test {
    /// `items` are the non-empty values with their byte offsets; `at` is
    /// where the field starts.
    fn parse(
        at: usize,
        field: &str,
        items: &[(usize, &str)],
    ) -> Result<Self, Located> {
        Ok(match field.to_ascii_lowercase().as_str() {
            "proto" => Test::Proto(values(items, str::parse)?),
            "src" => Test::Src(values(items, str::parse)?),
            "dst" => Test::Dst(values(items, str::parse)?),
            "host" => Test::Host(values(items, str::parse)?),
            "sport" => Test::Sport(values(items, Ports::parse)?),
            "dport" => Test::Dport(values(items, Ports::parse)?),
            "port" => Test::Port(values(items, Ports::parse)?),
            "nat" => Test::Nat(values(items, NatTest::parse)?),
            "state" => Test::State(values(items, name)?),
            "status" => Test::Status(values(items, name)?),
            "mark" => Test::Mark(values(items, Mark::parse)?),
            "zone" => Test::Zone(values(items, |s| {
                number(s).ok_or_else(|| {
                    format!("bad zone {s:?}; expected a number 0-65535")
                })
            })?),
            "id" => Test::Id(values(items, |s| {
                number(s).ok_or_else(|| {
                    format!("bad id {s:?}; expected a number 0-4294967295")
                })
            })?),
            "key" => Test::Key(values(items, |s| {
                s.parse::<FlowKey>().map_err(|e| e.to_string())
            })?),
            _ => return Err((at, unknown_field(field))),
        })
    }

    fn field(&self) -> &'static str {
        match self {
            Test::Proto(_) => "proto",
            Test::Src(_) => "src",
            Test::Dst(_) => "dst",
            Test::Host(_) => "host",
            Test::Sport(_) => "sport",
            Test::Dport(_) => "dport",
            Test::Port(_) => "port",
            Test::Nat(_) => "nat",
            Test::State(_) => "state",
            Test::Status(_) => "status",
            Test::Mark(_) => "mark",
            Test::Zone(_) => "zone",
            Test::Id(_) => "id",
            Test::Key(_) => "key",
        }
    }

    /// Whether any value of the list holds, i.e. the term without its `!`.
    fn matches(&self, flow: &Flow) -> bool {
        let (orig, reply) = (&flow.orig, &flow.reply);
        let addrs = [orig.src, orig.dst, reply.src, reply.dst];
        let ports = [orig.sport, orig.dport, reply.sport, reply.dport];
        let any_addr = |nets: &[Cidr], addrs: &[IpAddr]| {
            nets.iter().any(|n| addrs.iter().any(|&a| n.contains(a)))
        };
        // A flow without ports has no port any range could contain.
        let any_port = |ranges: &[Ports], ports: &[Option<u16>]| {
            ranges
                .iter()
                .any(|r| ports.iter().flatten().any(|&p| r.contains(p)))
        };
        match self {
            Test::Proto(protos) => protos.contains(&flow.proto),
            Test::Src(nets) => any_addr(nets, &[orig.src]),
            Test::Dst(nets) => any_addr(nets, &[orig.dst]),
            Test::Host(nets) => any_addr(nets, &addrs),
            Test::Sport(ranges) => any_port(ranges, &[orig.sport]),
            Test::Dport(ranges) => any_port(ranges, &[orig.dport]),
            Test::Port(ranges) => any_port(ranges, &ports),
            Test::Nat(tests) => tests.iter().any(|t| t.matches(&flow.nat)),
            Test::State(names) => {
                // `none` also matches TCP's own NONE state, which the
                // filter would otherwise have no way to name.
                let state = flow.state.as_deref().unwrap_or("none");
                names.iter().any(|name| same_name(state, name))
            }
            Test::Status(names) => flow
                .status
                .iter()
                .any(|s| names.iter().any(|name| same_name(s, name))),
            Test::Mark(marks) => marks.iter().any(|m| m.matches(flow.mark)),
            Test::Zone(zones) => zones.contains(&flow.zone),
            Test::Id(ids) => ids.contains(&flow.id),
            Test::Key(keys) => keys.contains(&flow.key),
        }
    }
}

fn unknown_field(field: &str) -> String {
    let known = Filter::FIELDS.join(", ");
    match field.strip_prefix('!') {
        Some(real) if Filter::FIELDS.contains(&real) => format!(
            "unknown field {field:?}; to negate, put \"!\" after the colon, \
             as in {real}:!value"
        ),
        _ => format!("unknown field {field:?}; expected one of {known}"),
    }
}

/// Parses every item, blaming the first bad one.
fn values<T>(
    items: &[(usize, &str)],
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, Located> {
    items
        .iter()
        .map(|&(at, item)| parse(item).map_err(|reason| (at, reason)))
        .collect()
}

/// State and status names: the kernel's `TIME_WAIT` and `SEEN_REPLY` style
/// and our `time-wait` and `seen-reply` are the same names.
fn fold(c: u8) -> u8 {
    if c == b'_' {
        b'-'
    } else {
        c.to_ascii_lowercase()
    }
}

/// [`fold`] on every byte.
fn name(text: &str) -> Result<String, String> {
    Ok(text.to_ascii_lowercase().replace('_', "-"))
}

/// Whether the flow's `name` is `folded`, a name already passed through
/// [`fold`]; without allocating, as it runs for every flow.
fn same_name(name: &str, folded: &str) -> bool {
    name.len() == folded.len()
        && name.bytes().zip(folded.bytes()).all(|(a, b)| fold(a) == b)
}

/// Decimal digits only, unlike `u16::from_str`, which takes "+80" too.
fn decimal<T: FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Decimal or `0x` hex, which is how marks are usually written.
fn number<T: TryFrom<u64>>(text: &str) -> Option<T> {
    let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"));
    let n = match hex {
        Some(digits)
            if !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            u64::from_str_radix(digits, 16).ok()
        }
        Some(_) => None,
        None => decimal(text),
    };
    n.and_then(|n| T::try_from(n).ok())
}

/// An inclusive port range; a single port is a range of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ports {
    low: u16,
    high: u16,
}

impl Ports {
    fn parse(text: &str) -> Result<Self, String> {
        let (low, high) = text.split_once('-').unwrap_or((text, text));
        let (Some(low), Some(high)) = (decimal(low), decimal(high)) else {
            return Err(format!(
                "bad port {text:?}; expected a number 0-65535 or a range \
                 such as 1000-2000"
            ));
        };
        if low > high {
            return Err(format!(
                "reversed port range {text:?}; put the lower port first"
            ));
        }
        Ok(Self { low, high })
    }

    fn contains(self, port: u16) -> bool {
        (self.low..=self.high).contains(&port)
    }
}

impl fmt::Display for Ports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.low == self.high {
            write!(f, "{}", self.low)
        } else {
            write!(f, "{}-{}", self.low, self.high)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NatTest {
    Kind(Nat),
    None,
    Any,
}

impl NatTest {
    fn parse(text: &str) -> Result<Self, String> {
        let lower = text.to_ascii_lowercase();
        match lower.as_str() {
            "none" => Ok(Self::None),
            "any" => Ok(Self::Any),
            _ => Nat::ALL
                .into_iter()
                .find(|nat| nat.as_str() == lower)
                .map(Self::Kind)
                .ok_or_else(|| {
                    format!(
                        "unknown nat {text:?}; expected one of dnat, snat, \
                         sport-rewrite, none, any"
                    )
                }),
        }
    }

    fn matches(self, nat: &[Nat]) -> bool {
        match self {
            Self::Kind(kind) => nat.contains(&kind),
            Self::None => nat.is_empty(),
            Self::Any => !nat.is_empty(),
        }
    }
}

impl fmt::Display for NatTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kind(kind) => f.write_str(kind.as_str()),
            Self::None => f.write_str("none"),
            Self::Any => f.write_str("any"),
        }
    }
}

/// `value/mask`; `value` is stored masked so that `0x13/0xf0` and
/// `0x10/0xf0`, which match the same flows, are equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Mark {
    value: u32,
    mask: u32,
}

impl Mark {
    fn parse(text: &str) -> Result<Self, String> {
        let (value, mask) = match text.split_once('/') {
            Some((value, mask)) => (number::<u32>(value), number(mask)),
            None => (number(text), Some(u32::MAX)),
        };
        let (Some(value), Some(mask)) = (value, mask) else {
            return Err(format!(
                "bad mark {text:?}; expected a 32-bit number, decimal or 0x \
                 hex, optionally with a mask as in 0x10/0xf0"
            ));
        };
        Ok(Self {
            value: value & mask,
            mask,
        })
    }

    fn matches(self, mark: u32) -> bool {
        mark & self.mask == self.value
    }
}

impl fmt::Display for Mark {
    /// Plain marks in decimal as `conntrack -L` shows them; masks are bit
    /// patterns, so hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mask == u32::MAX {
            write!(f, "{}", self.value)
        } else {
            write!(f, "{:#x}/{:#x}", self.value, self.mask)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{flow, icmp, tcp, tuple};
    use proptest::prelude::*;

    fn filter(text: &str) -> Filter {
        Filter::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn hits(text: &str, flow: &Flow) -> bool {
        filter(text).matches(flow)
    }

    /// The error for `text`, as (column - 1, reason).
    fn error(text: &str) -> (usize, String) {
        let e = Filter::parse(text).expect_err(text);
        (e.position, e.reason)
    }

    fn position(text: &str) -> usize {
        error(text).0
    }

    /// 10.0.1.2:40000 -> 10.0.1.1:8080, forwarded to 10.0.2.2:80 and
    /// masqueraded as 10.0.2.1:61000.
    fn nat_both() -> Flow {
        flow(
            Proto::TCP,
            tuple("10.0.1.2", 40000, "10.0.1.1", 8080),
            tuple("10.0.2.2", 80, "10.0.2.1", 61000),
        )
    }

    #[test]
    fn empty_matches_everything() {
        for text in ["", "   ", "\t\n "] {
            let f = filter(text);
            assert_eq!(f, Filter::default());
            assert!(f.is_empty());
            assert!(f.matches(&tcp("10.0.0.1", 1, "10.0.0.2", 2)));
            assert!(f.matches(&icmp("::1", "::2")));
            assert_eq!(f.to_string(), "");
        }
    }

    #[test]
    fn terms_are_anded() {
        let f = tcp("10.0.0.1", 4000, "10.0.0.2", 443);
        assert!(hits("proto:tcp dport:443", &f));
        assert!(!hits("proto:tcp dport:80", &f));
        assert!(!hits("proto:udp dport:443", &f));
        assert!(hits(" \tproto:tcp\n\ndport:443  ", &f));
        // Two terms on one field must both hold.
        assert!(!hits("dport:443 dport:80", &f));
    }

    #[test]
    fn proto() {
        let t = tcp("10.0.0.1", 4000, "10.0.0.2", 443);
        let i = icmp("10.0.0.1", "10.0.0.2");
        assert!(hits("proto:tcp", &t));
        assert!(hits("proto:TCP", &t));
        assert!(hits("proto:6", &t));
        assert!(!hits("proto:tcp", &i));
        assert!(hits("proto:udp,icmp", &i));
        assert!(hits("proto:!tcp", &i));
        assert!(!hits("proto:!tcp,icmp", &i));
        assert!(hits("proto:!tcp,udp", &i));
        assert_eq!(
            filter("proto:6,ICMP,250").to_string(),
            "proto:tcp,icmp,250"
        );
        let (at, reason) = error("proto:tcpp");
        assert_eq!(at, 6);
        assert!(reason.starts_with("unknown protocol \"tcpp\""), "{reason}");
        assert_eq!(position("proto:tcp,256"), 10);
    }

    #[test]
    fn src_and_dst_use_the_original_tuple() {
        let f = nat_both();
        assert!(hits("src:10.0.1.2", &f));
        assert!(hits("src:10.0.1.0/24", &f));
        assert!(hits("dst:10.0.1.1/32", &f));
        assert!(hits("src:10.0.0.0/8 dst:10.0.0.0/8", &f));
        // 10.0.2.2 is the DNAT target, seen only in the reply.
        assert!(!hits("dst:10.0.2.2", &f));
        assert!(!hits("src:10.0.2.1", &f));
        assert!(hits("dst:!10.0.2.0/24", &f));
        assert!(hits("src:192.168.0.0/16,10.0.1.2", &f));
        assert!(hits("src:0.0.0.0/0", &f));
        assert!(!hits("src:::/0", &f));
        assert!(!hits("src:!0.0.0.0/0", &f));
    }

    #[test]
    fn addresses_v6() {
        let f = tcp("fd00::1", 4000, "2001:db8::80", 443);
        assert!(hits("src:fd00::/8", &f));
        assert!(hits("src:fd00::1/128", &f));
        assert!(hits("src:FD00::1", &f));
        assert!(!hits("src:fd00::2/128", &f));
        assert!(hits("dst:2001:db8::/32", &f));
        assert!(hits("dst:!10.0.0.0/8", &f));
        assert!(hits("host:::/0", &f));
        assert!(!hits("host:0.0.0.0/0", &f));
        assert_eq!(filter("src:FD00::1/8").to_string(), "src:fd00::/8");
    }

    #[test]
    fn host_looks_at_all_four_addresses() {
        let f = nat_both();
        for addr in ["10.0.1.2", "10.0.1.1", "10.0.2.2", "10.0.2.1"] {
            assert!(hits(&format!("host:{addr}"), &f), "{addr}");
            assert!(!hits(&format!("host:!{addr}"), &f), "{addr}");
        }
        assert!(!hits("host:10.0.3.0/24", &f));
        assert!(hits("host:10.0.3.0/24,10.0.2.0/24", &f));
    }

    #[test]
    fn sport_and_dport() {
        let f = nat_both();
        assert!(hits("sport:40000", &f));
        assert!(hits("dport:8080", &f));
        assert!(!hits("dport:80", &f), "80 is only on the reply side");
        assert!(hits("dport:80,8080", &f));
        assert!(hits("dport:8000-8999", &f));
        assert!(hits("dport:8080-8080", &f));
        assert!(hits("sport:32768-60999", &f));
        assert!(!hits("sport:1-1023", &f));
        assert!(hits("sport:!1-1023", &f));
        assert!(hits("dport:0-65535", &f));
        assert_eq!(filter("dport:80-80,1-2").to_string(), "dport:80,1-2");
    }

    #[test]
    fn portless_flows_never_match_a_positive_port_term() {
        let ping = icmp("10.0.0.1", "10.0.0.2");
        for field in ["sport", "dport", "port"] {
            assert!(!hits(&format!("{field}:0-65535"), &ping), "{field}");
            assert!(hits(&format!("{field}:!0-65535"), &ping), "{field}");
        }
    }

    #[test]
    fn port_looks_at_all_four_ports() {
        let f = nat_both();
        for port in [40000, 8080, 80, 61000] {
            assert!(hits(&format!("port:{port}"), &f), "{port}");
        }
        assert!(!hits("port:443", &f));
        assert!(hits("port:!443", &f));
        assert!(hits("port:60000-62000", &f));
    }

    #[test]
    fn nat() {
        let plain = tcp("10.0.0.1", 4000, "10.0.0.2", 80);
        let both = nat_both();
        let clash = flow(
            Proto::TCP,
            tuple("192.168.137.248", 55094, "172.18.0.4", 5000),
            tuple("172.18.0.4", 5000, "192.168.137.248", 19460),
        );
        assert!(hits("nat:none", &plain));
        assert!(!hits("nat:any", &plain));
        assert!(!hits("nat:dnat,snat,sport-rewrite", &plain));
        assert!(hits("nat:dnat", &both));
        assert!(hits("nat:SNAT", &both));
        assert!(hits("nat:any", &both));
        assert!(!hits("nat:none", &both));
        assert!(!hits("nat:sport-rewrite", &both));
        assert!(hits("nat:sport-rewrite", &clash));
        assert!(!hits("nat:dnat", &clash));
        assert!(hits("nat:!dnat,snat", &clash));
        let (at, reason) = error("nat:dnat,masq");
        assert_eq!(at, 9);
        assert_eq!(
            reason,
            "unknown nat \"masq\"; expected one of dnat, snat, \
             sport-rewrite, none, any"
        );
    }

    #[test]
    fn state() {
        let mut f = tcp("10.0.0.1", 4000, "10.0.0.2", 80);
        assert!(hits("state:established", &f));
        assert!(hits("state:ESTABLISHED", &f));
        assert!(!hits("state:none", &f));
        assert!(hits("state:!time-wait,syn-sent", &f));
        f.state = Some("TIME_WAIT".into());
        assert!(hits("state:time-wait", &f));
        assert!(hits("state:time_wait", &f));
        assert!(hits("state:syn-sent,time-wait", &f));
        f.state = Some("none".into());
        assert!(hits("state:none", &f));
        let ping = icmp("10.0.0.1", "10.0.0.2");
        assert!(hits("state:none", &ping));
        assert!(hits("state:NONE", &ping));
        assert!(!hits("state:established", &ping));
        assert!(hits("state:!established", &ping));
        assert_eq!(
            filter("state:Time_Wait,SYN-SENT").to_string(),
            "state:time-wait,syn-sent"
        );
    }

    #[test]
    fn status() {
        let f = tcp("10.0.0.1", 4000, "10.0.0.2", 80);
        assert!(hits("status:assured", &f));
        assert!(hits("status:ASSURED", &f));
        assert!(hits("status:seen-reply", &f));
        assert!(hits("status:SEEN_REPLY", &f));
        assert!(!hits("status:dst-nat", &f));
        assert!(hits("status:dst-nat,assured", &f));
        assert!(hits("status:!dst-nat", &f));
        assert!(!hits("status:!assured", &f));
        let ping = icmp("10.0.0.1", "10.0.0.2");
        assert!(hits("status:!assured", &ping));
    }

    #[test]
    fn mark() {
        let mut f = tcp("10.0.0.1", 4000, "10.0.0.2", 80);
        assert!(hits("mark:0", &f));
        f.mark = 0x1234;
        assert!(hits("mark:4660", &f));
        assert!(hits("mark:0x1234", &f));
        assert!(hits("mark:0X1234", &f));
        assert!(!hits("mark:0x1235", &f));
        assert!(hits("mark:0x30/0xf0", &f));
        assert!(hits("mark:0x34/0xf0", &f));
        assert!(!hits("mark:0x20/0xf0", &f));
        assert!(hits("mark:0x1000/0xf000,7", &f));
        assert!(hits("mark:7/0", &f), "an empty mask matches every mark");
        assert!(hits("mark:!0", &f));
        assert!(hits("mark:0xffffffff/0", &f));
        assert_eq!(
            filter("mark:0x10,0x13/0xF0").to_string(),
            "mark:16,0x10/0xf0"
        );
        assert_eq!(filter("mark:0x13/0xf0"), filter("mark:0x10/0xf0"));
        for bad in ["x", "0x", "0xg", "0x100000000", "1/", "/1", "1/2/3", "-1"]
        {
            let (at, reason) = error(&format!("mark:{bad}"));
            assert_eq!(at, 5, "{bad}");
            assert!(
                reason.starts_with(&format!("bad mark {bad:?}")),
                "{reason}"
            );
        }
    }

    #[test]
    fn zone_id_and_key() {
        let mut f = tcp("10.0.0.1", 4000, "10.0.0.2", 80);
        f.zone = 7;
        f.id = 0xdead_beef;
        let key = f.key.to_string();
        assert!(hits("zone:7", &f));
        assert!(hits("zone:0x7", &f));
        assert!(hits("zone:!0", &f));
        assert!(hits("zone:1,7", &f));
        assert!(hits("id:3735928559", &f));
        assert!(hits("id:0xDEADBEEF", &f));
        assert!(!hits("id:1", &f));
        assert!(hits(&format!("key:{key}"), &f));
        assert!(!hits(&format!("key:!{key}"), &f));
        assert!(!hits("key:00000001-2-3-00000004-5", &f));
        assert!(hits(&format!("key:00000001-2-3-00000004-5,{key}"), &f));
        assert_eq!(filter("zone:0x10 id:0x10").to_string(), "zone:16 id:16");

        let (at, reason) = error("zone:65536");
        assert_eq!(at, 5);
        assert_eq!(reason, "bad zone \"65536\"; expected a number 0-65535");
        let (at, reason) = error("id:4294967296");
        assert_eq!(at, 3);
        assert_eq!(
            reason,
            "bad id \"4294967296\"; expected a number 0-4294967295"
        );
        let (at, reason) = error("key:1-2");
        assert_eq!(at, 4);
        assert_eq!(
            reason,
            "flow key \"1-2\" must look like BOOT-NETNS-ID-TUPLE-START"
        );
    }

    #[test]
    fn field_errors_point_at_the_field() {
        let (at, reason) = error("proto:tcp prot:tcp");
        assert_eq!(at, 10);
        assert_eq!(
            reason,
            "unknown field \"prot\"; expected one of proto, src, dst, host, \
             sport, dport, port, nat, state, status, mark, zone, id, key"
        );
        let e = Filter::parse("dport:80 prot:tcp").unwrap_err();
        assert!(e
            .to_string()
            .starts_with("at column 10: unknown field \"prot\""));
        assert_eq!(position(":80"), 0);
        assert_eq!(position("proto:tcp bytes:10"), 10);
        let (at, reason) = error("proto:tcp !dport:80");
        assert_eq!(at, 10);
        assert!(reason.contains("as in dport:!value"), "{reason}");
        assert_eq!(
            error("  proto:tcp  tcp"),
            (
                13,
                "missing \":\" in \"tcp\"; write terms as field:value, e.g. \
                 dport:443"
                    .to_owned()
            )
        );
    }

    #[test]
    fn value_errors_point_at_the_value() {
        assert_eq!(
            error("dport:"),
            (6, "missing value after \"dport:\"".into())
        );
        assert_eq!(
            error("proto:tcp dport:!"),
            (17, "missing value after \"dport:!\"".into())
        );
        assert_eq!(
            error("dport:80,,443"),
            (9, "empty value in list \"80,,443\"".into())
        );
        assert_eq!(position("dport:80,"), 9);
        assert_eq!(position("dport:,80"), 6);
        assert_eq!(position("dport:!,80"), 7);
        let (at, reason) = error("dport:80,!443");
        assert_eq!(at, 9);
        assert!(reason.starts_with("misplaced \"!\" in \"dport:80,!443\""));
        assert_eq!(position("dport:!!80"), 7);
        assert_eq!(
            error("sport:1 dport:80,2000-1000"),
            (
                17,
                "reversed port range \"2000-1000\"; put the lower port first"
                    .into()
            )
        );
        for bad in ["http", "65536", "+80", "-80", "80-", "1-2-3", "0x50"] {
            let (at, reason) = error(&format!("dport:{bad}"));
            assert_eq!(at, 6, "{bad}");
            assert!(
                reason.starts_with(&format!("bad port {bad:?}")),
                "{reason}"
            );
        }
        let (at, reason) = error("src:10.0.0.0/33");
        assert_eq!(at, 4);
        assert_eq!(
            reason,
            "bad prefix length in \"10.0.0.0/33\"; IPv4 allows 0-32"
        );
        assert_eq!(position("host:!10.0.0.1,fd00::/129"), 15);
        assert_eq!(position("dst:10.0.0.256"), 4);
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        // "é" is two bytes; the bad zone value is the 14th character.
        let e = Filter::parse("state:é zone:x").unwrap_err();
        assert_eq!(e.position, 13);
        assert_eq!(
            e.to_string(),
            "at column 14: bad zone \"x\"; expected a number 0-65535"
        );
        assert_eq!(Filter::parse("ünknown:1").unwrap_err().position, 0);
        assert_eq!(Filter::parse("\u{3000}zone:x").unwrap_err().position, 6);
    }

    #[test]
    fn error_serializes_for_the_api() {
        let e = Filter::parse("proto:tcp dport:x").unwrap_err();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["position"], 16);
        assert!(json["reason"].as_str().unwrap().starts_with("bad port"));
        let back: FilterError = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn prints_canonically() {
        let f = filter(
            "  Proto:TCP\tdport:443,80-80 src:!10.1.2.3/8 MARK:0x13/0xf0 \
             nat:DNAT,any state:TIME_WAIT host:FD00::1/128",
        );
        let text = "proto:tcp dport:443,80 src:!10.0.0.0/8 mark:0x10/0xf0 \
                    nat:dnat,any state:time-wait host:fd00::1";
        assert_eq!(f.to_string(), text);
        assert_eq!(filter(text), f);
        assert_eq!(text.parse::<Filter>(), Ok(f));
    }

    #[test]
    fn serde_uses_the_text() {
        let f = filter("proto:tcp dport:!22");
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, "\"proto:tcp dport:!22\"");
        assert_eq!(serde_json::from_str::<Filter>(&json).unwrap(), f);
        let err = serde_json::from_str::<Filter>("\"dport:x\"").unwrap_err();
        assert!(
            err.to_string().starts_with("at column 7: bad port"),
            "{err}"
        );
    }

    #[test]
    fn add_term_appends_and_replaces() {
        assert_eq!(add_term("", "dport", "443"), "dport:443");
        assert_eq!(add_term("  ", "proto", "tcp"), "proto:tcp");
        assert_eq!(
            add_term("proto:tcp", "dport", "443"),
            "proto:tcp dport:443"
        );
        assert_eq!(
            add_term("dport:80 proto:tcp", "dport", "443"),
            "proto:tcp dport:443"
        );
        assert_eq!(
            add_term("DPORT:80,8080  proto:tcp", "dport", "443"),
            "proto:tcp dport:443"
        );
        // A negated term and a plain one on the same field both stay.
        assert_eq!(
            add_term("dport:!22 dport:80", "dport", "443"),
            "dport:!22 dport:443"
        );
        assert_eq!(
            add_term("dport:!22 dport:80", "dport", "!23"),
            "dport:80 dport:!23"
        );
        // Unparsable text is kept as typed.
        assert_eq!(add_term("prot:x zzz", "src", "::1"), "prot:x zzz src:::1");
        let text = add_term("src:10.0.0.0/8", "host", "fd00::1");
        assert_eq!(filter(&text).to_string(), "src:10.0.0.0/8 host:fd00::1");
    }

    const SAMPLE_TERMS: &[&str] = &[
        "proto:tcp",
        "src:10.0.0.0/8",
        "dst:fd00::/8",
        "host:1.2.3.4",
        "sport:1-1023",
        "dport:80,443",
        "port:53",
        "nat:dnat,none",
        "state:established",
        "status:assured",
        "mark:0x1/0x1",
        "zone:0",
        "id:1",
        "key:00000001-2-3-00000004-5",
    ];

    #[test]
    fn every_field_is_listed_and_samples_cover_them() {
        assert_eq!(Filter::FIELDS.len(), SAMPLE_TERMS.len());
        for (field, term) in Filter::FIELDS.iter().zip(SAMPLE_TERMS) {
            let f = filter(term);
            assert_eq!(f.terms[0].test.field(), *field);
            assert_eq!(f.to_string(), *term);
        }
    }

    fn term() -> impl Strategy<Value = String> {
        let name = "[a-zA-Z_-]{1,12}";
        let term = prop_oneof![
            any::<u8>().prop_map(|p| format!("proto:{p}")),
            (any::<u32>(), 0u8..=32).prop_map(|(a, l)| {
                format!("src:{}/{l}", std::net::Ipv4Addr::from(a))
            }),
            (any::<u128>(), 0u8..=128).prop_map(|(a, l)| {
                format!("dst:{}/{l}", std::net::Ipv6Addr::from(a))
            }),
            (any::<u32>(), any::<u128>()).prop_map(|(a, b)| {
                let (a, b) =
                    (std::net::Ipv4Addr::from(a), std::net::Ipv6Addr::from(b));
                format!("host:{a},{b}")
            }),
            (any::<u16>(), any::<u16>()).prop_map(|(a, b)| {
                format!("dport:{}-{},{a}", a.min(b), a.max(b))
            }),
            any::<u16>().prop_map(|p| format!("sport:{p}")),
            any::<u16>().prop_map(|p| format!("port:{p},{}", p / 2)),
            prop::sample::subsequence(
                vec!["dnat", "SNAT", "sport-rewrite", "none", "any"],
                1..=5,
            )
            .prop_map(|n| format!("nat:{}", n.join(","))),
            prop::collection::vec(name, 1..3)
                .prop_map(|s| format!("state:{}", s.join(","))),
            name.prop_map(|s| format!("status:{s}")),
            (any::<u32>(), any::<u32>())
                .prop_map(|(v, m)| format!("mark:{v:#x}/{m},{v}")),
            any::<u16>().prop_map(|z| format!("zone:{z}")),
            any::<u32>().prop_map(|i| format!("id:{i:#X}")),
            (any::<u64>(), any::<u32>(), any::<u64>()).prop_map(
                |(n, i, s)| format!("key:{:08x}-{n}-{i}-{:08x}-{s}", i ^ 1, !i)
            ),
        ];
        (term, any::<bool>()).prop_map(|(term, negated)| {
            if negated {
                term.replacen(':', ":!", 1)
            } else {
                term
            }
        })
    }

    proptest! {
        #[test]
        fn parsing_never_panics(text in "\\PC*") {
            if let Err(e) = Filter::parse(&text) {
                prop_assert!(e.position <= text.chars().count());
            }
        }

        #[test]
        fn near_miss_text_never_panics_and_round_trips(
            text in "[a-z0-9:!,./ x-]{0,40}",
        ) {
            match Filter::parse(&text) {
                Ok(f) => prop_assert_eq!(filter(&f.to_string()), f),
                Err(e) => prop_assert!(e.position <= text.chars().count()),
            }
        }

        #[test]
        fn known_fields_with_junk_values_round_trip(
            terms in prop::collection::vec(
                (
                    prop::sample::select(Filter::FIELDS),
                    "!?[a-fx0-9:,./_-]{0,12}",
                ),
                0..4,
            ),
        ) {
            let text = terms
                .iter()
                .map(|(field, value)| format!("{field}:{value}"))
                .collect::<Vec<_>>()
                .join(" ");
            match Filter::parse(&text) {
                Ok(f) => prop_assert_eq!(filter(&f.to_string()), f),
                Err(e) => prop_assert!(e.position <= text.chars().count()),
            }
        }

        #[test]
        fn display_parses_back_to_the_same_filter(
            terms in prop::collection::vec(term(), 0..6),
            gap in "[ \t\n]{1,3}",
        ) {
            let text = terms.join(&gap);
            let parsed = Filter::parse(&text);
            prop_assert!(parsed.is_ok(), "{:?}: {:?}", text, parsed);
            let parsed = parsed.unwrap();
            let printed = parsed.to_string();
            prop_assert_eq!(filter(&printed), parsed.clone());
            prop_assert_eq!(&filter(&printed).to_string(), &printed);
            let sample = nat_both();
            let reparsed = filter(&printed);
            prop_assert_eq!(reparsed.matches(&sample), parsed.matches(&sample));
        }

        #[test]
        fn negation_inverts_a_term(term in term()) {
            let flip = match term.split_once(":!") {
                Some((field, rest)) => format!("{field}:{rest}"),
                None => term.replacen(':', ":!", 1),
            };
            for sample in [nat_both(), icmp("fd00::1", "fd00::2")] {
                prop_assert_ne!(hits(&term, &sample), hits(&flip, &sample));
            }
        }
    }
}
