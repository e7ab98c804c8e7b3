//! Security headers on every answer. Pages get a Content-Security-Policy
//! that lets only their own scripts run: those carrying the nonce Leptos
//! makes for each answer (its hydration script, the theme script), and
//! what they import. Everything else (JSON, files) may run nothing.

use axum::extract::Request;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, HOST, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::use_nonce;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// Answers that are not pages run nothing and cannot be framed.
const NOT_A_PAGE: &str = "default-src 'none'; frame-ancestors 'none'";

pub async fn secure(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Nothing (a share token in a URL, say) leaks to other sites; within
    // nfscope, forms keep their Origin, which `no-referrer` turns into
    // `null` and the Origin check then refuses.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers
        .entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(NOT_A_PAGE));
    response
}

/// Sets the page's policy; called in the page's rendering context, where
/// Leptos has made the nonce. `bundle` is the path of the app's script.
pub fn set_page_policy(bundle: &str) {
    let (Some(nonce), Some(response)) =
        (use_nonce(), use_context::<ResponseOptions>())
    else {
        return;
    };
    let host = use_context::<Parts>().and_then(|parts| {
        Some(parts.headers.get(HOST)?.to_str().ok()?.to_owned())
    });
    let policy = page_policy(&nonce, host.as_deref(), bundle);
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// `host` is the request's, already checked against the allowed names.
fn page_policy(nonce: &str, host: Option<&str>, bundle: &str) -> String {
    // The nonced hydration script imports the bundle, and the nonce
    // carries over to imports. The preload link Leptos puts before it has
    // no nonce (Leptos writes it into `crossorigin`): the bundle is named
    // so that the preload is not refused, and nothing else is.
    let preload = host.map(|h| format!(" {h}{bundle}")).unwrap_or_default();
    // 'self' covers the page's WebSocket in CSP 3, but some Chromium
    // versions do not match ws: against it: the socket is named too.
    let socket = host
        .map(|h| format!(" ws://{h} wss://{h}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; \
         script-src 'nonce-{nonce}' 'wasm-unsafe-eval'{preload}; \
         style-src 'self' 'unsafe-inline'; \
         connect-src 'self'{socket}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_scripts_run_only_by_nonce() {
        let policy = page_policy("abc", Some("localhost:8080"), "/pkg/app.js");
        let script = policy
            .split("; ")
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        assert_eq!(
            script,
            "script-src 'nonce-abc' 'wasm-unsafe-eval' localhost:8080/pkg/app.js"
        );
        assert!(policy.contains("connect-src 'self' ws://localhost:8080 "));
        assert!(policy.ends_with("frame-ancestors 'none'"));
    }
}
