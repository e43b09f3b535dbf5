//! [`LatestAtCache`]: memoized latest-at results per (entity, component, timeline), kept
//! correct under live inserts by dropping only what a change can affect.
//!
//! A chunk of entity `E` with component `C` whose earliest time on timeline `T` is `t`
//! can only change latest-at answers of `(E, C, T)` at query times `>= t`; a static chunk
//! changes `(E, C, *)` at every time; a clear at `t` changes every component of `E` (and,
//! when recursive, of `E`'s descendants) from `t` on. Compaction changes no answer (a hit
//! keeps its chunk alive), so it invalidates nothing.

use std::collections::{BTreeMap, HashMap};

use parking_lot::Mutex;
use reel_core::{ComponentName, EntityPath, TimeInt, Timeline};

use crate::query::QueryHit;
use crate::stored::StoredChunk;

/// Query times remembered per key; the viewer asks at one cursor per frame, so a few
/// suffice, and the bound keeps a long playback from growing the cache.
const TIMES_PER_KEY: usize = 16;

type PerEntity = HashMap<(ComponentName, Timeline), BTreeMap<TimeInt, Option<QueryHit>>>;

/// The latest-at cache of one recording.
#[derive(Debug, Default)]
pub struct LatestAtCache {
    entries: Mutex<HashMap<EntityPath, PerEntity>>,
    stats: Mutex<CacheStats>,
}

/// How the cache has been doing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Answers served from the cache.
    pub hits: u64,
    /// Answers computed.
    pub misses: u64,
}

impl LatestAtCache {
    /// The cached answer, if any (`Some(None)`: cached as "nothing").
    pub(crate) fn get(
        &self,
        entity: &EntityPath,
        component: &ComponentName,
        timeline: &Timeline,
        time: TimeInt,
    ) -> Option<Option<QueryHit>> {
        let entries = self.entries.lock();
        let found = entries
            .get(entity)
            .and_then(|e| e.get(&(component.clone(), timeline.clone())))
            .and_then(|times| times.get(&time))
            .cloned();
        let mut stats = self.stats.lock();
        if found.is_some() {
            stats.hits += 1;
        } else {
            stats.misses += 1;
        }
        found
    }

    /// Remembers an answer.
    pub(crate) fn put(
        &self,
        entity: &EntityPath,
        component: &ComponentName,
        timeline: &Timeline,
        time: TimeInt,
        hit: Option<QueryHit>,
    ) {
        let mut entries = self.entries.lock();
        let times = entries
            .entry(entity.clone())
            .or_default()
            .entry((component.clone(), timeline.clone()))
            .or_default();
        if times.len() >= TIMES_PER_KEY {
            times.pop_first();
        }
        times.insert(time, hit);
    }

    /// Drops every answer `chunk` (being added or removed) may change.
    pub(crate) fn invalidate_for(&self, chunk: &StoredChunk) {
        let c = chunk.chunk();
        let mut entries = self.entries.lock();
        if entries.is_empty() {
            return;
        }
        if let Some(per_entity) = entries.get_mut(c.entity_path()) {
            per_entity.retain(|(component, timeline), times| {
                if !c.components().contains_key(component) {
                    return true;
                }
                if c.is_timeless() {
                    return false;
                }
                if let Some((start, _)) = chunk.time_range(timeline) {
                    times.retain(|t, _| *t < start);
                }
                !times.is_empty()
            });
        }
        // Clears change every component of the entity, and of its subtree if recursive.
        for &(row, recursive) in chunk.clears() {
            let row = row as usize;
            for (path, per_entity) in entries.iter_mut() {
                let affected =
                    path == c.entity_path() || (recursive && path.starts_with(c.entity_path()));
                if !affected {
                    continue;
                }
                per_entity.retain(|(_, timeline), times| {
                    if c.is_timeless() {
                        return false;
                    }
                    if let Some(column) = c.timelines().get(timeline) {
                        let t = TimeInt::new(column.times()[row]);
                        times.retain(|q, _| *q < t);
                    }
                    !times.is_empty()
                });
            }
        }
    }

    /// Hit and miss counts so far.
    pub fn stats(&self) -> CacheStats {
        *self.stats.lock()
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.entries.lock().clear();
    }

    /// Approximate heap bytes.
    pub fn heap_size_bytes(&self) -> usize {
        self.entries
            .lock()
            .values()
            .flat_map(|e| e.values())
            .map(|t| t.len() * 96)
            .sum()
    }
}
