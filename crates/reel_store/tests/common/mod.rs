//! Builders shared by the store's tests.
#![allow(dead_code)]

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array};
use reel_core::{
    Chunk, ChunkRow, ComponentBatch, ComponentName, EntityPath, RowId, TimeInt, TimePoint, Timeline,
};
use reel_store::{ChunkStore, CompactionConfig, LatestAtQuery, StoredChunk};

pub const VALUE: ComponentName = ComponentName::from_static("test.Value");
pub const COLOR: ComponentName = ComponentName::from_static("test.Color");
pub const CLEAR: ComponentName = ComponentName::from_static("reel.components.ClearIsRecursive");

pub fn frame() -> Timeline {
    Timeline::new_sequence("frame")
}

pub fn clock() -> Timeline {
    Timeline::new_duration("clock")
}

pub fn path(s: &str) -> EntityPath {
    EntityPath::parse_strict(s).expect("valid path")
}

pub fn ints(v: &[i64]) -> ArrayRef {
    Arc::new(Int64Array::from(v.to_vec()))
}

pub fn at(frame_time: i64) -> TimePoint {
    TimePoint::default().with(frame(), frame_time)
}

pub fn row(timepoint: TimePoint, components: Vec<(ComponentName, ArrayRef)>) -> ChunkRow {
    ChunkRow {
        row_id: RowId::new(),
        timepoint,
        components: components
            .into_iter()
            .map(|(n, a)| ComponentBatch::new(n, a))
            .collect(),
    }
}

pub fn chunk(entity: &str, rows: Vec<ChunkRow>) -> Arc<Chunk> {
    Arc::new(Chunk::from_rows(path(entity), rows).expect("valid chunk"))
}

pub fn clear_row(timepoint: TimePoint, recursive: bool) -> ChunkRow {
    row(
        timepoint,
        vec![(
            CLEAR,
            Arc::new(BooleanArray::from(vec![recursive])) as ArrayRef,
        )],
    )
}

pub fn store() -> ChunkStore {
    ChunkStore::new(
        reel_core::StoreId::recording(reel_core::RecordingId::new("test")),
        CompactionConfig::default(),
    )
}

pub fn insert(store: &mut ChunkStore, chunk: Arc<Chunk>) {
    store.insert(StoredChunk::new(chunk));
}

/// The Int64 values of a cell.
pub fn values(cell: &ArrayRef) -> Vec<i64> {
    let a = cell
        .as_any()
        .downcast_ref::<Int64Array>()
        .expect("an Int64 cell");
    (0..a.len()).map(|i| a.value(i)).collect()
}

pub fn t(v: i64) -> TimeInt {
    TimeInt::new(v)
}

/// Logs one row of [`VALUE`] at `frame_time` as a chunk of its own.
pub fn log_value(store: &mut ChunkStore, entity: &str, frame_time: i64, v: &[i64]) {
    insert(
        store,
        chunk(entity, vec![row(at(frame_time), vec![(VALUE, ints(v))])]),
    );
}

/// The [`VALUE`]s of `entity` visible at `time` on `timeline`, through the cache.
pub fn latest(store: &ChunkStore, entity: &str, timeline: Timeline, time: i64) -> Option<Vec<i64>> {
    store
        .latest_at_component(&LatestAtQuery::new(timeline, time), &path(entity), &VALUE)
        .and_then(|h| h.cell(&VALUE))
        .map(|c| values(&c))
}
