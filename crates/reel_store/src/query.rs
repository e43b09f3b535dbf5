//! Latest-at and range queries over a [`ChunkStore`]. The rules are in the crate docs.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, ListArray};
use reel_core::{Chunk, ChunkId, ComponentName, EntityPath, RowId, TimeInt, Timeline};

use crate::chunk_store::{ChunkStore, EntityIndex};
use crate::stored::{is_indicator, SortedRows, StoredChunk};

/// Where a row sits in the order queries use: static rows (`time: None`) before every
/// temporal row, then by time, then by row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowKey {
    /// The row's time on the queried timeline; `None` for static rows.
    pub time: Option<TimeInt>,
    /// The row's id, which breaks ties between rows at one time.
    pub row_id: RowId,
}

/// One row's value of one component, as a query found it.
#[derive(Clone, Debug)]
pub struct QueryHit {
    /// Where the row sits.
    pub key: RowKey,
    /// The chunk holding the row (kept alive by the hit, whatever happens to the store).
    pub chunk: Arc<Chunk>,
    /// The row's index in the chunk.
    pub row: usize,
}

impl QueryHit {
    /// The component's instances in the row (empty if the row cleared the component).
    pub fn cell(&self, component: &ComponentName) -> Option<ArrayRef> {
        let list = self.chunk.components().get(component)?;
        list.is_valid(self.row).then(|| list.value(self.row))
    }

    /// How many instances the row logged of `component` (a splat counts 1).
    pub fn num_instances(&self, component: &ComponentName) -> usize {
        self.chunk
            .components()
            .get(component)
            .filter(|l| l.is_valid(self.row))
            .map_or(0, |l| l.value_length(self.row) as usize)
    }
}

/// A latest-at query: the state at `at` on `timeline`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LatestAtQuery {
    /// The timeline.
    pub timeline: Timeline,
    /// The time.
    pub at: TimeInt,
}

impl LatestAtQuery {
    /// A query at `at` on `timeline`.
    pub fn new(timeline: Timeline, at: impl Into<TimeInt>) -> Self {
        Self {
            timeline,
            at: at.into(),
        }
    }
}

/// A range query: every row in `[min, max]` on `timeline`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RangeQuery {
    /// The timeline.
    pub timeline: Timeline,
    /// Smallest time, inclusive.
    pub min: TimeInt,
    /// Largest time, inclusive.
    pub max: TimeInt,
    /// Whether to start each component with the state entering the range: its latest-at
    /// value just before `min` (what a plot needs to draw from its left edge).
    pub include_entering: bool,
}

impl RangeQuery {
    /// A query of `[min, max]` on `timeline`, without the entering state.
    pub fn new(timeline: Timeline, min: impl Into<TimeInt>, max: impl Into<TimeInt>) -> Self {
        Self {
            timeline,
            min: min.into(),
            max: max.into(),
            include_entering: false,
        }
    }

    /// The same query, also returning the state entering the range.
    pub fn with_entering(mut self) -> Self {
        self.include_entering = true;
        self
    }
}

/// The answer of a latest-at query: per component that has a visible value, its row.
#[derive(Clone, Debug, Default)]
pub struct LatestAtResults {
    /// Per component, the row holding its latest value.
    pub components: BTreeMap<ComponentName, QueryHit>,
}

impl LatestAtResults {
    /// The row of `component`, if it has a visible value.
    pub fn get(&self, component: &ComponentName) -> Option<&QueryHit> {
        self.components.get(component)
    }

    /// The instances of `component`, if it has a visible value.
    pub fn cell(&self, component: &ComponentName) -> Option<ArrayRef> {
        self.components.get(component)?.cell(component)
    }

    /// Whether no component has a value.
    pub fn is_empty(&self) -> bool {
        self.components.is_empty()
    }

    /// The newest row among the components, if any.
    pub fn max_key(&self) -> Option<RowKey> {
        self.components.values().map(|h| h.key).max()
    }
}

/// The answer of a range query.
#[derive(Clone, Debug, Default)]
pub struct RangeResults {
    /// Per component, its rows in `(time, RowId)` order.
    pub components: BTreeMap<ComponentName, Vec<QueryHit>>,
    /// Clears of the entity (or recursive ones of an ancestor) inside the range, in order:
    /// where a plot should break its line.
    pub clears: Vec<RowKey>,
}

impl ChunkStore {
    /// Every component ever logged at `entity` (indicators included), on any timeline.
    pub fn entity_components(&self, entity: &EntityPath) -> BTreeSet<ComponentName> {
        let Some(index) = self.entities.get(entity) else {
            return BTreeSet::new();
        };
        let mut out: BTreeSet<ComponentName> = index.static_latest.keys().cloned().collect();
        for per_component in index.temporal.values() {
            out.extend(per_component.keys().cloned());
        }
        out
    }

    /// The data components of `entity` (indicators left out), in name order.
    pub fn entity_data_components(&self, entity: &EntityPath) -> Vec<ComponentName> {
        self.entity_components(entity)
            .into_iter()
            .filter(|c| !is_indicator(c))
            .collect()
    }

    /// Every entity with data, in path order.
    pub fn entity_paths(&self) -> impl Iterator<Item = &EntityPath> {
        self.entities.keys()
    }

    /// The state of `components` of `entity` at the query's time. Components without a
    /// visible value are left out.
    pub fn latest_at(
        &self,
        query: &LatestAtQuery,
        entity: &EntityPath,
        components: &[ComponentName],
    ) -> LatestAtResults {
        let mut results = LatestAtResults::default();
        for component in components {
            if let Some(hit) = self.latest_at_component(query, entity, component) {
                results.components.insert(component.clone(), hit);
            }
        }
        results
    }

    /// The state of every component of `entity` at the query's time.
    pub fn latest_at_all(&self, query: &LatestAtQuery, entity: &EntityPath) -> LatestAtResults {
        let components: Vec<ComponentName> = self.entity_components(entity).into_iter().collect();
        self.latest_at(query, entity, &components)
    }

    /// The row holding the visible value of `component` of `entity` at the query's time,
    /// served from the cache when possible.
    pub fn latest_at_component(
        &self,
        query: &LatestAtQuery,
        entity: &EntityPath,
        component: &ComponentName,
    ) -> Option<QueryHit> {
        if let Some(cached) = self.cache.get(entity, component, &query.timeline, query.at) {
            return cached;
        }
        let hit = self.latest_at_uncached(query, entity, component);
        self.cache
            .put(entity, component, &query.timeline, query.at, hit.clone());
        hit
    }

    /// [`Self::latest_at_component`] without the cache.
    pub fn latest_at_uncached(
        &self,
        query: &LatestAtQuery,
        entity: &EntityPath,
        component: &ComponentName,
    ) -> Option<QueryHit> {
        let index = self.entities.get(entity)?;
        let hit = self
            .latest_temporal(index, query, component)
            .or_else(|| self.latest_static(index, component))?;
        match self.clear_key(entity, &query.timeline, query.at) {
            Some(clear) if clear > hit.key => None,
            _ => Some(hit),
        }
    }

    /// The temporal row with the greatest `(time, RowId)` at or before the query's time.
    fn latest_temporal(
        &self,
        index: &EntityIndex,
        query: &LatestAtQuery,
        component: &ComponentName,
    ) -> Option<QueryHit> {
        let per_chunk = index.temporal.get(&query.timeline)?.get(component)?;
        let t = query.at.as_i64();
        let mut best: Option<(RowKey, ChunkId, usize)> = None;
        for (&(start, chunk_id), _) in per_chunk.by_start.range(..=(query.at, ChunkId::MAX)).rev() {
            if let Some((best_key, _, _)) = &best {
                // No chunk starting this early reaches the best time found.
                let reach = i128::from(start.as_i64()) + i128::from(per_chunk.max_span);
                if best_key
                    .time
                    .is_some_and(|bt| reach < i128::from(bt.as_i64()))
                {
                    break;
                }
            }
            let Some((_, list, sorted)) =
                self.sorted_component(&chunk_id, component, &query.timeline)
            else {
                continue;
            };
            let mut pos = sorted.upper_bound(t);
            while pos > 0 {
                pos -= 1;
                let key = RowKey {
                    time: Some(TimeInt::new(sorted.time(pos))),
                    row_id: sorted.row_id(pos),
                };
                if best.as_ref().is_some_and(|(b, _, _)| key <= *b) {
                    break;
                }
                let row = sorted.row(pos);
                if list.is_valid(row) {
                    best = Some((key, chunk_id, row));
                    break;
                }
            }
        }
        let (key, chunk_id, row) = best?;
        Some(QueryHit {
            key,
            chunk: self.chunks.get(&chunk_id)?.chunk().clone(),
            row,
        })
    }

    fn latest_static(&self, index: &EntityIndex, component: &ComponentName) -> Option<QueryHit> {
        let &(row_id, chunk_id, row) = index.static_latest.get(component)?;
        Some(QueryHit {
            key: RowKey { time: None, row_id },
            chunk: self.chunks.get(&chunk_id)?.chunk().clone(),
            row: row as usize,
        })
    }

    /// The newest clear at or before `at` that applies to `entity`: its own clears and the
    /// recursive clears of its ancestors.
    pub fn clear_key(
        &self,
        entity: &EntityPath,
        timeline: &Timeline,
        at: TimeInt,
    ) -> Option<RowKey> {
        let mut best: Option<RowKey> = None;
        for (own, index) in self.entity_and_ancestors(entity) {
            let (static_all, static_recursive) = index.static_clears;
            let static_clear = if own { static_all } else { static_recursive };
            if let Some(row_id) = static_clear {
                best = best.max(Some(RowKey { time: None, row_id }));
            }
            if let Some(clears) = index.clears.get(timeline) {
                let set = if own { &clears.all } else { &clears.recursive };
                if let Some(&(time, row_id)) = set.range(..=(at, RowId::MAX)).next_back() {
                    best = best.max(Some(RowKey {
                        time: Some(time),
                        row_id,
                    }));
                }
            }
        }
        best
    }

    /// Every row of `components` of `entity` in the query's range, per component in
    /// `(time, RowId)` order, and the clears in the range.
    pub fn range(
        &self,
        query: &RangeQuery,
        entity: &EntityPath,
        components: &[ComponentName],
    ) -> RangeResults {
        let mut results = RangeResults::default();
        for component in components {
            let mut hits = Vec::new();
            if query.include_entering && query.min > TimeInt::MIN {
                let before = LatestAtQuery::new(
                    query.timeline.clone(),
                    TimeInt::new(query.min.as_i64() - 1),
                );
                hits.extend(self.latest_at_component(&before, entity, component));
            }
            self.range_component(query, entity, component, &mut hits);
            if !hits.is_empty() {
                results.components.insert(component.clone(), hits);
            }
        }
        results.clears = self.clears_in_range(entity, query);
        results
    }

    fn range_component(
        &self,
        query: &RangeQuery,
        entity: &EntityPath,
        component: &ComponentName,
        out: &mut Vec<QueryHit>,
    ) {
        let Some(per_chunk) = self
            .entities
            .get(entity)
            .and_then(|i| i.temporal.get(&query.timeline))
            .and_then(|m| m.get(component))
        else {
            return;
        };
        if query.min > query.max {
            return;
        }
        let first_start = TimeInt::new(
            query
                .min
                .as_i64()
                .saturating_sub(i64::try_from(per_chunk.max_span).unwrap_or(i64::MAX)),
        );
        let begin = out.len();
        let mut runs = 0;
        for (&(_, chunk_id), &end) in per_chunk
            .by_start
            .range((first_start, ChunkId::ZERO)..=(query.max, ChunkId::MAX))
        {
            if end < query.min {
                continue;
            }
            let Some((stored, list, sorted)) =
                self.sorted_component(&chunk_id, component, &query.timeline)
            else {
                continue;
            };
            let chunk = stored.chunk();
            let (lo, hi) = (
                sorted.lower_bound(query.min.as_i64()),
                sorted.upper_bound(query.max.as_i64()),
            );
            runs += 1;
            out.extend((lo..hi).filter_map(|pos| {
                let row = sorted.row(pos);
                list.is_valid(row).then(|| QueryHit {
                    key: RowKey {
                        time: Some(TimeInt::new(sorted.time(pos))),
                        row_id: sorted.row_id(pos),
                    },
                    chunk: chunk.clone(),
                    row,
                })
            }));
        }
        // Chunks in start order are usually disjoint in time; sort only when they overlap.
        let hits = &mut out[begin..];
        if runs > 1 && !hits.is_sorted_by_key(|h| h.key) {
            hits.sort_by_key(|h| h.key);
        }
    }

    /// Appends every time at which `component` of `entity` has a value on `timeline`,
    /// unsorted and with repeats. Costs 8 bytes per row, where a range query's hits cost
    /// about 50.
    pub fn component_times(
        &self,
        timeline: &Timeline,
        entity: &EntityPath,
        component: &ComponentName,
        out: &mut Vec<i64>,
    ) {
        for (chunk, list) in self.component_chunks(timeline, entity, component) {
            let Some(column) = chunk.timelines().get(timeline) else {
                continue;
            };
            let times = column.times();
            if list.null_count() == 0 {
                out.extend_from_slice(times);
            } else {
                out.extend(
                    times
                        .iter()
                        .enumerate()
                        .filter(|&(row, _)| list.is_valid(row))
                        .map(|(_, &t)| t),
                );
            }
        }
    }

    /// Rows of the chunks holding `component` of `entity` on `timeline` (an upper bound on
    /// what [`Self::component_times`] appends).
    pub fn component_rows(
        &self,
        timeline: &Timeline,
        entity: &EntityPath,
        component: &ComponentName,
    ) -> usize {
        self.component_chunks(timeline, entity, component)
            .map(|(chunk, _)| chunk.num_rows())
            .sum()
    }

    /// Appends the last time on `timeline` of each chunk holding `component` of `entity`.
    pub fn component_chunk_ends(
        &self,
        timeline: &Timeline,
        entity: &EntityPath,
        component: &ComponentName,
        out: &mut Vec<i64>,
    ) {
        if let Some(per_chunk) = self.component_index(timeline, entity, component) {
            out.extend(per_chunk.by_start.values().map(|end| end.as_i64()));
        }
    }

    /// Whether `component` of `entity` has any value on `timeline` (static rows aside).
    pub fn has_temporal_values(
        &self,
        timeline: &Timeline,
        entity: &EntityPath,
        component: &ComponentName,
    ) -> bool {
        self.component_chunks(timeline, entity, component)
            .any(|(_, list)| list.null_count() < list.len())
    }

    /// The Arrow type `component` of `entity` is stored as (a list type), from any of its
    /// chunks; `None` if it was never logged.
    pub fn component_datatype(
        &self,
        entity: &EntityPath,
        component: &ComponentName,
    ) -> Option<arrow_schema::DataType> {
        let index = self.entities.get(entity)?;
        let static_chunk = index.static_latest.get(component).map(|&(_, id, _)| id);
        let temporal_chunk = || {
            index
                .temporal
                .values()
                .filter_map(|m| m.get(component))
                .find_map(|per_chunk| per_chunk.by_start.keys().next().map(|&(_, id)| id))
        };
        let type_in = |id: &ChunkId| {
            let list = self.chunks.get(id)?.chunk().components().get(component)?;
            Some(list.data_type().clone())
        };
        static_chunk
            .or_else(temporal_chunk)
            .and_then(|id| type_in(&id))
            // A component whose static rows are all null is in no index but its chunks.
            .or_else(|| index.static_chunks.iter().find_map(type_in))
    }

    /// The temporal chunks on `timeline` holding `component` of `entity`, with its column,
    /// in start-time order.
    fn component_chunks<'a>(
        &'a self,
        timeline: &Timeline,
        entity: &EntityPath,
        component: &'a ComponentName,
    ) -> impl Iterator<Item = (&'a Chunk, &'a ListArray)> + 'a {
        self.component_index(timeline, entity, component)
            .into_iter()
            .flat_map(|per_chunk| per_chunk.by_start.keys())
            .filter_map(move |(_, id)| {
                let chunk = self.chunks.get(id)?.chunk();
                Some((chunk.as_ref(), chunk.components().get(component)?))
            })
    }

    fn component_index(
        &self,
        timeline: &Timeline,
        entity: &EntityPath,
        component: &ComponentName,
    ) -> Option<&crate::chunk_store::ComponentIndex> {
        self.entities
            .get(entity)?
            .temporal
            .get(timeline)?
            .get(component)
    }

    fn clears_in_range(&self, entity: &EntityPath, query: &RangeQuery) -> Vec<RowKey> {
        let mut out = Vec::new();
        for (own, index) in self.entity_and_ancestors(entity) {
            if let Some(clears) = index.clears.get(&query.timeline) {
                let set = if own { &clears.all } else { &clears.recursive };
                out.extend(
                    set.range((query.min, RowId::ZERO)..=(query.max, RowId::MAX))
                        .map(|&(time, row_id)| RowKey {
                            time: Some(time),
                            row_id,
                        }),
                );
            }
        }
        out.sort();
        out
    }

    /// The indices of `entity` (`true`) and of each ancestor that has one (`false`),
    /// nearest first: where clears that apply to `entity` live.
    fn entity_and_ancestors<'a>(
        &'a self,
        entity: &EntityPath,
    ) -> impl Iterator<Item = (bool, &'a EntityIndex)> + 'a {
        std::iter::successors(Some(entity.clone()), EntityPath::parent)
            .enumerate()
            .filter_map(|(depth, p)| self.entities.get(&p).map(|i| (depth == 0, i)))
    }

    /// Chunk `id` with its `component` column and its rows sorted on `timeline`, if it
    /// has both.
    fn sorted_component<'a>(
        &'a self,
        id: &ChunkId,
        component: &ComponentName,
        timeline: &Timeline,
    ) -> Option<(&'a StoredChunk, &'a ListArray, SortedRows<'a>)> {
        let stored = self.chunks.get(id)?;
        let list = stored.chunk().components().get(component)?;
        Some((stored, list, stored.sorted(timeline)?))
    }
}
