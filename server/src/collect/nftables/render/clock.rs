//! Times of day and dates as nft prints `meta hour` and `meta time`:
//! the kernel compares them in UTC, nft shows them in the local time
//! zone of the machine that lists them, as this does.

use app::format::civil_from_days;

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
    let (y, m, d) = civil_from_days(days);
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

#[cfg(test)]
mod tests {
    #[test]
    fn days_since_the_epoch_are_dates() {
        use super::civil_from_days as civil;
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(18_068), (2019, 6, 21));
        assert_eq!(civil(-1), (1969, 12, 31));
        assert_eq!(civil(11_016), (2000, 2, 29));
    }
}
