//! The few pages that need no app and no script: login, share links and
//! refusals. Plain HTML forms rendered here, so they work before (and
//! without) the wasm, and add nothing to it.

use std::fmt::Write;

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// These pages run nothing and post only to nfscope.
const POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                      form-action 'self'; base-uri 'none'; \
                      frame-ancestors 'none'";

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for text and attribute
/// values alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page around `body` (already HTML).
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    document(status, title, "", body)
}

/// A page that reloads itself every `secs`: live without a script.
pub fn refreshing(
    status: StatusCode,
    title: &str,
    secs: u32,
    body: &str,
) -> Response {
    let head = format!("<meta http-equiv=\"refresh\" content=\"{secs}\">");
    document(status, title, &head, body)
}

fn document(
    status: StatusCode,
    title: &str,
    head: &str,
    body: &str,
) -> Response {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">{head}\
         <meta name=\"viewport\" content=\"width=device-width, \
         initial-scale=1\"><title>{} · nfscope</title>\
         <link rel=\"stylesheet\" href=\"/pkg/nfscope.css\">\
         <link rel=\"icon\" href=\"/pkg/favicon.svg\"></head>\
         <body class=\"bg-white text-slate-900\">\
         <main class=\"mx-auto max-w-3xl p-4\">\
         <h1 class=\"mb-4 text-lg font-semibold\">{}</h1>{body}</main>\
         </body></html>",
        escape(title),
        escape(title),
    );
    (
        status,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CONTENT_SECURITY_POLICY, POLICY),
            (CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

/// A page that only says something: why a request was refused, say.
pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<p>{}</p><p class=\"mt-4\"><a class=\"text-sky-700 underline\" \
         href=\"/login\">Log in</a> · <a class=\"text-sky-700 underline\" \
         href=\"/\">Flows</a></p>",
        escape(text)
    );
    page(status, title, &body)
}

/// A hidden form field.
pub fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        escape(name),
        escape(value)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_values_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            hidden("next", "\"><script>"),
            "<input type=\"hidden\" name=\"next\" value=\"&quot;&gt;&lt;script&gt;\">"
        );
    }
}
