//! What `src`, `dst`, `host` and the port fields share: which of a flow's
//! addresses or ports they look at, and the test that any of their values
//! contains one of those.

use std::fmt;
use std::sync::Arc;

use super::{list, values, FlowFields, Item, Parsed, Test};
use crate::query::Endpoints;

/// `src` and `dst` fields look at the original direction, the one the
/// user knows; `host` and `port` at both directions, so they also find
/// what NAT rewrote.
#[derive(Clone, Copy, Debug)]
pub(super) enum Side {
    Src,
    Dst,
    Any,
}

/// A value that contains addresses or ports: a network, a port range.
pub(super) trait Span:
    fmt::Debug + fmt::Display + Send + Sync + 'static
{
    /// An address, or a port where the protocol may have none.
    type Point: Copy;

    fn src(ends: &Endpoints) -> Self::Point;
    fn dst(ends: &Endpoints) -> Self::Point;
    fn contains(&self, point: Self::Point) -> bool;
}

#[derive(Debug)]
struct OnSide<S> {
    side: Side,
    spans: Vec<S>,
}

impl<S: Span> Test for OnSide<S> {
    fn matches(&self, flow: &dyn FlowFields) -> bool {
        let orig = flow.orig();
        let hit = |point| self.spans.iter().any(|span| span.contains(point));
        match self.side {
            Side::Src => hit(S::src(&orig)),
            Side::Dst => hit(S::dst(&orig)),
            Side::Any => {
                let reply = flow.reply();
                [S::src(&orig), S::dst(&orig), S::src(&reply), S::dst(&reply)]
                    .into_iter()
                    .any(hit)
            }
        }
    }
}

impl<S: Span> fmt::Display for OnSide<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        list(f, &self.spans)
    }
}

/// Parses the values with `one`, into a test of `side`.
pub(super) fn on_side<S: Span>(
    items: &[Item],
    side: Side,
    one: impl Fn(&str) -> Result<S, String>,
) -> Parsed {
    let spans = values(items, one)?;
    Ok(Arc::new(OnSide { side, spans }))
}
