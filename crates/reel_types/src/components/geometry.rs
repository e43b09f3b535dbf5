//! Geometry: positions, vectors, sizes, rotations, matrices, line strips and mesh data.

use std::sync::Arc;

use reel_core::arrow_array::{
    Array, ArrayRef, FixedSizeListArray, Float32Array, ListArray, StructArray, UInt32Array,
};
use reel_core::arrow_buffer::OffsetBuffer;
use reel_core::arrow_schema::{DataType, Field, Fields};
use reel_core::{Component, DeserializationError};

use super::{invalid, no_nulls, struct_array, wrong_type};

fixed_list_component!(
    /// A position in 2D space.
    Position2D([f32; 2]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// A position in 3D space.
    Position3D([f32; 3]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// A 2D vector (e.g. an arrow's direction and length).
    Vector2D([f32; 2]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// A 3D vector (e.g. an arrow's direction and length).
    Vector3D([f32; 3]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// Half the width and height of a 2D box.
    HalfSizes2D([f32; 2]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// Half the extents of a 3D box along its local axes.
    HalfSizes3D([f32; 3]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// A surface normal of a mesh vertex.
    Normal3D([f32; 3]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// A texture coordinate of a mesh vertex.
    TexCoord2D([f32; 2]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// A translation in 3D.
    Translation3D([f32; 3]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// A per-axis scale in 3D.
    Scale3D([f32; 3]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// A rotation as a unit quaternion `[x, y, z, w]`.
    RotationQuat([f32; 4]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// A 3×3 matrix, column-major.
    Mat3x3([f32; 9]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// A 4×4 matrix, column-major.
    Mat4x4([f32; 16]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// The three vertex indices of one mesh triangle.
    TriangleIndices([u32; 3]), UInt32Array, DataType::UInt32
);

impl RotationQuat {
    /// The rotation that does nothing.
    pub const IDENTITY: Self = Self([0.0, 0.0, 0.0, 1.0]);
}

impl Mat3x3 {
    /// The identity matrix.
    pub const IDENTITY: Self = Self([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);

    /// A matrix from rows (as people write matrices).
    pub fn from_rows(rows: [[f32; 3]; 3]) -> Self {
        let mut m = [0.0; 9];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                m[c * 3 + r] = *v;
            }
        }
        Self(m)
    }

    /// The element at `row`, `col`.
    pub fn get(&self, row: usize, col: usize) -> f32 {
        self.0[col * 3 + row]
    }
}

/// A rotation by `angle` radians about `axis`.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct RotationAxisAngle {
    /// The axis (need not be normalized, must not be zero).
    pub axis: [f32; 3],
    /// The angle in radians.
    pub angle: f32,
}

fn float_list_field(n: i32) -> DataType {
    DataType::FixedSizeList(Arc::new(Field::new("item", DataType::Float32, false)), n)
}

fn float_list(values: Vec<f32>, n: i32) -> ArrayRef {
    let field = Arc::new(Field::new("item", DataType::Float32, false));
    Arc::new(FixedSizeListArray::new(
        field,
        n,
        Arc::new(Float32Array::from(values)),
        None,
    ))
}

impl Component for RotationAxisAngle {
    const NAME: &'static str = "reel.components.RotationAxisAngle";

    fn arrow_datatype() -> DataType {
        DataType::Struct(Fields::from(vec![
            Field::new("axis", float_list_field(3), false),
            Field::new("angle", DataType::Float32, false),
        ]))
    }

    fn to_arrow(data: &[Self]) -> ArrayRef {
        let axes = float_list(data.iter().flat_map(|r| r.axis).collect(), 3);
        let angles: ArrayRef =
            Arc::new(Float32Array::from_iter_values(data.iter().map(|r| r.angle)));
        let DataType::Struct(fields) = Self::arrow_datatype() else {
            unreachable!("a struct type")
        };
        Arc::new(StructArray::new(fields, vec![axes, angles], None))
    }

    fn from_arrow(array: &dyn Array) -> Result<Vec<Self>, DeserializationError> {
        let s = struct_array::<Self>(array)?;
        let axes = Vector3D::from_arrow(s.column(0).as_ref())
            .map_err(|e| invalid::<Self>(format!("axis: {e}")))?;
        let angles = s
            .column(1)
            .as_any()
            .downcast_ref::<Float32Array>()
            .ok_or_else(|| wrong_type::<Self>(array.data_type()))?;
        Ok(axes
            .into_iter()
            .zip(angles.values().iter())
            .map(|(axis, angle)| Self {
                axis: axis.0,
                angle: *angle,
            })
            .collect())
    }
}

/// Defines a line strip component: one polyline per instance, `List<FixedSizeList<f32, N>>`.
macro_rules! line_strip_component {
    ($(#[$doc:meta])* $name:ident, $point:ident, $n:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Default)]
        pub struct $name(pub Vec<[f32; $n]>);

        impl<P: Into<$point>> FromIterator<P> for $name {
            fn from_iter<I: IntoIterator<Item = P>>(iter: I) -> Self {
                Self(iter.into_iter().map(|p| p.into().0).collect())
            }
        }

        impl From<Vec<[f32; $n]>> for $name {
            fn from(points: Vec<[f32; $n]>) -> Self {
                Self(points)
            }
        }

        impl Component for $name {
            const NAME: &'static str = concat!("reel.components.", stringify!($name));

            fn arrow_datatype() -> DataType {
                DataType::List(Arc::new(Field::new("item", $point::arrow_datatype(), false)))
            }

            fn to_arrow(data: &[Self]) -> ArrayRef {
                let points = float_list(data.iter().flat_map(|s| s.0.iter().flatten().copied()).collect(), $n);
                let offsets = OffsetBuffer::from_lengths(data.iter().map(|s| s.0.len()));
                let field = Arc::new(Field::new("item", $point::arrow_datatype(), false));
                Arc::new(ListArray::new(field, offsets, points, None))
            }

            fn from_arrow(array: &dyn Array) -> Result<Vec<Self>, DeserializationError> {
                let list = array
                    .as_any()
                    .downcast_ref::<ListArray>()
                    .ok_or_else(|| wrong_type::<Self>(array.data_type()))?;
                no_nulls::<Self>(array)?;
                (0..list.len())
                    .map(|i| {
                        $point::from_arrow(list.value(i).as_ref())
                            .map(|pts| Self(pts.into_iter().map(|p| p.0).collect()))
                            .map_err(|e| invalid::<Self>(e.to_string()))
                    })
                    .collect()
            }
        }
    };
}

line_strip_component!(
    /// A polyline in 2D: its points in order.
    LineStrip2D, Position2D, 2
);
line_strip_component!(
    /// A polyline in 3D: its points in order.
    LineStrip3D, Position3D, 3
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::test_util::round_trip;

    #[test]
    fn geometry_round_trips() {
        round_trip(vec![Position2D([1.0, 2.0]), Position2D([-1.0, 0.5])]);
        round_trip(vec![
            Position3D([1.0, 2.0, 3.0]),
            Position3D([4.0, 5.0, 6.0]),
        ]);
        round_trip(vec![Vector3D([0.0, 0.0, 1.0]), Vector3D([1.0, 0.0, 0.0])]);
        round_trip(vec![HalfSizes2D([1.0, 2.0]), HalfSizes2D([3.0, 4.0])]);
        round_trip(vec![HalfSizes3D([1.0, 2.0, 3.0])]);
        round_trip(vec![
            RotationQuat::IDENTITY,
            RotationQuat([0.0, 0.0, 1.0, 0.0]),
        ]);
        round_trip(vec![
            Mat3x3::IDENTITY,
            Mat3x3::from_rows([[1.0, 2.0, 3.0]; 3]),
        ]);
        round_trip(vec![Mat4x4([0.5; 16])]);
        round_trip(vec![TriangleIndices([0, 1, 2]), TriangleIndices([2, 3, 0])]);
        round_trip(vec![
            RotationAxisAngle {
                axis: [0.0, 0.0, 1.0],
                angle: 1.5,
            },
            RotationAxisAngle {
                axis: [1.0, 0.0, 0.0],
                angle: -0.5,
            },
        ]);
        round_trip(vec![
            LineStrip3D(vec![[0.0; 3], [1.0; 3], [2.0; 3]]),
            LineStrip3D(vec![]),
            LineStrip3D(vec![[5.0, 6.0, 7.0]]),
        ]);
        round_trip(vec![
            LineStrip2D(vec![[0.0, 1.0], [2.0, 3.0]]),
            LineStrip2D(vec![[4.0, 5.0]]),
        ]);
        assert_eq!(
            Mat3x3::from_rows([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]).get(0, 2),
            3.0
        );
    }

    #[test]
    fn wrong_types_are_errors() {
        let e = Position3D::from_arrow(&Float32Array::from(vec![1.0])).expect_err("wrong type");
        assert!(
            matches!(e, DeserializationError::WrongDatatype { .. }),
            "{e}"
        );
        let e = LineStrip3D::from_arrow(Position2D::to_arrow(&[Position2D([0.0; 2])]).as_ref())
            .expect_err("wrong type");
        assert!(
            matches!(e, DeserializationError::WrongDatatype { .. }),
            "{e}"
        );
    }
}
