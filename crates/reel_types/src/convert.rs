//! Conversions from the math and array crates robotics and vision code already uses,
//! each behind a feature of the same name: `glam`, `nalgebra`, `ndarray`.

#[cfg(feature = "glam")]
mod glam_impls {
    use crate::components::{
        HalfSizes3D, Mat3x3, Mat4x4, Position2D, Position3D, RotationQuat, Scale3D, Translation3D,
        Vector2D, Vector3D,
    };

    macro_rules! from_vec {
        ($src:ty => $($dst:ty),*) => {$(
            impl From<$src> for $dst {
                fn from(v: $src) -> Self {
                    Self(v.to_array())
                }
            }
        )*};
    }

    from_vec!(glam::Vec2 => Position2D, Vector2D);
    from_vec!(glam::Vec3 => Position3D, Vector3D, Translation3D, Scale3D, HalfSizes3D);

    impl From<glam::Quat> for RotationQuat {
        fn from(q: glam::Quat) -> Self {
            Self(q.to_array())
        }
    }

    impl From<glam::Mat3> for Mat3x3 {
        fn from(m: glam::Mat3) -> Self {
            Self(m.to_cols_array())
        }
    }

    impl From<glam::Mat4> for Mat4x4 {
        fn from(m: glam::Mat4) -> Self {
            Self(m.to_cols_array())
        }
    }
}

#[cfg(feature = "nalgebra")]
mod nalgebra_impls {
    use crate::components::{
        Mat3x3, Mat4x4, Position2D, Position3D, RotationQuat, Vector2D, Vector3D,
    };

    impl From<nalgebra::Point3<f32>> for Position3D {
        fn from(p: nalgebra::Point3<f32>) -> Self {
            Self([p.x, p.y, p.z])
        }
    }

    impl From<nalgebra::Point2<f32>> for Position2D {
        fn from(p: nalgebra::Point2<f32>) -> Self {
            Self([p.x, p.y])
        }
    }

    impl From<nalgebra::Vector3<f32>> for Vector3D {
        fn from(v: nalgebra::Vector3<f32>) -> Self {
            Self([v.x, v.y, v.z])
        }
    }

    impl From<nalgebra::Vector3<f32>> for Position3D {
        fn from(v: nalgebra::Vector3<f32>) -> Self {
            Self([v.x, v.y, v.z])
        }
    }

    impl From<nalgebra::Vector2<f32>> for Vector2D {
        fn from(v: nalgebra::Vector2<f32>) -> Self {
            Self([v.x, v.y])
        }
    }

    impl From<nalgebra::UnitQuaternion<f32>> for RotationQuat {
        fn from(q: nalgebra::UnitQuaternion<f32>) -> Self {
            Self([q.i, q.j, q.k, q.w])
        }
    }

    impl From<nalgebra::Matrix3<f32>> for Mat3x3 {
        fn from(m: nalgebra::Matrix3<f32>) -> Self {
            let mut out = [0.0; 9];
            out.copy_from_slice(m.as_slice()); // nalgebra stores column-major too
            Self(out)
        }
    }

    impl From<nalgebra::Matrix4<f32>> for Mat4x4 {
        fn from(m: nalgebra::Matrix4<f32>) -> Self {
            let mut out = [0.0; 16];
            out.copy_from_slice(m.as_slice());
            Self(out)
        }
    }
}

#[cfg(feature = "ndarray")]
mod ndarray_impls {
    use crate::components::{TensorBuffer, TensorData};
    use crate::ValidationError;

    impl<T, D> TryFrom<ndarray::Array<T, D>> for TensorData
    where
        T: Clone,
        D: ndarray::Dimension,
        Vec<T>: Into<TensorBuffer>,
    {
        type Error = ValidationError;

        /// Takes the elements in logical (row-major) order, whatever the array's layout.
        fn try_from(a: ndarray::Array<T, D>) -> Result<Self, ValidationError> {
            let shape: Vec<u64> = a.shape().iter().map(|d| *d as u64).collect();
            let elements: Vec<T> = match a.as_slice() {
                Some(contiguous) => contiguous.to_vec(),
                None => a.iter().cloned().collect(),
            };
            TensorData::new(shape, elements)
        }
    }
}

#[cfg(all(test, feature = "glam", feature = "nalgebra", feature = "ndarray"))]
mod tests {
    use crate::components::*;

    #[test]
    fn glam_values_convert() {
        assert_eq!(
            Position3D::from(glam::Vec3::new(1.0, 2.0, 3.0)),
            Position3D([1.0, 2.0, 3.0])
        );
        assert_eq!(
            RotationQuat::from(glam::Quat::IDENTITY),
            RotationQuat::IDENTITY
        );
        let m = Mat3x3::from(glam::Mat3::from_cols_array(&[
            1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0,
        ]));
        assert_eq!(m.get(0, 1), 4.0, "column-major on both sides");
        let points = crate::archetypes::Points3D::new([glam::Vec3::ZERO, glam::Vec3::ONE]);
        assert_eq!(points.positions.len(), 2);
    }

    #[test]
    fn nalgebra_values_convert() {
        assert_eq!(
            Position3D::from(nalgebra::Point3::new(1.0f32, 2.0, 3.0)),
            Position3D([1.0, 2.0, 3.0])
        );
        let q = nalgebra::UnitQuaternion::<f32>::identity();
        assert_eq!(RotationQuat::from(q), RotationQuat::IDENTITY);
        let m = nalgebra::Matrix3::<f32>::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0);
        assert_eq!(Mat3x3::from(m).get(0, 1), 2.0, "row 0, column 1");
    }

    #[test]
    fn ndarray_arrays_become_tensors() {
        let a = ndarray::Array2::<u8>::from_shape_fn((2, 3), |(r, c)| (r * 3 + c) as u8);
        let t = TensorData::try_from(a.clone()).expect("tensor");
        assert_eq!(t.shape(), [2, 3]);
        assert_eq!(t.buffer(), &TensorBuffer::U8(vec![0, 1, 2, 3, 4, 5]));
        // A transposed (non-standard layout) view keeps logical order.
        let t = TensorData::try_from(a.reversed_axes()).expect("tensor");
        assert_eq!(t.shape(), [3, 2]);
        assert_eq!(t.buffer(), &TensorBuffer::U8(vec![0, 3, 1, 4, 2, 5]));
    }
}
