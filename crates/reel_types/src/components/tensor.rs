//! N-dimensional tensors (images are tensors too), encoded blobs, and scalars.

use std::sync::{Arc, LazyLock};

use reel_core::arrow_array::{
    Array, ArrayRef, Float32Array, Float64Array, LargeBinaryArray, ListArray, StringArray,
    StructArray, UInt64Array,
};
use reel_core::arrow_buffer::{Buffer, NullBuffer, OffsetBuffer};
use reel_core::arrow_schema::{DataType, Field, Fields};
use reel_core::{Component, DeserializationError};

use super::{invalid, no_nulls, struct_array, wrong_type};
use crate::ValidationError;

primitive_component!(
    /// One scalar measurement, plotted over time.
    Scalar(f64), Float64Array, DataType::Float64
);
primitive_component!(
    /// How many depth-image units make one meter (e.g. 1000 for millimeters).
    DepthMeter(f32), Float32Array, DataType::Float32
);
bool_component!(
    /// Whether a scalar series is drawn as separate points rather than a line.
    ScalarScattered
);

/// The element type of a tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorDataType {
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// `i8`
    I8,
    /// `i16`
    I16,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// IEEE half precision, stored as its bits.
    F16,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

impl TensorDataType {
    const ALL: [Self; 11] = [
        Self::U8,
        Self::U16,
        Self::U32,
        Self::U64,
        Self::I8,
        Self::I16,
        Self::I32,
        Self::I64,
        Self::F16,
        Self::F32,
        Self::F64,
    ];

    /// The name stored in Arrow (`"u8"`, `"f32"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::U8 => "u8",
            Self::U16 => "u16",
            Self::U32 => "u32",
            Self::U64 => "u64",
            Self::I8 => "i8",
            Self::I16 => "i16",
            Self::I32 => "i32",
            Self::I64 => "i64",
            Self::F16 => "f16",
            Self::F32 => "f32",
            Self::F64 => "f64",
        }
    }

    /// The type named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Self::U8 | Self::I8 => 1,
            Self::U16 | Self::I16 | Self::F16 => 2,
            Self::U32 | Self::I32 | Self::F32 => 4,
            Self::U64 | Self::I64 | Self::F64 => 8,
        }
    }

    /// Whether the type holds whole numbers.
    pub fn is_integer(self) -> bool {
        !matches!(self, Self::F16 | Self::F32 | Self::F64)
    }
}

/// A tensor's elements, in row-major order.
#[derive(Clone, Debug, PartialEq)]
pub enum TensorBuffer {
    /// `u8` elements.
    U8(Vec<u8>),
    /// `u16` elements.
    U16(Vec<u16>),
    /// `u32` elements.
    U32(Vec<u32>),
    /// `u64` elements.
    U64(Vec<u64>),
    /// `i8` elements.
    I8(Vec<i8>),
    /// `i16` elements.
    I16(Vec<i16>),
    /// `i32` elements.
    I32(Vec<i32>),
    /// `i64` elements.
    I64(Vec<i64>),
    /// Half-precision elements as their bits.
    F16(Vec<u16>),
    /// `f32` elements.
    F32(Vec<f32>),
    /// `f64` elements.
    F64(Vec<f64>),
}

/// Applies `$body` to the typed vector inside a `TensorBuffer`.
macro_rules! with_buffer {
    ($buf:expr, $v:ident => $body:expr) => {
        match $buf {
            TensorBuffer::U8($v) => $body,
            TensorBuffer::U16($v) => $body,
            TensorBuffer::U32($v) => $body,
            TensorBuffer::U64($v) => $body,
            TensorBuffer::I8($v) => $body,
            TensorBuffer::I16($v) => $body,
            TensorBuffer::I32($v) => $body,
            TensorBuffer::I64($v) => $body,
            TensorBuffer::F16($v) => $body,
            TensorBuffer::F32($v) => $body,
            TensorBuffer::F64($v) => $body,
        }
    };
}

impl TensorBuffer {
    /// The element type.
    pub fn dtype(&self) -> TensorDataType {
        match self {
            Self::U8(_) => TensorDataType::U8,
            Self::U16(_) => TensorDataType::U16,
            Self::U32(_) => TensorDataType::U32,
            Self::U64(_) => TensorDataType::U64,
            Self::I8(_) => TensorDataType::I8,
            Self::I16(_) => TensorDataType::I16,
            Self::I32(_) => TensorDataType::I32,
            Self::I64(_) => TensorDataType::I64,
            Self::F16(_) => TensorDataType::F16,
            Self::F32(_) => TensorDataType::F32,
            Self::F64(_) => TensorDataType::F64,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        with_buffer!(self, v => v.len())
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements as little-endian bytes in an Arrow buffer: on a little-endian machine
    /// the vector's own allocation, not a copy.
    pub fn into_le_buffer(self) -> Buffer {
        #[cfg(target_endian = "little")]
        {
            with_buffer!(self, v => Buffer::from_vec(v))
        }
        #[cfg(not(target_endian = "little"))]
        {
            Buffer::from_vec(self.to_le_bytes())
        }
    }

    /// The elements as little-endian bytes.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            Self::U8(v) => v.clone(),
            other => with_buffer!(other, v => v.iter().flat_map(|x| x.to_le_bytes()).collect()),
        }
    }

    /// Elements of `dtype` from little-endian bytes; `None` if the length does not fit.
    pub fn from_le_bytes(dtype: TensorDataType, bytes: &[u8]) -> Option<Self> {
        if !bytes.len().is_multiple_of(dtype.size()) {
            return None;
        }
        macro_rules! decode {
            ($t:ty) => {
                bytes
                    .chunks_exact(std::mem::size_of::<$t>())
                    .map(|c| <$t>::from_le_bytes(c.try_into().unwrap_or_default()))
                    .collect()
            };
        }
        Some(match dtype {
            TensorDataType::U8 => Self::U8(bytes.to_vec()),
            TensorDataType::U16 => Self::U16(decode!(u16)),
            TensorDataType::U32 => Self::U32(decode!(u32)),
            TensorDataType::U64 => Self::U64(decode!(u64)),
            TensorDataType::I8 => Self::I8(bytes.iter().map(|b| *b as i8).collect()),
            TensorDataType::I16 => Self::I16(decode!(i16)),
            TensorDataType::I32 => Self::I32(decode!(i32)),
            TensorDataType::I64 => Self::I64(decode!(i64)),
            TensorDataType::F16 => Self::F16(decode!(u16)),
            TensorDataType::F32 => Self::F32(decode!(f32)),
            TensorDataType::F64 => Self::F64(decode!(f64)),
        })
    }

    /// Whether every element is finite (integers always are; f16 is checked on its bits).
    pub fn all_finite(&self) -> bool {
        match self {
            Self::F32(v) => v.iter().all(|x| x.is_finite()),
            Self::F64(v) => v.iter().all(|x| x.is_finite()),
            Self::F16(v) => v.iter().all(|x| x & 0x7c00 != 0x7c00),
            _ => true,
        }
    }

    /// Element `i` as `f64` (for checks and display).
    pub fn get_f64(&self, i: usize) -> Option<f64> {
        Some(match self {
            Self::U8(v) => f64::from(*v.get(i)?),
            Self::U16(v) => f64::from(*v.get(i)?),
            Self::U32(v) => f64::from(*v.get(i)?),
            Self::U64(v) => *v.get(i)? as f64,
            Self::I8(v) => f64::from(*v.get(i)?),
            Self::I16(v) => f64::from(*v.get(i)?),
            Self::I32(v) => f64::from(*v.get(i)?),
            Self::I64(v) => *v.get(i)? as f64,
            Self::F16(v) => half_to_f64(*v.get(i)?),
            Self::F32(v) => f64::from(*v.get(i)?),
            Self::F64(v) => *v.get(i)?,
        })
    }
}

fn half_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((bits >> 10) & 0x1f);
    let frac = f64::from(bits & 0x3ff);
    sign * match exp {
        0 => frac * 2f64.powi(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + frac / 1024.0) * 2f64.powi(e - 15),
    }
}

macro_rules! buffer_from_vec {
    ($($t:ty => $variant:ident),*) => {$(
        impl From<Vec<$t>> for TensorBuffer {
            fn from(v: Vec<$t>) -> Self {
                Self::$variant(v)
            }
        }
    )*};
}

buffer_from_vec!(u8 => U8, u16 => U16, u32 => U32, u64 => U64, i8 => I8, i16 => I16,
    i32 => I32, i64 => I64, f32 => F32, f64 => F64);

/// An N-dimensional array: shape, optional dimension names, and elements.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorData {
    shape: Vec<u64>,
    names: Option<Vec<String>>,
    buffer: TensorBuffer,
}

impl TensorData {
    /// A tensor of `shape` over `buffer`; the element count must match the shape.
    pub fn new(shape: Vec<u64>, buffer: impl Into<TensorBuffer>) -> Result<Self, ValidationError> {
        let buffer = buffer.into();
        let expected = shape.iter().try_fold(1u64, |acc, d| acc.checked_mul(*d));
        if expected != Some(buffer.len() as u64) {
            return Err(ValidationError::TensorShape {
                shape,
                elements: buffer.len(),
            });
        }
        Ok(Self {
            shape,
            names: None,
            buffer,
        })
    }

    /// Names the dimensions (one name per dimension).
    pub fn with_names(mut self, names: Vec<String>) -> Result<Self, ValidationError> {
        if names.len() != self.shape.len() {
            return Err(ValidationError::TensorNames {
                dims: self.shape.len(),
                names: names.len(),
            });
        }
        self.names = Some(names);
        Ok(self)
    }

    /// The shape, outermost dimension first.
    pub fn shape(&self) -> &[u64] {
        &self.shape
    }

    /// The dimension names, if given.
    pub fn names(&self) -> Option<&[String]> {
        self.names.as_deref()
    }

    /// The elements.
    pub fn buffer(&self) -> &TensorBuffer {
        &self.buffer
    }

    /// The element type.
    pub fn dtype(&self) -> TensorDataType {
        self.buffer.dtype()
    }
}

/// Made once: building them cost more than the values of a small tensor.
fn tensor_fields() -> Fields {
    static FIELDS: LazyLock<Fields> = LazyLock::new(make_tensor_fields);
    FIELDS.clone()
}

fn make_tensor_fields() -> Fields {
    Fields::from(vec![
        Field::new(
            "shape",
            DataType::List(Arc::new(Field::new("item", DataType::UInt64, false))),
            false,
        ),
        Field::new(
            "names",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, false))),
            true,
        ),
        Field::new("dtype", DataType::Utf8, false),
        Field::new("buffer", DataType::LargeBinary, false),
    ])
}

/// The tensors' element type names, as the dtype column holds them.
fn dtype_names(data: &[TensorData]) -> StringArray {
    StringArray::from_iter_values(data.iter().map(|t| t.dtype().name()))
}

impl TensorData {
    /// The tensors as Arrow, with their element types and elements already made (one per
    /// tensor).
    fn with_buffers(data: &[Self], dtypes: StringArray, buffers: LargeBinaryArray) -> ArrayRef {
        let shape_values =
            UInt64Array::from_iter_values(data.iter().flat_map(|t| t.shape.iter().copied()));
        let shapes = ListArray::new(
            Arc::new(Field::new("item", DataType::UInt64, false)),
            OffsetBuffer::from_lengths(data.iter().map(|t| t.shape.len())),
            Arc::new(shape_values),
            None,
        );
        let name_values = StringArray::from_iter_values(
            data.iter()
                .flat_map(|t| t.names.iter().flatten().map(String::as_str)),
        );
        let name_nulls = data
            .iter()
            .any(|t| t.names.is_none())
            .then(|| NullBuffer::from_iter(data.iter().map(|t| t.names.is_some())));
        let names = ListArray::new(
            Arc::new(Field::new("item", DataType::Utf8, false)),
            OffsetBuffer::from_lengths(data.iter().map(|t| t.names.as_ref().map_or(0, Vec::len))),
            Arc::new(name_values),
            name_nulls,
        );
        Arc::new(StructArray::new(
            tensor_fields(),
            vec![
                Arc::new(shapes),
                Arc::new(names),
                Arc::new(dtypes),
                Arc::new(buffers),
            ],
            None,
        ))
    }
}

impl Component for TensorData {
    const NAME: &'static str = "reel.components.TensorData";

    fn arrow_datatype() -> DataType {
        DataType::Struct(tensor_fields())
    }

    fn to_arrow(data: &[Self]) -> ArrayRef {
        let buffers =
            LargeBinaryArray::from_iter_values(data.iter().map(|t| t.buffer.to_le_bytes()));
        Self::with_buffers(data, dtype_names(data), buffers)
    }

    /// One tensor's elements are handed to Arrow without copying (an image logged from
    /// Rust is not copied twice on its way).
    fn to_arrow_owned(mut data: Vec<Self>) -> ArrayRef {
        let [tensor] = data.as_mut_slice() else {
            return Self::to_arrow(&data);
        };
        // Named before the elements move out.
        let dtypes = dtype_names(std::slice::from_ref(tensor));
        let elements = std::mem::replace(&mut tensor.buffer, TensorBuffer::U8(Vec::new()));
        let bytes = elements.into_le_buffer();
        let buffers = LargeBinaryArray::new(OffsetBuffer::from_lengths([bytes.len()]), bytes, None);
        Self::with_buffers(&data, dtypes, buffers)
    }

    fn from_arrow(array: &dyn Array) -> Result<Vec<Self>, DeserializationError> {
        let s = struct_array::<Self>(array)?;
        let col = |i: usize| s.column(i).as_any();
        let (Some(shapes), Some(names), Some(dtypes), Some(buffers)) = (
            col(0).downcast_ref::<ListArray>(),
            col(1).downcast_ref::<ListArray>(),
            col(2).downcast_ref::<StringArray>(),
            col(3).downcast_ref::<LargeBinaryArray>(),
        ) else {
            return Err(wrong_type::<Self>(array.data_type()));
        };
        (0..s.len())
            .map(|i| {
                let shape_arr = shapes.value(i);
                let shape = shape_arr
                    .as_any()
                    .downcast_ref::<UInt64Array>()
                    .ok_or_else(|| invalid::<Self>("shape is not u64"))?
                    .values()
                    .to_vec();
                let dtype = TensorDataType::from_name(dtypes.value(i)).ok_or_else(|| {
                    invalid::<Self>(format!("unknown dtype {:?}", dtypes.value(i)))
                })?;
                let buffer =
                    TensorBuffer::from_le_bytes(dtype, buffers.value(i)).ok_or_else(|| {
                        invalid::<Self>(format!(
                            "{} bytes are not whole {} elements",
                            buffers.value(i).len(),
                            dtype.name()
                        ))
                    })?;
                let mut tensor =
                    Self::new(shape, buffer).map_err(|e| invalid::<Self>(e.to_string()))?;
                if names.is_valid(i) {
                    let n = names.value(i);
                    let n = n
                        .as_any()
                        .downcast_ref::<StringArray>()
                        .ok_or_else(|| invalid::<Self>("names are not utf8"))?;
                    tensor = tensor
                        .with_names(n.iter().map(|s| s.unwrap_or_default().to_owned()).collect())
                        .map_err(|e| invalid::<Self>(e.to_string()))?;
                }
                Ok(tensor)
            })
            .collect()
    }
}

/// Encoded bytes: an image file, a mesh file, any opaque payload.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Blob(pub Vec<u8>);

impl From<Vec<u8>> for Blob {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

impl Component for Blob {
    const NAME: &'static str = "reel.components.Blob";

    fn arrow_datatype() -> DataType {
        DataType::LargeBinary
    }

    fn to_arrow(data: &[Self]) -> ArrayRef {
        Arc::new(LargeBinaryArray::from_iter_values(
            data.iter().map(|b| b.0.as_slice()),
        ))
    }

    fn from_arrow(array: &dyn Array) -> Result<Vec<Self>, DeserializationError> {
        let arr = array
            .as_any()
            .downcast_ref::<LargeBinaryArray>()
            .ok_or_else(|| wrong_type::<Self>(array.data_type()))?;
        no_nulls::<Self>(array)?;
        Ok(arr
            .iter()
            .map(|b| Self(b.unwrap_or_default().to_vec()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::test_util::round_trip;

    fn buffers_of_every_type() -> Vec<TensorBuffer> {
        vec![
            vec![1u8, 2, 3, 4, 5, 6].into(),
            vec![1u16, 2, 3, 4, 5, u16::MAX].into(),
            vec![1u32, 2, 3, 4, 5, 6].into(),
            vec![1u64, 2, 3, 4, 5, u64::MAX].into(),
            vec![-1i8, 2, 3, 4, 5, i8::MIN].into(),
            vec![-1i16, 2, 3, 4, 5, 6].into(),
            vec![-1i32, 2, 3, 4, 5, 6].into(),
            vec![-1i64, 2, 3, 4, 5, i64::MIN].into(),
            TensorBuffer::F16(vec![0x3c00, 0, 0x4000, 0xbc00, 1, 2]),
            vec![1.5f32, 2.0, -3.0, 4.0, 5.0, 6.0].into(),
            vec![1.5f64, 2.0, -3.0, 4.0, 5.0, 6.0].into(),
        ]
    }

    #[test]
    fn tensors_of_every_type_round_trip() {
        let tensors: Vec<TensorData> = buffers_of_every_type()
            .into_iter()
            .map(|b| TensorData::new(vec![2, 3], b).expect("2x3"))
            .collect();
        round_trip(tensors);
        let named = TensorData::new(vec![3], vec![1.0f32, 2.0, 3.0])
            .expect("tensor")
            .with_names(vec!["x".into()])
            .expect("names");
        round_trip(vec![
            named,
            TensorData::new(vec![0], Vec::<u8>::new()).expect("empty"),
        ]);
        assert_eq!(half_to_f64(0x3c00), 1.0);
        assert_eq!(half_to_f64(0xc000), -2.0);
    }

    #[test]
    fn one_owned_tensor_is_moved_into_arrow_not_copied() {
        // Alone in its batch, each type takes the moving path; it must read back the same.
        for buffer in buffers_of_every_type() {
            round_trip(vec![TensorData::new(vec![2, 3], buffer).expect("2x3")]);
        }
        let pixels = vec![7u8; 64];
        let at = pixels.as_ptr();
        let array =
            TensorData::to_arrow_owned(vec![TensorData::new(vec![8, 8], pixels).expect("8x8")]);
        let tensors = array
            .as_any()
            .downcast_ref::<StructArray>()
            .expect("struct");
        let bytes = tensors
            .column(3)
            .as_any()
            .downcast_ref::<LargeBinaryArray>()
            .expect("binary");
        assert_eq!(bytes.values().as_ptr(), at, "the pixels' own allocation");
    }

    #[test]
    fn shape_mismatches_are_errors() {
        let e = TensorData::new(vec![2, 2], vec![1u8, 2, 3]).expect_err("3 != 4");
        assert!(e.to_string().contains("[2, 2]"), "{e}");
        assert!(
            TensorData::new(vec![u64::MAX, 2], vec![1u8]).is_err(),
            "overflowing shape"
        );
        let e = TensorData::new(vec![2], vec![1u8, 2])
            .expect("tensor")
            .with_names(vec![])
            .expect_err("names");
        assert!(matches!(
            e,
            ValidationError::TensorNames { dims: 1, names: 0 }
        ));
    }

    #[test]
    fn blobs_and_scalars_round_trip() {
        round_trip(vec![Blob(vec![1, 2, 3]), Blob(vec![])]);
        round_trip(vec![Scalar(1.0), Scalar(f64::MAX)]);
        round_trip(vec![DepthMeter(1000.0)]);
        round_trip(vec![ScalarScattered(true), ScalarScattered(false)]);
    }
}
