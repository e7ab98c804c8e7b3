//! Who is asking: the peer's address, or, when the peer is a proxy named
//! with `--trusted-proxy`, the address it says it forwards for
//! (`Forwarded: for=`, else `X-Forwarded-For`). Hops are read from the
//! nearest one back, and the first address that is not a trusted proxy
//! is the client: what a client writes into these headers itself is
//! never believed. From any other peer the headers are ignored.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::http::{HeaderMap, StatusCode};

use app::query::Cidr;

use super::error::ApiError;

const FORWARDED: &str = "forwarded";
const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The client's address, in the request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    pub fn new(proxies: Vec<Cidr>) -> Self {
        Self(proxies)
    }

    fn trusts(&self, addr: IpAddr) -> bool {
        let addr = unmapped(addr);
        self.0.iter().any(|cidr| cidr.contains(addr))
    }

    /// The client behind `peer` (unknown in tests that call the router
    /// directly: 0.0.0.0). A trusted proxy's header that does not parse
    /// is a bad request.
    pub fn client(
        &self,
        peer: Option<SocketAddr>,
        headers: &HeaderMap,
    ) -> Result<IpAddr, ApiError> {
        let Some(peer) = peer.map(|p| unmapped(p.ip())) else {
            return Ok(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        };
        if !self.trusts(peer) {
            return Ok(peer);
        }
        let hops = if headers.contains_key(FORWARDED) {
            hops(headers, FORWARDED, forwarded_for)?
        } else {
            hops(headers, X_FORWARDED_FOR, |v| parse_addr(v).map(Some))?
        };
        let mut client = peer;
        // Nearest first; a hop that names no address ends what is known.
        for hop in hops.into_iter().rev() {
            let Some(addr) = hop else { break };
            client = addr;
            if !self.trusts(addr) {
                break;
            }
        }
        Ok(client)
    }
}

/// The comma-separated values of every `name` header, in order.
fn hops(
    headers: &HeaderMap,
    name: &str,
    parse: impl Fn(&str) -> Option<Option<IpAddr>>,
) -> Result<Vec<Option<IpAddr>>, ApiError> {
    let mut out = Vec::new();
    for value in headers.get_all(name) {
        let bad = || {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "{name} header {:?} from a trusted proxy does not name \
                     addresses",
                    String::from_utf8_lossy(value.as_bytes())
                ),
            )
        };
        let text = value.to_str().map_err(|_| bad())?;
        for part in text.split(',') {
            out.push(parse(part.trim()).ok_or_else(bad)?);
        }
    }
    Ok(out)
}

/// The `for=` of one `Forwarded` element: `Some(None)` for a hop that
/// hides its address (`unknown`, `_name`), `None` when it does not parse.
fn forwarded_for(element: &str) -> Option<Option<IpAddr>> {
    let value = element.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        name.eq_ignore_ascii_case("for")
            .then_some(value.trim_matches('"'))
    })?;
    if value == "unknown" || value.starts_with('_') {
        return Some(None);
    }
    parse_addr(value).map(Some)
}

/// `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1` or `[2001:db8::1]:80`.
fn parse_addr(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            let inner = text.strip_prefix('[')?.strip_suffix(']')?;
            inner.parse().ok()
        })
        .map(unmapped)
}

/// An IPv4 client of a dual-stack socket arrives as `::ffff:a.b.c.d`.
fn unmapped(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn proxies() -> TrustedProxies {
        TrustedProxies::new(vec![
            "10.0.0.0/8".parse().unwrap(),
            "fd00::/8".parse().unwrap(),
        ])
    }

    fn client(peer: &str, headers: &[(&str, &str)]) -> Result<String, u16> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        proxies()
            .client(Some(peer.parse().unwrap()), &map)
            .map(|a| a.to_string())
            .map_err(|e| {
                use axum::response::IntoResponse;
                e.into_response().status().as_u16()
            })
    }

    #[test]
    fn headers_count_only_from_trusted_proxies() {
        let xff = [("x-forwarded-for", "203.0.113.9")];
        assert_eq!(
            client("198.51.100.1:5000", &xff),
            Ok("198.51.100.1".into())
        );
        assert_eq!(client("10.1.1.1:5000", &xff), Ok("203.0.113.9".into()));
        assert_eq!(client("10.1.1.1:5000", &[]), Ok("10.1.1.1".into()));
        assert_eq!(
            client("[::ffff:10.1.1.1]:5000", &xff),
            Ok("203.0.113.9".into())
        );
    }

    #[test]
    fn the_first_untrusted_hop_from_the_nearest_is_the_client() {
        // The client wrote 1.1.1.1 itself; 203.0.113.9 is who reached the
        // outer proxy 10.2.2.2.
        let xff = [("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.2.2.2")];
        assert_eq!(client("10.1.1.1:1", &xff), Ok("203.0.113.9".into()));
        let split = [
            ("x-forwarded-for", "1.1.1.1, 203.0.113.9"),
            ("x-forwarded-for", "10.2.2.2"),
        ];
        assert_eq!(client("10.1.1.1:1", &split), Ok("203.0.113.9".into()));
        let all_trusted = [("x-forwarded-for", "10.3.3.3, 10.2.2.2")];
        assert_eq!(client("10.1.1.1:1", &all_trusted), Ok("10.3.3.3".into()));
    }

    #[test]
    fn forwarded_wins_over_x_forwarded_for() {
        let headers = [
            (
                "forwarded",
                "for=1.1.1.1, for=\"[2001:db8::7]:4711\";proto=https",
            ),
            ("x-forwarded-for", "9.9.9.9"),
        ];
        assert_eq!(client("10.1.1.1:1", &headers), Ok("2001:db8::7".into()));
        let hidden = [("forwarded", "for=198.51.100.3, for=unknown")];
        assert_eq!(client("10.1.1.1:1", &hidden), Ok("10.1.1.1".into()));
        let proto_only = [("forwarded", "proto=https")];
        assert_eq!(client("10.1.1.1:1", &proto_only), Err(400));
    }

    #[test]
    fn garbage_from_a_trusted_proxy_is_a_bad_request() {
        for bad in ["", "not-an-ip", "1.2.3.4, ", "1.2.3.4:99999"] {
            let xff = [("x-forwarded-for", bad)];
            assert_eq!(client("10.1.1.1:1", &xff), Err(400), "{bad:?}");
            // Untrusted peers' headers are not even read.
            assert!(client("192.0.2.1:1", &xff).is_ok(), "{bad:?}");
        }
    }
}
