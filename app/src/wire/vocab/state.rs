//! Protocol states of TCP, SCTP and DCCP entries (`CTA_PROTOINFO_*_STATE`).

use super::numbered;
use crate::wire::Word;

/// `enum tcp_conntrack`.
pub static TCP_STATES: [&str; 10] = [
    "none",        // TCP_CONNTRACK_NONE
    "syn-sent",    // TCP_CONNTRACK_SYN_SENT
    "syn-recv",    // TCP_CONNTRACK_SYN_RECV
    "established", // TCP_CONNTRACK_ESTABLISHED
    "fin-wait",    // TCP_CONNTRACK_FIN_WAIT
    "close-wait",  // TCP_CONNTRACK_CLOSE_WAIT
    "last-ack",    // TCP_CONNTRACK_LAST_ACK
    "time-wait",   // TCP_CONNTRACK_TIME_WAIT
    "close",       // TCP_CONNTRACK_CLOSE
    "syn-sent2",   // TCP_CONNTRACK_SYN_SENT2
];

/// `enum sctp_conntrack`.
pub static SCTP_STATES: [&str; 10] = [
    "none",              // SCTP_CONNTRACK_NONE
    "closed",            // SCTP_CONNTRACK_CLOSED
    "cookie-wait",       // SCTP_CONNTRACK_COOKIE_WAIT
    "cookie-echoed",     // SCTP_CONNTRACK_COOKIE_ECHOED
    "established",       // SCTP_CONNTRACK_ESTABLISHED
    "shutdown-sent",     // SCTP_CONNTRACK_SHUTDOWN_SENT
    "shutdown-recd",     // SCTP_CONNTRACK_SHUTDOWN_RECD
    "shutdown-ack-sent", // SCTP_CONNTRACK_SHUTDOWN_ACK_SENT
    "heartbeat-sent",    // SCTP_CONNTRACK_HEARTBEAT_SENT
    "heartbeat-acked",   // SCTP_CONNTRACK_HEARTBEAT_ACKED
];

/// `enum ct_dccp_states`.
pub static DCCP_STATES: [&str; 10] = [
    "none",     // CT_DCCP_NONE
    "request",  // CT_DCCP_REQUEST
    "respond",  // CT_DCCP_RESPOND
    "partopen", // CT_DCCP_PARTOPEN
    "open",     // CT_DCCP_OPEN
    "closereq", // CT_DCCP_CLOSEREQ
    "closing",  // CT_DCCP_CLOSING
    "timewait", // CT_DCCP_TIMEWAIT
    "ignore",   // CT_DCCP_IGNORE
    "invalid",  // CT_DCCP_INVALID
];

pub fn tcp_state(n: u8) -> Word {
    state(n, &TCP_STATES)
}

pub fn sctp_state(n: u8) -> Word {
    state(n, &SCTP_STATES)
}

pub fn dccp_state(n: u8) -> Word {
    state(n, &DCCP_STATES)
}

/// Every state word once, TCP's first.
pub fn state_words() -> impl Iterator<Item = &'static str> + Clone {
    let all = TCP_STATES.iter().chain(&SCTP_STATES).chain(&DCCP_STATES);
    all.clone()
        .enumerate()
        .filter(move |&(i, word)| !all.clone().take(i).any(|w| w == word))
        .map(|(_, word)| *word)
}

/// The state `word` names, as the server would spell it: a borrowed word
/// of the tables, or `state-N` for a number they lack.
pub fn state_word(word: &str) -> Option<Word> {
    if let Some(known) = state_words().find(|w| *w == word) {
        return Some(Word::Borrowed(known));
    }
    numbered::<u8>(word, "state-").map(|n| Word::Owned(format!("state-{n}")))
}

fn state(n: u8, names: &[&'static str]) -> Word {
    match names.get(usize::from(n)) {
        Some(name) => Word::Borrowed(name),
        None => Word::Owned(format!("state-{n}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_state_keeps_number() {
        assert_eq!(tcp_state(3), "established");
        assert_eq!(sctp_state(4), "established");
        assert_eq!(dccp_state(7), "timewait");
        assert_eq!(tcp_state(42), "state-42");
    }

    #[test]
    fn words_are_listed_once() {
        let words: Vec<_> = state_words().collect();
        assert_eq!(words.len(), 10 + 8 + 9);
        assert_eq!(words[..2], ["none", "syn-sent"]);
        assert_eq!(words.iter().filter(|w| **w == "established").count(), 1);
    }

    #[test]
    fn every_word_names_a_state() {
        for n in 0..=255 {
            for word in [tcp_state(n), sctp_state(n), dccp_state(n)] {
                assert_eq!(state_word(&word), Some(word.clone()));
            }
        }
        assert!(matches!(state_word("close"), Some(Word::Borrowed(_))));
        assert_eq!(state_word("state-07").as_deref(), Some("state-7"));
        for bad in ["establishd", "state-256", "state-", "TIME_WAIT", ""] {
            assert_eq!(state_word(bad), None, "{bad}");
        }
    }
}
