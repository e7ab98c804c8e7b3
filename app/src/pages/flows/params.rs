//! The flows page's view as it lives in the URL: `q` (filter), `sort`,
//! `cols` (shown columns) and `open` (the flow in the detail panel). A
//! copied URL reopens the same view.

use leptos_router::params::ParamsMap;

use super::columns::Column;
use crate::query::Sort;
#[cfg(feature = "ssr")]
use crate::query::{Filter, FilterError};
use crate::wire::FlowKey;

#[derive(Clone, Debug, PartialEq)]
pub struct ViewParams {
    pub q: String,
    pub sort: Sort,
    pub cols: Vec<Column>,
    pub open: Option<FlowKey>,
}

impl ViewParams {
    pub fn from_query(map: &ParamsMap) -> Self {
        let get = |name| map.get(name).unwrap_or_default();
        let cols = map
            .get("cols")
            .map(|c| Column::parse_list(&c))
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| Column::ALL.to_vec());
        Self {
            q: get("q"),
            sort: get("sort").parse().unwrap_or_default(),
            cols,
            open: map.get("open").and_then(|k| k.parse().ok()),
        }
    }

    #[cfg(feature = "ssr")]
    pub fn filter(&self) -> Result<Filter, FilterError> {
        Filter::parse(&self.q)
    }

    /// The `q=..` part the stream needs. The page sorts by itself, so a new
    /// sort must not reopen the stream for a whole new snapshot.
    #[cfg(feature = "hydrate")]
    pub fn stream_query(&self) -> String {
        form_urlencoded(&[("q", self.q.as_str())])
    }

    /// The page URL for this view.
    pub fn href(&self) -> String {
        let sort = self.sort.to_string();
        let cols = if self.cols == Column::ALL {
            String::new()
        } else {
            Column::list(&self.cols)
        };
        let open = self.open.map(|k| k.to_string()).unwrap_or_default();
        let pairs: Vec<(&str, &str)> = [
            ("q", self.q.as_str()),
            (
                "sort",
                if self.sort == Sort::default() {
                    ""
                } else {
                    &sort
                },
            ),
            ("cols", &cols),
            ("open", &open),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        match form_urlencoded(&pairs) {
            q if q.is_empty() => "/".to_owned(),
            q => format!("/?{q}"),
        }
    }
}

fn form_urlencoded(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but unreserved characters and a few that
/// read well in a filter (`:`, `,`, `/`, `!`).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => out.push(b as char),
            b'-' | b'_' | b'.' | b'~' | b':' | b',' | b'/' | b'!' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn href_round_trips_through_query() {
        let view = ViewParams {
            q: "proto:tcp dport:443 src:10.0.0.0/8".into(),
            sort: "-bytes".parse().unwrap(),
            cols: vec![Column::Proto, Column::Orig],
            open: None,
        };
        let href = view.href();
        assert_eq!(
            href,
            "/?q=proto:tcp+dport:443+src:10.0.0.0/8&sort=-bytes&cols=proto,orig"
        );
        let map = ParamsMap::from_iter(
            href.trim_start_matches("/?").split('&').map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), v.replace('+', " "))
            }),
        );
        assert_eq!(ViewParams::from_query(&map), view);
    }
}
