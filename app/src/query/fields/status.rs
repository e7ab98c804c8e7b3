//! `status`: a conntrack status bit, by its word.

use std::fmt;
use std::sync::Arc;

use super::{list, values, FlowFields, Item, Parsed, Test};
use crate::query::words::{fold, one_of, unknown};
use crate::wire::vocab;

/// The bits of the listed words: any of them set is a match.
#[derive(Debug)]
struct Status {
    mask: u32,
}

impl Test for Status {
    fn matches(&self, flow: &dyn FlowFields) -> bool {
        flow.status_bits() & self.mask != 0
    }
}

/// In bit order, whatever order the words came in.
impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, vocab::status_words(self.mask))
    }
}

pub(super) fn parse(items: &[Item]) -> Parsed {
    let bits = values(items, one)?;
    let mask = bits.into_iter().fold(0, |mask, bit| mask | 1 << bit);
    Ok(Arc::new(Status { mask }))
}

fn one(text: &str) -> Result<u32, String> {
    let words = vocab::STATUS;
    vocab::status_bit(&fold(text))
        .ok_or_else(|| unknown("status", text, words, one_of(words)))
}

#[cfg(test)]
mod tests {
    use crate::testing::{error, filter, hits, icmp, tcp};
    use crate::wire::vocab;

    #[test]
    fn any_listed_bit() {
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
    fn bits_without_a_word() {
        let mut f = tcp("10.0.0.1", 4000, "10.0.0.2", 80);
        f.status = vocab::status_words(1 << 20);
        assert!(hits("status:bit-20", &f));
        assert!(!hits("status:bit-21,assured", &f));
        assert_eq!(filter("status:bit-2").to_string(), "status:assured");
    }

    #[test]
    fn prints_in_bit_order() {
        assert_eq!(
            filter("status:dst-nat,Seen_Reply,dst-nat").to_string(),
            "status:seen-reply,dst-nat"
        );
    }

    #[test]
    fn unknown_words_get_the_nearest_one() {
        assert_eq!(
            error("status:assured,asured"),
            (
                15,
                "unknown status \"asured\"; did you mean \"assured\"?".into()
            )
        );
        assert_eq!(
            error("status:bit-32"),
            (
                7,
                "unknown status \"bit-32\"; expected one of expected, \
                 seen-reply, assured, confirmed, src-nat, dst-nat, \
                 seq-adjust, src-nat-done, dst-nat-done, dying, \
                 fixed-timeout, template, nat-clash, helper, offload, \
                 hw-offload"
                    .into()
            )
        );
    }
}
