//! Words for the kernel's conntrack numbers, as the API and page print
//! them. Indexes follow the kernel enums and bit numbers.

use app::wire::Word;

/// `enum ip_conntrack_status` bit names, from bit 0 up.
const STATUS: [&str; 16] = [
    "expected",
    "seen-reply",
    "assured",
    "confirmed",
    "src-nat",
    "dst-nat",
    "seq-adjust",
    "src-nat-done",
    "dst-nat-done",
    "dying",
    "fixed-timeout",
    "template",
    "nat-clash",
    "helper",
    "offload",
    "hw-offload",
];

/// `IP_CT_TCP_FLAG_*` bit names, from bit 0 up, of the original and the
/// reply direction.
const TCP_FLAGS: [[&str; 8]; 2] = [
    [
        "orig:window-scale",
        "orig:sack-perm",
        "orig:close-init",
        "orig:be-liberal",
        "orig:data-unacknowledged",
        "orig:maxack-set",
        "orig:challenge-ack",
        "orig:simultaneous-open",
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

/// `enum tcp_conntrack`.
const TCP_STATES: [&str; 10] = [
    "none",
    "syn-sent",
    "syn-recv",
    "established",
    "fin-wait",
    "close-wait",
    "last-ack",
    "time-wait",
    "close",
    "syn-sent2",
];

/// `enum sctp_conntrack`.
const SCTP_STATES: [&str; 10] = [
    "none",
    "closed",
    "cookie-wait",
    "cookie-echoed",
    "established",
    "shutdown-sent",
    "shutdown-recd",
    "shutdown-ack-sent",
    "heartbeat-sent",
    "heartbeat-acked",
];

/// `enum ct_dccp_states`.
const DCCP_STATES: [&str; 10] = [
    "none", "request", "respond", "partopen", "open", "closereq", "closing",
    "timewait", "ignore", "invalid",
];

pub fn status_names(bits: u32) -> Vec<Word> {
    set_bits(bits, &STATUS)
}

/// Names of the set TCP flags of the original (`reply` false) or the
/// reply direction, prefixed with `orig:` or `reply:`.
pub fn tcp_flag_names(bits: u8, reply: bool) -> Vec<Word> {
    set_bits(bits.into(), &TCP_FLAGS[usize::from(reply)])
}

pub fn tcp_state(n: u8) -> Word {
    state_name(n, &TCP_STATES)
}

pub fn sctp_state(n: u8) -> Word {
    state_name(n, &SCTP_STATES)
}

pub fn dccp_state(n: u8) -> Word {
    state_name(n, &DCCP_STATES)
}

/// Unknown bits print as `bit-N`, so a newer kernel loses nothing.
fn set_bits(bits: u32, names: &[&'static str]) -> Vec<Word> {
    (0..32)
        .filter(|bit| bits & (1 << bit) != 0)
        .map(|bit| match names.get(bit) {
            Some(name) => Word::Borrowed(name),
            None => Word::Owned(format!("bit-{bit}")),
        })
        .collect()
}

fn state_name(n: u8, names: &[&'static str]) -> Word {
    match names.get(usize::from(n)) {
        Some(name) => Word::Borrowed(name),
        None => Word::Owned(format!("state-{n}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_bits_in_order() {
        // SEEN_REPLY | ASSURED | CONFIRMED | DST_NAT | DST_NAT_DONE
        let bits = 0b1_0010_1110;
        assert_eq!(
            status_names(bits),
            [
                "seen-reply",
                "assured",
                "confirmed",
                "dst-nat",
                "dst-nat-done"
            ]
        );
        assert_eq!(status_names(1 << 20), ["bit-20"]);
    }

    #[test]
    fn unknown_state_keeps_number() {
        assert_eq!(tcp_state(3), "established");
        assert_eq!(tcp_state(42), "state-42");
    }
}
