//! reel's built-in vocabulary: the components (typed columns) and archetypes (things a user
//! logs, such as [`archetypes::Points3D`]) that turn into [`reel_core::ComponentBatch`]es.
//!
//! - [`components`]: one value per instance, with stable names (`reel.components.*`).
//! - [`archetypes`]: bundles of components with builders and validation, implementing
//!   [`reel_core::AsComponents`]; each also logs an indicator (`reel.indicators.*`) that
//!   says which archetype a row is.
//! - [`ValidationError`]: what is wrong with data that cannot be logged as given.
//!
//! Features `glam`, `nalgebra` and `ndarray` add conversions from those crates' types.
//!
//! This crate only describes data; it logs nothing and does no I/O.

pub mod archetypes;
pub mod components;
mod convert;

/// Data that does not make a valid archetype or component.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ValidationError {
    /// A tensor whose element count does not match its shape.
    #[error("tensor of shape {shape:?} needs their product in elements, but has {elements}")]
    TensorShape {
        /// The shape.
        shape: Vec<u64>,
        /// The elements given.
        elements: usize,
    },
    /// Dimension names that do not match the dimensions.
    #[error("tensor has {dims} dimensions but {names} names")]
    TensorNames {
        /// Dimensions.
        dims: usize,
        /// Names given.
        names: usize,
    },
    /// An image of the wrong shape or element type.
    #[error("{kind} must be {expected}, got shape {shape:?} of {dtype}")]
    ImageShape {
        /// Which kind of image.
        kind: &'static str,
        /// The accepted shapes.
        expected: &'static str,
        /// The shape given.
        shape: Vec<u64>,
        /// The element type given.
        dtype: &'static str,
    },
    /// A mesh triangle that names a vertex that does not exist.
    #[error("mesh triangle {triangle} uses vertex {index}, but there are {vertices} vertices")]
    MeshIndexOutOfRange {
        /// The triangle.
        triangle: usize,
        /// The index.
        index: u32,
        /// The number of vertices.
        vertices: usize,
    },
    /// Per-vertex data whose length does not match the vertices.
    #[error("mesh has {vertices} vertices but {count} {what}")]
    MeshAttributeLength {
        /// Which attribute.
        what: &'static str,
        /// Its length.
        count: usize,
        /// The number of vertices.
        vertices: usize,
    },
    /// A NaN or infinite value where it matters.
    #[error("{what} contains a non-finite value at index {index}")]
    NonFinite {
        /// What holds it.
        what: &'static str,
        /// Where.
        index: usize,
    },
    /// A view-coordinates code that does not name three distinct axes.
    #[error("invalid view coordinates {0:?}: use one of U/D, R/L, F/B per axis, e.g. \"RDF\"")]
    ViewCoordinates(String),
    /// A rectangle format that does not fit the data.
    #[error("{0}")]
    Shape(String),
    /// A file or buffer that is not a supported, valid format.
    #[error("unsupported or invalid {format}: {reason}")]
    UnsupportedFile {
        /// The format expected or detected.
        format: String,
        /// Why it was rejected.
        reason: String,
    },
}
