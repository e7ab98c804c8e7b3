//! `/api/ws/ruleset`: the ruleset at once, then each commit (what it
//! changed, then the new ruleset) and, after each counter poll, the
//! counters that moved. A client that reads slowly skips polls, never a
//! commit: each tick sends what is new since what it last sent. A
//! client may ask for one rule's detail (`{"rule": {...}}`); the answer
//! comes in turn with the rest. The page's form sends the document
//! again when the rules that findings name change: their badges are in
//! it, and not at first to a page that already holds the current one
//! (`have=TAG`): a big ruleset's document is megabytes.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tokio::sync::broadcast::error::RecvError;

use app::rules_html;
use app::wire::finding::RuleFindings;
use app::wire::ruleset::{RulesPageMsg, RulesetAsk, RulesetMsg};
use serde::Deserialize;

use super::rendered::Rendered;
use super::{send, send_text};
use crate::collect::nftables::ruleset::Ruleset;
use crate::collect::nftables::view;
use crate::diagnose::FindingsFeed;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::state::ruleset::Rates;
use crate::state::StateHandle;

#[derive(Debug, Default, Deserialize)]
pub struct StreamQuery {
    html: Option<String>,
    /// The tag of the document the page holds (page form only; empty
    /// for none).
    #[serde(default)]
    have: String,
}

/// How the stream spells the ruleset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Form {
    /// [`RulesetMsg`]: the ruleset as a tree, for programs.
    Tree,
    /// [`RulesPageMsg`]: the ruleset as the rules page's HTML.
    Page,
}

pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let form = match query.html.as_deref() {
        None | Some("" | "0" | "false") => Form::Tree,
        Some("1" | "true") => Form::Page,
        Some(other) => {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                format!("html: {other:?} is not 1, true, 0 or false"),
            ))
        }
    };
    let rendered = state.rendered.clone();
    let findings = state.findings.clone();
    super::open_stream(&state, &headers, ws, move |socket, flows| {
        run(
            socket,
            Sources {
                flows,
                rendered,
                findings,
            },
            form,
            Some(query.have).filter(|h| form == Form::Page && !h.is_empty()),
        )
    })
}

/// Sends `msg` in the stream's form.
async fn say(
    socket: &mut WebSocket,
    form: Form,
    msg: RulesetMsg,
) -> Result<(), axum::Error> {
    if form == Form::Tree {
        return send(socket, &msg).await;
    }
    let page = match msg {
        RulesetMsg::Change(c) => RulesPageMsg::Change {
            generation: c.generation,
            banner: c.banner(),
        },
        RulesetMsg::Counters(c) => RulesPageMsg::Counters(c),
        RulesetMsg::Error { message } => RulesPageMsg::Error { message },
        // The ruleset goes through `Rendered`, answers through `answer`,
        // which knows what was asked.
        RulesetMsg::Ruleset(_)
        | RulesetMsg::Rule(_)
        | RulesetMsg::Commit(_) => return Ok(()),
    };
    send(socket, &page).await
}

/// Where the stream reads what it sends.
struct Sources {
    flows: StateHandle,
    rendered: Rendered,
    findings: FindingsFeed,
}

impl Sources {
    fn rule_findings(&self) -> RuleFindings {
        self.findings.borrow().by_rule()
    }
}

/// What the client was sent last.
#[derive(Default)]
struct Sent {
    ruleset: Option<Arc<Ruleset>>,
    rates: Arc<Rates>,
    /// Commits of the history sent, by generation.
    generation: Option<u32>,
    /// The badges of the document sent.
    findings: RuleFindings,
    /// The tag of the document the page had before the stream opened.
    held: Option<String>,
}

async fn run(
    mut socket: WebSocket,
    from: Sources,
    form: Form,
    held: Option<String>,
) {
    let mut ticks = from.flows.subscribe();
    let mut sent = Sent {
        held,
        ..Sent::default()
    };
    loop {
        if catch_up(&mut socket, &from, &mut sent, form).await.is_err() {
            return;
        }
        tokio::select! {
            tick = ticks.recv() => match tick {
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => ticks = ticks.resubscribe(),
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(Message::Text(text))) => {
                    if answer(&mut socket, &from, &text, form).await.is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Answers what the client asked; a question it cannot parse gets an
/// error message and leaves the stream open.
async fn answer(
    socket: &mut WebSocket,
    from: &Sources,
    text: &str,
    form: Form,
) -> Result<(), axum::Error> {
    let ask = match serde_json::from_str::<RulesetAsk>(text) {
        Ok(ask) => ask,
        Err(e) => {
            let message = format!("cannot read the request: {e}");
            return say(socket, form, RulesetMsg::Error { message }).await;
        }
    };
    let (ruleset, rates, commit) = {
        let shared = from.flows.read();
        let state = &shared.ruleset;
        let commit = match &ask {
            RulesetAsk::Commit(g) => {
                state.history.iter().find(|c| c.generation == *g).cloned()
            }
            RulesetAsk::Rule(_) => None,
        };
        (state.current.clone(), Arc::clone(&state.rates), commit)
    };
    match (ask, form) {
        (RulesetAsk::Rule(at), form) => {
            let detail =
                ruleset.and_then(|r| view::rule_detail(&r, &rates, &at));
            match form {
                Form::Tree => {
                    send(socket, &RulesetMsg::Rule(detail.map(Box::new))).await
                }
                Form::Page => {
                    let findings = from.rule_findings();
                    let html = rules_html::rule(
                        &at,
                        detail.as_ref(),
                        findings.of(&at),
                    );
                    send(socket, &RulesPageMsg::Panel(html)).await
                }
            }
        }
        (RulesetAsk::Commit(_), Form::Tree) => {
            send(socket, &RulesetMsg::Commit(commit)).await
        }
        (RulesetAsk::Commit(g), Form::Page) => {
            let html = rules_html::commit(g, commit.as_ref());
            send(socket, &RulesPageMsg::Panel(html)).await
        }
    }
}

/// Sends what changed since `sent`.
async fn catch_up(
    socket: &mut WebSocket,
    from: &Sources,
    sent: &mut Sent,
    form: Form,
) -> Result<(), axum::Error> {
    let (ruleset, rates, changes) = {
        let shared = from.flows.read();
        let state = &shared.ruleset;
        let changes: Vec<_> = match sent.generation {
            Some(g) => state
                .history
                .iter()
                .filter(|c| c.generation > g)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        (state.current.clone(), Arc::clone(&state.rates), changes)
    };
    let Some(ruleset) = ruleset else {
        return Ok(());
    };
    let new_ruleset = !sent
        .ruleset
        .as_ref()
        .is_some_and(|s| Arc::ptr_eq(s, &ruleset));
    let findings = match form {
        Form::Page => from.rule_findings(),
        Form::Tree => RuleFindings::default(),
    };
    let held = sent.held.take().is_some_and(|tag| {
        tag == rules_html::tag(ruleset.generation, &findings)
    });
    if held {
        // The page loaded with this document: only counters that moved
        // since it was rendered are news, and it was rendered when the
        // page loaded, not known when.
        let counted = view::counted_counters(&rates);
        if !counted.is_empty() {
            say(socket, form, RulesetMsg::Counters(counted)).await?;
        }
        sent.generation = Some(ruleset.generation);
        sent.ruleset = Some(ruleset);
        sent.findings = findings;
        sent.rates = rates;
    } else if new_ruleset || findings != sent.findings {
        for change in changes {
            say(socket, form, RulesetMsg::Change(change)).await?;
        }
        let (text, counted) = from
            .rendered
            .message(&ruleset, &rates, form, &findings)
            .await?;
        send_text(socket, text).await?;
        sent.generation = Some(ruleset.generation);
        sent.ruleset = Some(ruleset);
        sent.findings = findings;
        // The next tick sends what moved since the rendering counted.
        sent.rates = counted;
    } else if !Arc::ptr_eq(&sent.rates, &rates) {
        let moved = view::moved_counters(&sent.rates, &rates);
        if !moved.is_empty() {
            say(socket, form, RulesetMsg::Counters(moved)).await?;
        }
        sent.rates = rates;
    }
    Ok(())
}
