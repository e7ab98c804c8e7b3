//! `sport`, `dport` and `port`: a port or a range of them.

use std::fmt;

use super::number::decimal;
use super::side::{on_side, Side, Span};
use super::{Item, Parsed};
use crate::query::Endpoints;

pub(super) fn sport(items: &[Item]) -> Parsed {
    on_side(items, Side::Src, Range::parse)
}

pub(super) fn dport(items: &[Item]) -> Parsed {
    on_side(items, Side::Dst, Range::parse)
}

pub(super) fn port(items: &[Item]) -> Parsed {
    on_side(items, Side::Any, Range::parse)
}

/// An inclusive port range; a single port is a range of one.
#[derive(Clone, Copy, Debug)]
struct Range {
    low: u16,
    high: u16,
}

impl Range {
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
}

impl Span for Range {
    type Point = Option<u16>;

    fn src(ends: &Endpoints) -> Option<u16> {
        ends.sport
    }

    fn dst(ends: &Endpoints) -> Option<u16> {
        ends.dport
    }

    /// A flow without ports has no port any range could contain.
    fn contains(&self, port: Option<u16>) -> bool {
        port.is_some_and(|p| (self.low..=self.high).contains(&p))
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.low == self.high {
            write!(f, "{}", self.low)
        } else {
            write!(f, "{}-{}", self.low, self.high)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{error, filter, hits, icmp, nat_both};

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
    fn bad_ports_point_at_the_value() {
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
    }
}
