//! How numbers and addresses read on the page.

pub use crate::wire::nat_endpoint as endpoint;

/// `1.2 MB`, `950 B`: three significant digits at most.
pub fn bytes(n: u64) -> String {
    scaled(n, &["B", "kB", "MB", "GB", "TB", "PB", "EB"])
}

/// `12k` for counts.
pub fn count(n: u64) -> String {
    scaled(n, &["", "k", "M", "G", "T", "P", "E"])
}

/// Integer arithmetic only: formatting a float would bring the float
/// printing code of `core` into the browser's wasm.
fn scaled(n: u64, units: &[&str; 7]) -> String {
    let sep = if units[0].is_empty() { "" } else { " " };
    let (mut unit, mut div) = (0, 1u64);
    while n / div >= 1000 {
        div *= 1000;
        unit += 1;
    }
    let name = units[unit];
    if unit == 0 {
        return format!("{n}{sep}{name}");
    }
    // `div` is at least 1000 here, so a tenth of it is exact; 64-bit
    // arithmetic, since 128-bit printing weighs on the wasm too.
    let tenths = n.saturating_add(div / 20) / (div / 10);
    if tenths < 100 {
        format!("{}.{}{sep}{name}", tenths / 10, tenths % 10)
    } else {
        format!("{}{sep}{name}", n.saturating_add(div / 2) / div)
    }
}

/// `45s`, `3m 12s`, `2h 05m`, `3d 04h`.
pub fn duration_secs(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m {:02}s", secs / 60, secs % 60),
        3600..86400 => format!("{}h {:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d {:02}h", secs / 86400, secs % 86400 / 3600),
    }
}

/// A Unix time in ms as `2026-11-25 19:41:13 UTC`.
pub fn utc_ms(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86400, secs % 86400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day), after Howard Hinnant's
/// `civil_from_days`.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(bytes(950), "950 B");
        assert_eq!(bytes(1234), "1.2 kB");
        assert_eq!(bytes(45_600_000), "46 MB");
        assert_eq!(count(12_345), "12k");
        assert_eq!(count(7), "7");
        assert_eq!(count(9_960), "10k");
        assert_eq!(bytes(u64::MAX), "18 EB");
    }

    #[test]
    fn durations() {
        assert_eq!(duration_secs(45), "45s");
        assert_eq!(duration_secs(192), "3m 12s");
        assert_eq!(duration_secs(7500), "2h 05m");
    }

    #[test]
    fn dates() {
        assert_eq!(utc_ms(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_ms(1_795_635_673_000), "2026-11-25 19:41:13 UTC");
    }
}
