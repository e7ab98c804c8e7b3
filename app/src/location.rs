//! The page URL, without a router: the path names the page (see
//! `routes`), and a page's whole view lives in the query string. The
//! server reads the URL from the request, the browser from
//! `window.location`, and a view change replaces the browser's entry, so
//! the address bar is always a shareable link. Links between pages are
//! plain links: each page loads in full.

/// The URL's path and query string (without the `?`).
pub fn current() -> (String, String) {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        let uri = use_context::<http::request::Parts>().map(|p| p.uri);
        uri.map(|u| {
            (
                u.path().to_owned(),
                u.query().unwrap_or_default().to_owned(),
            )
        })
        .unwrap_or_else(|| ("/".to_owned(), String::new()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let location = leptos::prelude::window().location();
        let search = location.search().unwrap_or_default();
        (
            location.pathname().unwrap_or_default(),
            search.trim_start_matches('?').to_owned(),
        )
    }
}

/// Shows `href` in the address bar without loading it.
#[cfg(feature = "hydrate")]
pub fn replace(href: &str) {
    if let Ok(history) = leptos::prelude::window().history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(href),
        );
    }
}

/// The `name=value` pairs of a query string, percent-decoded, `+` read as
/// a space.
pub fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|kv| !kv.is_empty()).map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (decode(k), decode(v))
    })
}

/// `name=value&…`, percent-encoded.
pub fn form_urlencoded(pairs: &[(&str, &str)]) -> String {
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

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = || {
            let digits = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            u8::from_str_radix(digits, 16).ok()
        };
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if hex().is_some() => {
                out.extend(hex());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_decoded() {
        let pairs: Vec<_> =
            query_pairs("q=dport:443+src:10.0.0.0%2F8&open=&x=%zz%E2%86%92")
                .collect();
        assert_eq!(
            pairs,
            [
                ("q".into(), "dport:443 src:10.0.0.0/8".into()),
                ("open".into(), String::new()),
                ("x".into(), "%zz→".into()),
            ]
        );
    }
}
