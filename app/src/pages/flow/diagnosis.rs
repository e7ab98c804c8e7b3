//! The flow page's diagnosis: the INVALID packets on the flow's path and
//! the findings that name it, rendered on the server only, like the
//! timeline (the browser sets it as it came).

use leptos::either::Either;
use leptos::prelude::*;

use crate::format::utc_ms;
use crate::wire::finding::{Finding, FlowDiagnosis};
use crate::wire::invalid::InvalidPacket;
use crate::wire::nat_endpoint;

/// The section's HTML.
pub fn html(d: &FlowDiagnosis) -> String {
    Owner::new().with(|| section(d).to_html())
}

fn section(d: &FlowDiagnosis) -> impl IntoView {
    let findings = (!d.findings.is_empty()).then(|| {
        let items = d.findings.iter().map(finding).collect_view();
        view! {
            <h2 class="mb-2 mt-6 font-semibold">"Findings"</h2>
            <ul data-flow-findings class="space-y-1 text-sm">{items}</ul>
        }
    });
    let packets = if d.invalid.is_empty() {
        Either::Left(view! {
            <p class="text-sm text-slate-500">
                {if d.capture {
                    "None seen on this flow's path."
                } else {
                    "The capture is off: an admin turns it on from the \
                     findings page."
                }}
            </p>
        })
    } else {
        let rows = d.invalid.iter().map(packet).collect_view();
        Either::Right(view! {
            <ol data-flow-invalid class="space-y-1 font-mono text-xs">{rows}</ol>
        })
    };
    view! {
        <section data-diagnosis class="mt-6">
            {findings}
            <h2 class="mb-2 mt-6 font-semibold">"INVALID packets"</h2>
            {packets}
        </section>
    }
}

fn finding(f: &Finding) -> impl IntoView {
    let summary = f.summary.clone();
    let href = format!("/findings#{}", f.id);
    view! {
        <li>
            <span class="mr-2 text-xs uppercase">{f.severity.as_str()}</span>
            <a class="text-sky-700 underline dark:text-sky-400" href=href>
                {summary}
            </a>
        </li>
    }
}

fn packet(p: &InvalidPacket) -> impl IntoView {
    let flags = p.tcp_flags.map(|f| format!(" {f}")).unwrap_or_default();
    let via = match (&p.in_dev, &p.out_dev) {
        (Some(i), Some(o)) => format!(" {i} → {o}"),
        (Some(i), None) => format!(" in {i}"),
        (None, Some(o)) => format!(" out {o}"),
        (None, None) => String::new(),
    };
    let text = format!(
        "{} {}{flags} {} → {} at {}{via}",
        utc_ms(p.at_ms),
        p.proto,
        nat_endpoint(p.src, p.sport),
        nat_endpoint(p.dst, p.dport),
        p.hook,
    );
    view! { <li>{text}</li> }
}
