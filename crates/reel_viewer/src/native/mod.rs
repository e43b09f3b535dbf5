//! What only the native viewer does: a window (eframe on wgpu), the embedded server SDKs
//! log to, reading files and following servers on threads, and headless rendering.
//!
//! - [`ingest`]: file loading and live following on threads.
//! - [`render`]: offscreen rendering to PNG.

pub mod ingest;
pub mod render;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use reel_store::Store;

pub use ingest::{connect, load_file};

use crate::app::{AppOptions, ViewerApp};
use crate::sources::{Source, SourceKind, SourceState};

/// The environment variable that forces headless behaviour (no window) when set to `1`.
pub const ENV_HEADLESS: &str = "REEL_HEADLESS";

/// Why no window can open here, or `None` when one can.
pub fn no_display_reason() -> Option<String> {
    if std::env::var(ENV_HEADLESS).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true")) {
        return Some(format!("{ENV_HEADLESS}=1 is set"));
    }
    if cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd"
    )) {
        let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if !set("DISPLAY") {
            return Some(if set("WAYLAND_DISPLAY") {
                "only WAYLAND_DISPLAY is set and this viewer talks X11 (XWayland provides DISPLAY)"
                    .to_owned()
            } else {
                "no display: DISPLAY is not set".to_owned()
            });
        }
    }
    None
}

/// How to start the native viewer.
#[derive(Clone, Debug, Default)]
pub struct ViewerOptions {
    /// Recording files to open.
    pub files: Vec<PathBuf>,
    /// Servers to follow live.
    pub connect: Vec<SocketAddr>,
    /// Listen for SDKs on this address (the same protocol as `reel serve`).
    pub listen: Option<(IpAddr, u16)>,
    /// Memory limit in bytes.
    pub memory_limit: Option<u64>,
    /// Close after this many seconds (for tests and screenshots).
    pub quit_after: Option<f64>,
    /// Save a screenshot of the window here just before quitting.
    pub screenshot: Option<PathBuf>,
}

/// Why the viewer could not run.
#[derive(Debug, thiserror::Error)]
pub enum ViewerError {
    /// No display is available.
    #[error("cannot open a window: {0}. Run `reel serve` to receive data without a window, or `reel render FILE --out image.png` to draw a recording to an image")]
    NoDisplay(String),
    /// The embedded server could not start.
    #[error("cannot listen for SDKs: {0}")]
    Listen(#[from] reel_server::ServerError),
    /// The window system failed.
    #[error("the window failed: {0}")]
    Window(String),
}

/// Opens the viewer window and blocks until it is closed.
pub fn run(options: ViewerOptions) -> Result<(), ViewerError> {
    if let Some(reason) = no_display_reason() {
        return Err(ViewerError::NoDisplay(reason));
    }
    let mut server = None;
    let store = match options.listen {
        Some((bind, port)) => {
            let config = reel_server::ServerConfig {
                bind,
                port,
                memory_limit: options.memory_limit,
                report_interval: None,
                ..Default::default()
            };
            let handle = reel_server::Server::bind(config)?.spawn();
            let store = handle.store().data().clone();
            eprintln!("reel viewer: listening for SDKs on {}", handle.addr());
            server = Some(handle);
            store
        }
        None => Arc::new(Store::default()),
    };
    let native = eframe::NativeOptions {
        renderer: eframe::Renderer::Wgpu,
        viewport: egui::ViewportBuilder::default()
            .with_title("reel")
            .with_inner_size([1280.0, 800.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    let listen_addr = server.as_ref().map(reel_server::ServerHandle::addr);
    let result = eframe::run_native(
        "reel",
        native,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            ctx.set_visuals(egui::Visuals::dark());
            match &cc.wgpu_render_state {
                Some(state) => {
                    crate::renderer::Renderer3D::install(state);
                }
                None => log::warn!("no wgpu renderer: 3D views stay empty"),
            }
            let repaint = ctx.clone();
            let mut app = ViewerApp::new(
                store.clone(),
                AppOptions {
                    memory_limit: options.memory_limit,
                },
                move || repaint.request_repaint(),
            );
            if let Some(addr) = listen_addr {
                let source = Source::new(addr.to_string(), SourceKind::Listener);
                source.progress.set_state(SourceState::Live);
                app.add_source(source);
            }
            for path in &options.files {
                app.add_source(load_file(store.clone(), path.clone(), ctx.clone()));
            }
            for addr in &options.connect {
                app.add_source(connect(store.clone(), *addr, ctx.clone()));
            }
            Ok(Box::new(Window {
                app,
                quit_after: options.quit_after,
                screenshot: options.screenshot.clone(),
                screenshot_requested: false,
                screenshot_done: Arc::default(),
            }))
        }),
    );
    if let Some(server) = server {
        server.stop();
    }
    result.map_err(|e| ViewerError::Window(e.to_string()))
}

/// The eframe side of the app: timed quit and screenshots for tests.
struct Window {
    app: ViewerApp,
    quit_after: Option<f64>,
    screenshot: Option<PathBuf>,
    screenshot_requested: bool,
    screenshot_done: Arc<std::sync::atomic::AtomicBool>,
}

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.ui(ui);
        let Some(limit) = self.quit_after else { return };
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
        if self
            .screenshot_done
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if ui.input(|i| i.time) < limit {
            return;
        }
        match &self.screenshot {
            None => ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close),
            Some(_) if self.screenshot_requested => {}
            Some(path) => {
                self.screenshot_requested = true;
                let (path, done, ctx) =
                    (path.clone(), self.screenshot_done.clone(), ui.ctx().clone());
                let callback =
                    egui::ScreenshotCallback::new(move |image: Arc<egui::ColorImage>| {
                        save_screenshot(&image, &path);
                        done.store(true, std::sync::atomic::Ordering::SeqCst);
                        ctx.request_repaint();
                    });
                ui.ctx()
                    .send_viewport_cmd(egui::ViewportCommand::Screenshot(callback));
            }
        }
    }
}

fn save_screenshot(image: &egui::ColorImage, path: &std::path::Path) {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let saved = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
        .ok_or_else(|| "size mismatch".to_owned())
        .and_then(|img| img.save(path).map_err(|e| e.to_string()));
    if let Err(e) = saved {
        eprintln!(
            "reel viewer: cannot save the screenshot {}: {e}",
            path.display()
        );
    }
}
