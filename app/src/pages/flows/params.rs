//! The flows page's view as it lives in the URL: `q` (filter), `sort`,
//! `cols` (shown columns), `open` (the flow in the detail panel), and for
//! a history search `from`, `to` and `offset`. A copied URL reopens the
//! same view.

use super::columns::Column;
use crate::location::{form_urlencoded, query_pairs};
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
    /// The time window as written (`-1h`, `2026-12-01T20:00`); both
    /// empty for the live table.
    pub from: String,
    pub to: String,
    /// Flows of the search skipped before the page.
    pub offset: usize,
}

impl ViewParams {
    /// Reads the view from a query string; what is missing or wrong
    /// falls back to the default (a wrong filter is kept: the page shows
    /// why it is wrong).
    pub fn from_query(query: &str) -> Self {
        let mut view = Self {
            q: String::new(),
            sort: Sort::default(),
            cols: Column::ALL.to_vec(),
            open: None,
            from: String::new(),
            to: String::new(),
            offset: 0,
        };
        for (name, value) in query_pairs(query) {
            match name.as_str() {
                "q" => view.q = value,
                "sort" => view.sort = value.parse().unwrap_or_default(),
                "cols" => {
                    let cols = Column::parse_list(&value);
                    if !cols.is_empty() {
                        view.cols = cols;
                    }
                }
                "open" => view.open = value.parse().ok(),
                "from" => view.from = value,
                "to" => view.to = value,
                "offset" => view.offset = value.parse().unwrap_or(0),
                _ => {}
            }
        }
        view
    }

    /// Whether this is a search of the history rather than the live
    /// table.
    pub fn is_past(&self) -> bool {
        !self.from.is_empty() || !self.to.is_empty()
    }

    #[cfg(feature = "ssr")]
    pub fn filter(&self) -> Result<Filter, FilterError> {
        Filter::parse(&self.q)
    }

    /// The `q=..&sort=..` part the stream needs: the rows it sends are
    /// sorted on the server.
    #[cfg(feature = "hydrate")]
    pub fn stream_query(&self) -> String {
        let sort = self.sort.to_string();
        form_urlencoded(&[("q", self.q.as_str()), ("sort", &sort)])
    }

    /// The API URL that gives this view's flows as a file, `csv` or
    /// `json`, as many as one page of the API holds. A search of the
    /// history has one order only.
    pub fn export_href(&self, format: &str) -> String {
        let sort = match self.is_past() {
            true => String::new(),
            false => self.sort.to_string(),
        };
        let limit = crate::wire::MAX_PAGE_ROWS.to_string();
        let pairs: Vec<(&str, &str)> = [
            ("q", self.q.as_str()),
            ("sort", &sort),
            ("from", &self.from),
            ("to", &self.to),
            ("limit", &limit),
            ("format", format),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        format!("/api/flows?{}", form_urlencoded(&pairs))
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
        let offset = match self.offset {
            0 => String::new(),
            n => n.to_string(),
        };
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
            ("from", &self.from),
            ("to", &self.to),
            ("offset", &offset),
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
            from: "-1h".into(),
            to: "2026-12-01T20:00".into(),
            offset: 100,
        };
        let href = view.href();
        assert_eq!(
            href,
            "/?q=proto:tcp+dport:443+src:10.0.0.0/8&sort=-bytes&cols=proto,orig\
             &from=-1h&to=2026-12-01T20:00&offset=100"
        );
        let query = href.trim_start_matches("/?");
        assert_eq!(ViewParams::from_query(query), view);
    }
}
