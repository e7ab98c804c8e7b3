//! `state`: the protocol state of TCP, SCTP and DCCP flows.

use std::fmt;

use super::{any_of, FlowFields, Item, Parsed, Value};
use crate::query::words::{fold, one_of, unknown};
use crate::wire::{vocab, Word};

/// A word of [`vocab`]'s states.
#[derive(Debug)]
struct State(Word);

impl Value for State {
    /// `none` also stands for no state at all: TCP's own NONE is rare,
    /// and the filter would otherwise have no way to pick stateless flows.
    fn holds(&self, flow: &dyn FlowFields) -> bool {
        flow.state().unwrap_or("none") == self.0
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(super) fn parse(items: &[Item]) -> Parsed {
    any_of(items, one)
}

fn one(text: &str) -> Result<State, String> {
    let words = vocab::state_words();
    vocab::state_word(&fold(text))
        .map(State)
        .ok_or_else(|| unknown("state", text, words.clone(), one_of(words)))
}

#[cfg(test)]
mod tests {
    use crate::testing::{error, filter, hits, icmp, tcp};
    use crate::wire::vocab;

    #[test]
    fn words_in_any_case() {
        let mut f = tcp("10.0.0.1", 4000, "10.0.0.2", 80);
        assert!(hits("state:established", &f));
        assert!(hits("state:ESTABLISHED", &f));
        assert!(!hits("state:none", &f));
        assert!(hits("state:!time-wait,syn-sent", &f));
        f.state = Some(vocab::tcp_state(7));
        assert!(hits("state:time-wait", &f));
        assert!(hits("state:time_wait", &f));
        assert!(hits("state:syn-sent,time-wait", &f));
        f.state = Some(vocab::tcp_state(0));
        assert!(hits("state:none", &f));
        assert_eq!(
            filter("state:Time_Wait,SYN-SENT").to_string(),
            "state:time-wait,syn-sent"
        );
    }

    #[test]
    fn none_is_also_no_state() {
        let ping = icmp("10.0.0.1", "10.0.0.2");
        assert!(hits("state:none", &ping));
        assert!(hits("state:NONE", &ping));
        assert!(!hits("state:established", &ping));
        assert!(hits("state:!established", &ping));
    }

    #[test]
    fn sctp_and_dccp_words_and_numbers_without_one() {
        let mut f = tcp("10.0.0.1", 4000, "10.0.0.2", 80);
        f.state = Some(vocab::sctp_state(2));
        assert!(hits("state:cookie-wait", &f));
        f.state = Some(vocab::dccp_state(7));
        assert!(hits("state:timewait", &f));
        assert!(!hits("state:time-wait", &f));
        f.state = Some(vocab::tcp_state(17));
        assert!(hits("state:state-17", &f));
        assert!(!hits("state:state-7", &f));
    }

    #[test]
    fn unknown_words_get_the_nearest_one() {
        assert_eq!(
            error("state:establishd"),
            (
                6,
                "unknown state \"establishd\"; did you mean \"established\"?"
                    .into()
            )
        );
        assert_eq!(
            error("proto:tcp state:!none,TIME_WIAT"),
            (
                22,
                "unknown state \"TIME_WIAT\"; did you mean \"time-wait\"?"
                    .into()
            )
        );
        let (at, reason) = error("state:up");
        assert_eq!(at, 6);
        assert!(
            reason.starts_with(
                "unknown state \"up\"; expected one of none, syn-sent, "
            ),
            "{reason}"
        );
        assert!(reason.ends_with(", ignore, invalid"), "{reason}");
    }
}
