//! Diagnoses over HTTP: `GET /api/findings` and its stream of changes
//! (`/api/findings/stream`, server-sent events), the INVALID packets
//! (`/api/invalid`), conntrack's statistics (`/api/conntrack/stats`),
//! and the findings page (`/findings`), plain HTML that reloads itself.
//! Turning the INVALID capture on or off, and a demo's repair, are
//! admin changes (listed in `admin`).

use std::convert::Infallible;
use std::fmt::Write;
use std::time::Duration;

use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use futures_util::Stream;
use serde::{Deserialize, Serialize};

use app::format::duration_secs;
use app::wire::conntrack_stats::CtStatsNow;
use app::wire::finding::{Finding, Findings, Verdict};
use app::wire::invalid::{InvalidPacket, InvalidTotals};
use app::wire::FlowKey;

use super::auth::Visitor;
use super::error::ApiError;
use super::html::{self, escape, hidden};
use super::AppState;
use crate::access::csrf_token;
use crate::state::now_ms;

/// INVALID packets `/api/invalid` gives at most.
const INVALID_SHOWN: usize = 200;
/// The findings page reloads this often.
const PAGE_REFRESH_SECS: u32 = 3;
/// Cleared findings the page lists.
const CLEARED_SHOWN: usize = 20;

pub async fn findings(State(state): State<AppState>) -> Json<Findings> {
    Json(Findings::clone(&state.findings.borrow()))
}

/// Each change of the list as one event holding all of it. A reader
/// that falls behind skips to the latest: the feed keeps one list, so a
/// client that never reads costs one list.
pub async fn stream(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let feed = state.findings.clone();
    let events = futures_util::stream::unfold(
        (feed, true),
        |(mut feed, first)| async move {
            if !first && feed.changed().await.is_err() {
                return None;
            }
            let list = Findings::clone(&feed.borrow_and_update());
            let event = Event::default()
                .event("findings")
                .json_data(&list)
                .unwrap_or_else(|_| Event::default().comment("unencodable"));
            Some((Ok(event), (feed, false)))
        },
    );
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

#[derive(Serialize)]
pub struct InvalidAnswer {
    /// Whether the capture is on now.
    capture: bool,
    totals: Option<InvalidTotals>,
    /// The latest, newest last.
    packets: Vec<InvalidPacket>,
}

pub async fn invalid(State(state): State<AppState>) -> Json<InvalidAnswer> {
    let ring = state.capture.ring();
    Json(InvalidAnswer {
        capture: state.capture.is_on(),
        totals: ring.as_ref().map(|r| r.totals()),
        packets: ring.map(|r| r.recent(INVALID_SHOWN)).unwrap_or_default(),
    })
}

/// `GET /api/flows/{key}/invalid`: the INVALID packets on this flow's
/// path, either way, before or after NAT, oldest first.
pub async fn flow_invalid(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Vec<InvalidPacket>>, ApiError> {
    let key: FlowKey = key.parse().map_err(|e: app::wire::FlowKeyError| {
        ApiError::new(StatusCode::BAD_REQUEST, e.to_string())
    })?;
    let flows = state.compute.flows().clone();
    let store = state.history.clone();
    let record = state
        .compute
        .run(move || {
            super::history::flow_record(&flows, store.as_deref(), &key)
        })
        .await
        .map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        })?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "flow {key} is neither in the table nor in the history"
                ),
            )
        })?;
    let packets = state.capture.ring().map_or_else(Vec::new, |ring| {
        crate::capture::on_flow(ring.recent(usize::MAX), &record.flow)
    });
    Ok(Json(packets))
}

/// The statistics as the diagnosis last read them, with their rates; a
/// read of its own before the first.
pub async fn conntrack_stats(
    State(state): State<AppState>,
) -> Result<Json<CtStatsNow>, ApiError> {
    if let Some(now) = state.stats.borrow().as_deref() {
        return Ok(Json(now.clone()));
    }
    let read = state
        .compute
        .run(crate::collect::conntrack::stats::read)
        .await;
    read.map(|stats| Json(CtStatsNow::new(now_ms(), stats, None)))
        .map_err(|e| {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
        })
}

#[derive(Debug, Deserialize)]
pub struct CaptureSwitch {
    pub on: bool,
}

#[derive(Debug, Serialize)]
pub struct CaptureState {
    pub on: bool,
}

pub async fn set_capture(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
    Json(wanted): Json<CaptureSwitch>,
) -> Result<Json<CaptureState>, ApiError> {
    switch_capture(&state, &visitor, wanted.on).await?;
    Ok(Json(CaptureState {
        on: state.capture.is_on(),
    }))
}

async fn switch_capture(
    state: &AppState,
    visitor: &Visitor,
    on: bool,
) -> Result<(), ApiError> {
    let capture = state.capture.clone();
    let done = tokio::task::spawn_blocking(move || match on {
        true => capture.on(),
        false => {
            capture.off();
            Ok(())
        }
    })
    .await
    .map_err(|e| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    })?;
    done.map_err(|e| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, format!("{e:#}"))
    })?;
    tracing::info!(by = visitor.name(), on, "INVALID capture");
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct Repaired {
    pub applied: String,
}

pub async fn apply_remedy(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
) -> Result<Json<Repaired>, ApiError> {
    repair(&state, &visitor)
        .await
        .map(|applied| Json(Repaired { applied }))
}

async fn repair(
    state: &AppState,
    visitor: &Visitor,
) -> Result<String, ApiError> {
    let Some(remedy) = state.remedy.clone() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "there is nothing to repair: this is not a broken demo scenario",
        ));
    };
    let command = remedy.command.clone();
    tokio::task::spawn_blocking(move || remedy.apply())
        .await
        .map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        })?
        .map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}"))
        })?;
    tracing::info!(by = visitor.name(), command, "demo repaired");
    Ok(command)
}

#[derive(Debug, Deserialize)]
pub struct CaptureForm {
    on: String,
}

pub async fn capture_form(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
    Form(form): Form<CaptureForm>,
) -> Response {
    match switch_capture(&state, &visitor, form.on == "1").await {
        Ok(()) => Redirect::to("/findings").into_response(),
        Err(e) => {
            html::message(e.status(), "The capture did not change", e.message())
        }
    }
}

pub async fn remedy_form(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
) -> Response {
    match repair(&state, &visitor).await {
        Ok(_) => Redirect::to("/findings").into_response(),
        Err(e) => html::message(e.status(), "The repair failed", e.message()),
    }
}

pub async fn page(
    State(state): State<AppState>,
    Extension(visitor): Extension<Visitor>,
) -> Response {
    let list = Findings::clone(&state.findings.borrow());
    let csrf = csrf_token(&state.access.signing, visitor.session());
    let admin = visitor.role() == Some(crate::access::Role::Admin)
        && !state.access.plan.read_only();
    let now = now_ms();
    let mut body = String::new();
    body.push_str(
        "<p class=\"mb-4 text-sm\"><a class=\"text-sky-700 underline\" \
         href=\"/\">Flows</a> · <a class=\"text-sky-700 underline\" \
         href=\"/rules\">Rules</a> · <a class=\"text-sky-700 underline\" \
         href=\"/api/findings\">JSON</a></p>",
    );
    controls(&mut body, &state, admin, &csrf);
    if list.active.is_empty() {
        body.push_str(
            "<p class=\"mb-4\" data-findings=\"none\">Nothing wrong found.</p>",
        );
    }
    for finding in &list.active {
        active(&mut body, finding, now);
    }
    checks(&mut body, &list);
    if let Some(stats) = state.stats.borrow().as_deref() {
        statistics(&mut body, stats);
    }
    if !list.cleared.is_empty() {
        body.push_str("<h2 class=\"mt-6 font-semibold\">Cleared</h2><ul class=\"text-sm\">");
        for f in list.cleared.iter().take(CLEARED_SHOWN) {
            let ago = f.cleared_ms.map_or(0, |c| now.saturating_sub(c) / 1000);
            let _ = write!(
                body,
                "<li class=\"mt-1\" data-cleared=\"{}\">{} <span class=\"text-slate-500\">\
                 (cleared {} ago, held {})</span></li>",
                escape(&f.id),
                escape(&f.summary),
                duration_secs(ago),
                duration_secs(f.cleared_ms.unwrap_or(now).saturating_sub(f.since_ms) / 1000),
            );
        }
        body.push_str("</ul>");
    }
    html::refreshing(StatusCode::OK, "Findings", PAGE_REFRESH_SECS, &body)
}

/// The INVALID capture's switch and a demo's repair, for admins.
fn controls(body: &mut String, state: &AppState, admin: bool, csrf: &str) {
    let on = state.capture.is_on();
    let _ = write!(
        body,
        "<p class=\"mb-2 text-sm\">INVALID capture is <b>{}</b>.",
        if on { "on" } else { "off" }
    );
    if admin {
        let _ = write!(
            body,
            " <form class=\"inline\" method=\"post\" action=\"/findings/capture\">{}{}\
             <button class=\"border px-2\">{}</button></form>",
            hidden("csrf", csrf),
            hidden("on", if on { "0" } else { "1" }),
            if on { "Turn off" } else { "Turn on" }
        );
    }
    body.push_str("</p>");
    if let (Some(remedy), true) = (&state.remedy, admin) {
        let _ = write!(
            body,
            "<form class=\"mb-4 border border-amber-400 bg-amber-50 p-2 text-sm\" \
             method=\"post\" action=\"/findings/remedy\">{}\
             <p>Demo: this lab starts broken. <code>{}</code></p>\
             <button class=\"mt-1 border bg-white px-2\">{}</button></form>",
            hidden("csrf", csrf),
            escape(&remedy.command),
            escape(remedy.title),
        );
    }
}

fn active(body: &mut String, f: &Finding, now: u64) {
    let tone = match f.severity {
        app::wire::finding::Severity::Error => "border-red-500",
        app::wire::finding::Severity::Warning => "border-amber-500",
        app::wire::finding::Severity::Info => "border-sky-400",
    };
    let _ = write!(
        body,
        "<section id=\"{id}\" class=\"mb-4 border-l-4 {tone} pl-3\" data-finding=\"{id}\">\
         <h2 class=\"font-semibold\"><span class=\"mr-2 text-xs uppercase\">{sev}</span>{summary}</h2>\
         <p class=\"text-xs text-slate-500\">for {held}</p>\
         <p class=\"mt-1 text-sm\">{why}</p>",
        id = escape(&f.id),
        sev = f.severity.as_str(),
        summary = escape(&f.summary),
        held = duration_secs(now.saturating_sub(f.since_ms) / 1000),
        why = escape(&f.explanation),
    );
    if !f.evidence.is_empty() {
        body.push_str("<h3 class=\"mt-2 text-sm font-semibold\">Evidence</h3><ul class=\"text-sm\">");
        for e in &f.evidence {
            let label = escape(&e.label);
            match &e.href {
                Some(href) => {
                    let _ = write!(
                        body,
                        "<li><a class=\"text-sky-700 underline\" href=\"{}\">{label}</a></li>",
                        escape(href)
                    );
                }
                None => {
                    let _ = write!(body, "<li>{label}</li>");
                }
            }
        }
        body.push_str("</ul>");
    }
    for fix in &f.fixes {
        let _ = write!(
            body,
            "<h3 class=\"mt-2 text-sm font-semibold\">Fix: {}</h3>\
             <pre class=\"overflow-x-auto bg-slate-100 p-2 text-xs\">{}</pre>\
             <p class=\"text-xs text-slate-600\">{}</p>",
            escape(&fix.title),
            escape(&fix.commands.join("\n")),
            escape(&fix.tradeoff),
        );
    }
    body.push_str("</section>");
}

/// Conntrack's counters with their rates: what the pressure check reads.
fn statistics(body: &mut String, now: &CtStatsNow) {
    let s = &now.stats;
    let _ = write!(
        body,
        "<h2 class=\"mt-6 font-semibold\">Conntrack statistics</h2>\
         <p class=\"text-sm\">{} entries of {} at most, over {} CPUs; rates over \
         the last {:.0} s</p><table data-ct-stats class=\"mt-1 text-sm\">",
        s.entries, s.max_entries, s.cpus, now.over_secs
    );
    for (name, value) in s.counters() {
        let rate = now.per_sec.get(name).copied().unwrap_or_default();
        let _ = write!(
            body,
            "<tr><td class=\"pr-4\">{name}</td><td class=\"pr-4 text-right \
             tabular-nums\">{value}</td><td class=\"text-right tabular-nums \
             text-slate-500\">{rate:.1}/s</td></tr>"
        );
    }
    body.push_str("</table>");
}

fn checks(body: &mut String, list: &Findings) {
    body.push_str(
        "<h2 class=\"mt-6 font-semibold\">Checks</h2><ul class=\"text-sm\">",
    );
    for c in &list.checks {
        let verdict = match c.verdict {
            Verdict::Ok => "ok",
            Verdict::Found => "found",
            Verdict::TooEarly => "too early to tell",
        };
        let _ = write!(
            body,
            "<li>{}: {verdict}{}</li>",
            c.kind.as_str(),
            c.note
                .as_deref()
                .map(|n| format!(" ({})", escape(n)))
                .unwrap_or_default()
        );
    }
    body.push_str("</ul>");
}
