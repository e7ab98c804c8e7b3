//! The fields of the filter language, a file each: how a field reads its
//! values and tests a flow with them. A new field is a file here and a
//! line in [`FIELDS`].

mod addr;
mod equals;
mod mark;
mod nat;
mod number;
mod port;
mod proto;
mod side;
mod state;
mod status;

use std::fmt;
use std::sync::Arc;

use super::FlowFields;

/// One value of a term's comma list, and the byte offset it starts at.
pub(super) type Item<'a> = (usize, &'a str);

/// A reason with the byte offset it is about.
pub(super) type Located = (usize, String);

/// What a field makes of its values.
pub(super) type Parsed = Result<Arc<dyn Test>, Located>;

/// The parsed values of one term. `Display` prints them in the canonical
/// form, comma separated, that parses back to an equal test.
pub(super) trait Test: fmt::Debug + fmt::Display + Send + Sync {
    /// Whether any of the values holds: the term without its `!`.
    fn matches(&self, flow: &dyn FlowFields) -> bool;
}

/// A field name and the parser of its values; `items` are never empty
/// and none of them is.
#[derive(Debug)]
pub(super) struct Field {
    pub name: &'static str,
    pub parse: fn(items: &[Item]) -> Parsed,
}

impl Field {
    const fn new(name: &'static str, parse: fn(&[Item]) -> Parsed) -> Self {
        Self { name, parse }
    }
}

/// Every field, in the order help texts list them.
pub(super) const FIELDS: &[Field] = &[
    Field::new("proto", proto::parse),
    Field::new("src", addr::src),
    Field::new("dst", addr::dst),
    Field::new("host", addr::host),
    Field::new("sport", port::sport),
    Field::new("dport", port::dport),
    Field::new("port", port::port),
    Field::new("nat", nat::parse),
    Field::new("state", state::parse),
    Field::new("status", status::parse),
    Field::new("mark", mark::parse),
    Field::new("zone", equals::zone),
    Field::new("id", equals::id),
    Field::new("key", equals::key),
];

/// The field called `name`, in any case.
pub(super) fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// A value that tests a flow on its own.
trait Value: fmt::Debug + fmt::Display + Send + Sync + 'static {
    fn holds(&self, flow: &dyn FlowFields) -> bool;
}

/// A list of [`Value`]s: holds when any of them does.
#[derive(Debug)]
struct AnyOf<V>(Vec<V>);

impl<V: Value> Test for AnyOf<V> {
    fn matches(&self, flow: &dyn FlowFields) -> bool {
        self.0.iter().any(|value| value.holds(flow))
    }
}

impl<V: Value> fmt::Display for AnyOf<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, &self.0)
    }
}

fn any_of<V: Value>(
    items: &[Item],
    one: impl Fn(&str) -> Result<V, String>,
) -> Parsed {
    Ok(Arc::new(AnyOf(values(items, one)?)))
}

/// Parses every item with `one`, blaming the first bad one.
fn values<T>(
    items: &[Item],
    one: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, Located> {
    items
        .iter()
        .map(|&(at, item)| one(item).map_err(|reason| (at, reason)))
        .collect()
}

/// Writes `items` comma separated.
fn list<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    items: impl IntoIterator<Item = T>,
) -> fmt::Result {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}
