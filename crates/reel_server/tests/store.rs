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
    assert_eq!(
        store.insert(info("a"), 100).expect("insert"),
        Inserted::Stored
    );
    assert_eq!(
        store.insert(info("a"), 100).expect("insert"),
        Inserted::Duplicate
    );
    assert_eq!(
        store.insert(c.clone(), 1000).expect("insert"),
        Inserted::Stored
    );
    assert_eq!(store.insert(c, 1000).expect("insert"), Inserted::Duplicate);
    let s = &store.summaries()[0];
    assert_eq!((s.messages, s.rows, s.bytes), (2, 1, 1100));
}

#[test]
fn memory_limit_drops_the_oldest_data_of_the_largest_recording() {
    let store = Store::open(None, Some(10_000)).expect("store");
    store.insert(info("small"), 10).expect("insert");
    store.insert(chunk("small", 0.0), 1000).expect("insert");
    store.insert(info("big"), 10).expect("insert");
    let first = chunk("big", 0.0);
    store.insert(first.clone(), 3000).expect("insert");
    for i in 1..4 {
        store
            .insert(chunk("big", f64::from(i)), 3000)
            .expect("insert");
    }
    assert!(store.total_bytes() <= 10_000, "{}", store.total_bytes());
    let summaries = store.summaries();
    let big = summaries
        .iter()
        .find(|s| s.store_id.id.as_str() == "big")
        .expect("big");
    let small = summaries
        .iter()
        .find(|s| s.store_id.id.as_str() == "small")
        .expect("small");
    assert_eq!(
        big.dropped_bytes, 6000,
        "the two oldest chunks of the largest recording"
    );
    assert_eq!(big.rows, 2);
    assert_eq!(
        (small.rows, small.dropped_bytes),
        (1, 0),
        "the smaller recording is untouched"
    );
    assert!(big.info.is_some(), "the store info is never dropped");
    // A resend of dropped data is still recognised.
    assert_eq!(
        store.insert(first, 3000).expect("insert"),
        Inserted::Duplicate
    );
}

#[test]
fn saved_recordings_reload_and_continue() {
    let dir = temp_dir("reload");
    let first = chunk("run", 1.0);
    {
        let store = Store::open(Some(dir.clone()), None).expect("store");
        store.insert(info("run"), 100).expect("insert");
        store.insert(first.clone(), 1000).expect("insert");
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
        store.insert(first, 1000).expect("insert"),
        Inserted::Duplicate,
        "resend after restart"
    );
    assert_eq!(
        store.insert(chunk("run", 2.0), 1000).expect("insert"),
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
