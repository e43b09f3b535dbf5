//! reel's logging SDK: what a program uses to record data.
//!
//! - [`recording_stream`]: [`RecordingStream`] (log, time, flush, sinks), its
//!   [`RecordingStreamBuilder`], [`init`], and strict mode.
//! - [`global`]: global and thread-local default recordings, the [`RecordingScope`] guard,
//!   and free functions that log to the default recording.
//! - `batcher`: the per-recording thread that turns pending rows into chunks (internal).
//! - `rows`: each logging thread's pending rows, grouped as chunks to be (internal).
//! - [`sink`]: [`LogSink`] and the buffered, file, stdout, callback and tee sinks.
//! - [`spawn`]: starting (or reusing) a `reel serve` process.
//! - [`tcp`]: [`tcp::TcpSink`], streaming to a reel server with acknowledgements and resends.
//! - [`memory`]: [`MemoryRecording`], a recording kept in memory.
//! - [`config`]: [`BatcherConfig`], memory bound policy, and the `REEL*` environment.
//! - [`helpers`]: the reference-era `log_points`, `log_image`, ... family.
//! - [`log_bridge`]: [`ReelLogger`] (`log` crate) and [`ReelTracingLayer`] (`tracing`).
//! - [`process`]: exit and fork hooks.
//!
//! A log call does no I/O and takes no global lock: it validates, stamps, reserves bytes
//! under the memory bound and adds the row to its thread's pending rows, which the batcher
//! thread takes as chunks.

mod batcher;
pub mod config;
pub mod global;
pub mod helpers;
pub mod log_bridge;
pub mod memory;
pub mod process;
pub mod recording_stream;
mod rows;
pub mod sink;
pub mod spawn;
pub mod tcp;
mod warn;

pub use config::{BatcherConfig, OverflowPolicy};
pub use global::{
    connect, defaults_generation, disable_timeline, disconnect, flush, flush_blocking,
    flush_with_timeout, get_data_recording, get_global_data_recording, get_recording_id,
    get_thread_local_data_recording, is_enabled, log, log_components, log_timeless,
    memory_recording, reset_time, save, set_global_data_recording, set_sink,
    set_thread_local_data_recording, set_time_nanos, set_time_seconds, set_time_sequence, stdout,
    RecordingScope,
};
pub use log_bridge::{ReelLogger, ReelTracingLayer};
pub use memory::{MemoryRecording, MemorySink};
pub use recording_stream::{
    init, set_strict_mode, shutdown_all, strict_mode, DropStats, IntoEntityPath, LogOptions,
    RecordingError, RecordingResult, RecordingStream, RecordingStreamBuilder, WeakRecordingStream,
};
pub use sink::{
    BufferedSink, CallbackSink, FileSink, LogSink, SinkError, StdoutSink, TeeSink, WriterSink,
};
pub use warn::{set_stderr_diagnostics, LOG_TARGET};
