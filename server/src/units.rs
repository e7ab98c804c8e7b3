//! Quantities as people type them on the command line and in the API.

use std::time::Duration;

/// `90s`, `30m`, `12h`, `7d`.
pub fn parse_age(text: &str) -> Result<Duration, String> {
    let unit = match text.as_bytes().last() {
        Some(b's') => 1,
        Some(b'm') => 60,
        Some(b'h') => 3600,
        Some(b'd') => 86_400,
        _ => 0,
    };
    text.get(..text.len().saturating_sub(1))
        .and_then(|digits| digits.parse::<u64>().ok())
        .filter(|&n| n > 0 && unit > 0)
        .and_then(|n| n.checked_mul(unit))
        .map(Duration::from_secs)
        .ok_or_else(|| {
            format!("{text:?} is not an age like 90s, 30m, 12h or 7d")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(parse_age("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_age("7d"), Ok(Duration::from_secs(7 * 86_400)));
        for bad in ["", "d", "0h", "5", "5w", "-1m", "99999999999999999999d"] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
    }
}
