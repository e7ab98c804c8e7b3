//! The browser end of `/api/ws` with a window: applies each message to
//! the page's live table and tells the server when the page wants other
//! rows or another open flow.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;

use super::socket::Socket;
use super::{Applied, Link, LiveTable};
use crate::wire::Window;

/// Streams the rows `window` of the view `query` (a `q=...&sort=...`
/// query string) into `table` until dropped.
pub fn connect(
    query: String,
    window: Window,
    table: RwSignal<LiveTable>,
    link: RwSignal<Link>,
) -> Connection {
    let window = Rc::new(Cell::new(window));
    let path = {
        let window = Rc::clone(&window);
        move || {
            let Window {
                offset,
                limit,
                open,
            } = window.get();
            let open = open.map(|k| format!("&open={k}")).unwrap_or_default();
            format!("/api/ws?{query}&offset={offset}&limit={limit}{open}")
        }
    };
    let socket = Socket::open(path, link, move |msg| {
        // Untracked: a status-only tick must not redraw the rows.
        match table.try_update_untracked(|t| t.apply(msg)) {
            Some(Applied::Refused(reason)) => Err(reason),
            Some(Applied::Changed) => {
                table.notify();
                Ok(())
            }
            Some(Applied::Unchanged) | None => Ok(()),
        }
    });
    Connection { socket, window }
}

/// Closes the stream when dropped.
pub struct Connection {
    socket: Socket,
    /// The rows the page wants; a reconnect asks for them in its URL.
    window: Rc<Cell<Window>>,
}

impl Connection {
    /// Asks for other rows, or another open flow.
    pub fn set_window(&self, window: Window) {
        if self.window.replace(window) == window {
            return;
        }
        if let Ok(text) = serde_json::to_string(&window) {
            self.socket.send(&text);
        }
    }
}
