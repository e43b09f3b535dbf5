//! The time series view: the scalars of one group over the selected timeline, one series
//! per entity (its logged color and label, points where logged as scattered), the time
//! cursor as a vertical line that can be dragged, and a click that moves the cursor.
//!
//! Series are read once per change of their entity (range queries over the whole
//! timeline) and decimated per frame to at most two points (min and max) per pixel
//! column of the visible x range, so a series of a million points stays interactive.

use std::collections::HashMap;
use std::sync::Arc;

use egui::Color32;
use egui_plot::{Legend, Line, Plot, PlotPoints, Points, VLine};
use reel_core::{Component, EntityPath, TimeInt, TimeType, Timeline};
use reel_store::{ChunkStore, RangeQuery};
use reel_types::components::{Color, Radius, Scalar, ScalarScattered, Text};

use crate::annotations::{auto_color, to_color32};
use crate::context::{FrameOutput, Item, ViewerContext};
use crate::data::{EntityData, ScalarColumn};
use crate::heuristics::ViewSpec;

/// Views with more series than this show no legend (hovering a line names it).
const MAX_LEGEND: usize = 32;

/// Above this many series the lines are drawn as one mesh of plain quads instead of one
/// plot item each: egui_plot's per-item work and anti-aliased path tessellation cost about
/// 24 ms per frame for 1,000 series of 100 points.
const MESH_ABOVE: usize = MAX_LEGEND;

/// How near (screen points) the pointer must be to a line drawn in the mesh to hover it.
const LINE_HOVER: f32 = 5.0;

/// How near (screen points) a press must be to the cursor line to drag it.
const CURSOR_GRAB: f32 = 6.0;

/// The state of a time series view.
#[derive(Default)]
pub struct TimeSeriesView {
    series: HashMap<EntityPath, Series>,
    /// The visible x range and plot width of the previous frame, for decimation.
    last_view: Option<(f64, f64, f32)>,
    /// The cursor's x on screen in the previous frame.
    last_cursor_x: Option<f32>,
    dragging_cursor: bool,
    /// The lines drawn as one mesh in the last frame.
    mesh: Option<MeshLines>,
}

/// One entity's scalars on one timeline, sorted by time.
pub struct Series {
    key: (Timeline, u64, u64),
    /// Times as plot x values.
    pub xs: Vec<f64>,
    /// Values.
    pub ys: Vec<f64>,
    /// Color, name and marks, as last logged.
    pub style: SeriesStyle,
    /// The smallest and largest (x, y) of the finite points.
    pub extent: Option<[[f64; 2]; 2]>,
}

/// How a series is drawn: its newest color, label, scattered flag and radius (read with
/// the series, not per frame: a plot of a thousand series stays cheap).
#[derive(Clone, Debug)]
pub struct SeriesStyle {
    /// The line or point color.
    pub color: Color32,
    /// The legend name: the logged label, else the entity path.
    pub name: String,
    /// Points instead of a line.
    pub scattered: bool,
    /// Point radius in screen points.
    pub radius: f32,
}

impl SeriesStyle {
    fn load(store: &ChunkStore, entity: &EntityPath, timeline: &Timeline) -> Self {
        let query = reel_store::LatestAtQuery::new(timeline.clone(), TimeInt::MAX);
        let mut style = EntityData::query_components(
            store,
            &query,
            entity,
            &[
                Color::name(),
                Text::name(),
                ScalarScattered::name(),
                Radius::name(),
            ],
        );
        Self {
            color: style
                .first::<Color>()
                .map(to_color32)
                .unwrap_or_else(|| auto_color(entity)),
            name: style
                .first::<Text>()
                .map_or_else(|| entity.to_string(), |t| t.0),
            scattered: style.first::<ScalarScattered>().is_some_and(|s| s.0),
            radius: style.first::<Radius>().map_or(2.0, |r| r.0.abs().max(0.5)),
        }
    }
}

/// Converts between timeline values and plot x values: sequences as they are, times and
/// durations in seconds.
#[derive(Clone, Copy, Debug)]
pub struct TimeAxis(pub TimeType);

impl TimeAxis {
    /// The plot x of `t`.
    pub fn x(self, t: i64) -> f64 {
        match self.0 {
            TimeType::Sequence => t as f64,
            TimeType::Time | TimeType::Duration => t as f64 / 1e9,
        }
    }

    /// The time at plot x `x`.
    pub fn time(self, x: f64) -> TimeInt {
        match self.0 {
            TimeType::Sequence => TimeInt::new(x.round() as i64),
            TimeType::Time | TimeType::Duration => TimeInt::from_seconds(x),
        }
    }
}

impl Series {
    /// Reads `entity`'s scalars on `timeline` from the store.
    pub fn load(store: &ChunkStore, entity: &EntityPath, timeline: &Timeline) -> Self {
        let axis = TimeAxis(timeline.typ());
        let query = RangeQuery::new(timeline.clone(), TimeInt::MIN, TimeInt::MAX);
        let results = store.range(&query, entity, &[Scalar::name()]);
        let hits = results.components.get(&Scalar::name());
        let n = hits.map_or(0, Vec::len);
        let (mut xs, mut ys) = (Vec::with_capacity(n), Vec::with_capacity(n));
        // Consecutive hits mostly share a chunk: look its column up once per run.
        let mut current: Option<(*const reel_core::Chunk, Option<ScalarColumn<'_>>)> = None;
        for hit in hits.into_iter().flatten() {
            let Some(time) = hit.key.time else { continue };
            let ptr = std::sync::Arc::as_ptr(&hit.chunk);
            if current.as_ref().is_none_or(|(p, _)| *p != ptr) {
                let column = hit
                    .chunk
                    .components()
                    .get(&Scalar::name())
                    .and_then(ScalarColumn::new);
                current = Some((ptr, column));
            }
            if let Some((_, Some(column))) = &current {
                if let Some(v) = column.get(hit.row) {
                    xs.push(axis.x(time.as_i64()));
                    ys.push(v);
                }
            }
        }
        let extent = xs
            .iter()
            .zip(&ys)
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .fold(None, |acc: Option<[[f64; 2]; 2]>, (&x, &y)| {
                Some(match acc {
                    None => [[x, y], [x, y]],
                    Some([lo, hi]) => [[lo[0].min(x), lo[1].min(y)], [hi[0].max(x), hi[1].max(y)]],
                })
            });
        Self {
            key: series_key(store, entity, timeline),
            xs,
            ys,
            style: SeriesStyle::load(store, entity, timeline),
            extent,
        }
    }

    /// At most two points (min and max, in time order) per pixel column of `[x0, x1]`
    /// cut into `columns`, plus the neighbours just outside so lines reach the edges.
    pub fn decimated(&self, x0: f64, x1: f64, columns: usize) -> Vec<[f64; 2]> {
        let start = self.xs.partition_point(|&x| x < x0).saturating_sub(1);
        let end = (self.xs.partition_point(|&x| x <= x1) + 1).min(self.xs.len());
        if start >= end {
            return Vec::new();
        }
        let columns = columns.max(1);
        let (x0, x1) = (
            if x0.is_finite() { x0 } else { self.xs[start] },
            if x1.is_finite() { x1 } else { self.xs[end - 1] },
        );
        if end - start <= 2 * columns || x1 <= x0 {
            return (start..end).map(|i| [self.xs[i], self.ys[i]]).collect();
        }
        let width = (x1 - x0) / columns as f64;
        let mut out = Vec::with_capacity(2 * columns + 2);
        let mut i = start;
        while i < end {
            let column = ((self.xs[i] - x0) / width).floor();
            let (mut lo, mut hi) = (i, i);
            let mut j = i + 1;
            while j < end && ((self.xs[j] - x0) / width).floor() == column {
                if self.ys[j] < self.ys[lo] {
                    lo = j;
                }
                if self.ys[j] > self.ys[hi] {
                    hi = j;
                }
                j += 1;
            }
            let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
            out.push([self.xs[a], self.ys[a]]);
            if b != a {
                out.push([self.xs[b], self.ys[b]]);
            }
            i = j;
        }
        out
    }
}

/// What a series was read from: it is read again when the entity's row counts change.
fn series_key(
    store: &ChunkStore,
    entity: &EntityPath,
    timeline: &Timeline,
) -> (Timeline, u64, u64) {
    let own = store.entity_tree().get(entity).map(|n| &n.own);
    (
        timeline.clone(),
        own.and_then(|s| s.timelines.get(timeline))
            .map_or(0, |h| h.total()),
        own.map_or(0, |s| s.rows),
    )
}

impl TimeSeriesView {
    /// Draws the view's scalars.
    pub fn ui(
        &mut self,
        ctx: &ViewerContext<'_>,
        spec: &ViewSpec,
        ui: &mut egui::Ui,
        out: &mut FrameOutput,
    ) {
        let Some(query) = &ctx.query else {
            super::notice(
                ui,
                "scalars need a timeline: nothing temporal was logged yet",
            );
            return;
        };
        let timeline = &query.timeline;
        let axis = TimeAxis(timeline.typ());
        self.series.retain(|e, _| spec.entities.contains(e));
        for entity in &spec.entities {
            let stale = self
                .series
                .get(entity)
                .is_none_or(|s| s.key != series_key(ctx.store, entity, timeline));
            if stale {
                self.series
                    .insert(entity.clone(), Series::load(ctx.store, entity, timeline));
            }
        }

        // Dragging the cursor line: decided from where the press began, against the
        // cursor's position in the previous frame.
        let pointer = ui.input(|i| i.pointer.clone());
        if pointer.any_pressed() {
            self.dragging_cursor = match (pointer.press_origin(), self.last_cursor_x) {
                (Some(origin), Some(x)) => {
                    (origin.x - x).abs() <= CURSOR_GRAB && ui.max_rect().contains(origin)
                }
                _ => false,
            };
        }
        if !pointer.any_down() {
            self.dragging_cursor = false;
        }

        let cursor_x = axis.x(query.at.as_i64());
        let columns = self.last_view.map_or(1000, |(_, _, w)| w.max(1.0) as usize);
        let (x0, x1) = self
            .last_view
            .map_or((f64::NEG_INFINITY, f64::INFINITY), |(a, b, _)| (a, b));
        let mut plot = Plot::new(("time_series", spec.origin.hash64(), &spec.name))
            .allow_drag(!self.dragging_cursor)
            .allow_double_click_reset(true)
            .x_axis_formatter(move |mark, _| format_x(axis, mark.value));
        // A legend of hundreds of names hides the plot and costs more than the lines.
        if spec.entities.len() <= MAX_LEGEND {
            plot = plot.legend(Legend::default());
        }
        if ctx.following {
            plot = plot.auto_bounds(egui::Vec2b::new(true, true));
        }
        let mut entities_drawn = Vec::new();
        let as_mesh = spec.entities.len() > MESH_ABOVE;
        let mut mesh_entities: Vec<(&EntityPath, bool)> = Vec::new();
        let response = plot.show(ui, |plot_ui| {
            for entity in spec.entities.iter().filter(|e| ctx.is_visible(e)) {
                let Some(series) = self.series.get(entity) else {
                    continue;
                };
                let SeriesStyle {
                    color,
                    name,
                    scattered,
                    radius,
                } = series.style.clone();
                let highlighted = ctx.is_highlighted(entity, None);
                if as_mesh && !scattered {
                    // Decimated and drawn after the plot, for its final transform.
                    mesh_entities.push((entity, highlighted));
                    continue;
                }
                let points = series.decimated(x0, x1, columns);
                let id = egui_plot::ItemId::new(("series", entity.hash64()));
                if scattered {
                    plot_ui.points(
                        Points::new(name, PlotPoints::new(points))
                            .color(color)
                            .radius(radius + if highlighted { 1.5 } else { 0.0 })
                            .id(id),
                    );
                } else {
                    plot_ui.line(
                        Line::new(name, PlotPoints::new(points))
                            .color(color)
                            .width(if highlighted { 3.0 } else { 1.5 })
                            .id(id),
                    );
                }
                entities_drawn.push((id, entity.clone()));
            }
            let extent = mesh_entities
                .iter()
                .filter_map(|(e, _)| self.series.get(*e)?.extent)
                .reduce(|[lo, hi], [a, b]| {
                    [
                        [lo[0].min(a[0]), lo[1].min(a[1])],
                        [hi[0].max(b[0]), hi[1].max(b[1])],
                    ]
                });
            if let Some([lo, hi]) = extent {
                // The plot fits its bounds to its items: an invisible pair of points
                // spans the lines drawn outside it.
                plot_ui.points(
                    Points::new("", PlotPoints::new(vec![lo, hi]))
                        .radius(0.0)
                        .color(Color32::TRANSPARENT)
                        .allow_hover(false),
                );
            }
            plot_ui.vline(
                VLine::new("time cursor", cursor_x)
                    .color(Color32::from_rgb(255, 210, 80))
                    .width(1.5),
            );
            plot_ui.pointer_coordinate()
        });

        if !mesh_entities.is_empty() {
            let transform = &response.transform;
            let content = mesh_content_key(&mesh_entities, &self.series);
            let reused = self
                .mesh
                .as_mut()
                .is_some_and(|lines| lines.moved_to(content, transform));
            if !reused {
                let (covered, columns) = mesh_window(transform);
                let lines = mesh_entities.iter().filter_map(|(entity, highlighted)| {
                    let series = self.series.get(*entity)?;
                    Some(MeshLine {
                        entity: (*entity).clone(),
                        points: series.decimated(covered.0, covered.1, columns),
                        color: series.style.color,
                        width: if *highlighted { 3.0 } else { 1.5 },
                    })
                });
                self.mesh = Some(MeshLines::build(transform, content, covered, lines));
            }
            let pointer = response
                .response
                .hover_pos()
                .filter(|_| response.hovered_plot_item.is_none());
            let hovered = self.mesh.as_ref().and_then(|lines| {
                ui.painter()
                    .with_clip_rect(*transform.frame())
                    .add(egui::Shape::Mesh(lines.mesh.clone()));
                lines.nearest(pointer?)
            });
            if let Some(entity) = hovered {
                out.hovered = Some(Item::Entity(entity.clone()));
                if response.response.clicked() {
                    out.select(Item::Entity(entity.clone()));
                }
            }
        }
        let bounds = response.transform.bounds();
        self.last_view = Some((
            bounds.min()[0],
            bounds.max()[0],
            response.transform.frame().width(),
        ));
        self.last_cursor_x = Some(response.transform.position_from_point_x(cursor_x));
        if let Some(hovered) = response.hovered_plot_item {
            if let Some((_, entity)) = entities_drawn.iter().find(|(id, _)| *id == hovered) {
                out.hovered = Some(Item::Entity(entity.clone()));
                if response.response.clicked() {
                    out.select(Item::Entity(entity.clone()));
                }
            }
        }
        let pointer_x = response.inner.map(|p| p.x);
        if let Some(x) = pointer_x {
            let moved = (self.dragging_cursor && response.response.dragged())
                || (response.response.clicked() && response.hovered_plot_item.is_none());
            if moved {
                out.set_time(axis.time(x));
            }
        }
        if self.dragging_cursor || response.response.hovered() && near_cursor(&response, cursor_x) {
            ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeHorizontal);
        }
    }
}

/// A series to draw in the plot's mesh.
struct MeshLine {
    entity: EntityPath,
    points: Vec<[f64; 2]>,
    color: Color32,
    width: f32,
}

/// Series drawn as one mesh of quads, with their screen polylines for hovering. A pan
/// (the same scale, the view still inside what was built) moves the mesh instead of
/// rebuilding it.
struct MeshLines {
    mesh: Arc<egui::Mesh>,
    /// Where the lines were on screen when built (hover subtracts `shift`).
    polylines: Vec<(EntityPath, Vec<egui::Pos2>)>,
    /// What the lines show: series, colours, highlights ([`mesh_content_key`]).
    content: u64,
    /// Frame size and bounds size when built: equal ones mean the same scale.
    scale: [f64; 4],
    /// The plot x range the lines were decimated over.
    covered: (f64, f64),
    /// A plot point and its screen position when built.
    anchor: (egui_plot::PlotPoint, egui::Pos2),
    /// How far the mesh has moved since it was built.
    shift: egui::Vec2,
}

/// The plot x range a mesh is decimated over, and into how many columns: one view width
/// beyond each side of the view, so panning moves the mesh for a while before rebuilding.
fn mesh_window(transform: &egui_plot::PlotTransform) -> ((f64, f64), usize) {
    let (b0, b1) = (transform.bounds().min()[0], transform.bounds().max()[0]);
    let columns = 3 * transform.frame().width().max(1.0) as usize;
    ((b0 - (b1 - b0), b1 + (b1 - b0)), columns)
}

/// What decides a transform's scale: frame width and height, bounds width and height.
fn scale_of(transform: &egui_plot::PlotTransform) -> [f64; 4] {
    let (frame, bounds) = (transform.frame(), transform.bounds());
    [
        f64::from(frame.width()),
        f64::from(frame.height()),
        bounds.width(),
        bounds.height(),
    ]
}

impl MeshLines {
    /// One quad per segment of every line, at `transform`'s screen positions.
    fn build(
        transform: &egui_plot::PlotTransform,
        content: u64,
        covered: (f64, f64),
        lines: impl Iterator<Item = MeshLine>,
    ) -> Self {
        let mut mesh = egui::Mesh::default();
        let mut polylines = Vec::new();
        for line in lines {
            let mut screen = Vec::with_capacity(line.points.len());
            for p in &line.points {
                let at = transform.position_from_point(&egui_plot::PlotPoint::new(p[0], p[1]));
                if at.x.is_finite() && at.y.is_finite() {
                    if let Some(&from) = screen.last() {
                        add_segment(&mut mesh, from, at, line.width, line.color);
                    }
                    screen.push(at);
                }
            }
            polylines.push((line.entity, screen));
        }
        let anchor =
            egui_plot::PlotPoint::new(transform.bounds().min()[0], transform.bounds().min()[1]);
        Self {
            mesh: Arc::new(mesh),
            polylines,
            content,
            scale: scale_of(transform),
            covered,
            anchor: (anchor, transform.position_from_point(&anchor)),
            shift: egui::Vec2::ZERO,
        }
    }

    /// Moves the mesh to `transform` if that is a pan of what was built (same content, same
    /// scale, the view inside the decimated range); returns whether it did.
    fn moved_to(&mut self, content: u64, transform: &egui_plot::PlotTransform) -> bool {
        let same_scale = self
            .scale
            .iter()
            .zip(scale_of(transform))
            .all(|(a, b)| (a - b).abs() <= a.abs() * 1e-9);
        let (b0, b1) = (transform.bounds().min()[0], transform.bounds().max()[0]);
        let inside = self.covered.0 <= b0 && b1 <= self.covered.1;
        if content != self.content || !same_scale || !inside {
            return false;
        }
        let delta = transform.position_from_point(&self.anchor.0) - (self.anchor.1 + self.shift);
        if delta != egui::Vec2::ZERO {
            // Unshared once the last frame's shapes are tessellated: no copy.
            for vertex in &mut Arc::make_mut(&mut self.mesh).vertices {
                vertex.pos += delta;
            }
            self.shift += delta;
        }
        true
    }

    /// The series whose line passes nearest `pointer`, within [`LINE_HOVER`].
    fn nearest(&self, pointer: egui::Pos2) -> Option<&EntityPath> {
        let pointer = pointer - self.shift;
        let mut best: Option<(f32, &EntityPath)> = None;
        for (entity, line) in &self.polylines {
            for pair in line.windows(2) {
                let d = distance_to_segment(pointer, pair[0], pair[1]);
                if d <= LINE_HOVER && best.is_none_or(|(b, _)| d < b) {
                    best = Some((d, entity));
                }
            }
        }
        best.map(|(_, entity)| entity)
    }
}

/// What the mesh shows, apart from where: the series' contents and colours, and which are
/// highlighted.
fn mesh_content_key(entities: &[(&EntityPath, bool)], series: &HashMap<EntityPath, Series>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (entity, highlighted) in entities {
        entity.hash64().hash(&mut h);
        highlighted.hash(&mut h);
        if let Some(s) = series.get(*entity) {
            s.key.hash(&mut h);
            s.style.color.hash(&mut h);
        }
    }
    h.finish()
}

/// One segment as a quad `width` wide (square ends overlap at joints, hiding gaps).
fn add_segment(mesh: &mut egui::Mesh, a: egui::Pos2, b: egui::Pos2, width: f32, color: Color32) {
    let along = (b - a).normalized();
    let along = if along.x.is_finite() {
        along
    } else {
        egui::vec2(1.0, 0.0)
    };
    let half = width * 0.5;
    let (side, reach) = (along.rot90() * half, along * (half * 0.5));
    let base = mesh.vertices.len() as u32;
    for corner in [
        a - reach + side,
        a - reach - side,
        b + reach + side,
        b + reach - side,
    ] {
        mesh.colored_vertex(corner, color);
    }
    mesh.add_triangle(base, base + 1, base + 2);
    mesh.add_triangle(base + 1, base + 3, base + 2);
}

/// Distance from `p` to the segment `a`–`b`.
fn distance_to_segment(p: egui::Pos2, a: egui::Pos2, b: egui::Pos2) -> f32 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.length_sq().max(f32::EPSILON)).clamp(0.0, 1.0);
    p.distance(a + ab * t)
}

fn near_cursor(
    response: &egui_plot::PlotResponse<Option<egui_plot::PlotPoint>>,
    cursor_x: f64,
) -> bool {
    response.response.hover_pos().is_some_and(|p| {
        (p.x - response.transform.position_from_point_x(cursor_x)).abs() <= CURSOR_GRAB
    })
}

/// An axis label: sequence numbers as integers, times in seconds.
fn format_x(axis: TimeAxis, x: f64) -> String {
    match axis.0 {
        TimeType::Sequence => format!("{}", x.round() as i64),
        TimeType::Duration => format!("{x:.3}s"),
        TimeType::Time => TimeType::Time.format(TimeInt::from_seconds(x)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(n: usize) -> Series {
        Series {
            key: (Timeline::new_sequence("t"), 0, 0),
            xs: (0..n).map(|i| i as f64).collect(),
            ys: (0..n).map(|i| ((i * 7919) % 1000) as f64).collect(),
            style: SeriesStyle {
                color: Color32::WHITE,
                name: String::new(),
                scattered: false,
                radius: 1.0,
            },
            extent: None,
        }
    }

    #[test]
    fn decimation_keeps_extremes_per_column() {
        let s = series(1_000_000);
        let d = s.decimated(0.0, 999_999.0, 500);
        assert!(d.len() <= 2 * 500 + 4, "{}", d.len());
        // Every column still reaches the global extremes of its points.
        assert_eq!(d.iter().map(|p| p[1]).fold(f64::MIN, f64::max), 999.0);
        assert_eq!(d.iter().map(|p| p[1]).fold(f64::MAX, f64::min), 0.0);
        // Points stay in time order.
        assert!(d.windows(2).all(|w| w[0][0] <= w[1][0]));
    }

    #[test]
    fn small_or_zoomed_in_ranges_are_not_decimated() {
        let s = series(100);
        assert_eq!(
            s.decimated(f64::NEG_INFINITY, f64::INFINITY, 1000).len(),
            100
        );
        // A window holds its points plus one neighbour on each side.
        let d = s.decimated(10.0, 20.0, 1000);
        assert_eq!(d.first().map(|p| p[0]), Some(9.0));
        assert_eq!(d.last().map(|p| p[0]), Some(21.0));
    }

    #[test]
    fn a_pan_moves_the_mesh_to_where_a_rebuild_would_put_it() {
        use egui_plot::{PlotBounds, PlotTransform};
        let frame = egui::Rect::from_min_size(egui::pos2(10.0, 20.0), egui::vec2(400.0, 300.0));
        let at = |x0: f64, x1: f64| {
            PlotTransform::new(
                frame,
                PlotBounds::from_min_max([x0, 0.0], [x1, 1000.0]),
                false,
            )
        };
        let s = series(100);
        let line = |t: &PlotTransform| {
            let (covered, columns) = mesh_window(t);
            let points = s.decimated(covered.0, covered.1, columns);
            let line = MeshLine {
                entity: EntityPath::parse_strict("a").expect("path"),
                points,
                color: Color32::WHITE,
                width: 1.5,
            };
            MeshLines::build(t, 7, covered, std::iter::once(line))
        };
        let mut lines = line(&at(20.0, 60.0));
        let built = lines.mesh.vertices.len();
        // Panned by 10 (100 points on screen): moved, not rebuilt, same vertices as a rebuild.
        assert!(lines.moved_to(7, &at(30.0, 70.0)));
        let rebuilt = line(&at(30.0, 70.0));
        assert_eq!(lines.mesh.vertices.len(), built);
        assert_eq!(lines.shift, egui::vec2(-100.0, 0.0));
        // Both hold every point (100, fewer than columns): vertex for vertex the same.
        assert_eq!(rebuilt.mesh.vertices.len(), built);
        for (moved, fresh) in lines.mesh.vertices.iter().zip(&rebuilt.mesh.vertices) {
            assert!(
                moved.pos.distance(fresh.pos) < 1e-3,
                "{:?} vs {:?}",
                moved.pos,
                fresh.pos
            );
        }
        // Hovering follows the move.
        let on_line = lines.polylines[0].1[25] + lines.shift;
        assert!(lines.nearest(on_line).is_some());
        // A zoom, a pan past what was built, or new content rebuilds.
        assert!(!lines.moved_to(7, &at(30.0, 50.0)));
        assert!(!lines.moved_to(7, &at(75.0, 115.0)));
        assert!(!lines.moved_to(8, &at(30.0, 70.0)));
    }

    #[test]
    fn time_axis_round_trips() {
        let a = TimeAxis(TimeType::Duration);
        assert_eq!(a.time(a.x(1_500_000_000)), TimeInt::new(1_500_000_000));
        let s = TimeAxis(TimeType::Sequence);
        assert_eq!(s.time(s.x(42)), TimeInt::new(42));
    }
}
