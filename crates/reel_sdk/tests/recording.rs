//! RecordingStream behaviour against real threads, sinks and files.

#![allow(missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use reel_core::arrow_array::{Array, Float32Array};
use reel_core::{
    ChunkRow, Component, ComponentBatch, EntityPath, LogMsg, StoreKind, TimeInt, TimeType, Timeline,
};
use reel_sdk::{
    BatcherConfig, CallbackSink, LogOptions, LogSink, MemoryRecording, OverflowPolicy,
    RecordingError, RecordingStream, RecordingStreamBuilder,
};
use reel_types::archetypes::{Points3D, Scalar, TextLog};
use reel_types::components::{Color, Position3D, Radius, Scalar as ScalarValue};

/// Every row in `msgs`, with its entity, in the order logged.
fn rows(msgs: &[LogMsg]) -> Vec<(EntityPath, ChunkRow)> {
    let mut rows: Vec<(EntityPath, ChunkRow)> = msgs
        .iter()
        .filter_map(|m| match m {
            LogMsg::ArrowMsg(a) => Some(a),
            _ => None,
        })
        .flat_map(|a| {
            let path = a.chunk.entity_path().clone();
            a.chunk
                .iter_rows()
                .map(move |r| (path.clone(), r))
                .collect::<Vec<_>>()
        })
        .collect();
    // Each thread's rows reach the sink in order, but apart from other threads' rows;
    // row ids follow the clock, so sorting by them restores the order of logging.
    rows.sort_by_key(|(_, r)| r.row_id);
    rows
}

fn scalar_of(row: &ChunkRow) -> f64 {
    row.components
        .iter()
        .find(|c| c.name().as_str() == ScalarValue::NAME)
        .expect("a scalar")
        .to_component::<ScalarValue>()
        .expect("scalar values")[0]
        .0
}

fn seq(row: &ChunkRow, name: &str) -> Option<i64> {
    row.timepoint
        .get(&Timeline::new_sequence(name))
        .map(|t| t.as_i64())
}

fn memory(app: &str) -> (RecordingStream, MemoryRecording) {
    RecordingStreamBuilder::new(app)
        .memory()
        .expect("memory recording")
}

/// Polls `f` until it holds or 10 s pass (a bound on waiting, not a timing assertion).
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn eight_threads_keep_their_order_and_lose_nothing() {
    const PER_THREAD: i64 = 5_000;
    let (rec, mem) = memory("ordering");
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let rec = rec.clone();
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    rec.set_time_sequence("step", i);
                    rec.log(format!("thread/{t}"), &Scalar::new(i as f64))
                        .expect("log");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    let all = rows(&mem.messages());
    assert_eq!(all.len(), 8 * PER_THREAD as usize);
    for t in 0..8 {
        let path = EntityPath::parse_strict(&format!("thread/{t}")).expect("path");
        let mine: Vec<_> = all
            .iter()
            .filter(|(p, _)| *p == path)
            .map(|(_, r)| r)
            .collect();
        assert_eq!(mine.len(), PER_THREAD as usize);
        for (i, row) in mine.iter().enumerate() {
            assert_eq!(seq(row, "step"), Some(i as i64), "thread {t} row {i}");
            assert_eq!(scalar_of(row), i as f64);
        }
        // Row ids of one thread increase in logging order.
        assert!(mine.windows(2).all(|w| w[0].row_id < w[1].row_id));
    }
}

#[test]
fn dropping_the_last_handle_writes_the_whole_file() {
    let dir = std::env::temp_dir().join(format!("reel-sdk-drop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("drop.reel");
    let rec = RecordingStreamBuilder::new("drop")
        .batcher_config(BatcherConfig::never())
        .save(&path)
        .expect("save");
    let clone = rec.clone();
    for i in 0..1000 {
        rec.set_time_sequence("frame", i);
        rec.log("points", &Points3D::new([[i as f32, 0.0, 0.0]]))
            .expect("log");
    }
    drop(rec);
    // A clone keeps the recording open.
    clone.log("late", &Scalar::new(1.0)).expect("log");
    drop(clone);

    let bytes = std::fs::read(&path).expect("read");
    let mut decoder = reel_format::decode_slice(&bytes);
    let msgs: Vec<LogMsg> = (&mut decoder).collect::<Result<_, _>>().expect("decodes");
    assert!(decoder.ended_cleanly(), "the file has its end frame");
    assert!(matches!(msgs[0], LogMsg::SetStoreInfo(_)));
    let all = rows(&msgs);
    assert_eq!(all.len(), 1001);
    assert_eq!(seq(&all[999].1, "frame"), Some(999));
}

/// A sink that records what it receives, optionally slowly or until released.
#[derive(Clone, Default)]
struct Probe {
    msgs: Arc<Mutex<Vec<LogMsg>>>,
}

impl Probe {
    fn sink(&self) -> Box<CallbackSink> {
        let msgs = self.msgs.clone();
        Box::new(CallbackSink::new(move |m| msgs.lock().push(m)))
    }

    fn num_rows(&self) -> usize {
        rows(&self.msgs.lock()).len()
    }

    fn num_chunks(&self) -> usize {
        self.msgs
            .lock()
            .iter()
            .filter(|m| matches!(m, LogMsg::ArrowMsg(_)))
            .count()
    }
}

fn probed(config: BatcherConfig) -> (RecordingStream, Probe) {
    let probe = Probe::default();
    let rec = RecordingStreamBuilder::new("probe")
        .batcher_config(config)
        .sink(probe.sink())
        .expect("recording");
    (rec, probe)
}

#[test]
fn tick_trigger_flushes_without_a_flush_call() {
    let (rec, probe) = probed(BatcherConfig {
        flush_tick: Duration::from_millis(20),
        ..BatcherConfig::never()
    });
    rec.log("a", &Scalar::new(1.0)).expect("log");
    eventually("the tick to deliver the row", || probe.num_rows() == 1);
}

/// A probe that says it stores data, as files and memory do.
struct StoringProbe(Box<CallbackSink>);

impl LogSink for StoringProbe {
    fn send(&mut self, msg: LogMsg) {
        self.0.send(msg);
    }

    fn stores(&self) -> bool {
        true
    }
}

#[test]
fn storing_sinks_flush_on_their_own_tick_and_a_new_sink_brings_its_tick() {
    let config = BatcherConfig {
        flush_tick: Duration::from_millis(20),
        storage_flush_tick: Duration::MAX,
        ..BatcherConfig::never()
    };
    let (rec, live) = probed(config.clone());
    rec.log("a", &Scalar::new(1.0)).expect("log");
    eventually("the live tick to deliver the row", || live.num_rows() == 1);

    // Switched to a storing sink: its tick (never) applies, so nothing more arrives...
    let stored = Probe::default();
    rec.set_sink(Box::new(StoringProbe(stored.sink())));
    rec.log("a", &Scalar::new(2.0)).expect("log");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(stored.num_rows(), 0, "the storage tick has not come");
    // ...until a flush; and with a short storage tick, the tick alone delivers.
    rec.flush_blocking().expect("flush");
    assert_eq!(stored.num_rows(), 1);
    let (rec, stored) = (
        RecordingStreamBuilder::new("storing")
            .batcher_config(BatcherConfig {
                storage_flush_tick: Duration::from_millis(20),
                ..BatcherConfig::never()
            })
            .buffered()
            .expect("recording"),
        Probe::default(),
    );
    rec.set_sink(Box::new(StoringProbe(stored.sink())));
    rec.log("a", &Scalar::new(3.0)).expect("log");
    eventually("the storage tick to deliver the row", || {
        stored.num_rows() == 1
    });
}

#[test]
fn thresholds_apply_per_entity() {
    let (rec, probe) = probed(BatcherConfig {
        flush_num_rows: 10,
        ..BatcherConfig::never()
    });
    for i in 0..10 {
        rec.log("a", &Scalar::new(i as f64)).expect("log");
        if i < 5 {
            rec.log("b", &Scalar::new(i as f64)).expect("log");
        }
    }
    eventually("a's ten rows", || probe.num_rows() == 10);
    std::thread::sleep(Duration::from_millis(100));
    let delivered = rows(&probe.msgs.lock());
    assert!(
        delivered.iter().all(|(path, _)| path.to_string() == "a"),
        "b has not reached the threshold: nothing of it is delivered"
    );
    assert_eq!(probe.num_chunks(), 1, "a's rows form one chunk");
    rec.flush_blocking().expect("flush");
    assert_eq!(probe.num_rows(), 15, "b's rows follow on flush");
}

/// Logs one row of about 4 KB (1000 radii) to entity `a`.
fn log_4kb_row(rec: &RecordingStream) {
    let radii = vec![Radius(1.0); 1000];
    rec.log_components(
        "a",
        [ComponentBatch::from_component(&radii)],
        LogOptions::default(),
    )
    .expect("log");
}

#[test]
fn byte_trigger_flushes_when_enough_is_pending() {
    let (rec, probe) = probed(BatcherConfig {
        flush_num_bytes: 10_000,
        ..BatcherConfig::never()
    });
    log_4kb_row(&rec);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        probe.num_rows(),
        0,
        "below the threshold nothing is delivered"
    );
    for _ in 0..2 {
        log_4kb_row(&rec);
    }
    eventually("the byte threshold to deliver", || probe.num_rows() == 3);
    assert_eq!(probe.num_chunks(), 1, "the three rows form one chunk");
}

#[test]
fn row_trigger_flushes_every_n_rows() {
    let (rec, probe) = probed(BatcherConfig {
        flush_num_rows: 10,
        ..BatcherConfig::never()
    });
    for i in 0..25 {
        rec.log("a", &Scalar::new(i as f64)).expect("log");
    }
    eventually("two chunks of ten rows", || probe.num_rows() == 20);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(probe.num_rows(), 20, "the last five wait for a trigger");
    assert_eq!(probe.num_chunks(), 2);
    rec.flush_blocking().expect("flush");
    assert_eq!(probe.num_rows(), 25);
}

#[test]
fn block_policy_bounds_memory_and_loses_nothing() {
    const BOUND: u64 = 64 * 1024;
    let probe = Probe::default();
    let msgs = probe.msgs.clone();
    let slow = CallbackSink::new(move |m| {
        std::thread::sleep(Duration::from_millis(2));
        msgs.lock().push(m);
    });
    let rec = RecordingStreamBuilder::new("block")
        .batcher_config(BatcherConfig {
            flush_num_rows: 4,
            max_bytes_in_flight: BOUND,
            overflow: OverflowPolicy::Block,
            ..BatcherConfig::never()
        })
        .sink(Box::new(slow))
        .expect("recording");
    let max_seen = Arc::new(AtomicU64::new(0));
    let watcher = {
        let (rec, max_seen) = (rec.clone(), max_seen.clone());
        std::thread::spawn(move || {
            for _ in 0..2000 {
                max_seen.fetch_max(rec.bytes_in_flight(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_micros(200));
            }
        })
    };
    for _ in 0..200 {
        log_4kb_row(&rec);
    }
    rec.flush_blocking().expect("flush");
    watcher.join().expect("watcher");
    assert_eq!(probe.num_rows(), 200, "block never drops");
    assert_eq!(rec.drop_stats().rows, 0);
    let max = max_seen.load(Ordering::Relaxed);
    assert!(max > 0, "the watcher saw data in flight");
    assert!(max <= BOUND, "in flight {max} exceeded the bound {BOUND}");
}

#[test]
fn rows_waiting_on_their_thread_make_room_when_the_bound_is_reached() {
    // No tick and no threshold: rows wait on the logging thread until something asks for
    // them. Reaching the bound must be such a thing, or every row past it would wait out
    // the block timeout and be dropped.
    const BOUND: u64 = 64 * 1024;
    let probe = Probe::default();
    let rec = RecordingStreamBuilder::new("bound")
        .batcher_config(BatcherConfig {
            max_bytes_in_flight: BOUND,
            overflow: OverflowPolicy::Block,
            block_timeout: Duration::from_secs(1),
            ..BatcherConfig::never()
        })
        .sink(probe.sink())
        .expect("recording");
    for _ in 0..200 {
        log_4kb_row(&rec);
        assert!(rec.bytes_in_flight() <= BOUND);
    }
    assert!(probe.num_rows() > 0, "rows were delivered before any flush");
    rec.flush_blocking().expect("nothing dropped");
    assert_eq!(probe.num_rows(), 200);
    assert_eq!(rec.drop_stats().rows, 0);
}

#[test]
fn rows_of_threads_that_ended_are_delivered() {
    let (rec, mem) = RecordingStreamBuilder::new("ended")
        .batcher_config(BatcherConfig::never())
        .memory()
        .expect("memory");
    for t in 0..4 {
        let rec = rec.clone();
        std::thread::spawn(move || {
            rec.log(format!("thread/{t}"), &Scalar::new(t as f64))
                .expect("log");
        })
        .join()
        .expect("thread");
    }
    rec.flush_blocking().expect("flush");
    let mut logged: Vec<f64> = rows(&mem.messages())
        .iter()
        .map(|(_, r)| scalar_of(r))
        .collect();
    logged.sort_by(f64::total_cmp);
    assert_eq!(logged, [0.0, 1.0, 2.0, 3.0]);
}

#[test]
fn drop_newest_policy_counts_what_it_drops() {
    let gate = Arc::new(Barrier::new(2));
    let probe = Probe::default();
    let msgs = probe.msgs.clone();
    let first = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let stuck = {
        let gate = gate.clone();
        CallbackSink::new(move |m| {
            // Hold up the first data chunk until the test has logged everything.
            if matches!(m, LogMsg::ArrowMsg(_)) && first.swap(false, Ordering::SeqCst) {
                gate.wait();
            }
            msgs.lock().push(m);
        })
    };
    let rec = RecordingStreamBuilder::new("drop")
        .batcher_config(BatcherConfig {
            flush_num_rows: 1,
            max_bytes_in_flight: 32 * 1024,
            overflow: OverflowPolicy::DropNewest,
            ..BatcherConfig::never()
        })
        .sink(Box::new(stuck))
        .expect("recording");
    for _ in 0..100 {
        log_4kb_row(&rec);
    }
    let dropped = rec.drop_stats();
    gate.wait();
    // The flush tells the truth about the drops, once.
    match rec.flush_blocking() {
        Err(RecordingError::Undelivered(u)) => {
            assert_eq!(
                (u.dropped_rows, u.dropped_bytes),
                (dropped.rows, dropped.bytes)
            );
            assert_eq!(u.pending_messages, 0);
        }
        other => panic!("expected the drops to be reported, got {other:?}"),
    }
    rec.flush_blocking().expect("nothing new dropped");
    assert!(
        dropped.rows > 0,
        "the bound was hit while the sink was stuck"
    );
    assert!(dropped.bytes >= dropped.rows * 4000);
    assert_eq!(
        probe.num_rows() as u64 + dropped.rows,
        100,
        "every row is delivered or counted"
    );
}

#[test]
fn swapping_sinks_under_load_loses_and_reorders_nothing() {
    let (rec, first) = memory("swap");
    let logger = {
        let rec = rec.clone();
        std::thread::spawn(move || {
            for i in 0..20_000 {
                rec.set_time_sequence("i", i);
                rec.log("counter", &Scalar::new(i as f64)).expect("log");
            }
        })
    };
    let mut memories = vec![first];
    let probe = Probe::default();
    for k in 0..6 {
        std::thread::sleep(Duration::from_millis(3));
        if k % 2 == 0 {
            rec.set_sink(probe.sink());
        } else {
            memories.push(rec.memory());
        }
        if k == 3 {
            rec.disconnect(); // back to buffering; the next sink gets the backlog
        }
    }
    logger.join().expect("logger");
    rec.flush_blocking().expect("flush");

    let mut seen: Vec<i64> = Vec::new();
    // Every sink received rows in order; together they hold each row exactly once.
    for mem in &memories {
        let r: Vec<i64> = rows(&mem.messages())
            .iter()
            .filter_map(|(_, r)| seq(r, "i"))
            .collect();
        assert!(
            r.windows(2).all(|w| w[0] < w[1]),
            "a memory sink saw rows out of order"
        );
        seen.extend(r);
    }
    let p: Vec<i64> = rows(&probe.msgs.lock())
        .iter()
        .filter_map(|(_, r)| seq(r, "i"))
        .collect();
    seen.extend(p);
    seen.sort_unstable();
    assert_eq!(seen, (0..20_000).collect::<Vec<_>>());
    // Each sink was told which recording it receives.
    for mem in &memories {
        assert!(matches!(
            mem.messages().first(),
            Some(LogMsg::SetStoreInfo(_))
        ));
    }
}

#[test]
fn memory_recording_methods() {
    let (rec, mem) = RecordingStreamBuilder::new("memory")
        .batcher_config(BatcherConfig::never())
        .memory()
        .expect("memory");
    for i in 0..5 {
        rec.set_time_sequence("frame", i);
        rec.log("points", &Points3D::new([[0.0, 0.0, i as f32]]))
            .expect("log");
    }
    // num_msgs flushes first: the rows are counted although no trigger fired.
    assert_eq!(mem.num_msgs(), 2, "store info and one chunk");
    assert_eq!(rows(&mem.messages()).len(), 5);

    // Blueprint data from another store stays through reset_data.
    let blueprint_id = reel_core::StoreId::blueprint(reel_core::RecordingId::new("bp"));
    let bp_chunk = reel_core::Chunk::from_rows(
        EntityPath::parse_strict("layout").expect("path"),
        [ChunkRow {
            row_id: reel_core::RowId::new(),
            timepoint: reel_core::TimePoint::timeless(),
            components: vec![ComponentBatch::from_component(&[Radius(1.0)])],
        }],
    )
    .expect("chunk");
    rec.send_msg(LogMsg::ArrowMsg(reel_core::ArrowMsg {
        store_id: blueprint_id.clone(),
        chunk: Arc::new(bp_chunk),
    }));

    mem.reset_data();
    let msgs = mem.messages();
    assert!(
        rows(&msgs).iter().all(|(p, _)| p.to_string() == "layout"),
        "only blueprint rows left"
    );
    assert!(
        matches!(msgs[0], LogMsg::SetStoreInfo(_)),
        "the store info stays"
    );

    mem.reset_blueprint(false);
    let msgs = mem.messages();
    assert!(rows(&msgs).is_empty(), "the old blueprint is gone");
    let activation = msgs
        .iter()
        .find_map(|m| match m {
            LogMsg::BlueprintActivation(a) => Some(a.clone()),
            _ => None,
        })
        .expect("a fresh blueprint is activated");
    assert!(activation.make_active && !activation.make_default);
    assert_ne!(activation.blueprint_id, blueprint_id);
    let fresh_info = msgs.iter().any(|m| {
        matches!(m, LogMsg::SetStoreInfo(s) if s.info.store_id == activation.blueprint_id
            && s.info.store_id.kind == StoreKind::Blueprint
            && s.info.application_id.as_str() == "memory")
    });
    assert!(
        fresh_info,
        "the fresh blueprint is announced for the same application"
    );

    mem.reset_blueprint(true);
    let defaults: Vec<bool> = mem
        .messages()
        .iter()
        .filter_map(|m| match m {
            LogMsg::BlueprintActivation(a) => Some(a.make_default),
            _ => None,
        })
        .collect();
    assert_eq!(defaults, [true], "one activation, now also the app default");

    // Drain as bytes: a complete reel stream, leaving the recording empty.
    rec.log("after", &Scalar::new(7.0)).expect("log");
    let bytes = mem.drain_as_bytes().expect("bytes");
    let decoded: Vec<LogMsg> = reel_format::decode_slice(&bytes)
        .collect::<Result<_, _>>()
        .expect("decode");
    assert_eq!(scalar_of(&rows(&decoded).last().expect("a row").1), 7.0);
    assert_eq!(mem.num_msgs(), 0);

    // Merging another memory recording appends its messages.
    let (other, other_mem) = memory("other");
    other.log("o", &TextLog::new("hi")).expect("log");
    mem.extend_from(&other_mem);
    assert_eq!(rows(&mem.messages()).len(), 1);
    assert_eq!(mem.num_msgs(), other_mem.num_msgs());
}

#[test]
fn log_components_splats_clears_and_mismatches() {
    let (rec, mem) = RecordingStreamBuilder::new("batches")
        .strict(true)
        .memory()
        .expect("memory");
    let positions = ComponentBatch::from_component(&[Position3D([0.0; 3]); 3]);
    let one_color = ComponentBatch::from_component(&[Color::from_rgb(1, 2, 3)]);
    let no_radii = ComponentBatch::from_component::<Radius>(&[]);
    rec.log_components(
        "p",
        [positions.clone(), one_color.clone(), no_radii.clone()],
        LogOptions::default(),
    )
    .expect("splat and clear are valid");

    let two_radii = ComponentBatch::from_component(&[Radius(1.0), Radius(2.0)]);
    let err = rec
        .log_components(
            "p",
            [positions.clone(), two_radii.clone()],
            LogOptions::default(),
        )
        .expect_err("2 of 3 is a mismatch");
    assert!(
        matches!(
            err,
            RecordingError::InstanceCountMismatch {
                len: 2,
                num_instances: 3,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("reel.components.Radius"), "{err}");

    // An explicit instance count applies to every batch.
    let opts = LogOptions {
        num_instances: Some(5),
        ..LogOptions::default()
    };
    rec.log_components("p", [one_color.clone()], opts)
        .expect("a splat over 5");
    let err = rec
        .log_components("p", [positions.clone()], opts)
        .expect_err("3 of 5");
    assert!(matches!(
        err,
        RecordingError::InstanceCountMismatch {
            num_instances: 5,
            ..
        }
    ));

    let err = rec
        .log_components(
            "p",
            [one_color.clone(), one_color.clone()],
            LogOptions::default(),
        )
        .expect_err("duplicate");
    assert!(
        matches!(err, RecordingError::DuplicateComponent { .. }),
        "{err}"
    );

    let err = rec
        .log("bad path/ x", &Scalar::new(1.0))
        .expect_err("strict path");
    assert!(
        matches!(err, RecordingError::InvalidEntityPath { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("at byte 3"), "{err}");

    // Lenient per call: the mismatched row is dropped, the bad path repaired.
    let lenient = LogOptions {
        strict: Some(false),
        ..LogOptions::default()
    };
    rec.log_components("p", [positions.clone(), two_radii], lenient)
        .expect("a warning only");
    rec.log_components("a//b/", [one_color], lenient)
        .expect("repaired");

    let all = rows(&mem.messages());
    assert_eq!(
        all.len(),
        3,
        "the valid rows and the repaired one, not the mismatch"
    );
    let first = &all[0].1;
    let lens: Vec<(String, usize)> = first
        .components
        .iter()
        .map(|c| (c.name().to_string(), c.len()))
        .collect();
    assert_eq!(
        lens,
        [
            (Color::NAME.to_string(), 1),
            (Position3D::NAME.to_string(), 3),
            (Radius::NAME.to_string(), 0)
        ]
    );
    assert_eq!(all[2].0.to_string(), "a/b");
}

#[test]
fn time_is_per_thread_and_per_recording() {
    let (rec, mem) = memory("time");
    let (other, other_mem) = memory("time2");
    rec.set_time_sequence("frame", 7);
    rec.set_time_seconds("sensor", 1.5);
    rec.set_time_nanos("exact", 42);
    other.set_time_sequence("frame", 100);
    rec.log("main", &Scalar::new(0.0)).expect("log");
    {
        let rec = rec.clone();
        std::thread::spawn(move || {
            rec.set_time_sequence("worker_only", 1);
            rec.log("worker", &Scalar::new(1.0)).expect("log");
        })
        .join()
        .expect("thread");
    }
    rec.disable_timeline("sensor");
    rec.log("main", &Scalar::new(2.0)).expect("log");
    rec.reset_time();
    rec.log("main", &Scalar::new(3.0)).expect("log");
    rec.log_timeless("static", &Scalar::new(4.0)).expect("log");
    other.log("o", &Scalar::new(5.0)).expect("log");

    let all = rows(&mem.messages());
    let tp = |i: usize| &all[i].1.timepoint;
    assert_eq!(seq(&all[0].1, "frame"), Some(7));
    assert_eq!(
        tp(0).get(&Timeline::new_time("sensor")),
        Some(TimeInt::new(1_500_000_000))
    );
    assert_eq!(
        tp(0).get(&Timeline::new_time("exact")),
        Some(TimeInt::new(42))
    );
    assert!(tp(0).get(&Timeline::new_time("log_time")).is_some());
    // The worker thread has its own time: none of the main thread's timelines.
    let worker: Vec<_> = tp(1).timelines().map(|t| t.name().to_string()).collect();
    assert_eq!(worker, ["log_tick", "log_time", "worker_only"]);
    assert_eq!(tp(2).get(&Timeline::new_time("sensor")), None, "disabled");
    assert_eq!(seq(&all[2].1, "frame"), Some(7));
    let after_reset: Vec<_> = tp(3).timelines().map(|t| t.name().to_string()).collect();
    assert_eq!(after_reset, ["log_tick", "log_time"]);
    assert!(tp(4).is_timeless(), "timeless rows are on no timeline");
    // log_tick counts the recording's rows.
    let ticks: Vec<i64> = (0..4).filter_map(|i| seq(&all[i].1, "log_tick")).collect();
    assert_eq!(ticks, [0, 1, 2, 3]);
    // The other recording kept its own time.
    assert_eq!(seq(&rows(&other_mem.messages())[0].1, "frame"), Some(100));
    assert_eq!(rec.thread_time().len(), 0);
    assert_eq!(
        tp(0)
            .timelines()
            .find(|t| t.name().as_str() == "sensor")
            .map(|t| t.typ()),
        Some(TimeType::Time)
    );
}

#[test]
fn builtin_timelines_can_be_turned_off() {
    let (rec, mem) = RecordingStreamBuilder::new("plain")
        .log_time(false)
        .log_tick(false)
        .memory()
        .expect("memory");
    rec.set_time_sequence("frame", 1);
    rec.log("a", &Scalar::new(1.0)).expect("log");
    let all = rows(&mem.messages());
    let names: Vec<_> = all[0]
        .1
        .timepoint
        .timelines()
        .map(|t| t.name().to_string())
        .collect();
    assert_eq!(names, ["frame"]);
}

#[test]
fn disabled_recordings_do_nothing() {
    let (rec, mem) = RecordingStreamBuilder::new("off")
        .enabled(false)
        .memory()
        .expect("memory");
    assert!(!rec.is_enabled());
    assert_eq!(rec.recording_id(), None);
    rec.set_time_sequence("frame", 1);
    rec.log("a", &Scalar::new(1.0)).expect("a no-op");
    rec.log("bad path/", &Scalar::new(1.0))
        .expect("not even validated");
    rec.flush_blocking().expect("flush");
    assert_eq!(mem.num_msgs(), 0);
    assert!(
        rec.save("/nonexistent/dir/x.reel").is_ok(),
        "no file is created"
    );
}

#[test]
fn shutdown_closes_the_sink_and_turns_logging_off() {
    let (rec, mem) = memory("shutdown");
    rec.log("a", &Scalar::new(1.0)).expect("log");
    rec.shutdown().expect("shutdown");
    assert!(!rec.is_enabled());
    rec.log("a", &Scalar::new(2.0)).expect("ignored");
    assert_eq!(rows(&mem.messages()).len(), 1);
}

#[test]
fn save_reports_a_bad_path() {
    let rec = RecordingStreamBuilder::new("bad")
        .buffered()
        .expect("recording");
    let err = rec
        .save("/nonexistent/dir/x.reel")
        .expect_err("no such directory");
    assert!(err.to_string().contains("/nonexistent/dir/x.reel"), "{err}");
    // The recording keeps buffering: a later good sink gets everything.
    rec.log("a", &Scalar::new(1.0)).expect("log");
    let mem = rec.memory();
    assert_eq!(rows(&mem.messages()).len(), 1);
}

#[test]
fn large_batches_pass_a_small_bound() {
    // A single row larger than the bound still goes through when nothing else is in flight.
    let (rec, mem) = RecordingStreamBuilder::new("big")
        .batcher_config(BatcherConfig {
            max_bytes_in_flight: 1024,
            ..BatcherConfig::default()
        })
        .memory()
        .expect("memory");
    let values = Float32Array::from(vec![1.0f32; 100_000]);
    let batch = ComponentBatch::new(Radius::NAME, Arc::new(values));
    rec.log_components("big", [batch], LogOptions::default())
        .expect("log");
    let all = rows(&mem.messages());
    assert_eq!(all[0].1.components[0].array().len(), 100_000);
}

#[test]
fn recording_streams_are_send_sync_and_clone() {
    fn assert_traits<T: Send + Sync + Clone + 'static>() {}
    assert_traits::<RecordingStream>();
    assert_traits::<MemoryRecording>();
}

#[test]
fn tee_sends_everything_to_every_sink() {
    let (a, b) = (Probe::default(), Probe::default());
    let rec = RecordingStreamBuilder::new("tee")
        .sink(Box::new(reel_sdk::TeeSink::new(vec![a.sink(), b.sink()])))
        .expect("recording");
    for i in 0..10 {
        rec.log("x", &Scalar::new(f64::from(i))).expect("log");
    }
    rec.flush_blocking().expect("flush");
    assert_eq!(a.num_rows(), 10);
    assert_eq!(b.num_rows(), 10);
    assert_eq!(a.msgs.lock().len(), b.msgs.lock().len());
}

#[test]
fn flush_with_timeout_gives_up_on_a_stuck_sink() {
    let release = Arc::new(Barrier::new(2));
    let gate = release.clone();
    let stuck = CallbackSink::new(move |m| {
        if matches!(m, LogMsg::ArrowMsg(_)) {
            gate.wait();
        }
    });
    let rec = RecordingStreamBuilder::new("stuck")
        .sink(Box::new(stuck))
        .expect("recording");
    rec.log("x", &Scalar::new(1.0)).expect("log");
    let err = rec
        .flush_with_timeout(Duration::from_millis(50))
        .expect_err("the sink is stuck");
    // It says how much is still on its way.
    assert!(
        matches!(err, RecordingError::FlushTimeout { in_flight_bytes, .. } if in_flight_bytes > 0),
        "{err}"
    );
    release.wait();
    rec.flush_with_timeout(Duration::from_secs(10))
        .expect("released, the flush completes");
}
