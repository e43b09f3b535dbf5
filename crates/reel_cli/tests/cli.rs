//! Runs the real `reel` binary on recordings written by the test.

#![allow(missing_docs)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;

use reel_core::{
    ApplicationId, ArrowMsg, AsComponents, Chunk, ChunkRow, EntityPath, LogMsg, RecordingId, RowId,
    SetStoreInfo, StoreId, StoreInfo, TimePoint, Timeline,
};
use reel_format::{encode_to_vec, EncoderOptions};
use reel_types::archetypes::{Points3D, Scalar};

fn recording() -> Vec<u8> {
    let store_id = StoreId::recording(RecordingId::new("cli-test"));
    let frame = Timeline::new_sequence("frame");
    let points = (0..4).map(|i| ChunkRow {
        row_id: RowId::new(),
        timepoint: TimePoint::default().with(frame.clone(), 10 + i),
        components: Points3D::new([[0.0, 0.0, i as f32], [1.0, 1.0, 1.0]])
            .with_radii([0.5])
            .as_component_batches(),
    });
    let scalars = (0..3).map(|i| ChunkRow {
        row_id: RowId::new(),
        timepoint: TimePoint::timeless(),
        components: Scalar::new(i as f64).as_component_batches(),
    });
    let path = |s: &str| EntityPath::parse_strict(s).expect("path");
    let msgs = vec![
        LogMsg::SetStoreInfo(SetStoreInfo {
            row_id: RowId::new(),
            info: StoreInfo::new_recording(ApplicationId::new("cli_app"), store_id.id.clone()),
        }),
        LogMsg::ArrowMsg(ArrowMsg {
            store_id: store_id.clone(),
            chunk: Arc::new(Chunk::from_rows(path("world/points"), points).expect("chunk")),
        }),
        LogMsg::ArrowMsg(ArrowMsg {
            store_id,
            chunk: Arc::new(Chunk::from_rows(path("plot/value"), scalars).expect("chunk")),
        }),
    ];
    encode_to_vec(&msgs, EncoderOptions::default()).expect("encode")
}

fn write_temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reel-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn reel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reel"))
        .args(args)
        .output()
        .expect("run reel")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn print_describes_the_recording() {
    let path = write_temp("print.reel", &recording());
    let out = reel(&["print", path.to_str().expect("utf8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for expected in [
        "3 messages",
        "(complete)",
        "recording cli-test  application: cli_app",
        "world/points: 4 rows in 1 chunks",
        "timeline frame (sequence): #10 .. #13",
        "reel.components.Position3D: 4 rows, 8 instances",
        "reel.components.Radius: 4 rows, 4 instances",
        "plot/value: 3 rows, 3 timeless",
    ] {
        assert!(s.contains(expected), "missing {expected:?} in:\n{s}");
    }
}

#[test]
fn print_json_is_one_document() {
    let path = write_temp("json.reel", &recording());
    let out = reel(&["print", "--json", path.to_str().expect("utf8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(doc["messages"], 3);
    assert_eq!(doc["complete"], true);
    let store = &doc["stores"][0];
    assert_eq!(store["recording_id"], "cli-test");
    assert_eq!(store["application_id"], "cli_app");
    assert_eq!(store["rows"], 7);
    let points = store["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .find(|e| e["path"] == "world/points")
        .expect("points entity");
    assert_eq!(points["timelines"][0]["min"], 10);
    assert_eq!(points["timelines"][0]["max"], 13);
    let position = points["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["name"] == "reel.components.Position3D")
        .expect("positions");
    assert_eq!(position["instances"], 8);
}

#[test]
fn verify_accepts_whole_files_and_names_the_damage() {
    let bytes = recording();
    let ok = write_temp("ok.reel", &bytes);
    let out = reel(&["verify", ok.to_str().expect("utf8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("ok, 3 messages"));

    let cut = write_temp("cut.reel", &bytes[..bytes.len() - 30]);
    let out = reel(&["verify", cut.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("truncated") && err.contains("at byte"),
        "{err}"
    );
    assert!(err.contains("2 whole messages decoded before it"), "{err}");

    let mut flipped = bytes.clone();
    let mid = bytes.len() / 2;
    flipped[mid] ^= 0xff;
    let bad = write_temp("bad.reel", &flipped);
    let out = reel(&["verify", bad.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("checksum mismatch"),
        "{}",
        text(&out.stderr)
    );

    // A damaged file still prints what came before the damage, and fails.
    let out = reel(&["print", cut.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("world/points: 4 rows"));
    assert!(text(&out.stdout).contains("INCOMPLETE"));
}

#[test]
fn missing_file_is_a_usage_error() {
    let out = reel(&["verify", "/nonexistent/x.reel"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot open /nonexistent/x.reel"));
}

/// 50 entities x 100 single-row chunks, as an SDK flushing every row would write.
fn many_small_chunks() -> Vec<u8> {
    let store_id = StoreId::recording(RecordingId::new("small-chunks"));
    let frame = Timeline::new_sequence("frame");
    let mut msgs = vec![LogMsg::SetStoreInfo(SetStoreInfo {
        row_id: RowId::new(),
        info: StoreInfo::new_recording(ApplicationId::new("cli_app"), store_id.id.clone()),
    })];
    for step in 0..100 {
        for e in 0..50 {
            let row = ChunkRow {
                row_id: RowId::new(),
                timepoint: TimePoint::default().with(frame.clone(), step),
                components: Scalar::new((step * 100 + e) as f64).as_component_batches(),
            };
            let path = EntityPath::parse_strict(&format!("sensors/s{e}")).expect("path");
            msgs.push(LogMsg::ArrowMsg(ArrowMsg {
                store_id: store_id.clone(),
                chunk: Arc::new(Chunk::from_rows(path, [row]).expect("chunk")),
            }));
        }
    }
    encode_to_vec(&msgs, EncoderOptions::default()).expect("encode")
}

#[test]
fn compact_merges_chunks_and_keeps_every_row() {
    // A blueprint activation rides along: compaction keeps it.
    let activation = reel_core::BlueprintActivation {
        blueprint_id: StoreId::blueprint(RecordingId::new("bp")),
        make_active: true,
        make_default: false,
    };
    let mut bytes = many_small_chunks();
    bytes.extend(
        encode_to_vec(
            &[LogMsg::BlueprintActivation(activation.clone())],
            EncoderOptions::default(),
        )
        .expect("encode"),
    );
    let input = write_temp("small-chunks.reel", &bytes);
    let output = input.with_file_name("compacted.reel");
    let out = reel(&[
        "compact",
        input.to_str().expect("utf8"),
        output.to_str().expect("utf8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("5000 rows in 5000 chunks"), "{stdout}");
    assert!(stdout.contains(": 50 chunks"), "{stdout}");
    let bytes = std::fs::read(&output).expect("read");
    let mut rows = std::collections::BTreeSet::new();
    for msg in reel_format::decode_slice(&bytes) {
        if let LogMsg::ArrowMsg(a) = msg.expect("whole") {
            let frames = a.chunk.timelines()[&Timeline::new_sequence("frame")]
                .times()
                .to_vec();
            for (i, row_id) in a.chunk.row_ids().iter().enumerate() {
                rows.insert((a.chunk.entity_path().to_string(), frames[i], *row_id));
            }
        }
    }
    assert_eq!(rows.len(), 5000, "every row exactly once");
    let activations: Vec<_> = reel_format::decode_slice(&bytes)
        .filter_map(|m| match m.expect("whole") {
            LogMsg::BlueprintActivation(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(
        activations,
        [activation],
        "the blueprint activation is kept"
    );
    let verify = reel(&["verify", output.to_str().expect("utf8")]);
    assert!(verify.status.success());
}

#[test]
fn export_writes_parquet_per_entity_with_a_manifest() {
    let a = write_temp("export-a.reel", &recording());
    let b = write_temp("export-b.reel", &many_small_chunks());
    let dir = a.with_file_name("export-out");
    let _ = std::fs::remove_dir_all(&dir);
    let out = reel(&[
        "export",
        "--parquet",
        dir.to_str().expect("utf8"),
        "--index",
        "frame",
        a.to_str().expect("utf8"),
        b.to_str().expect("utf8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["recordings"].as_array().map(Vec::len), Some(2));
    let entities = manifest["entities"].as_array().expect("entities");
    assert_eq!(
        entities.len(),
        52,
        "2 entities of one recording, 50 of the other"
    );
    let points = entities
        .iter()
        .find(|e| e["entity"] == "/world/points")
        .expect("points entry");
    assert_eq!(points["rows"], 4);
    assert_eq!(points["columns"][0], "recording_id");
    assert_eq!(points["columns"][1], "frame");
    assert!(dir.join(points["file"].as_str().expect("file")).exists());
}

#[test]
fn html_writes_a_page_that_carries_the_viewer_and_the_recording() {
    let bytes = recording();
    let input = write_temp("html.reel", &bytes);
    let out = input.with_extension("html");
    let run = reel(&[
        "html",
        "--out",
        out.to_str().expect("path"),
        "--width",
        "640",
        input.to_str().expect("path"),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stdout).starts_with("wrote "));
    let page = std::fs::read_to_string(&out).expect("page");
    assert!(page.starts_with("<!doctype html>") && page.contains("width=\"640\" height=\"800\""));
    // The recording is inside, byte for byte (base64, in the frame's boot options).
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    assert!(page.contains(&b64), "the recording is inline");
    assert!(
        page.contains("&quot;gzip&quot;:&quot;"),
        "the viewer is inline"
    );

    // A damaged file: its whole messages are kept, and the exit code says so.
    let cut = write_temp("html-cut.reel", &bytes[..bytes.len() - 10]);
    let run = reel(&[
        "html",
        "--out",
        out.to_str().expect("path"),
        cut.to_str().expect("path"),
    ]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    assert!(std::fs::read_to_string(&out)
        .expect("page")
        .contains("srcdoc"));
}

#[test]
fn verify_reports_a_file_still_being_written_as_open() {
    let dir = std::env::temp_dir().join(format!("reel-cli-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("live.reel");
    let rec = reel_sdk::RecordingStreamBuilder::new("live")
        .save(&path)
        .expect("save");
    for i in 0..100_i32 {
        rec.set_time_sequence("i", i64::from(i));
        rec.log("x", &Scalar::new(f64::from(i))).expect("log");
    }
    rec.flush_blocking().expect("flush");
    let out = reel(&["verify", path.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("open (being written)"),
        "{}",
        text(&out.stdout)
    );
    drop(rec);
    let out = reel(&["verify", path.to_str().expect("utf8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Bad bytes are damage even while a writer holds the file.
    let mut bytes = std::fs::read(&path).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    let bad = dir.join("bad.reel");
    std::fs::write(&bad, &bytes).expect("write");
    let held = std::fs::File::options()
        .append(true)
        .open(&bad)
        .expect("open");
    assert!(reel_format::file::lock_for_writing(&held));
    let out = reel(&["verify", bad.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    drop(held);
    let _ = std::fs::remove_dir_all(&dir);
}
