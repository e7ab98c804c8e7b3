//! Numbers as filter values write them.

use std::str::FromStr;

/// Decimal digits only, unlike `u16::from_str`, which takes "+80" too.
pub(super) fn decimal<T: FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Decimal or `0x` hex, which is how marks are usually written.
pub(super) fn number<T: TryFrom<u64>>(text: &str) -> Option<T> {
    let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"));
    let n = match hex {
        Some(digits)
            if !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            u64::from_str_radix(digits, 16).ok()
        }
        Some(_) => None,
        None => decimal(text),
    };
    n.and_then(|n| T::try_from(n).ok())
}
