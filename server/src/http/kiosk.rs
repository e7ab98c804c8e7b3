//! The kiosk (`/kiosk`) and its numbers (`GET /api/kiosk`): computed from
//! one snapshot of the table, the status, the ruleset's rates and the
//! kernel's conntrack statistics. Only reads: nothing here changes
//! anything, whoever asks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use app::kiosk::{document, Rotation};
use app::query::FlowFields;
use app::wire::kiosk::{BusyRule, Kiosk, Service, Talker};
use app::wire::{nat_endpoint, Nat};
use axum::extract::{Query, State};
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::error::ApiError;
use super::view::number;
use super::AppState;
use crate::state::{now_ms, StateHandle};

/// The kiosk loads a stylesheet, and nothing else.
const POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                      base-uri 'none'; form-action 'none'; \
                      frame-ancestors 'none'";
/// Reloads, seconds: the default and the bounds of `every`.
const EVERY_SECS: u64 = 5;
const EVERY_RANGE: std::ops::RangeInclusive<u64> = 1..=300;
/// Reloads per list.
const PER_PANEL: u64 = 3;

/// The kernel's INVALID count at the previous answer, for a rate.
#[derive(Default)]
pub struct Invalid(Mutex<Option<(Instant, u64)>>);

pub fn page_routes() -> Router<AppState> {
    Router::new().route("/kiosk", get(page))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/kiosk", get(numbers))
}

#[derive(Debug, Default, Deserialize)]
struct KioskQuery {
    tick: Option<String>,
    every: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    Query(query): Query<KioskQuery>,
) -> Result<Response, ApiError> {
    let tick = number("tick", query.tick.as_deref())?.unwrap_or(0);
    let every = number("every", query.every.as_deref())?.unwrap_or(EVERY_SECS);
    if !EVERY_RANGE.contains(&every) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "every: {every} is not between {} and {} seconds",
                EVERY_RANGE.start(),
                EVERY_RANGE.end()
            ),
        ));
    }
    let kiosk = compute(&state).await;
    let rotation = Rotation {
        tick,
        every_secs: every,
        per_panel: PER_PANEL,
    };
    Ok((
        [(CONTENT_SECURITY_POLICY, POLICY)],
        Html(document(&kiosk, rotation)),
    )
        .into_response())
}

async fn numbers(State(state): State<AppState>) -> Json<Kiosk> {
    Json(compute(&state).await)
}

async fn compute(state: &AppState) -> Kiosk {
    let flows = state.compute.flows().clone();
    let invalid = Arc::clone(&state.invalid);
    state
        .compute
        .scan(move |snapshot| {
            let now = now_ms();
            let stats = crate::collect::conntrack::stats::read().ok();
            let mut k = Kiosk {
                at_ms: now,
                max_flows: stats.map(|s| u64::from(s.max_entries)),
                invalid_per_sec: stats.and_then(|s| invalid.rate(s.invalid)),
                ..Kiosk::default()
            };
            let mut tally = Tally::default();
            snapshot.each(|flow| tally.add(flow, now));
            k.flows = tally.flows;
            k.nat = tally.nat;
            k.new_per_sec = tally.new as f64 / Kiosk::NEW_WINDOW_SECS as f64;
            k.talkers = tally.talkers();
            k.services = tally.services();
            k.lost_events =
                snapshot.status.collectors.values().map(|c| c.enobufs).sum();
            k.rules = busy_rules(&flows);
            k
        })
        .await
}

#[derive(Default)]
struct Tally {
    flows: usize,
    nat: usize,
    new: usize,
    /// By source address: flows, bytes (when accounting is on).
    sources: HashMap<String, (usize, Option<u64>)>,
    /// By (proto, addressed, server).
    published: HashMap<(String, String, String), usize>,
}

impl Tally {
    fn add(&mut self, flow: &dyn FlowFields, now_ms: u64) {
        self.flows += 1;
        let (orig, reply) = (flow.orig(), flow.reply());
        let nat = flow.nat();
        if !nat.is_empty() {
            self.nat += 1;
        }
        let window = Kiosk::NEW_WINDOW_SECS * 1000;
        if flow.started_ms() + window >= now_ms {
            self.new += 1;
        }
        let bytes = flow.counters().map(|c| c.bytes());
        let source = self.sources.entry(orig.src.to_string()).or_default();
        source.0 += 1;
        source.1 = match (source.1, bytes) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        if nat.contains(&Nat::Dnat) {
            let key = (
                flow.proto().to_string(),
                nat_endpoint(orig.dst, orig.dport),
                nat_endpoint(reply.src, reply.sport),
            );
            *self.published.entry(key).or_default() += 1;
        }
    }

    fn talkers(&self) -> Vec<Talker> {
        let mut talkers: Vec<Talker> = self
            .sources
            .iter()
            .map(|(addr, &(flows, bytes))| Talker {
                addr: addr.clone(),
                flows,
                bytes,
            })
            .collect();
        talkers.sort_by(|a, b| {
            (b.bytes, b.flows, &a.addr).cmp(&(a.bytes, a.flows, &b.addr))
        });
        talkers.truncate(Kiosk::TOP);
        talkers
    }

    fn services(&self) -> Vec<Service> {
        let mut services: Vec<Service> = self
            .published
            .iter()
            .map(|((proto, addressed, server), &flows)| Service {
                proto: proto.clone(),
                addressed: addressed.clone(),
                server: server.clone(),
                flows,
            })
            .collect();
        services.sort_by(|a, b| {
            (b.flows, &a.addressed).cmp(&(a.flows, &b.addressed))
        });
        services.truncate(Kiosk::TOP);
        services
    }
}

/// The rules with the most packets per second, with their nft text.
fn busy_rules(flows: &StateHandle) -> Vec<BusyRule> {
    let Some((current, rates)) = flows.ruleset() else {
        return Vec::new();
    };
    let mut busy: Vec<_> = rates
        .iter()
        .filter(|(id, rate)| !id.chain.is_empty() && rate.packets_per_sec > 0.0)
        .collect();
    busy.sort_by(|a, b| b.1.packets_per_sec.total_cmp(&a.1.packets_per_sec));
    busy.into_iter()
        .take(Kiosk::TOP)
        .filter_map(|(id, rate)| {
            let family = id.family.name();
            let (_, _, rule) =
                current.locate(&family, &id.table, &id.chain, id.handle)?;
            Some(BusyRule {
                chain: format!("{family} {} {}", id.table, id.chain),
                text: rule.text.nft.clone(),
                packets_per_sec: rate.packets_per_sec,
            })
        })
        .collect()
}

impl Invalid {
    /// Packets per second found INVALID since the previous call, from
    /// the kernel's count now (conntrack's statistics, over netlink).
    fn rate(&self, count: u64) -> Option<f64> {
        let now = (Instant::now(), count);
        let mut last = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let before = last.replace(now)?;
        let secs = now.0.duration_since(before.0).as_secs_f64();
        (secs > 0.0).then(|| now.1.saturating_sub(before.1) as f64 / secs)
    }
}
