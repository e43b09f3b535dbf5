//! Built-in components: one value per instance, each with a stable name
//! (`reel.components.*`) and Arrow type.
//!
//! - [`geometry`]: positions, vectors, sizes, rotations, matrices, line strips, mesh data.
//! - [`appearance`]: colors, radii, draw order.
//! - [`ids`]: class, keypoint and instance ids.
//! - [`text`]: text, log levels, media types.
//! - [`tensor`]: tensors, encoded blobs, depth scale, scalars.
//! - [`spatial`]: view coordinates, pinhole, transforms' relation, flags.
//! - [`annotation`]: class descriptions of an annotation context.

use reel_core::arrow_array::Array;
use reel_core::arrow_schema::DataType;
use reel_core::{Component, DeserializationError};

pub(crate) fn wrong_type<C: Component>(found: &DataType) -> DeserializationError {
    DeserializationError::WrongDatatype {
        component: C::NAME.to_owned(),
        expected: C::arrow_datatype(),
        found: found.clone(),
    }
}

pub(crate) fn invalid<C: Component>(reason: impl Into<String>) -> DeserializationError {
    DeserializationError::Invalid {
        component: C::NAME.to_owned(),
        reason: reason.into(),
    }
}

pub(crate) fn no_nulls<C: Component>(array: &dyn Array) -> Result<(), DeserializationError> {
    let Some(nulls) = array.logical_nulls().filter(|n| n.null_count() > 0) else {
        return Ok(());
    };
    let index = (0..nulls.len()).find(|&i| nulls.is_null(i)).unwrap_or(0);
    Err(DeserializationError::UnexpectedNull {
        component: C::NAME.to_owned(),
        index,
    })
}

/// The prologue of every struct-typed component's `from_arrow`: the array
/// must be a `StructArray` of exactly `C`'s type, with no null rows.
pub(crate) fn struct_array<C: Component>(
    array: &dyn Array,
) -> Result<&reel_core::arrow_array::StructArray, DeserializationError> {
    let s = array
        .as_any()
        .downcast_ref::<reel_core::arrow_array::StructArray>()
        .filter(|s| s.data_type() == &C::arrow_datatype())
        .ok_or_else(|| wrong_type::<C>(array.data_type()))?;
    no_nulls::<C>(array)?;
    Ok(s)
}

/// `Component`'s plain methods for a `Pod` newtype whose Arrow form is its bytes.
macro_rules! plain_methods {
    ($name:ident) => {
        fn plain_datatype() -> Option<&'static reel_core::arrow_schema::DataType> {
            static DATATYPE: std::sync::LazyLock<reel_core::arrow_schema::DataType> =
                std::sync::LazyLock::new(<$name as reel_core::Component>::arrow_datatype);
            Some(&DATATYPE)
        }

        fn plain_bytes(data: &[Self]) -> Option<&[u8]> {
            Some(bytemuck::cast_slice(data))
        }
    };
}

pub(crate) use plain_methods;

/// A component that is a newtype over one Arrow primitive.
macro_rules! primitive_component {
    ($(#[$doc:meta])* $name:ident($inner:ty), $arrow:ty, $dt:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Default, bytemuck::Pod, bytemuck::Zeroable)]
        #[repr(transparent)]
        pub struct $name(pub $inner);

        impl From<$inner> for $name {
            fn from(v: $inner) -> Self {
                Self(v)
            }
        }

        impl reel_core::Component for $name {
            const NAME: &'static str = concat!("reel.components.", stringify!($name));

            fn arrow_datatype() -> reel_core::arrow_schema::DataType {
                $dt
            }

            fn to_arrow(data: &[Self]) -> reel_core::arrow_array::ArrayRef {
                std::sync::Arc::new(<$arrow>::from_iter_values(data.iter().map(|v| v.0)))
            }

            fn to_arrow_owned(data: Vec<Self>) -> reel_core::arrow_array::ArrayRef {
                // The newtype is transparent: its Vec is a Vec of the primitive (no copy).
                match bytemuck::allocation::try_cast_vec::<Self, $inner>(data) {
                    Ok(values) => std::sync::Arc::new(<$arrow>::new(values.into(), None)),
                    Err((_, data)) => Self::to_arrow(&data),
                }
            }

            fn from_arrow(
                array: &dyn reel_core::arrow_array::Array,
            ) -> Result<Vec<Self>, reel_core::DeserializationError> {
                let arr = array
                    .as_any()
                    .downcast_ref::<$arrow>()
                    .ok_or_else(|| $crate::components::wrong_type::<Self>(array.data_type()))?;
                $crate::components::no_nulls::<Self>(array)?;
                Ok(arr.values().iter().map(|v| Self(*v)).collect())
            }

            $crate::components::plain_methods!($name);
        }
    };
}

/// A component that is a newtype over `bool`.
macro_rules! bool_component {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
        pub struct $name(pub bool);

        impl From<bool> for $name {
            fn from(v: bool) -> Self {
                Self(v)
            }
        }

        impl reel_core::Component for $name {
            const NAME: &'static str = concat!("reel.components.", stringify!($name));

            fn arrow_datatype() -> reel_core::arrow_schema::DataType {
                reel_core::arrow_schema::DataType::Boolean
            }

            fn to_arrow(data: &[Self]) -> reel_core::arrow_array::ArrayRef {
                std::sync::Arc::new(reel_core::arrow_array::BooleanArray::from(
                    data.iter().map(|v| v.0).collect::<Vec<_>>(),
                ))
            }

            fn from_arrow(
                array: &dyn reel_core::arrow_array::Array,
            ) -> Result<Vec<Self>, reel_core::DeserializationError> {
                let arr = array
                    .as_any()
                    .downcast_ref::<reel_core::arrow_array::BooleanArray>()
                    .ok_or_else(|| $crate::components::wrong_type::<Self>(array.data_type()))?;
                $crate::components::no_nulls::<Self>(array)?;
                Ok(arr.values().iter().map(Self).collect())
            }
        }
    };
}

/// A component of `N` numbers stored as `FixedSizeList<T, N>`.
macro_rules! fixed_list_component {
    ($(#[$doc:meta])* $name:ident([$elem:ty; $n:literal]), $values:ty, $elem_dt:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Default, bytemuck::Pod, bytemuck::Zeroable)]
        #[repr(transparent)]
        pub struct $name(pub [$elem; $n]);

        impl From<[$elem; $n]> for $name {
            fn from(v: [$elem; $n]) -> Self {
                Self(v)
            }
        }

        impl reel_core::Component for $name {
            const NAME: &'static str = concat!("reel.components.", stringify!($name));

            fn arrow_datatype() -> reel_core::arrow_schema::DataType {
                reel_core::arrow_schema::DataType::FixedSizeList(
                    std::sync::Arc::new(reel_core::arrow_schema::Field::new("item", $elem_dt, false)),
                    $n,
                )
            }

            fn to_arrow(data: &[Self]) -> reel_core::arrow_array::ArrayRef {
                let values = <$values>::from_iter_values(data.iter().flat_map(|v| v.0));
                let field = std::sync::Arc::new(reel_core::arrow_schema::Field::new("item", $elem_dt, false));
                std::sync::Arc::new(reel_core::arrow_array::FixedSizeListArray::new(
                    field,
                    $n,
                    std::sync::Arc::new(values),
                    None,
                ))
            }

            fn to_arrow_owned(data: Vec<Self>) -> reel_core::arrow_array::ArrayRef {
                // `[T; N]` newtypes are transparent: the Vec becomes N times as many T (no copy).
                match bytemuck::allocation::try_cast_vec::<Self, $elem>(data) {
                    Ok(flat) => {
                        let field = std::sync::Arc::new(reel_core::arrow_schema::Field::new("item", $elem_dt, false));
                        std::sync::Arc::new(reel_core::arrow_array::FixedSizeListArray::new(
                            field,
                            $n,
                            std::sync::Arc::new(<$values>::new(flat.into(), None)),
                            None,
                        ))
                    }
                    Err((_, data)) => Self::to_arrow(&data),
                }
            }

            fn from_arrow(
                array: &dyn reel_core::arrow_array::Array,
            ) -> Result<Vec<Self>, reel_core::DeserializationError> {
                let list = array
                    .as_any()
                    .downcast_ref::<reel_core::arrow_array::FixedSizeListArray>()
                    .filter(|l| l.value_length() == $n)
                    .ok_or_else(|| $crate::components::wrong_type::<Self>(array.data_type()))?;
                $crate::components::no_nulls::<Self>(array)?;
                let values = list
                    .values()
                    .as_any()
                    .downcast_ref::<$values>()
                    .ok_or_else(|| $crate::components::wrong_type::<Self>(array.data_type()))?;
                $crate::components::no_nulls::<Self>(values)?;
                use reel_core::arrow_array::Array as _;
                let start = list.offset() * $n;
                let flat = &values.values()[start..start + list.len() * $n];
                Ok(flat
                    .chunks_exact($n)
                    .map(|c| {
                        let mut v = [<$elem>::default(); $n];
                        v.copy_from_slice(c);
                        Self(v)
                    })
                    .collect())
            }

            $crate::components::plain_methods!($name);
        }
    };
}

/// A component that is a newtype over `String`, stored as `Utf8`.
macro_rules! string_component {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Default, Hash)]
        pub struct $name(pub String);

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl reel_core::Component for $name {
            const NAME: &'static str = concat!("reel.components.", stringify!($name));

            fn arrow_datatype() -> reel_core::arrow_schema::DataType {
                reel_core::arrow_schema::DataType::Utf8
            }

            fn to_arrow(data: &[Self]) -> reel_core::arrow_array::ArrayRef {
                std::sync::Arc::new(reel_core::arrow_array::StringArray::from_iter_values(
                    data.iter().map(|t| t.0.as_str()),
                ))
            }

            fn from_arrow(
                array: &dyn reel_core::arrow_array::Array,
            ) -> Result<Vec<Self>, reel_core::DeserializationError> {
                let arr = array
                    .as_any()
                    .downcast_ref::<reel_core::arrow_array::StringArray>()
                    .ok_or_else(|| $crate::components::wrong_type::<Self>(array.data_type()))?;
                $crate::components::no_nulls::<Self>(array)?;
                Ok(arr.iter().map(|s| Self(s.unwrap_or_default().to_owned())).collect())
            }
        }
    };
}

pub mod annotation;
pub mod appearance;
pub mod geometry;
pub mod ids;
pub mod spatial;
pub mod tensor;
pub mod text;

pub use annotation::{AnnotationInfo, ClassDescription};
pub use appearance::{AlbedoFactor, Color, DrawOrder, Radius};
pub use geometry::{
    HalfSizes2D, HalfSizes3D, LineStrip2D, LineStrip3D, Mat3x3, Mat4x4, Normal3D, Position2D,
    Position3D, RotationAxisAngle, RotationQuat, Scale3D, TexCoord2D, Translation3D,
    TriangleIndices, Vector2D, Vector3D,
};
pub use ids::{ClassId, InstanceKey, KeypointId};
pub use spatial::{
    ClearIsRecursive, DisconnectedSpace, PinholeProjection, Resolution, TransformFromParent,
    ViewCoordinates,
};
pub use tensor::{
    Blob, DepthMeter, Scalar, ScalarScattered, TensorBuffer, TensorData, TensorDataType,
};
pub use text::{MediaType, Text, TextLogLevel};

#[cfg(test)]
pub(crate) mod test_util {
    use reel_core::arrow_array::Array;
    use reel_core::Component;

    /// Serializes, checks the type, reads back, and reads back a slice (as chunks hand out).
    pub fn round_trip<C: Component + PartialEq + std::fmt::Debug + Clone>(values: Vec<C>) {
        let owned = C::to_arrow_owned(values.clone());
        assert_eq!(
            owned.data_type(),
            &C::arrow_datatype(),
            "{} (owned)",
            C::NAME
        );
        assert_eq!(
            C::from_arrow(owned.as_ref()).expect("owned"),
            values,
            "{} (owned)",
            C::NAME
        );
        let array = C::to_arrow(&values);
        assert_eq!(array.data_type(), &C::arrow_datatype(), "{}", C::NAME);
        assert_eq!(
            C::from_arrow(array.as_ref()).expect("read back"),
            values,
            "{}",
            C::NAME
        );
        // A batch of one value: plain components keep it as bytes, whose Arrow form must
        // be the one the component makes.
        if let Some(first) = values.first() {
            let one = reel_core::ComponentBatch::from_component(std::slice::from_ref(first));
            let expected = C::to_arrow(std::slice::from_ref(first));
            assert_eq!(one.datatype(), &C::arrow_datatype(), "{} (one)", C::NAME);
            assert_eq!(one.len(), 1);
            assert_eq!(
                one.array().to_data(),
                expected.to_data(),
                "{} (one)",
                C::NAME
            );
            assert_eq!(
                one,
                reel_core::ComponentBatch::new(C::name(), expected),
                "{}",
                C::NAME
            );
            if let Some(dt) = C::plain_datatype() {
                assert_eq!(dt, &C::arrow_datatype(), "{}", C::NAME);
                let width = reel_core::plain_width(dt).expect("a plain type");
                assert_eq!(one.plain_bytes().is_some(), width <= 16, "{}", C::NAME);
            }
        }
        if values.len() > 1 {
            let sliced = array.slice(1, values.len() - 1);
            assert_eq!(
                C::from_arrow(sliced.as_ref()).expect("slice"),
                values[1..],
                "{}",
                C::NAME
            );
        }
    }
}

/// The Arrow type of the built-in component `name`, or `None` for a user component.
/// Entry points that accept arrays from outside (the Python package) use this to refuse a
/// built-in component of the wrong type before it reaches a recording.
pub fn builtin_datatype(name: &str) -> Option<DataType> {
    macro_rules! lookup {
        ($($c:ty),* $(,)?) => {
            $( if name == <$c as Component>::NAME { return Some(<$c as Component>::arrow_datatype()); } )*
        };
    }
    lookup!(
        Position2D,
        Position3D,
        Vector2D,
        Vector3D,
        HalfSizes2D,
        HalfSizes3D,
        Normal3D,
        TexCoord2D,
        Translation3D,
        Scale3D,
        RotationQuat,
        RotationAxisAngle,
        Mat3x3,
        Mat4x4,
        TriangleIndices,
        LineStrip2D,
        LineStrip3D,
        Color,
        Radius,
        DrawOrder,
        AlbedoFactor,
        ClassId,
        KeypointId,
        InstanceKey,
        Text,
        TextLogLevel,
        MediaType,
        Scalar,
        ScalarScattered,
        DepthMeter,
        Blob,
        TensorData,
        ViewCoordinates,
        PinholeProjection,
        Resolution,
        TransformFromParent,
        DisconnectedSpace,
        ClearIsRecursive,
        ClassDescription,
    );
    None
}

#[cfg(test)]
mod registry_tests {
    use super::*;

    #[test]
    fn builtin_types_are_known_and_user_ones_are_not() {
        assert_eq!(
            builtin_datatype(Position3D::NAME),
            Some(Position3D::arrow_datatype())
        );
        assert_eq!(
            builtin_datatype(TensorData::NAME),
            Some(TensorData::arrow_datatype())
        );
        assert_eq!(builtin_datatype("my.Temperature"), None);
    }
}
