//! HTTP Basic credentials, for scrapers of `GET /metrics` only: a
//! Prometheus `basic_auth` section names a user of the access file and
//! its password, as a browser would log in. Each scrape costs one
//! password check, with the logins' limits (one check at a time, waits
//! after wrong passwords); a scrape every 15 s is well within them.

use axum::http::header::{AUTHORIZATION, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::error::ApiError;
use crate::access::LoginRefused;

/// What a refusal of `/metrics` tells a client that may retry with
/// Basic credentials.
pub const CHALLENGE: &str = "Basic realm=\"nfscope\", charset=\"UTF-8\"";

/// The path that takes Basic credentials.
pub const PATH: &str = "/metrics";

pub struct Credentials {
    pub user: String,
    pub password: String,
}

/// The request's Basic credentials: `None` without any, an error for an
/// `Authorization: Basic` header that does not decode.
pub fn credentials(
    headers: &HeaderMap,
) -> Option<Result<Credentials, &'static str>> {
    let value = headers.get(AUTHORIZATION)?.as_bytes();
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"basic ") {
        return None;
    }
    let bad = "the Authorization header is not Basic base64(user:password)";
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim_ascii())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some(decoded) = decoded else {
        return Some(Err(bad));
    };
    Some(match decoded.split_once(':') {
        Some((user, password)) => Ok(Credentials {
            user: user.to_owned(),
            password: password.to_owned(),
        }),
        None => Err(bad),
    })
}

/// A refusal of `/metrics` that asks for credentials.
pub fn challenge(status: StatusCode, why: impl Into<String>) -> Response {
    let mut response = ApiError::new(status, why).into_response();
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(CHALLENGE));
    response
}

/// A password check refused before it ran: the status and the seconds
/// to wait, for the login form and the scrapers alike.
pub fn refused(refused: &LoginRefused) -> (StatusCode, u64) {
    match refused {
        LoginRefused::TooSoon { retry_after } => {
            (StatusCode::TOO_MANY_REQUESTS, retry_after.as_secs().max(1))
        }
        LoginRefused::InFlight => (StatusCode::TOO_MANY_REQUESTS, 1),
        LoginRefused::Busy => (StatusCode::SERVICE_UNAVAILABLE, 1),
    }
}

/// [`refused`] as an API answer.
pub fn refusal(why: &LoginRefused) -> Response {
    let (status, retry) = refused(why);
    let mut response = ApiError::new(status, why.to_string()).into_response();
    response.headers_mut().insert(RETRY_AFTER, retry.into());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(value: &str) -> Option<Result<(String, String), &'static str>> {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        credentials(&headers).map(|c| c.map(|c| (c.user, c.password)))
    }

    #[test]
    fn basic_credentials_decode_and_others_are_told_apart() {
        let pair = |u: &str, p: &str| Some(Ok((u.to_owned(), p.to_owned())));
        // "prom:s3:cr3t", the password holding a colon.
        assert_eq!(of("Basic cHJvbTpzMzpjcjN0"), pair("prom", "s3:cr3t"));
        assert_eq!(of("basic  cHJvbTpzMzpjcjN0 "), pair("prom", "s3:cr3t"));
        assert_eq!(of("Bearer abc"), None);
        assert_eq!(of("Basi"), None);
        assert!(matches!(of("Basic !!!"), Some(Err(_))));
        // "nocolon"
        assert!(matches!(of("Basic bm9jb2xvbg=="), Some(Err(_))));
        assert_eq!(credentials(&HeaderMap::new()).map(|_| ()), None);
    }
}
