//! `multiport` revision 1 (`struct xt_multiport_v1`): up to 15 ports or
//! ranges of the source, the destination, or either.

use std::fmt;

use super::info::Info;

/// `XT_MULTIPORTS`: the most ports (a range takes two).
const MAX: usize = 15;

/// `enum xt_multiport_flags`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Source,
    Destination,
    Either,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Multiport {
    pub which: Which,
    /// Single ports and ranges, in the order given.
    pub ports: Vec<[u16; 2]>,
    pub invert: bool,
}

impl Multiport {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        let which = match i.u8(0)? {
            0 => Which::Source,
            1 => Which::Destination,
            2 => Which::Either,
            _ => return None,
        };
        let count = usize::from(i.u8(1)?).min(MAX);
        let port = |n: usize| i.u16(2 + 2 * n);
        let is_range = |n: usize| i.u8(2 + 2 * MAX + n);
        let mut ports = Vec::new();
        let mut n = 0;
        // A range flag on a port makes it and the next one a range.
        while n < count {
            let lo = port(n)?;
            if is_range(n)? != 0 && n + 1 < MAX {
                ports.push([lo, port(n + 1)?]);
                n += 2;
            } else {
                ports.push([lo, lo]);
                n += 1;
            }
        }
        Some(Self {
            which,
            ports,
            invert: i.u8(2 + 3 * MAX)? != 0,
        })
    }
}

impl fmt::Display for Multiport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.invert {
            f.write_str(" !")?;
        }
        let word = match self.which {
            Which::Source => "sports",
            Which::Destination => "dports",
            Which::Either => "ports",
        };
        let list: Vec<String> = self
            .ports
            .iter()
            .map(|&[lo, hi]| match lo == hi {
                true => lo.to_string(),
                false => format!("{lo}:{hi}"),
            })
            .collect();
        write!(f, " --{word} {}", list.join(","))
    }
}
