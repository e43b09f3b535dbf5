//! The 2D view: images (color, depth, segmentation, encoded) in pixel coordinates (y
//! down) with 2D points, boxes, line strips and keypoint skeletons drawn over them.
//! Drag pans, scroll or pinch zooms around the pointer, double-click fits. Hovering shows
//! the pixel value under the pointer and the components of the instance under it;
//! clicking selects the instance.

use std::collections::HashMap;
use std::sync::Arc;

use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Shape, Stroke, TextureHandle, Vec2};
use reel_core::{ComponentName, EntityPath, RowId};
use reel_types::components::{
    Blob, ClassId, Color, DepthMeter, DrawOrder, HalfSizes2D, KeypointId, LineStrip2D, Position2D,
    Radius, TensorData, Text,
};

use crate::annotations::auto_color;
use crate::colormap::Colormap;
use crate::context::{FrameOutput, Item, ViewerContext};
use crate::data::{format_value, instance, EntityData};
use crate::heuristics::ViewSpec;
use crate::imagery::{decode_encoded, decode_tensor, DecodedImage, ImageKind};

/// Radius in screen points of a point logged without one.
const DEFAULT_POINT_RADIUS: f32 = 2.5;
/// How near (in screen points) the pointer must be to hover an instance.
const HOVER_DISTANCE: f32 = 6.0;

/// The state of a 2D view.
#[derive(Default)]
pub struct Spatial2DView {
    /// The part of the scene shown (`None`: fit everything).
    scene_rect: Option<Rect>,
    /// The colormap for depth images.
    colormap: Colormap,
    /// Decoded images by the row that logged them.
    textures: HashMap<(EntityPath, RowId, Colormap), CachedImage>,
}

struct CachedImage {
    texture: Result<(TextureHandle, Arc<DecodedImage>), String>,
    used: bool,
}

/// One thing to draw, in scene coordinates.
enum Primitive {
    Image {
        texture: egui::TextureId,
        decoded: Arc<DecodedImage>,
    },
    Point {
        pos: Pos2,
        radius: f32,
        color: Color32,
    },
    Rect {
        rect: Rect,
        width: f32,
        color: Color32,
    },
    Strip {
        points: Vec<Pos2>,
        width: f32,
        color: Color32,
    },
    Label {
        pos: Pos2,
        text: String,
        color: Color32,
    },
}

struct Drawn {
    entity: EntityPath,
    instance: Option<usize>,
    order: f32,
    primitive: Primitive,
}

impl Spatial2DView {
    /// Draws the view's entities at the cursor.
    pub fn ui(
        &mut self,
        ctx: &ViewerContext<'_>,
        spec: &ViewSpec,
        ui: &mut egui::Ui,
        out: &mut FrameOutput,
    ) {
        for cached in self.textures.values_mut() {
            cached.used = false;
        }
        let mut drawn = Vec::new();
        let mut errors = Vec::new();
        for entity in spec.entities.iter().filter(|e| ctx.is_visible(e)) {
            let mut data = EntityData::query(ctx.store, &ctx.latest_at(), entity);
            self.collect_image(ui.ctx(), ctx, &mut data, &mut drawn, &mut errors);
            collect_shapes(ctx, &mut data, &mut drawn);
            errors.append(&mut data.errors);
        }
        self.textures.retain(|_, c| c.used);
        // Images under shapes, then by draw order, stable otherwise.
        drawn.sort_by(|a, b| a.order.total_cmp(&b.order));

        ui.horizontal(|ui| {
            if drawn.iter().any(|d| {
                matches!(&d.primitive, Primitive::Image { decoded, .. }
                    if matches!(decoded.kind, ImageKind::Depth { .. }))
            }) {
                egui::ComboBox::new("colormap", "colormap")
                    .selected_text(self.colormap.name())
                    .show_ui(ui, |ui| {
                        for c in Colormap::ALL {
                            ui.selectable_value(&mut self.colormap, c, c.name());
                        }
                    });
            }
            if ui
                .small_button("fit")
                .on_hover_text("Show everything (double-click)")
                .clicked()
            {
                self.scene_rect = None;
            }
            for e in &errors {
                ui.colored_label(ui.visuals().warn_fg_color, e);
            }
        });

        let (response, painter) = ui.allocate_painter(ui.available_size(), Sense::click_and_drag());
        let screen = response.rect;
        painter.rect_filled(screen, 0.0, ui.visuals().extreme_bg_color);
        if drawn.is_empty() {
            painter.text(
                screen.center(),
                Align2::CENTER_CENTER,
                "nothing to show at this time",
                FontId::proportional(13.0),
                ui.visuals().weak_text_color(),
            );
            return;
        }
        let bounds = scene_bounds(&drawn);
        let scene = self
            .scene_rect
            .unwrap_or_else(|| bounds.expand(bounds.size().max_elem() * 0.02));
        let scale = (screen.width() / scene.width().max(1e-6))
            .min(screen.height() / scene.height().max(1e-6));
        let to_screen = |p: Pos2| screen.center() + (p - scene.center()) * scale;
        let to_scene = |p: Pos2| scene.center() + (p - screen.center()) / scale;

        // Pan and zoom.
        if response.dragged() {
            let delta = response.drag_delta() / scale;
            self.scene_rect = Some(scene.translate(-delta));
        }
        if response.hovered() {
            let (zoom, scroll) = ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta));
            let zoom = zoom * (scroll.y / 200.0).exp();
            if (zoom - 1.0).abs() > 1e-4 {
                if let Some(pointer) = response.hover_pos() {
                    let anchor = to_scene(pointer);
                    let current = self.scene_rect.unwrap_or(scene);
                    let min = anchor + (current.min - anchor) / zoom;
                    let max = anchor + (current.max - anchor) / zoom;
                    self.scene_rect = Some(Rect::from_min_max(min, max));
                }
            }
        }
        if response.double_clicked() {
            self.scene_rect = None;
        }

        let painter = painter.with_clip_rect(screen);
        for d in &drawn {
            let highlighted = ctx.is_highlighted(&d.entity, d.instance);
            draw(&painter, &d.primitive, scale, highlighted, &to_screen);
        }

        // Hover: the instance nearest the pointer, else the pixel under it.
        let Some(pointer) = response.hover_pos() else {
            return;
        };
        let hit = hit_test(&drawn, pointer, scale, &to_screen);
        if let Some(d) = hit {
            let item = match d.instance {
                Some(i) => Item::Instance(d.entity.clone(), i),
                None => Item::Entity(d.entity.clone()),
            };
            out.hovered = Some(item.clone());
            if response.clicked() {
                out.select(item);
            }
        } else if response.clicked() {
            out.commands.push(crate::context::Command::Select(None));
        }
        let scene_pos = to_scene(pointer);
        let pixel = drawn.iter().rev().find_map(|d| match &d.primitive {
            Primitive::Image { decoded, .. } => {
                let [w, h] = decoded.size();
                let (x, y) = (scene_pos.x.floor(), scene_pos.y.floor());
                (x >= 0.0 && y >= 0.0 && (x as usize) < w && (y as usize) < h).then(|| {
                    let (x, y) = (x as usize, y as usize);
                    (d.entity.clone(), x, y, decoded.describe_pixel(x, y))
                })
            }
            _ => None,
        });
        if hit.is_none() && pixel.is_none() {
            return;
        }
        response.on_hover_ui_at_pointer(|ui| {
            if let Some(d) = hit {
                instance_tooltip(ui, ctx, &d.entity, d.instance);
            }
            if let Some((entity, x, y, value)) = pixel {
                if hit.is_some() {
                    ui.separator();
                }
                ui.label(format!("{entity}  pixel ({x}, {y})"));
                if let Some(v) = value {
                    ui.monospace(v);
                }
            }
        });
    }

    fn collect_image(
        &mut self,
        egui_ctx: &egui::Context,
        ctx: &ViewerContext<'_>,
        data: &mut EntityData,
        drawn: &mut Vec<Drawn>,
        errors: &mut Vec<String>,
    ) {
        let kind = if data.has_archetype("DepthImage") {
            ImageKind::Depth {
                meter: data.first::<DepthMeter>().map(|m| m.0),
            }
        } else if data.has_archetype("SegmentationImage") {
            ImageKind::Segmentation
        } else if data.has_archetype("Image") || data.has_archetype("EncodedImage") {
            ImageKind::Color
        } else {
            return;
        };
        let encoded = data.has_archetype("EncodedImage");
        let hit = if encoded {
            data.hit::<Blob>()
        } else {
            data.hit::<TensorData>()
        };
        let Some(row_id) = hit.map(|h| h.key.row_id) else {
            return;
        };
        let colormap = match kind {
            ImageKind::Depth { .. } => self.colormap,
            _ => Colormap::Grayscale,
        };
        let key = (data.entity.clone(), row_id, colormap);
        if !self.textures.contains_key(&key) {
            let decoded = if encoded {
                match data.first::<Blob>() {
                    Some(blob) => decode_encoded(&blob.0).map_err(|e| e.to_string()),
                    None => Err("the encoded image has no bytes".to_owned()),
                }
            } else {
                match data.first::<TensorData>() {
                    Some(t) => {
                        decode_tensor(Arc::new(t), kind, colormap, ctx.annotations, &data.entity)
                            .map_err(|e| e.to_string())
                    }
                    None => Err("the image has no data".to_owned()),
                }
            };
            let texture = decoded.map(|d| {
                let handle = egui_ctx.load_texture(
                    format!("{}#{row_id}", data.entity),
                    d.pixels.clone(),
                    egui::TextureOptions::NEAREST,
                );
                (handle, Arc::new(d))
            });
            self.textures.insert(
                key.clone(),
                CachedImage {
                    texture,
                    used: false,
                },
            );
        }
        let Some(cached) = self.textures.get_mut(&key) else {
            return;
        };
        cached.used = true;
        match &cached.texture {
            Ok((handle, decoded)) => drawn.push(Drawn {
                entity: data.entity.clone(),
                instance: None,
                order: data
                    .first::<DrawOrder>()
                    .map_or(-1000.0 + kind_order(kind), |o| o.0),
                primitive: Primitive::Image {
                    texture: handle.id(),
                    decoded: decoded.clone(),
                },
            }),
            Err(e) => errors.push(format!("{}: {e}", data.entity)),
        }
    }
}

/// Segmentation over depth over color when no draw order is given.
fn kind_order(kind: ImageKind) -> f32 {
    match kind {
        ImageKind::Color => 0.0,
        ImageKind::Depth { .. } => 1.0,
        ImageKind::Segmentation => 2.0,
    }
}

/// Points, boxes, line strips and keypoint skeletons of one entity.
fn collect_shapes(ctx: &ViewerContext<'_>, data: &mut EntityData, drawn: &mut Vec<Drawn>) {
    let entity = data.entity.clone();
    let colors: Vec<Option<Color>> = data.get::<Color>().into_iter().map(Some).collect();
    let radii = data.get::<Radius>();
    let labels: Vec<Option<String>> = data.get::<Text>().into_iter().map(|t| Some(t.0)).collect();
    let class_ids: Vec<Option<u16>> = data
        .get::<ClassId>()
        .into_iter()
        .map(|c| Some(c.0))
        .collect();
    let order = data.first::<DrawOrder>().map_or(0.0, |o| o.0);
    let fallback = auto_color(&entity);
    let style = |i: usize| {
        let class = instance(&class_ids, i, None);
        let color =
            ctx.annotations
                .color(&entity, instance(&colors, i, None), class, None, fallback);
        let label = ctx
            .annotations
            .label(&entity, instance(&labels, i, None), class);
        (color, label)
    };
    let item = |instance: usize, primitive: Primitive| Drawn {
        entity: entity.clone(),
        instance: Some(instance),
        order,
        primitive,
    };

    if data.has_archetype("Points2D") {
        let positions = data.get::<Position2D>();
        let keypoints: Vec<Option<u16>> = data
            .get::<KeypointId>()
            .into_iter()
            .map(|k| Some(k.0))
            .collect();
        // Skeletons: points of one class joined by the class's keypoint connections.
        let mut by_class: HashMap<u16, HashMap<u16, Pos2>> = HashMap::new();
        for (i, p) in positions.iter().enumerate() {
            let pos = Pos2::new(p.0[0], p.0[1]);
            let class = instance(&class_ids, i, None);
            let keypoint = instance(&keypoints, i, None);
            if let (Some(c), Some(k)) = (class, keypoint) {
                by_class.entry(c).or_default().insert(k, pos);
            }
            let color = ctx.annotations.color(
                &entity,
                instance(&colors, i, None),
                class,
                keypoint,
                fallback,
            );
            let radius = instance(&radii, i, Radius(-DEFAULT_POINT_RADIUS)).0;
            drawn.push(item(i, Primitive::Point { pos, radius, color }));
            if let Some(text) = ctx
                .annotations
                .label(&entity, instance(&labels, i, None), class)
            {
                drawn.push(item(i, Primitive::Label { pos, text, color }));
            }
        }
        for (class_id, points) in &by_class {
            let Some(class) = ctx.annotations.class(&entity, *class_id) else {
                continue;
            };
            let color = ctx
                .annotations
                .color(&entity, None, Some(*class_id), None, fallback);
            for (a, b) in &class.keypoint_connections {
                if let (Some(pa), Some(pb)) = (points.get(a), points.get(b)) {
                    drawn.push(Drawn {
                        entity: entity.clone(),
                        instance: None,
                        order: order - 0.5,
                        primitive: Primitive::Strip {
                            points: vec![*pa, *pb],
                            width: -1.5,
                            color,
                        },
                    });
                }
            }
        }
    }
    if data.has_archetype("Boxes2D") {
        let half_sizes = data.get::<HalfSizes2D>();
        let centers = data.get::<Position2D>();
        for (i, h) in half_sizes.iter().enumerate() {
            let c = instance(&centers, i, Position2D([h.0[0], h.0[1]])).0;
            let rect =
                Rect::from_center_size(Pos2::new(c[0], c[1]), Vec2::new(h.0[0], h.0[1]) * 2.0);
            let (color, label) = style(i);
            let width = instance(&radii, i, Radius(-0.75)).0 * 2.0;
            drawn.push(item(i, Primitive::Rect { rect, width, color }));
            if let Some(text) = label {
                drawn.push(item(
                    i,
                    Primitive::Label {
                        pos: rect.left_top(),
                        text,
                        color,
                    },
                ));
            }
        }
    }
    if data.has_archetype("LineStrips2D") {
        for (i, strip) in data.get::<LineStrip2D>().into_iter().enumerate() {
            let points: Vec<Pos2> = strip.0.iter().map(|p| Pos2::new(p[0], p[1])).collect();
            let (color, label) = style(i);
            let width = instance(&radii, i, Radius(-0.75)).0 * 2.0;
            if let (Some(text), Some(first)) = (label, points.first()) {
                drawn.push(item(
                    i,
                    Primitive::Label {
                        pos: *first,
                        text,
                        color,
                    },
                ));
            }
            drawn.push(item(
                i,
                Primitive::Strip {
                    points,
                    width,
                    color,
                },
            ));
        }
    }
}

/// Sizes: negative values are screen points, positive are scene units.
fn screen_size(size: f32, scale: f32) -> f32 {
    if size < 0.0 {
        -size
    } else {
        size * scale
    }
}

fn draw(
    painter: &egui::Painter,
    primitive: &Primitive,
    scale: f32,
    highlighted: bool,
    to_screen: &impl Fn(Pos2) -> Pos2,
) {
    let glow = |w: f32| Stroke::new(w + 3.0, Color32::from_white_alpha(200));
    match primitive {
        Primitive::Image { texture, decoded } => {
            let [w, h] = decoded.size();
            let rect = Rect::from_min_max(
                to_screen(Pos2::ZERO),
                to_screen(Pos2::new(w as f32, h as f32)),
            );
            painter.image(
                *texture,
                rect,
                Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
                Color32::WHITE,
            );
            if highlighted {
                painter.rect_stroke(rect, 0.0, glow(0.0), egui::StrokeKind::Outside);
            }
        }
        Primitive::Point { pos, radius, color } => {
            let r = screen_size(*radius, scale).max(0.5);
            if highlighted {
                painter.circle_filled(to_screen(*pos), r + 2.5, Color32::WHITE);
            }
            painter.circle_filled(to_screen(*pos), r, *color);
        }
        Primitive::Rect { rect, width, color } => {
            let r = Rect::from_min_max(to_screen(rect.min), to_screen(rect.max));
            let w = screen_size(*width, scale).max(0.5);
            if highlighted {
                painter.rect_stroke(r, 0.0, glow(w), egui::StrokeKind::Middle);
            }
            painter.rect_stroke(r, 0.0, Stroke::new(w, *color), egui::StrokeKind::Middle);
        }
        Primitive::Strip {
            points,
            width,
            color,
        } => {
            let pts: Vec<Pos2> = points.iter().map(|p| to_screen(*p)).collect();
            let w = screen_size(*width, scale).max(0.5);
            if highlighted {
                painter.add(Shape::line(pts.clone(), glow(w)));
            }
            painter.add(Shape::line(pts, Stroke::new(w, *color)));
        }
        Primitive::Label { pos, text, color } => {
            let font = FontId::proportional(11.0);
            let galley = painter.layout_no_wrap(text.clone(), font, Color32::WHITE);
            let at = to_screen(*pos) + Vec2::new(4.0, -galley.size().y - 2.0);
            let bg = Rect::from_min_size(at, galley.size()).expand(2.0);
            painter.rect_filled(bg, 2.0, color.gamma_multiply(0.85));
            painter.galley(at, galley, Color32::WHITE);
        }
    }
}

fn scene_bounds(drawn: &[Drawn]) -> Rect {
    let mut bounds = Rect::NOTHING;
    for d in drawn {
        match &d.primitive {
            Primitive::Image { decoded, .. } => {
                let [w, h] = decoded.size();
                bounds = bounds.union(Rect::from_min_max(
                    Pos2::ZERO,
                    Pos2::new(w as f32, h as f32),
                ));
            }
            Primitive::Point { pos, .. } | Primitive::Label { pos, .. } => bounds.extend_with(*pos),
            Primitive::Rect { rect, .. } => bounds = bounds.union(*rect),
            Primitive::Strip { points, .. } => {
                for p in points {
                    bounds.extend_with(*p);
                }
            }
        }
    }
    if !bounds.is_finite() || bounds.is_negative() {
        return Rect::from_min_size(Pos2::ZERO, Vec2::splat(1.0));
    }
    if bounds.width() < 1e-3 || bounds.height() < 1e-3 {
        bounds = bounds.expand(1.0);
    }
    bounds
}

/// The instance under `pointer`: the nearest point, line or box edge within reach, the
/// topmost box containing it otherwise.
fn hit_test<'a>(
    drawn: &'a [Drawn],
    pointer: Pos2,
    scale: f32,
    to_screen: &impl Fn(Pos2) -> Pos2,
) -> Option<&'a Drawn> {
    let mut best: Option<(f32, &Drawn)> = None;
    let mut consider = |distance: f32, d: &'a Drawn| {
        if distance <= HOVER_DISTANCE && best.is_none_or(|(b, _)| distance < b) {
            best = Some((distance, d));
        }
    };
    for d in drawn {
        match &d.primitive {
            Primitive::Point { pos, radius, .. } => {
                let r = screen_size(*radius, scale);
                consider((to_screen(*pos).distance(pointer) - r).max(0.0), d);
            }
            Primitive::Rect { rect, .. } => {
                let r = Rect::from_min_max(to_screen(rect.min), to_screen(rect.max));
                if r.contains(pointer) {
                    // Inside counts, but a nearer edge or point wins.
                    let edge = [
                        pointer.x - r.min.x,
                        r.max.x - pointer.x,
                        pointer.y - r.min.y,
                        r.max.y - pointer.y,
                    ]
                    .into_iter()
                    .fold(f32::INFINITY, f32::min);
                    consider(edge.min(HOVER_DISTANCE), d);
                }
            }
            Primitive::Strip { points, .. } if d.instance.is_some() => {
                for w in points.windows(2) {
                    let (a, b) = (to_screen(w[0]), to_screen(w[1]));
                    consider(segment_distance(pointer, a, b), d);
                }
            }
            _ => {}
        }
    }
    best.map(|(_, d)| d)
}

fn segment_distance(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = if ab.length_sq() > 0.0 {
        ((p - a).dot(ab) / ab.length_sq()).clamp(0.0, 1.0)
    } else {
        0.0
    };
    p.distance(a + ab * t)
}

/// The components of one instance at the cursor, for tooltips.
pub fn instance_tooltip(
    ui: &mut egui::Ui,
    ctx: &ViewerContext<'_>,
    entity: &EntityPath,
    instance: Option<usize>,
) {
    match instance {
        Some(i) => ui.strong(format!("{entity}  #{i}")),
        None => ui.strong(entity.to_string()),
    };
    let results = ctx.store.latest_at_all(&ctx.latest_at(), entity);
    egui::Grid::new("instance_tooltip")
        .num_columns(2)
        .show(ui, |ui| {
            for (name, hit) in &results.components {
                if is_indicator(name) {
                    continue;
                }
                let Some(cell) = hit.cell(name) else { continue };
                let value = match (instance, cell.len()) {
                    (_, 0) => "(cleared)".to_owned(),
                    (_, 1) => format_value(cell.as_ref(), 0),
                    (Some(i), n) if i < n => format_value(cell.as_ref(), i),
                    (Some(_), n) => format!("({n} values)"),
                    (None, n) => format!("({n} values)"),
                };
                ui.label(short_name(name));
                ui.monospace(truncate(&value, 80));
                ui.end_row();
            }
        });
}

/// Whether `name` is an archetype indicator.
pub fn is_indicator(name: &ComponentName) -> bool {
    name.as_str()
        .starts_with(reel_types::archetypes::INDICATOR_PREFIX)
}

/// A component name without the `reel.components.` prefix.
pub fn short_name(name: &ComponentName) -> &str {
    name.as_str()
        .strip_prefix("reel.components.")
        .unwrap_or(name.as_str())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_distance_is_to_the_nearest_point() {
        let (a, b) = (Pos2::new(0.0, 0.0), Pos2::new(10.0, 0.0));
        assert_eq!(segment_distance(Pos2::new(5.0, 3.0), a, b), 3.0);
        assert_eq!(segment_distance(Pos2::new(-4.0, 3.0), a, b), 5.0);
        assert_eq!(segment_distance(Pos2::new(1.0, 1.0), a, a), 2f32.sqrt());
    }

    #[test]
    fn negative_sizes_are_screen_points() {
        assert_eq!(screen_size(-2.0, 10.0), 2.0);
        assert_eq!(screen_size(2.0, 10.0), 20.0);
    }
}
