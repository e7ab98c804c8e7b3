//! A finding's badge on the rule it names: its severity, its summary
//! on hover, a link to it on the findings page.

use leptos::prelude::*;

use crate::wire::finding::{FindingNote, RuleFindings, Severity};

/// The findings of the rendering, as the document's rows read them.
pub fn provided() -> RuleFindings {
    use_context::<RuleFindings>().unwrap_or_default()
}

pub fn badge(note: &FindingNote) -> impl IntoView {
    let tone = match note.severity {
        Severity::Error => {
            "bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100"
        }
        Severity::Warning => {
            "bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-100"
        }
        Severity::Info => {
            "bg-sky-100 text-sky-800 dark:bg-sky-900 dark:text-sky-100"
        }
    };
    view! {
        <a
            href=format!("/findings#{}", note.id)
            data-finding=note.id.clone()
            title=note.summary.clone()
            class=format!("ml-2 rounded px-1 text-xs no-underline {tone}")
        >
            {format!("{} finding", note.severity.as_str())}
        </a>
    }
}
