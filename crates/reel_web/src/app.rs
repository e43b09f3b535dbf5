//! The eframe app in the page: [`reel_viewer::ViewerApp`] plus what only the page does —
//! sources handed over by JavaScript between frames and files dropped on the canvas.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use reel_store::Store;
use reel_viewer::sources::Source;
use reel_viewer::ViewerApp;

/// State the page's handle and the app share (one browser thread: `Rc`, not `Arc`).
#[derive(Default)]
pub struct Shared {
    /// The store every source feeds and the viewer draws from.
    pub store: Arc<Store>,
    /// Sources started by the page, listed by the app at its next frame.
    pub new_sources: RefCell<Vec<Source>>,
    /// Every source, for the page's status queries.
    pub sources: RefCell<Vec<Source>>,
    /// The egui context, once the app runs.
    pub ctx: RefCell<Option<egui::Context>>,
    /// Frames drawn so far.
    pub frames: Cell<u64>,
}

impl Shared {
    /// Lists `source` in the app and for the page.
    pub fn add(&self, source: Source) {
        self.sources.borrow_mut().push(source.clone());
        self.new_sources.borrow_mut().push(source);
        if let Some(ctx) = self.ctx.borrow().as_ref() {
            ctx.request_repaint();
        }
    }
}

/// The app eframe runs in the canvas.
pub struct WebApp {
    app: ViewerApp,
    shared: Rc<Shared>,
}

impl WebApp {
    /// The viewer over the shared store.
    pub fn new(cc: &eframe::CreationContext<'_>, shared: Rc<Shared>) -> Self {
        let ctx = cc.egui_ctx.clone();
        // The same dark look as the native viewer, whatever the browser's preference.
        ctx.options_mut(|o| o.theme_preference = egui::ThemePreference::Dark);
        match &cc.wgpu_render_state {
            Some(state) => {
                reel_viewer::renderer::Renderer3D::install(state);
            }
            None => log::warn!("no wgpu renderer: 3D views stay empty"),
        }
        *shared.ctx.borrow_mut() = Some(ctx.clone());
        let app = ViewerApp::new(
            shared.store.clone(),
            reel_viewer::AppOptions::default(),
            move || ctx.request_repaint(),
        );
        Self { app, shared }
    }

    /// Reads files dropped on the page (asynchronously, as browsers require).
    fn read_dropped_files(&self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        for file in dropped {
            let shared = self.shared.clone();
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.path().display().to_string();
                match file.bytes_async().await {
                    Ok(data) => {
                        let source = crate::ingest::bytes(shared.store.clone(), &name, &data, ctx);
                        shared.add(source);
                    }
                    Err(e) => log::warn!("cannot read the dropped {name}: {e}"),
                }
            });
        }
    }
}

impl eframe::App for WebApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        for source in self.shared.new_sources.borrow_mut().drain(..) {
            self.app.add_source(source);
        }
        self.read_dropped_files(ui.ctx());
        self.app.ui(ui);
        self.shared.frames.set(self.shared.frames.get() + 1);
    }
}
