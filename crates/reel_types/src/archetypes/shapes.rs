//! Boxes, line strips, line segments and arrows.

use crate::components::{
    ClassId, Color, DrawOrder, HalfSizes2D, HalfSizes3D, InstanceKey, LineStrip2D, LineStrip3D,
    Position2D, Position3D, Radius, RotationQuat, Text, Vector3D,
};

use super::{archetype, batch};

archetype! {
    /// Axis-aligned 2D boxes, given by half sizes and (optionally) centers.
    Boxes2D new {
        required half_sizes: HalfSizes2D;
        optional centers: Position2D => with_centers;
        optional colors: Color => with_colors;
        optional radii: Radius => with_radii;
        optional labels: Text => with_labels;
        optional draw_order: DrawOrder => with_draw_order;
        optional class_ids: ClassId => with_class_ids;
        optional instance_keys: InstanceKey => with_instance_keys;
    }
}

/// How the four numbers of a rectangle are laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RectFormat {
    /// `[x, y, width, height]`, `x, y` the corner with the smallest coordinates.
    #[default]
    XYWH,
    /// `[y, x, height, width]`.
    YXHW,
    /// `[x0, y0, x1, y1]`: two opposite corners.
    XYXY,
    /// `[y0, x0, y1, x1]`.
    YXYX,
    /// `[center_x, center_y, width, height]`.
    XCYCWH,
    /// `[center_x, center_y, width/2, height/2]`.
    XCYCW2H2,
}

impl RectFormat {
    /// The center and half size of `rect`.
    pub fn to_center_half_size(self, r: [f32; 4]) -> ([f32; 2], [f32; 2]) {
        let corners = |x0: f32, y0: f32, x1: f32, y1: f32| {
            (
                [(x0 + x1) / 2.0, (y0 + y1) / 2.0],
                [(x1 - x0).abs() / 2.0, (y1 - y0).abs() / 2.0],
            )
        };
        match self {
            Self::XYWH => corners(r[0], r[1], r[0] + r[2], r[1] + r[3]),
            Self::YXHW => corners(r[1], r[0], r[1] + r[3], r[0] + r[2]),
            Self::XYXY => corners(r[0], r[1], r[2], r[3]),
            Self::YXYX => corners(r[1], r[0], r[3], r[2]),
            Self::XCYCWH => ([r[0], r[1]], [r[2].abs() / 2.0, r[3].abs() / 2.0]),
            Self::XCYCW2H2 => ([r[0], r[1]], [r[2].abs(), r[3].abs()]),
        }
    }
}

impl Boxes2D {
    /// Boxes from rectangles in `format`.
    pub fn from_rects(rects: impl IntoIterator<Item = [f32; 4]>, format: RectFormat) -> Self {
        let (centers, half_sizes): (Vec<[f32; 2]>, Vec<[f32; 2]>) = rects
            .into_iter()
            .map(|r| format.to_center_half_size(r))
            .unzip();
        Self::new(half_sizes).with_centers(centers)
    }
}

archetype! {
    /// Oriented 3D boxes, given by half sizes and optional centers and rotations.
    Boxes3D new {
        required half_sizes: HalfSizes3D;
        optional centers: Position3D => with_centers;
        optional rotations: RotationQuat => with_rotations;
        optional colors: Color => with_colors;
        optional radii: Radius => with_radii;
        optional labels: Text => with_labels;
        optional class_ids: ClassId => with_class_ids;
        optional instance_keys: InstanceKey => with_instance_keys;
    }
}

archetype! {
    /// Polylines in 2D.
    LineStrips2D new {
        required strips: LineStrip2D;
        optional radii: Radius => with_radii;
        optional colors: Color => with_colors;
        optional labels: Text => with_labels;
        optional draw_order: DrawOrder => with_draw_order;
        optional class_ids: ClassId => with_class_ids;
        optional instance_keys: InstanceKey => with_instance_keys;
    }
}

archetype! {
    /// Polylines in 3D.
    LineStrips3D new {
        required strips: LineStrip3D;
        optional radii: Radius => with_radii;
        optional colors: Color => with_colors;
        optional labels: Text => with_labels;
        optional class_ids: ClassId => with_class_ids;
        optional instance_keys: InstanceKey => with_instance_keys;
    }
}

archetype! {
    /// Independent line segments in 3D, each a pair of points.
    LineSegments3D {
        required segments: LineStrip3D;
        optional radii: Radius => with_radii;
        optional colors: Color => with_colors;
    }
}

impl LineSegments3D {
    /// Segments from point pairs.
    pub fn new(pairs: impl IntoIterator<Item = [[f32; 3]; 2]>) -> Self {
        Self::from_required(batch::<LineStrip3D>(
            pairs.into_iter().map(|p| LineStrip3D(p.to_vec())),
        ))
    }

    /// Segments from a flat list of points: 0–1, 2–3, ... (an odd last point is an error).
    pub fn from_points(points: &[[f32; 3]]) -> Result<Self, crate::ValidationError> {
        if !points.len().is_multiple_of(2) {
            return Err(crate::ValidationError::Shape(format!(
                "line segments need an even number of points, got {}",
                points.len()
            )));
        }
        Ok(Self::new(points.chunks_exact(2).map(|c| [c[0], c[1]])))
    }
}

archetype! {
    /// Arrows in 3D: vectors drawn from origins.
    Arrows3D new {
        required vectors: Vector3D;
        optional origins: Position3D => with_origins;
        optional radii: Radius => with_radii;
        optional colors: Color => with_colors;
        optional labels: Text => with_labels;
        optional class_ids: ClassId => with_class_ids;
        optional instance_keys: InstanceKey => with_instance_keys;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archetypes::test_util::values;

    #[test]
    fn rect_formats_agree() {
        // One rectangle from x=1..5, y=2..8 in every format.
        let cases = [
            (RectFormat::XYWH, [1.0, 2.0, 4.0, 6.0]),
            (RectFormat::YXHW, [2.0, 1.0, 6.0, 4.0]),
            (RectFormat::XYXY, [1.0, 2.0, 5.0, 8.0]),
            (RectFormat::XYXY, [5.0, 8.0, 1.0, 2.0]),
            (RectFormat::YXYX, [2.0, 1.0, 8.0, 5.0]),
            (RectFormat::XCYCWH, [3.0, 5.0, 4.0, 6.0]),
            (RectFormat::XCYCW2H2, [3.0, 5.0, 2.0, 3.0]),
        ];
        for (format, rect) in cases {
            let b = Boxes2D::from_rects([rect], format);
            assert_eq!(
                values::<Position2D>(&b),
                [Position2D([3.0, 5.0])],
                "{format:?}"
            );
            assert_eq!(
                values::<HalfSizes2D>(&b),
                [HalfSizes2D([2.0, 3.0])],
                "{format:?}"
            );
        }
    }

    #[test]
    fn lines_segments_arrows_boxes() {
        let s =
            LineSegments3D::from_points(&[[0.0; 3], [1.0; 3], [2.0; 3], [3.0; 3]]).expect("even");
        assert_eq!(
            values::<LineStrip3D>(&s),
            [
                LineStrip3D(vec![[0.0; 3], [1.0; 3]]),
                LineStrip3D(vec![[2.0; 3], [3.0; 3]])
            ]
        );
        assert!(LineSegments3D::from_points(&[[0.0; 3]]).is_err());
        let strips =
            LineStrips3D::new([LineStrip3D(vec![[0.0; 3], [1.0; 3], [2.0; 3]])]).with_radii([0.1]);
        assert_eq!(values::<LineStrip3D>(&strips)[0].0.len(), 3);
        let strips2 = LineStrips2D::new([vec![[0.0, 0.0], [1.0, 1.0]]]);
        assert_eq!(values::<LineStrip2D>(&strips2)[0].0.len(), 2);
        let arrows = Arrows3D::new([[0.0, 0.0, 1.0]]).with_origins([[1.0, 1.0, 1.0]]);
        assert_eq!(values::<Vector3D>(&arrows), [Vector3D([0.0, 0.0, 1.0])]);
        let boxes = Boxes3D::new([[1.0, 2.0, 3.0]]).with_rotations([RotationQuat::IDENTITY]);
        assert_eq!(values::<RotationQuat>(&boxes), [RotationQuat::IDENTITY]);
    }
}
