//! `GET /login` (a form that works without the app's script),
//! `POST /login`, `POST /logout`, and `GET /api/session`: who is logged
//! in and the CSRF token their changes carry.

use axum::extract::{DefaultBodyLimit, Extension, Query, State};
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;

use app::wire::access::SessionInfo;

use super::auth::{Visitor, FORM_LIMIT};
use super::basic;
use super::client::ClientAddr;
use super::html::{self, escape, hidden};
use super::AppState;
use crate::access::{
    cookie, csrf_token, set_cookie, Plan, Role, Session, SESSION_COOKIE,
    SESSION_TTL,
};
use crate::state::now_ms;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(form).post(log_in))
        .route("/logout", post(log_out))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
}

/// Under `/api`.
pub fn api_routes() -> Router<AppState> {
    Router::new().route("/session", get(session))
}

#[derive(Debug, Default, Deserialize)]
struct Next {
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Credentials {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Where to go after logging in: a path of this site, or the flows.
fn next_path(next: Option<&str>) -> &str {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\') =>
        {
            p
        }
        _ => "/",
    }
}

async fn form(
    State(state): State<AppState>,
    Query(next): Query<Next>,
    req: axum::http::HeaderMap,
) -> Response {
    let access = &state.access;
    let Plan::Passwords { .. } = access.plan else {
        return html::message(
            StatusCode::OK,
            "No login here",
            "nfscope asks for no password here: everyone who reaches it may use it.",
        );
    };
    let now = now_ms();
    let session = cookie(&req, SESSION_COOKIE)
        .and_then(|t| access.sessions.open(&access.signing, t, now).ok())
        .and_then(|s| Some((access.role_of(&s.user)?, s)));
    match session {
        Some((role, session)) => logged_in(&state, &session, role),
        None => login_page(StatusCode::OK, next.next.as_deref(), None),
    }
}

fn login_page(
    status: StatusCode,
    next: Option<&str>,
    error: Option<&str>,
) -> Response {
    let error = error
        .map(|e| {
            format!(
                "<p class=\"mb-4 text-red-700\" role=\"alert\">{}</p>",
                escape(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "{error}<form method=\"post\" action=\"/login\" class=\"flex \
         max-w-sm flex-col gap-3\">{}\
         <label>User <input name=\"user\" autocomplete=\"username\" \
         required autofocus class=\"w-full border px-2 py-1\"></label>\
         <label>Password <input name=\"password\" type=\"password\" \
         autocomplete=\"current-password\" required class=\"w-full border \
         px-2 py-1\"></label>\
         <button class=\"border px-3 py-1\">Log in</button></form>",
        hidden("next", next_path(next)),
    );
    html::page(status, "Log in to nfscope", &body)
}

fn logged_in(state: &AppState, session: &Session, role: Role) -> Response {
    let csrf = csrf_token(&state.access.signing, Some(session));
    let shares = if role == Role::Admin {
        " · <a class=\"text-sky-700 underline\" href=\"/shares\">Share links</a>"
    } else {
        ""
    };
    let body = format!(
        "<p>Logged in as <b>{}</b> ({role}).</p>\
         <p class=\"mt-2\"><a class=\"text-sky-700 underline\" href=\"/\">\
         Flows</a> · <a class=\"text-sky-700 underline\" href=\"/rules\">\
         Rules</a>{shares}</p>\
         <form method=\"post\" action=\"/logout\" class=\"mt-4\">{}\
         <button class=\"border px-3 py-1\">Log out</button></form>",
        escape(&session.user),
        hidden("csrf", &csrf),
    );
    html::page(StatusCode::OK, "nfscope", &body)
}

async fn log_in(
    State(state): State<AppState>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    Form(credentials): Form<Credentials>,
) -> Response {
    let access = &state.access;
    let Plan::Passwords { users, .. } = &access.plan else {
        return html::message(
            StatusCode::NOT_FOUND,
            "No login here",
            "nfscope asks for no password here: there is nothing to log in to.",
        );
    };
    let user = credentials.user.trim().to_owned();
    let next = credentials.next.as_deref();
    let phc = users.users.get(&user).map(|u| u.hash.as_str());
    let checked = access.logins.check(client, phc, credentials.password).await;
    match checked {
        Ok(true) => {
            tracing::info!(%client, user, "login");
            let session = Session::new(&user, now_ms());
            let token = access.sessions.token(&access.signing, &session);
            let cookie =
                set_cookie(SESSION_COOKIE, &token, "/", SESSION_TTL.as_secs());
            (
                StatusCode::SEE_OTHER,
                [(SET_COOKIE, cookie), (LOCATION, next_path(next).to_owned())],
            )
                .into_response()
        }
        Ok(false) => {
            tracing::warn!(%client, user, "login failed: wrong user or password");
            login_page(
                StatusCode::UNAUTHORIZED,
                next,
                Some("Wrong user or password."),
            )
        }
        Err(refused) => {
            tracing::warn!(%client, user, reason = %refused, "login refused");
            let (status, retry) = basic::refused(&refused);
            let mut page = login_page(status, next, Some(&refused.to_string()));
            page.headers_mut().insert(RETRY_AFTER, retry.into());
            page
        }
    }
}

async fn log_out(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
) -> Response {
    if let Some(session) = visitor.session() {
        state.access.sessions.log_out(session, now_ms());
        tracing::info!(user = session.user, "logout");
    }
    let cleared = set_cookie(SESSION_COOKIE, "", "/", 0);
    (
        StatusCode::SEE_OTHER,
        [(SET_COOKIE, cleared), (LOCATION, "/login".to_owned())],
    )
        .into_response()
}

async fn session(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
) -> Json<SessionInfo> {
    let session = visitor.session();
    Json(SessionInfo {
        user: session.map(|s| s.user.clone()),
        role: visitor.role().unwrap_or(Role::Viewer).name().to_owned(),
        csrf: csrf_token(&state.access.signing, session),
        read_only: state.access.plan.read_only(),
        expires_ms: session.map(|s| s.expires_ms),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_followed_after_login() {
        assert_eq!(next_path(Some("/flow/x?q=1")), "/flow/x?q=1");
        for away in ["//evil.example/", "https://evil.example", "/\\evil", "x"]
        {
            assert_eq!(next_path(Some(away)), "/", "{away}");
        }
        assert_eq!(next_path(None), "/");
    }
}
