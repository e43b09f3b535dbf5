//! [`Store`]: many recordings, each a [`ChunkStore`] behind its own lock, with their
//! [`StoreInfo`] and the subscribers that follow every change.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use reel_core::{BlueprintActivation, Chunk, LogMsg, StoreId, StoreInfo};

use crate::chunk_store::{ChunkStore, ChunkStoreEvent, CompactionConfig, GcOrder, GcReport};
use crate::stored::StoredChunk;

/// What [`Store::load`] read.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Messages applied.
    pub messages: u64,
    /// Bytes of the frames applied.
    pub bytes: u64,
    /// What stopped reading early, if anything.
    pub error: Option<reel_format::DecodeError>,
}

/// What [`Store::enforce_limit`] dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LimitReport {
    /// Over all recordings (`reached_target`: whether the limit holds now).
    pub total: GcReport,
    /// Per recording that lost data.
    pub per_recording: BTreeMap<StoreId, GcReport>,
}

/// One recording's contents at one instant.
#[derive(Clone, Debug)]
pub struct RecordingSnapshot {
    /// The recording.
    pub store_id: StoreId,
    /// Its info, once known.
    pub info: Option<StoreInfo>,
    /// Its chunks, static first, then by age.
    pub chunks: Vec<Arc<Chunk>>,
}

/// A change to a [`Store`].
#[derive(Clone, Debug)]
pub enum StoreEvent {
    /// A recording's info was set (first, or again).
    Info(StoreInfo),
    /// A chunk entered or left a recording.
    Chunk(ChunkStoreEvent),
}

/// Something that follows a store's changes. It is called synchronously, under the changed
/// recording's write lock, so it must be quick and must not query the store: copy what it
/// needs and hand it to another thread.
pub type Subscriber = Box<dyn Fn(&StoreEvent) + Send + Sync>;

/// Identifies a subscription, to end it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubscriptionId(u64);

/// One recording: its info and its chunks.
#[derive(Debug)]
pub struct Recording {
    info: RwLock<Option<StoreInfo>>,
    data: RwLock<ChunkStore>,
}

impl Recording {
    /// The recording's info, once known.
    pub fn info(&self) -> Option<StoreInfo> {
        self.info.read().clone()
    }

    /// Read access to the chunks: many readers at once; writers wait only for the index
    /// update of one insert, never for a whole load.
    pub fn read(&self) -> parking_lot::RwLockReadGuard<'_, ChunkStore> {
        self.data.read()
    }
}

#[derive(Default)]
struct Subscribers {
    next: u64,
    list: Vec<(SubscriptionId, Arc<Subscriber>)>,
}

/// Recordings by id, with subscribers.
#[derive(Default)]
pub struct Store {
    recordings: RwLock<BTreeMap<StoreId, Arc<Recording>>>,
    /// Blueprint activations, in arrival order (they are not data: kept as they came).
    activations: Mutex<Vec<BlueprintActivation>>,
    subscribers: Mutex<Subscribers>,
    compaction: CompactionConfig,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("recordings", &self.recordings.read().len())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// An empty store that compacts with `compaction`.
    pub fn new(compaction: CompactionConfig) -> Self {
        Self {
            compaction,
            ..Self::default()
        }
    }

    /// The recording `id`, if it exists.
    pub fn recording(&self, id: &StoreId) -> Option<Arc<Recording>> {
        self.recordings.read().get(id).cloned()
    }

    /// The ids of every recording.
    pub fn recording_ids(&self) -> Vec<StoreId> {
        self.recordings.read().keys().cloned().collect()
    }

    /// The recording `id`, created empty if needed.
    pub fn recording_or_create(&self, id: &StoreId) -> Arc<Recording> {
        if let Some(r) = self.recording(id) {
            return r;
        }
        self.recordings
            .write()
            .entry(id.clone())
            .or_insert_with(|| {
                Arc::new(Recording {
                    info: RwLock::new(None),
                    data: RwLock::new(ChunkStore::new(id.clone(), self.compaction)),
                })
            })
            .clone()
    }

    /// Adds a subscriber. It sees every change from now on; to also see what the store
    /// already holds without gaps, use [`Self::subscribe_with_snapshot`].
    pub fn subscribe(&self, subscriber: Subscriber) -> SubscriptionId {
        let mut subs = self.subscribers.lock();
        let id = SubscriptionId(subs.next);
        subs.next += 1;
        subs.list.push((id, Arc::new(subscriber)));
        id
    }

    /// Adds a subscriber and returns what recording `store_id` holds at that instant: no
    /// change is missed or seen twice between the snapshot and the first event.
    pub fn subscribe_with_snapshot(
        &self,
        store_id: &StoreId,
        subscriber: Subscriber,
    ) -> (SubscriptionId, Option<StoreInfo>, Vec<Arc<Chunk>>) {
        let recording = self.recording_or_create(store_id);
        // Holding the write lock keeps inserts out while the subscriber joins.
        let data = recording.data.write();
        let id = self.subscribe(subscriber);
        let info = recording.info();
        (id, info, data.chunks_in_order())
    }

    /// Ends a subscription.
    pub fn unsubscribe(&self, id: SubscriptionId) {
        self.subscribers.lock().list.retain(|(s, _)| *s != id);
    }

    /// How many subscribers follow this store.
    pub fn subscriber_count(&self) -> usize {
        self.subscribers.lock().list.len()
    }

    fn notify(&self, event: &StoreEvent) {
        let subscribers: Vec<Arc<Subscriber>> = self
            .subscribers
            .lock()
            .list
            .iter()
            .map(|(_, s)| s.clone())
            .collect();
        for subscriber in subscribers {
            subscriber(event);
        }
    }

    /// Sets a recording's info.
    pub fn set_info(&self, info: StoreInfo) {
        let recording = self.recording_or_create(&info.store_id);
        let _data = recording.data.write();
        *recording.info.write() = Some(info.clone());
        self.notify(&StoreEvent::Info(info));
    }

    /// Inserts a chunk into recording `store_id`. The chunk's sort orders and byte counts
    /// are computed before the lock is taken. Returns the number of events it caused.
    pub fn insert(&self, store_id: &StoreId, chunk: Arc<Chunk>) -> usize {
        let stored = StoredChunk::new(chunk);
        let recording = self.recording_or_create(store_id);
        let mut data = recording.data.write();
        let events = data.insert(stored);
        for event in &events {
            self.notify(&StoreEvent::Chunk(event.clone()));
        }
        events.len()
    }

    /// Inserts chunks into recording `store_id` under one write lock (prepared before it is
    /// taken): readers that hold the lock for a whole frame then delay a batch, not every
    /// chunk. Returns the number of events caused.
    pub fn insert_batch(&self, store_id: &StoreId, chunks: Vec<Arc<Chunk>>) -> usize {
        if chunks.is_empty() {
            return 0;
        }
        let stored: Vec<StoredChunk> = chunks.into_iter().map(StoredChunk::new).collect();
        let recording = self.recording_or_create(store_id);
        let mut data = recording.data.write();
        let mut count = 0;
        for chunk in stored {
            for event in data.insert(chunk) {
                self.notify(&StoreEvent::Chunk(event));
                count += 1;
            }
        }
        count
    }

    /// Applies messages in order, inserting runs of chunks of one recording as a batch.
    pub fn apply_all(&self, msgs: &[LogMsg]) {
        let mut run: Vec<Arc<Chunk>> = Vec::new();
        let mut run_store: Option<&StoreId> = None;
        for msg in msgs {
            match msg {
                LogMsg::ArrowMsg(arrow) if run_store.is_none_or(|s| *s == arrow.store_id) => {
                    run_store = Some(&arrow.store_id);
                    run.push(arrow.chunk.clone());
                }
                _ => {
                    if let Some(id) = run_store.take() {
                        self.insert_batch(id, std::mem::take(&mut run));
                    }
                    match msg {
                        LogMsg::ArrowMsg(arrow) => {
                            run_store = Some(&arrow.store_id);
                            run.push(arrow.chunk.clone());
                        }
                        other => self.apply(other),
                    }
                }
            }
        }
        if let Some(id) = run_store {
            self.insert_batch(id, run);
        }
    }

    /// Applies a log message: infos are set, chunks inserted, blueprint activations kept.
    pub fn apply(&self, msg: &LogMsg) {
        match msg {
            LogMsg::SetStoreInfo(info) => self.set_info(info.info.clone()),
            LogMsg::ArrowMsg(arrow) => {
                self.insert(&arrow.store_id, arrow.chunk.clone());
            }
            LogMsg::BlueprintActivation(activation) => {
                self.activations.lock().push(activation.clone());
            }
        }
    }

    /// Every blueprint activation applied so far, in order.
    pub fn blueprint_activations(&self) -> Vec<BlueprintActivation> {
        self.activations.lock().clone()
    }

    /// Reads a reel stream (a file, a socket, bytes) into the store. Everything before the
    /// first damage is kept; the damage is returned in the report, not as a failure.
    pub fn load(&self, reader: impl std::io::Read) -> LoadReport {
        // Inserted in batches (bounded in count and bytes), so a reader holding the lock for
        // a while slows loading per batch, not per message.
        const BATCH_MESSAGES: usize = 256;
        const BATCH_BYTES: u64 = 16 << 20;
        let mut decoder = reel_format::Decoder::new(std::io::BufReader::new(reader));
        let mut report = LoadReport::default();
        let mut batch = Vec::new();
        let mut batch_bytes = 0;
        while let Some(next) = decoder.next_message() {
            match next {
                Ok(decoded) => {
                    report.messages += 1;
                    report.bytes += decoded.frame_bytes;
                    batch_bytes += decoded.frame_bytes;
                    batch.push(decoded.msg);
                    if batch.len() >= BATCH_MESSAGES || batch_bytes >= BATCH_BYTES {
                        self.apply_all(&batch);
                        batch.clear();
                        batch_bytes = 0;
                    }
                }
                Err(err) => {
                    report.error = Some(err);
                    break;
                }
            }
        }
        self.apply_all(&batch);
        report
    }

    /// Runs every pending merge of every recording.
    pub fn compact(&self) {
        for id in self.recording_ids() {
            if let Some(recording) = self.recording(&id) {
                let mut data = recording.data.write();
                for event in data.compact() {
                    self.notify(&StoreEvent::Chunk(event));
                }
            }
        }
    }

    /// Exact bytes held across recordings.
    pub fn bytes(&self) -> usize {
        self.recordings
            .read()
            .values()
            .map(|r| r.data.read().bytes())
            .sum()
    }

    /// Drops temporal data, from the largest recording first, until all recordings
    /// together hold at most `limit` bytes or `budget` has passed. Returns what was dropped,
    /// in total and per recording.
    pub fn enforce_limit(&self, limit: usize, order: &GcOrder, budget: Duration) -> LimitReport {
        let started = web_time::Instant::now();
        let mut out = LimitReport::default();
        loop {
            let sizes: Vec<(usize, StoreId, Arc<Recording>)> = self
                .recordings
                .read()
                .iter()
                .map(|(id, r)| (r.data.read().bytes(), id.clone(), r.clone()))
                .collect();
            let held: usize = sizes.iter().map(|(b, _, _)| b).sum();
            if held <= limit {
                out.total.reached_target = true;
                return out;
            }
            let Some((largest, id, recording)) = sizes.into_iter().max_by_key(|(b, _, _)| *b)
            else {
                return out;
            };
            let target = largest.saturating_sub(held - limit);
            let remaining = budget.saturating_sub(started.elapsed());
            let mut data = recording.data.write();
            let (report, events) = data.gc(target, order, remaining);
            for event in events {
                self.notify(&StoreEvent::Chunk(event));
            }
            drop(data);
            let entry = out.per_recording.entry(id).or_default();
            for r in [&mut out.total, entry] {
                r.chunks += report.chunks;
                r.rows += report.rows;
                r.bytes += report.bytes;
            }
            if report.chunks == 0 || started.elapsed() >= budget {
                out.total.reached_target = false;
                return out;
            }
        }
    }

    /// Adds a subscriber and returns every recording's info and chunks at that instant:
    /// no change is missed or seen twice between the snapshot and the first event.
    pub fn subscribe_with_snapshot_all(
        &self,
        subscriber: Subscriber,
    ) -> (SubscriptionId, Vec<RecordingSnapshot>) {
        // Holding the map's write lock keeps new recordings out, and every recording's
        // write lock keeps inserts out, while the subscriber joins. Inserts take one
        // recording lock and never the map lock while holding it, so this cannot deadlock.
        let recordings = self.recordings.write();
        let guards: Vec<_> = recordings
            .iter()
            .map(|(id, r)| (id, r, r.data.write()))
            .collect();
        let id = self.subscribe(subscriber);
        let snapshots = guards
            .iter()
            .map(|(store_id, r, data)| RecordingSnapshot {
                store_id: (*store_id).clone(),
                info: r.info(),
                chunks: data.chunks_in_order(),
            })
            .collect();
        drop(guards);
        drop(recordings);
        (id, snapshots)
    }
}
