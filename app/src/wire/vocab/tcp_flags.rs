//! TCP conntrack flags of each direction (`IP_CT_TCP_FLAG_*`, in
//! `CTA_PROTOINFO_TCP_FLAGS_ORIGINAL` and `_REPLY`).

use super::set_bits;
use crate::wire::Word;

/// The flag words of the original and of the reply direction, by bit
/// number.
pub static TCP_FLAGS: [[&str; 8]; 2] = [
    [
        "orig:window-scale",        // IP_CT_TCP_FLAG_WINDOW_SCALE
        "orig:sack-perm",           // IP_CT_TCP_FLAG_SACK_PERM
        "orig:close-init",          // IP_CT_TCP_FLAG_CLOSE_INIT
        "orig:be-liberal",          // IP_CT_TCP_FLAG_BE_LIBERAL
        "orig:data-unacknowledged", // IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED
        "orig:maxack-set",          // IP_CT_TCP_FLAG_MAXACK_SET
        "orig:challenge-ack",       // IP_CT_EXP_CHALLENGE_ACK
        "orig:simultaneous-open",   // IP_CT_TCP_SIMULTANEOUS_OPEN
    ],
    [
        "reply:window-scale",
        "reply:sack-perm",
        "reply:close-init",
        "reply:be-liberal",
        "reply:data-unacknowledged",
        "reply:maxack-set",
        "reply:challenge-ack",
        "reply:simultaneous-open",
    ],
];

/// The words of the set flags of the original (`reply` false) or the
/// reply direction.
pub fn tcp_flag_words(bits: u8, reply: bool) -> Vec<Word> {
    set_bits(bits.into(), &TCP_FLAGS[usize::from(reply)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_direction_has_its_prefix() {
        assert_eq!(
            tcp_flag_words(0b11, false),
            ["orig:window-scale", "orig:sack-perm"]
        );
        assert_eq!(tcp_flag_words(0x80, true), ["reply:simultaneous-open"]);
        assert!(tcp_flag_words(0, true).is_empty());
    }
}
