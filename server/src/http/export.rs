//! A view of flows as CSV (`GET /api/flows?format=csv`), one line per
//! flow, for a spreadsheet or a script.

use std::fmt::Write;

use app::format::utc_ms;
use app::wire::history::PastFlow;
use app::wire::{Flow, Tuple};

const HEADER: &str = "key,proto,state,orig_src,orig_sport,orig_dst,\
orig_dport,reply_src,reply_sport,reply_dst,reply_dport,nat,status,mark,\
zone,started,ended,orig_packets,orig_bytes,reply_packets,reply_bytes\r\n";

/// Live flows have no end.
pub fn csv<'a>(flows: impl Iterator<Item = (&'a Flow, Option<u64>)>) -> String {
    let mut out = String::from(HEADER);
    for (flow, ended_ms) in flows {
        line(&mut out, flow, ended_ms);
    }
    out
}

pub fn past(flows: &[PastFlow]) -> String {
    csv(flows.iter().map(|p| (&p.flow, p.ended_ms)))
}

fn line(out: &mut String, flow: &Flow, ended_ms: Option<u64>) {
    let nat: Vec<&str> = flow.nat.iter().map(|n| n.as_str()).collect();
    let status: Vec<&str> = flow.status.iter().map(|s| s.as_ref()).collect();
    let counters = flow.counters.unwrap_or_default();
    let _ = write!(
        out,
        "{},{},{},",
        flow.key,
        flow.proto,
        field(flow.state.as_deref().unwrap_or_default()),
    );
    tuple(out, &flow.orig);
    tuple(out, &flow.reply);
    let _ = write!(
        out,
        "{},{},{},{},{},{},",
        field(&nat.join(" ")),
        field(&status.join(" ")),
        flow.mark,
        flow.zone,
        utc_ms(flow.started_ms()),
        ended_ms.map(utc_ms).unwrap_or_default(),
    );
    let _ = write!(
        out,
        "{},{},{},{}\r\n",
        counters.orig.packets,
        counters.orig.bytes,
        counters.reply.packets,
        counters.reply.bytes
    );
}

fn tuple(out: &mut String, t: &Tuple) {
    let port = |p: Option<u16>| p.map(|p| p.to_string()).unwrap_or_default();
    let _ = write!(
        out,
        "{},{},{},{},",
        t.src,
        port(t.sport),
        t.dst,
        port(t.dport)
    );
}

/// Quoted when it holds a separator or a quote (RFC 4180); the kernel's
/// words never do, but a newer kernel's might.
fn field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_with_separators_are_quoted() {
        assert_eq!(field("ESTABLISHED"), "ESTABLISHED");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
