//! Which names the server answers to. A web page on any site can point a
//! WebSocket at 127.0.0.1, or rebind its own DNS name to it and then read
//! the API as same-origin; both carry the attacker's name, in `Origin` or
//! in `Host`. So every request must name an allowed host, and a WebSocket
//! opened by a page must come from one.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::uri::{Authority, Uri};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// A name the server answers to, with its port or any port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedHost {
    /// Lowercase; IPv6 addresses in brackets, as in a `Host` header.
    name: String,
    port: Option<u16>,
}

impl FromStr for AllowedHost {
    type Err = String;

    /// `NAME` (any port) or `NAME:PORT`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (name, port) = authority(text).ok_or_else(|| {
            format!("{text:?} is not a host name or address, with an optional :PORT")
        })?;
        Ok(Self { name, port })
    }
}

impl fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// The names of the loopback interface and the listen address, on the
/// listen port, and those given with `--allow-host`.
#[derive(Debug)]
pub struct AllowedHosts {
    hosts: Vec<AllowedHost>,
}

impl AllowedHosts {
    pub fn new(listen: SocketAddr, extra: &[AllowedHost]) -> Self {
        let port = Some(listen.port());
        let mut hosts: Vec<AllowedHost> = ["localhost", "127.0.0.1", "[::1]"]
            .into_iter()
            .map(|name| AllowedHost {
                name: name.to_owned(),
                port,
            })
            .collect();
        // An unspecified address (0.0.0.0) is no name a client can use.
        let name = match listen.ip() {
            ip if ip.is_unspecified() => None,
            IpAddr::V4(ip) => Some(ip.to_string()),
            IpAddr::V6(ip) => Some(format!("[{ip}]")),
        };
        let own = name.map(|name| AllowedHost { name, port });
        for host in own.into_iter().chain(extra.iter().cloned()) {
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        Self { hosts }
    }

    fn allows(&self, name: &str, port: u16) -> bool {
        self.hosts
            .iter()
            .any(|h| h.name == name && h.port.is_none_or(|p| p == port))
    }

    /// `Host` must name an allowed host; a missing or garbled one is a bad
    /// request.
    pub fn check_host(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(value) = headers.get(HOST) else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "the request has no Host header",
            ));
        };
        let text = String::from_utf8_lossy(value.as_bytes());
        let Some((name, port)) = authority(&text) else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("Host header {text:?} is not a host name or address"),
            ));
        };
        let port = port.unwrap_or(80);
        if self.allows(&name, port) {
            return Ok(());
        }
        Err(self.refuse("host", &text, &format!("{name}:{port}")))
    }

    /// A browser names the page that opens a WebSocket in `Origin`; it
    /// must be one of ours. Clients that are not browsers send none.
    pub fn check_origin(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(value) = headers.get(ORIGIN) else {
            return Ok(());
        };
        let text = String::from_utf8_lossy(value.as_bytes());
        let site = Uri::from_str(&text).ok().and_then(|uri| {
            let default = match uri.scheme_str()? {
                "http" => 80,
                "https" => 443,
                _ => return None,
            };
            let (name, port) = authority(uri.authority()?.as_str())?;
            Some((name, port.unwrap_or(default)))
        });
        match site {
            Some((name, port)) if self.allows(&name, port) => Ok(()),
            Some((name, port)) => {
                Err(self.refuse("origin", &text, &format!("{name}:{port}")))
            }
            None => Err(self.refuse("origin", &text, "NAME[:PORT]")),
        }
    }

    fn refuse(&self, what: &str, value: &str, allow: &str) -> ApiError {
        let allowed: Vec<String> =
            self.hosts.iter().map(ToString::to_string).collect();
        ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "{what} {value:?} is not allowed: nfscope answers to {}; \
                 start it with --allow-host {allow} (or NFSCOPE_ALLOW_HOST) \
                 to allow it",
                allowed.join(", ")
            ),
        )
    }
}

/// Refuses requests whose `Host` is not allowed.
pub async fn check_host(
    State(hosts): State<Arc<AllowedHosts>>,
    req: Request,
    next: Next,
) -> Response {
    match hosts.check_host(req.headers()) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// The lowercase name and the port of `NAME[:PORT]`, if it is one.
fn authority(text: &str) -> Option<(String, Option<u16>)> {
    let parsed = Authority::from_str(text).ok()?;
    // An authority may carry `user@`; a host name never does.
    // `port()` is `None` both without a port and for one out of range.
    let has_port = parsed.as_str().len() > parsed.host().len();
    let bad_port = has_port && parsed.port_u16().is_none();
    if parsed.as_str().contains('@') || parsed.host().is_empty() || bad_port {
        return None;
    }
    Some((parsed.host().to_ascii_lowercase(), parsed.port_u16()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn hosts(extra: &[&str]) -> AllowedHosts {
        let extra: Vec<AllowedHost> =
            extra.iter().map(|h| h.parse().unwrap()).collect();
        AllowedHosts::new("127.0.0.1:8080".parse().unwrap(), &extra)
    }

    fn with(name: axum::http::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers
    }

    fn host(hosts: &AllowedHosts, value: &str) -> Result<(), StatusCode> {
        hosts.check_host(&with(HOST, value)).map_err(|e| {
            assert!(e.message().contains(value), "{}", e.message());
            e.into_response().status()
        })
    }

    #[test]
    fn loopback_names_on_the_listen_port_are_allowed() {
        let h = hosts(&[]);
        for ok in ["localhost:8080", "LOCALHOST:8080", "127.0.0.1:8080"] {
            assert_eq!(host(&h, ok), Ok(()), "{ok}");
        }
        assert_eq!(host(&h, "[::1]:8080"), Ok(()));
        assert_eq!(host(&h, "localhost:8081"), Err(StatusCode::FORBIDDEN));
        assert_eq!(host(&h, "localhost"), Err(StatusCode::FORBIDDEN));
    }

    #[test]
    fn a_rebound_name_is_refused_with_the_way_to_allow_it() {
        let err = hosts(&[]).check_host(&with(HOST, "evil.example:8080"));
        let message = err.unwrap_err().message().to_owned();
        assert!(message.contains("\"evil.example:8080\""), "{message}");
        assert!(message.contains("--allow-host evil.example:8080"));
        assert!(message.contains("localhost:8080"), "{message}");
    }

    #[test]
    fn allowed_names_with_or_without_a_port() {
        let h = hosts(&["nas.lan", "Router.lan:9000"]);
        assert_eq!(host(&h, "nas.lan:8080"), Ok(()));
        assert_eq!(host(&h, "nas.lan"), Ok(()));
        assert_eq!(host(&h, "router.lan:9000"), Ok(()));
        assert_eq!(host(&h, "router.lan:8080"), Err(StatusCode::FORBIDDEN));
    }

    #[test]
    fn the_listen_address_is_allowed_unless_unspecified() {
        let lan = AllowedHosts::new("192.168.1.5:80".parse().unwrap(), &[]);
        assert_eq!(host(&lan, "192.168.1.5"), Ok(()));
        let any = AllowedHosts::new("0.0.0.0:8080".parse().unwrap(), &[]);
        assert_eq!(host(&any, "0.0.0.0:8080"), Err(StatusCode::FORBIDDEN));
    }

    #[test]
    fn missing_or_garbled_host_is_a_bad_request() {
        let h = hosts(&[]);
        let err = h.check_host(&HeaderMap::new()).unwrap_err();
        assert_eq!(err.into_response().status(), StatusCode::BAD_REQUEST);
        for bad in ["a b", "user@localhost:8080", "localhost:99999"] {
            assert_eq!(host(&h, bad), Err(StatusCode::BAD_REQUEST), "{bad}");
        }
    }

    #[test]
    fn origins() {
        let h = hosts(&["nas.lan"]);
        let origin = |v: &str| h.check_origin(&with(ORIGIN, v)).is_ok();
        assert!(h.check_origin(&HeaderMap::new()).is_ok());
        assert!(origin("http://localhost:8080"));
        assert!(origin("https://nas.lan"));
        assert!(!origin("http://localhost"));
        assert!(!origin("http://evil.example:8080"));
        assert!(!origin("null"));
        assert!(!origin("file://"));
        let err = h.check_origin(&with(ORIGIN, "https://evil.example"));
        let message = err.unwrap_err().message().to_owned();
        assert!(
            message.contains("--allow-host evil.example:443"),
            "{message}"
        );
    }

    #[test]
    fn flag_values() {
        assert_eq!(
            "NAS.lan:81".parse::<AllowedHost>().unwrap().to_string(),
            "nas.lan:81"
        );
        assert!("[::1]".parse::<AllowedHost>().is_ok());
        assert!("a/b".parse::<AllowedHost>().is_err());
        assert!("".parse::<AllowedHost>().is_err());
    }
}
