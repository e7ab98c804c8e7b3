//! `statistic` (`struct xt_statistic_info`): a random share of the
//! packets, or every nth one.

use std::fmt;

use super::info::Info;

/// `XT_STATISTIC_INVERT`.
pub const XT_STATISTIC_INVERT: u16 = 0x1;

/// The scale of a probability: `2^31` is certainty.
const CERTAIN: f64 = 2_147_483_648.0;

/// `enum xt_statistic_mode`, with the fields of its half of the union.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatisticMode {
    /// Matches when a random 31-bit number is below `probability`.
    Random { probability: u32 },
    /// Matches packet `packet` of every `every + 1`.
    Nth { every: u32, packet: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Statistic {
    pub mode: StatisticMode,
    pub flags: u16,
}

impl Statistic {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        let mode = match i.u16(0)? {
            0 => StatisticMode::Random {
                probability: i.u32(4)?,
            },
            1 => StatisticMode::Nth {
                every: i.u32(4)?,
                packet: i.u32(8)?,
            },
            _ => return None,
        };
        Some(Self {
            mode,
            flags: i.u16(2)?,
        })
    }

    pub fn inverted(&self) -> bool {
        self.flags & XT_STATISTIC_INVERT != 0
    }
}

/// `print_match` with the save options' prefix, which always names the
/// packet of `nth`.
impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = if self.inverted() { " !" } else { "" };
        match self.mode {
            StatisticMode::Random { probability } => {
                let share = f64::from(probability) / CERTAIN;
                write!(f, " --mode random{not} --probability {share:.11}")
            }
            StatisticMode::Nth { every, packet } => {
                // iptables prints the count in 32 bits, as the struct
                // holds it.
                let every = every.wrapping_add(1);
                write!(f, " --mode nth{not} --every {every} --packet {packet}")
            }
        }
    }
}
