//! Built-in components: one value per instance, each with a stable name and Arrow type.

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, FixedSizeListArray, Float32Array, Float64Array, StringArray, UInt32Array,
};
use arrow_schema::{DataType, Field};
use reel_core::{Component, DeserializationError};

fn wrong_type<C: Component>(found: &DataType) -> DeserializationError {
    DeserializationError::WrongDatatype {
        component: C::NAME.to_owned(),
        expected: C::arrow_datatype(),
        found: found.clone(),
    }
}

fn no_nulls<C: Component>(array: &dyn Array) -> Result<(), DeserializationError> {
    let Some(nulls) = array.logical_nulls().filter(|n| n.null_count() > 0) else {
        return Ok(());
    };
    let index = (0..nulls.len()).find(|&i| nulls.is_null(i)).unwrap_or(0);
    Err(DeserializationError::UnexpectedNull {
        component: C::NAME.to_owned(),
        index,
    })
}

/// Defines a component that is a newtype over one Arrow primitive.
macro_rules! primitive_component {
    ($(#[$doc:meta])* $name:ident($inner:ty), $arrow:ident, $dt:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Default)]
        pub struct $name(pub $inner);

        impl From<$inner> for $name {
            fn from(v: $inner) -> Self {
                Self(v)
            }
        }

        impl Component for $name {
            const NAME: &'static str = concat!("reel.components.", stringify!($name));

            fn arrow_datatype() -> DataType {
                $dt
            }

            fn to_arrow(data: &[Self]) -> ArrayRef {
                Arc::new($arrow::from_iter_values(data.iter().map(|v| v.0)))
            }

            fn from_arrow(array: &dyn Array) -> Result<Vec<Self>, DeserializationError> {
                let arr = array
                    .as_any()
                    .downcast_ref::<$arrow>()
                    .ok_or_else(|| wrong_type::<Self>(array.data_type()))?;
                no_nulls::<Self>(array)?;
                Ok(arr.values().iter().map(|v| Self(*v)).collect())
            }
        }
    };
}

primitive_component!(
    /// The radius of a point, or half the width of a line, in scene units.
    Radius(f32), Float32Array, DataType::Float32
);
primitive_component!(
    /// One scalar measurement, plotted over time.
    Scalar(f64), Float64Array, DataType::Float64
);
primitive_component!(
    /// An sRGB color with alpha, packed as `0xRRGGBBAA`.
    Color(u32), UInt32Array, DataType::UInt32
);

impl Color {
    /// A color from red, green, blue and alpha bytes.
    pub const fn from_rgba(r: u8, g: u8, b: u8, a: u8) -> Self {
        Self(u32::from_be_bytes([r, g, b, a]))
    }

    /// An opaque color from red, green and blue bytes.
    pub const fn from_rgb(r: u8, g: u8, b: u8) -> Self {
        Self::from_rgba(r, g, b, 255)
    }

    /// The color as `[r, g, b, a]` bytes.
    pub const fn to_rgba(&self) -> [u8; 4] {
        self.0.to_be_bytes()
    }
}

/// Defines a component that is `N` floats stored as `FixedSizeList<f32, N>`.
macro_rules! vector_component {
    ($(#[$doc:meta])* $name:ident, $n:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Default)]
        pub struct $name(pub [f32; $n]);

        impl From<[f32; $n]> for $name {
            fn from(v: [f32; $n]) -> Self {
                Self(v)
            }
        }

        impl Component for $name {
            const NAME: &'static str = concat!("reel.components.", stringify!($name));

            fn arrow_datatype() -> DataType {
                DataType::FixedSizeList(Arc::new(Field::new("item", DataType::Float32, false)), $n)
            }

            fn to_arrow(data: &[Self]) -> ArrayRef {
                let values = Float32Array::from_iter_values(data.iter().flat_map(|v| v.0));
                let field = Arc::new(Field::new("item", DataType::Float32, false));
                Arc::new(FixedSizeListArray::new(field, $n, Arc::new(values), None))
            }

            fn from_arrow(array: &dyn Array) -> Result<Vec<Self>, DeserializationError> {
                let list = array
                    .as_any()
                    .downcast_ref::<FixedSizeListArray>()
                    .filter(|l| l.value_length() == $n)
                    .ok_or_else(|| wrong_type::<Self>(array.data_type()))?;
                no_nulls::<Self>(array)?;
                let values = list
                    .values()
                    .as_any()
                    .downcast_ref::<Float32Array>()
                    .ok_or_else(|| wrong_type::<Self>(array.data_type()))?;
                no_nulls::<Self>(values)?;
                let start = list.offset() * $n;
                let flat = &values.values()[start..start + list.len() * $n];
                Ok(flat
                    .chunks_exact($n)
                    .map(|c| {
                        let mut v = [0.0; $n];
                        v.copy_from_slice(c);
                        Self(v)
                    })
                    .collect())
            }
        }
    };
}

vector_component!(
    /// A position in 3D space.
    Position3D, 3
);
vector_component!(
    /// A position in 2D space.
    Position2D, 2
);

/// A piece of UTF-8 text: a label or a log message.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl Component for Text {
    const NAME: &'static str = "reel.components.Text";

    fn arrow_datatype() -> DataType {
        DataType::Utf8
    }

    fn to_arrow(data: &[Self]) -> ArrayRef {
        Arc::new(StringArray::from_iter_values(
            data.iter().map(|t| t.0.as_str()),
        ))
    }

    fn from_arrow(array: &dyn Array) -> Result<Vec<Self>, DeserializationError> {
        let arr = array
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| wrong_type::<Self>(array.data_type()))?;
        no_nulls::<Self>(array)?;
        Ok(arr
            .iter()
            .map(|s| Self(s.unwrap_or_default().to_owned()))
            .collect())
    }
}

/// The severity of a [`crate::archetypes::TextLog`] entry ("INFO", "WARN", ...).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TextLogLevel(pub String);

impl TextLogLevel {
    /// Critical failures.
    pub const CRITICAL: &'static str = "CRITICAL";
    /// Errors.
    pub const ERROR: &'static str = "ERROR";
    /// Warnings.
    pub const WARN: &'static str = "WARN";
    /// Information.
    pub const INFO: &'static str = "INFO";
    /// Debugging detail.
    pub const DEBUG: &'static str = "DEBUG";
    /// Fine-grained tracing.
    pub const TRACE: &'static str = "TRACE";
}

impl From<&str> for TextLogLevel {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl Component for TextLogLevel {
    const NAME: &'static str = "reel.components.TextLogLevel";

    fn arrow_datatype() -> DataType {
        DataType::Utf8
    }

    fn to_arrow(data: &[Self]) -> ArrayRef {
        Arc::new(StringArray::from_iter_values(
            data.iter().map(|t| t.0.as_str()),
        ))
    }

    fn from_arrow(array: &dyn Array) -> Result<Vec<Self>, DeserializationError> {
        Text::from_arrow(array)
            .map(|v| v.into_iter().map(|t| Self(t.0)).collect())
            .map_err(|e| match e {
                DeserializationError::WrongDatatype {
                    expected, found, ..
                } => DeserializationError::WrongDatatype {
                    component: Self::NAME.to_owned(),
                    expected,
                    found,
                },
                other => other,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<C: Component + PartialEq + std::fmt::Debug>(values: Vec<C>) {
        let array = C::to_arrow(&values);
        assert_eq!(array.data_type(), &C::arrow_datatype());
        assert_eq!(C::from_arrow(array.as_ref()).expect("read back"), values);
        // Slices read back too (chunks hand out zero-copy slices).
        if values.len() > 1 {
            let sliced = array.slice(1, values.len() - 1);
            assert_eq!(C::from_arrow(sliced.as_ref()).expect("slice"), values[1..]);
        }
    }

    #[test]
    fn components_round_trip() {
        round_trip(vec![
            Position3D([1.0, 2.0, 3.0]),
            Position3D([4.0, 5.0, 6.0]),
        ]);
        round_trip(vec![Position2D([1.0, 2.0]), Position2D([-1.0, 0.5])]);
        round_trip(vec![
            Color::from_rgb(255, 0, 0),
            Color::from_rgba(1, 2, 3, 4),
        ]);
        round_trip(vec![Radius(0.5), Radius(1.5)]);
        round_trip(vec![Scalar(1.0), Scalar(f64::MAX)]);
        round_trip(vec![Text::from("héllo"), Text::from("")]);
        round_trip(vec![TextLogLevel::from(TextLogLevel::WARN)]);
    }

    #[test]
    fn wrong_types_and_nulls_are_errors() {
        let e = Position3D::from_arrow(&Float32Array::from(vec![1.0])).expect_err("wrong type");
        assert!(
            matches!(e, DeserializationError::WrongDatatype { .. }),
            "{e}"
        );
        let e = Radius::from_arrow(&Float32Array::from(vec![Some(1.0), None])).expect_err("null");
        assert_eq!(
            e,
            DeserializationError::UnexpectedNull {
                component: Radius::NAME.into(),
                index: 1
            }
        );
        assert_eq!(Color::from_rgb(1, 2, 3).to_rgba(), [1, 2, 3, 255]);
    }
}
