//! Compaction, garbage collection, subscribers, concurrency and the entity tree.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use parking_lot::Mutex;
use reel_core::{ComponentName, RecordingId, StoreId, TimePoint};
use reel_store::{
    ChangeKind, ChangeReason, CompactionConfig, GcOrder, LatestAtQuery, Store, StoreEvent,
};

fn rec(name: &str) -> StoreId {
    StoreId::recording(RecordingId::new(name))
}

/// A store that keeps every inserted chunk as it is (GC tests count chunks).
fn uncompacted(name: &str) -> reel_store::ChunkStore {
    reel_store::ChunkStore::new(
        rec(name),
        CompactionConfig {
            enabled: false,
            ..Default::default()
        },
    )
}

/// Logs `v` at `entity` as static data.
fn log_static(store: &mut reel_store::ChunkStore, entity: &str, v: &[i64]) {
    insert(
        store,
        chunk(
            entity,
            vec![row(TimePoint::timeless(), vec![(VALUE, ints(v))])],
        ),
    );
}

#[test]
fn single_row_logs_compact_into_few_chunks_with_identical_answers() {
    let mut s = store();
    for step in 0..1000 {
        for e in 0..60 {
            log_value(&mut s, &format!("e{e}"), step, &[step]);
        }
    }
    assert_eq!(s.num_rows(), 60_000);
    let per_entity = s.num_chunks() / 60;
    assert!(
        per_entity <= 40,
        "{per_entity} chunks per entity after live compaction"
    );
    let answers = |s: &reel_store::ChunkStore| -> Vec<_> {
        (0..1000)
            .step_by(37)
            .map(|q| {
                s.latest_at_uncached(&LatestAtQuery::new(frame(), q), &path("e7"), &VALUE)
                    .and_then(|h| h.cell(&VALUE))
                    .map(|c| values(&c))
            })
            .collect()
    };
    let before = answers(&s);
    assert_eq!(before[1], Some(vec![37]));
    s.compact();
    assert_eq!(
        s.num_chunks(),
        60,
        "a final pass leaves one chunk per entity"
    );
    assert_eq!(before, answers(&s));
    assert_eq!(s.num_rows(), 60_000);
}

#[test]
fn compaction_respects_the_row_limit_and_schemas() {
    let mut s = reel_store::ChunkStore::new(
        rec("limits"),
        CompactionConfig {
            enabled: true,
            max_rows: 100,
            max_bytes: 1 << 20,
        },
    );
    for step in 0..1000 {
        log_value(&mut s, "a", step, &[step]);
        // Another schema at the same entity never merges with the first.
        insert(
            &mut s,
            chunk("a", vec![row(at(step), vec![(COLOR, ints(&[step]))])]),
        );
    }
    s.compact();
    for c in s.iter_chunks() {
        assert!(c.num_rows() <= 100, "{} rows", c.num_rows());
        assert_eq!(c.components().len(), 1);
    }
    assert!(s.num_chunks() <= 2 * 12, "{} chunks", s.num_chunks());
}

#[test]
fn gc_drops_oldest_temporal_chunks_and_never_static_data() {
    let mut s = uncompacted("gc");
    log_static(&mut s, "a", &[-1]);
    for step in 0..100 {
        log_value(&mut s, "a", step, &vec![step; 100]);
    }
    let full = s.bytes();
    // Under the target: nothing is dropped and the GC generation stays.
    let (report, _) = s.gc(full, &GcOrder::Oldest, Duration::from_secs(10));
    assert_eq!((report.chunks, s.gc_generation()), (0, 0));
    let (report, events) = s.gc(full / 2, &GcOrder::Oldest, Duration::from_secs(10));
    assert!(report.reached_target);
    assert_eq!(
        s.gc_generation(),
        1,
        "a collection that dropped chunks is counted"
    );
    assert!(s.bytes() <= full / 2);
    assert_eq!(report.bytes as usize, full - s.bytes());
    assert_eq!(events.len() as u64, report.chunks);
    assert!(events
        .iter()
        .all(|e| e.kind == ChangeKind::Removed && e.reason == ChangeReason::GarbageCollected));
    // The oldest went first: early frames fall back to the static value.
    let at_frame = |s: &reel_store::ChunkStore, q| latest(s, "a", frame(), q).map(|v| v[0]);
    assert_eq!(at_frame(&s, 10), Some(-1));
    assert_eq!(at_frame(&s, 99), Some(99));
    // Asking for nothing left drops every temporal chunk and keeps the static one.
    let (report, _) = s.gc(0, &GcOrder::Oldest, Duration::from_secs(10));
    assert!(!report.reached_target);
    assert_eq!(s.num_chunks(), 1);
    assert_eq!(at_frame(&s, 99), Some(-1));
    assert_eq!(s.entity_tree().root().subtree.rows, 1);
}

#[test]
fn gc_forgets_entities_whose_data_is_all_gone() {
    let mut s = uncompacted("gc");
    // `old/sensor` logs early and stops; `new/sensor` logs late; `keep` is static.
    log_static(&mut s, "keep", &[1]);
    let before_old = s.bytes();
    for step in 0..10 {
        log_value(&mut s, "old/sensor", step, &[step]);
    }
    let old_bytes = s.bytes() - before_old;
    for step in 10..20 {
        log_value(&mut s, "new/sensor", step, &[step]);
    }
    let schema = s.schema_generation();
    let (report, _) = s.gc(
        s.bytes() - old_bytes,
        &GcOrder::Oldest,
        Duration::from_secs(10),
    );
    assert!(report.reached_target && report.chunks == 10, "{report:?}");
    let tree = s.entity_tree();
    assert!(
        tree.get(&path("old/sensor")).is_none(),
        "no rows left there"
    );
    assert!(tree.get(&path("old")).is_none(), "nor below its parent");
    assert!(!tree.root().children.iter().any(|c| c.to_string() == "old"));
    assert!(tree.get(&path("new/sensor")).is_some());
    assert!(tree.get(&path("keep")).is_some());
    assert!(s.entity_components(&path("old/sensor")).is_empty());
    assert!(!s.entity_components(&path("new/sensor")).is_empty());
    assert!(
        s.schema_generation() > schema,
        "the viewer's lists are rebuilt"
    );
    // Logging there again brings it back.
    log_value(&mut s, "old/sensor", 30, &[30]);
    assert!(s.entity_tree().get(&path("old/sensor")).is_some());
    assert_eq!(latest(&s, "old/sensor", frame(), 30), Some(vec![30]));
}

#[test]
fn gc_can_keep_what_is_near_a_time_cursor() {
    let mut s = uncompacted("gc");
    for step in 0..100 {
        log_value(&mut s, "a", step, &vec![step; 100]);
    }
    let order = GcOrder::FurthestFrom {
        timeline: frame(),
        time: t(50),
    };
    s.gc(s.bytes() / 10, &order, Duration::from_secs(10));
    let left: Vec<i64> = s
        .iter_chunks()
        .map(|c| c.timelines()[&frame()].times()[0])
        .collect();
    assert!(!left.is_empty());
    assert!(left.iter().all(|f| (45..=55).contains(f)), "{left:?}");
}

#[test]
fn store_enforces_a_limit_across_recordings_from_the_largest() {
    let store = Store::new(CompactionConfig {
        enabled: false,
        ..Default::default()
    });
    for step in 0..50 {
        store.insert(
            &rec("big"),
            chunk(
                "a",
                vec![row(at(step), vec![(VALUE, ints(&vec![step; 1000]))])],
            ),
        );
    }
    store.insert(
        &rec("small"),
        chunk("a", vec![row(at(0), vec![(VALUE, ints(&[1]))])]),
    );
    let small = store.recording(&rec("small")).map(|r| r.read().bytes());
    let limit = store.bytes() / 2;
    let report = store.enforce_limit(limit, &GcOrder::Oldest, Duration::from_secs(10));
    assert!(report.total.reached_target && report.total.chunks > 0);
    assert_eq!(report.per_recording.len(), 1);
    assert!(store.bytes() <= limit);
    assert_eq!(
        store.recording(&rec("small")).map(|r| r.read().bytes()),
        small
    );
}

#[test]
fn subscribers_see_a_gapless_snapshot_then_every_change() {
    let store = Arc::new(Store::new(CompactionConfig::default()));
    let id = rec("live");
    for step in 0..10 {
        store.insert(
            &id,
            chunk("a", vec![row(at(step), vec![(VALUE, ints(&[step]))])]),
        );
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let (_sub, _info, snapshot) = store.subscribe_with_snapshot(
        &id,
        Box::new(move |e| {
            if let StoreEvent::Chunk(c) = e {
                sink.lock().push((c.kind, c.reason, c.chunk.num_rows()));
            }
        }),
    );
    assert_eq!(snapshot.iter().map(|c| c.num_rows()).sum::<usize>(), 10);
    for step in 10..20 {
        store.insert(
            &id,
            chunk("a", vec![row(at(step), vec![(VALUE, ints(&[step]))])]),
        );
    }
    let seen = seen.lock();
    let inserted: usize = seen
        .iter()
        .filter(|(k, r, _)| *k == ChangeKind::Added && *r == ChangeReason::Inserted)
        .map(|(_, _, n)| n)
        .sum();
    assert_eq!(inserted, 10);
    // The 16th single-row chunk triggered a merge, reported as compaction.
    assert!(seen.iter().any(|(_, r, _)| *r == ChangeReason::Compacted));
}

#[test]
fn queries_run_while_another_thread_inserts() {
    let store = Arc::new(Store::new(CompactionConfig::default()));
    let id = rec("threads");
    store.insert(&id, chunk("a", vec![row(at(0), vec![(VALUE, ints(&[0]))])]));
    let done = Arc::new(AtomicBool::new(false));
    let queries = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (store, id, done, queries) = (store.clone(), id.clone(), done.clone(), queries.clone());
        std::thread::spawn(move || {
            let recording = store.recording(&id).expect("created above");
            let mut last = 0;
            while !done.load(Ordering::Relaxed) {
                let data = recording.read();
                let v = data
                    .latest_at_component(&LatestAtQuery::new(frame(), i64::MAX), &path("a"), &VALUE)
                    .and_then(|h| h.cell(&VALUE))
                    .map(|c| values(&c)[0])
                    .expect("always a value");
                // Monotonic: the writer logs increasing frames.
                assert!(v >= last, "{v} after {last}");
                last = v;
                queries.fetch_add(1, Ordering::Relaxed);
            }
            last
        })
    };
    for step in 1..=5000 {
        store.insert(
            &id,
            chunk("a", vec![row(at(step), vec![(VALUE, ints(&[step]))])]),
        );
    }
    // Let the reader see the final state at least once.
    std::thread::sleep(Duration::from_millis(20));
    done.store(true, Ordering::Relaxed);
    let last = reader.join().expect("reader thread");
    assert_eq!(last, 5000);
    assert!(queries.load(Ordering::Relaxed) > 0);
}

#[test]
fn the_entity_tree_counts_subtrees_and_densities() {
    let mut s = store();
    for step in 0..100 {
        log_value(&mut s, "world/points", step, &[1]);
        if step % 2 == 0 {
            log_value(&mut s, "world/cam", step, &[1]);
        }
    }
    insert(
        &mut s,
        chunk(
            "world",
            vec![row(TimePoint::timeless(), vec![(COLOR, ints(&[1]))])],
        ),
    );
    let tree = s.entity_tree();
    let world = tree.get(&path("world")).expect("world node");
    assert_eq!(world.subtree.rows, 151);
    assert_eq!(world.subtree.static_rows, 1);
    assert_eq!(world.own.rows, 1);
    assert_eq!(world.children.len(), 2);
    assert_eq!(world.subtree.time_range(&frame()), Some((0, 99)));
    assert_eq!(
        tree.density(&path("world"), &frame(), 0, 99, 4),
        vec![38, 37, 38, 37]
    );
    assert_eq!(
        tree.density(&path("world/cam"), &frame(), 0, 99, 2),
        vec![25, 25]
    );
    assert_eq!(tree.root().subtree.bytes as usize, s.bytes());
    let entities: Vec<String> = tree.entities().map(ToString::to_string).collect();
    assert_eq!(entities, vec!["world", "world/cam", "world/points"]);
}

#[test]
fn byte_accounting_counts_shared_buffers_once() {
    let big = ints(&vec![7; 100_000]);
    let rows = (0..10)
        .map(|i| row(at(i), vec![(VALUE, big.slice(i as usize * 10, 10))]))
        .collect();
    let c = chunk("a", rows);
    let exact = reel_store::stored::exact_bytes(&c);
    // 10 cells of 10 values copied into one list (from_rows concatenates), plus ids, times
    // and offsets: far below the 800 kB the shared source array holds.
    assert!(exact < 4_000, "{exact}");
    let whole = chunk("b", vec![row(at(0), vec![(VALUE, big.clone())])]);
    assert!(reel_store::stored::exact_bytes(&whole) >= 800_000);
}

#[test]
fn schema_generation_moves_only_for_new_entities_components_and_timelines() {
    let mut store = store();
    let comp = |name: &str| ComponentName::from(name);
    insert(
        &mut store,
        chunk("a", vec![row(at(0), vec![(comp("x"), ints(&[1]))])]),
    );
    let first = store.schema_generation();
    assert!(first > 0);
    // More rows of what is known: the data generation moves, the schema does not.
    let data = store.generation();
    insert(
        &mut store,
        chunk("a", vec![row(at(1), vec![(comp("x"), ints(&[2]))])]),
    );
    assert!(store.generation() > data);
    assert_eq!(store.schema_generation(), first);
    // A new component, a new timeline, a new entity, static data: each moves it.
    let mut last = first;
    for c in [
        chunk("a", vec![row(at(2), vec![(comp("y"), ints(&[3]))])]),
        chunk(
            "a",
            vec![row(
                TimePoint::default().with(clock(), 5),
                vec![(comp("x"), ints(&[4]))],
            )],
        ),
        chunk("b", vec![row(at(0), vec![(comp("x"), ints(&[5]))])]),
        chunk(
            "b",
            vec![row(TimePoint::default(), vec![(comp("x"), ints(&[6]))])],
        ),
    ] {
        insert(&mut store, c);
        assert!(store.schema_generation() > last);
        last = store.schema_generation();
    }
}

#[test]
fn apply_all_keeps_order_and_recordings_apart() {
    use reel_core::{ArrowMsg, LogMsg, SetStoreInfo, StoreInfo};
    let store = Store::default();
    let comp = ComponentName::from("x");
    let (a, b) = (rec("a"), rec("b"));
    let msg = |id: &StoreId, entity: &str, t: i64| {
        LogMsg::ArrowMsg(ArrowMsg {
            store_id: id.clone(),
            chunk: chunk(entity, vec![row(at(t), vec![(comp.clone(), ints(&[t]))])]),
        })
    };
    let info = LogMsg::SetStoreInfo(SetStoreInfo {
        row_id: reel_core::RowId::new(),
        info: StoreInfo::new_recording("app".into(), b.id.clone()),
    });
    store.apply_all(&[
        msg(&a, "e", 0),
        msg(&a, "e", 1),
        info,
        msg(&b, "e", 2),
        msg(&a, "f", 3),
    ]);
    let rows = |id: &StoreId| store.recording(id).map_or(0, |r| r.read().num_rows());
    assert_eq!(rows(&a), 3);
    assert_eq!(rows(&b), 1);
    assert!(store.recording(&b).and_then(|r| r.info()).is_some());
    store.apply_all(&[]);
}

#[test]
fn decoded_chunks_are_stored_without_the_message_around_them() {
    // 1000 rows decoded from the format share the message's one allocation, row ids'
    // Arrow form included; the store keeps a copy of exactly the data.
    let rows: Vec<_> = (0..1000)
        .map(|i| row(at(i), vec![(VALUE, ints(&[i]))]))
        .collect();
    let original = chunk("a", rows);
    let msg = reel_core::LogMsg::ArrowMsg(reel_core::ArrowMsg {
        store_id: rec("decoded"),
        chunk: original.clone(),
    });
    let bytes =
        reel_format::encode_to_vec([&msg], reel_format::EncoderOptions::default()).expect("encode");
    let decoded = match reel_format::decode_slice(&bytes).next() {
        Some(Ok(reel_core::LogMsg::ArrowMsg(a))) => a.chunk,
        other => panic!("expected one chunk, got {other:?}"),
    };
    let as_decoded = reel_store::stored::exact_bytes(&decoded);
    let stored = reel_store::StoredChunk::new(decoded.clone());
    assert!(
        !Arc::ptr_eq(stored.chunk(), &decoded),
        "slack was copied away"
    );
    assert_eq!(stored.chunk().id(), original.id());
    // Row ids (16), one time (8), offsets (4) and a value (8) per row, and no more.
    let exact = 1000 * (16 + 8 + 4 + 8) + 4;
    assert!(
        stored.bytes() >= exact && stored.bytes() < exact + 1024,
        "{} bytes stored for {exact} of data",
        stored.bytes()
    );
    assert!(
        as_decoded > stored.bytes() + 16_000,
        "{as_decoded} bytes as decoded"
    );
    let mut s = store();
    s.insert(stored);
    assert_eq!(latest(&s, "a", frame(), 500), Some(vec![500]));

    // A chunk built in memory owns exactly its data already and is kept as it is.
    let own = reel_store::StoredChunk::new(original.clone());
    assert!(Arc::ptr_eq(own.chunk(), &original));
}

#[test]
fn a_store_without_an_entity_tree_answers_queries_and_collects_garbage() {
    let mut s = uncompacted("no-tree").without_entity_tree();
    log_static(&mut s, "a/b", &[-1]);
    for step in 0..50 {
        log_value(&mut s, "a/b", step, &[step]);
    }
    assert_eq!(latest(&s, "a/b", frame(), 20), Some(vec![20]));
    assert!(s.entity_tree().root().children.is_empty());
    assert_eq!(s.entity_tree().root().subtree.rows, 0);
    let (report, _) = s.gc(0, &GcOrder::Oldest, Duration::from_secs(10));
    assert_eq!(report.chunks, 50);
    assert_eq!(latest(&s, "a/b", frame(), 20), Some(vec![-1]));
}
