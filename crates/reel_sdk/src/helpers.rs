//! The reference-era `log_*` family: one method per function of the reference API, each a
//! thin layer over an archetype. Arguments are plain structs whose fields mirror the
//! reference's parameters (`None` = not given = nothing logged for that component), so the
//! Python package fills them from keyword arguments.
//!
//! Every method takes `timeless` and `ext` through [`Extras`] (except `log_scalar`,
//! `log_cleared` and `log_annotation_context`, as in the reference). Invalid data is an
//! error in strict mode and one warning (nothing logged) otherwise, like any log call.

use std::path::{Path, PathBuf};

use reel_core::{AsComponents, ComponentBatch};
use reel_types::archetypes::{
    self, AnnotationContext, Arrows3D, Asset3D, BarChart, Boxes2D, Boxes3D, Clear, DepthImage,
    DisconnectedSpace, EncodedImage, Image, LineSegments3D, LineStrips2D, LineStrips3D, Mesh3D,
    Pinhole, Points2D, Points3D, RectFormat, Scalar, SegmentationImage, Tensor, TextLog,
    Transform3D,
};
use reel_types::components::{
    ClassDescription, Color, LineStrip2D, LineStrip3D, RotationQuat, TensorData, TextLogLevel,
    ViewCoordinates,
};
use reel_types::ValidationError;

pub use reel_types::archetypes::image::ImageFormat;
pub use reel_types::archetypes::mesh::MeshFormat;
pub use reel_types::archetypes::spatial::Rotation3D;

use crate::recording_stream::{LogOptions, RecordingError, RecordingResult, RecordingStream};
use crate::warn::warn_once;

/// What every helper may add: timeless logging and extra user components (`ext`).
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// Log without time.
    pub timeless: bool,
    /// Extra components logged in the same row.
    pub ext: Vec<ComponentBatch>,
}

/// Positions in 2D or 3D.
#[derive(Clone, Debug, PartialEq)]
pub enum Positions {
    /// 2D positions.
    D2(Vec<[f32; 2]>),
    /// 3D positions.
    D3(Vec<[f32; 3]>),
}

/// Arguments of [`RecordingStream::log_points`] (and, with one position, `log_point`).
#[derive(Clone, Debug, Default)]
pub struct PointsArgs {
    /// The positions; `None` logs only the other components.
    pub positions: Option<Positions>,
    /// Stable instance ids.
    pub identifiers: Option<Vec<u64>>,
    /// Colors (one, or one per point).
    pub colors: Option<Vec<Color>>,
    /// Radii.
    pub radii: Option<Vec<f32>>,
    /// Labels.
    pub labels: Option<Vec<String>>,
    /// Class ids.
    pub class_ids: Option<Vec<u16>>,
    /// Keypoint ids.
    pub keypoint_ids: Option<Vec<u16>>,
    /// Draw order (2D only).
    pub draw_order: Option<f32>,
    /// `timeless` and `ext`.
    pub extras: Extras,
}

/// Arguments of [`RecordingStream::log_rects`] (and `log_rect`).
#[derive(Clone, Debug, Default)]
pub struct RectsArgs {
    /// The rectangles, four numbers each in `rect_format`.
    pub rects: Vec<[f32; 4]>,
    /// How the numbers are laid out (default XYWH).
    pub rect_format: RectFormat,
    /// Stable instance ids.
    pub identifiers: Option<Vec<u64>>,
    /// Colors.
    pub colors: Option<Vec<Color>>,
    /// Labels.
    pub labels: Option<Vec<String>>,
    /// Class ids.
    pub class_ids: Option<Vec<u16>>,
    /// Draw order.
    pub draw_order: Option<f32>,
    /// `timeless` and `ext`.
    pub extras: Extras,
}

/// Arguments of [`RecordingStream::log_obbs`] (and `log_obb`).
#[derive(Clone, Debug, Default)]
pub struct ObbsArgs {
    /// Half sizes of the boxes.
    pub half_sizes: Vec<[f32; 3]>,
    /// Centers.
    pub positions: Option<Vec<[f32; 3]>>,
    /// Rotations as quaternions `[x, y, z, w]`.
    pub rotations_q: Option<Vec<[f32; 4]>>,
    /// Colors.
    pub colors: Option<Vec<Color>>,
    /// Line widths (drawn with radius = width / 2).
    pub stroke_widths: Option<Vec<f32>>,
    /// Labels.
    pub labels: Option<Vec<String>>,
    /// Class ids.
    pub class_ids: Option<Vec<u16>>,
    /// `timeless` and `ext`.
    pub extras: Extras,
}

/// Arguments of the line helpers ([`RecordingStream::log_line_strips_3d`] and friends).
#[derive(Clone, Debug, Default)]
pub struct LinesArgs {
    /// Stable instance ids.
    pub identifiers: Option<Vec<u64>>,
    /// Line widths (drawn with radius = width / 2).
    pub stroke_widths: Option<Vec<f32>>,
    /// Colors.
    pub colors: Option<Vec<Color>>,
    /// Draw order (2D only).
    pub draw_order: Option<f32>,
    /// `timeless` and `ext`.
    pub extras: Extras,
}

/// Arguments of [`RecordingStream::log_arrow`].
#[derive(Clone, Debug, Default)]
pub struct ArrowArgs {
    /// The arrow's start.
    pub origin: [f32; 3],
    /// Its direction and length; `None` logs only the other components.
    pub vector: Option<[f32; 3]>,
    /// Color.
    pub color: Option<Color>,
    /// Label.
    pub label: Option<String>,
    /// Width of the arrow's body (stored as a radius of half of it, like stroke widths).
    pub width_scale: Option<f32>,
    /// `timeless` and `ext`.
    pub extras: Extras,
}

/// Arguments of [`RecordingStream::log_mesh`].
#[derive(Clone, Debug, Default)]
pub struct MeshArgs {
    /// Vertex positions.
    pub positions: Vec<[f32; 3]>,
    /// Triangle indices; without them every three vertices form a triangle.
    pub indices: Option<Vec<[u32; 3]>>,
    /// Vertex normals.
    pub normals: Option<Vec<[f32; 3]>>,
    /// Base color.
    pub albedo_factor: Option<Color>,
    /// Vertex colors.
    pub vertex_colors: Option<Vec<Color>>,
    /// `timeless` and `ext`.
    pub extras: Extras,
}

/// Arguments of [`RecordingStream::log_scalar`].
#[derive(Clone, Debug, Default)]
pub struct ScalarArgs {
    /// Series label.
    pub label: Option<String>,
    /// Color.
    pub color: Option<Color>,
    /// Point radius.
    pub radius: Option<f32>,
    /// Draw as separate points.
    pub scattered: Option<bool>,
    /// Extra components (no `timeless`: a scalar is a time series).
    pub ext: Vec<ComponentBatch>,
}

/// Arguments of [`RecordingStream::log_pinhole`].
#[derive(Clone, Debug, PartialEq)]
pub struct PinholeArgs {
    /// Image width in pixels.
    pub width: f32,
    /// Image height in pixels.
    pub height: f32,
    /// Focal lengths `[fx, fy]` in pixels.
    pub focal_length_px: [f32; 2],
    /// Principal point; default the image center.
    pub principal_point_px: Option<[f32; 2]>,
    /// The full 3×3 intrinsics (rows), overriding focal length and principal point.
    pub child_from_parent: Option<[[f32; 3]; 3]>,
    /// The camera's axis convention, e.g. "RDF".
    pub camera_xyz: Option<String>,
    /// Log without time.
    pub timeless: bool,
}

impl RecordingStream {
    /// Logs `result`'s archetype plus `extras`, or reports its validation error (strict:
    /// error; lenient: one warning, nothing logged).
    fn log_checked<A: AsComponents>(
        &self,
        entity_path: &str,
        result: Result<A, ValidationError>,
        extras: Extras,
    ) -> RecordingResult<()> {
        match result {
            Ok(archetype) => {
                let aligned = archetype.instance_aligned();
                self.log_batches(
                    entity_path,
                    archetype.as_component_batches(),
                    extras,
                    aligned,
                )
            }
            Err(source) => self.reject(RecordingError::Invalid {
                entity_path: entity_path.to_owned(),
                source,
            }),
        }
    }

    /// Strict: the error; lenient: one warning per kind of error, nothing logged.
    fn reject(&self, error: RecordingError) -> RecordingResult<()> {
        if !self.is_enabled() {
            return Ok(());
        }
        if self.is_strict() {
            return Err(error);
        }
        warn_once(
            &format!("helper:{error}"),
            format!("{error}; nothing was logged"),
        );
        Ok(())
    }

    /// Logs batches plus `extras` as one row; `instance_aligned` says whether the
    /// instance-count rule applies (see `AsComponents::instance_aligned`).
    fn log_batches(
        &self,
        entity_path: &str,
        mut batches: Vec<ComponentBatch>,
        extras: Extras,
        instance_aligned: bool,
    ) -> RecordingResult<()> {
        batches.extend(extras.ext);
        let options = LogOptions {
            timeless: extras.timeless,
            skip_instance_check: !instance_aligned,
            ..LogOptions::default()
        };
        self.log_components(entity_path, batches, options)
    }

    /// The `log_point`-style helpers take exactly one instance: an error otherwise.
    fn expect_one(
        &self,
        entity_path: &str,
        helper: &str,
        count: usize,
    ) -> Option<RecordingResult<()>> {
        (count != 1).then(|| {
            self.reject(RecordingError::Invalid {
                entity_path: entity_path.to_owned(),
                source: ValidationError::Shape(format!("{helper} takes one instance, got {count}")),
            })
        })
    }
    /// `log_points`: 2D or 3D points with optional colors, radii, labels and ids.
    pub fn log_points(&self, entity_path: &str, args: PointsArgs) -> RecordingResult<()> {
        use archetypes::batch;
        use reel_types::components as c;
        let mut optional: Vec<ComponentBatch> = Vec::new();
        optional.extend(args.identifiers.map(batch::<c::InstanceKey>));
        optional.extend(args.colors.map(batch::<c::Color>));
        optional.extend(args.radii.map(batch::<c::Radius>));
        optional.extend(args.labels.map(batch::<c::Text>));
        optional.extend(args.class_ids.map(batch::<c::ClassId>));
        optional.extend(args.keypoint_ids.map(batch::<c::KeypointId>));
        match args.positions {
            Some(Positions::D3(p)) => optional.extend(Points3D::new(p).as_component_batches()),
            Some(Positions::D2(p)) => {
                optional.extend(args.draw_order.map(|d| batch::<c::DrawOrder>([d])));
                optional.extend(Points2D::new(p).as_component_batches());
            }
            None => optional.extend(args.draw_order.map(|d| batch::<c::DrawOrder>([d]))),
        }
        self.log_batches(entity_path, optional, args.extras, true)
    }

    /// `log_point`: one point (the arguments' vectors hold one value each).
    pub fn log_point(&self, entity_path: &str, args: PointsArgs) -> RecordingResult<()> {
        let count = match &args.positions {
            Some(Positions::D2(p)) => p.len(),
            Some(Positions::D3(p)) => p.len(),
            None => 1,
        };
        if let Some(rejected) = self.expect_one(entity_path, "log_point", count) {
            return rejected;
        }
        self.log_points(entity_path, args)
    }

    /// `log_rects`: 2D rectangles in any [`RectFormat`].
    pub fn log_rects(&self, entity_path: &str, args: RectsArgs) -> RecordingResult<()> {
        let mut boxes = Boxes2D::from_rects(args.rects, args.rect_format);
        if let Some(v) = args.identifiers {
            boxes = boxes.with_instance_keys(v);
        }
        if let Some(v) = args.colors {
            boxes = boxes.with_colors(v);
        }
        if let Some(v) = args.labels {
            boxes = boxes.with_labels(v);
        }
        if let Some(v) = args.class_ids {
            boxes = boxes.with_class_ids(v);
        }
        if let Some(d) = args.draw_order {
            boxes = boxes.with_draw_order([d]);
        }
        self.log_checked(entity_path, Ok(boxes), args.extras)
    }

    /// `log_rect`: one rectangle.
    pub fn log_rect(&self, entity_path: &str, args: RectsArgs) -> RecordingResult<()> {
        if let Some(rejected) = self.expect_one(entity_path, "log_rect", args.rects.len()) {
            return rejected;
        }
        self.log_rects(entity_path, args)
    }

    /// `log_obbs`: oriented 3D boxes.
    pub fn log_obbs(&self, entity_path: &str, args: ObbsArgs) -> RecordingResult<()> {
        let mut boxes = Boxes3D::new(args.half_sizes);
        if let Some(v) = args.positions {
            boxes = boxes.with_centers(v);
        }
        if let Some(v) = args.rotations_q {
            boxes = boxes.with_rotations(v.into_iter().map(RotationQuat));
        }
        if let Some(v) = args.colors {
            boxes = boxes.with_colors(v);
        }
        if let Some(v) = args.stroke_widths {
            boxes = boxes.with_radii(v.into_iter().map(|w| w / 2.0));
        }
        if let Some(v) = args.labels {
            boxes = boxes.with_labels(v);
        }
        if let Some(v) = args.class_ids {
            boxes = boxes.with_class_ids(v);
        }
        self.log_checked(entity_path, Ok(boxes), args.extras)
    }

    /// `log_obb`: one oriented box.
    pub fn log_obb(&self, entity_path: &str, args: ObbsArgs) -> RecordingResult<()> {
        if let Some(rejected) = self.expect_one(entity_path, "log_obb", args.half_sizes.len()) {
            return rejected;
        }
        self.log_obbs(entity_path, args)
    }

    /// `log_line_strip`: one 3D polyline.
    pub fn log_line_strip(
        &self,
        entity_path: &str,
        positions: Vec<[f32; 3]>,
        args: LinesArgs,
    ) -> RecordingResult<()> {
        self.log_line_strips_3d(entity_path, vec![positions], args)
    }

    /// `log_line_strips_3d`: several 3D polylines.
    pub fn log_line_strips_3d(
        &self,
        entity_path: &str,
        strips: Vec<Vec<[f32; 3]>>,
        args: LinesArgs,
    ) -> RecordingResult<()> {
        let mut lines = LineStrips3D::new(strips.into_iter().map(LineStrip3D));
        if let Some(v) = args.identifiers {
            lines = lines.with_instance_keys(v);
        }
        if let Some(v) = args.stroke_widths {
            lines = lines.with_radii(v.into_iter().map(|w| w / 2.0));
        }
        if let Some(v) = args.colors {
            lines = lines.with_colors(v);
        }
        self.log_checked(entity_path, Ok(lines), args.extras)
    }

    /// `log_line_strips_2d`: several 2D polylines.
    pub fn log_line_strips_2d(
        &self,
        entity_path: &str,
        strips: Vec<Vec<[f32; 2]>>,
        args: LinesArgs,
    ) -> RecordingResult<()> {
        let mut lines = LineStrips2D::new(strips.into_iter().map(LineStrip2D));
        if let Some(v) = args.identifiers {
            lines = lines.with_instance_keys(v);
        }
        if let Some(v) = args.stroke_widths {
            lines = lines.with_radii(v.into_iter().map(|w| w / 2.0));
        }
        if let Some(v) = args.colors {
            lines = lines.with_colors(v);
        }
        if let Some(d) = args.draw_order {
            lines = lines.with_draw_order([d]);
        }
        self.log_checked(entity_path, Ok(lines), args.extras)
    }

    /// `log_line_segments`: independent segments from pairs of points (0–1, 2–3, ...).
    pub fn log_line_segments(
        &self,
        entity_path: &str,
        positions: Vec<[f32; 3]>,
        args: LinesArgs,
    ) -> RecordingResult<()> {
        let result = LineSegments3D::from_points(&positions).map(|mut s| {
            if let Some(v) = args.stroke_widths {
                s = s.with_radii(v.into_iter().map(|w| w / 2.0));
            }
            if let Some(v) = args.colors {
                s = s.with_colors(v);
            }
            s
        });
        self.log_checked(entity_path, result, args.extras)
    }

    /// `log_arrow`: one 3D arrow.
    pub fn log_arrow(&self, entity_path: &str, args: ArrowArgs) -> RecordingResult<()> {
        use reel_types::components as c;
        let Some(vector) = args.vector else {
            let mut batches = vec![archetypes::batch::<c::Position3D>([args.origin])];
            batches.extend(args.color.map(|v| archetypes::batch::<c::Color>([v])));
            batches.extend(args.label.map(|v| archetypes::batch::<c::Text>([v])));
            batches.extend(
                args.width_scale
                    .map(|v| archetypes::batch::<c::Radius>([v / 2.0])),
            );
            return self.log_batches(entity_path, batches, args.extras, true);
        };
        let mut arrow = Arrows3D::new([vector]).with_origins([args.origin]);
        if let Some(v) = args.color {
            arrow = arrow.with_colors([v]);
        }
        if let Some(v) = args.label {
            arrow = arrow.with_labels([v]);
        }
        if let Some(v) = args.width_scale {
            arrow = arrow.with_radii([v / 2.0]);
        }
        self.log_checked(entity_path, Ok(arrow), args.extras)
    }

    /// `log_mesh`: a triangle mesh, validated.
    pub fn log_mesh(&self, entity_path: &str, args: MeshArgs) -> RecordingResult<()> {
        let mut mesh = Mesh3D::new(args.positions);
        if let Some(v) = args.indices {
            mesh = mesh.with_indices(v);
        }
        if let Some(v) = args.normals {
            mesh = mesh.with_vertex_normals(v);
        }
        if let Some(v) = args.albedo_factor {
            mesh = mesh.with_albedo_factor([v]);
        }
        if let Some(v) = args.vertex_colors {
            mesh = mesh.with_vertex_colors(v);
        }
        let result = mesh.validate().map(|()| mesh);
        self.log_checked(entity_path, result, args.extras)
    }

    /// `log_meshes`: several meshes under one entity (one row each, in order).
    pub fn log_meshes(&self, entity_path: &str, meshes: Vec<MeshArgs>) -> RecordingResult<()> {
        meshes
            .into_iter()
            .try_for_each(|m| self.log_mesh(entity_path, m))
    }

    /// `log_mesh_file`: a glTF, GLB or OBJ file from bytes or a path, validated and kept
    /// encoded, with an optional 3×4 affine transform (rows).
    pub fn log_mesh_file(
        &self,
        entity_path: &str,
        mesh_format: MeshFormat,
        mesh_bytes: Option<Vec<u8>>,
        mesh_path: Option<&Path>,
        transform: Option<[[f32; 4]; 3]>,
        extras: Extras,
    ) -> RecordingResult<()> {
        let Some(bytes) = self.bytes_or_file(entity_path, mesh_bytes, mesh_path, "mesh")? else {
            return Ok(());
        };
        let result = Asset3D::from_bytes(bytes, mesh_format).map(|a| {
            if let Some(t) = transform {
                a.with_affine3x4(t)
            } else {
                a
            }
        });
        self.log_checked(entity_path, result, extras)
    }

    /// The given bytes, or the file's; `None` when nothing should be logged (lenient).
    fn bytes_or_file(
        &self,
        entity_path: &str,
        bytes: Option<Vec<u8>>,
        path: Option<&Path>,
        what: &str,
    ) -> RecordingResult<Option<Vec<u8>>> {
        match (bytes, path) {
            (Some(b), None) => Ok(Some(b)),
            (None, Some(p)) => match std::fs::read(p) {
                Ok(b) => Ok(Some(b)),
                Err(source) => self
                    .reject(RecordingError::ReadFile {
                        path: PathBuf::from(p),
                        source,
                    })
                    .map(|()| None),
            },
            _ => self
                .reject(RecordingError::Invalid {
                    entity_path: entity_path.to_owned(),
                    source: ValidationError::Shape(format!(
                        "give exactly one of {what}_bytes and {what}_path"
                    )),
                })
                .map(|()| None),
        }
    }

    /// `log_image`: an image tensor (HxW, HxWx1, HxWx3 or HxWx4); with `jpeg_quality`,
    /// 8-bit images are stored JPEG-encoded.
    pub fn log_image(
        &self,
        entity_path: &str,
        image: TensorData,
        draw_order: Option<f32>,
        jpeg_quality: Option<u8>,
        extras: Extras,
    ) -> RecordingResult<()> {
        if let Some(quality) = jpeg_quality {
            let result = EncodedImage::encode_jpeg(&image, quality).map(|i| {
                if let Some(d) = draw_order {
                    i.with_draw_order([d])
                } else {
                    i
                }
            });
            return self.log_checked(entity_path, result, extras);
        }
        let result = Image::new(image).map(|i| {
            if let Some(d) = draw_order {
                i.with_draw_order([d])
            } else {
                i
            }
        });
        self.log_checked(entity_path, result, extras)
    }

    /// `log_image_file`: a PNG or JPEG file from bytes or a path, validated and kept
    /// encoded; the format is detected unless given.
    pub fn log_image_file(
        &self,
        entity_path: &str,
        img_bytes: Option<Vec<u8>>,
        img_path: Option<&Path>,
        img_format: Option<ImageFormat>,
        extras: Extras,
    ) -> RecordingResult<()> {
        let Some(bytes) = self.bytes_or_file(entity_path, img_bytes, img_path, "img")? else {
            return Ok(());
        };
        self.log_checked(
            entity_path,
            EncodedImage::from_bytes(bytes, img_format),
            extras,
        )
    }

    /// `log_depth_image`: a single-channel depth image with an optional scale.
    pub fn log_depth_image(
        &self,
        entity_path: &str,
        image: TensorData,
        draw_order: Option<f32>,
        meter: Option<f32>,
        extras: Extras,
    ) -> RecordingResult<()> {
        let result = DepthImage::new(image).map(|mut i| {
            if let Some(m) = meter {
                i = i.with_meter([m]);
            }
            if let Some(d) = draw_order {
                i = i.with_draw_order([d]);
            }
            i
        });
        self.log_checked(entity_path, result, extras)
    }

    /// `log_segmentation_image`: a single-channel image of integer class ids.
    pub fn log_segmentation_image(
        &self,
        entity_path: &str,
        image: TensorData,
        draw_order: Option<f32>,
        extras: Extras,
    ) -> RecordingResult<()> {
        let result = SegmentationImage::new(image).map(|i| {
            if let Some(d) = draw_order {
                i.with_draw_order([d])
            } else {
                i
            }
        });
        self.log_checked(entity_path, result, extras)
    }

    /// `log_tensor`: a tensor of any shape, with optional dimension names and a depth
    /// scale.
    pub fn log_tensor(
        &self,
        entity_path: &str,
        tensor: TensorData,
        names: Option<Vec<String>>,
        meter: Option<f32>,
        extras: Extras,
    ) -> RecordingResult<()> {
        let tensor = match names {
            Some(n) => tensor.with_names(n),
            None => Ok(tensor),
        };
        let result = tensor.map(|t| {
            let mut batches = Tensor::new(t).as_component_batches();
            batches.extend(
                meter.map(|m| archetypes::batch::<reel_types::components::DepthMeter>([m])),
            );
            batches
        });
        self.log_checked(entity_path, result, extras)
    }

    /// `log_bar_chart`: a one-dimensional tensor of values.
    pub fn log_bar_chart(
        &self,
        entity_path: &str,
        values: TensorData,
        extras: Extras,
    ) -> RecordingResult<()> {
        self.log_checked(entity_path, BarChart::new(values), extras)
    }

    /// `log_scalar`: one value of a time series.
    pub fn log_scalar(
        &self,
        entity_path: &str,
        scalar: f64,
        args: ScalarArgs,
    ) -> RecordingResult<()> {
        let mut s = Scalar::new(scalar);
        if let Some(v) = args.label {
            s = s.with_label([v]);
        }
        if let Some(v) = args.color {
            s = s.with_color([v]);
        }
        if let Some(v) = args.radius {
            s = s.with_radius([v]);
        }
        if let Some(v) = args.scattered {
            s = s.with_scattered([v]);
        }
        let extras = Extras {
            timeless: false,
            ext: args.ext,
        };
        self.log_checked(entity_path, Ok(s), extras)
    }

    /// `log_text_entry`: one text log entry (level default INFO).
    pub fn log_text_entry(
        &self,
        entity_path: &str,
        text: &str,
        level: Option<&str>,
        color: Option<Color>,
        extras: Extras,
    ) -> RecordingResult<()> {
        let mut entry = TextLog::new(text).with_level(level.unwrap_or(TextLogLevel::INFO));
        if let Some(c) = color {
            entry = entry.with_color(c);
        }
        self.log_checked(entity_path, Ok(entry), extras)
    }

    /// `log_transform3d`: a transform to the parent space (or from it, with `from_parent`).
    pub fn log_transform3d(
        &self,
        entity_path: &str,
        transform: Transform3D,
        from_parent: bool,
        extras: Extras,
    ) -> RecordingResult<()> {
        let t = if from_parent {
            transform.from_parent()
        } else {
            transform
        };
        self.log_checked(entity_path, Ok(t), extras)
    }

    /// `log_pinhole`: a pinhole camera.
    pub fn log_pinhole(&self, entity_path: &str, args: PinholeArgs) -> RecordingResult<()> {
        let camera = match args.child_from_parent {
            Some(rows) => Pinhole::new([reel_types::components::PinholeProjection(
                reel_types::components::Mat3x3::from_rows(rows).0,
            )]),
            None => Pinhole::from_focal_length(
                args.focal_length_px,
                args.principal_point_px
                    .unwrap_or([args.width / 2.0, args.height / 2.0]),
            ),
        }
        .with_resolutions([[args.width, args.height]]);
        let result = camera.validate().and_then(|()| match &args.camera_xyz {
            Some(code) => {
                ViewCoordinates::from_str_code(code).map(|v| camera.with_camera_xyzs([v]))
            }
            None => Ok(camera),
        });
        let extras = Extras {
            timeless: args.timeless,
            ext: Vec::new(),
        };
        self.log_checked(entity_path, result, extras)
    }

    /// `log_view_coordinates`: the meaning of this space's axes, from a code like "RDF"
    /// (`xyz`), or from an `up` axis ("+Z", "-Y", ...) with handedness.
    pub fn log_view_coordinates(
        &self,
        entity_path: &str,
        xyz: &str,
        up: &str,
        right_handed: Option<bool>,
        timeless: bool,
    ) -> RecordingResult<()> {
        let code = if !xyz.is_empty() {
            Ok(xyz.to_owned())
        } else {
            up_to_code(up, right_handed.unwrap_or(true))
        };
        let result = code.and_then(|c| archetypes::ViewCoordinates::from_code(&c));
        self.log_checked(
            entity_path,
            result,
            Extras {
                timeless,
                ext: Vec::new(),
            },
        )
    }

    /// `log_disconnected_space`: cuts this entity's space off from its parent's.
    pub fn log_disconnected_space(&self, entity_path: &str, extras: Extras) -> RecordingResult<()> {
        self.log_checked(entity_path, Ok(DisconnectedSpace::new()), extras)
    }

    /// `log_annotation_context`: what class and keypoint ids mean (timeless by default in
    /// the reference: pass `timeless = true`).
    pub fn log_annotation_context(
        &self,
        entity_path: &str,
        class_descriptions: Vec<ClassDescription>,
        timeless: bool,
    ) -> RecordingResult<()> {
        let extras = Extras {
            timeless,
            ext: Vec::new(),
        };
        self.log_checked(
            entity_path,
            Ok(AnnotationContext::new(class_descriptions)),
            extras,
        )
    }

    /// `log_cleared`: clears the entity (and, if `recursive`, everything below).
    pub fn log_cleared(&self, entity_path: &str, recursive: bool) -> RecordingResult<()> {
        self.log_checked(entity_path, Ok(Clear::new(recursive)), Extras::default())
    }

    /// `log_extension_components`: user components of any name and Arrow type, with
    /// optional instance ids.
    pub fn log_extension_components(
        &self,
        entity_path: &str,
        ext: Vec<ComponentBatch>,
        identifiers: Option<Vec<u64>>,
        timeless: bool,
    ) -> RecordingResult<()> {
        let mut batches = ext;
        batches.extend(identifiers.map(archetypes::batch::<reel_types::components::InstanceKey>));
        let extras = Extras {
            timeless,
            ext: Vec::new(),
        };
        self.log_batches(entity_path, batches, extras, true)
    }
}

/// A view-coordinates code for a world whose `up` is e.g. "+Z" or "-Y".
pub fn up_to_code(up: &str, right_handed: bool) -> Result<String, ValidationError> {
    let code = match (up.trim().to_ascii_uppercase().as_str(), right_handed) {
        ("+X", true) => "UFL",
        ("+X", false) => "UFR",
        ("-X", true) => "DFR",
        ("-X", false) => "DFL",
        ("+Y", true) => "RUB",
        ("+Y", false) => "RUF",
        ("-Y", true) => "RDF",
        ("-Y", false) => "RDB",
        ("+Z", true) => "RFU",
        ("+Z", false) => "LFU",
        ("-Z", true) => "RBD",
        ("-Z", false) => "LBD",
        _ => return Err(ValidationError::ViewCoordinates(format!("up={up:?}"))),
    };
    Ok(code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_axes_map_to_codes_of_the_right_handedness() {
        for up in ["+X", "-X", "+Y", "-Y", "+Z", "-Z"] {
            for rh in [true, false] {
                let code = up_to_code(up, rh).expect("valid");
                let v = ViewCoordinates::from_str_code(&code).expect("valid code");
                assert_eq!(v.is_right_handed(), rh, "{up} {rh} -> {code}");
            }
        }
        assert!(up_to_code("sideways", true).is_err());
    }
}
