//! Components: named, typed columns of data. A [`ComponentBatch`] holds the instances of one
//! component logged in one row, as one Arrow array.
//!
//! In a row logged with N instances, a batch of length N gives one value per instance, a
//! batch of length 1 is a *splat* (one value for all instances), and a batch of length 0
//! *clears* that component.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use arrow_array::{Array, ArrayRef};
use arrow_buffer::Buffer;
use arrow_data::ArrayData;
use arrow_schema::{ArrowError, DataType};

#[derive(Clone)]
enum NameRepr {
    Static(&'static str),
    Shared(Arc<str>),
}

/// The stable name of a component, e.g. `"reel.components.Position3D"`.
///
/// Built-in names are `&'static str` and cost nothing to clone; user names are shared.
#[derive(Clone)]
pub struct ComponentName(NameRepr);

impl ComponentName {
    /// A name from a static string (no allocation).
    pub const fn from_static(name: &'static str) -> Self {
        Self(NameRepr::Static(name))
    }

    /// A name from any string.
    pub fn new(name: impl AsRef<str>) -> Self {
        Self(NameRepr::Shared(name.as_ref().into()))
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            NameRepr::Static(s) => s,
            NameRepr::Shared(s) => s,
        }
    }

    /// The name without a `reel.components.` prefix, for display.
    pub fn short_name(&self) -> &str {
        let s = self.as_str();
        s.strip_prefix("reel.components.").unwrap_or(s)
    }
}

impl PartialEq for ComponentName {
    fn eq(&self, other: &Self) -> bool {
        // Built-in names are usually the same static string: no need to compare bytes.
        if let (NameRepr::Static(a), NameRepr::Static(b)) = (&self.0, &other.0) {
            if std::ptr::eq(*a, *b) {
                return true;
            }
        }
        self.as_str() == other.as_str()
    }
}

impl Eq for ComponentName {}

impl PartialOrd for ComponentName {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ComponentName {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for ComponentName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Display for ComponentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ComponentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for ComponentName {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for ComponentName {
    fn from(s: String) -> Self {
        Self(NameRepr::Shared(s.into()))
    }
}

/// Why Arrow data could not be read back as a component.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeserializationError {
    /// The array has another Arrow type than the component.
    #[error("{component}: expected Arrow type {expected}, found {found}")]
    WrongDatatype {
        /// The component being read.
        component: String,
        /// Its Arrow type.
        expected: DataType,
        /// The array's type.
        found: DataType,
    },
    /// A null where the component needs a value.
    #[error("{component}: null at index {index}")]
    UnexpectedNull {
        /// The component being read.
        component: String,
        /// Index of the null.
        index: usize,
    },
    /// Any other defect in the data.
    #[error("{component}: {reason}")]
    Invalid {
        /// The component being read.
        component: String,
        /// What is wrong.
        reason: String,
    },
}

/// A type that is one instance of a component, with a stable name and Arrow type.
pub trait Component: Sized {
    /// The stable name, e.g. `"reel.components.Position3D"`.
    const NAME: &'static str;

    /// The Arrow type of one instance.
    fn arrow_datatype() -> DataType;

    /// Serializes instances into one Arrow array of [`Self::arrow_datatype`].
    fn to_arrow(data: &[Self]) -> ArrayRef;

    /// Serializes owned instances. The default copies through [`Self::to_arrow`];
    /// plain-data components override it to hand their allocation to Arrow without copying.
    fn to_arrow_owned(data: Vec<Self>) -> ArrayRef {
        Self::to_arrow(&data)
    }

    /// Reads instances back from an array of [`Self::arrow_datatype`].
    fn from_arrow(array: &dyn Array) -> Result<Vec<Self>, DeserializationError>;

    /// For a *plain* component, whose instances are laid out in Arrow as fixed-width
    /// values and never null (a primitive, or a fixed-size list of primitives): its Arrow
    /// type. A batch of one such instance is then kept as bytes (see
    /// [`ComponentBatch::plain_bytes`]). `None` (the default) for any other component.
    fn plain_datatype() -> Option<&'static DataType> {
        None
    }

    /// For a plain component: the instances' values as Arrow lays them out.
    fn plain_bytes(data: &[Self]) -> Option<&[u8]> {
        let _ = data;
        None
    }

    /// The name as a [`ComponentName`].
    fn name() -> ComponentName {
        ComponentName::from_static(Self::NAME)
    }
}

/// The instances of one component logged in one row: a name and an Arrow array.
///
/// A batch of one instance of a plain component (see [`Component::plain_datatype`]) is
/// kept as that instance's bytes, and its Arrow array made only when asked for: the SDK
/// copies such cells straight into the column of their chunk, so a small log call makes
/// no Arrow array of its own.
#[derive(Clone)]
pub struct ComponentBatch {
    name: ComponentName,
    data: BatchData,
}

#[derive(Clone)]
enum BatchData {
    Arrow(ArrayRef),
    /// An array that lives as long as the program: cloned without touching a counter.
    Static(&'static ArrayRef),
    Plain(PlainCell),
}

/// The most bytes one plain instance may have to be kept inline (a quaternion).
const PLAIN_INLINE: usize = 16;

/// One instance of a plain component, as Arrow lays out its values.
#[derive(Clone)]
struct PlainCell {
    datatype: &'static DataType,
    width: u8,
    bytes: [u8; PLAIN_INLINE],
    /// The instance as Arrow, made on first use.
    array: OnceLock<ArrayRef>,
}

impl PlainCell {
    fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.width)]
    }
}

impl ComponentBatch {
    /// A batch from a name and any Arrow array (user components included).
    pub fn new(name: impl Into<ComponentName>, array: ArrayRef) -> Self {
        Self {
            name: name.into(),
            data: BatchData::Arrow(array),
        }
    }

    /// A batch of an array that lives as long as the program (such as an archetype's
    /// indicator): the batch is cloned and dropped without touching a reference count,
    /// which threads logging at once would contend on.
    pub fn from_static(name: impl Into<ComponentName>, array: &'static ArrayRef) -> Self {
        Self {
            name: name.into(),
            data: BatchData::Static(array),
        }
    }

    /// A batch of a typed component.
    pub fn from_component<C: Component>(data: &[C]) -> Self {
        if let [one] = data {
            if let Some(batch) = Self::plain::<C>(one) {
                return batch;
            }
        }
        Self::new(C::name(), C::to_arrow(data))
    }

    /// One plain instance kept as bytes, if `C` is plain and the instance small enough.
    fn plain<C: Component>(value: &C) -> Option<Self> {
        let datatype = C::plain_datatype()?;
        let src = C::plain_bytes(std::slice::from_ref(value))?;
        if src.len() > PLAIN_INLINE || src.len() != plain_width(datatype)? {
            return None;
        }
        let mut bytes = [0; PLAIN_INLINE];
        bytes[..src.len()].copy_from_slice(src);
        Some(Self {
            name: C::name(),
            data: BatchData::Plain(PlainCell {
                datatype,
                width: src.len() as u8,
                bytes,
                array: OnceLock::new(),
            }),
        })
    }

    /// The component's name.
    pub fn name(&self) -> &ComponentName {
        &self.name
    }

    /// The instances as Arrow.
    pub fn array(&self) -> &ArrayRef {
        match &self.data {
            BatchData::Arrow(array) => array,
            BatchData::Static(array) => array,
            BatchData::Plain(cell) => cell.array.get_or_init(|| {
                plain_array(cell.datatype, Buffer::from_slice_ref(cell.bytes()))
                    // The type and width were checked when the cell was made.
                    .unwrap_or_else(|_| arrow_array::new_null_array(cell.datatype, 1))
            }),
        }
    }

    /// The bytes of the one instance, when the batch holds one plain instance as bytes
    /// (see [`plain_array`] for how they are laid out).
    pub fn plain_bytes(&self) -> Option<&[u8]> {
        match &self.data {
            BatchData::Arrow(_) | BatchData::Static(_) => None,
            BatchData::Plain(cell) => Some(cell.bytes()),
        }
    }

    /// The Arrow type of one instance.
    pub fn datatype(&self) -> &DataType {
        match &self.data {
            BatchData::Arrow(array) => array.data_type(),
            BatchData::Static(array) => array.data_type(),
            BatchData::Plain(cell) => cell.datatype,
        }
    }

    /// Number of instances in the batch.
    pub fn len(&self) -> usize {
        match &self.data {
            BatchData::Arrow(array) => array.len(),
            BatchData::Static(array) => array.len(),
            BatchData::Plain(_) => 1,
        }
    }

    /// Whether the batch is empty (a clear).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the batch's data takes.
    pub fn memory_size(&self) -> usize {
        match &self.data {
            BatchData::Arrow(array) => array.get_array_memory_size(),
            BatchData::Static(array) => array.get_array_memory_size(),
            BatchData::Plain(cell) => cell.bytes().len(),
        }
    }

    /// Reads the batch back as a typed component, checking the name.
    pub fn to_component<C: Component>(&self) -> Result<Vec<C>, DeserializationError> {
        if self.name.as_str() != C::NAME {
            return Err(DeserializationError::Invalid {
                component: C::NAME.to_owned(),
                reason: format!("batch is named {}", self.name),
            });
        }
        C::from_arrow(self.array().as_ref())
    }
}

impl fmt::Debug for ComponentBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComponentBatch")
            .field("name", &self.name)
            .field("array", self.array())
            .finish()
    }
}

impl PartialEq for ComponentBatch {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.array().to_data() == other.array().to_data()
    }
}

/// Bytes of one instance of a plain Arrow type: a fixed-width primitive, or a fixed-size
/// list of them; `None` for any other type.
pub fn plain_width(datatype: &DataType) -> Option<usize> {
    match datatype {
        DataType::FixedSizeList(field, n) => {
            Some(field.data_type().primitive_width()? * usize::try_from(*n).ok()?)
        }
        // Booleans are bits, not bytes.
        DataType::Boolean => None,
        other => other.primitive_width(),
    }
}

/// The array of a plain type (see [`plain_width`]) whose instances' values lie one after
/// another in `values`, without nulls.
pub fn plain_array(datatype: &DataType, values: Buffer) -> Result<ArrayRef, ArrowError> {
    let width = plain_width(datatype).filter(|w| *w > 0).ok_or_else(|| {
        ArrowError::InvalidArgumentError(format!("{datatype} is not a plain type"))
    })?;
    if !values.len().is_multiple_of(width) {
        return Err(ArrowError::InvalidArgumentError(format!(
            "{} bytes are not a whole number of {width}-byte {datatype} values",
            values.len()
        )));
    }
    let len = values.len() / width;
    let data = match datatype {
        DataType::FixedSizeList(field, n) => {
            let child = ArrayData::try_new(
                field.data_type().clone(),
                len * usize::try_from(*n).unwrap_or(0),
                None,
                0,
                vec![values],
                vec![],
            )?;
            ArrayData::try_new(datatype.clone(), len, None, 0, vec![], vec![child])?
        }
        _ => ArrayData::try_new(datatype.clone(), len, None, 0, vec![values], vec![])?,
    };
    Ok(arrow_array::make_array(data))
}

/// Anything that turns into component batches for one row: archetypes, a list of batches.
pub trait AsComponents {
    /// The batches to log, one per component.
    fn as_component_batches(&self) -> Vec<ComponentBatch>;

    /// Whether the batches are instance-aligned, so that the row's instance-count rule
    /// applies (every batch has N values, 1 to splat, or 0 to clear). Archetypes whose
    /// components count different things (a mesh's vertices and its triangles) return
    /// false and validate their lengths themselves.
    fn instance_aligned(&self) -> bool {
        true
    }

    /// Appends the batches to `out`. The SDK's log calls use this with a buffer they
    /// reuse; the default goes through [`Self::as_component_batches`].
    fn append_component_batches(&self, out: &mut Vec<ComponentBatch>) {
        out.extend(self.as_component_batches());
    }
}

impl AsComponents for [ComponentBatch] {
    fn as_component_batches(&self) -> Vec<ComponentBatch> {
        self.to_vec()
    }
}

impl AsComponents for Vec<ComponentBatch> {
    fn as_component_batches(&self) -> Vec<ComponentBatch> {
        self.clone()
    }
}

impl<const N: usize> AsComponents for [ComponentBatch; N] {
    fn as_component_batches(&self) -> Vec<ComponentBatch> {
        self.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_by_text() {
        let a = ComponentName::from_static("reel.components.Color");
        let b = ComponentName::new("reel.components.Color");
        assert_eq!(a, b);
        let mut h1 = std::collections::hash_map::DefaultHasher::new();
        let mut h2 = std::collections::hash_map::DefaultHasher::new();
        a.hash(&mut h1);
        b.hash(&mut h2);
        assert_eq!(h1.finish(), h2.finish());
        assert_eq!(a.short_name(), "Color");
        assert_eq!(ComponentName::new("my.thing").short_name(), "my.thing");
    }

    #[test]
    fn plain_arrays_are_built_from_consecutive_values() {
        use arrow_array::{FixedSizeListArray, Float32Array, UInt32Array};
        use arrow_schema::Field;

        let colors =
            plain_array(&DataType::UInt32, Buffer::from_slice_ref([7u32, 9])).expect("u32");
        assert_eq!(
            colors
                .as_any()
                .downcast_ref::<UInt32Array>()
                .expect("u32")
                .values(),
            &[7, 9]
        );
        let xyz =
            DataType::FixedSizeList(Arc::new(Field::new("item", DataType::Float32, false)), 3);
        assert_eq!(plain_width(&xyz), Some(12));
        let points =
            plain_array(&xyz, Buffer::from_slice_ref([1f32, 2., 3., 4., 5., 6.])).expect("xyz");
        let list = points
            .as_any()
            .downcast_ref::<FixedSizeListArray>()
            .expect("list");
        assert_eq!(list.len(), 2);
        let values = list
            .values()
            .as_any()
            .downcast_ref::<Float32Array>()
            .expect("f32");
        assert_eq!(values.values(), &[1., 2., 3., 4., 5., 6.]);

        // Not a whole number of values, or not a plain type at all.
        assert!(plain_array(&xyz, Buffer::from_slice_ref([1f32, 2.])).is_err());
        assert!(plain_array(&DataType::Utf8, Buffer::from_slice_ref([1u8])).is_err());
        assert_eq!(plain_width(&DataType::Boolean), None);
        assert_eq!(plain_width(&DataType::Null), None);
    }

    #[test]
    fn static_batches_read_like_shared_ones() {
        static ARRAY: std::sync::LazyLock<ArrayRef> =
            std::sync::LazyLock::new(|| Arc::new(arrow_array::NullArray::new(1)));
        let a = ComponentBatch::from_static("x.Indicator", &ARRAY);
        let b = ComponentBatch::new("x.Indicator", ARRAY.clone());
        assert_eq!(a, b);
        assert_eq!((a.len(), a.datatype()), (1, &DataType::Null));
        assert_eq!(a.plain_bytes(), None);
    }
}
