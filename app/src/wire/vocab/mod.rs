//! The kernel's conntrack vocabulary: the words for its state numbers,
//! status bits and TCP flags, as the API, the page and the filter spell
//! them. The server names what it decodes with these tables and the filter
//! checks what a user types against them, so both know the same words.
//!
//! Protocol names live with [`Proto`](super::Proto) and NAT words with
//! [`Nat`](super::Nat).
//!
//! A number the tables do not know (a newer kernel) still gets a word,
//! `state-N` or `bit-N`, so nothing the kernel says is lost and the filter
//! can still pick it.

mod state;
mod status;
mod tcp_flags;

pub use state::{
    dccp_state, sctp_state, state_word, state_words, tcp_state, DCCP_STATES,
    SCTP_STATES, TCP_STATES,
};
pub use status::{status_bit, status_words, STATUS};
pub use tcp_flags::{tcp_flag_words, TCP_FLAGS};

use super::Word;

/// The words of the bits set in `bits`, lowest first; `names` is indexed
/// by bit number.
fn set_bits(bits: u32, names: &[&'static str]) -> Vec<Word> {
    (0..32)
        .filter(|bit| bits & (1 << bit) != 0)
        .map(|bit| match names.get(bit) {
            Some(name) => Word::Borrowed(name),
            None => Word::Owned(format!("bit-{bit}")),
        })
        .collect()
}

/// The number in `word` after `prefix`, in plain decimal: the inverse of
/// the `state-N` and `bit-N` words.
fn numbered<T: std::str::FromStr>(word: &str, prefix: &str) -> Option<T> {
    let digits = word.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}
