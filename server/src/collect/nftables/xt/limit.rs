//! `limit` (`struct xt_rateinfo`): a token bucket, its rate given as
//! the average time between packets. iptables-nft writes a native
//! `limit` and reads it back into this struct.

use std::fmt;

use super::info::Info;

/// `XT_LIMIT_SCALE`: `avg` counts ten-thousandths of a second.
pub const XT_LIMIT_SCALE: u64 = 10_000;
/// `XT_LIMIT_BURST`: the burst iptables leaves out.
const XT_LIMIT_BURST: u32 = 5;

/// The units `print_rate` picks from, longest first.
const UNITS: [(u32, &str); 4] = [
    (XT_LIMIT_SCALE as u32 * 24 * 60 * 60, "day"),
    (XT_LIMIT_SCALE as u32 * 60 * 60, "hour"),
    (XT_LIMIT_SCALE as u32 * 60, "min"),
    (XT_LIMIT_SCALE as u32, "sec"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Average period between packets, in `1 / XT_LIMIT_SCALE` s.
    pub avg: u32,
    pub burst: u32,
}

impl Limit {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            avg: i.u32(0)?,
            burst: i.u32(4)?,
        })
    }

    /// The struct iptables makes of a native `limit` of `rate` packets
    /// per `unit` seconds; `None` for a rate of zero, which it would
    /// divide by.
    pub fn from_rate(rate: u64, unit: u64, burst: u32) -> Option<Self> {
        let avg = XT_LIMIT_SCALE.checked_mul(unit)?.checked_div(rate)?;
        Some(Self {
            avg: avg as u32,
            burst,
        })
    }
}

impl Limit {
    /// `print_rate`: `N/UNIT` in the longest unit the period still
    /// divides into at least as closely as the next one would; `inf`
    /// for no period.
    pub fn rate(&self) -> String {
        let p = self.avg;
        if p == 0 {
            return "inf".to_owned();
        }
        let mut at = UNITS.len();
        for (n, (mult, _)) in UNITS.iter().enumerate().skip(1) {
            if p > *mult || mult / p < mult % p {
                at = n;
                break;
            }
        }
        let (mult, name) = UNITS[at - 1];
        format!("{}/{name}", mult / p)
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " --limit {}", self.rate())?;
        if self.burst != XT_LIMIT_BURST {
            write!(f, " --limit-burst {}", self.burst)?;
        }
        Ok(())
    }
}
