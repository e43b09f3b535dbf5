//! [`RecordingStream`]: the handle a program logs through, and its builder.
//!
//! A log call validates its input, stamps the row with a [`RowId`] and the calling thread's
//! time for this recording, reserves its bytes under the memory bound and hands it to the
//! recording's batcher thread. It does no I/O and takes no global lock.

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, LazyLock, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{SendTimeoutError, Sender};
use parking_lot::Mutex;
use reel_core::{
    ApplicationId, AsComponents, ComponentBatch, EntityPath, EntityPathError, LogMsg, RecordingId,
    RowId, SetStoreInfo, StoreInfo, StoreSource, TimeInt, TimePoint, TimeType, Timeline,
};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::batcher::{Batcher, Command, FlightGauge};
use crate::config::{self, BatcherConfig};
use crate::memory::MemoryRecording;
use crate::process;
use crate::rows::{Added, GroupLimits, PendingRow, RowRegistry, SharedRows};
use crate::sink::{BufferedSink, FileSink, LogSink, SinkError, StdoutSink};
use crate::warn::{warn, warn_once};

/// Capacity of the command channel to the batcher (rows do not travel it).
const CHANNEL_CAPACITY: usize = 1024;

/// What can go wrong with a recording.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    /// An entity path that does not parse (strict mode).
    #[error("invalid entity path {path:?}: {source}")]
    InvalidEntityPath {
        /// The path as given.
        path: String,
        /// Where and why it does not parse.
        source: EntityPathError,
    },
    /// A batch whose length is neither the instance count, 1 (splat) nor 0 (clear).
    #[error(
        "{entity_path}: component {component} has {len} instances, but the row has \
         {num_instances} (a batch must have that many, 1 to splat, or 0 to clear)"
    )]
    InstanceCountMismatch {
        /// The entity logged to.
        entity_path: EntityPath,
        /// The offending component.
        component: String,
        /// Its length.
        len: usize,
        /// The row's instance count.
        num_instances: usize,
    },
    /// The same component twice in one log call.
    #[error("{entity_path}: component {component} is given twice")]
    DuplicateComponent {
        /// The entity logged to.
        entity_path: EntityPath,
        /// The repeated component.
        component: String,
    },
    /// Data that does not form a valid archetype (strict mode).
    #[error("{entity_path}: {source}")]
    Invalid {
        /// The entity logged to.
        entity_path: String,
        /// What is wrong.
        source: reel_types::ValidationError,
    },
    /// A file to log could not be read (strict mode).
    #[error("cannot read {path}: {source}")]
    ReadFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A server could not be spawned.
    #[error(transparent)]
    Spawn(#[from] crate::spawn::SpawnError),
    /// A flush did not finish in time; what was logged and not yet delivered (or, for a
    /// server, acknowledged) then is still in flight.
    #[error("flush did not finish within {timeout:?}; {in_flight_bytes} bytes logged are not delivered yet")]
    FlushTimeout {
        /// The time given.
        timeout: Duration,
        /// Bytes in flight when it gave up (the recording's memory gauge).
        in_flight_bytes: u64,
    },
    /// A flush finished, but the sink could not deliver everything (a server that is
    /// unreachable or does not acknowledge in time, a failed file, rows dropped under the
    /// memory bound).
    #[error("flush could not deliver everything: {0}")]
    Undelivered(#[from] crate::sink::Undelivered),
    /// A sink could not be created.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// The recording's batcher thread could not be started.
    #[error("cannot start the batcher thread: {0}")]
    SpawnBatcher(std::io::Error),
}

/// Result of recording operations.
pub type RecordingResult<T> = Result<T, RecordingError>;

/// Per-call options of [`RecordingStream::log_components`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// The row's instance count; defaults to the longest batch.
    pub num_instances: Option<usize>,
    /// Log without time: the data holds for every point on every timeline.
    pub timeless: bool,
    /// Overrides the recording's strict mode for this call.
    pub strict: Option<bool>,
    /// Skips the instance-count rule (for archetypes whose batches count different
    /// things, see [`AsComponents::instance_aligned`]).
    pub skip_instance_check: bool,
}

/// Counts of rows dropped under [`OverflowPolicy::DropNewest`](crate::OverflowPolicy::DropNewest).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DropStats {
    /// Rows dropped.
    pub rows: u64,
    /// Their estimated bytes.
    pub bytes: u64,
}

// ---------------------------------------------------------------------------------------
// Strict mode default

static STRICT: AtomicU8 = AtomicU8::new(0); // 0 = not yet read from the environment

/// The process-wide default for strict mode (`REEL_STRICT`, else off).
pub fn strict_mode() -> bool {
    match STRICT.load(Ordering::Relaxed) {
        0 => {
            let from_env = config::strict_from_env();
            STRICT.store(if from_env { 2 } else { 1 }, Ordering::Relaxed);
            from_env
        }
        v => v == 2,
    }
}

/// Sets the process-wide default for strict mode: in strict mode bad input to a log call
/// is an error; otherwise it is one warning and the row is dropped (or repaired, for
/// entity paths).
pub fn set_strict_mode(strict: bool) {
    STRICT.store(if strict { 2 } else { 1 }, Ordering::Relaxed);
}

// ---------------------------------------------------------------------------------------
// Entity path arguments

/// Anything a log call accepts as an entity path: `&str`, `String`, or an [`EntityPath`]
/// (which skips parsing).
pub trait IntoEntityPath: Sized {
    /// The path; on a strict-parse failure, the error and the forgiving parse.
    fn into_entity_path(self) -> Result<EntityPath, (EntityPathError, EntityPath, String)>;

    /// Calls `f` with the path, borrowed where it already exists (a path the thread
    /// parsed before): a log call then does not touch the path's reference count. On a
    /// strict-parse failure, `f` is not called.
    fn with_entity_path<R>(
        self,
        f: impl FnOnce(&EntityPath) -> R,
    ) -> Result<R, (EntityPathError, EntityPath, String)> {
        self.into_entity_path().map(|path| f(&path))
    }
}

impl IntoEntityPath for EntityPath {
    fn into_entity_path(self) -> Result<EntityPath, (EntityPathError, EntityPath, String)> {
        Ok(self)
    }
}

impl IntoEntityPath for &EntityPath {
    fn into_entity_path(self) -> Result<EntityPath, (EntityPathError, EntityPath, String)> {
        Ok(self.clone())
    }

    fn with_entity_path<R>(
        self,
        f: impl FnOnce(&EntityPath) -> R,
    ) -> Result<R, (EntityPathError, EntityPath, String)> {
        Ok(f(self))
    }
}

/// Most programs log to a handful of paths over and over: each thread remembers the
/// paths it parsed, so a repeated log call neither parses nor allocates, and rows of one
/// entity share one `EntityPath` (compared by pointer when grouped).
const PATH_CACHE_CAPACITY: usize = 4096;

thread_local! {
    static PATH_CACHE: RefCell<FxHashMap<Box<str>, EntityPath>> = RefCell::new(FxHashMap::default());
}

impl IntoEntityPath for &str {
    fn into_entity_path(self) -> Result<EntityPath, (EntityPathError, EntityPath, String)> {
        self.with_entity_path(EntityPath::clone)
    }

    fn with_entity_path<R>(
        self,
        f: impl FnOnce(&EntityPath) -> R,
    ) -> Result<R, (EntityPathError, EntityPath, String)> {
        PATH_CACHE.with(|c| {
            // The cache stays borrowed while `f` runs; a log call that `f` leads to (a
            // warning handed to a logger that logs) finds it busy and parses instead.
            if let Ok(cache) = c.try_borrow() {
                if let Some(path) = cache.get(self) {
                    return Ok(f(path));
                }
            }
            let path = EntityPath::parse_strict(self)
                .map_err(|e| (e, EntityPath::parse_forgiving(self), self.to_owned()))?;
            if let Ok(mut cache) = c.try_borrow_mut() {
                if cache.len() >= PATH_CACHE_CAPACITY {
                    cache.clear();
                }
                cache.insert(self.into(), path.clone());
            }
            Ok(f(&path))
        })
    }
}

impl IntoEntityPath for String {
    fn into_entity_path(self) -> Result<EntityPath, (EntityPathError, EntityPath, String)> {
        self.as_str().into_entity_path()
    }

    fn with_entity_path<R>(
        self,
        f: impl FnOnce(&EntityPath) -> R,
    ) -> Result<R, (EntityPathError, EntityPath, String)> {
        self.as_str().with_entity_path(f)
    }
}

impl IntoEntityPath for &String {
    fn into_entity_path(self) -> Result<EntityPath, (EntityPathError, EntityPath, String)> {
        self.as_str().into_entity_path()
    }

    fn with_entity_path<R>(
        self,
        f: impl FnOnce(&EntityPath) -> R,
    ) -> Result<R, (EntityPathError, EntityPath, String)> {
        self.as_str().with_entity_path(f)
    }
}

// ---------------------------------------------------------------------------------------
// Live recordings and per-thread time

static NEXT_KEY: AtomicU64 = AtomicU64::new(1);
static LIVE: Mutex<Vec<Weak<Inner>>> = Mutex::new(Vec::new());

/// One thread's time and pending rows for one recording.
#[derive(Default)]
struct ThreadState {
    /// The timelines the thread set, ordered, with their values.
    user: Vec<(Timeline, i64)>,
    /// The full timeline set of a row (user timelines, then the built-in ones), shared by
    /// every row until the set changes.
    set: Option<Arc<[Timeline]>>,
    /// The rows the thread logged that the batcher has not taken yet (registered with the
    /// recording on the first row).
    rows: Option<SharedRows>,
}

impl ThreadState {
    fn set(&mut self, name: &str, typ: TimeType, value: i64) {
        if let Some(entry) = self
            .user
            .iter_mut()
            .find(|(t, _)| t.typ() == typ && t.name().as_str() == name)
        {
            entry.1 = value;
            return;
        }
        self.user.retain(|(t, _)| t.name().as_str() != name);
        let timeline = Timeline::new(name, typ);
        let at = self.user.partition_point(|(t, _)| *t < timeline);
        self.user.insert(at, (timeline, value));
        self.set = None;
    }

    fn remove(&mut self, name: &str) {
        let before = self.user.len();
        self.user.retain(|(t, _)| t.name().as_str() != name);
        if self.user.len() != before {
            self.set = None;
        }
    }

    /// Builds the row's timeline set if the thread's timelines changed (kept in `set`),
    /// and puts the values of a row logged `now` (nanoseconds since the epoch) in
    /// `values`, built-in timelines included.
    fn stamp(&mut self, inner: &Inner, now: i64, values: &mut SmallVec<[i64; 4]>) {
        let user = &self.user;
        self.set.get_or_insert_with(|| {
            let mut set: Vec<Timeline> = user.iter().map(|(t, _)| t.clone()).collect();
            if inner.log_time {
                set.push(LOG_TIME.clone());
            }
            if inner.log_tick {
                set.push(LOG_TICK.clone());
            }
            set.into()
        });
        values.extend(user.iter().map(|(_, v)| *v));
        if inner.log_time {
            values.push(now);
        }
        if inner.log_tick {
            values.push(inner.tick.fetch_add(1, Ordering::Relaxed) as i64);
        }
    }

    fn timepoint(&self) -> TimePoint {
        self.user
            .iter()
            .map(|(t, v)| (t.clone(), TimeInt::new(*v)))
            .collect()
    }
}

thread_local! {
    /// The batches of the row being logged, kept between calls for their allocation.
    static BATCHES: Cell<Vec<ComponentBatch>> = const { Cell::new(Vec::new()) };

    /// This thread's time and rows per recording (by recording key): a thread logs to few
    /// recordings, so a small list beats hashing.
    static THREAD_STATE: RefCell<Vec<(u64, ThreadState)>> = const { RefCell::new(Vec::new()) };
}

/// This thread's time and rows for the recording `key`, created on first use.
fn thread_state_mut(times: &mut Vec<(u64, ThreadState)>, key: u64) -> &mut ThreadState {
    let i = match times.iter().position(|(k, _)| *k == key) {
        Some(i) => i,
        None => {
            times.push((key, ThreadState::default()));
            times.len() - 1
        }
    };
    &mut times[i].1
}

/// The timeline set of timeless rows.
static NO_TIMELINES: LazyLock<Arc<[Timeline]>> = LazyLock::new(|| Arc::from(Vec::new()));

static LOG_TIME: LazyLock<Timeline> = LazyLock::new(|| Timeline::new_time(Timeline::LOG_TIME));
static LOG_TICK: LazyLock<Timeline> = LazyLock::new(|| Timeline::new_sequence(Timeline::LOG_TICK));

/// Delivers everything and closes every live recording of this process (each bounded by
/// its exit flush timeout, with a report on stderr when that passes). The `atexit` hook
/// calls it; embedders whose runtime tears down earlier (Python's `atexit`) call it too.
pub fn shutdown_all() {
    shutdown_all_at_exit();
}

/// Shuts down every live recording of this process; called by the `atexit` hook.
pub(crate) fn shutdown_all_at_exit() {
    let Some(live) = LIVE.try_lock_for(Duration::from_millis(200)) else {
        return;
    };
    let recordings: Vec<Arc<Inner>> = live.iter().filter_map(Weak::upgrade).collect();
    drop(live);
    for inner in recordings {
        if inner.is_forked() {
            continue;
        }
        let timeout = inner.exit_flush_timeout;
        if inner.shutdown(Some(timeout)).is_err() {
            eprintln!(
                "[reel] recording {}: could not deliver everything within {timeout:?} at exit; \
                 {} bytes were still in flight",
                inner.info.store_id.id,
                inner.gauge.in_flight()
            );
        }
    }
}

struct Inner {
    key: u64,
    info: StoreInfo,
    strict: Option<bool>,
    log_time: bool,
    log_tick: bool,
    tick: AtomicU64,
    fork_generation: u64,
    tx: Sender<Command>,
    gauge: Arc<FlightGauge>,
    /// Every logging thread's pending rows, shared with the batcher.
    rows: Arc<RowRegistry>,
    /// When a group of rows goes to the batcher before the tick.
    limits: GroupLimits,
    thread: Mutex<Option<JoinHandle<()>>>,
    closed: AtomicBool,
    exit_flush_timeout: Duration,
}

impl Inner {
    #[inline]
    fn is_forked(&self) -> bool {
        process::fork_generation() != self.fork_generation
    }

    fn strict(&self) -> bool {
        self.strict.unwrap_or_else(strict_mode)
    }

    /// Sends a command that must arrive (blocking while the channel is full).
    fn command(&self, cmd: Command) -> bool {
        self.tx.send(cmd).is_ok()
    }

    /// Logs `components` as one row of `entity_path` (see
    /// [`RecordingStream::log_components`]): an invalid path is an error in strict mode,
    /// else repaired with one warning.
    fn log_row(
        &self,
        entity_path: impl IntoEntityPath,
        components: &[ComponentBatch],
        options: LogOptions,
    ) -> RecordingResult<()> {
        let strict = options.strict.unwrap_or_else(|| self.strict());
        match entity_path
            .with_entity_path(|path| self.log_row_at(path, components, options, strict))
        {
            Ok(result) => result,
            Err((source, repaired, path)) => {
                if strict {
                    return Err(RecordingError::InvalidEntityPath { path, source });
                }
                warn_once(
                    &format!("path:{path}"),
                    format!("invalid entity path {path:?} ({source}); logging to {repaired}"),
                );
                self.log_row_at(&repaired, components, options, strict)
            }
        }
    }

    /// Logs `components` as one row of the valid `entity_path`.
    fn log_row_at(
        &self,
        entity_path: &EntityPath,
        components: &[ComponentBatch],
        options: LogOptions,
        strict: bool,
    ) -> RecordingResult<()> {
        if components.is_empty() {
            return Ok(());
        }
        if let Err(e) = validate(
            entity_path,
            components,
            options.num_instances,
            options.skip_instance_check,
        ) {
            if strict {
                return Err(e);
            }
            warn_once(&format!("row:{e}"), format!("{e}; the row is not logged"));
            return Ok(());
        }

        // One clock read for the row id and the log_time timeline.
        let now = reel_core::time::now_nanos();
        THREAD_STATE.with(|t| {
            let mut threads = t.borrow_mut();
            let thread = thread_state_mut(&mut threads, self.key);
            let mut times = SmallVec::<[i64; 4]>::new();
            if !options.timeless {
                thread.stamp(self, now, &mut times);
            }
            let ThreadState { set, rows, .. } = thread;
            let timelines = match (options.timeless, set.as_ref()) {
                (false, Some(set)) => set,
                _ => &*NO_TIMELINES,
            };
            let rows = rows.get_or_insert_with(|| self.rows.register());
            let bytes = 16
                + 8 * times.len() as u64
                + components
                    .iter()
                    .map(|c| c.memory_size() as u64)
                    .sum::<u64>();
            self.send_row(
                rows,
                PendingRow {
                    entity_path,
                    row_id: RowId::new_at(now.max(0) as u64),
                    timelines,
                    times: &times,
                    components,
                    bytes,
                },
            );
        });
        Ok(())
    }

    /// Puts `row` with the calling thread's pending rows (`rows`), once its bytes are
    /// reserved under the memory bound.
    fn send_row(&self, rows: &SharedRows, row: PendingRow<'_>) {
        let bytes = row.bytes;
        if !self.gauge.has_room(bytes) {
            // Rows wait on their threads until the tick: deliver them now, so that room
            // is made before the bound's wait runs out.
            let _ = self.tx.try_send(Command::Drain);
        }
        if !self.gauge.acquire(bytes) {
            return;
        }
        match rows.lock().add(row, self.limits) {
            Added::Pending => {}
            // A full channel holds commands that all deliver every group anyway.
            Added::Sealed => drop(self.tx.try_send(Command::Sealed)),
            Added::Closed => self.gauge.release(bytes),
        }
    }

    /// Flushes; `Err(Undelivered)` says what the sink could not deliver, including rows
    /// dropped under the memory bound since the last flush.
    fn flush(&self, timeout: Option<Duration>) -> RecordingResult<()> {
        let (done_tx, done_rx) = crossbeam_channel::bounded(1);
        if !self.command(Command::Flush(Some(done_tx))) {
            return Ok(()); // Already shut down: everything was delivered then.
        }
        let sink_result = match timeout {
            None => done_rx.recv().unwrap_or(Ok(())),
            Some(t) => done_rx.recv_timeout(t).map_err(|_| self.flush_timeout(t))?,
        };
        let mut undelivered = sink_result.err().unwrap_or_default();
        let (rows, bytes) = self.gauge.take_unreported_drops();
        undelivered.dropped_rows += rows;
        undelivered.dropped_bytes += bytes;
        undelivered.into_result().map_err(RecordingError::from)
    }

    fn flush_timeout(&self, timeout: Duration) -> RecordingError {
        RecordingError::FlushTimeout {
            timeout,
            in_flight_bytes: self.gauge.in_flight(),
        }
    }

    /// Delivers everything, closes the sink and ends the batcher thread (once).
    fn shutdown(&self, timeout: Option<Duration>) -> RecordingResult<()> {
        if self.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let (done_tx, done_rx) = crossbeam_channel::bounded(1);
        let deadline = timeout.map(|t| Instant::now() + t);
        let queued = match deadline {
            None => self.command(Command::Shutdown(done_tx)),
            // A batcher that takes nothing until the deadline counts as not finishing.
            Some(d) => match self.tx.send_deadline(Command::Shutdown(done_tx), d) {
                Ok(()) => true,
                Err(SendTimeoutError::Timeout(_)) => {
                    return Err(self.flush_timeout(timeout.unwrap_or_default()))
                }
                Err(SendTimeoutError::Disconnected(_)) => false,
            },
        };
        if queued {
            let finished = match deadline {
                None => done_rx.recv().is_ok(),
                Some(d) => done_rx.recv_deadline(d).is_ok(),
            };
            if !finished {
                return Err(self.flush_timeout(timeout.unwrap_or_default()));
            }
        }
        if let Some(handle) = self.thread.lock().take() {
            let _ = handle.join();
        }
        let dropped = self.gauge.dropped_rows.load(Ordering::Relaxed);
        if dropped > 0 {
            warn(format!(
                "recording {}: in all, {dropped} rows ({} bytes) were dropped: beyond the \
                 memory bound of {} bytes in flight, or refused by the receiver",
                self.info.store_id.id,
                self.gauge.dropped_bytes.load(Ordering::Relaxed),
                self.gauge.max()
            ));
        }
        Ok(())
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.is_forked() {
            // The batcher thread did not survive the fork and its locks may be held forever:
            // touch nothing, deliver nothing (the parent delivers its own data).
            let (dummy, _) = crossbeam_channel::bounded(0);
            std::mem::forget(std::mem::replace(&mut self.tx, dummy));
            std::mem::forget(self.thread.get_mut().take());
            return;
        }
        let _ = self.shutdown(None);
    }
}

// ---------------------------------------------------------------------------------------
// The handle

/// A handle to a recording. Cheap to clone; clones share the recording; `Send + Sync`.
///
/// A disabled recording (`REEL=off`, or `enabled(false)`) makes every call a no-op.
/// Dropping the last handle delivers everything logged and closes the sink.
#[derive(Clone, Default)]
pub struct RecordingStream {
    inner: Option<Arc<Inner>>,
}

/// A non-owning reference to a recording (it does not keep the recording open).
#[derive(Clone, Default)]
pub struct WeakRecordingStream(Option<Weak<Inner>>);

impl WeakRecordingStream {
    /// The recording, if it is still open.
    pub fn upgrade(&self) -> Option<RecordingStream> {
        let inner = self.0.as_ref()?.upgrade()?;
        Some(RecordingStream { inner: Some(inner) })
    }
}

impl std::fmt::Debug for RecordingStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            Some(inner) => write!(
                f,
                "RecordingStream({} / {})",
                inner.info.application_id, inner.info.store_id.id
            ),
            None => f.write_str("RecordingStream(disabled)"),
        }
    }
}

impl PartialEq for RecordingStream {
    /// Two handles are equal when they share one recording (or are both disabled).
    fn eq(&self, other: &Self) -> bool {
        match (&self.inner, &other.inner) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl RecordingStream {
    /// A recording that ignores every call.
    pub fn disabled() -> Self {
        Self { inner: None }
    }

    /// The recording's state when it can take data: enabled, open, not inherited by fork.
    #[inline]
    fn active(&self) -> Option<&Inner> {
        let inner = self.inner.as_deref()?;
        (!inner.is_forked() && !inner.closed.load(Ordering::Relaxed)).then_some(inner)
    }

    /// A non-owning reference.
    pub fn downgrade(&self) -> WeakRecordingStream {
        WeakRecordingStream(self.inner.as_ref().map(Arc::downgrade))
    }

    /// Whether calls on this recording do anything: false when disabled, after the process
    /// forked (in the child), and after the recording was shut down.
    pub fn is_enabled(&self) -> bool {
        self.active().is_some()
    }

    /// The recording id, `None` for a disabled recording.
    pub fn recording_id(&self) -> Option<RecordingId> {
        Some(self.inner.as_ref()?.info.store_id.id.clone())
    }

    /// The application id, `None` for a disabled recording.
    pub fn application_id(&self) -> Option<ApplicationId> {
        Some(self.inner.as_ref()?.info.application_id.clone())
    }

    /// The store info the recording announced, `None` for a disabled recording.
    pub fn store_info(&self) -> Option<StoreInfo> {
        Some(self.inner.as_ref()?.info.clone())
    }

    /// Whether bad input is an error (true) or a warning (false) for this recording.
    pub fn is_strict(&self) -> bool {
        self.inner.as_ref().map_or_else(strict_mode, |i| i.strict())
    }

    /// Rows dropped so far under [`OverflowPolicy::DropNewest`](crate::OverflowPolicy::DropNewest).
    pub fn drop_stats(&self) -> DropStats {
        self.inner
            .as_ref()
            .map_or_else(DropStats::default, |i| DropStats {
                rows: i.gauge.dropped_rows.load(Ordering::Relaxed),
                bytes: i.gauge.dropped_bytes.load(Ordering::Relaxed),
            })
    }

    /// Bytes logged but not yet delivered to a sink (or held by the buffering sink).
    pub fn bytes_in_flight(&self) -> u64 {
        self.inner.as_ref().map_or(0, |i| i.gauge.in_flight())
    }

    // -- logging ------------------------------------------------------------------------

    /// Logs an archetype (or any [`AsComponents`]) at the calling thread's current time.
    pub fn log<AS: ?Sized + AsComponents>(
        &self,
        entity_path: impl IntoEntityPath,
        data: &AS,
    ) -> RecordingResult<()> {
        let options = LogOptions {
            skip_instance_check: !data.instance_aligned(),
            ..LogOptions::default()
        };
        self.log_with(
            entity_path,
            |out| data.append_component_batches(out),
            options,
        )
    }

    /// Logs data that holds for all time (on no timeline).
    pub fn log_timeless<AS: ?Sized + AsComponents>(
        &self,
        entity_path: impl IntoEntityPath,
        data: &AS,
    ) -> RecordingResult<()> {
        let options = LogOptions {
            timeless: true,
            skip_instance_check: !data.instance_aligned(),
            ..LogOptions::default()
        };
        self.log_with(
            entity_path,
            |out| data.append_component_batches(out),
            options,
        )
    }

    /// Logs component batches as one row.
    ///
    /// The row has `options.num_instances` instances, or as many as the longest batch. Each
    /// batch must have that many, 1 (a splat: one value for all), or 0 (clears the
    /// component). Anything else, a repeated component or an invalid entity path is an error
    /// in strict mode; otherwise it is one warning, and the row is dropped (an invalid path
    /// is repaired instead).
    pub fn log_components(
        &self,
        entity_path: impl IntoEntityPath,
        batches: impl IntoIterator<Item = ComponentBatch>,
        options: LogOptions,
    ) -> RecordingResult<()> {
        self.log_with(entity_path, |out| out.extend(batches), options)
    }

    /// Logs the batches `fill` appends to a buffer the calling thread reuses, so a log
    /// call allocates nothing of its own once its group exists.
    fn log_with(
        &self,
        entity_path: impl IntoEntityPath,
        fill: impl FnOnce(&mut Vec<ComponentBatch>),
        options: LogOptions,
    ) -> RecordingResult<()> {
        let Some(inner) = self.active() else {
            return Ok(());
        };
        // Taken, not borrowed: `fill` may run user code that logs too.
        let mut components = BATCHES.take();
        fill(&mut components);
        let result = inner.log_row(entity_path, &components, options);
        components.clear();
        BATCHES.set(components);
        result
    }

    /// Sends a ready-made message, in order with the rows logged before it.
    pub fn send_msg(&self, msg: LogMsg) {
        if let Some(inner) = self.active() {
            inner.command(Command::Msg(msg));
        }
    }

    // -- time -----------------------------------------------------------------------------

    fn with_thread_time(&self, f: impl FnOnce(&mut ThreadState)) {
        if let Some(inner) = self.active() {
            THREAD_STATE.with(|t| f(thread_state_mut(&mut t.borrow_mut(), inner.key)));
        }
    }

    /// Sets the calling thread's time on a sequence timeline (frame numbers, ticks).
    pub fn set_time_sequence(&self, timeline: &str, sequence: i64) {
        self.with_thread_time(|tp| tp.set(timeline, TimeType::Sequence, sequence));
    }

    /// Sets the calling thread's time on a time timeline, in seconds since the Unix epoch
    /// (or since any origin you choose).
    pub fn set_time_seconds(&self, timeline: &str, seconds: f64) {
        let nanos = TimeInt::from_seconds(seconds).as_i64();
        self.with_thread_time(|tp| tp.set(timeline, TimeType::Time, nanos));
    }

    /// Sets the calling thread's time on a time timeline, in nanoseconds.
    pub fn set_time_nanos(&self, timeline: &str, nanos: i64) {
        self.with_thread_time(|tp| tp.set(timeline, TimeType::Time, nanos));
    }

    /// Sets the calling thread's time on a duration timeline, in nanoseconds.
    pub fn set_time_duration_nanos(&self, timeline: &str, nanos: i64) {
        self.with_thread_time(|tp| tp.set(timeline, TimeType::Duration, nanos));
    }

    /// Stops stamping the calling thread's rows with `timeline`.
    pub fn disable_timeline(&self, timeline: &str) {
        self.with_thread_time(|tp| tp.remove(timeline));
    }

    /// Clears the calling thread's time on every timeline (the built-in `log_time` and
    /// `log_tick` go on).
    pub fn reset_time(&self) {
        self.with_thread_time(|tp| {
            tp.user.clear();
            tp.set = None;
        });
    }

    /// The calling thread's time for this recording (without the built-in timelines).
    pub fn thread_time(&self) -> TimePoint {
        match self.active() {
            Some(inner) => THREAD_STATE.with(|t| {
                t.borrow()
                    .iter()
                    .find(|(k, _)| *k == inner.key)
                    .map(|(_, time)| time.timepoint())
                    .unwrap_or_default()
            }),
            None => TimePoint::timeless(),
        }
    }

    // -- flushing -------------------------------------------------------------------------

    /// Delivers everything logged so far. With `blocking`, waits until the sink has it.
    pub fn flush(&self, blocking: bool) {
        if blocking {
            let _ = self.flush_blocking();
        } else if let Some(inner) = self.active() {
            inner.command(Command::Flush(None));
        }
    }

    /// Delivers everything logged so far and waits until the sink has it.
    pub fn flush_blocking(&self) -> RecordingResult<()> {
        self.active().map_or(Ok(()), |i| i.flush(None))
    }

    /// Like [`Self::flush_blocking`], giving up after `timeout`.
    pub fn flush_with_timeout(&self, timeout: Duration) -> RecordingResult<()> {
        self.active().map_or(Ok(()), |i| i.flush(Some(timeout)))
    }

    /// Delivers everything, closes the sink (a file gets its end frame) and turns the
    /// recording off for every handle. Dropping the last handle does the same.
    pub fn shutdown(&self) -> RecordingResult<()> {
        match &self.inner {
            Some(inner) if !inner.is_forked() => inner.shutdown(None),
            _ => Ok(()),
        }
    }

    // -- sinks --------------------------------------------------------------------------

    /// Switches to `sink`: rows logged before this call go to the old sink (or, if it was
    /// the buffer, are replayed into the new one first). Nothing is lost or reordered.
    pub fn set_sink(&self, sink: Box<dyn LogSink>) {
        if let Some(inner) = self.active() {
            let (done_tx, done_rx) = crossbeam_channel::bounded(1);
            if inner.command(Command::SetSink(sink, done_tx)) {
                let _ = done_rx.recv();
            }
        }
    }

    /// Writes the recording to a file from now on (with everything buffered so far).
    pub fn save(&self, path: impl AsRef<Path>) -> RecordingResult<()> {
        if self.active().is_some() {
            self.set_sink(Box::new(FileSink::create(path)?));
        }
        Ok(())
    }

    /// Writes the recording to standard output from now on.
    pub fn stdout(&self) -> RecordingResult<()> {
        if self.active().is_some() {
            self.set_sink(Box::new(StdoutSink::stdout()?));
        }
        Ok(())
    }

    /// Streams the recording to a reel server at `addr` (`"host:port"`, default
    /// `127.0.0.1:9876`) from now on, with everything buffered so far. Connecting happens in
    /// the background (buffering, within the memory bound, until a server listens); flushes
    /// wait at most `flush_timeout` for the server's acknowledgements.
    pub fn connect(&self, addr: Option<&str>, flush_timeout: Duration) -> RecordingResult<()> {
        if let Some(inner) = self.active() {
            let addr = crate::tcp::resolve_addr(addr)?;
            let sink = crate::tcp::TcpSink::new(addr, flush_timeout, inner.gauge.clone())?;
            self.set_sink(Box::new(sink));
        }
        Ok(())
    }

    /// Starts a reel server on `port` (or reuses one already listening there) with the
    /// given memory limit (`"75%"`, `"2GB"`), and with `connect` streams to it from now on.
    pub fn spawn(&self, port: u16, connect: bool, memory_limit: &str) -> RecordingResult<()> {
        let options = crate::spawn::SpawnOptions {
            port,
            memory_limit: memory_limit.to_owned(),
            ..Default::default()
        };
        self.spawn_with(&options, connect)
    }

    /// [`Self::spawn`] with every option.
    pub fn spawn_with(
        &self,
        options: &crate::spawn::SpawnOptions,
        connect: bool,
    ) -> RecordingResult<()> {
        if self.active().is_none() {
            return Ok(());
        }
        crate::spawn::spawn(options)?;
        if connect {
            let addr = crate::spawn::spawn_addr(options.port).to_string();
            self.connect(Some(&addr), Self::DEFAULT_FLUSH_TIMEOUT)?;
        }
        Ok(())
    }

    /// The default bound of a flush waiting for a server: 2 s.
    pub const DEFAULT_FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

    /// Keeps the recording in memory from now on; the returned handle reads it.
    pub fn memory(&self) -> MemoryRecording {
        let (memory, sink) = MemoryRecording::new(self.downgrade());
        self.set_sink(Box::new(sink));
        memory
    }

    /// Closes the current sink (after delivering everything to it) and buffers again
    /// until the next sink is set.
    pub fn disconnect(&self) {
        self.set_sink(Box::new(BufferedSink::new()));
    }
}

/// Checks instance counts and duplicates.
fn validate(
    entity_path: &EntityPath,
    components: &[ComponentBatch],
    num_instances: Option<usize>,
    skip_instance_check: bool,
) -> RecordingResult<()> {
    let n = num_instances.unwrap_or_else(|| components.iter().map(|c| c.len()).max().unwrap_or(0));
    for (i, c) in components.iter().enumerate() {
        let len = c.len();
        if !skip_instance_check && len != n && len > 1 {
            return Err(RecordingError::InstanceCountMismatch {
                entity_path: entity_path.clone(),
                component: c.name().to_string(),
                len,
                num_instances: n,
            });
        }
        if components[..i].iter().any(|o| o.name() == c.name()) {
            return Err(RecordingError::DuplicateComponent {
                entity_path: entity_path.clone(),
                component: c.name().to_string(),
            });
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The builder

/// Configures and creates a [`RecordingStream`].
#[derive(Clone, Debug)]
pub struct RecordingStreamBuilder {
    application_id: ApplicationId,
    recording_id: Option<RecordingId>,
    default_enabled: bool,
    enabled: Option<bool>,
    strict: Option<bool>,
    batcher_config: Option<BatcherConfig>,
    make_default: bool,
    make_thread_default: bool,
    log_time: bool,
    log_tick: bool,
    source: StoreSource,
    exit_flush_timeout: Duration,
}

impl RecordingStreamBuilder {
    /// The default bound on delivering a recording when the process exits.
    pub const DEFAULT_EXIT_FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

    /// A builder for a recording of `application_id`.
    pub fn new(application_id: impl Into<ApplicationId>) -> Self {
        Self {
            application_id: application_id.into(),
            recording_id: None,
            default_enabled: true,
            enabled: None,
            strict: None,
            batcher_config: None,
            make_default: false,
            make_thread_default: false,
            log_time: true,
            log_tick: true,
            source: StoreSource::rust_sdk(),
            exit_flush_timeout: Self::DEFAULT_EXIT_FLUSH_TIMEOUT,
        }
    }

    /// The recording id (default: `REEL_RECORDING_ID`, else a random UUIDv4). Processes
    /// that use one id log into one recording.
    pub fn recording_id(mut self, id: impl Into<RecordingId>) -> Self {
        self.recording_id = Some(id.into());
        self
    }

    /// Whether logging is on when `REEL` is not set (default true).
    pub fn default_enabled(mut self, default_enabled: bool) -> Self {
        self.default_enabled = default_enabled;
        self
    }

    /// Turns logging on or off regardless of `REEL`.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// Strict mode for this recording (default: the process-wide [`strict_mode`]).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = Some(strict);
        self
    }

    /// The batcher's thresholds and memory bound (default: [`BatcherConfig::from_env`]).
    pub fn batcher_config(mut self, config: BatcherConfig) -> Self {
        self.batcher_config = Some(config);
        self
    }

    /// Makes the new recording the global default.
    pub fn make_default(mut self, yes: bool) -> Self {
        self.make_default = yes;
        self
    }

    /// Makes the new recording the calling thread's default.
    pub fn make_thread_default(mut self, yes: bool) -> Self {
        self.make_thread_default = yes;
        self
    }

    /// Whether rows get the built-in `log_time` timeline (wall clock; default true).
    pub fn log_time(mut self, yes: bool) -> Self {
        self.log_time = yes;
        self
    }

    /// Whether rows get the built-in `log_tick` timeline (a counter; default true).
    pub fn log_tick(mut self, yes: bool) -> Self {
        self.log_tick = yes;
        self
    }

    /// Which SDK the store info names (the Python package sets its own).
    pub fn store_source(mut self, source: StoreSource) -> Self {
        self.source = source;
        self
    }

    /// How long process exit may wait to deliver this recording (default 5 s).
    pub fn exit_flush_timeout(mut self, timeout: Duration) -> Self {
        self.exit_flush_timeout = timeout;
        self
    }

    /// A recording that buffers until a sink is set.
    pub fn buffered(self) -> RecordingResult<RecordingStream> {
        self.build(Box::new(BufferedSink::new()))
    }

    /// A recording kept in memory.
    pub fn memory(self) -> RecordingResult<(RecordingStream, MemoryRecording)> {
        let rec = self.buffered()?;
        let memory = match rec.active() {
            Some(_) => rec.memory(),
            None => MemoryRecording::new(WeakRecordingStream::default()).0,
        };
        Ok((rec, memory))
    }

    /// A recording written to a file.
    pub fn save(self, path: impl AsRef<Path>) -> RecordingResult<RecordingStream> {
        if !self.is_enabled() {
            return self.build(Box::new(BufferedSink::new()));
        }
        let sink = FileSink::create(path)?;
        self.build(Box::new(sink))
    }

    /// A recording written to standard output.
    pub fn stdout(self) -> RecordingResult<RecordingStream> {
        if !self.is_enabled() {
            return self.build(Box::new(BufferedSink::new()));
        }
        let sink = StdoutSink::stdout()?;
        self.build(Box::new(sink))
    }

    /// A recording streamed to a reel server (see [`RecordingStream::connect`]).
    pub fn connect(
        self,
        addr: Option<&str>,
        flush_timeout: Duration,
    ) -> RecordingResult<RecordingStream> {
        let rec = self.buffered()?;
        rec.connect(addr, flush_timeout)?;
        Ok(rec)
    }

    /// A recording streamed to a spawned (or reused) reel server on `port`.
    pub fn spawn(self, port: u16, memory_limit: &str) -> RecordingResult<RecordingStream> {
        let rec = self.buffered()?;
        rec.spawn(port, true, memory_limit)?;
        Ok(rec)
    }

    /// A recording delivered to any sink.
    pub fn sink(self, sink: Box<dyn LogSink>) -> RecordingResult<RecordingStream> {
        self.build(sink)
    }

    fn is_enabled(&self) -> bool {
        self.enabled
            .unwrap_or_else(|| config::enabled_from_env(self.default_enabled))
    }

    fn build(self, sink: Box<dyn LogSink>) -> RecordingResult<RecordingStream> {
        let (make_default, make_thread_default) = (self.make_default, self.make_thread_default);
        let rec = if self.is_enabled() {
            RecordingStream {
                inner: Some(self.start(sink)?),
            }
        } else {
            RecordingStream::disabled()
        };
        if make_default {
            crate::global::set_global_data_recording(Some(rec.clone()));
        }
        if make_thread_default {
            crate::global::set_thread_local_data_recording(Some(rec.clone()));
        }
        Ok(rec)
    }

    fn start(self, sink: Box<dyn LogSink>) -> RecordingResult<Arc<Inner>> {
        process::install_hooks();
        let recording_id = self.recording_id.unwrap_or_else(|| {
            std::env::var(config::ENV_RECORDING_ID)
                .ok()
                .filter(|s| !s.is_empty())
                .map(RecordingId::new)
                .unwrap_or_else(RecordingId::random)
        });
        let mut info = StoreInfo::new_recording(self.application_id, recording_id);
        info.source = self.source;
        let config = self.batcher_config.unwrap_or_else(BatcherConfig::from_env);
        let gauge = Arc::new(FlightGauge::new(
            info.store_id.id.to_string(),
            config.max_bytes_in_flight,
            config.overflow,
            config.block_timeout,
        ));
        let (tx, rx) = crossbeam_channel::bounded(CHANNEL_CAPACITY);
        let info_msg = LogMsg::SetStoreInfo(SetStoreInfo {
            row_id: RowId::new(),
            info: info.clone(),
        });
        let rows = Arc::new(RowRegistry::default());
        let batcher = Batcher::new(config.clone(), info_msg, gauge.clone(), rows.clone(), sink);
        let thread = std::thread::Builder::new()
            .name(format!("reel-batcher-{}", info.store_id.id))
            .spawn(move || batcher.run(rx))
            .map_err(RecordingError::SpawnBatcher)?;
        let inner = Arc::new(Inner {
            key: NEXT_KEY.fetch_add(1, Ordering::Relaxed),
            info,
            strict: self.strict,
            log_time: self.log_time,
            log_tick: self.log_tick,
            tick: AtomicU64::new(0),
            fork_generation: process::fork_generation(),
            tx,
            gauge,
            rows,
            limits: GroupLimits {
                bytes: config.flush_num_bytes,
                rows: config.flush_num_rows,
            },
            thread: Mutex::new(Some(thread)),
            closed: AtomicBool::new(false),
            exit_flush_timeout: self.exit_flush_timeout,
        });
        let mut live = LIVE.lock();
        live.retain(|w| w.strong_count() > 0);
        live.push(Arc::downgrade(&inner));
        Ok(inner)
    }
}

/// Creates a recording of `application_id` that buffers until a sink is set, and makes it
/// the global default.
pub fn init(application_id: impl Into<ApplicationId>) -> RecordingResult<RecordingStream> {
    RecordingStreamBuilder::new(application_id)
        .make_default(true)
        .buffered()
}
