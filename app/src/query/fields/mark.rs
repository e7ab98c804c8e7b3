//! `mark`: the connection mark, or some of its bits.

use std::fmt;

use super::number::number;
use super::{any_of, FlowFields, Item, Parsed, Value};

/// `value/mask`; `value` is stored masked so that `0x13/0xf0` and
/// `0x10/0xf0`, which match the same flows, are equal.
#[derive(Clone, Copy, Debug)]
struct Mark {
    value: u32,
    mask: u32,
}

impl Mark {
    fn parse(text: &str) -> Result<Self, String> {
        let (value, mask) = match text.split_once('/') {
            Some((value, mask)) => (number::<u32>(value), number(mask)),
            None => (number(text), Some(u32::MAX)),
        };
        let (Some(value), Some(mask)) = (value, mask) else {
            return Err(format!(
                "bad mark {text:?}; expected a 32-bit number, decimal or 0x \
                 hex, optionally with a mask as in 0x10/0xf0"
            ));
        };
        Ok(Self {
            value: value & mask,
            mask,
        })
    }
}

impl Value for Mark {
    fn holds(&self, flow: &dyn FlowFields) -> bool {
        flow.mark() & self.mask == self.value
    }
}

impl fmt::Display for Mark {
    /// Plain marks in decimal as `conntrack -L` shows them; masks are bit
    /// patterns, so hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mask == u32::MAX {
            write!(f, "{}", self.value)
        } else {
            write!(f, "{:#x}/{:#x}", self.value, self.mask)
        }
    }
}

pub(super) fn parse(items: &[Item]) -> Parsed {
    any_of(items, Mark::parse)
}

#[cfg(test)]
mod tests {
    use crate::testing::{error, filter, hits, tcp};

    #[test]
    fn values_and_masks() {
        let mut f = tcp("10.0.0.1", 4000, "10.0.0.2", 80);
        assert!(hits("mark:0", &f));
        f.mark = 0x1234;
        assert!(hits("mark:4660", &f));
        assert!(hits("mark:0x1234", &f));
        assert!(hits("mark:0X1234", &f));
        assert!(!hits("mark:0x1235", &f));
        assert!(hits("mark:0x30/0xf0", &f));
        assert!(hits("mark:0x34/0xf0", &f));
        assert!(!hits("mark:0x20/0xf0", &f));
        assert!(hits("mark:0x1000/0xf000,7", &f));
        assert!(hits("mark:7/0", &f), "an empty mask matches every mark");
        assert!(hits("mark:!0", &f));
        assert!(hits("mark:0xffffffff/0", &f));
        assert_eq!(
            filter("mark:0x10,0x13/0xF0").to_string(),
            "mark:16,0x10/0xf0"
        );
        assert_eq!(filter("mark:0x13/0xf0"), filter("mark:0x10/0xf0"));
    }

    #[test]
    fn bad_marks() {
        for bad in ["x", "0x", "0xg", "0x100000000", "1/", "/1", "1/2/3", "-1"]
        {
            let (at, reason) = error(&format!("mark:{bad}"));
            assert_eq!(at, 5, "{bad}");
            assert!(
                reason.starts_with(&format!("bad mark {bad:?}")),
                "{reason}"
            );
        }
    }
}
