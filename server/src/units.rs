//! Quantities as people type them on the command line and in the API.

use std::time::Duration;

/// `90s`, `30m`, `12h`, `7d`.
pub fn parse_age(text: &str) -> Result<Duration, String> {
    app::query::age_secs(text).map(Duration::from_secs)
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
