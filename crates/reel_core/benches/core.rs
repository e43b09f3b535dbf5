//! Micro-benchmarks of reel_core's hot paths: making a RowId and parsing an entity path.

#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use reel_core::{EntityPath, RowId};
use std::hint::black_box;

fn row_id(c: &mut Criterion) {
    c.bench_function("row_id_new", |b| b.iter(|| black_box(RowId::new())));
}

fn entity_path(c: &mut Criterion) {
    c.bench_function("entity_path_parse_strict", |b| {
        b.iter(|| EntityPath::parse_strict(black_box("world/robot/arm/camera/points")))
    });
    c.bench_function("entity_path_parse_forgiving", |b| {
        b.iter(|| EntityPath::parse_forgiving(black_box("//world/robot arm//camera/")))
    });
}

criterion_group!(benches, row_id, entity_path);
criterion_main!(benches);
