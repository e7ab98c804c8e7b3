//! A WebSocket to the server that hands each message to its owner, shows
//! its state in a [`Link`], and reconnects with a backoff when it breaks.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::Link;

const RETRY_MS: [u64; 5] = [250, 500, 1000, 2000, 5000];

type Handler = Rc<dyn Fn(&str) -> Result<(), String>>;

/// Closes the stream when dropped.
pub struct Socket {
    inner: Shared,
}

type Shared = Rc<RefCell<Inner>>;

struct Inner {
    /// The path and query to connect to, asked again at each reconnect.
    path: Box<dyn Fn() -> String>,
    handler: Handler,
    link: RwSignal<Link>,
    socket: Option<WebSocket>,
    attempts: usize,
    closed: bool,
    /// Kept alive while the socket can call them.
    handlers: Option<Callbacks>,
}

struct Callbacks {
    _message: Closure<dyn FnMut(MessageEvent)>,
    _open: Closure<dyn FnMut()>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Connects to `path` (and query) on the page's host. `handler` makes
    /// something of each message (see [`json`]); an `Err` holds why the
    /// server refused the stream, which then stays closed.
    pub fn open(
        path: impl Fn() -> String + 'static,
        link: RwSignal<Link>,
        handler: impl Fn(&str) -> Result<(), String> + 'static,
    ) -> Self {
        let inner = Rc::new(RefCell::new(Inner {
            path: Box::new(path),
            handler: Rc::new(handler),
            link,
            socket: None,
            attempts: 0,
            closed: false,
            handlers: None,
        }));
        connect(&inner);
        Self { inner }
    }

    /// Sends `text` if the stream is up; a reconnect asks for what it
    /// needs through its path instead.
    pub fn send(&self, text: &str) {
        let inner = self.inner.borrow();
        if let Some(ws) = &inner.socket {
            if ws.ready_state() == WebSocket::OPEN {
                let _ = ws.send_with_str(text);
            }
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let mut inner = self.inner.borrow_mut();
        inner.closed = true;
        if let Some(ws) = inner.socket.take() {
            ws.set_onclose(None);
            let _ = ws.close();
        }
    }
}

/// A handler of text messages from one of JSON messages of type `M`;
/// one that does not parse is logged and skipped.
pub fn json<M: serde::de::DeserializeOwned>(
    handler: impl Fn(M) -> Result<(), String>,
) -> impl Fn(&str) -> Result<(), String> {
    move |text| match serde_json::from_str::<M>(text) {
        Ok(msg) => handler(msg),
        Err(e) => {
            leptos::logging::warn!("bad stream message: {e}");
            Ok(())
        }
    }
}

fn connect(inner: &Shared) {
    let (url, link, handler) = {
        let state = inner.borrow();
        let location = window().location();
        let proto = match location.protocol().as_deref() {
            Ok("https:") => "wss:",
            _ => "ws:",
        };
        let host = location.host().unwrap_or_default();
        let url = format!("{proto}//{host}{}", (state.path)());
        (url, state.link, Rc::clone(&state.handler))
    };
    link.set(Link::Connecting);
    let Ok(ws) = WebSocket::new(&url) else {
        retry(inner);
        return;
    };

    let weak = Rc::downgrade(inner);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
        let weak = weak.clone();
        move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            if let Err(reason) = handler(&text) {
                if let Some(inner) = weak.upgrade() {
                    inner.borrow_mut().closed = true;
                }
                link.set(Link::Down(Some(reason)));
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
            retry(&inner);
        }
    });
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let mut state = inner.borrow_mut();
    state.socket = Some(ws);
    state.handlers = Some(Callbacks {
        _message: on_message,
        _open: on_open,
        _close: on_close,
    });
}

fn retry(inner: &Shared) {
    let (delay, link) = {
        let mut state = inner.borrow_mut();
        if state.closed {
            return;
        }
        state.socket = None;
        let delay = RETRY_MS[state.attempts.min(RETRY_MS.len() - 1)];
        state.attempts += 1;
        (delay, state.link)
    };
    link.set(Link::Down(None));
    let weak = Rc::downgrade(inner);
    set_timeout(
        move || {
            if let Some(inner) = weak.upgrade() {
                connect(&inner);
            }
        },
        std::time::Duration::from_millis(delay),
    );
}
