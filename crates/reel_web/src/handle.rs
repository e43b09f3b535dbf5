//! [`WebHandle`]: what JavaScript sees. One handle per canvas; several on one page are
//! independent viewers with their own stores.

use std::rc::Rc;
use std::sync::atomic::Ordering;

use reel_viewer::sources::{Source, SourceState};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::app::{Shared, WebApp};

/// A viewer in one canvas, driven from JavaScript.
#[wasm_bindgen]
pub struct WebHandle {
    runner: eframe::WebRunner,
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl WebHandle {
    /// A viewer that has not started yet.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        // Only the first handle on a page installs the logger; later calls fail harmlessly.
        let _ = eframe::WebLogger::init(log::LevelFilter::Info);
        Self {
            runner: eframe::WebRunner::new(),
            shared: Rc::new(Shared::default()),
        }
    }

    /// Starts drawing into `canvas`. `renderer` is `"webgl"` to force WebGL2; otherwise
    /// WebGPU is used where the browser has it, WebGL2 elsewhere.
    pub fn start(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        renderer: Option<String>,
    ) -> js_sys::Promise {
        let (runner, shared) = (self.runner.clone(), self.shared.clone());
        let mut options = eframe::WebOptions::default();
        if renderer.as_deref() == Some("webgl") {
            let mut setup = egui_wgpu::WgpuSetupCreateNew::without_display_handle();
            setup.instance_descriptor.backends = egui_wgpu::wgpu::Backends::GL;
            options.wgpu_options.wgpu_setup = setup.into();
        }
        wasm_bindgen_futures::future_to_promise(async move {
            runner
                .start(
                    canvas,
                    options,
                    Box::new(move |cc| Ok(Box::new(WebApp::new(cc, shared)))),
                )
                .await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Downloads the recording at `url` and shows it as it streams in.
    pub fn open_url(&self, url: &str) {
        let source = crate::ingest::fetch(self.shared.store.clone(), url, self.ctx());
        self.shared.add(source);
    }

    /// Follows a reel server's WebSocket (`ws://host:port`) live.
    pub fn connect(&self, url: &str) {
        let source = crate::ingest::websocket(self.shared.store.clone(), url, self.ctx());
        self.shared.add(source);
    }

    /// Shows a recording the page holds as bytes (one or more concatenated streams).
    pub fn add_bytes(&self, name: &str, bytes: &[u8]) {
        let source = crate::ingest::bytes(self.shared.store.clone(), name, bytes, self.ctx());
        self.shared.add(source);
    }

    /// Frames drawn so far; above zero once the viewer has shown its first frame.
    pub fn frames(&self) -> f64 {
        self.shared.frames.get() as f64
    }

    /// Messages decoded so far over every source.
    pub fn messages(&self) -> f64 {
        self.sources()
            .iter()
            .map(|s| s.progress.messages.load(Ordering::Relaxed) as f64)
            .sum()
    }

    /// Whether every source has finished (read completely or failed); live connections
    /// never finish.
    pub fn sources_done(&self) -> bool {
        self.sources().iter().all(|s| {
            matches!(
                s.progress.state(),
                SourceState::Done | SourceState::Failed(_)
            )
        })
    }

    /// One status line per source, newline separated (errors included).
    pub fn status(&self) -> String {
        self.sources()
            .iter()
            .map(Source::status)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Why the viewer stopped, if it panicked.
    pub fn panic_message(&self) -> Option<String> {
        self.runner.panic_summary().map(|p| p.message())
    }

    /// Stops the viewer and releases the canvas.
    pub fn destroy(&self) {
        self.runner.destroy();
    }
}

impl WebHandle {
    fn sources(&self) -> Vec<Source> {
        self.shared.sources.borrow().clone()
    }

    /// The egui context, or a stand-in before the app started (data still lands in the
    /// store, and the real context repaints when it starts).
    fn ctx(&self) -> egui::Context {
        self.shared.ctx.borrow().clone().unwrap_or_default()
    }
}
