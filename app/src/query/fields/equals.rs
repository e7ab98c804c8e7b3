//! Fields that hold when one number of the flow equals a value: `zone`,
//! `id` and `key` here, and `proto` through [`equals`].

use std::fmt;
use std::sync::Arc;

use super::number::number;
use super::{list, values, FlowFields, Item, Parsed, Test};
use crate::wire::FlowKey;

#[derive(Debug)]
struct Equals<T> {
    values: Vec<T>,
    read: fn(&dyn FlowFields) -> T,
}

impl<T> Test for Equals<T>
where
    T: PartialEq + fmt::Debug + fmt::Display + Send + Sync,
{
    fn matches(&self, flow: &dyn FlowFields) -> bool {
        self.values.contains(&(self.read)(flow))
    }
}

impl<T: fmt::Display> fmt::Display for Equals<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, &self.values)
    }
}

/// Parses the values with `one`, into a test of what `read` gets.
pub(super) fn equals<T>(
    items: &[Item],
    one: impl Fn(&str) -> Result<T, String>,
    read: fn(&dyn FlowFields) -> T,
) -> Parsed
where
    T: PartialEq + fmt::Debug + fmt::Display + Send + Sync + 'static,
{
    let values = values(items, one)?;
    Ok(Arc::new(Equals { values, read }))
}

pub(super) fn zone(items: &[Item]) -> Parsed {
    let one = |s: &str| {
        number::<u16>(s)
            .ok_or_else(|| format!("bad zone {s:?}; expected a number 0-65535"))
    };
    equals(items, one, |flow| flow.zone())
}

pub(super) fn id(items: &[Item]) -> Parsed {
    let one = |s: &str| {
        number::<u32>(s).ok_or_else(|| {
            format!("bad id {s:?}; expected a number 0-4294967295")
        })
    };
    equals(items, one, |flow| flow.id())
}

pub(super) fn key(items: &[Item]) -> Parsed {
    let one = |s: &str| s.parse::<FlowKey>().map_err(|e| e.to_string());
    equals(items, one, |flow| flow.key())
}

#[cfg(test)]
mod tests {
    use crate::testing::{error, filter, hits, tcp};

    #[test]
    fn zone_id_and_key() {
        let mut f = tcp("10.0.0.1", 4000, "10.0.0.2", 80);
        f.zone = 7;
        f.id = 0xdead_beef;
        let key = f.key.to_string();
        assert!(hits("zone:7", &f));
        assert!(hits("zone:0x7", &f));
        assert!(hits("zone:!0", &f));
        assert!(hits("zone:1,7", &f));
        assert!(hits("id:3735928559", &f));
        assert!(hits("id:0xDEADBEEF", &f));
        assert!(!hits("id:1", &f));
        assert!(hits(&format!("key:{key}"), &f));
        assert!(!hits(&format!("key:!{key}"), &f));
        assert!(!hits("key:00000001-2-3-00000004-5", &f));
        assert!(hits(&format!("key:00000001-2-3-00000004-5,{key}"), &f));
        assert_eq!(filter("zone:0x10 id:0x10").to_string(), "zone:16 id:16");

        let (at, reason) = error("zone:65536");
        assert_eq!(at, 5);
        assert_eq!(reason, "bad zone \"65536\"; expected a number 0-65535");
        let (at, reason) = error("id:4294967296");
        assert_eq!(at, 3);
        assert_eq!(
            reason,
            "bad id \"4294967296\"; expected a number 0-4294967295"
        );
        let (at, reason) = error("key:1-2");
        assert_eq!(at, 4);
        assert_eq!(
            reason,
            "flow key \"1-2\" must look like BOOT-NETNS-ID-TUPLE-START"
        );
    }
}
