//! A rule's recent rate as a line, ten minutes, one point per span: the
//! points, which the server draws (`document::sparkline`) and the
//! browser redraws in place.

use crate::format;
use crate::wire::ruleset::Counted;

#[derive(Clone, Copy)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Size {
    /// Read back from a line's `data-spark`: `"80 16"`.
    #[cfg(feature = "hydrate")]
    pub fn parse(s: &str) -> Option<Self> {
        let (w, h) = s.split_once(' ')?;
        Some(Self {
            width: w.parse().ok()?,
            height: h.parse().ok()?,
        })
    }
}

/// The polyline's points for `rates` (packets per second, oldest
/// first); none for a rule that counted nothing lately. Integer
/// coordinates: formatting floats would bring float printing into the
/// wasm.
pub fn points(rates: &[f32], size: Size) -> String {
    let max = rates.iter().copied().fold(0f32, f32::max);
    if max <= 0.0 {
        return String::new();
    }
    let last = rates.len().saturating_sub(1).max(1) as u32;
    let span = size.height.saturating_sub(2) as f32;
    rates
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            let x = i as u32 * size.width / last;
            let y = size.height - 1 - (r / max * span) as u32;
            format!("{x},{y}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `12k/s`: packets per second.
pub fn rate(c: &Counted) -> String {
    format!("{}/s", format::count(c.packets_per_sec as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_spans_the_box_and_peaks_at_the_top() {
        let size = Size {
            width: 10,
            height: 12,
        };
        assert_eq!(points(&[0.0, 5.0, 10.0], size), "0,11 5,6 10,1");
        assert_eq!(points(&[0.0, 0.0], size), "", "nothing to draw");
        assert_eq!(points(&[], size), "");
    }
}
