//! The filter language: `proto:tcp dport:80,443 src:!10.0.0.0/8`.
//!
//! Terms are separated by whitespace and must all hold. A comma list inside
//! a term means any of its values, and a `!` right after the colon negates
//! the whole list. The same text goes in URLs, the API and the filter box,
//! so [`Filter`] prints a canonical form that parses back to an equal
//! filter. What each field means is in [`fields`](super::fields).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::fields::{self, Field, Item, Located, Test, FIELDS};
use super::words::{one_of, unknown};
use super::FlowFields;

/// A parsed filter; the default one matches every flow. Two filters are
/// equal when they print the same.
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
    pub fn fields() -> impl Iterator<Item = &'static str> + Clone {
        FIELDS.iter().map(|field| field.name)
    }

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

    pub fn matches(&self, flow: &dyn FlowFields) -> bool {
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
fn tokens(text: &str) -> Vec<Item<'_>> {
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

#[derive(Clone, Debug)]
struct Term {
    field: &'static Field,
    negated: bool,
    test: Arc<dyn Test>,
}

impl Term {
    /// `token` is one whitespace-free word starting at byte `at`.
    fn parse(at: usize, token: &str) -> Result<Self, Located> {
        let Some((name, rest)) = token.split_once(':') else {
            return Err((
                at,
                format!(
                    "missing \":\" in {token:?}; write terms as field:value, \
                     e.g. dport:443"
                ),
            ));
        };
        let rest_at = at + name.len() + 1;
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
        let field =
            fields::field(name).ok_or_else(|| (at, unknown_field(name)))?;
        let test = (field.parse)(&items)?;
        Ok(Self {
            field,
            negated,
            test,
        })
    }

    fn matches(&self, flow: &dyn FlowFields) -> bool {
        self.test.matches(flow) != self.negated
    }
}

/// The canonical text says what a term matches.
impl PartialEq for Term {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Term {}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bang = if self.negated { "!" } else { "" };
        write!(f, "{}:{bang}{}", self.field.name, self.test)
    }
}

fn unknown_field(name: &str) -> String {
    match name.strip_prefix('!') {
        Some(real) if fields::field(real).is_some() => format!(
            "unknown field {name:?}; to negate, put \"!\" after the colon, \
             as in {real}:!value"
        ),
        _ => {
            let names = Filter::fields();
            unknown("field", name, names.clone(), one_of(names))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{error, filter, hits, icmp, nat_both, position, tcp};
    use crate::wire::{vocab, Flow};
    use proptest::prelude::*;

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
    fn field_errors_point_at_the_field() {
        let (at, reason) = error("proto:tcp prot:tcp");
        assert_eq!(at, 10);
        assert_eq!(reason, "unknown field \"prot\"; did you mean \"proto\"?");
        let (at, reason) = error("proto:tcp bytes:10");
        assert_eq!(at, 10);
        assert_eq!(
            reason,
            "unknown field \"bytes\"; expected one of proto, src, dst, host, \
             sport, dport, port, nat, state, status, mark, zone, id, key"
        );
        let e = Filter::parse("dport:80 prot:tcp").unwrap_err();
        assert!(e
            .to_string()
            .starts_with("at column 10: unknown field \"prot\""));
        assert_eq!(position(":80"), 0);
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
    fn list_errors_point_at_the_value() {
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
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        // U+3000 is a space of three bytes: the bad zone value is the
        // 15th character and the 17th byte.
        let e = Filter::parse("dport:80\u{3000}zone:x").unwrap_err();
        assert_eq!(e.position, 14);
        assert_eq!(
            e.to_string(),
            "at column 15: bad zone \"x\"; expected a number 0-65535"
        );
        assert_eq!(Filter::parse("\u{3000}zone:x").unwrap_err().position, 6);
        assert_eq!(Filter::parse("ünknown:1").unwrap_err().position, 0);
        assert_eq!(Filter::parse("state:é zone:1").unwrap_err().position, 6);
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
    fn api_and_page_message_for_a_mistyped_state() {
        let e = Filter::parse("proto:tcp state:establishd").unwrap_err();
        assert_eq!(e.position, 16);
        assert_eq!(
            e.to_string(),
            "at column 17: unknown state \"establishd\"; did you mean \
             \"established\"?"
        );
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

    /// What the page puts in the filter when a state or status cell is
    /// clicked parses, unknown kernel numbers included.
    #[test]
    fn clicked_words_parse() {
        let mut f = tcp("10.0.0.1", 4000, "10.0.0.2", 80);
        f.status = vocab::status_words(u32::MAX);
        for n in 0..=255 {
            f.state = Some(vocab::tcp_state(n));
            let text = add_term("", "state", f.state.as_deref().unwrap());
            assert!(hits(&text, &f), "{text}");
        }
        for word in &f.status {
            let text = add_term("", "status", word);
            assert!(hits(&text, &f), "{text}");
        }
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
        assert_eq!(Filter::fields().count(), SAMPLE_TERMS.len());
        for (field, term) in Filter::fields().zip(SAMPLE_TERMS) {
            let f = filter(term);
            assert_eq!(f.terms[0].field.name, field);
            assert_eq!(f.to_string(), *term);
        }
    }

    fn term() -> impl Strategy<Value = String> {
        let states: Vec<_> = vocab::state_words()
            .chain(["Time_Wait", "state-42"])
            .collect();
        let statuses: Vec<_> = vocab::STATUS
            .into_iter()
            .chain(["SEEN_REPLY", "bit-20"])
            .collect();
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
            prop::sample::subsequence(states, 1..3)
                .prop_map(|s| format!("state:{}", s.join(","))),
            prop::sample::subsequence(statuses, 1..4)
                .prop_map(|s| format!("status:{}", s.join(","))),
            (any::<u32>(), any::<u32>())
                .prop_map(|(v, m)| format!("mark:{v:#x}/{m},{v}")),
            any::<u16>().prop_map(|z| format!("zone:{z}")),
            any::<u32>().prop_map(|i| format!("id:{i:#X}")),
            (any::<u64>(), any::<u32>(), any::<u64>()).prop_map(|(n, i, s)| {
                format!("key:{:08x}-{n}-{i}-{:08x}-{s}", i ^ 1, !i)
            }),
        ];
        (term, any::<bool>()).prop_map(|(term, negated)| {
            if negated {
                term.replacen(':', ":!", 1)
            } else {
                term
            }
        })
    }

    fn samples() -> [Flow; 2] {
        [nat_both(), icmp("fd00::1", "fd00::2")]
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
                    prop::sample::select(Filter::fields().collect::<Vec<_>>()),
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
            for sample in samples() {
                let reparsed = filter(&printed);
                prop_assert_eq!(
                    reparsed.matches(&sample),
                    parsed.matches(&sample)
                );
            }
        }

        #[test]
        fn negation_inverts_a_term(term in term()) {
            let flip = match term.split_once(":!") {
                Some((field, rest)) => format!("{field}:{rest}"),
                None => term.replacen(':', ":!", 1),
            };
            for sample in samples() {
                prop_assert_ne!(hits(&term, &sample), hits(&flip, &sample));
            }
        }
    }
}
