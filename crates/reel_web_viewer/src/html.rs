//! [`notebook_html`]: an HTML snippet that shows recordings in the web viewer, in a frame of
//! its own (so several snippets on one page stay independent).
//!
//! By default the snippet carries the viewer and the data inline (the wasm gzipped, both
//! base64) and needs no network: it still renders from an exported notebook opened over
//! file://. With an app URL (or when a [`crate::WebViewerServer`] runs in this process)
//! it loads the viewer from there instead, and only the data is inline. If the viewer has
//! not drawn its first frame within the timeout, the frame says why and what to do.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

use crate::assets::{Assets, LOADER_JS, NOTEBOOK_HTML, STYLE_CSS, WASM_FILE};
use crate::WebViewerError;

/// The frame's default width in pixels.
pub const DEFAULT_WIDTH: u32 = 950;
/// The frame's default height in pixels.
pub const DEFAULT_HEIGHT: u32 = 712;
/// How long the viewer may take to draw its first frame before the frame explains why it
/// has not, by default. Generous: an inline viewer compiles ~10 MB of wasm first, and a
/// viewer that starts late still replaces the message.
pub const DEFAULT_TIMEOUT_MS: u64 = 15_000;

/// How the snippet looks and where it gets the viewer.
#[derive(Clone, Debug)]
pub struct HtmlOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Load the viewer from this URL (a `reel` web viewer server) instead of inline.
    pub app_url: Option<String>,
    /// Milliseconds to wait for the first frame before explaining the delay.
    pub timeout_ms: u64,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        Self {
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            app_url: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }
}

/// HTML showing `recordings` (each a complete reel stream) together in one viewer.
///
/// The viewer comes from `options.app_url`, else from the newest web viewer server running
/// in this process, else inline (an error when this build has no web viewer).
pub fn notebook_html(
    recordings: &[&[u8]],
    options: &HtmlOptions,
) -> Result<String, WebViewerError> {
    let app_url = options.app_url.clone().or_else(crate::running_url);
    snippet(recordings, options, app_url)
}

/// Like [`notebook_html`], but with the viewer always inline unless `options.app_url` says
/// otherwise (for pages that must stand alone, e.g. `reel html`).
pub fn notebook_html_inline(
    recordings: &[&[u8]],
    options: &HtmlOptions,
) -> Result<String, WebViewerError> {
    snippet(recordings, options, options.app_url.clone())
}

fn snippet(
    recordings: &[&[u8]],
    options: &HtmlOptions,
    app_url: Option<String>,
) -> Result<String, WebViewerError> {
    let app_url = app_url.map(|u| u.trim_end_matches('/').to_owned());
    let data: Vec<String> = recordings.iter().map(|r| BASE64.encode(r)).collect();
    let renderer_fix = "The viewer needs WebGL2 or WebGPU: enable hardware acceleration or try \
        another browser.";
    let (glue, wasm, fix) = match &app_url {
        Some(url) => (
            serde_json::json!({ "url": format!("{url}/reel_web.js") }),
            serde_json::json!({ "url": format!("{url}/{WASM_FILE}") }),
            serde_json::json!({
                "loading the viewer": format!(
                    "Could not load the viewer from {url}: is the web viewer server still running? \
                     Start it again with start_web_viewer_server(), or leave app_url unset to embed \
                     the viewer in the notebook."),
                "compiling the viewer": "The browser needs WebAssembly.",
                "starting the renderer": renderer_fix,
            }),
        ),
        None => {
            let assets = Assets::get()?;
            (
                serde_json::json!({ "inline": BASE64.encode(assets.glue_js) }),
                serde_json::json!({ "gzip": BASE64.encode(assets.wasm_gz) }),
                serde_json::json!({
                    "compiling the viewer": "The browser needs WebAssembly and DecompressionStream \
                        (Chrome 80, Firefox 113, Safari 16.4 or newer).",
                    "starting the renderer": renderer_fix,
                }),
            )
        }
    };
    let boot = serde_json::json!({
        "glue": glue,
        "wasm": wasm,
        "data": data,
        "timeoutMs": options.timeout_ms,
        "fix": fix,
    });
    let boot = crate::assets::script_json(&boot);
    let document = NOTEBOOK_HTML
        .replace("/*STYLE*/", STYLE_CSS)
        .replace("/*LOADER*/", &LOADER_JS.replace("</", "<\\/"))
        .replace("/*OPTIONS*/", &boot);
    Ok(format!(
        "<div class=\"reel-viewer\" style=\"width:{w}px;max-width:100%\">\
         <iframe srcdoc=\"{doc}\" width=\"{w}\" height=\"{h}\" \
         style=\"border:0;width:100%;display:block\" allow=\"fullscreen\"></iframe></div>",
        w = options.width,
        h = options.height,
        doc = escape_html(&document),
    ))
}

/// Escapes text for HTML: element content or a double-quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}
