//! reel: log points, meshes, images, tensors, scalars and text from a running program into
//! time-indexed recordings.
//!
//! This is the crate a Rust user depends on. It re-exports the layers below it:
//!
//! - [`core`]: the data model (entity paths, timelines, components, chunks, messages);
//! - [`types`]: the built-in components and archetypes, also at [`components`] and
//!   [`archetypes`];
//! - [`format`]: the byte format of files and network streams.

pub use reel_core as core;
pub use reel_format as format;
pub use reel_types as types;

pub use reel_core::{
    ApplicationId, AsComponents, Chunk, ChunkRow, Component, ComponentBatch, ComponentName,
    EntityPath, LogMsg, RecordingId, RowId, StoreId, StoreInfo, TimeInt, TimePoint, TimeType,
    Timeline,
};
pub use reel_types::{archetypes, components};
