//! The browser end of `/api/ws`: connects, applies messages to the live
//! table, and reconnects with a backoff when the stream breaks.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::{Applied, Health, Link, LiveTable};
use crate::wire::{ServerMsg, Window};

const RETRY_MS: [i32; 5] = [250, 500, 1000, 2000, 5000];

/// Streams the rows `window` of the view `query` (the `q=...&sort=...`
/// part of the page URL) into `table` until the returned guard is dropped.
pub fn connect(
    query: String,
    window: Window,
    table: RwSignal<LiveTable>,
    health: Health,
) -> Connection {
    let conn = Connection {
        inner: Rc::new(RefCell::new(Inner {
            query,
            window,
            socket: None,
            attempts: 0,
            closed: false,
            handlers: None,
        })),
    };
    open(&conn.inner, table, health);
    conn
}

/// Closes the stream when dropped.
pub struct Connection {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    query: String,
    /// The rows the page wants; a reconnect asks for them in its URL.
    window: Window,
    socket: Option<WebSocket>,
    attempts: usize,
    closed: bool,
    /// Kept alive while the socket can call them.
    handlers: Option<Handlers>,
}

struct Handlers {
    _message: Closure<dyn FnMut(MessageEvent)>,
    _open: Closure<dyn FnMut()>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

impl Connection {
    /// Asks for other rows, or another open flow.
    pub fn set_window(&self, window: Window) {
        let mut inner = self.inner.borrow_mut();
        if inner.window == window {
            return;
        }
        inner.window = window;
        let Some(ws) = inner.socket.as_ref() else {
            return;
        };
        if ws.ready_state() == WebSocket::OPEN {
            if let Ok(text) = serde_json::to_string(&window) {
                let _ = ws.send_with_str(&text);
            }
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let mut inner = self.inner.borrow_mut();
        inner.closed = true;
        if let Some(ws) = inner.socket.take() {
            ws.set_onclose(None);
            let _ = ws.close();
        }
    }
}

type Shared = Rc<RefCell<Inner>>;

fn open(inner: &Shared, table: RwSignal<LiveTable>, health: Health) {
    let link = health.link;
    let url = {
        let location = window().location();
        let proto = match location.protocol().as_deref() {
            Ok("https:") => "wss:",
            _ => "ws:",
        };
        let host = location.host().unwrap_or_default();
        let inner = inner.borrow();
        let Window {
            offset,
            limit,
            open,
        } = inner.window;
        let open = open.map(|k| format!("&open={k}")).unwrap_or_default();
        format!(
            "{proto}//{host}/api/ws?{}&offset={offset}&limit={limit}{open}",
            inner.query
        )
    };
    link.set(Link::Connecting);
    let Ok(ws) = WebSocket::new(&url) else {
        retry(inner, table, health);
        return;
    };

    let weak = Rc::downgrade(inner);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
        let weak = weak.clone();
        move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            let msg = match serde_json::from_str::<ServerMsg>(&text) {
                Ok(msg) => msg,
                Err(e) => {
                    leptos::logging::warn!("bad stream message: {e}");
                    return;
                }
            };
            // Untracked: a status-only tick must not redraw the rows.
            let applied = table.try_update_untracked(|t| t.apply(msg));
            match applied {
                Some(Applied::Refused(reason)) => {
                    if let Some(inner) = weak.upgrade() {
                        inner.borrow_mut().closed = true;
                    }
                    link.set(Link::Down(Some(reason)));
                }
                Some(Applied::Changed(status)) => {
                    table.notify();
                    health.status.set(status);
                }
                Some(Applied::Unchanged(status)) => health.status.set(status),
                None => {}
            }
        }
    });
    let on_open = Closure::<dyn FnMut()>::new({
        let weak = weak.clone();
        move || {
            if let Some(inner) = weak.upgrade() {
                inner.borrow_mut().attempts = 0;
            }
            link.set(Link::Live);
        }
    });
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_| {
        if let Some(inner) = weak.upgrade() {
            retry(&inner, table, health);
        }
    });
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let mut state = inner.borrow_mut();
    state.socket = Some(ws);
    state.handlers = Some(Handlers {
        _message: on_message,
        _open: on_open,
        _close: on_close,
    });
}

fn retry(inner: &Shared, table: RwSignal<LiveTable>, health: Health) {
    let delay = {
        let mut state = inner.borrow_mut();
        if state.closed {
            return;
        }
        state.socket = None;
        let delay = RETRY_MS[state.attempts.min(RETRY_MS.len() - 1)];
        state.attempts += 1;
        delay
    };
    health.link.set(Link::Down(None));
    let weak = Rc::downgrade(inner);
    set_timeout(
        move || {
            if let Some(inner) = weak.upgrade() {
                open(&inner, table, health);
            }
        },
        std::time::Duration::from_millis(delay as u64),
    );
}
