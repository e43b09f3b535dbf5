//! The viewer driven like a user would: open a recording, select an entity, scrub, play,
//! follow live data, drop files on the window. egui_kittest runs the app headless; kittest
//! finds widgets by their accessible labels.

use std::sync::Arc;

use egui::Key;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use reel_core::TimeInt;
use reel_sdk::{MemoryRecording, RecordingStream, RecordingStreamBuilder};
use reel_store::Store;
use reel_types::archetypes::{Points2D, Scalar, TextLog};
use reel_viewer::sources::SourceState;
use reel_viewer::{AppOptions, ViewerApp};

/// A recording being logged in memory, and the store the viewer reads.
struct Fixture {
    rec: RecordingStream,
    mem: MemoryRecording,
    store: Arc<Store>,
}

impl Fixture {
    fn new() -> Self {
        let (rec, mem) = RecordingStreamBuilder::new("viewer_test")
            .memory()
            .expect("recording");
        Self {
            rec,
            mem,
            store: Arc::new(Store::default()),
        }
    }

    /// Logs frames `range`: speed = 1.5 * frame, a point and a log line per frame.
    fn log_frames(&self, range: std::ops::Range<i64>) {
        for frame in range {
            self.rec.set_time_sequence("frame", frame);
            self.rec
                .log("metrics/speed", &Scalar::new(1.5 * frame as f64))
                .expect("log");
            self.rec
                .log("cam/points", &Points2D::new([[frame as f32, 2.0]]))
                .expect("log");
            self.rec
                .log("logs", &TextLog::new(format!("frame {frame} done")))
                .expect("log");
        }
    }

    /// Hands what was logged since the last call to the store, as a source would.
    fn deliver(&self) {
        let bytes = self.mem.drain_as_bytes().expect("bytes");
        let report = self.store.load(std::io::Cursor::new(bytes));
        assert!(report.error.is_none(), "{:?}", report.error);
    }

    fn harness(&self) -> Harness<'static, ViewerApp> {
        let app = ViewerApp::new(self.store.clone(), AppOptions::default(), || {});
        Harness::builder()
            .with_size([1280.0, 800.0])
            .with_step_dt(0.05)
            .build_ui_state(|ui, app: &mut ViewerApp| app.ui(ui), app)
    }
}

/// The cursor of the shown recording.
fn cursor(harness: &mut Harness<'_, ViewerApp>) -> TimeInt {
    let store = harness.state().store().clone();
    let id = harness
        .state()
        .active()
        .cloned()
        .expect("a recording is shown");
    let recording = store.recording(&id).expect("recording");
    let chunks = recording.read();
    let ui = harness.state_mut().active_ui().expect("state");
    ui.time.current(&chunks)
}

#[test]
fn selecting_and_scrubbing_shows_the_value_at_the_cursor() {
    let f = Fixture::new();
    f.log_frames(0..10);
    f.deliver();
    let mut harness = f.harness();
    harness.run();

    // Following live: the cursor is at the newest frame.
    assert_eq!(cursor(&mut harness), TimeInt::new(9));
    harness.get_by_label("speed").click();
    harness.run();
    // 1.5 * 9, as the selection panel formats it.
    harness.get_by_label("13.5");

    // Home, then three steps right: frame 3, where speed was 4.5.
    harness.key_press(Key::Home);
    harness.run();
    for _ in 0..3 {
        harness.key_press(Key::ArrowRight);
        harness.run();
    }
    assert_eq!(cursor(&mut harness), TimeInt::new(3));
    harness.get_by_label("4.5");
    assert!(harness.query_by_label("13.5").is_none());
    // Stepping back works too.
    harness.key_press(Key::ArrowLeft);
    harness.run();
    harness.get_by_label("3.0");
}

#[test]
fn play_advances_time_and_stops_at_the_end() {
    let f = Fixture::new();
    f.log_frames(0..30);
    f.deliver();
    let mut harness = f.harness();
    harness.run();
    harness.key_press(Key::Home);
    harness.run();
    assert_eq!(cursor(&mut harness), TimeInt::new(0));
    harness.key_press(Key::Space);
    // Sequence timelines play at 10 frames per second; a step here is 0.05 s.
    harness.run_steps(20);
    let t = cursor(&mut harness).as_i64();
    assert!(
        (5..=15).contains(&t),
        "after about a second the cursor is near frame 10, not {t}"
    );
    harness.run_steps(60);
    assert_eq!(
        cursor(&mut harness),
        TimeInt::new(29),
        "playback stops at the end"
    );
    let playing = harness.state_mut().active_ui().map(|s| s.time.playing);
    assert_eq!(playing, Some(false));
}

#[test]
fn following_live_tracks_new_data_and_new_entities() {
    let f = Fixture::new();
    f.log_frames(0..5);
    f.deliver();
    let mut harness = f.harness();
    harness.run();
    harness.get_by_label("speed").click();
    harness.run();
    harness.get_by_label("6.0");
    assert_eq!(cursor(&mut harness), TimeInt::new(4));

    // More data arrives, including a new entity.
    f.log_frames(5..12);
    f.rec.set_time_sequence("frame", 11);
    f.rec
        .log("metrics/battery", &Scalar::new(77.0))
        .expect("log");
    f.deliver();
    harness.run();
    assert_eq!(cursor(&mut harness), TimeInt::new(11));
    harness.get_by_label("16.5");
    harness.get_by_label("battery");

    // After scrubbing, new data no longer moves the cursor; L follows again.
    harness.key_press(Key::Home);
    harness.run();
    f.log_frames(12..14);
    f.deliver();
    harness.run();
    assert_eq!(cursor(&mut harness), TimeInt::new(0));
    harness.key_press(Key::L);
    harness.run();
    assert_eq!(cursor(&mut harness), TimeInt::new(13));
}

#[test]
fn hiding_an_entity_and_clearing_the_selection() {
    let f = Fixture::new();
    f.log_frames(0..3);
    f.deliver();
    let mut harness = f.harness();
    harness.run();
    harness.get_by_label("points").click();
    harness.run();
    harness.get_by_label_contains("archetypes: Points2D");
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.query_by_label_contains("archetypes:").is_none());
    let state = harness.state_mut().active_ui().expect("state");
    assert!(state.selection.is_none());
}

/// A file dropped on the window: a path, and bytes when the platform hands them over (a
/// browser gives only a name and the contents).
#[derive(Debug)]
struct Dropped {
    path: std::path::PathBuf,
    bytes: Option<Vec<u8>>,
}

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.path
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        self.bytes.clone().ok_or_else(|| "not readable".to_owned())
    }
}

/// A viewer of `store` (empty at first), run once.
fn viewer_of(store: &Arc<Store>) -> Harness<'static, ViewerApp> {
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        // A recording appearing adds many widgets at once; each asks for one more frame
        // the first time it is styled, so settling takes more than the default 4 steps.
        .with_max_steps(12)
        .build_ui_state(
            |ui, app: &mut ViewerApp| app.ui(ui),
            ViewerApp::new(store.clone(), AppOptions::default(), || {}),
        );
    harness.run();
    harness
}

/// Runs frames until a recording shows and every source has finished (files load on a
/// thread), for at most 5 s, then lets the UI settle.
fn wait_for_a_recording(harness: &mut Harness<'_, ViewerApp>) {
    let loaded = |app: &ViewerApp| {
        app.active().is_some()
            && app
                .sources()
                .iter()
                .all(|s| !matches!(s.progress.state(), SourceState::Running))
    };
    for _ in 0..500 {
        // The loading thread asks for repaints at moments of its own: while it runs,
        // frames may not settle within the harness's step budget, and that is fine.
        harness.run_ok();
        if loaded(harness.state()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    harness.run();
}

fn drop_file(harness: &mut Harness<'_, ViewerApp>, path: &str, bytes: Option<Vec<u8>>) {
    harness.input_mut().dropped_files.push(Arc::new(Dropped {
        path: path.into(),
        bytes,
    }));
    harness.run();
}

#[test]
fn dropping_files_opens_them() {
    let first = Fixture::new();
    first.log_frames(0..3);
    let file = std::env::temp_dir().join(format!("reel-dropped-{}.reel", std::process::id()));
    std::fs::write(&file, first.mem.drain_as_bytes().expect("bytes")).expect("write");
    let store = Arc::new(Store::default());
    let mut harness = viewer_of(&store);

    // A file on disk is loaded on a thread; the recording shows when it arrives.
    drop_file(&mut harness, file.to_str().expect("utf-8 path"), None);
    wait_for_a_recording(&mut harness);
    std::fs::remove_file(&file).expect("remove");
    assert!(
        harness.state().active().is_some(),
        "the dropped recording shows"
    );
    harness.run();
    harness.get_by_label("speed");

    // Contents without a readable path (as a browser drops them).
    let (rec, mem) = RecordingStreamBuilder::new("second")
        .memory()
        .expect("recording");
    rec.log("metrics/altitude", &Scalar::new(3.0)).expect("log");
    drop_file(
        &mut harness,
        "second.reel",
        Some(mem.drain_as_bytes().expect("bytes")),
    );
    assert_eq!(store.recording_ids().len(), 2, "both recordings are open");

    // Not a recording: its source says why, what is open stays.
    drop_file(&mut harness, "notes.txt", Some(b"not a recording".to_vec()));
    let last = harness.state().sources().last().expect("a source");
    assert_eq!(last.name, "notes.txt");
    assert!(
        matches!(last.progress.state(), SourceState::Failed(_)),
        "{:?}",
        last.progress.state()
    );
    assert_eq!(store.recording_ids().len(), 2);
}

#[test]
fn the_file_menu_opens_and_saves_recordings() {
    let f = Fixture::new();
    f.log_frames(0..4);
    let dir = std::env::temp_dir().join(format!("reel-file-menu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let input = dir.join("in.reel");
    std::fs::write(&input, f.mem.drain_as_bytes().expect("bytes")).expect("write");
    let store = Arc::new(Store::default());
    let mut harness = viewer_of(&store);

    // File > Open…, a path typed into the dialog, Open.
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Open…").click();
    harness.run();
    harness.get_by_label("Open recording");
    harness.get_by_label("File:").focus();
    harness.run();
    harness
        .get_by_label("File:")
        .type_text(input.to_str().expect("utf-8 path"));
    harness.run();
    harness.get_by_label("Open").click();
    wait_for_a_recording(&mut harness);
    assert!(
        harness.state().active().is_some(),
        "the opened recording shows"
    );
    assert!(
        harness.query_by_label("Open recording").is_none(),
        "the dialog closed"
    );

    // File > Save recording…, a new name, Save: the file holds the same rows.
    let output = dir.join("out.reel");
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Save recording…").click();
    harness.run();
    // The field starts with a suggested name: select it all and type over it.
    harness.get_by_label("File:").focus();
    harness.run();
    harness.key_combination_modifiers(egui::Modifiers::COMMAND, &[Key::A]);
    harness.run();
    harness
        .get_by_label("File:")
        .type_text(output.to_str().expect("utf-8 path"));
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    let saved = Store::default();
    let report = saved.load(std::fs::File::open(&output).expect("saved file"));
    assert!(report.error.is_none(), "{:?}", report.error);
    let rows = |s: &Store| {
        let id = s.recording_ids().into_iter().next().expect("a recording");
        s.recording(&id).expect("recording").read().num_rows()
    };
    assert_eq!(rows(&saved), rows(&store));
    std::fs::remove_dir_all(&dir).expect("clean up");
}
