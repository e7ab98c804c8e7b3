//! Small statistics over a few timed rounds.

/// The median: the middle value, or the mean of the middle two.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// `a / b` as a ratio like `1.24×`.
pub fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}×", a / b)
}

/// `10000` as `10k`, for labels.
pub fn thousands(n: u64) -> String {
    if n >= 1000 && n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}
