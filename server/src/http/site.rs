//! Server-side rendered pages and the static files of `pkg/`.

use std::convert::Infallible;
use std::io::ErrorKind;
use std::path::Path;
use std::sync::Arc;

use app::query::{Filter, Sort, TimeSpan};
use app::source::{PageSource, SharedSource};
use app::wire::finding::{FlowDiagnosis, RuleFindings};
use app::wire::history::{FlowRecord, HistoryPage};
use app::wire::ruleset::{RuleDetail, RuleRef, Ruleset, RulesetChange};
use app::wire::{Flow, FlowKey, FlowPage, Health};
use app::{shell, LoggedIn};
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::render_app_to_stream_with_context;
use tower::service_fn;
use tower_http::services::ServeDir;

use super::auth::Visitor;
use super::bounds::check_filter;
use super::compute::Compute;
use super::shared_flow::SharedFlow;
use super::{headers, history, AppState};
use crate::capture::InvalidSwitch;
use crate::collect::nftables::view::{self, Detail};
use crate::diagnose::FindingsFeed;
use crate::store::{History, Rows};

/// A page holds a few screens of rows: well under this.
const MAX_PAGE_BYTES: usize = 16 << 20;

/// What pages read: the live state, and the history if there is one.
struct Site {
    compute: Compute,
    history: Option<Arc<History>>,
    capture: Arc<InvalidSwitch>,
    findings: FindingsFeed,
}

impl PageSource for Site {
    fn diagnosis(&self, flow: &Flow) -> FlowDiagnosis {
        let findings = self.findings.borrow();
        FlowDiagnosis {
            capture: self.capture.is_on(),
            invalid: self.capture.ring().map_or_else(Vec::new, |ring| {
                crate::capture::on_flow(ring.recent(usize::MAX), flow)
            }),
            findings: findings
                .active
                .iter()
                .filter(|f| {
                    f.evidence.iter().any(|e| e.flow_key() == Some(flow.key))
                })
                .cloned()
                .collect(),
        }
    }

    /// A filter too big to compute renders no rows; the page's stream
    /// then says which limit it exceeds.
    fn page(&self, filter: &Filter, sort: &Sort, limit: usize) -> FlowPage {
        if check_filter(&filter.to_string()).is_err() {
            return FlowPage::default();
        }
        let page = self
            .compute
            .scan_in_place(|s| s.shared_page(filter, sort, 0, limit));
        Arc::unwrap_or_clone(page)
    }

    /// A history that cannot be read shows the flow as if it had none.
    fn flow(&self, key: &FlowKey) -> Option<FlowRecord> {
        let history = self.history.as_deref();
        let read = || history::flow_record(self.compute.flows(), history, key);
        self.compute.run_in_place(read).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "reading the history");
            history::flow_record(self.compute.flows(), None, key).ok()?
        })
    }

    fn past(
        &self,
        filter: &Filter,
        span: TimeSpan,
        offset: usize,
        limit: usize,
    ) -> Result<HistoryPage, String> {
        let Some(history) = &self.history else {
            return Err(history::NO_HISTORY.to_owned());
        };
        check_filter(&filter.to_string())?;
        let rows = Rows { offset, limit };
        self.compute
            .run_in_place(|| history.search(filter, span, rows))
            .map_err(|e| format!("searching the history: {e}"))
    }

    fn status(&self) -> Health {
        self.compute.flows().status()
    }

    fn ruleset(&self) -> Option<Ruleset> {
        let (current, rates) = self.compute.flows().ruleset()?;
        Some(view::to_wire(&current, &rates, Detail::default()))
    }

    fn rule(&self, at: &RuleRef) -> Option<RuleDetail> {
        let (current, rates) = self.compute.flows().ruleset()?;
        view::rule_detail(&current, &rates, at)
    }

    fn rule_findings(&self) -> RuleFindings {
        self.findings.borrow().by_rule()
    }

    fn commit(&self, generation: u32) -> Option<RulesetChange> {
        let shared = self.compute.flows().read();
        let history = &shared.ruleset.history;
        history.iter().find(|c| c.generation == generation).cloned()
    }
}

/// What pages render from: the live state, the history, the diagnosis.
pub fn source(state: &AppState) -> SharedSource {
    Arc::new(Site {
        compute: state.compute.clone(),
        history: state.history.clone(),
        capture: Arc::clone(&state.capture),
        findings: state.findings.clone(),
    })
}

pub fn routes(state: &AppState, site_root: &Path) -> Router<AppState> {
    // Rendering spawns tasks through Leptos' executor; it runs them on
    // tokio. A second call (tests start several servers) changes nothing.
    let _ = any_spawner::Executor::init_tokio();
    let source = source(state);
    let options = state.leptos.clone();
    let bundle =
        format!("/{}/{}.js", options.site_pkg_dir, options.output_name);
    // The app picks the page by path (`app::routes`); a path that names
    // no page, or a flow not in the table, gets a 404.
    let page = render_app_to_stream_with_context(
        move || {
            let visitor = visitor();
            provide_context(source_for(&source, visitor.as_ref()));
            let session = visitor.is_some_and(|v| v.session().is_some());
            provide_context(LoggedIn(session));
            headers::set_page_policy(&bundle);
        },
        move || shell(options.clone()),
    );
    let pkg = ServeDir::new(site_root.join("pkg"));
    Router::new()
        .nest_service(
            "/pkg",
            service_fn(move |req| {
                let pkg = pkg.clone();
                async move { Ok::<_, Infallible>(pkg_file(pkg, req).await) }
            }),
        )
        .fallback(get(page).layer(axum::middleware::from_fn(head_as_get)))
}

/// Who asks for the page being rendered.
fn visitor() -> Option<Visitor> {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<Visitor>().cloned())
}

/// What `visitor` may read of `site`: a share link, its one flow only.
pub fn source_for(
    site: &SharedSource,
    visitor: Option<&Visitor>,
) -> SharedSource {
    match visitor {
        Some(Visitor::Share { key }) => SharedFlow::source(site.clone(), *key),
        _ => site.clone(),
    }
}

/// A page is a stream of unknown length; for `HEAD`, axum's fallback
/// route would call it `content-length: 0`. The page is rendered as for
/// `GET` to tell its real length.
async fn head_as_get(mut req: Request, next: Next) -> Response {
    if req.method() != Method::HEAD {
        return next.run(req).await;
    }
    *req.method_mut() = Method::GET;
    let (mut parts, body) = next.run(req).await.into_parts();
    parts.headers.remove(TRANSFER_ENCODING);
    match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(bytes) => {
            parts.headers.insert(CONTENT_LENGTH, bytes.len().into());
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot measure a page for HEAD");
        }
    }
    Response::from_parts(parts, Body::empty())
}

/// A file of `pkg/`. ServeDir answers 500 for any error but a missing or
/// unreadable file; a name the file system refuses (too long, or through
/// a file as if it were a folder) is missing too.
async fn pkg_file(mut pkg: ServeDir, req: Request) -> Response {
    match pkg.try_call(req).await {
        Ok(response) => response.map(Body::new),
        Err(e) => match e.kind() {
            ErrorKind::NotFound
            | ErrorKind::PermissionDenied
            | ErrorKind::InvalidFilename
            | ErrorKind::NotADirectory => StatusCode::NOT_FOUND.into_response(),
            _ => {
                tracing::warn!(error = %e, "cannot serve a file of pkg/");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        },
    }
}
