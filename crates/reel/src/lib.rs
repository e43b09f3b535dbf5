//! reel: log points, meshes, images, tensors, scalars and text from a running program into
//! time-indexed recordings.
//!
//! This is the crate a Rust user depends on. It re-exports the layers below it:
//!
//! - the SDK ([`sdk`], and its items at the top level): [`RecordingStream`],
//!   [`RecordingStreamBuilder`], [`init`], default recordings, sinks, [`MemoryRecording`],
//!   the `log`/`tracing` bridges;
//! - [`core`]: the data model (entity paths, timelines, components, chunks, messages);
//! - [`types`]: the built-in components and archetypes, also at [`components`] and
//!   [`archetypes`];
//! - [`format`](mod@format): the byte format of files and network streams;
//! - [`store`]: the time-indexed store, latest-at and range queries, and dataframe views
//!   of recordings read back with [`store::load::load_file`] or [`store::load::load_bytes`];
//! - [`web`]: the viewer in a browser — [`web::serve_web`], [`web::start_web_viewer_server`],
//!   and [`web::NotebookExt::as_html`] for notebooks.
//!
//! ```
//! use reel::archetypes::Points3D;
//!
//! let (rec, memory) = reel::RecordingStreamBuilder::new("example").memory()?;
//! rec.set_time_sequence("frame", 0);
//! rec.log("world/points", &Points3D::new([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]))?;
//! assert_eq!(memory.num_msgs(), 2); // the store info and one chunk
//! # Ok::<(), reel::RecordingError>(())
//! ```
//!
//! Reading a recording back as a dataframe, one record batch at a time:
//!
//! ```
//! use reel::store::ViewContents;
//!
//! let (rec, memory) = reel::RecordingStreamBuilder::new("example").memory()?;
//! for frame in 0..3 {
//!     rec.set_time_sequence("frame", frame);
//!     rec.log("loss", &reel::archetypes::Scalar::new(1.0 / (frame + 1) as f64))?;
//! }
//! rec.flush_blocking()?;
//! let loaded = reel::store::load::load_bytes(&memory.to_bytes()?);
//! let view = loaded.store.view("frame", &ViewContents::expr("/**"))?;
//! assert_eq!(view.column_names(), ["frame", "/loss:Scalar"]);
//! let rows: usize = view.select_batches(&[])?.map(|b| b.map(|b| b.num_rows()).unwrap_or(0)).sum();
//! assert_eq!(rows, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use reel_core as core;
pub use reel_format as format;
pub use reel_sdk as sdk;
pub use reel_store as store;
pub use reel_types as types;

pub mod web;

pub use reel_core::{
    ApplicationId, AsComponents, Chunk, ChunkRow, Component, ComponentBatch, ComponentName,
    EntityPath, LogMsg, RecordingId, RowId, StoreId, StoreInfo, TimeInt, TimePoint, TimeType,
    Timeline,
};
pub use reel_sdk::*;
pub use reel_types::{archetypes, components};
