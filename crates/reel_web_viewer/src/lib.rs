//! The web viewer on the native side. `reel_web` (the viewer compiled to wasm32) is built
//! by `scripts/build_web.sh`; this crate embeds what that produces, so a `reel` binary or
//! the Python package needs no files on disk to show the viewer in a browser.
//!
//! - [`assets`]: the embedded files (wasm-bindgen glue, gzipped wasm, page, style, loader).
//! - [`server`]: [`WebViewerServer`], an HTTP server that hosts them.
//! - [`html`]: [`notebook_html`], HTML showing recordings with the viewer inline (no network
//!   needed, also in an exported notebook) or loaded from a running server.

pub mod assets;
pub mod html;
pub mod server;

pub use assets::{Assets, WASM_FILE};
pub use html::{
    escape_html, notebook_html, notebook_html_inline, HtmlOptions, DEFAULT_HEIGHT,
    DEFAULT_TIMEOUT_MS, DEFAULT_WIDTH,
};
pub use server::{running_url, ws_url, WebViewerServer};

/// The web viewer's HTTP port when none is given.
pub const DEFAULT_WEB_PORT: u16 = 9090;
/// The WebSocket port web viewers follow a server on when none is given.
pub const DEFAULT_WS_PORT: u16 = 9877;

/// Why the web viewer cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum WebViewerError {
    /// This build does not contain the web viewer.
    #[error("this build of reel has no web viewer: run scripts/build_web.sh, then rebuild (or point REEL_WEB_ASSETS at a directory holding reel_web.js and reel_web_bg.wasm.gz)")]
    NotBuilt,
    /// The HTTP server could not listen.
    #[error("cannot serve the web viewer on {addr}: {reason}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        reason: String,
    },
}
