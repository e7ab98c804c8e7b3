//! Where server-side rendering reads its data. The server implements this
//! over its live state and provides it as Leptos context.

use std::sync::Arc;

use crate::query::{Filter, Sort};
use crate::wire::{Flow, FlowKey, FlowPage, Health};

pub trait FlowSource: Send + Sync {
    fn page(&self, filter: &Filter, sort: &Sort, limit: usize) -> FlowPage;
    fn flow(&self, key: &FlowKey) -> Option<Flow>;
    fn status(&self) -> Health;
}

pub type SharedSource = Arc<dyn FlowSource>;
