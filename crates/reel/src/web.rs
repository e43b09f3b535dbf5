//! Showing recordings in a browser: [`serve_web`] (live, over WebSocket), [`start_web_viewer_server`]
//! (hosting the viewer only), and [`NotebookExt::as_html`] (a [`MemoryRecording`] as HTML for
//! notebooks, working offline).

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use reel_sdk::{MemoryRecording, RecordingStream};
pub use reel_web_viewer::{
    HtmlOptions, WebViewerServer, DEFAULT_HEIGHT, DEFAULT_TIMEOUT_MS, DEFAULT_WEB_PORT,
    DEFAULT_WIDTH, DEFAULT_WS_PORT,
};

/// Why the web viewer could not be served or embedded.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The viewer is missing or its HTTP server could not start.
    #[error(transparent)]
    Viewer(#[from] reel_web_viewer::WebViewerError),
    /// The server web viewers follow could not start.
    #[error(transparent)]
    Server(#[from] reel_server::ServerError),
    /// The recording could not be streamed to it, or encoded.
    #[error("{0}")]
    Recording(String),
}

/// How [`serve_web`] serves.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Open the viewer in the system's browser.
    pub open_browser: bool,
    /// The viewer's HTTP port (`None`: [`DEFAULT_WEB_PORT`]; 0 picks a free one).
    pub web_port: Option<u16>,
    /// The WebSocket port pages follow the data on (`None`: [`DEFAULT_WS_PORT`]).
    pub ws_port: Option<u16>,
    /// The address both listen on (loopback unless told otherwise).
    pub bind: IpAddr,
    /// Drop the oldest data beyond this many bytes.
    pub memory_limit: Option<u64>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            open_browser: true,
            web_port: None,
            ws_port: None,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            memory_limit: None,
        }
    }
}

/// A recording served to web viewers; serving stops when this is dropped (or [`stop`]ped).
///
/// [`stop`]: WebServing::stop
pub struct WebServing {
    web: WebViewerServer,
    server: Option<reel_server::ServerHandle>,
    url: String,
}

impl WebServing {
    /// The page to open: the viewer, following the data.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The viewer's HTTP server.
    pub fn web_viewer(&self) -> &WebViewerServer {
        &self.web
    }

    /// Stops both servers.
    pub fn stop(self) {}
}

impl Drop for WebServing {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
}

/// Streams `rec` to an in-process server that web viewers follow over WebSocket, and hosts
/// the viewer over HTTP; the page at [`WebServing::url`] shows everything logged, live.
pub fn serve_web(rec: &RecordingStream, options: &ServeOptions) -> Result<WebServing, WebError> {
    let server = reel_server::Server::bind(reel_server::ServerConfig {
        bind: options.bind,
        port: 0,
        memory_limit: options.memory_limit,
        ws_port: Some(options.ws_port.unwrap_or(DEFAULT_WS_PORT)),
        ..Default::default()
    })?
    .spawn();
    let ws = server
        .ws_addr()
        .map(reel_web_viewer::ws_url)
        .ok_or_else(|| WebError::Recording("the WebSocket listener did not start".into()))?;
    let web = WebViewerServer::start_following(
        options.bind,
        options.web_port.unwrap_or(DEFAULT_WEB_PORT),
        &ws,
    )?;
    rec.connect(Some(&server.addr().to_string()), Duration::from_secs(2))
        .map_err(|e| WebError::Recording(e.to_string()))?;
    let url = web.url().to_owned();
    log::info!("reel: serving the web viewer on {url} (data on {ws})");
    if options.open_browser {
        open_browser(&url);
    }
    Ok(WebServing {
        web,
        server: Some(server),
        url,
    })
}

/// Hosts the web viewer (only the viewer: no data) on `port` of loopback, 0 picking a free
/// one. While it runs, [`NotebookExt::as_html`] loads the viewer from it instead of
/// embedding it.
pub fn start_web_viewer_server(port: u16) -> Result<WebViewerServer, WebError> {
    let server = WebViewerServer::start(IpAddr::V4(Ipv4Addr::LOCALHOST), port)?;
    log::info!("reel: web viewer hosted on {}", server.url());
    Ok(server)
}

/// Notebook output for memory recordings.
pub trait NotebookExt {
    /// HTML showing this recording (and `other`, when given) in the web viewer, after a
    /// blocking flush. See [`reel_web_viewer::html`] for where the viewer comes from.
    fn as_html(
        &self,
        options: &HtmlOptions,
        other: Option<&MemoryRecording>,
    ) -> Result<String, WebError>;
}

impl NotebookExt for MemoryRecording {
    fn as_html(
        &self,
        options: &HtmlOptions,
        other: Option<&MemoryRecording>,
    ) -> Result<String, WebError> {
        let encode =
            |m: &MemoryRecording| m.to_bytes().map_err(|e| WebError::Recording(e.to_string()));
        let mut streams = vec![encode(self)?];
        if let Some(other) = other {
            streams.push(encode(other)?);
        }
        let slices: Vec<&[u8]> = streams.iter().map(Vec::as_slice).collect();
        Ok(reel_web_viewer::notebook_html(&slices, options)?)
    }
}

/// Opens `url` in the system's browser, logging (not failing) when there is none.
fn open_browser(url: &str) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let spawned = std::process::Command::new(opener[0])
        .args(&opener[1..])
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        log::warn!("reel: cannot open a browser ({e}); open {url} yourself");
    }
}
