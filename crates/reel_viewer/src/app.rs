//! The viewer application: the recording list and menus on top, the entity tree on the
//! left, the selection on the right, the time panel at the bottom and the views (tiles)
//! in the middle. It holds the per-recording UI state and applies the commands panels
//! and views hand back; the data itself lives in the shared [`reel_store::Store`], filled
//! by sources on other threads.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use egui::{Key, KeyboardShortcut, Modifiers};
use reel_core::{EntityPath, StoreId, StoreKind};
use reel_store::{ChunkStore, GcOrder, Store, StoreEvent};
use reel_types::components::ClassDescription;

use crate::annotations::Annotations;
use crate::context::{Command, FrameOutput, Item, ViewerContext};
use crate::heuristics::{default_views, ViewSpec};
use crate::panels::entity_tree::TreeState;
use crate::panels::selection::SelectionPanel;
use crate::panels::{entity_tree, time_panel};
use crate::sources::Source;
use crate::time_control::TimeControl;
use crate::views::View;

/// Settings the app starts with.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// Drop the oldest data (furthest from the cursor) beyond this many bytes.
    pub memory_limit: Option<u64>,
}

/// Identifies a view within a recording's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ViewId(u64);

/// The UI state of one recording.
pub struct RecordingUi {
    /// The time cursor.
    pub time: TimeControl,
    /// The selected item.
    pub selection: Option<Item>,
    /// Entities the user hid.
    pub hidden: BTreeSet<EntityPath>,
    tree: TreeState,
    selection_panel: SelectionPanel,
    layout: Layout,
    context_entities: (u64, Vec<EntityPath>),
}

/// The views of one recording and their arrangement.
struct Layout {
    tiles: egui_tiles::Tree<ViewId>,
    views: BTreeMap<ViewId, View>,
    /// Every spec ever created (closed views are not recreated).
    known: BTreeSet<ViewSpec>,
    next_id: u64,
    /// The store schema the views were derived from.
    schema: Option<u64>,
    maximized: Option<ViewId>,
    /// The tabs 3D views go into (left, larger) and the grid the others go into.
    primary: Option<egui_tiles::TileId>,
    grid: Option<egui_tiles::TileId>,
}

impl Layout {
    fn new(store_id: &StoreId) -> Self {
        Self {
            tiles: egui_tiles::Tree::empty(egui::Id::unique(("layout", store_id.to_string()))),
            views: BTreeMap::new(),
            known: BTreeSet::new(),
            next_id: 0,
            schema: None,
            maximized: None,
            primary: None,
            grid: None,
        }
    }

    /// Adds views for what is new in the store (heuristics rerun when entities or
    /// components appear).
    fn update(&mut self, store: &ChunkStore) {
        if self.schema == Some(store.schema_generation()) {
            return;
        }
        self.schema = Some(store.schema_generation());
        for spec in default_views(store) {
            // A view whose entity list grew replaces its older self in place.
            if self.known.contains(&spec) {
                continue;
            }
            let same_place = self.views.iter().find_map(|(id, v)| {
                (v.spec.kind == spec.kind
                    && v.spec.name == spec.name
                    && v.spec.origin == spec.origin)
                    .then_some(*id)
            });
            self.known.insert(spec.clone());
            if let Some(id) = same_place {
                if let Some(v) = self.views.get_mut(&id) {
                    v.spec = spec;
                }
                continue;
            }
            let id = ViewId(self.next_id);
            self.next_id += 1;
            let is_3d = spec.kind == crate::heuristics::ViewKind::Spatial3D;
            self.views.insert(id, View::new(spec));
            let tile = self.tiles.tiles.insert_pane(id);
            self.place(tile, is_3d);
        }
    }

    /// Puts a new view's tile into the 3D tabs or the grid; when that container does not
    /// exist (yet, or any more), makes it and puts it beside what the root holds, 3D on
    /// the left with the larger share. Existing tiles are never dropped.
    fn place(&mut self, tile: egui_tiles::TileId, is_3d: bool) {
        let tiles = &mut self.tiles.tiles;
        let slot = if is_3d {
            &mut self.primary
        } else {
            &mut self.grid
        };
        if let Some(egui_tiles::Tile::Container(c)) = slot.and_then(|id| tiles.get_mut(id)) {
            c.add_child(tile);
            return;
        }
        let container = if is_3d {
            tiles.insert_tab_tile(vec![tile])
        } else {
            tiles.insert_grid_tile(vec![tile])
        };
        *slot = Some(container);
        let Some(root) = self.tiles.root.filter(|r| tiles.get(*r).is_some()) else {
            self.tiles.root = Some(container);
            return;
        };
        let children = if is_3d {
            vec![container, root]
        } else {
            vec![root, container]
        };
        let mut linear = egui_tiles::Linear::new(egui_tiles::LinearDir::Horizontal, children);
        if is_3d {
            linear.shares.set_share(container, 1.3);
        } else {
            linear.shares.set_share(root, 1.3);
        }
        self.tiles.root = Some(tiles.insert_container(egui_tiles::Container::Linear(linear)));
    }
}

impl RecordingUi {
    fn new(store_id: &StoreId) -> Self {
        Self {
            time: TimeControl::default(),
            selection: None,
            hidden: BTreeSet::new(),
            tree: TreeState::default(),
            selection_panel: SelectionPanel::default(),
            layout: Layout::new(store_id),
            context_entities: (u64::MAX, Vec::new()),
        }
    }

    /// The names of the views, in layout order (for tests and `reel render --view`).
    pub fn view_names(&self) -> Vec<String> {
        self.layout
            .views
            .values()
            .map(|v| v.spec.name.clone())
            .collect()
    }
}

/// The viewer.
pub struct ViewerApp {
    store: Arc<Store>,
    sources: Vec<Source>,
    recordings: BTreeMap<StoreId, RecordingUi>,
    active: Option<StoreId>,
    hovered: Option<Item>,
    options: AppOptions,
    dirty: Arc<AtomicBool>,
    file_dialog: Option<crate::file_dialog::FileDialog>,
    /// A status or error message shown in the top bar.
    message: Option<String>,
    /// Only this view is drawn (headless rendering of one view).
    pub solo_view: Option<String>,
}

impl ViewerApp {
    /// The item under the pointer in the last frame.
    pub fn hovered(&self) -> Option<&Item> {
        self.hovered.as_ref()
    }

    /// A viewer over `store`. `repaint` is called (from any thread) when data arrives.
    pub fn new(
        store: Arc<Store>,
        options: AppOptions,
        repaint: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        let dirty = Arc::new(AtomicBool::new(true));
        let flag = dirty.clone();
        store.subscribe(Box::new(move |event: &StoreEvent| {
            if matches!(event, StoreEvent::Info(_) | StoreEvent::Chunk(_))
                && !flag.swap(true, Ordering::Relaxed)
            {
                repaint();
            }
        }));
        Self {
            store,
            sources: Vec::new(),
            recordings: BTreeMap::new(),
            active: None,
            hovered: None,
            options,
            dirty,
            file_dialog: None,
            message: None,
            solo_view: None,
        }
    }

    /// The shared store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Lists a source in the status bar.
    pub fn add_source(&mut self, source: Source) {
        self.sources.push(source);
    }

    /// The sources.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The recording shown.
    pub fn active(&self) -> Option<&StoreId> {
        self.active.as_ref()
    }

    /// Changes the memory limit (`None`: unbounded); a lower limit is enforced from the
    /// next frame.
    pub fn set_memory_limit(&mut self, limit: Option<u64>) {
        self.options.memory_limit = limit;
    }

    /// Shows `id`.
    pub fn set_active(&mut self, id: StoreId) {
        self.active = Some(id);
    }

    /// The UI state of the active recording.
    pub fn active_ui(&mut self) -> Option<&mut RecordingUi> {
        let id = self.active.clone()?;
        Some(
            self.recordings
                .entry(id.clone())
                .or_insert_with(|| RecordingUi::new(&id)),
        )
    }

    /// Draws one frame into `ui` (the whole window).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.dirty.store(false, Ordering::Relaxed);
        let ids: Vec<StoreId> = self
            .store
            .recording_ids()
            .into_iter()
            .filter(|id| id.kind == StoreKind::Recording)
            .collect();
        if self.active.as_ref().is_none_or(|a| !ids.contains(a)) {
            self.active = ids.last().cloned();
        }
        if self.solo_view.is_none() {
            self.top_bar(ui, &ids);
        }
        if let Some(dialog) = &mut self.file_dialog {
            match dialog.ui(ui.ctx()) {
                Some(crate::file_dialog::Outcome::Open(path)) => {
                    self.file_dialog = None;
                    self.open_path(ui.ctx(), path);
                }
                Some(crate::file_dialog::Outcome::Save(path, range)) => {
                    self.file_dialog = None;
                    self.save(&path, range);
                }
                Some(crate::file_dialog::Outcome::Cancel) => self.file_dialog = None,
                None => {}
            }
        }
        let Some(active) = self.active.clone() else {
            egui::CentralPanel::default_margins().show(ui, |ui| {
                ui.centered_and_justified(|ui| {
                    ui.label(
                        "No recording yet.\nLog to this viewer with reel's connect() or spawn(), \
                         or open a file (File > Open, or drop it here).",
                    );
                });
            });
            self.handle_dropped_files(ui.ctx());
            return;
        };
        let Some(recording) = self.store.recording(&active) else {
            return;
        };
        self.handle_dropped_files(ui.ctx());
        let state = self
            .recordings
            .entry(active.clone())
            .or_insert_with(|| RecordingUi::new(&active));
        let dt = ui.input(|i| f64::from(i.stable_dt).min(0.1));

        // Advance time and keep the memory bound before taking the read lock.
        {
            let store = recording.read();
            state.time.ensure_timeline(&store);
            if state.time.advance(&store, dt) {
                ui.ctx().request_repaint();
            }
        }
        if let Some(limit) = self.options.memory_limit {
            let store_bytes = self.store.bytes() as u64;
            if store_bytes > limit {
                let order = {
                    let store = recording.read();
                    match &state.time.timeline {
                        Some(t) if !state.time.following => GcOrder::FurthestFrom {
                            timeline: t.clone(),
                            time: state.time.current(&store),
                        },
                        _ => GcOrder::Oldest,
                    }
                };
                let report = self.store.enforce_limit(
                    limit as usize,
                    &order,
                    std::time::Duration::from_millis(2),
                );
                if report.total.chunks > 0 {
                    log::info!(
                        "memory limit: dropped {} chunks ({} bytes)",
                        report.total.chunks,
                        report.total.bytes
                    );
                }
            }
        }

        let store = recording.read();
        handle_keys(ui, state, &store);
        let query = state
            .time
            .timeline
            .clone()
            .map(|t| reel_store::LatestAtQuery::new(t, state.time.current(&store)));
        // Annotation contexts: the entities that have any, found again only on change.
        if state.context_entities.0 != store.schema_generation() {
            let name = <ClassDescription as reel_core::Component>::name();
            let entities = store
                .entity_paths()
                .filter(|e| store.entity_components(e).contains(&name))
                .cloned()
                .collect();
            state.context_entities = (store.schema_generation(), entities);
        }
        let latest = query.clone().unwrap_or_else(crate::context::static_only);
        let annotations = Annotations::load(&store, &latest, &state.context_entities.1);
        state.layout.update(&store);

        let mut out = FrameOutput::default();
        let ctx = ViewerContext {
            store_id: &active,
            store: &store,
            query,
            selection: state.selection.as_ref(),
            hovered: self.hovered.as_ref(),
            hidden: &state.hidden,
            annotations: &annotations,
            following: state.time.following,
        };

        if let Some(name) = &self.solo_view {
            egui::CentralPanel::default_margins().show(ui, |ui| {
                match state
                    .layout
                    .views
                    .values_mut()
                    .find(|v| &v.spec.name == name)
                {
                    Some(view) => view.ui(&ctx, ui, &mut out),
                    None => {
                        ui.label(format!("no view named {name:?}"));
                    }
                }
            });
        } else {
            // Panels start at their usual sizes, smaller in small windows (a notebook cell),
            // so that the views keep most of the space.
            let whole = ui.max_rect().size();
            egui::Panel::bottom("time_panel")
                .resizable(true)
                .default_size(200.0_f32.min(whole.y * 0.25))
                .show(ui, |ui| {
                    time_panel::ui(&ctx, &mut state.time, &mut state.tree, ui, &mut out);
                });
            egui::Panel::left("entity_tree")
                .resizable(true)
                .default_size(240.0_f32.min(whole.x * 0.18))
                .show(ui, |ui| {
                    ui.strong("Entities");
                    entity_tree::ui(&ctx, &mut state.tree, ui, &mut out);
                });
            egui::Panel::right("selection")
                .resizable(true)
                .default_size(300.0_f32.min(whole.x * 0.2))
                .show(ui, |ui| {
                    ui.strong("Selection");
                    state.selection_panel.ui(&ctx, ui, &mut out);
                });
            egui::CentralPanel::default_margins().show(ui, |ui| {
                views_ui(&ctx, &mut state.layout, ui, &mut out);
            });
        }
        drop(ctx);

        // Apply what panels and views asked for.
        for command in out.commands {
            match command {
                Command::Select(item) => state.selection = item,
                Command::SetTime(t) => {
                    state.time.set_time(&store, t);
                    state.time.playing = false;
                }
                Command::SetVisible(path, visible) => {
                    if visible {
                        state.hidden.remove(&path);
                    } else {
                        state.hidden.insert(path);
                    }
                }
            }
        }
        self.hovered = out.hovered;
        if state.time.playing {
            ui.ctx().request_repaint();
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui, ids: &[StoreId]) {
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.menu_button("File", |ui| {
                    if ui.button("Open…").clicked() {
                        self.file_dialog = Some(crate::file_dialog::FileDialog::open());
                        ui.close();
                    }
                    let can_save = self.active.is_some();
                    if ui
                        .add_enabled(can_save, egui::Button::new("Save recording…"))
                        .clicked()
                    {
                        self.file_dialog = Some(crate::file_dialog::FileDialog::save(None));
                        ui.close();
                    }
                    let range = self.visible_range();
                    if ui
                        .add_enabled(
                            can_save && range.is_some(),
                            egui::Button::new("Save visible time range…"),
                        )
                        .clicked()
                    {
                        self.file_dialog = Some(crate::file_dialog::FileDialog::save(range));
                        ui.close();
                    }
                    #[cfg(feature = "native")]
                    if ui.button("Quit").clicked() {
                        ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                });
                ui.separator();
                let name_of = |id: &StoreId| {
                    let app = self
                        .store
                        .recording(id)
                        .and_then(|r| r.info())
                        .map(|i| i.application_id.to_string())
                        .unwrap_or_else(|| "?".to_owned());
                    format!("{app} · {}", id.id)
                };
                let selected = self
                    .active
                    .as_ref()
                    .map_or_else(|| "no recording".to_owned(), name_of);
                let mut chosen = None;
                egui::ComboBox::new("recordings", "recording")
                    .selected_text(selected)
                    .width(280.0)
                    .show_ui(ui, |ui| {
                        for id in ids {
                            let is = self.active.as_ref() == Some(id);
                            if ui.selectable_label(is, name_of(id)).clicked() {
                                chosen = Some(id.clone());
                            }
                        }
                    });
                if let Some(id) = chosen {
                    self.active = Some(id);
                }
                ui.weak(format!("{} recording(s)", ids.len()));
                ui.separator();
                for source in &self.sources {
                    let state = source.progress.state();
                    let text = source.status();
                    match state {
                        crate::sources::SourceState::Failed(_) => {
                            ui.colored_label(ui.visuals().error_fg_color, text);
                        }
                        crate::sources::SourceState::Running => {
                            ui.spinner();
                            ui.label(text);
                        }
                        _ => {
                            ui.weak(text);
                        }
                    }
                }
                if let Some(m) = &self.message {
                    ui.separator();
                    ui.label(m);
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.weak(format!("{:.1} MB", self.store.bytes() as f64 / 1e6));
                });
            });
        });
        // Sources still loading need frames to show progress.
        if self
            .sources
            .iter()
            .any(|s| s.progress.state() == crate::sources::SourceState::Running)
        {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn visible_range(&self) -> Option<(reel_core::Timeline, i64, i64)> {
        let id = self.active.as_ref()?;
        let state = self.recordings.get(id)?;
        let recording = self.store.recording(id)?;
        let store = recording.read();
        let timeline = state.time.timeline.clone()?;
        let (lo, hi) = state.time.visible(&store)?;
        Some((timeline, lo.floor() as i64, hi.ceil() as i64))
    }

    /// Opens files dropped on the window. In the browser, files are read asynchronously by
    /// the page's host (see `reel_web`), so only native builds read them here.
    #[cfg(target_arch = "wasm32")]
    fn handle_dropped_files(&mut self, _ctx: &egui::Context) {}

    #[cfg(not(target_arch = "wasm32"))]
    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        for file in dropped {
            let path = file.path().to_owned();
            if path.is_file() {
                self.open_path(ctx, path);
                continue;
            }
            let name = path.display().to_string();
            match file.bytes() {
                Err(e) => self.message = Some(format!("cannot read the dropped {name}: {e}")),
                Ok(bytes) => {
                    let source = Source::new(name, crate::sources::SourceKind::Bytes);
                    let report = self.store.load(std::io::Cursor::new(bytes));
                    source.progress.bytes.store(report.bytes, Ordering::Relaxed);
                    source.progress.set_state(match report.error {
                        Some(e) => crate::sources::SourceState::Failed(e.to_string()),
                        None => crate::sources::SourceState::Done,
                    });
                    self.sources.push(source);
                }
            }
        }
    }

    /// Opens a recording file (loaded on another thread where threads exist).
    pub fn open_path(&mut self, ctx: &egui::Context, path: std::path::PathBuf) {
        #[cfg(feature = "native")]
        {
            let source = crate::native::load_file(self.store.clone(), path, ctx.clone());
            self.sources.push(source);
        }
        #[cfg(not(feature = "native"))]
        {
            let _ = ctx;
            self.message = Some(format!("cannot open {} here", path.display()));
        }
    }

    /// Saves the active recording (or one time range of it) to `path`.
    fn save(&mut self, path: &std::path::Path, range: Option<(reel_core::Timeline, i64, i64)>) {
        let Some(id) = self.active.clone() else {
            return;
        };
        let Some(recording) = self.store.recording(&id) else {
            return;
        };
        let result = std::fs::File::create(path)
            .map_err(|e| e.to_string())
            .and_then(|f| {
                crate::save::write_recording(
                    std::io::BufWriter::new(f),
                    &id,
                    &recording,
                    range.as_ref(),
                )
                .map_err(|e| e.to_string())
            });
        self.message = Some(match result {
            Ok(n) => format!("saved {n} rows to {}", path.display()),
            Err(e) => format!("cannot save {}: {e}", path.display()),
        });
    }
}

/// Space plays or pauses, arrows step, Home/End jump, L follows live.
fn handle_keys(ui: &egui::Ui, state: &mut RecordingUi, store: &ChunkStore) {
    if ui.ctx().egui_wants_keyboard_input() {
        return;
    }
    let pressed =
        |key| ui.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(Modifiers::NONE, key)));
    if pressed(Key::Space) {
        state.time.toggle_play(store);
    }
    if pressed(Key::ArrowRight) {
        state.time.step(store, true);
    }
    if pressed(Key::ArrowLeft) {
        state.time.step(store, false);
    }
    if pressed(Key::Home) {
        state.time.jump(store, false);
    }
    if pressed(Key::End) {
        state.time.jump(store, true);
    }
    if pressed(Key::L) {
        state.time.follow();
    }
    if pressed(Key::Escape) {
        state.selection = None;
    }
}

/// The views area: tiles, or one maximised view.
fn views_ui(
    ctx: &ViewerContext<'_>,
    layout: &mut Layout,
    ui: &mut egui::Ui,
    out: &mut FrameOutput,
) {
    if layout.views.is_empty() {
        ui.centered_and_justified(|ui| {
            ui.weak("No 2D, plot, text or tensor data to show yet. 3D entities are listed in the tree; select one to see its values.");
        });
        return;
    }
    if let Some(id) = layout.maximized {
        if let Some(view) = layout.views.get_mut(&id) {
            ui.horizontal(|ui| {
                ui.strong(&view.spec.name);
                if ui.small_button("restore").clicked() {
                    layout.maximized = None;
                }
            });
            view.ui(ctx, ui, out);
            return;
        }
        layout.maximized = None;
    }
    let mut behavior = Behavior {
        ctx,
        views: &mut layout.views,
        out,
        maximize: None,
        closed: Vec::new(),
    };
    layout.tiles.ui(&mut behavior, ui);
    let (maximize, closed) = (behavior.maximize, behavior.closed);
    if maximize.is_some() {
        layout.maximized = maximize;
    }
    for id in closed {
        layout.views.remove(&id);
    }
}

struct Behavior<'a, 'b> {
    ctx: &'a ViewerContext<'b>,
    views: &'a mut BTreeMap<ViewId, View>,
    out: &'a mut FrameOutput,
    maximize: Option<ViewId>,
    closed: Vec<ViewId>,
}

impl egui_tiles::Behavior<ViewId> for Behavior<'_, '_> {
    fn pane_ui(
        &mut self,
        ui: &mut egui::Ui,
        _tile: egui_tiles::TileId,
        pane: &mut ViewId,
    ) -> egui_tiles::UiResponse {
        if let Some(view) = self.views.get_mut(pane) {
            view.ui(self.ctx, ui, self.out);
        }
        egui_tiles::UiResponse::None
    }

    fn top_bar_right_ui(
        &mut self,
        tiles: &egui_tiles::Tiles<ViewId>,
        ui: &mut egui::Ui,
        _tile_id: egui_tiles::TileId,
        tabs: &egui_tiles::Tabs,
        _scroll_offset: &mut f32,
    ) {
        let active = tabs.active.and_then(|t| match tiles.get(t) {
            Some(egui_tiles::Tile::Pane(id)) => Some(*id),
            _ => None,
        });
        if let Some(id) = active {
            if ui
                .small_button("⛶")
                .on_hover_text("Maximise this view")
                .clicked()
            {
                self.maximize = Some(id);
            }
        }
    }

    fn tab_title_for_pane(&mut self, pane: &ViewId) -> egui::WidgetText {
        self.views
            .get(pane)
            .map_or_else(|| "?".into(), |v| v.spec.name.clone().into())
    }

    fn is_tab_closable(
        &self,
        _tiles: &egui_tiles::Tiles<ViewId>,
        _tile_id: egui_tiles::TileId,
    ) -> bool {
        true
    }

    fn on_tab_close(
        &mut self,
        tiles: &mut egui_tiles::Tiles<ViewId>,
        tile_id: egui_tiles::TileId,
    ) -> bool {
        if let Some(egui_tiles::Tile::Pane(id)) = tiles.get(tile_id) {
            self.closed.push(*id);
        }
        true
    }

    fn simplification_options(&self) -> egui_tiles::SimplificationOptions {
        egui_tiles::SimplificationOptions {
            all_panes_must_have_tabs: true,
            ..Default::default()
        }
    }
}
