//! Conntrack status bits (`enum ip_conntrack_status`).

use super::{numbered, set_bits};
use crate::wire::Word;

/// The words of the status bits, by bit number.
pub static STATUS: [&str; 16] = [
    "expected",      // IPS_EXPECTED_BIT
    "seen-reply",    // IPS_SEEN_REPLY_BIT
    "assured",       // IPS_ASSURED_BIT
    "confirmed",     // IPS_CONFIRMED_BIT
    "src-nat",       // IPS_SRC_NAT_BIT
    "dst-nat",       // IPS_DST_NAT_BIT
    "seq-adjust",    // IPS_SEQ_ADJUST_BIT
    "src-nat-done",  // IPS_SRC_NAT_DONE_BIT
    "dst-nat-done",  // IPS_DST_NAT_DONE_BIT
    "dying",         // IPS_DYING_BIT
    "fixed-timeout", // IPS_FIXED_TIMEOUT_BIT
    "template",      // IPS_TEMPLATE_BIT
    "nat-clash",     // IPS_NAT_CLASH_BIT
    "helper",        // IPS_HELPER_BIT
    "offload",       // IPS_OFFLOAD_BIT
    "hw-offload",    // IPS_HW_OFFLOAD_BIT
];

/// The words of the set bits of `CTA_STATUS`, lowest bit first.
pub fn status_words(bits: u32) -> Vec<Word> {
    set_bits(bits, &STATUS)
}

/// The bit number `word` names, `bit-N` included.
///
/// Filtering a table of flows asks this for every word of every flow.
/// The server's words are borrowed from [`STATUS`], so most are found by
/// their address before any text is compared.
pub fn status_bit(word: &str) -> Option<u32> {
    let at = |same: fn(&str, &str) -> bool| {
        STATUS.iter().position(|name| same(name, word))
    };
    match at(|a, b| std::ptr::eq(a, b)).or_else(|| at(|a, b| a == b)) {
        Some(bit) => Some(bit as u32),
        None => numbered(word, "bit-").filter(|bit| *bit < 32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_set_bits_in_order() {
        // SEEN_REPLY | ASSURED | CONFIRMED | DST_NAT | DST_NAT_DONE
        let bits = 0b1_0010_1110;
        assert_eq!(
            status_words(bits),
            [
                "seen-reply",
                "assured",
                "confirmed",
                "dst-nat",
                "dst-nat-done"
            ]
        );
        assert_eq!(status_words(1 << 20), ["bit-20"]);
    }

    #[test]
    fn words_are_borrowed() {
        assert!(status_words(u16::MAX.into())
            .iter()
            .all(|w| matches!(w, Word::Borrowed(_))));
    }

    #[test]
    fn every_word_names_its_bit() {
        for bit in 0..32 {
            for word in status_words(1 << bit) {
                assert_eq!(status_bit(&word), Some(bit), "{word}");
            }
        }
        let from_json = Word::Owned("assured".into());
        assert_eq!(status_bit(&from_json), Some(2));
        assert_eq!(status_bit("bit-2"), Some(2));
        for bad in ["bit-32", "bit-", "bit-+1", "Assured", "assure", ""] {
            assert_eq!(status_bit(bad), None, "{bad}");
        }
    }
}
