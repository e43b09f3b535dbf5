//! The server's store: deduplication, the memory limit, saving and reloading.

#![allow(missing_docs)]

use std::sync::Arc;

use reel_core::{
    ApplicationId, ArrowMsg, AsComponents, Chunk, ChunkRow, EntityPath, LogMsg, RecordingId, RowId,
    SetStoreInfo, StoreId, StoreInfo, TimePoint,
};
use reel_server::{Inserted, Store};
use reel_types::archetypes::Scalar;

fn info(id: &str) -> LogMsg {
    LogMsg::SetStoreInfo(SetStoreInfo {
        row_id: RowId::new(),
        info: StoreInfo::new_recording(ApplicationId::new("test"), RecordingId::new(id)),
    })
}

fn chunk(id: &str, value: f64) -> LogMsg {
    let row = ChunkRow {
        row_id: RowId::new(),
        timepoint: TimePoint::timeless(),
        components: Scalar::new(value).as_component_batches(),
    };
    let chunk =
        Chunk::from_rows(EntityPath::parse_strict("x").expect("path"), [row]).expect("chunk");
    LogMsg::ArrowMsg(ArrowMsg {
        store_id: StoreId::recording(RecordingId::new(id)),
        chunk: Arc::new(chunk),
    })
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("reel-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn resends_are_recognised() {
    let store = Store::open(None, None).expect("store");
    let c = chunk("a", 1.0);
    assert_eq!(store.insert(info("a")).expect("insert"), Inserted::Stored);
    assert_eq!(
        store.insert(info("a")).expect("insert"),
        Inserted::Duplicate
    );
    assert_eq!(store.insert(c.clone()).expect("insert"), Inserted::Stored);
    assert_eq!(store.insert(c).expect("insert"), Inserted::Duplicate);
    let s = &store.summaries()[0];
    assert_eq!((s.chunks, s.rows), (1, 1));
    assert!(s.bytes > 0 && s.info.is_some());
}

fn temporal(id: &str, frame: i64, values: usize) -> LogMsg {
    let row = ChunkRow {
        row_id: RowId::new(),
        timepoint: TimePoint::default().with(reel_core::Timeline::new_sequence("frame"), frame),
        components: vec![reel_core::ComponentBatch::new(
            "test.Values",
            Arc::new(arrow_array::Float64Array::from(vec![0.5; values])),
        )],
    };
    let chunk =
        Chunk::from_rows(EntityPath::parse_strict("x").expect("path"), [row]).expect("chunk");
    LogMsg::ArrowMsg(ArrowMsg {
        store_id: StoreId::recording(RecordingId::new(id)),
        chunk: Arc::new(chunk),
    })
}

#[test]
fn memory_limit_drops_the_oldest_data_of_the_largest_recording() {
    // Each big chunk holds 1000 f64 (~8 kB); the limit fits about two of them.
    let store = Store::open(None, Some(20_000)).expect("store");
    store.insert(info("small")).expect("insert");
    store.insert(temporal("small", 0, 10)).expect("insert");
    store.insert(info("big")).expect("insert");
    let first = temporal("big", 0, 1000);
    store.insert(first.clone()).expect("insert");
    for i in 1..5 {
        store.insert(temporal("big", i, 1000)).expect("insert");
    }
    assert!(store.total_bytes() <= 20_000, "{}", store.total_bytes());
    let summaries = store.summaries();
    let find = |name: &str| {
        summaries
            .iter()
            .find(|s| s.store_id.id.as_str() == name)
            .expect("recording")
            .clone()
    };
    let (big, small) = (find("big"), find("small"));
    assert!(
        big.dropped_rows >= 2,
        "the oldest rows of the largest recording"
    );
    assert_eq!(big.rows + big.dropped_rows, 5);
    assert_eq!(
        (small.rows, small.dropped_bytes),
        (1, 0),
        "the smaller recording is untouched"
    );
    assert!(big.info.is_some(), "the store info is never dropped");
    // The newest data survived.
    let data = store
        .data()
        .recording(&StoreId::recording(RecordingId::new("big")))
        .expect("big");
    let newest = data.read().latest_at_component(
        &reel_store::LatestAtQuery::new(reel_core::Timeline::new_sequence("frame"), 4),
        &EntityPath::parse_strict("x").expect("path"),
        &reel_core::ComponentName::new("test.Values"),
    );
    assert_eq!(
        newest.map(|h| h.key.time),
        Some(Some(reel_core::TimeInt::new(4)))
    );
    // A resend of dropped data is still recognised.
    assert_eq!(store.insert(first).expect("insert"), Inserted::Duplicate);
}

#[test]
fn saved_recordings_reload_and_continue() {
    let dir = temp_dir("reload");
    let first = chunk("run", 1.0);
    {
        let store = Store::open(Some(dir.clone()), None).expect("store");
        store.insert(info("run")).expect("insert");
        store.insert(first.clone()).expect("insert");
        // Dropped without closing the files: as if the server was killed.
    }
    // Cut the file mid-way through a frame, as a crash could.
    let path = std::fs::read_dir(&dir)
        .expect("dir")
        .next()
        .expect("a file")
        .expect("entry")
        .path();
    let mut bytes = std::fs::read(&path).expect("read");
    bytes.extend_from_slice(&[2, 0, 0, 0, 1, 2]); // half a frame header
    std::fs::write(&path, &bytes).expect("write");

    let store = Store::open(Some(dir.clone()), None).expect("reopen");
    assert_eq!(
        store.summaries()[0].rows,
        1,
        "the whole messages were loaded"
    );
    assert_eq!(
        store.insert(first).expect("insert"),
        Inserted::Duplicate,
        "resend after restart"
    );
    assert_eq!(
        store.insert(chunk("run", 2.0)).expect("insert"),
        Inserted::Stored
    );
    store.close_files();

    // The file now holds two concatenated streams that decode whole, each row once.
    let bytes = std::fs::read(&path).expect("read");
    let mut decoder = reel_format::decode_slice(&bytes);
    let msgs: Vec<LogMsg> = (&mut decoder)
        .collect::<Result<_, _>>()
        .expect("decodes whole");
    assert!(decoder.ended_cleanly());
    let rows: usize = msgs
        .iter()
        .map(|m| match m {
            LogMsg::ArrowMsg(a) => a.chunk.num_rows(),
            _ => 0,
        })
        .sum();
    assert_eq!(rows, 2);
    assert_eq!(
        std::fs::read_dir(&dir).expect("dir").count(),
        1,
        "one file per recording"
    );
}
