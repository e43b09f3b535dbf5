//! reel's data model, shared by every other crate.
//!
//! - [`tuid`]: time-ordered 128-bit ids, [`RowId`] and [`ChunkId`].
//! - [`store`]: [`ApplicationId`], [`RecordingId`], [`StoreId`] and [`StoreInfo`].
//! - [`entity_path`]: [`EntityPath`], where in the hierarchy data lives, and its syntax.
//! - [`time`]: [`Timeline`], [`TimeInt`], [`TimePoint`].
//! - [`component`]: the [`Component`] trait, [`ComponentBatch`] and [`AsComponents`].
//! - [`chunk`]: [`Chunk`], the columnar unit of storage and transport, over Apache Arrow.
//! - [`log_msg`]: [`LogMsg`], what flows from SDKs to sinks.
//!
//! This crate does no I/O and knows nothing of encodings, SDKs or viewers.

pub mod chunk;
pub mod component;
pub mod entity_path;
pub mod log_msg;
pub mod store;
pub mod time;
pub mod tuid;

pub use chunk::{Chunk, ChunkError, ChunkRow, TimeColumn};
pub use component::{
    plain_array, plain_width, AsComponents, Component, ComponentBatch, ComponentName,
    DeserializationError,
};
pub use entity_path::{EntityPath, EntityPathError, EntityPathErrorKind, EntityPathPart};
pub use log_msg::{ArrowMsg, BlueprintActivation, LogMsg, SetStoreInfo};
pub use store::{ApplicationId, RecordingId, StoreId, StoreInfo, StoreKind, StoreSource};
pub use time::{TimeInt, TimePoint, TimeType, Timeline, TimelineName};
pub use tuid::{ChunkId, RowId, Tuid};

/// Re-exported so users of reel's types need no direct Arrow dependency of matching version.
pub use arrow_array;
/// Re-exported Arrow buffers.
pub use arrow_buffer;
/// Re-exported Arrow schema types.
pub use arrow_schema;
