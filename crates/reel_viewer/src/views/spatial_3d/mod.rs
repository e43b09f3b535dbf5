//! The 3D view: points, lines, boxes, arrows, meshes, assets and cameras placed by the
//! transform hierarchy, drawn on the GPU by [`crate::renderer`].
//!
//! Orbit by default (drag rotates, right- or shift-drag pans, scroll zooms); fly mode
//! looks around on drag and moves with W/A/S/D (Q/E down/up). Double-click or "reset"
//! fits the scene. Hovering shows an instance's components and highlights it; clicking
//! selects it. The scene's up axis comes from `ViewCoordinates` logged at the view's
//! origin, else at the shallowest of its entities that logs them (else +Z).
//!
//! Per frame the view does one latest-at query per entity and looks up parts by the rows
//! they were built from, so moving the cursor over frames that share rows builds and
//! uploads nothing; picking runs only when the pointer or the picture changed.

mod asset;
pub mod camera;
pub mod picking;
pub mod scene;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use egui::{Align2, Color32, FontId, Sense};
use glam::{Mat4, Vec2, Vec3};
use reel_core::{Component, EntityPath};
use reel_types::components::{ClassId, Text, ViewCoordinates};

use crate::context::{Command, FrameOutput, Item, ViewerContext};
use crate::data::EntityData;
use crate::heuristics::ViewSpec;
use crate::renderer::{Batch, Draw, SceneCallback, SceneFrame, SegmentInstance};
use crate::transforms::{box_corner, up_axis, Placement, Transforms};
use crate::views::spatial_2d::instance_tooltip;

use camera::{focal_points, horizontal_axes, CameraMode, Eye};
use picking::{pick, Hit, Placed, Screen};
use scene::{entity_parts, pack, Instances, Part, PartCache};

/// Above this many pickable primitives, picking waits for the pointer to rest.
const PICK_WHILE_MOVING: usize = 2_000_000;
/// Color of highlighted lines drawn over their instance.
const HIGHLIGHT: Color32 = Color32::from_rgb(255, 215, 80);

/// The state of a 3D view.
pub struct Spatial3DView {
    eye: Option<Eye>,
    mode: CameraMode,
    show_grid: bool,
    show_axes: bool,
    parts: PartCache,
    /// The last picking result and what it was computed for.
    picked: Option<(u64, Option<Hit>)>,
    /// The entity whose axes set the up direction, by the schema generation it was
    /// looked up in (looked up again only when entities or components appear).
    axes: Option<(u64, Option<EntityPath>)>,
    /// The placed parts and errors of the last frame, by what they were computed from.
    scene: Option<(u64, Vec<Item3D>, Vec<String>)>,
}

impl Default for Spatial3DView {
    fn default() -> Self {
        Self {
            eye: None,
            mode: CameraMode::Orbit,
            show_grid: true,
            show_axes: true,
            parts: PartCache::default(),
            picked: None,
            axes: None,
            scene: None,
        }
    }
}

/// One part placed for this frame.
#[derive(Clone)]
struct Item3D {
    entity: EntityPath,
    part: Arc<Part>,
    world_from_obj: Mat4,
}

impl Spatial3DView {
    /// Parts built so far (how much CPU work the view did; tests and benches read it).
    pub fn builds(&self) -> u64 {
        self.parts.builds
    }

    /// The camera, once the view was shown.
    pub fn eye(&self) -> Option<Eye> {
        self.eye
    }

    /// Draws the view's entities at the cursor.
    pub fn ui(
        &mut self,
        ctx: &ViewerContext<'_>,
        spec: &ViewSpec,
        ui: &mut egui::Ui,
        out: &mut FrameOutput,
    ) {
        let query = ctx.latest_at();
        let generation = ctx.store.schema_generation();
        if self.axes.as_ref().is_none_or(|(g, _)| *g != generation) {
            self.axes = Some((generation, axes_entity(ctx.store, spec)));
        }
        let up = self
            .axes
            .as_ref()
            .and_then(|(_, entity)| entity.as_ref())
            .and_then(|entity| {
                EntityData::query_components(ctx.store, &query, entity, &[ViewCoordinates::name()])
                    .first::<ViewCoordinates>()
            })
            .map_or(Vec3::Z, |c| up_axis(&c));

        // What to draw: every visible entity's parts, placed (again only when the store,
        // the cursor, the entities or what is hidden changed).
        let key = scene_key(ctx, spec, &query);
        if self.scene.as_ref().is_none_or(|(k, _, _)| *k != key) {
            let (items, errors) = self.place(ctx, spec, &query);
            self.scene = Some((key, items, errors));
        }
        let Some((_, items, errors)) = &self.scene else {
            return;
        };
        let (items, errors) = (items.clone(), errors.clone());
        let bounds = scene_bounds(&items).unwrap_or((Vec3::splat(-1.0), Vec3::splat(1.0)));

        let eye = self
            .eye
            .get_or_insert_with(|| Eye::fit(bounds.0, bounds.1, up));
        eye.up = up;

        self.toolbar(ui, &items, &errors, bounds, up);

        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        if rect.width() < 1.0 || rect.height() < 1.0 {
            return;
        }
        self.handle_input(ui, &response, rect, bounds, up);
        let Some(eye) = self.eye else { return };
        let size = Vec2::new(rect.width(), rect.height());
        let matrices = eye.matrices(size);

        // Picking: only when the pointer, the camera or the scene changed.
        let screen = Screen {
            clip_from_world: matrices.clip_from_world,
            min: Vec2::new(rect.left(), rect.top()),
            size,
            focal: focal_points(rect.height()),
        };
        let hit = response
            .hover_pos()
            .and_then(|pointer| self.pick_cached(ui, &items, &screen, pointer));
        let hovered_item = hit.map(|h| {
            let entity = items[h.part].entity.clone();
            match h.instance {
                Some(i) => Item::Instance(entity, i),
                None => Item::Entity(entity),
            }
        });
        if let Some(item) = &hovered_item {
            out.hovered = Some(item.clone());
            if response.clicked() {
                out.select(item.clone());
            }
        } else if response.clicked() {
            out.commands.push(Command::Select(None));
        }

        let draws = self.draws(ctx, &items, bounds, up);
        let ppp = ui.ctx().pixels_per_point();
        let frame = SceneFrame {
            view: response.id,
            frame_nr: ui.ctx().cumulative_pass_nr(),
            gc_generation: ctx.store.gc_generation(),
            size_px: [
                (rect.width() * ppp).round() as u32,
                (rect.height() * ppp).round() as u32,
            ],
            pixels_per_point: ppp,
            camera: matrices,
            background: ui.visuals().extreme_bg_color,
            draws,
        };
        ui.painter().add(egui_wgpu::Callback::new_paint_callback(
            rect,
            SceneCallback::new(frame),
        ));

        let hovered_instance = hit.and_then(|h| Some((h.part, h.instance?)));
        draw_labels(
            ui,
            ctx,
            &items,
            hovered_instance,
            &matrices.clip_from_world,
            rect,
        );
        if items.is_empty() {
            ui.painter().text(
                rect.center(),
                Align2::CENTER_CENTER,
                "nothing to show at this time",
                FontId::proportional(13.0),
                ui.visuals().weak_text_color(),
            );
        }
        if let Some(item) = hovered_item {
            response.on_hover_ui_at_pointer(|ui| {
                let instance = match &item {
                    Item::Instance(_, i) => Some(*i),
                    Item::Entity(_) => None,
                };
                instance_tooltip(ui, ctx, item.entity(), instance);
            });
        }
    }

    /// Every visible entity's parts at the cursor, placed in the view's space, and the
    /// errors met on the way.
    fn place(
        &mut self,
        ctx: &ViewerContext<'_>,
        spec: &ViewSpec,
        query: &reel_store::LatestAtQuery,
    ) -> (Vec<Item3D>, Vec<String>) {
        let mut transforms = Transforms::new(ctx.store, query.clone(), spec.origin.clone());
        let mut errors = Vec::new();
        let mut items = Vec::new();
        let mut plane_items = Vec::new();
        self.parts.begin_frame();
        for entity in spec.entities.iter().filter(|e| ctx.is_visible(e)) {
            let Some(placement) = transforms.placement(entity) else {
                continue;
            };
            let mut data = EntityData::query(ctx.store, query, entity);
            let (world, pinhole) = match placement {
                Placement::Space(m) => (m, None),
                Placement::ImagePlane {
                    world_from_camera,
                    pinhole,
                } => (world_from_camera, Some(pinhole)),
            };
            let parts = entity_parts(
                &mut data,
                ctx.annotations,
                pinhole.as_ref(),
                &mut self.parts,
                &mut errors,
            );
            errors.append(&mut data.errors);
            for part in parts {
                let item = Item3D {
                    entity: entity.clone(),
                    world_from_obj: world * part.local,
                    part,
                };
                if item.part.on_image_plane {
                    plane_items.push(item);
                } else {
                    items.push(item);
                }
            }
        }
        self.parts.end_frame();

        // Image planes sit halfway from their camera to the scene's center, within limits
        // that keep them visible but not in the way.
        let bounds = scene_bounds(&items);
        for mut item in plane_items {
            let camera = item.world_from_obj.transform_point3(Vec3::ZERO);
            let distance = match bounds {
                Some((lo, hi)) => {
                    let diagonal = (hi - lo).length().max(1e-3);
                    (camera.distance((lo + hi) * 0.5) * 0.5).clamp(diagonal * 0.02, diagonal * 0.3)
                }
                None => 1.0,
            };
            item.world_from_obj *= Mat4::from_scale(Vec3::splat(distance));
            items.push(item);
        }
        (items, errors)
    }

    fn toolbar(
        &mut self,
        ui: &mut egui::Ui,
        items: &[Item3D],
        errors: &[String],
        bounds: (Vec3, Vec3),
        up: Vec3,
    ) {
        ui.horizontal(|ui| {
            egui::ComboBox::from_id_salt("camera mode")
                .selected_text(self.mode.name())
                .show_ui(ui, |ui| {
                    for mode in [CameraMode::Orbit, CameraMode::Fly] {
                        ui.selectable_value(&mut self.mode, mode, mode.name());
                    }
                })
                .response
                .on_hover_text(
                    "orbit: drag rotates, right- or shift-drag pans, scroll zooms\n\
                     fly: drag looks around, W/A/S/D/Q/E move, scroll moves forward",
                );
            if ui
                .small_button("reset")
                .on_hover_text("Show the whole scene (double-click)")
                .clicked()
            {
                self.eye = Some(Eye::fit(bounds.0, bounds.1, up));
            }
            ui.checkbox(&mut self.show_grid, "grid");
            ui.checkbox(&mut self.show_axes, "axes");
            let primitives: usize = items.iter().map(|i| primitive_count(&i.part.batch)).sum();
            ui.weak(format!("{} parts, {primitives} primitives", items.len()));
            for e in errors {
                ui.colored_label(ui.visuals().warn_fg_color, e);
            }
        });
    }

    fn handle_input(
        &mut self,
        ui: &egui::Ui,
        response: &egui::Response,
        rect: egui::Rect,
        bounds: (Vec3, Vec3),
        up: Vec3,
    ) {
        let Some(eye) = self.eye.as_mut() else { return };
        if response.double_clicked() {
            *eye = Eye::fit(bounds.0, bounds.1, up);
            return;
        }
        let (shift, delta) = ui.input(|i| (i.modifiers.shift, i.pointer.delta()));
        let delta = Vec2::new(delta.x, delta.y);
        let panning = response.dragged_by(egui::PointerButton::Secondary)
            || response.dragged_by(egui::PointerButton::Middle)
            || (shift && response.dragged_by(egui::PointerButton::Primary));
        if panning {
            eye.pan(delta, rect.height());
        } else if response.dragged_by(egui::PointerButton::Primary) {
            eye.rotate(delta, self.mode);
        }
        if !response.hovered() {
            return;
        }
        let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
        let factor = zoom * (scroll * 0.003).exp();
        if (factor - 1.0).abs() > 1e-4 {
            eye.zoom(factor, self.mode);
        }
        if self.mode == CameraMode::Fly {
            let (step, keys) = ui.input(|i| {
                let key = |k| if i.key_down(k) { 1.0 } else { 0.0 };
                let keys = Vec3::new(
                    key(egui::Key::D) - key(egui::Key::A),
                    key(egui::Key::E) - key(egui::Key::Q),
                    key(egui::Key::W) - key(egui::Key::S),
                );
                (i.stable_dt.min(0.1), keys)
            });
            if keys != Vec3::ZERO {
                eye.translate(keys * step);
                ui.ctx().request_repaint();
            }
        }
    }

    /// The hit under `pointer`, recomputed only when something it depends on changed
    /// (and, for very large scenes, only once the pointer rests).
    fn pick_cached(
        &mut self,
        ui: &egui::Ui,
        items: &[Item3D],
        screen: &Screen,
        pointer: egui::Pos2,
    ) -> Option<Hit> {
        let mut h = DefaultHasher::new();
        pointer.x.to_bits().hash(&mut h);
        pointer.y.to_bits().hash(&mut h);
        for v in screen.clip_from_world.to_cols_array() {
            v.to_bits().hash(&mut h);
        }
        for item in items {
            item.part.key.hash(&mut h);
            for v in item.world_from_obj.to_cols_array() {
                v.to_bits().hash(&mut h);
            }
        }
        let signature = h.finish();
        if let Some((s, hit)) = self.picked {
            if s == signature {
                return hit;
            }
        }
        let total: usize = items.iter().map(|i| primitive_count(&i.part.batch)).sum();
        let moving = ui.input(|i| i.pointer.delta() != egui::Vec2::ZERO);
        if total > PICK_WHILE_MOVING && moving {
            ui.ctx().request_repaint();
            return None;
        }
        let placed: Vec<Placed<'_>> = items
            .iter()
            .map(|i| Placed {
                part: &i.part,
                world_from_obj: i.world_from_obj,
            })
            .collect();
        let hit = pick(&placed, screen, Vec2::new(pointer.x, pointer.y));
        self.picked = Some((signature, hit));
        hit
    }

    /// The renderer's draw list: every part, highlights, the grid and the axes.
    fn draws(
        &self,
        ctx: &ViewerContext<'_>,
        items: &[Item3D],
        bounds: (Vec3, Vec3),
        up: Vec3,
    ) -> Vec<Draw> {
        let mut draws = Vec::with_capacity(items.len() + 2);
        let instance_of = |entity: &EntityPath| {
            [ctx.hovered, ctx.selection]
                .into_iter()
                .flatten()
                .find_map(|item| match item {
                    Item::Instance(e, i) if e == entity => Some(*i),
                    _ => None,
                })
        };
        let mut overlays = Vec::new();
        for item in items {
            // The whole entity lights up when it (or an ancestor) is hovered or selected.
            let whole = [ctx.hovered, ctx.selection]
                .into_iter()
                .flatten()
                .any(|i| matches!(i, Item::Entity(e) if item.entity.starts_with(e)));
            let instance = instance_of(&item.entity);
            let mut draw = Draw {
                key: item.part.key,
                batch: item.part.batch.clone(),
                world_from_obj: item.world_from_obj,
                tint: item.part.tint,
                highlighted: whole,
                highlight_instance: None,
            };
            match (&item.part.instances, instance) {
                (Instances::PerPrimitive, Some(i)) => draw.highlight_instance = Some(i as u32),
                (Instances::Whole, Some(_)) => draw.highlighted = true,
                (Instances::Ranges(ranges), Some(i)) => {
                    if let (Some(range), Batch::Segments(segments)) =
                        (ranges.get(i), item.part.batch.as_ref())
                    {
                        overlays.push(highlight_overlay(item, range.clone(), segments, i));
                    }
                }
                _ => {}
            }
            draws.push(draw);
        }
        draws.extend(overlays);
        let (lo, hi) = bounds;
        let extent = (hi - lo).abs().max_element().max(1e-3);
        // A power of ten with about ten to a hundred lines across the scene.
        let spacing = 10f32.powf((extent / 10.0).log10().floor());
        if self.show_grid {
            draws.push(grid(up, (lo + hi) * 0.5, extent, spacing));
        }
        if self.show_axes {
            draws.push(axes(spacing));
        }
        draws
    }
}

/// The instance's segments again, brighter and wider, drawn over the part.
fn highlight_overlay(
    item: &Item3D,
    range: std::ops::Range<u32>,
    segments: &[SegmentInstance],
    instance: usize,
) -> Draw {
    let color = pack(HIGHLIGHT);
    let widen = |r: f32| if r < 0.0 { r - 1.0 } else { r * 1.5 };
    let highlighted: Vec<SegmentInstance> = segments
        .get(range.start as usize..range.end as usize)
        .unwrap_or_default()
        .iter()
        .map(|s| SegmentInstance {
            radius_a: widen(s.radius_a),
            radius_b: widen(s.radius_b),
            color,
            ..*s
        })
        .collect();
    let mut h = DefaultHasher::new();
    (item.part.key, instance, "highlight").hash(&mut h);
    Draw::new(
        h.finish(),
        Arc::new(Batch::Segments(highlighted)),
        item.world_from_obj,
    )
}

/// Lines every `spacing` on the ground plane through the origin, covering the scene.
fn grid(up: Vec3, center: Vec3, extent: f32, spacing: f32) -> Draw {
    let (a, b) = horizontal_axes(up);
    let n = ((extent / spacing).ceil() as i32).clamp(1, 50);
    let half = n as f32 * spacing;
    let snap = |v: f32| (v / spacing).round() * spacing;
    let center = a * snap(center.dot(a)) + b * snap(center.dot(b));
    let color = pack(Color32::from_rgba_unmultiplied(128, 128, 128, 55));
    let mut segments = Vec::new();
    for k in -n..=n {
        let o = k as f32 * spacing;
        for (along, across) in [(a, b), (b, a)] {
            segments.push(SegmentInstance {
                a: (center + across * o - along * half).to_array(),
                radius_a: -0.5,
                b: (center + across * o + along * half).to_array(),
                radius_b: -0.5,
                color,
            });
        }
    }
    let mut h = DefaultHasher::new();
    (
        "grid",
        n,
        spacing.to_bits(),
        center.to_array().map(f32::to_bits),
    )
        .hash(&mut h);
    (up.to_array().map(f32::to_bits)).hash(&mut h);
    Draw::new(
        h.finish(),
        Arc::new(Batch::Segments(segments)),
        Mat4::IDENTITY,
    )
}

/// The world's x (red), y (green) and z (blue) axes at the origin.
fn axes(length: f32) -> Draw {
    let segments = [
        (Vec3::X, Color32::from_rgb(230, 70, 70)),
        (Vec3::Y, Color32::from_rgb(70, 200, 70)),
        (Vec3::Z, Color32::from_rgb(80, 120, 240)),
    ]
    .map(|(axis, color)| SegmentInstance {
        a: [0.0; 3],
        radius_a: -1.5,
        b: (axis * length).to_array(),
        radius_b: -1.5,
        color: pack(color),
    })
    .to_vec();
    let mut h = DefaultHasher::new();
    ("axes", length.to_bits()).hash(&mut h);
    Draw::new(
        h.finish(),
        Arc::new(Batch::Segments(segments)),
        Mat4::IDENTITY,
    )
}

/// What a frame's placed parts depend on: the store's contents, the cursor, the view's
/// entities and what is hidden.
fn scene_key(ctx: &ViewerContext<'_>, spec: &ViewSpec, query: &reel_store::LatestAtQuery) -> u64 {
    let mut h = DefaultHasher::new();
    ctx.store_id.hash(&mut h);
    ctx.store.generation().hash(&mut h);
    query.timeline.hash(&mut h);
    query.at.hash(&mut h);
    spec.origin.hash64().hash(&mut h);
    for entity in &spec.entities {
        entity.hash64().hash(&mut h);
    }
    for hidden in ctx.hidden {
        hidden.hash64().hash(&mut h);
    }
    h.finish()
}

/// Labels of parts with few instances at their anchors, and the hovered instance's label
/// (whatever the number of instances).
fn draw_labels(
    ui: &egui::Ui,
    ctx: &ViewerContext<'_>,
    items: &[Item3D],
    hovered: Option<(usize, usize)>,
    clip_from_world: &Mat4,
    rect: egui::Rect,
) {
    let painter = ui.painter().with_clip_rect(rect);
    // Labels sit above right of their anchor; the hovered one left of it, clear of the
    // tooltip at the pointer.
    let draw = |item: &Item3D, at: Vec3, text: String, color: Color32, hovered: bool| {
        let world = item.world_from_obj.transform_point3(at);
        let Some((pos, _)) = camera::project(clip_from_world, rect, world) else {
            return;
        };
        if !rect.contains(pos) {
            return;
        }
        let galley = painter.layout_no_wrap(text, FontId::proportional(12.0), color);
        let size = galley.size();
        let at = if hovered {
            pos + egui::vec2(-size.x - 8.0, -size.y * 0.5)
        } else {
            pos + egui::vec2(6.0, -size.y - 2.0)
        };
        let strong = hovered || ctx.is_highlighted(&item.entity, None);
        let background = egui::Rect::from_min_size(at, size).expand(2.0);
        painter.rect_filled(
            background,
            2.0,
            Color32::from_black_alpha(if strong { 220 } else { 160 }),
        );
        painter.galley(at, galley, color);
    };
    for item in items {
        for (at, text, color) in &item.part.labels {
            draw(item, *at, text.clone(), *color, false);
        }
    }
    let Some((part, instance)) = hovered else {
        return;
    };
    let Some(item) = items.get(part) else { return };
    let Some(anchor) = item.part.instance_anchor(instance) else {
        return;
    };
    if item.part.labels.iter().any(|(at, _, _)| *at == anchor) {
        return; // Already drawn.
    }
    if let Some(text) = instance_label(ctx, &item.entity, instance) {
        draw(item, anchor, text, HIGHLIGHT, true);
    }
}

/// The label of instance `i` of `entity` at the cursor: its own text (or the one text of
/// all its instances), else its class's label.
fn instance_label(ctx: &ViewerContext<'_>, entity: &EntityPath, i: usize) -> Option<String> {
    let names = [Text::name(), ClassId::name()];
    let results = ctx.store.latest_at(&ctx.latest_at(), entity, &names);
    // One value of a cell: the instance's, or the splat's; deserialized alone.
    let one = |name: &reel_core::ComponentName| {
        let cell = results.cell(name)?;
        let j = if cell.len() == 1 { 0 } else { i };
        (j < cell.len()).then(|| cell.slice(j, 1))
    };
    let own = one(&names[0])
        .and_then(|c| Text::from_arrow(c.as_ref()).ok())
        .and_then(|t| t.into_iter().next())
        .map(|t| t.0);
    let class = one(&names[1])
        .and_then(|c| ClassId::from_arrow(c.as_ref()).ok())
        .and_then(|c| c.into_iter().next())
        .map(|c| c.0);
    ctx.annotations.label(entity, own, class)
}

/// The entity whose `ViewCoordinates` set the view's up axis: the origin if it logs them,
/// else the shallowest of the view's entities that does.
fn axes_entity(store: &reel_store::ChunkStore, spec: &ViewSpec) -> Option<EntityPath> {
    let mut candidates: Vec<&EntityPath> = spec.entities.iter().collect();
    candidates.sort_by_key(|e| e.parts().len());
    std::iter::once(&spec.origin)
        .chain(candidates)
        .find(|e| {
            store
                .entity_components(e)
                .contains(&ViewCoordinates::name())
        })
        .cloned()
}

/// The union of the parts' bounds in the world.
fn scene_bounds(items: &[Item3D]) -> Option<(Vec3, Vec3)> {
    let mut out: Option<(Vec3, Vec3)> = None;
    for item in items {
        let Some((lo, hi)) = item.part.bounds else {
            continue;
        };
        let (center, half) = ((lo + hi) * 0.5, (hi - lo) * 0.5);
        for k in 0..8 {
            let p = item
                .world_from_obj
                .transform_point3(center + half * box_corner(k));
            if !p.is_finite() {
                continue;
            }
            out = Some(match out {
                Some((a, b)) => (a.min(p), b.max(p)),
                None => (p, p),
            });
        }
    }
    out
}

fn primitive_count(batch: &Batch) -> usize {
    match batch {
        Batch::Points(p) => p.len(),
        Batch::Segments(s) => s.len(),
        Batch::Mesh { indices, .. } => indices.len() / 3,
        Batch::DepthCloud(d) => d.depths.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heuristics::ViewKind;

    #[test]
    fn the_up_axis_comes_from_the_shallowest_entity_with_axes() {
        let (rec, mem) = reel_sdk::RecordingStreamBuilder::new("axes")
            .memory()
            .expect("recording");
        let log = |path: &str, code: &str| {
            let axes = reel_types::archetypes::ViewCoordinates::from_code(code).expect("code");
            rec.log_timeless(path, &axes).expect("log");
        };
        log("world/robot/camera", "RDF");
        log("world", "RUB");
        let store = reel_store::Store::default();
        store.load(std::io::Cursor::new(mem.drain_as_bytes().expect("bytes")));
        let id = store
            .recording_ids()
            .into_iter()
            .next_back()
            .expect("recording");
        let recording = store.recording(&id).expect("recording");
        let chunks = recording.read();
        let path = EntityPath::parse_forgiving;
        let spec = ViewSpec {
            kind: ViewKind::Spatial3D,
            name: "3D".to_owned(),
            origin: EntityPath::root(),
            entities: vec![path("world/robot/camera"), path("world")],
        };
        assert_eq!(axes_entity(&chunks, &spec), Some(path("world")));
        let without = ViewSpec {
            entities: vec![path("world/robot")],
            ..spec
        };
        assert_eq!(axes_entity(&chunks, &without), None);
    }
}
