//! The identity of one conntrack entry for its whole life, and across its
//! death: permalinks are built from it.

use std::fmt;
use std::str::FromStr;

/// `CTA_ID` alone is reused by the kernel; with the entry's start time and
/// the network namespace it names one flow forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    /// Inode number of the network namespace the entry lives in.
    pub netns: u64,
    /// The kernel's `CTA_ID`.
    pub id: u32,
    /// Start of the entry in nanoseconds since the Unix epoch: the kernel's
    /// timestamp when `nf_conntrack_timestamp` is on, else first seen.
    pub start: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FlowKeyError {
    #[error("flow key {0:?} must look like NETNS-ID-START")]
    Shape(String),
    #[error("flow key {key:?}: {part} is not a number")]
    Number { key: String, part: &'static str },
}

impl fmt::Display for FlowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.netns, self.id, self.start)
    }
}

impl FromStr for FlowKey {
    type Err = FlowKeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split('-');
        let (Some(netns), Some(id), Some(start), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(FlowKeyError::Shape(s.to_owned()));
        };
        let number = |part: &'static str, text: &str| {
            text.parse::<u64>().map_err(|_| FlowKeyError::Number {
                key: s.to_owned(),
                part,
            })
        };
        let id = u32::try_from(number("id", id)?).map_err(|_| {
            FlowKeyError::Number {
                key: s.to_owned(),
                part: "id",
            }
        })?;
        Ok(Self {
            netns: number("netns", netns)?,
            id,
            start: number("start", start)?,
        })
    }
}

crate::wire::text::serde_as_text!(FlowKey);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn display_round_trips(netns: u64, id: u32, start: u64) {
            let key = FlowKey { netns, id, start };
            prop_assert_eq!(key.to_string().parse::<FlowKey>(), Ok(key));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC*") {
            let _ = text.parse::<FlowKey>();
        }
    }

    #[test]
    fn rejects_wrong_shapes() {
        assert!(matches!(
            "1-2".parse::<FlowKey>(),
            Err(FlowKeyError::Shape(_))
        ));
        assert!(matches!(
            "1-99999999999-3".parse::<FlowKey>(),
            Err(FlowKeyError::Number { part: "id", .. })
        ));
    }
}
