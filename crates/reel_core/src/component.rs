//! Components: named, typed columns of data. A [`ComponentBatch`] holds the instances of one
//! component logged in one row, as one Arrow array.
//!
//! In a row logged with N instances, a batch of length N gives one value per instance, a
//! batch of length 1 is a *splat* (one value for all instances), and a batch of length 0
//! *clears* that component.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

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

    /// The name as a [`ComponentName`].
    fn name() -> ComponentName {
        ComponentName::from_static(Self::NAME)
    }
}

/// The instances of one component logged in one row: a name and an Arrow array.
#[derive(Clone, Debug)]
pub struct ComponentBatch {
    name: ComponentName,
    array: ArrayRef,
}

impl ComponentBatch {
    /// A batch from a name and any Arrow array (user components included).
    pub fn new(name: impl Into<ComponentName>, array: ArrayRef) -> Self {
        Self {
            name: name.into(),
            array,
        }
    }

    /// A batch of a typed component.
    pub fn from_component<C: Component>(data: &[C]) -> Self {
        Self::new(C::name(), C::to_arrow(data))
    }

    /// The component's name.
    pub fn name(&self) -> &ComponentName {
        &self.name
    }

    /// The instances as Arrow.
    pub fn array(&self) -> &ArrayRef {
        &self.array
    }

    /// The Arrow type of one instance.
    pub fn datatype(&self) -> &DataType {
        self.array.data_type()
    }

    /// Number of instances in the batch.
    pub fn len(&self) -> usize {
        self.array.len()
    }

    /// Whether the batch is empty (a clear).
    pub fn is_empty(&self) -> bool {
        self.array.is_empty()
    }

    /// Reads the batch back as a typed component, checking the name.
    pub fn to_component<C: Component>(&self) -> Result<Vec<C>, DeserializationError> {
        if self.name.as_str() != C::NAME {
            return Err(DeserializationError::Invalid {
                component: C::NAME.to_owned(),
                reason: format!("batch is named {}", self.name),
            });
        }
        C::from_arrow(self.array.as_ref())
    }
}

impl PartialEq for ComponentBatch {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.array.to_data() == other.array.to_data()
    }
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
}
