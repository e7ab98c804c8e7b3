//! The time window of a history search: `from` and `to` as the URL and
//! the API carry them, relative to now (`-15m`, `now`) or absolute (UTC,
//! as the pages print times: `2026-12-01T20:00`, `2026-12-01 20:00:05Z`,
//! or ms since the Unix epoch).

/// A span of time, ms since the Unix epoch, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeSpan {
    pub from_ms: u64,
    pub to_ms: u64,
}

/// When each end of the window is missing: from the history's start,
/// until now.
pub fn window(
    from: Option<&str>,
    to: Option<&str>,
    now_ms: u64,
) -> Result<TimeSpan, String> {
    let end = |name: &str, text: Option<&str>, missing: u64| match text {
        None => Ok(missing),
        Some(t) if t.trim().is_empty() => Ok(missing),
        Some(t) => {
            instant(t.trim(), now_ms).map_err(|e| format!("{name}: {e}"))
        }
    };
    let from_ms = end("from", from, 0)?;
    let to_ms = end("to", to, now_ms)?;
    if from_ms > to_ms {
        return Err(format!(
            "from: {} is after to: {}",
            crate::format::utc_ms(from_ms),
            crate::format::utc_ms(to_ms)
        ));
    }
    Ok(TimeSpan { from_ms, to_ms })
}

/// One end of a window, in ms since the Unix epoch.
pub fn instant(text: &str, now_ms: u64) -> Result<u64, String> {
    if text == "now" {
        return Ok(now_ms);
    }
    if let Some(ago) = text.strip_prefix('-') {
        return age_secs(ago)
            .map(|secs| now_ms.saturating_sub(secs.saturating_mul(1000)));
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| too_far(text));
    }
    utc(text).ok_or_else(|| {
        format!(
            "{text:?} is not a time: use now, an age back from now like \
             -15m, -2h or -7d, a UTC time like 2026-12-01T20:00 or \
             2026-12-01 20:00:05, or ms since 1970"
        )
    })
}

/// `90s`, `30m`, `12h`, `7d`, in seconds.
pub fn age_secs(text: &str) -> Result<u64, String> {
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
        .ok_or_else(|| {
            format!("{text:?} is not an age like 90s, 30m, 12h or 7d")
        })
}

fn too_far(text: &str) -> String {
    format!("{text:?} ms is past any time this can hold")
}

/// `YYYY-MM-DD`, then optionally `T` or a space and `HH:MM[:SS]`, then
/// optionally `Z`: a UTC time.
fn utc(text: &str) -> Option<u64> {
    let text = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut ymd = date.splitn(3, '-');
    let y: i64 = fixed(ymd.next()?, 4)?;
    let m: u32 = fixed(ymd.next()?, 2)?;
    let d: u32 = fixed(ymd.next()?, 2)?;
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // Dates past the month's end (02-31) would roll over: refuse them.
    if crate::format::civil_from_days(days) != (y, m, d) {
        return None;
    }
    let secs = match time {
        None => 0,
        Some(t) => {
            let mut hms = t.splitn(3, ':');
            let h: u64 = fixed(hms.next()?, 2)?;
            let min: u64 = fixed(hms.next()?, 2)?;
            let s: u64 = hms.next().map_or(Some(0), |s| fixed(s, 2))?;
            if h > 23 || min > 59 || s > 59 {
                return None;
            }
            h * 3600 + min * 60 + s
        }
    };
    Some((u64::try_from(days).ok()? * 86_400 + secs) * 1000)
}

/// Exactly `width` ASCII digits.
fn fixed<T: std::str::FromStr>(text: &str, width: usize) -> Option<T> {
    (text.len() == width && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// A (year, month, day) to days since 1970-01-01, after Howard Hinnant's
/// `days_from_civil`: the inverse of [`crate::format::civil_from_days`].
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_795_635_673_000; // 2026-11-25 19:41:13 UTC

    #[test]
    fn ends_read_as_the_pages_print_times() {
        assert_eq!(instant("2026-11-25T19:41:13", 0), Ok(NOW));
        assert_eq!(instant("2026-11-25 19:41:13Z", 0), Ok(NOW));
        assert_eq!(instant("2026-11-25T19:41", 0), Ok(NOW - 13_000));
        assert_eq!(instant("2026-11-25", 0), Ok(NOW - 70_873_000));
        assert_eq!(instant("1970-01-01", 0), Ok(0));
        assert_eq!(instant("2024-02-29", 0), Ok(1_709_164_800_000));
        assert_eq!(instant("123", 0), Ok(123));
    }

    #[test]
    fn relative_ends_count_back_from_now() {
        assert_eq!(instant("now", NOW), Ok(NOW));
        assert_eq!(instant("-15m", NOW), Ok(NOW - 900_000));
        assert_eq!(instant("-7d", NOW), Ok(NOW - 604_800_000));
        assert_eq!(instant("-99999999d", NOW), Ok(0));
    }

    #[test]
    fn bad_ends_say_what_is_expected() {
        for bad in [
            "",
            "-",
            "-5",
            "-5w",
            "2026-02-30",
            "2026-13-01",
            "2026-1-01",
            "2026-11-25T24:00",
            "2026-11-25T19:61",
            "yesterday",
            "99999999999999999999",
            "2026-11-25T19:41:13+01:00",
        ] {
            assert!(instant(bad, NOW).is_err(), "{bad:?}");
        }
        assert!(instant("soon", NOW).unwrap_err().contains("-15m"));
    }

    #[test]
    fn a_window_defaults_to_all_until_now_and_is_in_order() {
        let span = |from_ms, to_ms| Ok(TimeSpan { from_ms, to_ms });
        assert_eq!(window(None, None, NOW), span(0, NOW));
        assert_eq!(
            window(Some("-1h"), Some(""), NOW),
            span(NOW - 3_600_000, NOW)
        );
        let err = window(Some("now"), Some("-1h"), NOW).unwrap_err();
        assert!(
            err.starts_with("from: 2026-11-25 19:41:13 UTC is after"),
            "{err}"
        );
        assert!(window(Some("x"), None, NOW)
            .unwrap_err()
            .starts_with("from: "));
    }

    #[test]
    fn days_from_civil_inverts_civil_from_days() {
        for days in (0..200_000).step_by(37) {
            let (y, m, d) = crate::format::civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
