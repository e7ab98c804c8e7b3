//! `nat`: what NAT did to the flow, or `none` and `any`.

use std::fmt;

use super::{any_of, FlowFields, Item, Parsed, Value};
use crate::query::words::{fold, one_of, unknown};
use crate::wire::Nat;

#[derive(Clone, Copy, Debug)]
enum NatTest {
    Kind(Nat),
    None,
    Any,
}

impl Value for NatTest {
    fn holds(&self, flow: &dyn FlowFields) -> bool {
        let nat = flow.nat();
        match self {
            Self::Kind(kind) => nat.contains(kind),
            Self::None => nat.is_empty(),
            Self::Any => !nat.is_empty(),
        }
    }
}

impl NatTest {
    fn word(self) -> &'static str {
        match self {
            Self::Kind(kind) => kind.as_str(),
            Self::None => "none",
            Self::Any => "any",
        }
    }
}

impl fmt::Display for NatTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

const TESTS: [NatTest; 5] = [
    NatTest::Kind(Nat::Dnat),
    NatTest::Kind(Nat::Snat),
    NatTest::Kind(Nat::SportRewrite),
    NatTest::None,
    NatTest::Any,
];

pub(super) fn parse(items: &[Item]) -> Parsed {
    any_of(items, one)
}

fn one(text: &str) -> Result<NatTest, String> {
    let folded = fold(text);
    let words = TESTS.map(NatTest::word);
    TESTS
        .into_iter()
        .find(|test| test.word() == folded)
        .ok_or_else(|| unknown("nat", text, words, one_of(words)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{error, flow, hits, nat_both, tcp, tuple};
    use crate::wire::Proto;

    #[test]
    fn kinds_none_and_any() {
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
        assert!(hits("nat:SPORT_REWRITE", &clash));
        assert!(!hits("nat:dnat", &clash));
        assert!(hits("nat:!dnat,snat", &clash));
    }

    #[test]
    fn every_kind_has_a_test() {
        for kind in Nat::ALL {
            assert_eq!(one(kind.as_str()).unwrap().word(), kind.as_str());
        }
    }

    #[test]
    fn unknown_words() {
        assert_eq!(
            error("nat:dnat,masq"),
            (
                9,
                "unknown nat \"masq\"; expected one of dnat, snat, \
                 sport-rewrite, none, any"
                    .into()
            )
        );
        assert_eq!(
            error("nat:dant"),
            (4, "unknown nat \"dant\"; did you mean \"dnat\"?".into())
        );
    }
}
