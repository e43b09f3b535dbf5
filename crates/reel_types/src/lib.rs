//! reel's built-in vocabulary: the components (typed columns) and archetypes (things a user
//! logs, such as [`archetypes::Points3D`]) that turn into [`reel_core::ComponentBatch`]es.
//!
//! - [`components`]: one value per instance, with stable names (`reel.components.*`).
//! - [`archetypes`]: bundles of components with builders, implementing
//!   [`reel_core::AsComponents`].
//!
//! This crate only describes data; it logs nothing and does no I/O.

pub mod archetypes;
pub mod components;
