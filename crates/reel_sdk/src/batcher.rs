//! The micro-batcher: one thread per recording that groups rows into chunks and hands
//! them to the sink.
//!
//! Rows arrive over a bounded channel in the order they were logged. Rows of one entity,
//! timeline set and component schema are grouped; all groups are flushed as chunks when
//! the tick passes, the pending bytes or rows reach their thresholds, or a command
//! (flush, sink swap, message, shutdown) needs everything before it delivered first.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use parking_lot::{Condvar, Mutex};
use reel_core::arrow_schema::DataType;
use reel_core::{ArrowMsg, Chunk, ChunkRow, ComponentName, EntityPath, LogMsg, StoreId, Timeline};

use crate::config::{BatcherConfig, OverflowPolicy};
use crate::sink::LogSink;
use crate::warn::warn;

/// A row on its way to the batcher.
pub(crate) struct PendingRow {
    pub entity_path: EntityPath,
    pub row: ChunkRow,
    /// Estimated bytes, counted against the memory bound until delivered.
    pub bytes: u64,
}

/// What the recording asks of its batcher.
pub(crate) enum Command {
    Row(PendingRow),
    /// Deliver everything pending and flush the sink; then signal `done`.
    Flush(Option<Sender<()>>),
    /// Deliver everything pending to the old sink, then switch (replaying its backlog).
    SetSink(Box<dyn LogSink>, Sender<()>),
    /// Deliver everything pending, then this message.
    Msg(LogMsg),
    /// Deliver everything, close the sink, end the thread.
    Shutdown(Sender<()>),
}

/// Bytes logged but not yet delivered, with the bound's policy and drop counters.
#[derive(Default)]
pub(crate) struct FlightGauge {
    bytes: AtomicU64,
    waiters: AtomicUsize,
    lock: Mutex<()>,
    room: Condvar,
    pub dropped_rows: AtomicU64,
    pub dropped_bytes: AtomicU64,
}

impl FlightGauge {
    /// Reserves `n` bytes under `max`. A row always fits when nothing is in flight, so a
    /// single row larger than the bound still goes through. Returns false when the row is
    /// dropped (policy [`OverflowPolicy::DropNewest`]).
    pub fn acquire(&self, n: u64, max: u64, policy: OverflowPolicy) -> bool {
        let mut cur = self.bytes.load(Ordering::Relaxed);
        loop {
            if cur == 0 || cur.saturating_add(n) <= max {
                match self.bytes.compare_exchange_weak(
                    cur,
                    cur + n,
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return true,
                    Err(actual) => {
                        cur = actual;
                        continue;
                    }
                }
            }
            match policy {
                OverflowPolicy::DropNewest => {
                    self.dropped_rows.fetch_add(1, Ordering::Relaxed);
                    self.dropped_bytes.fetch_add(n, Ordering::Relaxed);
                    return false;
                }
                OverflowPolicy::Block => {
                    let mut guard = self.lock.lock();
                    self.waiters.fetch_add(1, Ordering::SeqCst);
                    // Re-check under the lock; the timeout guards against a missed wake-up.
                    let now = self.bytes.load(Ordering::SeqCst);
                    if !(now == 0 || now.saturating_add(n) <= max) {
                        self.room
                            .wait_for(&mut guard, std::time::Duration::from_millis(20));
                    }
                    self.waiters.fetch_sub(1, Ordering::SeqCst);
                    cur = self.bytes.load(Ordering::Relaxed);
                }
            }
        }
    }

    /// Returns `n` delivered bytes.
    pub fn release(&self, n: u64) {
        if n == 0 {
            return;
        }
        self.bytes.fetch_sub(n, Ordering::AcqRel);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let _guard = self.lock.lock();
            self.room.notify_all();
        }
    }

    /// Bytes currently in flight.
    pub fn in_flight(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

/// Rows grouped for one chunk.
struct Group {
    entity_path: EntityPath,
    rows: Vec<ChunkRow>,
    bytes: u64,
}

type GroupKey = (EntityPath, Vec<Timeline>, Vec<(ComponentName, DataType)>);

fn group_key(row: &PendingRow) -> GroupKey {
    (
        row.entity_path.clone(),
        row.row.timepoint.timelines().cloned().collect(),
        row.row
            .components
            .iter()
            .map(|c| (c.name().clone(), c.datatype().clone()))
            .collect(),
    )
}

pub(crate) struct Batcher {
    config: BatcherConfig,
    store_id: StoreId,
    store_info: LogMsg,
    gauge: Arc<FlightGauge>,
    sink: Box<dyn LogSink>,
    /// Bytes the sink holds as a backlog (a buffer): still in flight.
    buffered_bytes: u64,
    groups: Vec<Group>,
    index: HashMap<GroupKey, usize>,
    pending_bytes: u64,
    pending_rows: u64,
}

impl Batcher {
    pub fn new(
        config: BatcherConfig,
        store_info: LogMsg,
        gauge: Arc<FlightGauge>,
        sink: Box<dyn LogSink>,
    ) -> Self {
        Self {
            config,
            store_id: store_info.store_id().clone(),
            store_info,
            gauge,
            sink,
            buffered_bytes: 0,
            groups: Vec::new(),
            index: HashMap::new(),
            pending_bytes: 0,
            pending_rows: 0,
        }
    }

    /// The thread's body: runs until shutdown or until every sender is gone.
    pub fn run(mut self, rx: Receiver<Command>) {
        self.sink.send(self.store_info.clone());
        let tick = self.config.flush_tick;
        let mut deadline = Instant::now().checked_add(tick);
        loop {
            let received = match deadline {
                Some(d) => rx.recv_deadline(d),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match received {
                Ok(Command::Row(row)) => {
                    self.add(row);
                    if self.pending_bytes >= self.config.flush_num_bytes
                        || self.pending_rows >= self.config.flush_num_rows
                    {
                        self.flush();
                    }
                }
                Ok(Command::Flush(done)) => {
                    self.flush();
                    self.sink.flush_blocking();
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                }
                Ok(Command::SetSink(sink, done)) => {
                    self.set_sink(sink);
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
                deadline = Instant::now().checked_add(tick);
            }
        }
    }

    fn add(&mut self, row: PendingRow) {
        self.pending_bytes += row.bytes;
        self.pending_rows += 1;
        let key = group_key(&row);
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.groups.push(Group {
                    entity_path: row.entity_path.clone(),
                    rows: Vec::new(),
                    bytes: 0,
                });
                self.index.insert(key, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let group = &mut self.groups[i];
        group.rows.push(row.row);
        group.bytes += row.bytes;
    }

    /// Turns every group into a chunk and delivers it.
    fn flush(&mut self) {
        self.index.clear();
        self.pending_bytes = 0;
        self.pending_rows = 0;
        for group in std::mem::take(&mut self.groups) {
            match Chunk::from_rows(group.entity_path.clone(), group.rows) {
                Ok(chunk) => self.sink.send(LogMsg::ArrowMsg(ArrowMsg {
                    store_id: self.store_id.clone(),
                    chunk: Arc::new(chunk),
                })),
                // Rows are validated when logged and grouped by schema; this is a bug.
                Err(e) => warn(format!(
                    "dropping rows of {} that do not form a chunk: {e}",
                    group.entity_path
                )),
            }
            if self.sink.is_buffer() {
                self.buffered_bytes += group.bytes;
            } else {
                self.gauge.release(group.bytes);
            }
        }
    }

    fn set_sink(&mut self, mut new: Box<dyn LogSink>) {
        self.flush();
        self.sink.flush_blocking();
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
        if !self.sink.is_buffer() {
            self.gauge.release(std::mem::take(&mut self.buffered_bytes));
        }
    }

    fn close(&mut self) {
        self.flush();
        self.sink.flush_blocking();
        self.sink.close();
    }
}
