//! What admins do: delete flows (one by its key, or those a filter
//! selects after a confirmation), turn conntrack's counters and
//! timestamps on or off, and make, list and revoke share links, as JSON
//! under `/api` and as the plain forms of `/shares`. The access check
//! (`auth`) lets only admins of a writable nfscope with the CSRF token
//! reach the changes.

use std::fmt::Write;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Extension, Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, MethodRouter};
use axum::{Form, Json, Router};
use serde::Deserialize;

use app::format::duration_secs;
use app::query::Filter;
use app::wire::access::{
    self as wire, CtSettings, DeleteConfirm, Deleted, NewShare, Ttl,
};
use app::wire::FlowKey;

use super::auth::{Visitor, FORM_LIMIT};
use super::bounds::check_filter;
use super::error::{json_errors, ApiError};
use super::html::{self, escape, hidden};
use super::{findings, history, AppState};
use crate::access::{csrf_token, DEFAULT_TTL, MAX_TTL};
use crate::collect::conntrack::delete::{self as ct, Outcome, Target};
use crate::collect::conntrack::{Settings, Sysctl};
use crate::state::now_ms;

/// JSON bodies of the changes are a few fields.
const BODY_LIMIT: usize = 4 << 10;

type Routes = Vec<(Method, &'static str, MethodRouter<AppState>)>;

/// The changes under `/api`. The routers are built from these lists, and
/// the access tests walk them ([`change_routes`]).
fn api_changes() -> Routes {
    vec![
        (Method::DELETE, "/flows/{key}", delete(delete_flow)),
        (Method::POST, "/flows/delete", post(delete_matching)),
        (Method::POST, "/settings", post(settings)),
        (Method::POST, "/shares", post(create_share)),
        (Method::DELETE, "/shares/{id}", delete(revoke_share)),
        (
            Method::POST,
            "/invalid/capture",
            post(findings::set_capture),
        ),
        (Method::POST, "/demo/remedy", post(findings::apply_remedy)),
    ]
}

/// The forms of the share links' page.
fn page_changes() -> Routes {
    vec![
        (Method::POST, "/shares", post(create_share_form)),
        (Method::POST, "/shares/{id}/revoke", post(revoke_share_form)),
        (
            Method::POST,
            "/findings/capture",
            post(findings::capture_form),
        ),
        (
            Method::POST,
            "/findings/remedy",
            post(findings::remedy_form),
        ),
    ]
}

fn with(routes: Routes) -> Router<AppState> {
    routes
        .into_iter()
        .fold(Router::new(), |router, (_, path, route)| {
            router.route(path, route)
        })
}

/// Every route that changes something, by method and full path.
pub fn change_routes() -> Vec<(Method, String)> {
    let api = api_changes()
        .into_iter()
        .map(|(method, path, _)| (method, format!("/api{path}")));
    let pages = page_changes()
        .into_iter()
        .map(|(method, path, _)| (method, path.to_owned()));
    api.chain(pages).collect()
}

/// Under `/api`.
pub fn api_routes() -> Router<AppState> {
    with(api_changes())
        .route("/shares", get(list_shares))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(json_errors))
}

/// The share links' page and its forms.
pub fn page_routes() -> Router<AppState> {
    with(page_changes())
        .route("/shares", get(shares_page))
        .route("/findings", get(findings::page))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
}

fn internal(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{what}: {e}"))
}

fn parse_key(text: &str) -> Result<FlowKey, ApiError> {
    text.parse().map_err(|e: app::wire::FlowKeyError| {
        ApiError::new(StatusCode::BAD_REQUEST, e.to_string())
    })
}

/// Deletes on a blocking thread, in the watched namespace as every
/// thread of nfscope, then has the table read again.
async fn delete_targets(
    state: &AppState,
    targets: Vec<Target>,
) -> Result<Deleted, ApiError> {
    let outcomes = tokio::task::spawn_blocking(move || ct::delete(&targets))
        .await
        .map_err(|e| internal("deleting flows", e))?
        .map_err(|e| internal("deleting flows", e))?;
    state.dumps.request();
    let deleted = outcomes.iter().filter(|o| **o == Outcome::Deleted).count();
    Ok(Deleted {
        deleted,
        gone: outcomes.len() - deleted,
    })
}

async fn delete_flow(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
    Path(key): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    let key = parse_key(&key)?;
    let Some(flow) = state.compute.flows().flow(&key) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "flow {key} is not in the table: it has ended, or never was"
            ),
        ));
    };
    let deleted = delete_targets(&state, vec![Target::of(&flow)]).await?;
    if deleted.deleted == 0 {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("the kernel no longer has flow {key}"),
        ));
    }
    tracing::info!(by = visitor.name(), %key, "deleted a flow");
    Ok(Json(deleted))
}

#[derive(Debug, Default, Deserialize)]
struct DeleteQuery {
    q: Option<String>,
    confirm: Option<String>,
}

async fn delete_matching(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
    Query(query): Query<DeleteQuery>,
) -> Result<Response, ApiError> {
    let text = query.q.unwrap_or_default();
    check_filter(&text)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
    let filter = Filter::parse(&text).map_err(ApiError::filter)?;
    let owner = visitor.session().map_or("open", |s| s.nonce.as_str());
    let now = now_ms();
    let Some(token) = query.confirm else {
        let targets = state
            .compute
            .scan(move |snapshot| {
                snapshot
                    .matching(&filter)
                    .iter()
                    .map(Target::of)
                    .collect::<Vec<_>>()
            })
            .await;
        let count = targets.len();
        let (confirm, expires_ms) =
            state.confirmations.ask(&text, owner, targets, now);
        let answer = DeleteConfirm {
            count,
            confirm,
            expires_ms,
        };
        return Ok(Json(answer).into_response());
    };
    let targets = state
        .confirmations
        .take(&token, &text, owner, now)
        .map_err(|e| ApiError::new(StatusCode::CONFLICT, e.to_string()))?;
    let deleted = delete_targets(&state, targets).await?;
    tracing::info!(
        by = visitor.name(),
        filter = text,
        deleted = deleted.deleted,
        "deleted flows"
    );
    Ok(Json(deleted).into_response())
}

async fn settings(
    Extension(visitor): Extension<Visitor>,
    Json(wanted): Json<CtSettings>,
) -> Result<Json<CtSettings>, ApiError> {
    let changes = [
        (Sysctl::Accounting, wanted.accounting),
        (Sysctl::Timestamps, wanted.timestamps),
    ];
    let read = tokio::task::spawn_blocking(move || {
        for (sysctl, on) in changes {
            if let Some(on) = on {
                sysctl.set(on)?;
            }
        }
        Ok::<_, crate::collect::conntrack::SysctlError>(Settings::read())
    })
    .await
    .map_err(|e| internal("setting sysctls", e))?
    .map_err(|e| internal("setting sysctls", e))?;
    tracing::info!(by = visitor.name(), ?wanted, "conntrack settings");
    Ok(Json(CtSettings {
        accounting: read.acct,
        timestamps: read.timestamp,
    }))
}

fn to_wire(link: wire::ShareLink, token: &str) -> wire::Share {
    let key = link.key;
    wire::Share {
        page: format!("/flow/{key}?share={token}"),
        api: format!("/api/flows/{key}?share={token}"),
        link,
    }
}

fn ttl_of(ttl: Option<Ttl>) -> Result<Duration, ApiError> {
    let bad =
        |e: String| ApiError::new(StatusCode::BAD_REQUEST, format!("ttl: {e}"));
    let ttl = match ttl {
        None => DEFAULT_TTL,
        Some(Ttl::Secs(0)) => {
            return Err(bad("0 is not a positive number of seconds".into()))
        }
        Some(Ttl::Secs(secs)) => Duration::from_secs(secs),
        Some(Ttl::Age(text)) => crate::units::parse_age(&text).map_err(bad)?,
    };
    if ttl > MAX_TTL {
        return Err(bad(format!(
            "a link lives at most {} days",
            MAX_TTL.as_secs() / 86_400
        )));
    }
    Ok(ttl)
}

/// A new link to a flow the table or the history has.
async fn new_share(
    state: &AppState,
    visitor: &Visitor,
    key: FlowKey,
    ttl: Duration,
) -> Result<wire::Share, ApiError> {
    let flows = state.compute.flows().clone();
    let store = state.history.clone();
    let known = state
        .compute
        .run(move || history::flow_record(&flows, store.as_deref(), &key))
        .await
        .map_err(|e| internal("reading the history", e))?;
    if known.is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("flow {key} is neither in the table nor in the history"),
        ));
    }
    let access = &state.access;
    let (share, token) = access
        .shares
        .create(&access.signing, key, ttl, visitor.name(), now_ms())
        .map_err(|e| internal("saving the share links", e))?;
    tracing::info!(by = visitor.name(), %key, id = share.id, "share link made");
    Ok(to_wire(share, &token))
}

async fn list_shares(State(state): State<AppState>) -> Json<Vec<wire::Share>> {
    let access = &state.access;
    let list = access.shares.list(&access.signing, now_ms());
    Json(list.into_iter().map(|(s, t)| to_wire(s, &t)).collect())
}

async fn create_share(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
    Json(wanted): Json<NewShare>,
) -> Result<Response, ApiError> {
    let ttl = ttl_of(wanted.ttl)?;
    let share = new_share(&state, &visitor, wanted.key, ttl).await?;
    Ok((StatusCode::CREATED, Json(share)).into_response())
}

async fn revoke(
    state: &AppState,
    visitor: &Visitor,
    id: &str,
) -> Result<(), ApiError> {
    let found = state
        .access
        .shares
        .revoke(id, now_ms())
        .map_err(|e| internal("saving the share links", e))?;
    if !found {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no share link has id {id:?}"),
        ));
    }
    tracing::info!(by = visitor.name(), id, "share link revoked");
    Ok(())
}

async fn revoke_share(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    revoke(&state, &visitor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize)]
struct KeyParam {
    key: Option<String>,
}

/// Lifetimes the page offers, as `ttl` values.
const PAGE_TTLS: [(&str, &str); 4] = [
    ("1h", "1 hour"),
    ("1d", "1 day"),
    ("7d", "7 days"),
    ("30d", "30 days"),
];

async fn shares_page(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
    Query(param): Query<KeyParam>,
) -> Response {
    let access = &state.access;
    let csrf = csrf_token(&access.signing, visitor.session());
    let now = now_ms();
    let mut body = String::new();
    let options: String = PAGE_TTLS
        .iter()
        .map(|(value, label)| {
            let selected = if *value == "1d" { " selected" } else { "" };
            format!("<option value=\"{value}\"{selected}>{label}</option>")
        })
        .collect();
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/shares\" class=\"mb-6 flex \
         flex-col gap-3\">{}\
         <label>Flow key <input name=\"key\" required value=\"{}\" \
         class=\"w-full border px-2 py-1 font-mono text-xs\"></label>\
         <label>Expires after <select name=\"ttl\" class=\"border\">{options}\
         </select></label>\
         <button class=\"w-fit border px-3 py-1\">Make a link</button></form>",
        hidden("csrf", &csrf),
        escape(param.key.as_deref().unwrap_or_default()),
    );
    let list = access.shares.list(&access.signing, now);
    if list.is_empty() {
        body.push_str("<p>No share links.</p>");
    }
    for (share, token) in list {
        let share = to_wire(share, &token);
        let link = &share.link;
        let left = duration_secs(link.expires_ms.saturating_sub(now) / 1000);
        let _ = write!(
            body,
            "<section class=\"mb-4 border-t pt-2\">\
             <p class=\"break-all font-mono text-xs\">{key}</p>\
             <p>By {by}, expires in {left}. \
             <a class=\"text-sky-700 underline\" href=\"{page}\">Link</a></p>\
             <form method=\"post\" action=\"/shares/{id}/revoke\">{csrf}\
             <button class=\"border px-3 py-1\">Revoke</button></form>\
             </section>",
            key = link.key,
            by = escape(&link.by),
            page = escape(&share.page),
            id = escape(&link.id),
            csrf = hidden("csrf", &csrf),
        );
    }
    html::page(StatusCode::OK, "Share links", &body)
}

#[derive(Debug, Default, Deserialize)]
struct ShareForm {
    #[serde(default)]
    key: String,
    ttl: Option<String>,
}

fn back_to_shares() -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, "/shares")]).into_response()
}

fn page_error(e: ApiError) -> Response {
    let status = e.status();
    html::message(status, "Share links", e.message())
}

async fn create_share_form(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
    Form(form): Form<ShareForm>,
) -> Response {
    let made = async {
        let key = parse_key(form.key.trim())?;
        let ttl = ttl_of(form.ttl.map(Ttl::Age))?;
        new_share(&state, &visitor, key, ttl).await
    };
    match made.await {
        Ok(_) => back_to_shares(),
        Err(e) => page_error(e),
    }
}

async fn revoke_share_form(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
) -> Response {
    match revoke(&state, &visitor, &id).await {
        Ok(()) => back_to_shares(),
        Err(e) => page_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_in_seconds_or_ages_within_the_longest() {
        assert_eq!(ttl_of(None).unwrap(), DEFAULT_TTL);
        assert_eq!(
            ttl_of(Some(Ttl::Secs(90))).unwrap(),
            Duration::from_secs(90)
        );
        assert_eq!(
            ttl_of(Some(Ttl::Age("2h".into()))).unwrap(),
            Duration::from_secs(7200)
        );
        for bad in [
            Ttl::Secs(0),
            Ttl::Age("soon".into()),
            Ttl::Age("91d".into()),
        ] {
            let err = ttl_of(Some(bad.clone())).unwrap_err();
            assert!(
                err.message().starts_with("ttl: "),
                "{bad:?}: {}",
                err.message()
            );
        }
    }
}
