//! The web viewer's files, embedded at compile time (see `build.rs`).

use std::io::Read;

use crate::WebViewerError;

include!(concat!(env!("OUT_DIR"), "/built.rs"));

/// The viewer's page: a full-window canvas, reading `?url=`, `?ws=` and `?renderer=`.
pub const INDEX_HTML: &str = include_str!("../web/index.html");

/// The style both the page and notebook snippets use (replaces `/*STYLE*/`).
pub const STYLE_CSS: &str = include_str!("../web/style.css");

/// The loader both the page and notebook snippets use (plain script, defines `reelBoot`).
pub const LOADER_JS: &str = include_str!("../web/loader.js");

/// The document a notebook snippet puts in its frame.
pub(crate) const NOTEBOOK_HTML: &str = include_str!("../web/notebook.html");

/// The wasm module's file name, as the page and the glue ask for it.
pub const WASM_FILE: &str = "reel_web_bg.wasm";

/// `value` as JSON that can sit inside a `<script>` element: `<` is escaped, so no string in
/// it can close the element.
pub fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// The built viewer.
#[derive(Clone, Copy, Debug)]
pub struct Assets {
    /// The wasm-bindgen glue (`--target no-modules`: defines the global `wasm_bindgen`).
    pub glue_js: &'static [u8],
    /// The wasm module, gzip-compressed.
    pub wasm_gz: &'static [u8],
}

impl Assets {
    /// The embedded viewer, or why there is none.
    pub fn get() -> Result<Self, WebViewerError> {
        BUILT
            .map(|(glue_js, wasm_gz)| Self { glue_js, wasm_gz })
            .ok_or(WebViewerError::NotBuilt)
    }

    /// The wasm module uncompressed (for clients that do not accept gzip, and for sizes).
    pub fn wasm(&self) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.wasm_gz.len() * 3);
        flate2::read::GzDecoder::new(self.wasm_gz).read_to_end(&mut out)?;
        Ok(out)
    }
}
