//! The micro-batcher: one thread per recording that groups rows into chunks and hands
//! them to the sink.
//!
//! Rows wait, grouped, on the threads that logged them ([`crate::rows`]); commands arrive
//! over a bounded channel. The batcher takes every group as a chunk when the tick passes or
//! before a command (flush, sink swap, message, shutdown) that needs everything logged
//! before it delivered first, and the groups that reached their thresholds when a logging
//! thread wakes it.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use parking_lot::{Condvar, Mutex};
use reel_core::{ArrowMsg, LogMsg, StoreId};

use crate::config::{BatcherConfig, OverflowPolicy};
use crate::rows::{Group, RowRegistry};
use crate::sink::{LogSink, Undelivered};
use crate::warn::warn;

/// What the recording asks of its batcher.
pub(crate) enum Command {
    /// Groups reached their thresholds: deliver them.
    Sealed,
    /// The memory bound is reached: deliver every group now instead of at the tick.
    Drain,
    /// Deliver everything pending and flush the sink; then send `done` what the sink could
    /// not deliver.
    Flush(Option<Sender<Result<(), Undelivered>>>),
    /// Deliver everything pending to the old sink, then switch (replaying its backlog).
    SetSink(Box<dyn LogSink>, Sender<()>),
    /// Deliver everything pending, then this message.
    Msg(LogMsg),
    /// Deliver everything, close the sink, end the thread.
    Shutdown(Sender<()>),
}

/// Bytes logged but not yet delivered — from the log call until the sink has them (for a
/// server: until it acknowledged them) — under the recording's memory bound.
///
/// When the bound is reached, [`OverflowPolicy::Block`] waits for room, but only while the
/// sink is up and draining, and at most [`BatcherConfig::block_timeout`] per call; past
/// that (or at once with [`OverflowPolicy::DropNewest`], or when the sink is down) the new
/// row is dropped. Dropping the newest keeps what is queued — the start of the recording,
/// with its static data — whole, and leaves one gap per episode. An episode starts with
/// the first drop (one warning) and ends when the bytes in flight fall to half the bound
/// (one warning with the counts); the totals are reported again when the recording closes.
pub(crate) struct FlightGauge {
    bytes: AtomicU64,
    max: u64,
    policy: OverflowPolicy,
    block_timeout: Duration,
    /// Names the recording in reports.
    label: String,
    waiters: AtomicUsize,
    lock: Mutex<()>,
    room: Condvar,
    /// The sink cannot take data now (no server connection, or only a buffer).
    sink_down: AtomicBool,
    /// A drop episode is under way: waiting is pointless until the sink drains.
    stalled: AtomicBool,
    episode: Mutex<Episode>,
    pub dropped_rows: AtomicU64,
    pub dropped_bytes: AtomicU64,
    /// Drops already told to a flush's caller.
    reported_rows: AtomicU64,
    reported_bytes: AtomicU64,
}

/// The drop episode under way.
#[derive(Default)]
struct Episode {
    started: Option<Instant>,
    rows: u64,
    bytes: u64,
}

impl FlightGauge {
    /// A gauge bounding bytes in flight at `max` under `policy`.
    pub fn new(label: String, max: u64, policy: OverflowPolicy, block_timeout: Duration) -> Self {
        Self {
            bytes: AtomicU64::new(0),
            max,
            policy,
            block_timeout,
            label,
            waiters: AtomicUsize::new(0),
            lock: Mutex::new(()),
            room: Condvar::new(),
            sink_down: AtomicBool::new(false),
            stalled: AtomicBool::new(false),
            episode: Mutex::new(Episode::default()),
            dropped_rows: AtomicU64::new(0),
            dropped_bytes: AtomicU64::new(0),
            reported_rows: AtomicU64::new(0),
            reported_bytes: AtomicU64::new(0),
        }
    }

    /// The bound.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Reserves `n` bytes under the bound. A row always fits when nothing is in flight, so
    /// a single row larger than the bound still goes through. Returns false when the row
    /// is dropped (counted and reported); see the type's docs for when.
    pub fn acquire(&self, n: u64) -> bool {
        if self.try_reserve(n) {
            return true;
        }
        let waits = self.policy == OverflowPolicy::Block
            && !self.sink_down.load(Ordering::Relaxed)
            && !self.stalled.load(Ordering::Relaxed);
        if waits {
            let deadline = Instant::now() + self.block_timeout;
            let mut guard = self.lock.lock();
            self.waiters.fetch_add(1, Ordering::SeqCst);
            let reserved = loop {
                if self.try_reserve(n) {
                    break true;
                }
                let now = Instant::now();
                if now >= deadline
                    || self.sink_down.load(Ordering::Relaxed)
                    || self.stalled.load(Ordering::Relaxed)
                {
                    break false;
                }
                // The timeout guards against a missed wake-up.
                let step = (deadline - now).min(Duration::from_millis(20));
                self.room.wait_for(&mut guard, step);
            };
            self.waiters.fetch_sub(1, Ordering::SeqCst);
            if reserved {
                return true;
            }
        }
        self.drop_row(n);
        false
    }

    /// Whether `n` more bytes fit under the bound now (without reserving them).
    pub fn has_room(&self, n: u64) -> bool {
        let cur = self.bytes.load(Ordering::Relaxed);
        cur == 0 || cur.saturating_add(n) <= self.max
    }

    fn try_reserve(&self, n: u64) -> bool {
        let mut cur = self.bytes.load(Ordering::Relaxed);
        while cur == 0 || cur.saturating_add(n) <= self.max {
            match self.bytes.compare_exchange_weak(
                cur,
                cur + n,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => cur = actual,
            }
        }
        false
    }

    /// Counts a dropped row of `n` bytes, starting an episode (with its one warning).
    pub fn drop_row(&self, n: u64) {
        self.dropped_rows.fetch_add(1, Ordering::Relaxed);
        self.dropped_bytes.fetch_add(n, Ordering::Relaxed);
        let mut episode = self.episode.lock();
        episode.rows += 1;
        episode.bytes += n;
        if episode.started.is_none() {
            episode.started = Some(Instant::now());
            self.stalled.store(true, Ordering::SeqCst);
            let why = if self.sink_down.load(Ordering::Relaxed) {
                "the sink cannot take data now (no server connection, or no sink set yet)"
            } else if self.policy == OverflowPolicy::Block {
                "the sink has not made room"
            } else {
                "the policy is DropNewest"
            };
            warn(format!(
                "recording {}: {} bytes are in flight, the memory bound, and {why}; dropping \
                 new rows until it drains (what is queued is kept)",
                self.label, self.max
            ));
        }
    }

    /// Counts `rows` rows of `bytes` bytes the receiver refused for good, and releases
    /// them: reported by the next flush like rows dropped under the bound, without
    /// starting a drop episode (nothing is wrong with the bound).
    pub fn count_refused(&self, rows: u64, bytes: u64) {
        self.dropped_rows.fetch_add(rows, Ordering::Relaxed);
        self.dropped_bytes.fetch_add(bytes, Ordering::Relaxed);
        self.release(bytes);
    }

    /// Adds `n` bytes without waiting: a sink re-counting what it holds until delivery.
    pub fn add(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::AcqRel);
    }

    /// Returns `n` delivered bytes; ends a drop episode once half the bound is free.
    pub fn release(&self, n: u64) {
        if n == 0 {
            return;
        }
        let now = self.bytes.fetch_sub(n, Ordering::AcqRel) - n;
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let _guard = self.lock.lock();
            self.room.notify_all();
        }
        if self.stalled.load(Ordering::Relaxed) && now <= self.max / 2 {
            self.end_episode();
        }
    }

    /// Returns `n` bytes a closing sink gave up on: they leave the gauge, but nothing
    /// drained, so a drop episode under way goes on (its rows are in the exit report).
    pub fn abandon(&self, n: u64) {
        self.bytes.fetch_sub(n, Ordering::AcqRel);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let _guard = self.lock.lock();
            self.room.notify_all();
        }
    }

    fn end_episode(&self) {
        let mut episode = self.episode.lock();
        if let Some(started) = episode.started.take() {
            self.stalled.store(false, Ordering::SeqCst);
            warn(format!(
                "recording {}: the sink drains again; {} rows ({} bytes) were dropped over {:.1} s",
                self.label,
                episode.rows,
                episode.bytes,
                started.elapsed().as_secs_f64()
            ));
            *episode = Episode::default();
        }
    }

    /// Marks the sink as unable (or able again) to take data: while down, rows beyond the
    /// bound are dropped without waiting.
    pub fn set_sink_down(&self, down: bool) {
        self.sink_down.store(down, Ordering::SeqCst);
        if down && self.waiters.load(Ordering::SeqCst) > 0 {
            let _guard = self.lock.lock();
            self.room.notify_all();
        }
    }

    /// Rows and bytes dropped since the last call (each drop is told once).
    pub fn take_unreported_drops(&self) -> (u64, u64) {
        let rows = self.dropped_rows.load(Ordering::Relaxed);
        let bytes = self.dropped_bytes.load(Ordering::Relaxed);
        let old_rows = self.reported_rows.swap(rows, Ordering::Relaxed);
        let old_bytes = self.reported_bytes.swap(bytes, Ordering::Relaxed);
        (
            rows.saturating_sub(old_rows),
            bytes.saturating_sub(old_bytes),
        )
    }

    /// Bytes currently in flight.
    pub fn in_flight(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

pub(crate) struct Batcher {
    config: BatcherConfig,
    store_id: StoreId,
    store_info: LogMsg,
    gauge: Arc<FlightGauge>,
    sink: Box<dyn LogSink>,
    /// Bytes the sink holds as a backlog (a buffer): still in flight.
    buffered_bytes: u64,
    /// The logging threads' rows.
    rows: Arc<RowRegistry>,
}

impl Batcher {
    pub fn new(
        config: BatcherConfig,
        store_info: LogMsg,
        gauge: Arc<FlightGauge>,
        rows: Arc<RowRegistry>,
        sink: Box<dyn LogSink>,
    ) -> Self {
        Self {
            config,
            store_id: store_info.store_id().clone(),
            store_info,
            gauge,
            sink,
            buffered_bytes: 0,
            rows,
        }
    }

    /// The thread's body: runs until shutdown or until every sender is gone.
    pub fn run(mut self, rx: Receiver<Command>) {
        self.gauge.set_sink_down(self.sink.is_buffer());
        self.sink.send(self.store_info.clone());
        let mut deadline = Instant::now().checked_add(self.tick());
        loop {
            let received = match deadline {
                Some(d) => rx.recv_deadline(d),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match received {
                Ok(Command::Sealed) => {
                    let sealed = self.rows.take(false);
                    self.deliver_all(sealed);
                }
                Ok(Command::Drain) => self.flush(),
                Ok(Command::Flush(done)) => {
                    self.flush();
                    let result = self.sink.flush_blocking();
                    if let Some(done) = done {
                        let _ = done.send(result);
                    }
                }
                Ok(Command::SetSink(sink, done)) => {
                    self.set_sink(sink);
                    // The new sink may want another tick (live vs. storing).
                    deadline = Instant::now().checked_add(self.tick());
                    let _ = done.send(());
                }
                Ok(Command::Msg(msg)) => {
                    self.flush();
                    self.sink.send(msg);
                }
                Ok(Command::Shutdown(done)) => {
                    self.close();
                    let _ = done.send(());
                    return;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    self.close();
                    return;
                }
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                self.flush();
                deadline = Instant::now().checked_add(self.tick());
            }
        }
    }

    /// The flush period for the current sink.
    fn tick(&self) -> Duration {
        if self.sink.stores() {
            self.config.storage_flush_tick
        } else {
            self.config.flush_tick
        }
    }

    /// Takes every group of every logging thread and delivers it as a chunk.
    fn flush(&mut self) {
        let groups = self.rows.take(true);
        self.deliver_all(groups);
    }

    fn deliver_all(&mut self, groups: Vec<Group>) {
        for group in groups {
            self.deliver(group);
        }
    }

    fn deliver(&mut self, group: Group) {
        if group.num_rows() == 0 {
            return;
        }
        let (path, bytes) = (group.entity_path().clone(), group.bytes);
        match group.into_chunk() {
            Ok(chunk) => self.sink.send(LogMsg::ArrowMsg(ArrowMsg {
                store_id: self.store_id.clone(),
                chunk: Arc::new(chunk),
            })),
            // Rows are validated when logged and grouped by schema; this is a bug.
            Err(e) => warn(format!(
                "dropping rows of {path} that do not form a chunk: {e}"
            )),
        }
        if self.sink.is_buffer() {
            self.buffered_bytes += bytes;
        } else {
            self.gauge.release(bytes);
        }
    }

    fn set_sink(&mut self, mut new: Box<dyn LogSink>) {
        self.flush();
        // The old sink delivers within its own timeout when it closes, and reports what
        // it could not.
        let backlog = self.sink.take_backlog();
        self.sink.close();
        let replays_info = backlog
            .iter()
            .any(|m| matches!(m, LogMsg::SetStoreInfo(s) if s.info.store_id == self.store_id));
        if !replays_info {
            new.send(self.store_info.clone());
        }
        for msg in backlog {
            new.send(msg);
        }
        self.sink = new;
        self.gauge.set_sink_down(self.sink.is_buffer());
        if !self.sink.is_buffer() {
            self.gauge.release(std::mem::take(&mut self.buffered_bytes));
        }
    }

    fn close(&mut self) {
        // Rows logged from now on are refused (and released from the gauge) by their
        // threads: nothing is left waiting for a batcher that is gone.
        let groups = self.rows.close();
        self.deliver_all(groups);
        // Closing delivers (within the sink's timeout) and reports what it could not.
        self.sink.close();
    }
}
