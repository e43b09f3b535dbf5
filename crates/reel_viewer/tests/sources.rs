//! Where the viewer's data comes from: a server followed live (everything it holds, then
//! new data), files loading with progress, and saving a recording or a time range of it.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reel_core::{Component, EntityPath, TimeInt, Timeline};
use reel_sdk::RecordingStreamBuilder;
use reel_store::{LatestAtQuery, Store};
use reel_types::archetypes::Scalar;
use reel_viewer::sources::SourceState;

fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

fn rows(store: &Store) -> u64 {
    store
        .recording_ids()
        .iter()
        .filter_map(|id| store.recording(id))
        .map(|r| r.read().num_rows())
        .sum()
}

#[test]
fn connect_receives_what_the_server_holds_then_live_data() {
    let server = reel_server::Server::bind(reel_server::ServerConfig {
        port: 0,
        report_interval: None,
        ..Default::default()
    })
    .expect("bind")
    .spawn();
    let addr = server.addr();
    let rec = RecordingStreamBuilder::new("live")
        .connect(Some(&addr.to_string()), Duration::from_secs(10))
        .expect("connect");
    for i in 0..50 {
        rec.set_time_sequence("frame", i);
        rec.log("speed", &Scalar::new(i as f64)).expect("log");
    }
    rec.flush_blocking().expect("flush");

    let store = Arc::new(Store::default());
    let source = reel_viewer::native::connect(store.clone(), addr, egui::Context::default());
    eventually("the snapshot", || rows(&store) >= 50);
    assert_eq!(source.progress.state(), SourceState::Live);
    for i in 50..80 {
        rec.set_time_sequence("frame", i);
        rec.log("speed", &Scalar::new(i as f64)).expect("log");
    }
    rec.flush_blocking().expect("flush");
    eventually("the live rows", || rows(&store) >= 80);
    assert!(source.progress.bytes.load(Ordering::Relaxed) > 0);
    server.stop();
}

#[test]
fn files_load_with_progress_and_damage_is_reported() {
    let dir = std::env::temp_dir().join(format!("reel-viewer-sources-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("a.reel");
    let rec = RecordingStreamBuilder::new("file")
        .save(&path)
        .expect("save");
    for i in 0..1000 {
        rec.set_time_sequence("frame", i);
        rec.log("x", &Scalar::new(i as f64)).expect("log");
        if i % 100 == 99 {
            // Ten chunks, so a truncated copy still holds whole ones.
            rec.flush_blocking().expect("flush");
        }
    }
    drop(rec);
    let size = std::fs::metadata(&path).expect("meta").len();

    let store = Arc::new(Store::default());
    let source =
        reel_viewer::native::load_file(store.clone(), path.clone(), egui::Context::default());
    eventually("the file", || {
        source.progress.state() != SourceState::Running
    });
    assert_eq!(source.progress.state(), SourceState::Done);
    assert_eq!(source.progress.fraction(), Some(1.0));
    assert_eq!(rows(&store), 1000);
    assert!(source.status().contains("MB"), "{}", source.status());

    // A truncated copy: what came before the damage is kept, the error is shown.
    let bytes = std::fs::read(&path).expect("read");
    let cut = dir.join("cut.reel");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).expect("write");
    let store = Arc::new(Store::default());
    let source = reel_viewer::native::load_file(store.clone(), cut, egui::Context::default());
    eventually("the damaged file", || {
        source.progress.state() != SourceState::Running
    });
    assert!(matches!(source.progress.state(), SourceState::Failed(_)));
    assert!(rows(&store) > 0 && rows(&store) < 1000);
    assert!(size > 0);

    // A missing file is a failed source, not a panic.
    let source = reel_viewer::native::load_file(
        Arc::new(Store::default()),
        dir.join("missing.reel"),
        egui::Context::default(),
    );
    eventually("the missing file", || {
        source.progress.state() != SourceState::Running
    });
    assert!(
        source.status().contains("cannot open"),
        "{}",
        source.status()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn saving_a_time_range_keeps_static_data_and_the_rows_inside() {
    let (rec, mem) = RecordingStreamBuilder::new("save")
        .memory()
        .expect("recording");
    rec.log_timeless("config", &Scalar::new(-1.0)).expect("log");
    for i in 0..100 {
        rec.set_time_sequence("frame", i);
        rec.log("x", &Scalar::new(i as f64)).expect("log");
    }
    let store = Store::default();
    store.load(std::io::Cursor::new(mem.drain_as_bytes().expect("bytes")));
    let id = store.recording_ids().pop().expect("id");
    let recording = store.recording(&id).expect("recording");
    let frame = Timeline::new_sequence("frame");

    let mut out = Vec::new();
    let rows = reel_viewer::save::write_recording(
        &mut out,
        &id,
        &recording,
        Some(&(frame.clone(), 10, 19)),
    )
    .expect("save");
    assert_eq!(rows, 11, "ten rows in range and one static");
    let reloaded = Store::default();
    let report = reloaded.load(std::io::Cursor::new(out));
    assert!(report.error.is_none());
    let copy = reloaded.recording(&id).expect("same id");
    assert_eq!(copy.info(), recording.info());
    let chunks = copy.read();
    let at = |t: i64, entity: &str| {
        chunks
            .latest_at_component(
                &LatestAtQuery::new(frame.clone(), TimeInt::new(t)),
                &EntityPath::parse_forgiving(entity),
                &reel_types::components::Scalar::name(),
            )
            .map(|h| h.key.time)
    };
    assert_eq!(at(15, "x"), Some(Some(TimeInt::new(15))));
    assert_eq!(at(50, "x"), Some(Some(TimeInt::new(19))));
    assert_eq!(at(5, "x"), None);
    assert_eq!(at(5, "config"), Some(None), "static data is kept");

    let mut all = Vec::new();
    let rows = reel_viewer::save::write_recording(&mut all, &id, &recording, None).expect("save");
    assert_eq!(rows, 101);
}
