//! `GET /metrics`: the state in Prometheus' text format, for watching
//! several boxes together. Series are bounded: flows by protocol and
//! state (a few dozen), by kind of NAT (three), one set per collector,
//! and the counters of at most [`MAX_RULES`] rules.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use app::wire::history::HistoryStatus;
use app::wire::Health;

use super::AppState;
use crate::collect::nftables::counters::RuleId;
use crate::state::ruleset::Rates;
use crate::state::snapshot::Tally;

/// Rules whose counters become series, the first by family, table,
/// chain and handle; `nfscope_rule_series_omitted` counts the rest.
pub const MAX_RULES: usize = 500;

pub async fn serve(State(state): State<AppState>) -> Response {
    let flows = state.compute.flows().clone();
    let (status, rates, generation) = {
        let shared = flows.read();
        let r = &shared.ruleset;
        (
            shared.status.clone(),
            Arc::clone(&r.rates),
            r.current.as_ref().map(|c| c.generation),
        )
    };
    // A big table takes milliseconds to count: not on an async worker.
    let tally = tokio::task::spawn_blocking(move || flows.snapshot().tally())
        .await
        .unwrap_or_default();
    let history = state.history.as_ref().map(|h| h.status());
    let text = render(&status, &tally, &rates, generation, history.as_ref());
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response()
}

fn render(
    status: &Health,
    tally: &Tally,
    rates: &Rates,
    generation: Option<u32>,
    history: Option<&HistoryStatus>,
) -> String {
    let mut out = Metrics::default();
    out.family(
        "nfscope_conntrack_entries",
        "gauge",
        "Entries in the conntrack table.",
    );
    out.sample("nfscope_conntrack_entries", &[], status.entries as f64);

    out.family("nfscope_flows", "gauge", "Flows by protocol and state.");
    for ((proto, state), n) in &tally.by_state {
        out.sample(
            "nfscope_flows",
            &[("proto", proto), ("state", state)],
            *n as f64,
        );
    }
    out.family("nfscope_flows_nat", "gauge", "Flows by kind of NAT.");
    for (kind, n) in &tally.by_nat {
        out.sample("nfscope_flows_nat", &[("kind", kind)], *n as f64);
    }

    type Field = fn(&app::wire::CollectorHealth) -> f64;
    let collector: [(&str, &str, &str, Field); 6] = [
        (
            "nfscope_collector_events_total",
            "counter",
            "Events received.",
            |c| c.events_received as f64,
        ),
        (
            "nfscope_collector_events_per_second",
            "gauge",
            "Events per second lately.",
            |c| c.events_per_sec,
        ),
        (
            "nfscope_collector_lost_events_total",
            "counter",
            "Times the kernel dropped events (ENOBUFS).",
            |c| c.enobufs as f64,
        ),
        (
            "nfscope_collector_resyncs_total",
            "counter",
            "Full re-reads that repaired lost events.",
            |c| c.resyncs as f64,
        ),
        (
            "nfscope_collector_decode_errors_total",
            "counter",
            "Messages that failed to decode.",
            |c| c.decode_errors as f64,
        ),
        (
            "nfscope_collector_up",
            "gauge",
            "1 while the collector runs without error.",
            |c| f64::from(u8::from(c.error.is_none())),
        ),
    ];
    for (name, kind, help, field) in collector {
        out.family(name, kind, help);
        for (collector, health) in &status.collectors {
            out.sample(name, &[("collector", collector)], field(health));
        }
    }

    if let Some(h) = history {
        let store: [(&str, &str, &str, f64); 7] = [
            (
                "nfscope_history_bytes",
                "gauge",
                "Size of the history database.",
                h.bytes as f64,
            ),
            (
                "nfscope_history_max_bytes",
                "gauge",
                "The history's size cap (database and log).",
                h.max_bytes as f64,
            ),
            (
                "nfscope_history_flows",
                "gauge",
                "Flows the history holds.",
                h.flows as f64,
            ),
            (
                "nfscope_history_moments",
                "gauge",
                "Moments of flows' lives the history holds.",
                h.moments as f64,
            ),
            (
                "nfscope_history_written_total",
                "counter",
                "Moments written to the history.",
                h.written as f64,
            ),
            (
                "nfscope_history_lost_total",
                "counter",
                "Moments the history missed because it fell behind.",
                h.lost as f64,
            ),
            (
                "nfscope_history_write_seconds_total",
                "counter",
                "Time the history's writer spent in transactions.",
                h.busy_ms as f64 / 1000.0,
            ),
        ];
        for (name, kind, help, value) in store {
            out.family(name, kind, help);
            out.sample(name, &[], value);
        }
    }
    if let Some(g) = generation {
        out.family(
            "nfscope_ruleset_generation",
            "gauge",
            "The ruleset's generation: it counts commits.",
        );
        out.sample("nfscope_ruleset_generation", &[], f64::from(g));
    }
    let mut ids: Vec<&RuleId> = rates.keys().collect();
    ids.sort_unstable();
    let omitted = ids.len().saturating_sub(MAX_RULES);
    ids.truncate(MAX_RULES);
    for (name, help, bytes) in [
        ("nfscope_rule_packets_total", "Packets a rule's counter counted (handle 0: a base chain's policy; no chain: a named counter).", false),
        ("nfscope_rule_bytes_total", "Bytes a rule's counter counted.", true),
    ] {
        out.family(name, "counter", help);
        for id in &ids {
            let c = rates[*id].counter;
            let family = id.family.name();
            let handle = id.handle.to_string();
            let labels = [
                ("family", family.as_str()),
                ("table", id.table.as_str()),
                ("chain", id.chain.as_str()),
                ("handle", handle.as_str()),
            ];
            out.sample(name, &labels, if bytes { c.bytes } else { c.packets } as f64);
        }
    }
    out.family(
        "nfscope_rule_series_omitted",
        "gauge",
        "Counting rules left out of the rule series (beyond the bound).",
    );
    out.sample("nfscope_rule_series_omitted", &[], omitted as f64);
    out.text
}

#[derive(Default)]
struct Metrics {
    text: String,
}

impl Metrics {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ =
            writeln!(self.text, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.text.push_str(name);
        if !labels.is_empty() {
            let inner: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                .collect();
            let _ = write!(self.text, "{{{}}}", inner.join(","));
        }
        let _ = writeln!(self.text, " {value}");
    }
}

/// A label value as the text format quotes it.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::nftables::ruleset::Family;

    #[test]
    fn the_text_format_has_help_type_and_escaped_labels() {
        let mut status = Health {
            entries: 3,
            ..Health::default()
        };
        status
            .collectors
            .insert("conntrack".into(), Default::default());
        let mut tally = Tally::default();
        tally
            .by_state
            .insert(("tcp".into(), "established".into()), 2);
        tally.by_nat.insert("dnat", 1);
        let mut rates = Rates::new();
        let id = RuleId {
            family: Family::Inet,
            table: "t\"x".into(),
            chain: "input".into(),
            handle: 4,
        };
        rates.insert(id, Default::default());
        let history = HistoryStatus {
            flows: 12,
            ..HistoryStatus::default()
        };
        let text = render(&status, &tally, &rates, Some(7), Some(&history));
        for line in [
            "# TYPE nfscope_conntrack_entries gauge",
            "nfscope_conntrack_entries 3",
            r#"nfscope_flows{proto="tcp",state="established"} 2"#,
            r#"nfscope_flows_nat{kind="dnat"} 1"#,
            r#"nfscope_collector_up{collector="conntrack"} 1"#,
            "nfscope_ruleset_generation 7",
            "nfscope_history_flows 12",
            r#"nfscope_rule_packets_total{family="inet",table="t\"x",chain="input",handle="4"} 0"#,
            "nfscope_rule_series_omitted 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }

    /// The dashboard in the repository asks only for series this serves.
    #[test]
    fn the_grafana_dashboard_queries_metrics_that_exist() {
        let mut status = Health::default();
        status
            .collectors
            .insert("conntrack".into(), Default::default());
        let history = HistoryStatus::default();
        let text = render(
            &status,
            &Tally::default(),
            &Rates::new(),
            Some(1),
            Some(&history),
        );
        let dashboard = include_str!("../../../deploy/grafana/nfscope.json");
        let mut asked = dashboard.split("nfscope_").skip(1).map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            format!("# TYPE nfscope_{name} ")
        });
        assert!(asked.all(|t| text.contains(&t)), "{dashboard}");
    }
}
