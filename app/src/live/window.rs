//! The browser end of `/api/ws` with a window: applies each message to
//! the page's live table and tells the server when the page wants other
//! rows or another open flow.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;

use super::socket::{json, Socket};
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
    let drawing = Rc::new(Cell::new(false));
    let socket = Socket::open(
        path,
        link,
        json(move |msg| {
            // Untracked: a status-only tick must not redraw the rows.
            match table.try_update_untracked(|t| t.apply(msg)) {
                Some(Applied::Refused(reason)) => Err(reason),
                Some(Applied::Changed) => {
                    redraw_next_frame(table, &drawing);
                    Ok(())
                }
                Some(Applied::Unchanged) | None => Ok(()),
            }
        }),
    );
    Connection { socket, window }
}

/// Draws the rows once before the next frame, however many windows came
/// since the last one: a page that draws slower than windows arrive
/// (a tall one, on a slow machine) draws the latest instead of falling
/// further behind with each.
fn redraw_next_frame(table: RwSignal<LiveTable>, drawing: &Rc<Cell<bool>>) {
    if drawing.replace(true) {
        return;
    }
    let drawing = Rc::clone(drawing);
    request_animation_frame(move || {
        drawing.set(false);
        table.notify();
    });
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
