//! The store's query and ingest costs, as percentiles: `cargo bench -p reel_store --bench
//! queries`. Prints one line per measurement (docs/PERFORMANCE.md has the numbers).
//!
//! - latest-at on one entity of 1M rows (random times, cache off and on) and across 10,000
//!   entities of 100 rows each;
//! - range over 1M scalars (all of them, with the entering state);
//! - density of the root over 10,000 entities, and of every entity;
//! - ingest: one 50M-point chunk (GB/s) and 1M single-row chunks (rows/s, compaction on).

#![allow(missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{Array, Float32Array, Float64Array, ListArray};
use arrow_buffer::{OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field};
use reel_core::{
    Chunk, ChunkId, ComponentName, EntityPath, RecordingId, RowId, StoreId, TimeColumn, Timeline,
};
use reel_store::{ChunkStore, CompactionConfig, LatestAtQuery, RangeQuery, StoredChunk};

const SCALAR: ComponentName = ComponentName::from_static("reel.components.Scalar");
const POSITION: ComponentName = ComponentName::from_static("reel.components.Position3D");

fn frame() -> Timeline {
    Timeline::new_sequence("frame")
}

/// A small deterministic generator (xorshift), so runs query the same times.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// One scalar per row at frames `first..first + rows`.
fn scalar_chunk(entity: &EntityPath, first: i64, rows: usize) -> Arc<Chunk> {
    let values = Float64Array::from_iter_values((0..rows).map(|i| i as f64));
    let list = ListArray::new(
        Arc::new(Field::new("item", DataType::Float64, false)),
        OffsetBuffer::from_lengths(std::iter::repeat_n(1, rows)),
        Arc::new(values),
        None,
    );
    let row_ids: Vec<RowId> = (0..rows).map(|_| RowId::new()).collect();
    let times: Vec<i64> = (first..first + rows as i64).collect();
    let chunk = Chunk::new(
        ChunkId::new(),
        entity.clone(),
        row_ids,
        [TimeColumn::new(frame(), ScalarBuffer::from(times))],
        [(SCALAR, list)],
    );
    Arc::new(chunk.unwrap_or_else(|e| panic!("{e}")))
}

/// One row of `points` 3D points (as the flat f32 list of a Position3D batch).
fn point_chunk(points: usize) -> Arc<Chunk> {
    let xyz = Float32Array::from_iter_values((0..points * 3).map(|i| i as f32));
    let inner = arrow_array::FixedSizeListArray::new(
        Arc::new(Field::new("item", DataType::Float32, false)),
        3,
        Arc::new(xyz),
        None,
    );
    let list = ListArray::new(
        Arc::new(Field::new("item", inner.data_type().clone(), false)),
        OffsetBuffer::from_lengths([points]),
        Arc::new(inner),
        None,
    );
    let chunk = Chunk::new(
        ChunkId::new(),
        EntityPath::parse_strict("points").unwrap_or_else(|e| panic!("{e}")),
        vec![RowId::new()],
        [TimeColumn::new(frame(), ScalarBuffer::from(vec![0i64]))],
        [(POSITION, list)],
    );
    Arc::new(chunk.unwrap_or_else(|e| panic!("{e}")))
}

fn store() -> ChunkStore {
    ChunkStore::new(
        StoreId::recording(RecordingId::new("bench")),
        CompactionConfig::default(),
    )
}

/// Times `n` calls of `f` one by one; prints p50, p99 and the mean.
fn percentiles(name: &str, n: usize, mut f: impl FnMut(usize)) {
    let mut samples: Vec<Duration> = (0..n)
        .map(|i| {
            let start = Instant::now();
            f(i);
            start.elapsed()
        })
        .collect();
    samples.sort_unstable();
    let at = |q: f64| samples[((n as f64 * q) as usize).min(n - 1)];
    let mean = samples.iter().sum::<Duration>() / n as u32;
    println!(
        "{name}: p50 {:.2} µs, p99 {:.2} µs, mean {:.2} µs ({n} calls)",
        at(0.5).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        mean.as_secs_f64() * 1e6
    );
}

fn main() {
    // cargo bench passes `--bench`; a filter argument is not supported (everything runs).
    let one = EntityPath::parse_strict("one").unwrap_or_else(|e| panic!("{e}"));
    let mut big = store();
    // 1M rows as the SDK's batcher would deliver them: chunks of 8192 rows.
    for first in (0..1_000_000).step_by(8192) {
        let rows = 8192.min(1_000_000 - first);
        big.insert(StoredChunk::new(scalar_chunk(&one, first as i64, rows)));
    }
    let mut rng = Rng(0x5eed);
    let times: Vec<i64> = (0..100_000).map(|_| rng.below(1_000_000) as i64).collect();
    percentiles("latest_at, 1M-row entity, uncached", times.len(), |i| {
        let q = LatestAtQuery::new(frame(), times[i]);
        std::hint::black_box(big.latest_at_uncached(&q, &one, &SCALAR));
    });
    percentiles(
        "latest_at, 1M-row entity, cache (first visits)",
        times.len(),
        |i| {
            let q = LatestAtQuery::new(frame(), times[i]);
            std::hint::black_box(big.latest_at_component(&q, &one, &SCALAR));
        },
    );
    percentiles(
        "latest_at, 1M-row entity, cache (repeated time)",
        times.len(),
        |_| {
            let q = LatestAtQuery::new(frame(), 500_000);
            std::hint::black_box(big.latest_at_component(&q, &one, &SCALAR));
        },
    );
    let start = Instant::now();
    let all = big.range(
        &RangeQuery {
            include_entering: true,
            ..RangeQuery::new(frame(), 0, 999_999)
        },
        &one,
        &[SCALAR],
    );
    let rows: usize = all.components.values().map(Vec::len).sum();
    println!(
        "range, 1M scalars: {:.1} ms for {rows} rows ({:.1} ns/row)",
        start.elapsed().as_secs_f64() * 1e3,
        start.elapsed().as_secs_f64() * 1e9 / rows.max(1) as f64
    );
    drop(big);

    let mut wide = store();
    let entities: Vec<EntityPath> = (0..10_000)
        .map(|e| EntityPath::parse_strict(&format!("group{}/e{e}", e % 100)))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    for entity in &entities {
        wide.insert(StoredChunk::new(scalar_chunk(entity, 0, 100)));
    }
    percentiles(
        "latest_at, across 10,000 entities, uncached",
        100_000,
        |i| {
            let q = LatestAtQuery::new(frame(), (i % 100) as i64);
            let entity = &entities[(i * 7919) % entities.len()];
            std::hint::black_box(wide.latest_at_uncached(&q, entity, &SCALAR));
        },
    );
    let tree = wide.entity_tree();
    let root = EntityPath::root();
    percentiles(
        "density of the root over 10,000 entities, 1000 buckets",
        1000,
        |i| {
            let lo = (i % 50) as i64;
            std::hint::black_box(tree.density(&root, &frame(), lo, lo + 50, 1000));
        },
    );
    let start = Instant::now();
    for entity in &entities {
        std::hint::black_box(tree.density(entity, &frame(), 0, 99, 200));
    }
    println!(
        "density of each of 10,000 entities, 200 buckets: {:.2} ms in all",
        start.elapsed().as_secs_f64() * 1e3
    );
    drop(wide);

    let points = point_chunk(50_000_000);
    let bytes = points.heap_size_bytes();
    let mut s = store();
    let start = Instant::now();
    s.insert(StoredChunk::new(points));
    let secs = start.elapsed().as_secs_f64();
    println!(
        "ingest, one 50M-point chunk ({:.0} MB): {:.3} ms, {:.0} GB/s",
        bytes as f64 / 1e6,
        secs * 1e3,
        bytes as f64 / secs / 1e9
    );
    drop(s);

    let single: Vec<Arc<Chunk>> = (0..1_000_000)
        .map(|i| scalar_chunk(&entities[i % 600], (i / 600) as i64, 1))
        .collect();
    let mut s = store();
    let start = Instant::now();
    for chunk in &single {
        s.insert(StoredChunk::new(chunk.clone()));
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "ingest, 1M single-row chunks on 600 entities: {:.2} s, {:.2} M rows/s, {} chunks after live compaction",
        secs,
        1.0 / secs,
        s.num_chunks()
    );
}
