//! Turns query results into renderer batches: one [`Part`] per archetype of an entity (an
//! asset may give several), keyed by the rows it was built from, so a part is built and
//! uploaded once and reused while the cursor moves over frames that share those rows.

use std::collections::{hash_map::DefaultHasher, HashMap};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use egui::Color32;
use glam::{Mat4, Vec3};
use reel_core::arrow_array::types::{Float32Type, UInt16Type, UInt32Type};
use reel_core::{Component, ComponentName};
use reel_types::components::{
    AlbedoFactor, Blob, ClassId, Color, DepthMeter, HalfSizes2D, HalfSizes3D, LineStrip2D,
    LineStrip3D, Mat4x4, MediaType, Normal3D, Position2D, Position3D, Radius, RotationQuat,
    TensorData, TexCoord2D, Text, TriangleIndices, Vector3D,
};

use crate::annotations::{auto_color, Annotations};
use crate::data::{f32_arrays, instance, primitives, EntityData};
use crate::imagery::{decode_encoded, decode_tensor, finite_range, ImageKind};
use crate::renderer::{
    Batch, BatchKey, DepthCloud, MeshVertex, PointInstance, SegmentInstance, TextureImage,
};
use crate::transforms::{box_corner, unit_quat, Pinhole};

/// Radius of a point logged without one (UI points on screen).
pub const DEFAULT_POINT_RADIUS: f32 = -2.5;
/// Half width of a line logged without a radius (UI points on screen).
pub const DEFAULT_LINE_RADIUS: f32 = -1.0;
/// Labels are drawn for every instance of an entity with at most this many.
pub const MAX_LABELS: usize = 30;
/// Color of meshes logged without colors.
const MESH_GRAY: Color32 = Color32::from_gray(200);
/// Color of camera frustums.
const FRUSTUM_COLOR: Color32 = Color32::from_rgb(180, 160, 255);

/// What a part's instances are for picking.
#[derive(Clone, Debug, PartialEq)]
pub enum Instances {
    /// One instance per point or segment.
    PerPrimitive,
    /// Instance `i` is drawn by the segments in `ranges[i]`.
    Ranges(Vec<Range<u32>>),
    /// The whole part is one thing (meshes, images).
    Whole,
    /// Not pickable (depth clouds).
    None,
}

/// One drawable thing built from an entity's rows.
#[derive(Debug)]
pub struct Part {
    /// Its identity for the GPU cache.
    pub key: BatchKey,
    /// The data.
    pub batch: Arc<Batch>,
    /// From the part's space to the entity's (assets carry one per node).
    pub local: Mat4,
    /// How primitives map to instances.
    pub instances: Instances,
    /// The bounds in the part's space (`None`: nothing finite).
    pub bounds: Option<(Vec3, Vec3)>,
    /// Labels at positions in the part's space.
    pub labels: Vec<(Vec3, String, Color32)>,
    /// A whole-mesh color multiplier.
    pub tint: [f32; 4],
    /// Placed on a camera's image plane at depth 1 (scaled to the plane's distance).
    pub on_image_plane: bool,
}

impl Part {
    /// A part with the bounds of `batch` and nothing else set.
    pub(super) fn new(key: BatchKey, batch: Batch, instances: Instances) -> Self {
        let bounds = batch_bounds(&batch);
        Self {
            key,
            batch: Arc::new(batch),
            local: Mat4::IDENTITY,
            instances,
            bounds,
            labels: Vec::new(),
            tint: [1.0; 4],
            on_image_plane: false,
        }
    }
}

impl Part {
    /// Where instance `i` is in the part's space (a label's anchor): a point's center, a
    /// segment's middle, or the mean of the middles of the segments that draw it.
    pub fn instance_anchor(&self, i: usize) -> Option<Vec3> {
        let middle = |s: &SegmentInstance| (Vec3::from(s.a) + Vec3::from(s.b)) * 0.5;
        match (&self.instances, self.batch.as_ref()) {
            (Instances::PerPrimitive, Batch::Points(points)) => {
                points.get(i).map(|p| Vec3::from(p.position))
            }
            (Instances::PerPrimitive, Batch::Segments(segments)) => segments.get(i).map(middle),
            (Instances::Ranges(ranges), Batch::Segments(segments)) => {
                let range = ranges.get(i)?;
                let drawn = segments.get(range.start as usize..range.end as usize)?;
                (!drawn.is_empty())
                    .then(|| drawn.iter().map(middle).sum::<Vec3>() / drawn.len() as f32)
            }
            _ => None,
        }
    }
}

/// Parts built so far, by the key of what they were built from; entries a frame does not
/// use are dropped after it.
#[derive(Default)]
pub struct PartCache {
    entries: HashMap<u64, (Vec<Arc<Part>>, bool)>,
    /// Parts built (a measure of CPU work).
    pub builds: u64,
}

impl PartCache {
    /// Marks every entry unused (call before a frame).
    pub fn begin_frame(&mut self) {
        for entry in self.entries.values_mut() {
            entry.1 = false;
        }
    }

    /// Drops entries the frame did not use.
    pub fn end_frame(&mut self) {
        self.entries.retain(|_, e| e.1);
    }

    fn get_or_build(
        &mut self,
        key: u64,
        build: impl FnOnce() -> Result<Vec<Part>, String>,
    ) -> Result<Vec<Arc<Part>>, String> {
        if let Some(entry) = self.entries.get_mut(&key) {
            entry.1 = true;
            return Ok(entry.0.clone());
        }
        self.builds += 1;
        let parts: Vec<Arc<Part>> = build()?.into_iter().map(Arc::new).collect();
        self.entries.insert(key, (parts.clone(), true));
        Ok(parts)
    }
}

/// A key from an archetype name, the entity and the rows of `components`.
fn rows_key(kind: &str, data: &EntityData, components: &[ComponentName], extra: u64) -> u64 {
    let mut h = DefaultHasher::new();
    kind.hash(&mut h);
    data.entity.hash64().hash(&mut h);
    extra.hash(&mut h);
    for c in components {
        if let Some(hit) = data.results.get(c) {
            c.as_str().hash(&mut h);
            hit.key.row_id.hash(&mut h);
            hit.row.hash(&mut h);
        }
    }
    h.finish()
}

/// A color as the renderer's `0xRRGGBBAA`.
pub fn pack(c: Color32) -> u32 {
    u32::from_be_bytes(c.to_srgba_unmultiplied())
}

/// Per-instance colors, radii and labels of an entity, read once.
struct Style {
    colors: Vec<u32>,
    radii: Vec<f32>,
    labels: Vec<String>,
    fallback: u32,
}

impl Style {
    fn read(data: &mut EntityData, annotations: &Annotations, fallback: Color32) -> Self {
        let entity = data.entity.clone();
        let own: Vec<u32> = data
            .results
            .cell(&Color::name())
            .and_then(|c| primitives::<UInt32Type>(c.as_ref()).map(<[u32]>::to_vec))
            .unwrap_or_default();
        let class_ids: Vec<u16> = data
            .results
            .cell(&ClassId::name())
            .and_then(|c| primitives::<UInt16Type>(c.as_ref()).map(<[u16]>::to_vec))
            .unwrap_or_default();
        let colors = if own.is_empty() && !class_ids.is_empty() {
            // One lookup per distinct class, not per instance.
            let mut by_class: HashMap<u16, u32> = HashMap::new();
            class_ids
                .iter()
                .map(|id| {
                    *by_class.entry(*id).or_insert_with(|| {
                        pack(annotations.color(&entity, None, Some(*id), None, fallback))
                    })
                })
                .collect()
        } else {
            own
        };
        let radii = data
            .results
            .cell(&Radius::name())
            .and_then(|c| primitives::<Float32Type>(c.as_ref()).map(<[f32]>::to_vec))
            .unwrap_or_default();
        let n_labels = data
            .results
            .get(&Text::name())
            .map_or(0, |h| h.num_instances(&Text::name()));
        let mut labels: Vec<String> = if n_labels <= MAX_LABELS {
            data.get::<Text>().into_iter().map(|t| t.0).collect()
        } else {
            Vec::new()
        };
        if labels.is_empty() && class_ids.len() <= MAX_LABELS {
            labels = class_ids
                .iter()
                .filter_map(|id| annotations.label(&entity, None, Some(*id)))
                .collect();
            if labels.len() != class_ids.len() {
                labels.clear();
            }
        }
        Self {
            colors,
            radii,
            labels,
            fallback: pack(fallback),
        }
    }

    fn color(&self, i: usize) -> u32 {
        instance(&self.colors, i, self.fallback)
    }

    fn radius(&self, i: usize, default: f32) -> f32 {
        let r = instance(&self.radii, i, default);
        if r.is_finite() {
            r
        } else {
            default
        }
    }

    fn label(&self, i: usize) -> Option<String> {
        match self.labels.len() {
            0 => None,
            1 if i > 0 => None,
            _ => self.labels.get(i).cloned(),
        }
    }

    fn label_color(&self, i: usize) -> Color32 {
        let [r, g, b, _] = self.color(i).to_be_bytes();
        Color32::from_rgb(r, g, b)
    }
}

/// Components a style reads.
fn style_components() -> [ComponentName; 4] {
    [Color::name(), ClassId::name(), Radius::name(), Text::name()]
}

/// Everything an entity draws in 3D, built or taken from `cache`. `errors` collects what
/// could not be shown.
pub fn entity_parts(
    data: &mut EntityData,
    annotations: &Annotations,
    pinhole: Option<&Pinhole>,
    cache: &mut PartCache,
    errors: &mut Vec<String>,
) -> Vec<Arc<Part>> {
    let context = annotations.context_row(&data.entity).map_or(0, |r| {
        let mut h = DefaultHasher::new();
        r.hash(&mut h);
        h.finish()
    });
    let keys = Keys { context };
    let entity = data.entity.clone();
    let fallback = auto_color(&entity);
    let mut out = Vec::new();
    let mut add = |result: Result<Vec<Arc<Part>>, String>, what: &str| match result {
        Ok(parts) => out.extend(parts),
        Err(e) => errors.push(format!("{entity} ({what}): {e}")),
    };

    let Some(pinhole) = pinhole else {
        if data.has_archetype("Points3D") {
            let key = keys.of(data, "Points3D", &[Position3D::name()], 0);
            let result = cache.get_or_build(key, || {
                let s = Style::read(data, annotations, fallback);
                points_3d(key, data, &s).map(|p| vec![p])
            });
            add(result, "points");
        }
        for name in ["LineStrips3D", "LineSegments3D"] {
            if data.has_archetype(name) {
                let key = keys.of(data, name, &[LineStrip3D::name()], 0);
                let result = cache.get_or_build(key, || {
                    let s = Style::read(data, annotations, fallback);
                    let lines = data.get::<LineStrip3D>();
                    Ok(vec![strips(
                        key,
                        lines.iter().map(|l| l.0.as_slice()),
                        &s,
                        1.0,
                    )])
                });
                add(result, "lines");
            }
        }
        if data.has_archetype("Boxes3D") {
            let own = [
                HalfSizes3D::name(),
                Position3D::name(),
                RotationQuat::name(),
            ];
            let key = keys.of(data, "Boxes3D", &own, 0);
            let result = cache.get_or_build(key, || {
                let s = Style::read(data, annotations, fallback);
                Ok(vec![boxes_3d(key, data, &s)])
            });
            add(result, "boxes");
        }
        if data.has_archetype("Arrows3D") {
            let key = keys.of(data, "Arrows3D", &[Vector3D::name(), Position3D::name()], 0);
            let result = cache.get_or_build(key, || {
                let s = Style::read(data, annotations, fallback);
                Ok(vec![arrows_3d(key, data, &s)])
            });
            add(result, "arrows");
        }
        if data.has_archetype("Mesh3D") {
            let own = [
                Position3D::name(),
                TriangleIndices::name(),
                Normal3D::name(),
                TexCoord2D::name(),
                AlbedoFactor::name(),
            ];
            let key = keys.of(data, "Mesh3D", &own, 0);
            let result = cache.get_or_build(key, || mesh_3d(key, data).map(|p| vec![p]));
            add(result, "mesh");
        }
        if data.has_archetype("Asset3D") {
            let own = [Blob::name(), MediaType::name(), Mat4x4::name()];
            let key = keys.of(data, "Asset3D", &own, 0);
            let result = cache.get_or_build(key, || super::asset::asset_3d(key, data));
            add(result, "asset");
        }
        return out;
    };

    // Below a camera: the frustum at the camera, its image's 2D content on the plane.
    let camera = pinhole_key(pinhole);
    if data.has_archetype("Pinhole") {
        let key = keys.of(data, "Pinhole", &[], camera);
        add(
            cache.get_or_build(key, || Ok(vec![frustum(key, pinhole)])),
            "camera",
        );
    }
    if data.has_archetype("DepthImage") {
        let own = [TensorData::name(), DepthMeter::name()];
        let key = keys.of(data, "DepthImage", &own, camera);
        add(
            cache.get_or_build(key, || depth_cloud(key, data, pinhole).map(|p| vec![p])),
            "depth image",
        );
    } else if ["Image", "EncodedImage", "SegmentationImage"]
        .iter()
        .any(|a| data.has_archetype(a))
    {
        let key = keys.of(data, "Image", &[TensorData::name(), Blob::name()], camera);
        add(
            cache.get_or_build(key, || {
                image_quad(key, data, annotations, pinhole).map(|p| vec![p])
            }),
            "image",
        );
    }
    if data.has_archetype("Points2D") {
        let key = keys.of(data, "Points2D", &[Position2D::name()], camera);
        add(
            cache.get_or_build(key, || {
                let s = Style::read(data, annotations, fallback);
                Ok(vec![plane_points(
                    key,
                    &data.get::<Position2D>(),
                    &s,
                    pinhole,
                )])
            }),
            "2D points",
        );
    }
    if data.has_archetype("Boxes2D") {
        let key = keys.of(
            data,
            "Boxes2D",
            &[HalfSizes2D::name(), Position2D::name()],
            camera,
        );
        add(
            cache.get_or_build(key, || {
                let s = Style::read(data, annotations, fallback);
                let half = data.get::<HalfSizes2D>();
                let centers = data.get::<Position2D>();
                let rects: Vec<Vec<[f32; 2]>> = half
                    .iter()
                    .enumerate()
                    .map(|(i, h)| {
                        let c = instance(&centers, i, Position2D([0.0, 0.0])).0;
                        let (x0, y0) = (c[0] - h.0[0], c[1] - h.0[1]);
                        let (x1, y1) = (c[0] + h.0[0], c[1] + h.0[1]);
                        vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
                    })
                    .collect();
                Ok(vec![plane_strips(key, &rects, &s, pinhole)])
            }),
            "2D boxes",
        );
    }
    if data.has_archetype("LineStrips2D") {
        let key = keys.of(data, "LineStrips2D", &[LineStrip2D::name()], camera);
        add(
            cache.get_or_build(key, || {
                let s = Style::read(data, annotations, fallback);
                let lines: Vec<Vec<[f32; 2]>> =
                    data.get::<LineStrip2D>().into_iter().map(|l| l.0).collect();
                Ok(vec![plane_strips(key, &lines, &s, pinhole)])
            }),
            "2D lines",
        );
    }
    out
}

/// Keys of parts: the rows they are built from, plus the annotation context they use.
struct Keys {
    context: u64,
}

impl Keys {
    fn of(&self, data: &EntityData, kind: &str, own: &[ComponentName], extra: u64) -> u64 {
        let mut components = own.to_vec();
        components.extend(style_components());
        rows_key(kind, data, &components, extra ^ self.context)
    }
}

/// 2D points on a camera's image plane (at depth 1).
fn plane_points(key: u64, positions: &[Position2D], s: &Style, pinhole: &Pinhole) -> Part {
    let points = positions
        .iter()
        .enumerate()
        .map(|(i, p)| PointInstance {
            position: pinhole.unproject(p.0, 1.0).to_array(),
            radius: plane_radius(s.radius(i, DEFAULT_POINT_RADIUS), pinhole),
            color: s.color(i),
        })
        .collect();
    let mut part = Part::new(key, Batch::Points(points), Instances::PerPrimitive);
    part.on_image_plane = true;
    part
}

/// 2D polylines on a camera's image plane (at depth 1).
fn plane_strips(key: u64, lines: &[Vec<[f32; 2]>], s: &Style, pinhole: &Pinhole) -> Part {
    let lines_3d: Vec<Vec<[f32; 3]>> = lines
        .iter()
        .map(|l| {
            l.iter()
                .map(|p| pinhole.unproject(*p, 1.0).to_array())
                .collect()
        })
        .collect();
    let mut part = strips(
        key,
        lines_3d.iter().map(Vec::as_slice),
        s,
        1.0 / pinhole.focal[0],
    );
    part.on_image_plane = true;
    part
}

/// A radius in image pixels (>= 0) as scene units at depth 1; UI points stay as they are.
fn plane_radius(r: f32, pinhole: &Pinhole) -> f32 {
    if r >= 0.0 {
        r / pinhole.focal[0]
    } else {
        r
    }
}

fn pinhole_key(p: &Pinhole) -> u64 {
    let mut h = DefaultHasher::new();
    for v in p.focal.iter().chain(&p.principal).chain(&p.resolution) {
        v.to_bits().hash(&mut h);
    }
    for v in p.code_from_rdf.to_cols_array() {
        v.to_bits().hash(&mut h);
    }
    h.finish()
}

fn points_3d(key: u64, data: &mut EntityData, s: &Style) -> Result<Part, String> {
    let cell = data
        .results
        .cell(&Position3D::name())
        .ok_or("no positions")?;
    let owned;
    let positions: &[[f32; 3]] = match f32_arrays::<3>(cell.as_ref()) {
        Some(p) => p,
        None => {
            owned = Position3D::from_arrow(cell.as_ref())
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|p| p.0)
                .collect::<Vec<_>>();
            &owned
        }
    };
    // The common cases (one color and radius for all) without per-point branching.
    let points: Vec<PointInstance> = if s.colors.len() <= 1 && s.radii.len() <= 1 {
        let (color, radius) = (s.color(0), s.radius(0, DEFAULT_POINT_RADIUS));
        positions
            .iter()
            .map(|p| PointInstance {
                position: *p,
                radius,
                color,
            })
            .collect()
    } else {
        positions
            .iter()
            .enumerate()
            .map(|(i, p)| PointInstance {
                position: *p,
                radius: s.radius(i, DEFAULT_POINT_RADIUS),
                color: s.color(i),
            })
            .collect()
    };
    let labels = labels_at(s, points.iter().map(|p| Vec3::from(p.position)));
    let mut part = Part::new(key, Batch::Points(points), Instances::PerPrimitive);
    part.labels = labels;
    Ok(part)
}

fn labels_at(s: &Style, anchors: impl Iterator<Item = Vec3>) -> Vec<(Vec3, String, Color32)> {
    if s.labels.is_empty() {
        return Vec::new();
    }
    anchors
        .enumerate()
        .take(MAX_LABELS)
        .filter_map(|(i, at)| Some((at, s.label(i)?, s.label_color(i))))
        .collect()
}

/// Strips as segments; `radius_scale` converts logged radii to the part's units.
fn strips<'a>(
    key: u64,
    lines: impl Iterator<Item = &'a [[f32; 3]]>,
    s: &Style,
    radius_scale: f32,
) -> Part {
    let mut segments = Vec::new();
    let mut ranges = Vec::new();
    let mut anchors = Vec::new();
    for (i, line) in lines.enumerate() {
        let start = segments.len() as u32;
        let r = s.radius(i, DEFAULT_LINE_RADIUS);
        let r = if r >= 0.0 { r * radius_scale } else { r };
        let color = s.color(i);
        for pair in line.windows(2) {
            segments.push(SegmentInstance {
                a: pair[0],
                radius_a: r,
                b: pair[1],
                radius_b: r,
                color,
            });
        }
        anchors.push(line.first().map_or(Vec3::ZERO, |p| Vec3::from(*p)));
        ranges.push(start..segments.len() as u32);
    }
    segment_part(key, segments, ranges, anchors, s)
}

/// Segments grouped into instances (`ranges[i]` draws instance `i`), labelled at
/// `anchors`.
fn segment_part(
    key: u64,
    segments: Vec<SegmentInstance>,
    ranges: Vec<Range<u32>>,
    anchors: Vec<Vec3>,
    s: &Style,
) -> Part {
    let labels = labels_at(s, anchors.into_iter());
    let mut part = Part::new(key, Batch::Segments(segments), Instances::Ranges(ranges));
    part.labels = labels;
    part
}

fn boxes_3d(key: u64, data: &mut EntityData, s: &Style) -> Part {
    let half = data.get::<HalfSizes3D>();
    let centers = data.get::<Position3D>();
    let rotations = data.get::<RotationQuat>();
    let mut segments = Vec::with_capacity(half.len() * 12);
    let mut ranges = Vec::with_capacity(half.len());
    let mut anchors = Vec::with_capacity(half.len());
    for (i, h) in half.iter().enumerate() {
        let center = Vec3::from(instance(&centers, i, Position3D([0.0; 3])).0);
        let q = unit_quat(instance(&rotations, i, RotationQuat::IDENTITY).0);
        let h = Vec3::from(h.0);
        let corner = |k: usize| (center + q * (h * box_corner(k))).to_array();
        let (r, color) = (s.radius(i, DEFAULT_LINE_RADIUS), s.color(i));
        let start = segments.len() as u32;
        // The 12 edges join corners that differ in one bit.
        for a in 0..8usize {
            for bit in [1, 2, 4] {
                if a & bit == 0 {
                    segments.push(SegmentInstance {
                        a: corner(a),
                        radius_a: r,
                        b: corner(a | bit),
                        radius_b: r,
                        color,
                    });
                }
            }
        }
        ranges.push(start..segments.len() as u32);
        anchors.push(Vec3::from(corner(7)));
    }
    segment_part(key, segments, ranges, anchors, s)
}

fn arrows_3d(key: u64, data: &mut EntityData, s: &Style) -> Part {
    let vectors = data.get::<Vector3D>();
    let origins = data.get::<Position3D>();
    let mut segments = Vec::with_capacity(vectors.len() * 2);
    let mut ranges = Vec::with_capacity(vectors.len());
    let mut anchors = Vec::new();
    for (i, v) in vectors.iter().enumerate() {
        let origin = Vec3::from(instance(&origins, i, Position3D([0.0; 3])).0);
        let v = Vec3::from(v.0);
        let tip = origin + v;
        let r = s.radius(i, -1.5);
        let len = v.length();
        // Heads are 4 radii long in scene units, or 15 % of the arrow for screen radii,
        // never more than half the arrow.
        let head = if r >= 0.0 {
            (r * 4.0).min(len * 0.5)
        } else {
            len * 0.15
        };
        let neck = origin + v.normalize_or_zero() * (len - head);
        let color = s.color(i);
        let start = segments.len() as u32;
        segments.push(SegmentInstance {
            a: origin.to_array(),
            radius_a: r,
            b: neck.to_array(),
            radius_b: r,
            color,
        });
        segments.push(SegmentInstance {
            a: neck.to_array(),
            radius_a: r * 2.5,
            b: tip.to_array(),
            radius_b: 0.0,
            color,
        });
        ranges.push(start..segments.len() as u32);
        anchors.push(tip);
    }
    segment_part(key, segments, ranges, anchors, s)
}

fn mesh_3d(key: u64, data: &mut EntityData) -> Result<Part, String> {
    let positions: Vec<[f32; 3]> = data.get::<Position3D>().into_iter().map(|p| p.0).collect();
    let indices: Vec<u32> = match data.get::<TriangleIndices>() {
        t if t.is_empty() => (0..(positions.len() / 3 * 3) as u32).collect(),
        t => t.into_iter().flat_map(|t| t.0).collect(),
    };
    if let Some(bad) = indices.iter().find(|i| **i as usize >= positions.len()) {
        return Err(format!(
            "index {bad} is out of range for {} vertices",
            positions.len()
        ));
    }
    let normals: Vec<[f32; 3]> = data.get::<Normal3D>().into_iter().map(|n| n.0).collect();
    let colors: Vec<u32> = data.get::<Color>().into_iter().map(|c| c.0).collect();
    let uvs: Vec<[f32; 2]> = data.get::<TexCoord2D>().into_iter().map(|t| t.0).collect();
    let albedo = data.first::<AlbedoFactor>().map(|a| a.0.to_be_bytes());
    let mut part = Part::new(
        key,
        mesh_batch(&positions, &indices, &normals, &colors, &uvs, None),
        Instances::Whole,
    );
    if let Some([r, g, b, a]) = albedo {
        part.tint = [r, g, b, a].map(|v| f32::from(v) / 255.0);
    }
    Ok(part)
}

/// A mesh batch; missing normals are computed (smooth, area-weighted), missing colors are
/// gray, per-vertex attributes of the wrong length are splatted or ignored.
pub fn mesh_batch(
    positions: &[[f32; 3]],
    indices: &[u32],
    normals: &[[f32; 3]],
    colors: &[u32],
    uvs: &[[f32; 2]],
    texture: Option<Arc<TextureImage>>,
) -> Batch {
    let n = positions.len();
    let computed;
    let normals = if normals.len() == n {
        normals
    } else {
        computed = smooth_normals(positions, indices);
        &computed
    };
    let gray = pack(MESH_GRAY);
    let default_color = if texture.is_some() { u32::MAX } else { gray };
    let vertices = positions
        .iter()
        .enumerate()
        .map(|(i, p)| MeshVertex {
            position: *p,
            normal: normals[i],
            color: if colors.len() == n || colors.len() == 1 {
                instance(colors, i, default_color)
            } else {
                default_color
            },
            uv: if uvs.len() == n { uvs[i] } else { [0.0, 0.0] },
        })
        .collect();
    Batch::Mesh {
        vertices,
        indices: indices.to_vec(),
        texture,
    }
}

fn smooth_normals(positions: &[[f32; 3]], indices: &[u32]) -> Vec<[f32; 3]> {
    let mut sums = vec![Vec3::ZERO; positions.len()];
    for t in indices.chunks_exact(3) {
        let [a, b, c] = [t[0] as usize, t[1] as usize, t[2] as usize];
        let (Some(pa), Some(pb), Some(pc)) = (positions.get(a), positions.get(b), positions.get(c))
        else {
            continue;
        };
        let (pa, pb, pc) = (Vec3::from(*pa), Vec3::from(*pb), Vec3::from(*pc));
        // The cross product's length is twice the area: larger faces weigh more.
        let n = (pb - pa).cross(pc - pa);
        if n.is_finite() {
            sums[a] += n;
            sums[b] += n;
            sums[c] += n;
        }
    }
    sums.into_iter()
        .map(|n| n.normalize_or(Vec3::Z).to_array())
        .collect()
}

/// The frustum of a camera at depth 1: four rays and the image rectangle.
fn frustum(key: u64, pinhole: &Pinhole) -> Part {
    let [w, h] = pinhole.resolution;
    let corners = [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]].map(|uv| pinhole.unproject(uv, 1.0));
    let color = pack(FRUSTUM_COLOR);
    let r = DEFAULT_LINE_RADIUS;
    let mut segments = Vec::new();
    for (k, c) in corners.iter().enumerate() {
        segments.push(SegmentInstance {
            a: [0.0; 3],
            radius_a: r,
            b: c.to_array(),
            radius_b: r,
            color,
        });
        segments.push(SegmentInstance {
            a: c.to_array(),
            radius_a: r,
            b: corners[(k + 1) % 4].to_array(),
            radius_b: r,
            color,
        });
    }
    let mut part = Part::new(key, Batch::Segments(segments), Instances::Whole);
    part.on_image_plane = true;
    part
}

fn image_quad(
    key: u64,
    data: &mut EntityData,
    annotations: &Annotations,
    pinhole: &Pinhole,
) -> Result<Part, String> {
    let decoded = if data.has_archetype("EncodedImage") {
        let blob = data
            .first::<Blob>()
            .ok_or("the encoded image has no bytes")?;
        decode_encoded(&blob.0).map_err(|e| e.to_string())?
    } else {
        let tensor = data.first::<TensorData>().ok_or("the image has no data")?;
        let kind = if data.has_archetype("SegmentationImage") {
            ImageKind::Segmentation
        } else {
            ImageKind::Color
        };
        decode_tensor(
            Arc::new(tensor),
            kind,
            crate::colormap::Colormap::Grayscale,
            annotations,
            &data.entity,
        )
        .map_err(|e| e.to_string())?
    };
    let [w, h] = decoded.size();
    let rgba = decoded
        .pixels
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let texture = Arc::new(TextureImage {
        size: [w as u32, h as u32],
        rgba,
        nearest: true,
    });
    let (wf, hf) = (w as f32, h as f32);
    let positions = [[0.0, 0.0], [wf, 0.0], [wf, hf], [0.0, hf]]
        .map(|uv| pinhole.unproject(uv, 1.0).to_array());
    let uvs = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
    let vertices = positions
        .iter()
        .zip(uvs)
        .map(|(p, uv)| MeshVertex {
            position: *p,
            // No normal: images are not lit.
            normal: [0.0; 3],
            color: u32::MAX,
            uv,
        })
        .collect();
    let batch = Batch::Mesh {
        vertices,
        indices: vec![0, 1, 2, 0, 2, 3],
        texture: Some(texture),
    };
    let mut part = Part::new(key, batch, Instances::Whole);
    part.on_image_plane = true;
    // Images are a little see-through so what is behind the plane stays visible.
    part.tint = [1.0, 1.0, 1.0, 0.9];
    Ok(part)
}

fn depth_cloud(key: u64, data: &mut EntityData, pinhole: &Pinhole) -> Result<Part, String> {
    let tensor = data
        .first::<TensorData>()
        .ok_or("the depth image has no data")?;
    let shape = tensor.shape();
    let (h, w) = match shape {
        [h, w] | [h, w, 1] => (*h as usize, *w as usize),
        other => return Err(format!("a depth image must be HxW, not {other:?}")),
    };
    let buffer = tensor.buffer();
    let depths: Vec<f32> = (0..w * h)
        .map(|i| buffer.get_f64(i).map_or(0.0, |v| v as f32))
        .collect();
    let meter = data.first::<DepthMeter>().map_or(1.0, |m| m.0);
    let scale = if meter.is_finite() && meter > 0.0 {
        1.0 / meter
    } else {
        1.0
    };
    let (lo, hi) = finite_range(buffer, |v| v > 0.0).unwrap_or((0.0, 1.0));
    let cloud = DepthCloud {
        size: [w as u32, h as u32],
        depths,
        intrinsics: [
            pinhole.focal[0],
            pinhole.focal[1],
            pinhole.principal[0],
            pinhole.principal[1],
        ],
        scale,
        range: [lo as f32 * scale, hi as f32 * scale],
        code_from_rdf: pinhole.code_from_rdf,
    };
    // Bounds: the frustum out to the farthest depth.
    let far = hi as f32 * scale;
    let mut part = Part::new(key, Batch::DepthCloud(cloud), Instances::None);
    let corners = [
        [0.0, 0.0],
        [w as f32, 0.0],
        [w as f32, h as f32],
        [0.0, h as f32],
    ]
    .map(|uv| pinhole.unproject(uv, far));
    part.bounds = Some(
        corners
            .iter()
            .fold((Vec3::ZERO, Vec3::ZERO), |(lo, hi), c| {
                (lo.min(*c), hi.max(*c))
            }),
    );
    Ok(part)
}

/// The finite bounds of a batch's positions.
fn batch_bounds(batch: &Batch) -> Option<(Vec3, Vec3)> {
    let mut lo = Vec3::splat(f32::INFINITY);
    let mut hi = Vec3::splat(f32::NEG_INFINITY);
    let mut add = |p: [f32; 3]| {
        let p = Vec3::from(p);
        if p.is_finite() {
            lo = lo.min(p);
            hi = hi.max(p);
        }
    };
    match batch {
        Batch::Points(points) => points.iter().for_each(|p| add(p.position)),
        Batch::Segments(segments) => segments.iter().for_each(|s| {
            add(s.a);
            add(s.b);
        }),
        Batch::Mesh { vertices, .. } => vertices.iter().for_each(|v| add(v.position)),
        Batch::DepthCloud(_) => {}
    }
    (lo.x <= hi.x).then_some((lo, hi))
}
