//! The browser end of `/api/ws/status`: keeps the header's [`HeaderState`]
//! live on every page, whatever the page streams itself.

use leptos::prelude::*;

use super::socket::{json, Socket};
use super::HeaderState;
use crate::wire::PageMsg;

/// Follows the collector's status into `health` until dropped.
pub fn follow(health: HeaderState) -> Socket {
    Socket::open(
        || "/api/ws/status".to_owned(),
        health.link,
        json(move |msg| {
            match msg {
                PageMsg::Health(status) => {
                    // The heartbeat repeats it; the header need not redraw.
                    if health.status.with_untracked(|s| *s != status) {
                        health.status.set(status);
                    }
                    Ok(())
                }
                PageMsg::Error { message } => Err(message),
                PageMsg::Window(_) => Ok(()),
            }
        }),
    )
}
