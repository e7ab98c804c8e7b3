//! Sessions and CSRF tokens. A session is a signed token in an HttpOnly,
//! SameSite=Strict cookie: the user's name and a random nonce, expiring
//! after [`SESSION_TTL`]. The user's role is read from the access file at
//! each request, so removing a user ends their sessions at the next
//! restart. A logout forgets the nonce until the token would have
//! expired. The CSRF token is a tag of the nonce: a page of another site
//! can neither read it nor guess it, and it dies with its session.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::signing::{random_id, Purpose, SigningKey, TokenError};

pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
pub const SESSION_COOKIE: &str = "nfscope_session";
/// The form field, and the header, that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// What the CSRF token is tied to when nfscope asks for no password: the
/// one session everybody shares.
const OPEN_NONCE: &str = "open";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user: String,
    pub nonce: String,
    #[serde(skip)]
    pub expires_ms: u64,
}

impl Session {
    pub fn new(user: &str, now_ms: u64) -> Self {
        Self {
            user: user.to_owned(),
            nonce: random_id(),
            expires_ms: now_ms + SESSION_TTL.as_millis() as u64,
        }
    }
}

/// Signs and opens session tokens, and remembers logouts.
pub struct Sessions {
    logged_out: Mutex<HashMap<String, u64>>,
}

impl Default for Sessions {
    fn default() -> Self {
        Self {
            logged_out: Mutex::new(HashMap::new()),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SessionError {
    #[error("the session cookie is not valid: {0}")]
    Token(#[from] TokenError),
    #[error("this session was logged out")]
    LoggedOut,
}

impl Sessions {
    pub fn token(&self, key: &SigningKey, session: &Session) -> String {
        key.sign(Purpose::Session, session.expires_ms, session)
    }

    pub fn open(
        &self,
        key: &SigningKey,
        token: &str,
        now_ms: u64,
    ) -> Result<Session, SessionError> {
        let (mut session, expires_ms): (Session, u64) =
            key.open(Purpose::Session, token, now_ms)?;
        let logged_out = self.logged_out.lock().expect("logouts");
        if logged_out.contains_key(&session.nonce) {
            return Err(SessionError::LoggedOut);
        }
        session.expires_ms = expires_ms;
        Ok(session)
    }

    pub fn log_out(&self, session: &Session, now_ms: u64) {
        let mut logged_out = self.logged_out.lock().expect("logouts");
        logged_out.retain(|_, until| *until > now_ms);
        logged_out.insert(session.nonce.clone(), session.expires_ms);
    }
}

/// The CSRF token of a session, or of everyone when `None`.
pub fn csrf_token(key: &SigningKey, session: Option<&Session>) -> String {
    let nonce = session.map_or(OPEN_NONCE, |s| s.nonce.as_str());
    URL_SAFE_NO_PAD.encode(key.tag(&[b"csrf", nonce.as_bytes()]))
}

pub fn csrf_matches(
    key: &SigningKey,
    session: Option<&Session>,
    given: &str,
) -> bool {
    let nonce = session.map_or(OPEN_NONCE, |s| s.nonce.as_str());
    URL_SAFE_NO_PAD
        .decode(given)
        .is_ok_and(|tag| key.verify_tag(&[b"csrf", nonce.as_bytes()], &tag))
}

/// The value of cookie `name` in the request's `Cookie` headers. A header
/// that is not text, or a pair without `=`, is skipped as browsers do.
pub fn cookie<'a>(
    headers: &'a axum::http::HeaderMap,
    name: &str,
) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim_matches('"'))
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Strict always; `max_age`
/// zero removes the cookie.
pub fn set_cookie(name: &str, value: &str, path: &str, max_age: u64) -> String {
    format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; \
         SameSite=Strict"
    )
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::*;

    const NOW: u64 = 1_800_000_000_000;

    #[test]
    fn a_session_opens_until_it_is_logged_out_or_expires() {
        let key = SigningKey::random();
        let sessions = Sessions::default();
        let session = Session::new("alice", NOW);
        let token = sessions.token(&key, &session);
        let opened = sessions.open(&key, &token, NOW + 1).unwrap();
        assert_eq!(opened, session);
        let late = NOW + SESSION_TTL.as_millis() as u64;
        assert!(matches!(
            sessions.open(&key, &token, late),
            Err(SessionError::Token(TokenError::Expired { .. }))
        ));
        sessions.log_out(&opened, NOW + 2);
        assert_eq!(
            sessions.open(&key, &token, NOW + 3),
            Err(SessionError::LoggedOut)
        );
        let share = key.sign(Purpose::Share, NOW + 1000, &session);
        assert_eq!(
            sessions.open(&key, &share, NOW),
            Err(SessionError::Token(TokenError::Purpose("session")))
        );
    }

    #[test]
    fn csrf_tokens_are_tied_to_their_session() {
        let key = SigningKey::random();
        let a = Session::new("alice", NOW);
        let b = Session::new("alice", NOW);
        let token = csrf_token(&key, Some(&a));
        assert!(csrf_matches(&key, Some(&a), &token));
        assert!(!csrf_matches(&key, Some(&b), &token));
        assert!(!csrf_matches(&key, None, &token));
        assert!(csrf_matches(&key, None, &csrf_token(&key, None)));
        for bad in ["", "!!", "AAAA", &token[1..]] {
            assert!(!csrf_matches(&key, Some(&a), bad), "{bad:?}");
        }
    }

    #[test]
    fn cookies_are_found_among_others_and_bad_ones_skipped() {
        let mut headers = HeaderMap::new();
        let cookies = [
            "theme=dark; nfscope_session=abc.def",
            "junk",
            "x=\"quoted\"",
        ];
        for c in cookies {
            headers.append("cookie", HeaderValue::from_static(c));
        }
        headers.append("cookie", HeaderValue::from_bytes(b"\xff=1").unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc.def"));
        assert_eq!(cookie(&headers, "x"), Some("quoted"));
        assert_eq!(cookie(&headers, "junk"), None);
        assert_eq!(cookie(&HeaderMap::new(), SESSION_COOKIE), None);
    }

    #[test]
    fn cookies_are_set_http_only_and_strict() {
        let value = set_cookie(SESSION_COOKIE, "t", "/", 60);
        assert_eq!(
            value,
            "nfscope_session=t; Path=/; Max-Age=60; HttpOnly; SameSite=Strict"
        );
    }
}
