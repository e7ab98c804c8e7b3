//! Times, byte counts and rates, in the units nft picks: the largest
//! that divides the value.

/// Milliseconds as nft prints a timeout: `1h`, `2m30s`, `1d4h`, `500ms`.
pub fn duration(ms: u64) -> String {
    const PARTS: [(u64, &str); 5] = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
        (1, "ms"),
    ];
    if ms == 0 {
        return "0s".to_owned();
    }
    let mut rest = ms;
    let mut out = String::new();
    for (size, unit) in PARTS {
        if rest >= size {
            out += &format!("{}{unit}", rest / size);
            rest %= size;
        }
    }
    out
}

/// A byte count in the largest unit that divides it: `1 mbytes`.
pub fn bytes(n: u64) -> String {
    let (n, unit) = scaled(n);
    format!("{n} {unit}")
}

/// `n` divided by the largest power of 1024 that divides it, with the
/// unit's name.
pub fn scaled(mut n: u64) -> (u64, &'static str) {
    let mut unit = 0;
    // nft has no larger unit.
    const UNITS: [&str; 3] = ["bytes", "kbytes", "mbytes"];
    while n != 0 && n.is_multiple_of(1024) && unit + 1 < UNITS.len() {
        n /= 1024;
        unit += 1;
    }
    (n, UNITS[unit])
}

/// A rate's period in seconds, by name.
pub fn period(seconds: u64) -> String {
    match seconds {
        1 => "second".to_owned(),
        60 => "minute".to_owned(),
        3_600 => "hour".to_owned(),
        86_400 => "day".to_owned(),
        604_800 => "week".to_owned(),
        n => format!("[{n} seconds]"),
    }
}
