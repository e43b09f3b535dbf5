//! Sources in the browser: a recording fetched over HTTP (decoded while it downloads), a
//! live WebSocket to a reel server, and bytes handed over by the page. Each feeds a
//! [`StreamDecoder`] from JavaScript callbacks or futures on the one browser thread, and
//! inserts what it completes into the shared store.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use reel_format::StreamDecoder;
use reel_store::Store;
use reel_viewer::sources::{Source, SourceKind, SourceState};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Decodes one source's bytes into the store and keeps its counters.
pub struct Feed {
    decoder: StreamDecoder,
    store: Arc<Store>,
    source: Source,
    ctx: egui::Context,
}

impl Feed {
    /// A feed for `source` into `store`; `ctx` is woken when data arrives.
    pub fn new(store: Arc<Store>, source: Source, ctx: egui::Context) -> Self {
        Self {
            decoder: StreamDecoder::default(),
            store,
            source,
            ctx,
        }
    }

    /// Decodes `bytes` and inserts every message they complete. After a decode error the
    /// source is marked failed; what came before it stays.
    pub fn push(&mut self, bytes: &[u8]) {
        let progress = &self.source.progress;
        progress
            .bytes
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let mut msgs = Vec::new();
        for item in self.decoder.push(bytes) {
            match item {
                Ok(decoded) => msgs.push(decoded.msg),
                Err(e) => {
                    log::warn!("{}: {e}", self.source.name);
                    progress.set_state(SourceState::Failed(e.to_string()));
                }
            }
        }
        if !msgs.is_empty() {
            progress
                .messages
                .fetch_add(msgs.len() as u64, Ordering::Relaxed);
            self.store.apply_all(&msgs);
        }
        self.ctx.request_repaint();
    }

    /// The input ended: done when it ended after a complete stream, failed otherwise.
    pub fn finish(&mut self) {
        let progress = &self.source.progress;
        if self.decoder.failed() {
            return;
        }
        progress.set_state(match self.decoder.finish() {
            Ok(()) => SourceState::Done,
            Err(e) => SourceState::Failed(e.to_string()),
        });
        self.ctx.request_repaint();
    }

    /// Marks the source failed with `reason` (unless decoding already failed).
    pub fn fail(&mut self, reason: String) {
        if !self.decoder.failed() {
            log::warn!("{}: {reason}", self.source.name);
            self.source.progress.set_state(SourceState::Failed(reason));
        }
        self.ctx.request_repaint();
    }
}

/// Decodes bytes the page already holds (a notebook's recording).
pub fn bytes(store: Arc<Store>, name: &str, data: &[u8], ctx: egui::Context) -> Source {
    let source = Source::new(name, SourceKind::Bytes);
    source
        .progress
        .total
        .store(data.len() as u64, Ordering::Relaxed);
    let mut feed = Feed::new(store, source.clone(), ctx);
    feed.push(data);
    feed.finish();
    source
}

/// Fetches `url` and decodes it as it streams in. The returned source reports progress
/// (against `Content-Length` when the server sends one) and the error that stopped it.
pub fn fetch(store: Arc<Store>, url: &str, ctx: egui::Context) -> Source {
    let source = Source::new(url, SourceKind::File);
    let mut feed = Feed::new(store, source.clone(), ctx);
    let url = url.to_owned();
    wasm_bindgen_futures::spawn_local(async move {
        match stream_url(&url, &mut feed).await {
            Ok(()) => feed.finish(),
            Err(reason) => feed.fail(reason),
        }
    });
    source
}

async fn stream_url(url: &str, feed: &mut Feed) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("cannot fetch: {}", describe(&e)))?
        .dyn_into()
        .map_err(|_| "fetch did not return a response".to_owned())?;
    if !response.ok() {
        return Err(format!(
            "HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    if let Some(total) = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok())
    {
        feed.source.progress.total.store(total, Ordering::Relaxed);
    }
    let body = response.body().ok_or("the response has no body")?;
    let reader: web_sys::ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| "cannot read the response body".to_owned())?;
    loop {
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("download failed: {}", describe(&e)))?;
        let done = js_sys::Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(());
        }
        let value = js_sys::Reflect::get(&step, &"value".into())
            .map_err(|e| format!("download failed: {}", describe(&e)))?;
        feed.push(&js_sys::Uint8Array::new(&value).to_vec());
    }
}

/// Follows the reel server's WebSocket at `url`: everything the server holds, then new
/// data live. The callbacks stay alive as long as the socket (they own the feed).
pub fn websocket(store: Arc<Store>, url: &str, ctx: egui::Context) -> Source {
    let source = Source::new(url, SourceKind::Connection);
    let socket = match web_sys::WebSocket::new(url) {
        Ok(socket) => socket,
        Err(e) => {
            source.progress.set_state(SourceState::Failed(format!(
                "cannot connect: {}",
                describe(&e)
            )));
            return source;
        }
    };
    socket.set_binary_type(web_sys::BinaryType::Arraybuffer);
    let feed = Rc::new(RefCell::new(Feed::new(store, source.clone(), ctx.clone())));

    let on_open = {
        let progress = source.progress.clone();
        let ctx = ctx.clone();
        Closure::<dyn FnMut()>::new(move || {
            progress.set_state(SourceState::Live);
            ctx.request_repaint();
        })
    };
    let on_message = {
        let feed = feed.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if let Ok(buffer) = event.data().dyn_into::<js_sys::ArrayBuffer>() {
                feed.borrow_mut()
                    .push(&js_sys::Uint8Array::new(&buffer).to_vec());
            }
        })
    };
    let on_close = {
        let feed = feed.clone();
        Closure::<dyn FnMut(web_sys::CloseEvent)>::new(move |event: web_sys::CloseEvent| {
            let mut feed = feed.borrow_mut();
            match event.code() {
                1000 => feed.finish(),
                code => {
                    let reason = event.reason();
                    feed.fail(if reason.is_empty() {
                        format!("the connection closed (code {code})")
                    } else {
                        format!("the connection closed: {reason}")
                    });
                }
            }
        })
    };
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    // The socket calls these until it closes, for the page's lifetime at most.
    on_open.forget();
    on_message.forget();
    on_close.forget();
    source
}

/// A JavaScript error's message, or its debug form.
fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
