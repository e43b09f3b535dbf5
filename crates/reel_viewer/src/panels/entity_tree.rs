//! The entity tree: the path hierarchy with row counts, expand/collapse, visibility
//! toggles, hover (which highlights the entity in every view) and selection. Only the rows
//! on screen are laid out, so thousands of entities stay cheap.

use std::collections::BTreeSet;

use egui::{RichText, Sense};
use reel_core::EntityPath;
use reel_store::ChunkStore;

use crate::context::{Command, FrameOutput, Item, ViewerContext};

/// Nodes at this depth or above are open unless the user closed them; deeper ones are
/// closed unless opened.
const OPEN_DEPTH: usize = 2;
/// A node with more children than this starts closed.
const OPEN_MAX_CHILDREN: usize = 64;

/// Which nodes the user opened or closed, shared by the entity tree and the time panel.
#[derive(Default, Debug, Clone)]
pub struct TreeState {
    /// Nodes whose open state differs from the default.
    toggled: BTreeSet<EntityPath>,
    version: u64,
    rows: Vec<TreeRow>,
    rows_key: Option<(u64, u64)>,
}

/// One visible row of the tree.
#[derive(Clone, Debug)]
pub struct TreeRow {
    /// The node.
    pub path: EntityPath,
    /// Its depth (top-level entities are 0).
    pub depth: usize,
    /// Whether it has children.
    pub has_children: bool,
    /// Whether its children are shown.
    pub open: bool,
}

impl TreeState {
    fn default_open(depth: usize, children: usize) -> bool {
        depth < OPEN_DEPTH && children <= OPEN_MAX_CHILDREN
    }

    /// Opens or closes `path`.
    pub fn toggle(&mut self, path: &EntityPath) {
        if !self.toggled.remove(path) {
            self.toggled.insert(path.clone());
        }
        self.version += 1;
    }

    /// The visible rows, recomputed when the store or the open state changed.
    pub fn rows(&mut self, store: &ChunkStore) -> &[TreeRow] {
        let key = (store.schema_generation(), self.version);
        if self.rows_key != Some(key) {
            self.rows.clear();
            let tree = store.entity_tree();
            let mut stack: Vec<(EntityPath, usize)> = tree
                .root()
                .children
                .iter()
                .rev()
                .map(|p| (EntityPath::root().join(p.clone()), 0))
                .collect();
            while let Some((path, depth)) = stack.pop() {
                let Some(node) = tree.get(&path) else {
                    continue;
                };
                let has_children = !node.children.is_empty();
                let open = has_children
                    && (Self::default_open(depth, node.children.len())
                        != self.toggled.contains(&path));
                if open {
                    stack.extend(
                        node.children
                            .iter()
                            .rev()
                            .map(|p| (path.join(p.clone()), depth + 1)),
                    );
                }
                self.rows.push(TreeRow {
                    path,
                    depth,
                    has_children,
                    open,
                });
            }
            self.rows_key = Some(key);
        }
        &self.rows
    }
}

/// Height of one row (shared with the time panel so stripes line up with names).
pub const ROW_HEIGHT: f32 = 20.0;

/// Draws the tree.
pub fn ui(ctx: &ViewerContext<'_>, tree: &mut TreeState, ui: &mut egui::Ui, out: &mut FrameOutput) {
    let rows = tree.rows(ctx.store).to_vec();
    if rows.is_empty() {
        ui.weak("no entities yet");
        return;
    }
    let mut toggle = None;
    egui::ScrollArea::vertical().auto_shrink(false).show_rows(
        ui,
        ROW_HEIGHT,
        rows.len(),
        |ui, range| {
            for row in &rows[range] {
                ui.horizontal(|ui| {
                    ui.set_height(ROW_HEIGHT);
                    ui.add_space(row.depth as f32 * 14.0);
                    if row.has_children {
                        let arrow = if row.open { "⏷" } else { "⏵" };
                        if ui.add(egui::Button::new(arrow).frame(false)).clicked() {
                            toggle = Some(row.path.clone());
                        }
                    } else {
                        ui.add_space(ui.spacing().icon_width);
                    }
                    let visible = ctx.is_visible(&row.path);
                    let own_hidden = ctx.hidden.contains(&row.path);
                    let eye = if visible { "👁" } else { "—" };
                    if ui
                        .add(egui::Button::new(RichText::new(eye).weak()).frame(false))
                        .on_hover_text(if own_hidden { "show" } else { "hide" })
                        .clicked()
                    {
                        out.commands
                            .push(Command::SetVisible(row.path.clone(), own_hidden));
                    }
                    let name = row
                        .path
                        .parts()
                        .last()
                        .map_or_else(|| "/".to_owned(), ToString::to_string);
                    let selected = ctx.selection.is_some_and(|s| s.entity() == &row.path);
                    let mut text = RichText::new(name);
                    if !visible {
                        text = text.weak();
                    }
                    let response = ui
                        .add(egui::Button::selectable(selected, text).sense(Sense::click()))
                        .on_hover_text(row.path.to_string());
                    if let Some(node) = ctx.store.entity_tree().get(&row.path) {
                        ui.weak(format!("{}", node.subtree.rows));
                    }
                    if response.hovered() {
                        out.hovered = Some(Item::Entity(row.path.clone()));
                    }
                    if response.clicked() {
                        out.select(Item::Entity(row.path.clone()));
                    }
                    if response.double_clicked() && row.has_children {
                        toggle = Some(row.path.clone());
                    }
                });
            }
        },
    );
    if let Some(path) = toggle {
        tree.toggle(&path);
    }
}
