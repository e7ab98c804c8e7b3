//! Times of day and dates as nft prints `meta hour` and `meta time`:
//! the kernel compares them in UTC, nft shows them in the local time
//! zone of the machine that lists them, as this does.

/// Seconds east of UTC of the local time zone at `t` seconds since
/// the epoch.
fn utc_offset(t: i64) -> i64 {
    let t = t as libc::time_t;
    // SAFETY: `tm` is plain data the call fills; both pointers are
    // valid for the call.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return 0;
        }
        tm.tm_gmtoff as i64
    }
}

/// Seconds since midnight UTC, as local `"HH:MM"`, or `"HH:MM:SS"`
/// when the seconds are not zero. nft takes the offset of now.
pub fn hour(seconds: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let day = 86_400;
    let local = (seconds as i64 + utc_offset(now)).rem_euclid(day);
    let (h, m, s) = (local / 3600, local / 60 % 60, local % 60);
    if s == 0 {
        format!("\"{h:02}:{m:02}\"")
    } else {
        format!("\"{h:02}:{m:02}:{s:02}\"")
    }
}

/// Nanoseconds since the epoch as a local `"YYYY-MM-DD HH:MM:SS"`.
pub fn date(nanos: u64) -> String {
    let secs = (nanos / 1_000_000_000) as i64;
    let local = secs + utc_offset(secs);
    let (days, rest) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = civil(days);
    let (h, min, s) = (rest / 3600, rest / 60 % 60, rest % 60);
    format!("\"{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}\"")
}

/// The day of the week, as nft names it.
pub fn day(n: u128) -> Option<String> {
    const DAYS: [&str; 7] = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    let name = DAYS.get(usize::try_from(n).ok()?)?;
    Some(format!("\"{name}\""))
}

/// The Gregorian year, month and day of a count of days since
/// 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_since_the_epoch_are_dates() {
        assert_eq!(super::civil(0), (1970, 1, 1));
        assert_eq!(super::civil(18_068), (2019, 6, 21));
        assert_eq!(super::civil(-1), (1969, 12, 31));
        assert_eq!(super::civil(11_016), (2000, 2, 29));
    }
}
