//! The rules page: every table of every family as nft (or, for the
//! tables iptables-nft manages, `iptables-save`) prints it, with live
//! counters, the hooks each family's base chains sit on, and each
//! table's graph of jumps; a panel for one rule or one commit.
//!
//! The ruleset itself is a document the server renders (`document`):
//! it is large and changes only at a commit, so the browser sets it
//! whole and then only patches it (`patch`). What the browser builds is
//! the frame: the toolbar, the banner and the panel.

mod banner;
#[cfg(feature = "ssr")]
pub mod document;
mod panel;
mod params;
#[cfg(feature = "hydrate")]
mod patch;
mod sparkline;
mod toolbar;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::live::Link;
use crate::location;

pub use params::RulesView;

/// Families in the order the page shows them.
const FAMILIES: [&str; 6] = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];

/// What the page knows of the document it shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Shown {
    generation: Option<u32>,
    /// The tag of the document the page was loaded with, which the
    /// stream is told on (re)connecting; none once the stream sent
    /// another.
    tag: String,
    /// Some table is managed by iptables-nft.
    iptables: bool,
    /// The last commit seen while the page was open: its generation and
    /// what it changed.
    #[serde(skip)]
    banner: Option<(u32, String)>,
}

/// Changes the view; the URL is the single source of truth.
pub type Go = Callback<RulesView>;

/// What the page's parts read.
#[derive(Clone, Copy)]
struct Live {
    view: RwSignal<RulesView>,
    go: Go,
    shown: RwSignal<Shown>,
}

#[component]
pub fn RulesPage() -> impl IntoView {
    let view = RwSignal::new(RulesView::from_query(&location::current().1));
    let (shown, document, panel) = load_initial(&view.get_untracked());
    let shown = RwSignal::new(SharedValue::new(move || shown).into_inner());
    let link = RwSignal::new(Link::Connecting);
    let go: Go = Callback::new(move |v: RulesView| {
        #[cfg(feature = "hydrate")]
        location::replace(&v.href());
        view.set(v);
    });
    let live = Live { view, go, shown };
    #[cfg(feature = "hydrate")]
    stream(live, link);

    let open_rule = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        if let Some(at) = clicked_rule(&ev) {
            let mut v = view.get_untracked();
            v.rule = Some(at);
            v.diff = None;
            go.run(v);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let syntax =
        view.with_untracked(|v| if v.iptables { "iptables" } else { "nft" });
    view! {
        <div class="flex min-h-0 flex-1">
            <div class="min-h-0 flex-1 overflow-y-auto" data-testid="rules">
                <toolbar::Toolbar live link/>
                <banner::Banner live/>
                <div
                    data-doc
                    data-syntax=syntax
                    class="group p-4"
                    on:click=open_rule
                    inner_html=document
                ></div>
            </div>
            <panel::Panel live html=panel/>
        </div>
    }
}

/// The rule of the row a click landed in.
#[cfg(feature = "hydrate")]
fn clicked_rule(
    ev: &leptos::ev::MouseEvent,
) -> Option<crate::wire::ruleset::RuleRef> {
    use wasm_bindgen::JsCast;
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    // A link (the graph's, the hooks') goes where it points.
    if target.closest("a").ok()?.is_some() {
        return None;
    }
    let row = target.closest("tr[data-rule]").ok()??;
    row.get_attribute("data-rule")?.parse().ok()
}

/// Keeps the document and its counters live, shows the view, and asks
/// for the panel the view names.
#[cfg(feature = "hydrate")]
fn stream(live: Live, link: RwSignal<Link>) {
    use crate::live::{json, Socket};
    use crate::wire::ruleset::{RulesPageMsg, RulesetAsk};
    use patch::Index;

    let index = StoredValue::new_local(None::<Index>);
    let socket = Socket::open(
        move || {
            let tag = live.shown.with_untracked(|s| s.tag.clone());
            format!("/api/ws/ruleset?html=1&have={tag}")
        },
        link,
        json(move |msg: RulesPageMsg| {
            let view = live.view.get_untracked();
            index.update_value(|i| {
                let Some(i) = i else { return };
                match msg {
                    RulesPageMsg::Document(d) => {
                        i.replace_document(&d.html);
                        i.show(&view);
                        live.shown.update(|s| {
                            s.generation = Some(d.generation);
                            s.tag.clear();
                            s.iptables = d.iptables;
                        });
                    }
                    RulesPageMsg::Change { generation, banner } => {
                        live.shown
                            .update(|s| s.banner = Some((generation, banner)));
                    }
                    RulesPageMsg::Counters(moved) => i.count(&moved),
                    RulesPageMsg::Panel(html) => i.replace_panel(&html),
                    RulesPageMsg::Error { message } => {
                        leptos::logging::warn!("ruleset stream: {message}");
                    }
                }
            });
            Ok(())
        }),
    );
    let socket = StoredValue::new_local(socket);
    // After hydration the document is in the page, rendered for the
    // view of the URL: index it once, then show each later view.
    Effect::new(move |_| {
        let view = live.view.get();
        index.update_value(|i| match i {
            Some(i) => i.show(&view),
            None => *i = Index::find(),
        });
    });
    // The panel's content: asked again when the stream comes up and
    // after each commit.
    let ask = Memo::new(move |_| {
        let ask = live.view.with(|v| match (&v.rule, v.diff) {
            (Some(at), _) => Some(RulesetAsk::Rule(at.clone())),
            (None, Some(generation)) => Some(RulesetAsk::Commit(generation)),
            (None, None) => None,
        })?;
        serde_json::to_string(&ask).ok()
    });
    let generation = Memo::new(move |_| live.shown.with(|s| s.generation));
    Effect::new(move |_| {
        generation.track();
        let Some(text) = ask.get() else { return };
        if link.with(|l| *l == Link::Live) {
            socket.with_value(|s| s.send(&text));
        }
    });
}

/// What the page knows, the document's HTML and the panel's. Only the
/// server has the HTML: the browser keeps what the server sent.
#[cfg(feature = "ssr")]
fn load_initial(view: &RulesView) -> (Shown, String, String) {
    let Some(source) = use_context::<crate::source::SharedSource>() else {
        return Default::default();
    };
    let ruleset = source.ruleset();
    let findings = source.rule_findings();
    let document = match &ruleset {
        Some(r) => document::html(r, view, &findings),
        None => "<p class=\"text-slate-500\">The ruleset is not read yet; the \
                 header says how its collector is doing.</p>"
            .to_owned(),
    };
    let panel = match (&view.rule, view.diff) {
        (Some(at), _) => {
            let detail = source.rule(at);
            document::panel::rule(at, detail.as_ref(), findings.of(at))
        }
        (None, Some(g)) => {
            document::panel::commit(g, source.commit(g).as_ref())
        }
        (None, None) => String::new(),
    };
    let shown = Shown {
        generation: ruleset.as_ref().map(|r| r.generation),
        tag: ruleset
            .as_ref()
            .map(|r| document::tag(r.generation, &findings))
            .unwrap_or_default(),
        iptables: ruleset.is_some_and(|r| r.tables.iter().any(|t| t.iptables)),
        banner: None,
    };
    (shown, document, panel)
}

#[cfg(not(feature = "ssr"))]
fn load_initial(_: &RulesView) -> (Shown, String, String) {
    Default::default()
}
