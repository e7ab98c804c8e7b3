//! The browser's edits of the server-rendered document and panel:
//! counters written in place, rows shown or hidden by the search and
//! the family, the open rule marked, and a new document or panel set
//! whole.

use std::collections::HashMap;

use leptos::prelude::document;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::sparkline;
use super::RulesView;
use crate::format;
use crate::wire::ruleset::{Counted, RuleCounted};

/// Where each rule's counters show (its row, and the panel when it
/// shows the rule), found again whenever either is replaced.
pub struct Index {
    root: Element,
    panel: Element,
    counters: HashMap<String, Vec<Element>>,
}

impl Index {
    /// The document and panel in the page, if the page has them.
    pub fn find() -> Option<Self> {
        let root = document().query_selector("[data-doc]").ok()??;
        let panel = document().query_selector("[data-panel]").ok()??;
        let mut index = Self {
            root,
            panel,
            counters: HashMap::new(),
        };
        index.reindex();
        Some(index)
    }

    fn reindex(&mut self) {
        self.counters.clear();
        for el in all(&self.root, "[data-rule]")
            .into_iter()
            .chain(all(&self.panel, "[data-rule]"))
        {
            if let Some(at) = el.get_attribute("data-rule") {
                self.counters.entry(at).or_default().push(el);
            }
        }
    }

    pub fn replace_document(&mut self, html: &str) {
        self.root.set_inner_html(html);
        self.reindex();
    }

    pub fn replace_panel(&mut self, html: &str) {
        self.panel.set_inner_html(html);
        self.reindex();
    }

    pub fn count(&self, moved: &[RuleCounted]) {
        for m in moved {
            for place in
                self.counters.get(&m.rule.to_string()).into_iter().flatten()
            {
                show_counter(place, &m.counter);
            }
        }
    }

    /// Shows what `view` asks for: its family, the rows its search
    /// finds (and their chains), its syntax, its open rule.
    pub fn show(&self, view: &RulesView) {
        let syntax = if view.iptables { "iptables" } else { "nft" };
        let _ = self.root.set_attribute("data-syntax", syntax);
        for section in all(&self.root, "section[data-family]") {
            let family = section.get_attribute("data-family");
            let other = view.family.is_some() && view.family != family;
            hide(&section, other);
        }
        let open = view.rule.as_ref().map(ToString::to_string);
        for chain in all(&self.root, "div[data-chain]") {
            let name = chain.get_attribute("data-search").unwrap_or_default();
            let whole = view.finds(&name);
            let mut shown = false;
            for row in all(&chain, "tr[data-rule]") {
                let text = row.get_attribute("data-search").unwrap_or_default();
                let found = whole || view.finds(&text);
                shown |= found;
                hide(&row, !found);
                let selected =
                    open.is_some() && row.get_attribute("data-rule") == open;
                let _ =
                    row.set_attribute("aria-selected", &selected.to_string());
            }
            hide(&chain, !(whole || shown));
        }
    }
}

/// Writes a counter where a row or the panel shows it.
fn show_counter(place: &Element, c: &Counted) {
    set_text(place, "[data-packets]", &format::count(c.packets));
    set_text(place, "[data-bytes]", &format::bytes(c.bytes));
    set_text(place, "[data-rate]", &sparkline::rate(c));
    if let (Some(recent), Some(line)) =
        (&c.recent, first(place, "[data-spark]"))
    {
        let size = line.get_attribute("data-spark");
        if let Some(size) = size.as_deref().and_then(sparkline::Size::parse) {
            let _ =
                line.set_attribute("points", &sparkline::points(recent, size));
        }
    }
    if let Some(badge) = first(place, "[data-never]") {
        hide(&badge, c.matched);
    }
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect()
}

fn first(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

fn set_text(row: &Element, selector: &str, text: &str) {
    if let Some(cell) = first(row, selector) {
        cell.set_text_content(Some(text));
    }
}

fn hide(el: &Element, hidden: bool) {
    let _ = if hidden {
        el.set_attribute("hidden", "")
    } else {
        el.remove_attribute("hidden")
    };
}
