//! The app's pages, read from the URL path: the one table both the server
//! and the browser use to pick the page, so they always render the same
//! one. A new page is a variant here and a folder in `pages/`.

use crate::wire::FlowKey;

#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    /// `/`: the live flows table.
    Flows,
    /// `/rules`: the ruleset with its counters.
    Rules,
    /// `/flow/{key}`: one flow on a page of its own.
    Flow(FlowKey),
    /// Any other path, or a page whose address is malformed; holds what
    /// is wrong, for the user.
    NotFound(String),
}

impl Route {
    /// The pages the navigation lists, in its order: path and name. A
    /// flow's page is reached from the flow, not from the navigation;
    /// `/findings` is rendered by the server alone, not by the app.
    pub const NAV: [(&'static str, &'static str); 3] = [
        ("/", "Flows"),
        ("/rules", "Rules"),
        ("/findings", "Findings"),
    ];

    pub fn parse(path: &str) -> Self {
        match path {
            "/" => return Self::Flows,
            "/rules" => return Self::Rules,
            _ => {}
        }
        match path.strip_prefix("/flow/") {
            Some(key) => key.parse().map_or_else(
                |e| Self::NotFound(format!("no such flow: {e}")),
                Self::Flow,
            ),
            None => Self::NotFound(format!("there is no page at {path}")),
        }
    }

    /// The path of the page; `None` for one that does not exist.
    pub fn href(&self) -> Option<String> {
        match self {
            Self::Flows => Some("/".to_owned()),
            Self::Rules => Some("/rules".to_owned()),
            Self::Flow(key) => Some(format!("/flow/{key}")),
            Self::NotFound(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "8f3a9c2e-4026532246-2681439936-9ad3c2b1-1795636926328000000";

    #[test]
    fn the_root_is_the_flows_table() {
        assert_eq!(Route::parse("/"), Route::Flows);
    }

    #[test]
    fn a_flow_page_round_trips_through_its_href() {
        let route = Route::parse(&format!("/flow/{KEY}"));
        assert_eq!(route, Route::Flow(KEY.parse().unwrap()));
        assert_eq!(route.href(), Some(format!("/flow/{KEY}")));
        assert_eq!(Route::parse(&route.href().unwrap()), route);
    }

    #[test]
    fn a_malformed_key_is_not_found_and_says_why() {
        let Route::NotFound(why) = Route::parse("/flow/12-x") else {
            panic!("a bad key must not be a page");
        };
        assert_eq!(
            why,
            "no such flow: flow key \"12-x\" must look like \
             BOOT-NETNS-ID-TUPLE-START"
        );
        let Route::NotFound(why) = Route::parse(&format!("/flow/{KEY}/x"))
        else {
            panic!("a key with a tail must not be a page");
        };
        assert!(why.starts_with("no such flow: flow key"), "{why}");
        assert!(matches!(Route::parse("/flow/"), Route::NotFound(_)));
    }

    #[test]
    fn other_paths_are_not_found() {
        for path in ["/flow", "/flows", "/no/such/page", "//", ""] {
            assert!(matches!(Route::parse(path), Route::NotFound(_)), "{path}");
        }
        assert_eq!(
            Route::parse("/nope"),
            Route::NotFound("there is no page at /nope".into())
        );
    }

    #[test]
    fn the_navigation_lists_pages_that_exist() {
        for (href, _) in &Route::NAV[..2] {
            assert_eq!(Route::parse(href).href().as_deref(), Some(*href));
        }
    }
}
