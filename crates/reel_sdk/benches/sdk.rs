//! Per-call cost of the SDK's hot path: `set_time_sequence` + logging one Scalar into a
//! memory recording, from one and from two threads, and one 3D point from one thread
//! (amortised, the final blocking flush included), and a log call on a disabled recording.

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use reel_sdk::{RecordingStream, RecordingStreamBuilder};
use reel_types::archetypes::{Points3D, Scalar};

fn log_scalars(rec: &RecordingStream, n: u64) {
    for i in 0..n {
        rec.set_time_sequence("frame", i as i64);
        rec.log("scalar", &Scalar::new(i as f64)).expect("log");
    }
}

fn log_points(rec: &RecordingStream, n: u64) {
    for i in 0..n {
        rec.set_time_sequence("frame", i as i64);
        let x = i as f32;
        rec.log("point", &Points3D::new([[x, 1.0, 2.0]]))
            .expect("log");
    }
}

fn timed(threads: u64, iters: u64) -> Duration {
    timed_with(threads, iters, log_scalars)
}

fn timed_with(threads: u64, iters: u64, log: fn(&RecordingStream, u64)) -> Duration {
    let (rec, mem) = RecordingStreamBuilder::new("bench")
        .memory()
        .expect("memory");
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let rec = rec.clone();
            s.spawn(move || log(&rec, iters / threads));
        }
    });
    rec.flush_blocking().expect("flush");
    let elapsed = start.elapsed();
    drop(mem.take());
    elapsed
}

fn sdk(c: &mut Criterion) {
    let mut group = c.benchmark_group("log_scalar_memory");
    group.throughput(Throughput::Elements(1));
    group.bench_function("1_thread", |b| b.iter_custom(|iters| timed(1, iters)));
    group.bench_function("2_threads", |b| {
        b.iter_custom(|iters| timed(2, iters.max(2)))
    });
    group.finish();

    let mut group = c.benchmark_group("log_point_memory");
    group.throughput(Throughput::Elements(1));
    group.bench_function("1_thread", |b| {
        b.iter_custom(|iters| timed_with(1, iters, log_points))
    });
    group.finish();

    let disabled = RecordingStreamBuilder::new("bench")
        .enabled(false)
        .buffered()
        .expect("disabled");
    c.bench_function("log_scalar_disabled", |b| {
        b.iter(|| {
            disabled.set_time_sequence("frame", 1);
            disabled.log(black_box("scalar"), &Scalar::new(black_box(1.0)))
        })
    });
}

criterion_group!(benches, sdk);
criterion_main!(benches);
