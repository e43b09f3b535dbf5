//! The global and thread-local default recordings, the scope guard that is Rust's
//! `with rec:`, and free functions that log to the default recording.
//!
//! Resolution order (what [`get_data_recording`] returns): an explicitly given recording,
//! else the calling thread's default, else the global default, else none, in which case
//! free functions do nothing.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::RwLock;
use reel_core::{AsComponents, ComponentBatch, RecordingId};

use crate::memory::MemoryRecording;
use crate::recording_stream::{IntoEntityPath, LogOptions, RecordingResult, RecordingStream};
use crate::sink::LogSink;

static GLOBAL: RwLock<Option<RecordingStream>> = RwLock::new(None);

/// Bumped whenever any thread's default or the global default is replaced.
static GENERATION: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static THREAD_LOCAL: RefCell<Option<RecordingStream>> = const { RefCell::new(None) };
}

/// The recording to log to: `explicit` if given, else the thread's default, else the
/// global default, else `None`.
pub fn get_data_recording(explicit: Option<&RecordingStream>) -> Option<RecordingStream> {
    explicit
        .cloned()
        .or_else(get_thread_local_data_recording)
        .or_else(get_global_data_recording)
}

/// The global default recording, if any.
pub fn get_global_data_recording() -> Option<RecordingStream> {
    GLOBAL.read().clone()
}

/// Replaces the global default recording; returns the previous one.
pub fn set_global_data_recording(recording: Option<RecordingStream>) -> Option<RecordingStream> {
    let previous = std::mem::replace(&mut *GLOBAL.write(), recording);
    GENERATION.fetch_add(1, Ordering::Release);
    previous
}

/// The calling thread's default recording, if any.
pub fn get_thread_local_data_recording() -> Option<RecordingStream> {
    THREAD_LOCAL.with(|t| t.borrow().clone())
}

/// Replaces the calling thread's default recording; returns the previous one.
pub fn set_thread_local_data_recording(
    recording: Option<RecordingStream>,
) -> Option<RecordingStream> {
    let previous = THREAD_LOCAL.with(|t| std::mem::replace(&mut *t.borrow_mut(), recording));
    GENERATION.fetch_add(1, Ordering::Release);
    previous
}

/// A number that changes whenever a default recording (any thread's, or the global one)
/// is replaced: a caller that remembers what [`get_data_recording`] returned may keep
/// using it while this stays the same (the Python package does, per thread).
pub fn defaults_generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Makes a recording the calling thread's default until dropped; then flushes it and
/// restores the previous default. Created by [`RecordingStream::enter`].
#[must_use = "the recording is the thread default only while the guard lives"]
pub struct RecordingScope {
    recording: RecordingStream,
    previous: Option<RecordingStream>,
    /// The guard restores *this thread's* default: it must not move to another thread.
    _not_send: PhantomData<*const ()>,
}

impl RecordingStream {
    /// Makes this recording the calling thread's default for the guard's lifetime (the
    /// Rust form of Python's `with rec:`).
    pub fn enter(&self) -> RecordingScope {
        let previous = set_thread_local_data_recording(Some(self.clone()));
        RecordingScope {
            recording: self.clone(),
            previous,
            _not_send: PhantomData,
        }
    }
}

impl Drop for RecordingScope {
    fn drop(&mut self) {
        let _ = self.recording.flush_blocking();
        set_thread_local_data_recording(self.previous.take());
    }
}

/// Defines free functions that resolve the recording and call the method of that name.
macro_rules! free_functions {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty = $method:ident, or $default:expr;
    )*) => {$(
        $(#[$doc])*
        ///
        /// Uses `recording` if given, else the default recording ([`get_data_recording`]);
        /// does nothing without one.
        pub fn $name($($arg: $ty,)* recording: Option<&RecordingStream>) -> $ret {
            match get_data_recording(recording) {
                Some(rec) => rec.$method($($arg),*),
                None => $default,
            }
        }
    )*};
}

free_functions! {
    /// Whether the recording is enabled (false without one).
    fn is_enabled() -> bool = is_enabled, or false;
    /// The recording's id.
    fn get_recording_id() -> Option<RecordingId> = recording_id, or None;
    /// Sets the calling thread's time on a sequence timeline.
    fn set_time_sequence(timeline: &str, sequence: i64) -> () = set_time_sequence, or ();
    /// Sets the calling thread's time in seconds on a time timeline.
    fn set_time_seconds(timeline: &str, seconds: f64) -> () = set_time_seconds, or ();
    /// Sets the calling thread's time in nanoseconds on a time timeline.
    fn set_time_nanos(timeline: &str, nanos: i64) -> () = set_time_nanos, or ();
    /// Sets the calling thread's time in nanoseconds on a duration timeline.
    fn set_time_duration_nanos(timeline: &str, nanos: i64) -> () = set_time_duration_nanos, or ();
    /// Stops stamping the calling thread's rows with a timeline.
    fn disable_timeline(timeline: &str) -> () = disable_timeline, or ();
    /// Clears the calling thread's time.
    fn reset_time() -> () = reset_time, or ();
    /// Delivers everything logged so far; with `blocking`, waits for the sink.
    fn flush(blocking: bool) -> () = flush, or ();
    /// Delivers everything and waits for the sink.
    fn flush_blocking() -> RecordingResult<()> = flush_blocking, or Ok(());
    /// Delivers everything, waiting at most `timeout`.
    fn flush_with_timeout(timeout: Duration) -> RecordingResult<()> = flush_with_timeout, or Ok(());
    /// Switches to a sink.
    fn set_sink(sink: Box<dyn LogSink>) -> () = set_sink, or ();
    /// Writes the recording to standard output from now on.
    fn stdout() -> RecordingResult<()> = stdout, or Ok(());
    /// Closes the sink and buffers again.
    fn disconnect() -> () = disconnect, or ();
}

/// Logs an archetype to the default recording (or `recording`).
pub fn log<AS: ?Sized + AsComponents>(
    entity_path: impl IntoEntityPath,
    data: &AS,
    recording: Option<&RecordingStream>,
) -> RecordingResult<()> {
    get_data_recording(recording).map_or(Ok(()), |rec| rec.log(entity_path, data))
}

/// Logs timeless data to the default recording (or `recording`).
pub fn log_timeless<AS: ?Sized + AsComponents>(
    entity_path: impl IntoEntityPath,
    data: &AS,
    recording: Option<&RecordingStream>,
) -> RecordingResult<()> {
    get_data_recording(recording).map_or(Ok(()), |rec| rec.log_timeless(entity_path, data))
}

/// Logs component batches to the default recording (or `recording`).
pub fn log_components(
    entity_path: impl IntoEntityPath,
    batches: impl IntoIterator<Item = ComponentBatch>,
    options: LogOptions,
    recording: Option<&RecordingStream>,
) -> RecordingResult<()> {
    get_data_recording(recording).map_or(Ok(()), |rec| {
        rec.log_components(entity_path, batches, options)
    })
}

/// Writes the default recording (or `recording`) to a file from now on.
pub fn save(path: impl AsRef<Path>, recording: Option<&RecordingStream>) -> RecordingResult<()> {
    get_data_recording(recording).map_or(Ok(()), |rec| rec.save(path))
}

/// Streams the default recording (or `recording`) to a reel server from now on.
pub fn connect(
    addr: Option<&str>,
    flush_timeout: Duration,
    recording: Option<&RecordingStream>,
) -> RecordingResult<()> {
    get_data_recording(recording).map_or(Ok(()), |rec| rec.connect(addr, flush_timeout))
}

/// Spawns (or reuses) a reel server for the default recording (or `recording`).
pub fn spawn(
    port: u16,
    connect: bool,
    memory_limit: &str,
    recording: Option<&RecordingStream>,
) -> RecordingResult<()> {
    get_data_recording(recording).map_or(Ok(()), |rec| rec.spawn(port, connect, memory_limit))
}

/// Keeps the default recording (or `recording`) in memory from now on.
pub fn memory_recording(recording: Option<&RecordingStream>) -> Option<MemoryRecording> {
    get_data_recording(recording).map(|rec| rec.memory())
}
