//! The identity of one conntrack entry for its whole life, and across its
//! death and reboots: permalinks are built from it.
//!
//! `BOOT-NETNS-ID-TUPLE-START`, e.g.
//! `8f3a9c2e-4026531840-2681439936-9ad3c2b1-1795636926328000000`:
//!
//! - `BOOT` (8 hex digits): the first 32 bits of the kernel's random
//!   `boot_id`, so that a box whose clock restarts at the same time after
//!   every reboot (no RTC) never repeats a key;
//! - `NETNS`: the inode of the network namespace, unique within a boot;
//! - `ID`: conntrack's `CTA_ID`, a 32-bit hash the kernel may repeat;
//! - `TUPLE` (8 hex digits): a hash of the original tuple and zone, so
//!   that two live entries with the same id still differ, and so that the
//!   key alone finds the entry in the table;
//! - `START`: nanoseconds since the Unix epoch, the kernel's start
//!   timestamp when nfscope first saw the entry in a dump with
//!   `nf_conntrack_timestamp` on, else the time nfscope first saw it. It
//!   tells apart successive flows with the same id and tuple.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    /// The first 32 bits of `/proc/sys/kernel/random/boot_id`.
    pub boot: u32,
    /// Inode number of the network namespace the entry lives in.
    pub netns: u64,
    /// The kernel's `CTA_ID`.
    pub id: u32,
    /// Hash of the original tuple and zone (see the server's table).
    pub tuple: u32,
    /// Start of the entry in nanoseconds since the Unix epoch.
    pub start: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FlowKeyError {
    #[error("flow key {0:?} must look like BOOT-NETNS-ID-TUPLE-START")]
    Shape(String),
    #[error("flow key {key:?}: {part} is not {expected}")]
    Part {
        key: String,
        part: &'static str,
        expected: &'static str,
    },
}

impl fmt::Display for FlowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:08x}-{}-{}-{:08x}-{}",
            self.boot, self.netns, self.id, self.tuple, self.start
        )
    }
}

impl FromStr for FlowKey {
    type Err = FlowKeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split('-');
        let (Some(boot), Some(netns), Some(id), Some(tuple), Some(start), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(FlowKeyError::Shape(s.to_owned()));
        };
        let bad = |part, expected| FlowKeyError::Part {
            key: s.to_owned(),
            part,
            expected,
        };
        // `u64::from_str` takes a leading `+`; a key has one spelling.
        let decimal = |part, text: &str| {
            text.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| text.parse::<u64>().ok())
                .flatten()
                .ok_or_else(|| bad(part, "a decimal number"))
        };
        let hex = |part, text: &str| {
            (text.len() == 8 && text.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(text, 16).ok())
                .flatten()
                .ok_or_else(|| bad(part, "8 hex digits"))
        };
        Ok(Self {
            boot: hex("boot", boot)?,
            netns: decimal("netns", netns)?,
            id: u32::try_from(decimal("id", id)?)
                .map_err(|_| bad("id", "a 32-bit number"))?,
            tuple: hex("tuple", tuple)?,
            start: decimal("start", start)?,
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
        fn display_round_trips(
            boot: u32, netns: u64, id: u32, tuple: u32, start: u64,
        ) {
            let key = FlowKey { boot, netns, id, tuple, start };
            prop_assert_eq!(key.to_string().parse::<FlowKey>(), Ok(key));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC*") {
            let _ = text.parse::<FlowKey>();
        }
    }

    #[test]
    fn rejects_wrong_shapes() {
        let part = |text: &str| match text.parse::<FlowKey>() {
            Err(FlowKeyError::Part { part, .. }) => part,
            other => panic!("{text}: {other:?}"),
        };
        assert!(matches!(
            "1-2-3".parse::<FlowKey>(),
            Err(FlowKeyError::Shape(_))
        ));
        assert_eq!(part("0000000a-1-99999999999-0000000b-3"), "id");
        assert_eq!(part("0000000a-+1-2-0000000b-3"), "netns");
        assert_eq!(part("0000000a-1-2-0000000b-+3"), "start");
        assert_eq!(part("a-1-2-0000000b-3"), "boot");
        assert_eq!(part("0000000a-1-2-+000000b-3"), "tuple");
        assert_eq!(part("0000000a-1--0000000b-3"), "id");
    }

    #[test]
    fn readme_example_parses() {
        let key: FlowKey =
            "8f3a9c2e-4026531840-2681439936-9ad3c2b1-1795636926328000000"
                .parse()
                .unwrap();
        assert_eq!((key.boot, key.tuple), (0x8f3a_9c2e, 0x9ad3_c2b1));
        assert_eq!(key.start, 1_795_636_926_328_000_000);
    }
}
