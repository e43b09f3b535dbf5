//! [`ChunkStore`]: the chunks of one recording and their indices, kept current under
//! inserts, compaction and garbage collection.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;
use web_time::Instant;

use arrow_array::Array;
use arrow_schema::DataType;
use reel_core::{Chunk, ChunkId, ComponentName, EntityPath, RowId, StoreId, TimeInt, Timeline};

use crate::cache::LatestAtCache;
use crate::entity_tree::EntityTree;
use crate::stored::StoredChunk;

/// How a store compacts small chunks.
///
/// Chunks of one entity with the same timelines and component schema are merged 16 at a
/// time (a leveled scheme: a merged chunk of 16 single rows later merges with 15 others of
/// its size), so each row is copied about log16(rows) times, never once per insert. Merging
/// stops at `max_rows` or `max_bytes`: 8192 rows keeps a latest-at scan of one chunk in the
/// microseconds and 1 MiB keeps the copy under the write lock short, while 600 entities x
/// 1000 single-row logs end as a handful of chunks per entity instead of 600,000.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompactionConfig {
    /// Whether to compact on insert at all.
    pub enabled: bool,
    /// Largest merged chunk, in rows.
    pub max_rows: usize,
    /// Largest merged chunk, in bytes.
    pub max_bytes: usize,
}

impl Default for CompactionConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_rows: 8192,
            max_bytes: 1024 * 1024,
        }
    }
}

/// How many same-level chunks merge into one.
const FANOUT: usize = 16;

/// Why a chunk entered or left the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeReason {
    /// Logged data arrived.
    Inserted,
    /// Compaction replaced chunks by their concatenation: the rows did not change.
    Compacted,
    /// Garbage collection dropped the chunk to respect a memory limit.
    GarbageCollected,
}

/// Whether a chunk entered or left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// The chunk is now in the store.
    Added,
    /// The chunk is no longer in the store.
    Removed,
}

/// One change to one recording, as subscribers see it.
#[derive(Clone, Debug)]
pub struct ChunkStoreEvent {
    /// The recording.
    pub store_id: StoreId,
    /// Added or removed.
    pub kind: ChangeKind,
    /// Why.
    pub reason: ChangeReason,
    /// The chunk.
    pub chunk: Arc<Chunk>,
    /// Increases by one with every event of this recording.
    pub generation: u64,
}

/// Which chunks garbage collection drops first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum GcOrder {
    /// The oldest logged first (by smallest row id).
    #[default]
    Oldest,
    /// Those furthest from `time` on `timeline` first (chunks not on it before all others).
    FurthestFrom {
        /// The timeline of the cursor.
        timeline: Timeline,
        /// The cursor.
        time: TimeInt,
    },
}

/// What a garbage collection pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Chunks dropped.
    pub chunks: u64,
    /// Rows dropped.
    pub rows: u64,
    /// Bytes freed.
    pub bytes: u64,
    /// Whether the target was reached (false: out of time or of droppable data).
    pub reached_target: bool,
}

/// Chunks that may merge: same entity, timelines and component schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct CompactionKey {
    entity: EntityPath,
    timelines: Vec<Timeline>,
    schema: Vec<(ComponentName, DataType)>,
}

impl CompactionKey {
    fn of(chunk: &Chunk) -> Self {
        Self {
            entity: chunk.entity_path().clone(),
            timelines: chunk.timelines().keys().cloned().collect(),
            schema: chunk
                .components()
                .iter()
                .map(|(n, l)| (n.clone(), l.data_type().clone()))
                .collect(),
        }
    }
}

/// The temporal chunks of one component on one timeline, by start time.
#[derive(Clone, Debug, Default)]
pub(crate) struct ComponentIndex {
    /// `(start, chunk) -> end`.
    pub(crate) by_start: BTreeMap<(TimeInt, ChunkId), TimeInt>,
    /// The widest `end - start` ever indexed: a chunk starting earlier than `t - max_span`
    /// cannot reach `t`. Never shrinks, which only costs a few extra looks.
    pub(crate) max_span: u64,
}

/// Clears of one entity on one timeline (or static ones), by `(time, RowId)`.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClearIndex {
    /// Every clear.
    pub(crate) all: BTreeSet<(TimeInt, RowId)>,
    /// Recursive clears only (they also hide descendants).
    pub(crate) recursive: BTreeSet<(TimeInt, RowId)>,
}

/// The indices of one entity.
#[derive(Clone, Debug, Default)]
pub(crate) struct EntityIndex {
    /// Static chunks, in arrival order.
    pub(crate) static_chunks: Vec<ChunkId>,
    /// Per component, the winning static row: `(row id, chunk, row)`.
    pub(crate) static_latest: BTreeMap<ComponentName, (RowId, ChunkId, u32)>,
    /// Per timeline and component, the temporal chunks.
    pub(crate) temporal: BTreeMap<Timeline, BTreeMap<ComponentName, ComponentIndex>>,
    /// Static clears: every one, recursive ones (by row id).
    pub(crate) static_clears: (Option<RowId>, Option<RowId>),
    /// Per timeline, the temporal clears.
    pub(crate) clears: BTreeMap<Timeline, ClearIndex>,
}

/// The chunks of one recording and everything needed to query them.
#[derive(Debug)]
pub struct ChunkStore {
    pub(crate) id: StoreId,
    pub(crate) chunks: HashMap<ChunkId, StoredChunk>,
    pub(crate) entities: BTreeMap<EntityPath, EntityIndex>,
    /// Temporal chunks by age, for garbage collection.
    by_age: BTreeSet<(RowId, ChunkId)>,
    tree: EntityTree,
    /// Whether `tree` is kept up to date (see [`ChunkStore::without_entity_tree`]).
    tree_enabled: bool,
    compaction: CompactionConfig,
    /// Chunks that may still merge, per key and level.
    pending: HashMap<CompactionKey, Vec<Vec<ChunkId>>>,
    bytes: usize,
    rows: u64,
    generation: u64,
    schema_generation: u64,
    gc_generation: u64,
    timelines: BTreeMap<Timeline, u64>,
    pub(crate) cache: LatestAtCache,
}

impl ChunkStore {
    /// An empty store for the recording `id`.
    pub fn new(id: StoreId, compaction: CompactionConfig) -> Self {
        Self {
            id,
            chunks: HashMap::new(),
            entities: BTreeMap::new(),
            by_age: BTreeSet::new(),
            tree: EntityTree::default(),
            tree_enabled: true,
            compaction,
            pending: HashMap::new(),
            bytes: 0,
            rows: 0,
            generation: 0,
            schema_generation: 0,
            gc_generation: 0,
            timelines: BTreeMap::new(),
            cache: LatestAtCache::default(),
        }
    }

    /// The same store without an entity tree: [`Self::entity_tree`] stays empty. For stores
    /// that only answer queries (a recording loaded for dataframes), where the tree's
    /// per-entity time histograms would cost memory and time for nothing — about half the
    /// decoded size for many entities with irregular log times. Call before inserting.
    pub fn without_entity_tree(mut self) -> Self {
        self.tree_enabled = false;
        self
    }

    /// The recording this store holds.
    pub fn id(&self) -> &StoreId {
        &self.id
    }

    /// Exact bytes of the chunks held (each buffer allocation once per chunk).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Bytes of the indices, the entity tree and the query cache (approximate).
    pub fn index_bytes(&self) -> usize {
        self.tree.heap_size_bytes() + self.chunks.len() * 160 + self.cache.heap_size_bytes()
    }

    /// Rows held.
    pub fn num_rows(&self) -> u64 {
        self.rows
    }

    /// Chunks held.
    pub fn num_chunks(&self) -> usize {
        self.chunks.len()
    }

    /// Increases with every change; equal generations mean equal contents.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Increases when an entity, or a component or timeline of an entity, is seen for the
    /// first time: what decides which views a viewer shows. Equal values mean the same
    /// entities with the same components.
    pub fn schema_generation(&self) -> u64 {
        self.schema_generation
    }

    /// Increases with every garbage collection that dropped chunks: what was derived from
    /// the store's data before (GPU copies, caches) may describe rows that are gone.
    pub fn gc_generation(&self) -> u64 {
        self.gc_generation
    }

    /// The latest-at cache (for its statistics).
    pub fn cache(&self) -> &LatestAtCache {
        &self.cache
    }

    /// The entity tree (empty for a store made [`Self::without_entity_tree`]).
    pub fn entity_tree(&self) -> &EntityTree {
        &self.tree
    }

    /// Every timeline with rows, with its row count.
    pub fn timelines(&self) -> &BTreeMap<Timeline, u64> {
        &self.timelines
    }

    /// Every chunk, in no particular order.
    pub fn iter_chunks(&self) -> impl Iterator<Item = &Arc<Chunk>> {
        self.chunks.values().map(StoredChunk::chunk)
    }

    /// Every chunk in the order a file of this recording should hold them: static first,
    /// then by age.
    pub fn chunks_in_order(&self) -> Vec<Arc<Chunk>> {
        let mut out: Vec<&StoredChunk> = self.chunks.values().collect();
        out.sort_by_key(|c| (!c.chunk().is_timeless(), c.min_row_id(), c.chunk().id()));
        out.into_iter().map(|c| c.chunk().clone()).collect()
    }

    /// The stored chunk `id`.
    pub fn chunk(&self, id: &ChunkId) -> Option<&StoredChunk> {
        self.chunks.get(id)
    }

    /// Whether chunk `id` is held (compaction replaces ids, so this is for deduplication
    /// of re-sent chunks only).
    pub fn contains(&self, id: &ChunkId) -> bool {
        self.chunks.contains_key(id)
    }

    /// Inserts a chunk prepared with [`StoredChunk::new`] and compacts; returns the events,
    /// in order. A chunk whose id is already held is ignored (no events). Empty chunks are
    /// ignored too.
    pub fn insert(&mut self, chunk: StoredChunk) -> Vec<ChunkStoreEvent> {
        let mut events = Vec::new();
        if chunk.chunk().is_empty() || self.chunks.contains_key(&chunk.chunk().id()) {
            return events;
        }
        if self.tree_enabled {
            self.tree.add(&chunk);
        }
        self.rows += chunk.chunk().num_rows() as u64;
        for column in chunk.chunk().timelines().values() {
            *self.timelines.entry(column.timeline().clone()).or_default() +=
                column.times().len() as u64;
        }
        self.cache.invalidate_for(&chunk);
        self.index_clears(&chunk);
        let compactable = self.compaction.enabled && !chunk.chunk().is_timeless();
        let (id, rows, bytes) = (chunk.chunk().id(), chunk.chunk().num_rows(), chunk.bytes());
        let key = compactable.then(|| CompactionKey::of(chunk.chunk()));
        self.link(chunk, ChangeReason::Inserted, &mut events);
        if let Some(key) = key {
            if rows < self.compaction.max_rows && bytes < self.compaction.max_bytes {
                self.add_pending(key, id, rows, &mut events);
            }
        }
        events
    }

    /// Runs every pending merge regardless of fan-out (what `reel compact` does at the end).
    pub fn compact(&mut self) -> Vec<ChunkStoreEvent> {
        let mut events = Vec::new();
        let pending = std::mem::take(&mut self.pending);
        for ids in pending.into_values() {
            let ids: Vec<ChunkId> = ids.into_iter().flatten().collect();
            if ids.len() < 2 {
                continue;
            }
            self.merge_greedy(ids, &mut events);
        }
        events
    }

    fn add_pending(
        &mut self,
        key: CompactionKey,
        id: ChunkId,
        rows: usize,
        events: &mut Vec<ChunkStoreEvent>,
    ) {
        let mut level = level_of(rows);
        let mut id = id;
        loop {
            let levels = self.pending.entry(key.clone()).or_default();
            if levels.len() <= level {
                levels.resize_with(level + 1, Vec::new);
            }
            levels[level].push(id);
            if levels[level].len() < FANOUT {
                return;
            }
            let group = std::mem::take(&mut levels[level]);
            let (rows, bytes) = group
                .iter()
                .filter_map(|id| self.chunks.get(id))
                .fold((0, 0), |(r, b), c| {
                    (r + c.chunk().num_rows(), b + c.bytes())
                });
            if rows > self.compaction.max_rows || bytes > self.compaction.max_bytes {
                // Too big together: merge them up to the limits; the results are final.
                self.merge_greedy(group, events);
                return;
            }
            match self.merge(&group, events) {
                Some(merged) => {
                    id = merged;
                    level = level_of(rows).max(level + 1);
                    if rows >= self.compaction.max_rows || bytes >= self.compaction.max_bytes {
                        return;
                    }
                }
                None => return,
            }
        }
    }

    /// Merges `ids` in age order into as few chunks as the limits allow.
    fn merge_greedy(&mut self, mut ids: Vec<ChunkId>, events: &mut Vec<ChunkStoreEvent>) {
        ids.sort_by_key(|id| self.chunks.get(id).map(StoredChunk::min_row_id));
        let mut groups: Vec<Vec<ChunkId>> = vec![Vec::new()];
        let (mut rows, mut bytes) = (0, 0);
        for id in ids {
            let Some(c) = self.chunks.get(&id) else {
                continue;
            };
            let (r, b) = (c.chunk().num_rows(), c.bytes());
            let full = rows + r > self.compaction.max_rows || bytes + b > self.compaction.max_bytes;
            if full && groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(Vec::new());
                (rows, bytes) = (0, 0);
            }
            groups.last_mut().expect("groups starts non-empty").push(id);
            rows += r;
            bytes += b;
        }
        for group in groups.into_iter().filter(|g| g.len() > 1) {
            self.merge(&group, events);
        }
    }

    /// Replaces `group` by one chunk of their rows; returns its id.
    fn merge(&mut self, group: &[ChunkId], events: &mut Vec<ChunkStoreEvent>) -> Option<ChunkId> {
        let parts: Vec<Arc<Chunk>> = group
            .iter()
            .filter_map(|id| self.chunks.get(id).map(|c| c.chunk().clone()))
            .collect();
        let refs: Vec<&Chunk> = parts.iter().map(Arc::as_ref).collect();
        let merged = match Chunk::concat(&refs) {
            Ok(c) => c,
            Err(err) => {
                log::warn!("compaction of {} chunks skipped: {err}", refs.len());
                return None;
            }
        };
        for id in group {
            self.unlink(id, ChangeReason::Compacted, events);
        }
        let stored = StoredChunk::new(Arc::new(merged));
        let id = stored.chunk().id();
        self.link(stored, ChangeReason::Compacted, events);
        Some(id)
    }

    fn emit(
        &mut self,
        kind: ChangeKind,
        reason: ChangeReason,
        chunk: Arc<Chunk>,
    ) -> ChunkStoreEvent {
        self.generation += 1;
        ChunkStoreEvent {
            store_id: self.id.clone(),
            kind,
            reason,
            chunk,
            generation: self.generation,
        }
    }

    /// Adds a chunk to the chunk map and the component indices (not the tree or clears).
    fn link(
        &mut self,
        chunk: StoredChunk,
        reason: ChangeReason,
        events: &mut Vec<ChunkStoreEvent>,
    ) {
        let c = chunk.chunk().clone();
        let id = c.id();
        let is_new = !self.entities.contains_key(c.entity_path());
        let entity = self.entities.entry(c.entity_path().clone()).or_default();
        let schema_size = |e: &EntityIndex| {
            e.static_latest.len()
                + e.temporal.len()
                + e.temporal.values().map(BTreeMap::len).sum::<usize>()
        };
        let before = schema_size(entity);
        if c.is_timeless() {
            entity.static_chunks.push(id);
            for (name, list) in c.components() {
                // The last valid row by row id wins among static rows.
                let best = (0..list.len())
                    .filter(|&i| list.is_valid(i))
                    .max_by_key(|&i| c.row_ids()[i]);
                if let Some(i) = best {
                    let candidate = (c.row_ids()[i], id, i as u32);
                    let slot = entity
                        .static_latest
                        .entry(name.clone())
                        .or_insert(candidate);
                    if candidate.0 >= slot.0 {
                        *slot = candidate;
                    }
                }
            }
        } else {
            for timeline in c.timelines().keys() {
                let Some((start, end)) = chunk.time_range(timeline) else {
                    continue;
                };
                let per_component = entity.temporal.entry(timeline.clone()).or_default();
                for (name, list) in c.components() {
                    if list.null_count() == list.len() {
                        continue;
                    }
                    let index = per_component.entry(name.clone()).or_default();
                    index.by_start.insert((start, id), end);
                    let span = end.as_i64().abs_diff(start.as_i64());
                    index.max_span = index.max_span.max(span);
                }
            }
        }
        if is_new || schema_size(entity) != before {
            self.schema_generation += 1;
        }
        if !c.is_timeless() {
            self.by_age.insert((chunk.min_row_id(), id));
        }
        self.bytes += chunk.bytes();
        self.chunks.insert(id, chunk);
        let event = self.emit(ChangeKind::Added, reason, c);
        events.push(event);
    }

    /// Removes a chunk from the chunk map and the component indices (not the tree or
    /// clears). Static chunks are never unlinked.
    fn unlink(
        &mut self,
        id: &ChunkId,
        reason: ChangeReason,
        events: &mut Vec<ChunkStoreEvent>,
    ) -> Option<StoredChunk> {
        let chunk = self.chunks.remove(id)?;
        let c = chunk.chunk().clone();
        if let Some(entity) = self.entities.get_mut(c.entity_path()) {
            for timeline in c.timelines().keys() {
                let (Some((start, _)), Some(per_component)) = (
                    chunk.time_range(timeline),
                    entity.temporal.get_mut(timeline),
                ) else {
                    continue;
                };
                for name in c.components().keys() {
                    if let Some(index) = per_component.get_mut(name) {
                        index.by_start.remove(&(start, *id));
                    }
                }
            }
        }
        self.by_age.remove(&(chunk.min_row_id(), *id));
        self.bytes = self.bytes.saturating_sub(chunk.bytes());
        let event = self.emit(ChangeKind::Removed, reason, c);
        events.push(event);
        Some(chunk)
    }

    /// Drops the component indices of `entity` that no longer point at any chunk, and the
    /// entity's entry when nothing is left; returns whether anything was dropped.
    fn forget_if_empty(&mut self, entity: &EntityPath) -> bool {
        let Some(index) = self.entities.get_mut(entity) else {
            return false;
        };
        let mut changed = false;
        for per_component in index.temporal.values_mut() {
            let before = per_component.len();
            per_component.retain(|_, c| !c.by_start.is_empty());
            changed |= per_component.len() != before;
        }
        index
            .temporal
            .retain(|_, per_component| !per_component.is_empty());
        index.clears.retain(|_, c| !c.all.is_empty());
        let empty = index.static_chunks.is_empty()
            && index.static_latest.is_empty()
            && index.temporal.is_empty()
            && index.clears.is_empty()
            && index.static_clears == (None, None);
        if empty {
            self.entities.remove(entity);
        }
        changed || empty
    }

    fn index_clears(&mut self, chunk: &StoredChunk) {
        if chunk.clears().is_empty() {
            return;
        }
        let c = chunk.chunk();
        let entity = self.entities.entry(c.entity_path().clone()).or_default();
        for &(row, recursive) in chunk.clears() {
            let row_id = c.row_ids()[row as usize];
            if c.is_timeless() {
                let (all, rec) = &mut entity.static_clears;
                *all = (*all).max(Some(row_id));
                if recursive {
                    *rec = (*rec).max(Some(row_id));
                }
            }
            for (timeline, column) in c.timelines() {
                let key = (TimeInt::new(column.times()[row as usize]), row_id);
                let index = entity.clears.entry(timeline.clone()).or_default();
                index.all.insert(key);
                if recursive {
                    index.recursive.insert(key);
                }
            }
        }
    }

    fn unindex_clears(&mut self, chunk: &StoredChunk) {
        let c = chunk.chunk();
        let Some(entity) = self.entities.get_mut(c.entity_path()) else {
            return;
        };
        for &(row, _) in chunk.clears() {
            let row_id = c.row_ids()[row as usize];
            for (timeline, column) in c.timelines() {
                let key = (TimeInt::new(column.times()[row as usize]), row_id);
                if let Some(index) = entity.clears.get_mut(timeline) {
                    index.all.remove(&key);
                    index.recursive.remove(&key);
                }
            }
        }
    }

    /// Drops temporal chunks in `order` until the store holds at most `target_bytes` or
    /// `budget` has passed; static data is never dropped.
    pub fn gc(
        &mut self,
        target_bytes: usize,
        order: &GcOrder,
        budget: Duration,
    ) -> (GcReport, Vec<ChunkStoreEvent>) {
        let started = Instant::now();
        let mut report = GcReport::default();
        let mut touched = BTreeSet::new();
        let mut events = Vec::new();
        if self.bytes <= target_bytes {
            report.reached_target = true;
            return (report, events);
        }
        let victims: Vec<ChunkId> = match order {
            GcOrder::Oldest => {
                // Only as many as needed: a store just over its limit pays for a few
                // chunks, not for listing all of them.
                let mut need = self.bytes - target_bytes;
                let mut ids = Vec::new();
                for (_, id) in &self.by_age {
                    if need == 0 {
                        break;
                    }
                    need = need.saturating_sub(self.chunks.get(id).map_or(0, StoredChunk::bytes));
                    ids.push(*id);
                }
                ids
            }
            GcOrder::FurthestFrom { timeline, time } => {
                let mut v: Vec<(u64, RowId, ChunkId)> = self
                    .by_age
                    .iter()
                    .map(|&(age, id)| {
                        let distance = self
                            .chunks
                            .get(&id)
                            .and_then(|c| c.time_range(timeline))
                            .map_or(u64::MAX, |(lo, hi)| {
                                let t = time.as_i64();
                                if t < lo.as_i64() {
                                    lo.as_i64().abs_diff(t)
                                } else if t > hi.as_i64() {
                                    t.abs_diff(hi.as_i64())
                                } else {
                                    0
                                }
                            });
                        (distance, age, id)
                    })
                    .collect();
                v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                v.into_iter().map(|(_, _, id)| id).collect()
            }
        };
        for (n, id) in victims.into_iter().enumerate() {
            if self.bytes <= target_bytes {
                break;
            }
            if n % 64 == 63 && started.elapsed() > budget {
                break;
            }
            let Some(chunk) = self.unlink(&id, ChangeReason::GarbageCollected, &mut events) else {
                continue;
            };
            touched.insert(chunk.chunk().entity_path().clone());
            if self.tree_enabled {
                self.tree.remove(&chunk);
            }
            self.unindex_clears(&chunk);
            self.cache.invalidate_for(&chunk);
            if let Some(levels) = self.pending.get_mut(&CompactionKey::of(chunk.chunk())) {
                for level in levels.iter_mut() {
                    level.retain(|p| *p != id);
                }
            }
            let rows = chunk.chunk().num_rows() as u64;
            self.rows = self.rows.saturating_sub(rows);
            for column in chunk.chunk().timelines().values() {
                if let Some(n) = self.timelines.get_mut(column.timeline()) {
                    *n = n.saturating_sub(column.times().len() as u64);
                    if *n == 0 {
                        self.timelines.remove(column.timeline());
                    }
                }
            }
            report.chunks += 1;
            report.rows += rows;
            report.bytes += chunk.bytes() as u64;
        }
        if report.chunks > 0 {
            self.gc_generation += 1;
        }
        // Entities and components whose data is all gone leave the indices and the tree,
        // so the viewer stops listing them.
        let mut schema_changed = false;
        for path in touched {
            schema_changed |= self.forget_if_empty(&path);
            schema_changed |= self.tree.prune(&path);
        }
        if schema_changed {
            self.schema_generation += 1;
        }
        report.reached_target = self.bytes <= target_bytes;
        (report, events)
    }
}

/// The compaction level of a chunk of `rows` rows: floor(log16(rows)).
fn level_of(rows: usize) -> usize {
    let rows = rows.max(1);
    ((usize::BITS - 1 - rows.leading_zeros()) / 4) as usize
}
