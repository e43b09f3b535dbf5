//! [`WebViewerServer`]: hosts the web viewer over HTTP, from memory. It serves the viewer
//! only; data comes from where the page is pointed (`?url=`, or `?ws=` a reel server's
//! WebSocket).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;

use parking_lot::Mutex;
use tiny_http::{Header, Method, Request, Response};

use crate::assets::{Assets, INDEX_HTML, LOADER_JS, STYLE_CSS, WASM_FILE};
use crate::WebViewerError;

/// URLs of the servers running in this process, newest last (notebooks load the viewer
/// from the newest instead of embedding it).
static RUNNING: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The URL of the newest web viewer server running in this process, if any.
pub fn running_url() -> Option<String> {
    RUNNING.lock().last().cloned()
}

/// An HTTP server hosting the web viewer until stopped or dropped.
pub struct WebViewerServer {
    addr: SocketAddr,
    url: String,
    follows: Option<String>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl WebViewerServer {
    /// Serves the viewer on `bind:port` (port 0 picks a free one).
    pub fn start(bind: IpAddr, port: u16) -> Result<Self, WebViewerError> {
        Self::start_inner(bind, port, None)
    }

    /// Serves the viewer on `bind:port`; a page opened without `?url=` or `?ws=` follows
    /// the reel server WebSocket at `ws` (`ws://host:port`, see [`ws_url`]).
    pub fn start_following(bind: IpAddr, port: u16, ws: &str) -> Result<Self, WebViewerError> {
        Self::start_inner(bind, port, Some(ws.to_owned()))
    }

    fn start_inner(
        bind: IpAddr,
        port: u16,
        follows: Option<String>,
    ) -> Result<Self, WebViewerError> {
        let assets = Assets::get()?;
        let index = Arc::new(index_html(follows.as_deref()));
        let asked = SocketAddr::new(bind, port);
        let server = tiny_http::Server::http(asked).map_err(|e| WebViewerError::Bind {
            addr: asked,
            reason: e.to_string(),
        })?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| WebViewerError::Bind {
                addr: asked,
                reason: "not an IP socket".to_owned(),
            })?;
        let server = Arc::new(server);
        let thread = std::thread::Builder::new()
            .name("reel-web-viewer".into())
            .spawn({
                let server = server.clone();
                move || {
                    for request in server.incoming_requests() {
                        // One thread per request: a slow download never holds up others.
                        let index = index.clone();
                        let spawned = std::thread::Builder::new()
                            .name("reel-web-request".into())
                            .spawn(move || respond(request, assets, &index));
                        if let Err(e) = spawned {
                            log::warn!("web viewer: cannot start a request thread: {e}");
                        }
                    }
                }
            })
            .map_err(|e| WebViewerError::Bind {
                addr: asked,
                reason: e.to_string(),
            })?;
        let url = format!("http://{}", host_port(addr));
        RUNNING.lock().push(url.clone());
        log::info!("web viewer: serving on {url}");
        Ok(Self {
            addr,
            url,
            follows,
            server,
            thread: Some(thread),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The viewer's URL (`http://host:port`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The WebSocket a page opened without parameters follows, if any.
    pub fn follows(&self) -> Option<&str> {
        self.follows.as_deref()
    }

    /// Stops serving and waits for the server thread.
    pub fn stop(self) {}
}

impl Drop for WebViewerServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let mut running = RUNNING.lock();
        if let Some(at) = running.iter().rposition(|u| *u == self.url) {
            running.remove(at);
        }
    }
}

/// `host:port` for a URL: loopback for an unspecified bind, brackets around IPv6.
fn host_port(addr: SocketAddr) -> String {
    match addr.ip() {
        ip if ip.is_unspecified() => format!("localhost:{}", addr.port()),
        IpAddr::V6(ip) => format!("[{ip}]:{}", addr.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
    }
}

/// The `ws://` URL of a reel server's WebSocket listener at `addr`.
pub fn ws_url(addr: SocketAddr) -> String {
    format!("ws://{}", host_port(addr))
}

/// The page, following `follows` by default.
fn index_html(follows: Option<&str>) -> String {
    let follows = crate::assets::script_json(&serde_json::json!(follows));
    INDEX_HTML
        .replace("/*STYLE*/", STYLE_CSS)
        .replace("/*FOLLOWS*/null", &follows)
}

fn respond(request: Request, assets: Assets, index: &str) {
    let method_ok = matches!(request.method(), Method::Get | Method::Head);
    let path = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_owned();
    let gzip_ok = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("Accept-Encoding") && h.value.as_str().contains("gzip"));
    let (status, body, content_type, gzipped): (u16, Vec<u8>, &str, bool) = if !method_ok {
        (405, b"only GET and HEAD".to_vec(), "text/plain", false)
    } else {
        match path.as_str() {
            "/" | "/index.html" => (200, index.into(), "text/html; charset=utf-8", false),
            "/loader.js" => (200, LOADER_JS.into(), "text/javascript", false),
            "/reel_web.js" => (200, assets.glue_js.to_vec(), "text/javascript", false),
            // Browsers ask for it; there is none, and saying so quietly keeps consoles clean.
            "/favicon.ico" => (204, Vec::new(), "image/x-icon", false),
            p if p == format!("/{WASM_FILE}") && gzip_ok => {
                (200, assets.wasm_gz.to_vec(), "application/wasm", true)
            }
            p if p == format!("/{WASM_FILE}") => match assets.wasm() {
                Ok(raw) => (200, raw, "application/wasm", false),
                Err(e) => (500, e.to_string().into_bytes(), "text/plain", false),
            },
            _ => (404, b"not found".to_vec(), "text/plain", false),
        }
    };
    let mut response = Response::from_data(body).with_status_code(status);
    let headers = [
        ("Content-Type", content_type),
        // Notebooks on another origin load the viewer from here.
        ("Access-Control-Allow-Origin", "*"),
        // A rebuilt viewer must not meet a cached older glue.
        ("Cache-Control", "no-cache"),
        (
            "Content-Encoding",
            if gzipped { "gzip" } else { "identity" },
        ),
    ];
    for (name, value) in headers {
        // ASCII constants, which `from_bytes` always accepts.
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    if let Err(e) = request.respond(response) {
        log::debug!("web viewer: {path}: {e}");
    }
}
