//! The reel viewer in the browser: `reel_viewer` compiled to wasm32 and bound to
//! JavaScript with wasm-bindgen. The page creates a `WebHandle`, starts it on a canvas
//! and feeds it data from a URL (streamed as it downloads), a WebSocket to a reel server
//! (`reel serve --web-viewer`), or bytes it already holds (notebooks).
//!
//! - `handle`: `WebHandle`, the JavaScript API.
//! - `app`: the eframe app around `reel_viewer::ViewerApp`, adding sources the page
//!   hands over and files dropped on the page.
//! - `ingest`: fetch, WebSocket and byte sources, decoded with
//!   `reel_format::StreamDecoder` as bytes arrive — nothing here may block.
//!
//! On other targets the crate is empty (so this overview names items without linking
//! them). `scripts/build_web.sh` builds it; `web/` holds the page and loader that ship
//! next to the generated JavaScript.

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod handle;
#[cfg(target_arch = "wasm32")]
pub mod ingest;

#[cfg(target_arch = "wasm32")]
pub use handle::WebHandle;
