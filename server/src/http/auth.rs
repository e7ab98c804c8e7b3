//! The access check in front of every route (see `crate::access` for the
//! model). What a request needs is told by its method and path alone,
//! before routing, so that a route added later is covered too: a GET or
//! HEAD reads, any other method changes something and needs an admin, a
//! writable nfscope, an `Origin` of ours (when the client names one) and
//! the session's CSRF token. A few paths differ: the login page and the
//! static files need nothing, the share-link list needs an admin, logging
//! out needs a session.
//!
//! A `share=` token in the query is judged alone, whoever sends it: it
//! opens its flow's page and `GET /api/flows/{key}`, and nothing else.
//! The page leaves the token in a cookie for the live stream of that one
//! flow (`/api/ws?q=key:KEY`), which is all the page's script asks for.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::wire::FlowKey;

use super::basic;
use super::client::{ClientAddr, TrustedProxies};
use super::error::ApiError;
use super::guard::AllowedHosts;
use super::html;
use crate::access::{
    cookie, csrf_matches, set_cookie, Access, AccessFile, Plan, Role, Session,
    CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE,
};
use crate::state::now_ms;

/// Holds a share token for the live stream of its flow's page.
pub const SHARE_COOKIE: &str = "nfscope_share";
/// Largest form a change may post (its CSRF field is read from it).
pub const FORM_LIMIT: usize = 16 << 10;

/// Who a request comes from, in its extensions once it is let through.
#[derive(Clone, Debug)]
pub enum Visitor {
    /// nfscope asks for no password: everyone may do what the mode
    /// allows.
    Everyone,
    User {
        session: Session,
        role: Role,
    },
    /// A share link: this flow only.
    Share {
        key: FlowKey,
    },
}

impl Visitor {
    pub fn session(&self) -> Option<&Session> {
        match self {
            Self::User { session, .. } => Some(session),
            _ => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Self::Everyone => Some(Role::Admin),
            Self::User { role, .. } => Some(*role),
            Self::Share { .. } => None,
        }
    }

    /// For logs and for who made a share link.
    pub fn name(&self) -> &str {
        match self {
            Self::Everyone => "anyone",
            Self::User { session, .. } => &session.user,
            Self::Share { .. } => "a share link",
        }
    }
}

/// What a request needs, by its method and path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Nothing,
    Reader,
    /// Reads only an admin may see.
    AdminReader,
    /// Logging out: a session and its CSRF token.
    Session,
    /// A change: an admin, a writable nfscope and the CSRF token.
    Change,
}

impl Need {
    pub fn of(method: &Method, path: &str) -> Self {
        let reads = is_read(method);
        match path {
            "/login" => Self::Nothing,
            "/logout" => Self::Session,
            p if reads && p.starts_with("/pkg/") => Self::Nothing,
            "/api/shares" | "/shares" if reads => Self::AdminReader,
            _ if reads => Self::Reader,
            _ => Self::Change,
        }
    }
}

fn is_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
}

/// What the check needs to know.
pub struct Gate {
    pub access: Arc<Access>,
    pub hosts: Arc<AllowedHosts>,
    pub proxies: TrustedProxies,
}

pub async fn check(
    State(gate): State<Arc<Gate>>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let client = match gate.proxies.client(peer, req.headers()) {
        Ok(client) => client,
        Err(e) => return e.into_response(),
    };
    req.extensions_mut().insert(ClientAddr(client));
    let need = Need::of(req.method(), &path);
    let reads = is_read(req.method());
    if !reads {
        if let Err(e) = gate.hosts.check_origin(req.headers()) {
            return refuse(&path, StatusCode::FORBIDDEN, e.message());
        }
    }
    if need == Need::Nothing {
        return next.run(req).await;
    }
    let query = match Query::parse(req.uri().query()) {
        Ok(query) => query,
        Err(why) => return refuse(&path, StatusCode::BAD_REQUEST, why),
    };
    let now = now_ms();
    if let Some(token) = query.get("share") {
        return gate
            .by_share_link(req, next, &path, &query, token, now)
            .await;
    }
    // A scraper of `/metrics` may log in with each request.
    let scraped = match &gate.access.plan {
        Plan::Passwords { users, .. } if reads && path == basic::PATH => {
            Some(users)
        }
        _ => None,
    };
    if let (Some(users), Some(credentials)) =
        (scraped, basic::credentials(req.headers()))
    {
        return gate
            .by_password(req, next, users, credentials, client, now)
            .await;
    }
    let visitor = match gate.visitor(&req, now) {
        Ok(visitor) => visitor,
        Err(why) if scraped.is_some() => {
            return basic::challenge(
                StatusCode::UNAUTHORIZED,
                format!(
                    "{why}: log in, or send Basic credentials of a user of \
                     the access file"
                ),
            )
        }
        Err(why) => match gate.shared_stream(&req, &path, &query, now) {
            Some(visitor) => visitor,
            None => return log_in_first(&req, &path, &why),
        },
    };
    let mut req = match gate.authorize(need, &visitor, req, &path).await {
        Ok(req) => req,
        Err(refusal) => return refusal,
    };
    req.extensions_mut().insert(visitor);
    next.run(req).await
}

impl Gate {
    async fn by_share_link(
        &self,
        mut req: Request,
        next: Next,
        path: &str,
        query: &Query,
        token: &str,
        now: u64,
    ) -> Response {
        let access = &self.access;
        let (key, expires_ms) =
            match access.shares.check(&access.signing, token, now) {
                Ok(grant) => grant,
                Err(e) => {
                    return refuse(path, StatusCode::FORBIDDEN, e.to_string())
                }
            };
        if !is_read(req.method()) || !share_opens(path, query, &key) {
            return refuse(
                path,
                StatusCode::FORBIDDEN,
                format!(
                    "a share link opens one flow only: /flow/{key} and \
                     /api/flows/{key}"
                ),
            );
        }
        req.extensions_mut().insert(Visitor::Share { key });
        let mut response = next.run(req).await;
        if path.starts_with("/flow/") {
            let secs = expires_ms.saturating_sub(now) / 1000;
            let cookie = set_cookie(SHARE_COOKIE, token, "/api/ws", secs);
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(SET_COOKIE, value);
            }
        }
        response
    }

    /// A scraper of `/metrics` by its Basic credentials, checked as a
    /// login is.
    async fn by_password(
        &self,
        mut req: Request,
        next: Next,
        users: &AccessFile,
        credentials: Result<basic::Credentials, &str>,
        client: IpAddr,
        now: u64,
    ) -> Response {
        let given = match credentials {
            Ok(given) => given,
            Err(why) => return basic::challenge(StatusCode::UNAUTHORIZED, why),
        };
        let user = users.users.get(&given.user);
        let phc = user.map(|u| u.hash.as_str());
        let checked = self.access.logins.check(client, phc, given.password);
        match (checked.await, user) {
            (Ok(true), Some(user)) => {
                let session = Session::new(&given.user, now);
                let visitor = Visitor::User {
                    session,
                    role: user.role,
                };
                req.extensions_mut().insert(visitor);
                next.run(req).await
            }
            (Ok(_), _) => {
                tracing::warn!(%client, user = given.user, "scrape refused: wrong user or password");
                basic::challenge(
                    StatusCode::UNAUTHORIZED,
                    "wrong user or password",
                )
            }
            (Err(refused), _) => basic::refusal(&refused),
        }
    }

    /// The visitor its session cookie names; why there is none otherwise.
    fn visitor(&self, req: &Request, now: u64) -> Result<Visitor, String> {
        let access = &self.access;
        if let Plan::Open { .. } = access.plan {
            return Ok(Visitor::Everyone);
        }
        let Some(token) = cookie(req.headers(), SESSION_COOKIE) else {
            return Err("log in first".to_owned());
        };
        let session = access
            .sessions
            .open(&access.signing, token, now)
            .map_err(|e| format!("{e}; log in again"))?;
        let role = access.role_of(&session.user).ok_or_else(|| {
            format!(
                "user {:?} is no longer in the access file; log in again",
                session.user
            )
        })?;
        Ok(Visitor::User { session, role })
    }

    /// The live stream of a shared flow's page, by the cookie the page
    /// left.
    fn shared_stream(
        &self,
        req: &Request,
        path: &str,
        query: &Query,
        now: u64,
    ) -> Option<Visitor> {
        if path != "/api/ws" || !is_read(req.method()) {
            return None;
        }
        let token = cookie(req.headers(), SHARE_COOKIE)?;
        let access = &self.access;
        let (key, _) = access.shares.check(&access.signing, token, now).ok()?;
        share_opens(path, query, &key).then_some(Visitor::Share { key })
    }

    /// Lets `req` through as `visitor`, or refuses it. A form's CSRF
    /// field is read from its body, which is handed on unchanged.
    async fn authorize(
        &self,
        need: Need,
        visitor: &Visitor,
        req: Request,
        path: &str,
    ) -> Result<Request, Response> {
        let forbid = |why: String| refuse(path, StatusCode::FORBIDDEN, why);
        let role = visitor.role();
        match need {
            Need::Nothing | Need::Reader => return Ok(req),
            Need::AdminReader => {
                return match role {
                    Some(Role::Admin) => Ok(req),
                    _ => Err(forbid(admins_only(visitor))),
                }
            }
            Need::Session if visitor.session().is_none() => {
                return Err(forbid(
                    "there is no session to log out of: nfscope asks for \
                     no password"
                        .to_owned(),
                ));
            }
            Need::Session => {}
            Need::Change => {
                if self.access.plan.read_only() {
                    return Err(forbid(
                        "nfscope runs read-only (--read-only): it changes \
                         nothing"
                            .to_owned(),
                    ));
                }
                if role != Some(Role::Admin) {
                    return Err(forbid(admins_only(visitor)));
                }
            }
        }
        self.check_csrf(visitor.session(), req, path).await
    }

    async fn check_csrf(
        &self,
        session: Option<&Session>,
        req: Request,
        path: &str,
    ) -> Result<Request, Response> {
        let signing = &self.access.signing;
        let forbid = |why: &str| refuse(path, StatusCode::FORBIDDEN, why);
        if let Some(given) = req.headers().get(CSRF_HEADER) {
            let given = given.to_str().unwrap_or_default();
            return if csrf_matches(signing, session, given) {
                Ok(req)
            } else {
                Err(forbid(
                    "the X-CSRF-Token header is not this session's token \
                     (GET /api/session gives it)",
                ))
            };
        }
        if !is_form(&req) {
            return Err(forbid(
                "a change needs the session's CSRF token: an X-CSRF-Token \
                 header (GET /api/session gives it) or a form's csrf field",
            ));
        }
        let (parts, body) = req.into_parts();
        let bytes =
            axum::body::to_bytes(body, FORM_LIMIT).await.map_err(|_| {
                refuse(
                    path,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("a form may be at most {} KiB", FORM_LIMIT >> 10),
                )
            })?;
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| {
                refuse(
                    path,
                    StatusCode::BAD_REQUEST,
                    "the form does not decode",
                )
            })?;
        let given = fields.iter().find(|(name, _)| name == CSRF_FIELD);
        match given {
            Some((_, token)) if csrf_matches(signing, session, token) => {
                Ok(Request::from_parts(parts, Body::from(bytes)))
            }
            Some(_) => Err(forbid(
                "the form's csrf field is not this session's token: reload \
                 the page",
            )),
            None => Err(forbid(
                "a change needs the session's CSRF token: the form has no \
                 csrf field",
            )),
        }
    }
}

fn admins_only(visitor: &Visitor) -> String {
    match visitor {
        Visitor::User { session, role, .. } => {
            format!("only admins may do this; {} is a {role}", session.user)
        }
        _ => "only admins may do this".to_owned(),
    }
}

fn is_form(req: &Request) -> bool {
    req.headers().get(CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .starts_with(b"application/x-www-form-urlencoded")
    })
}

/// The routes a share link for `key` opens.
fn share_opens(path: &str, query: &Query, key: &FlowKey) -> bool {
    let named = path
        .strip_prefix("/flow/")
        .or_else(|| path.strip_prefix("/api/flows/"));
    if let Some(named) = named {
        return named.parse::<FlowKey>().as_ref() == Ok(key);
    }
    let own = key.to_string();
    path == "/api/ws"
        && query.get("q") == Some(&format!("key:{own}"))
        && query.get("open").is_none_or(|open| *open == own)
}

/// The request's query, as pairs.
pub struct Query(Vec<(String, String)>);

impl Query {
    fn parse(query: Option<&str>) -> Result<Self, String> {
        let text = query.unwrap_or_default();
        serde_urlencoded::from_str(text)
            .map(Self)
            .map_err(|_| format!("the query {text:?} does not decode"))
    }

    fn get(&self, name: &str) -> Option<&String> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/api" || path == "/metrics"
}

/// A refusal in the shape the path answers in: JSON for the API, a page
/// otherwise.
pub fn refuse(
    path: &str,
    status: StatusCode,
    why: impl Into<String>,
) -> Response {
    let why = why.into();
    if is_api(path) {
        return ApiError::new(status, why).into_response();
    }
    let title = match status {
        StatusCode::UNAUTHORIZED => "Log in first",
        StatusCode::FORBIDDEN => "Not allowed",
        _ => "Bad request",
    };
    html::message(status, title, &why)
}

/// Pages send the browser to the login page, and back after it; the API
/// says how to log in.
fn log_in_first(req: &Request, path: &str, why: &str) -> Response {
    if is_api(path) || !is_read(req.method()) {
        return refuse(
            path,
            StatusCode::UNAUTHORIZED,
            format!("{why}: POST /login with user and password"),
        );
    }
    let back = req
        .uri()
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let query =
        serde_urlencoded::to_string([("next", back)]).unwrap_or_default();
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("/login?{query}"))],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_follow_the_method_then_the_path() {
        let need = |m: Method, p: &str| Need::of(&m, p);
        assert_eq!(need(Method::GET, "/login"), Need::Nothing);
        assert_eq!(need(Method::POST, "/login"), Need::Nothing);
        assert_eq!(need(Method::GET, "/pkg/nfscope.js"), Need::Nothing);
        assert_eq!(need(Method::POST, "/pkg/nfscope.js"), Need::Change);
        assert_eq!(need(Method::POST, "/logout"), Need::Session);
        assert_eq!(need(Method::GET, "/api/shares"), Need::AdminReader);
        assert_eq!(need(Method::HEAD, "/shares"), Need::AdminReader);
        assert_eq!(need(Method::GET, "/api/flows"), Need::Reader);
        assert_eq!(need(Method::GET, "/"), Need::Reader);
        for method in [
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ] {
            assert_eq!(
                need(method.clone(), "/api/anything/new"),
                Need::Change,
                "{method}"
            );
        }
    }

    #[test]
    fn a_share_link_opens_its_flow_only() {
        let key: FlowKey =
            "8f3a9c2e-4026532246-2681439936-9ad3c2b1-1795636926328000000"
                .parse()
                .unwrap();
        let other =
            "8f3a9c2e-4026532246-2681439937-9ad3c2b1-1795636926328000000";
        let q = |text: &str| Query::parse(Some(text)).unwrap();
        let none = q("");
        assert!(share_opens(&format!("/flow/{key}"), &none, &key));
        assert!(share_opens(&format!("/api/flows/{key}"), &none, &key));
        assert!(!share_opens(&format!("/flow/{other}"), &none, &key));
        assert!(!share_opens("/api/flows", &none, &key));
        assert!(!share_opens("/", &none, &key));
        let stream = q(&format!("q=key%3A{key}&offset=0&limit=0&open={key}"));
        assert!(share_opens("/api/ws", &stream, &key));
        assert!(!share_opens("/api/ws/status", &stream, &key));
        let wider = q(&format!("q=key%3A{key}+proto%3Atcp"));
        assert!(!share_opens("/api/ws", &wider, &key));
        let open_other = q(&format!("q=key%3A{key}&open={other}"));
        assert!(!share_opens("/api/ws", &open_other, &key));
        assert!(!share_opens("/api/ws", &none, &key));
    }

    #[test]
    fn query_values_are_decoded() {
        let query = Query::parse(Some("q=key%3A1+2&share=a.b")).unwrap();
        assert_eq!(query.get("share").map(String::as_str), Some("a.b"));
        assert_eq!(query.get("q").map(String::as_str), Some("key:1 2"));
        assert_eq!(query.get("open"), None);
    }
}
