//! CPU time of one viewer frame (the app's UI pass plus tessellation, no GPU), headless,
//! on the four workloads the viewer must keep interactive:
//! (a) 1,000 scalar entities in one plot view, (b) 5,000 entities in the tree,
//! (c) one series of 1M points, (d) 1M text log rows; (a) and (c) also while the plot is
//! dragged (panned) every frame.
//! Target: under 8 ms per frame each. Run: `cargo bench -p reel_viewer --bench frame`.
//!
//! Also prints, once, the time from a recording's bytes to the first complete frame (load
//! and draw) and the load rate, for the workloads; and for the demo recording (if
//! `scripts/demo.sh` wrote it) and a 1 GB file opened as `reel FILE` opens it (read on a thread while the UI renders): the
//! time to the first frame showing data, to the whole recording, the ingest rate while
//! rendering, and the frames' CPU time meanwhile. The file (256 noise images of 4 MiB and
//! a scalar per frame, incompressible) is written once to the temp directory; set
//! `REEL_BENCH_SKIP_LARGE=1` to leave this part out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use reel_sdk::RecordingStreamBuilder;
use reel_store::Store;
use reel_types::archetypes::{Image, Points3D, Scalar, TextLog};
use reel_viewer::{AppOptions, ViewerApp};

/// Encoded recording bytes made by `log`.
fn recording(log: impl FnOnce(&reel_sdk::RecordingStream)) -> Vec<u8> {
    let (rec, mem) = RecordingStreamBuilder::new("bench")
        .memory()
        .expect("recording");
    log(&rec);
    mem.drain_as_bytes().expect("bytes")
}

fn scalars_1000() -> Vec<u8> {
    recording(|rec| {
        for frame in 0..100i64 {
            rec.set_time_sequence("frame", frame);
            for e in 0..1000 {
                rec.log(format!("metrics/s{e}"), &Scalar::new((frame * e) as f64))
                    .expect("log");
            }
        }
    })
}

fn entities_5000() -> Vec<u8> {
    recording(|rec| {
        rec.set_time_sequence("frame", 0);
        for e in 0..5000 {
            rec.log(format!("e{e}"), &Points3D::new([[e as f32, 0.0, 0.0]]))
                .expect("log");
        }
    })
}

fn series_1m() -> Vec<u8> {
    recording(|rec| {
        for i in 0..1_000_000i64 {
            rec.set_time_sequence("frame", i);
            rec.log("signal", &Scalar::new(((i as f64) * 0.001).sin()))
                .expect("log");
        }
    })
}

fn text_1m() -> Vec<u8> {
    recording(|rec| {
        for i in 0..1_000_000i64 {
            rec.set_time_sequence("frame", i);
            let level = if i % 97 == 0 { "WARN" } else { "INFO" };
            rec.log(
                "logs",
                &TextLog::new(format!("step {i} finished")).with_level(level),
            )
            .expect("log");
        }
    })
}

/// A viewer over `bytes` with a 1280x800 headless context, after its first frames.
struct Frame {
    ctx: egui::Context,
    app: ViewerApp,
    /// When panning: frames run so far; each frame drags the pointer (held down over the
    /// views area) a few points, back and forth.
    pan: Option<u32>,
}

impl Frame {
    fn new(bytes: &[u8]) -> (Self, Duration, Duration) {
        let start = Instant::now();
        let store = Arc::new(Store::default());
        store.load(std::io::Cursor::new(bytes));
        let loaded = start.elapsed();
        let mut frame = Self {
            ctx: egui::Context::default(),
            app: ViewerApp::new(store, AppOptions::default(), || {}),
            pan: None,
        };
        // The first complete frame: layout settles over a few passes.
        for _ in 0..3 {
            frame.run();
        }
        (frame, loaded, start.elapsed())
    }

    /// Mean UI-pass and tessellation times over `n` frames, to say where a frame goes.
    fn split(&mut self, n: u32) -> (Duration, Duration) {
        let (mut ui, mut tess) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..n {
            let start = Instant::now();
            let input = self.next_input();
            let mut output = self.ctx.run_ui(input, |ui| self.app.ui(ui));
            let mid = Instant::now();
            std::hint::black_box(self.ctx.tessellate(std::mem::take(&mut output.shapes), 1.0));
            output.textures_delta.clear();
            ui += mid - start;
            tess += mid.elapsed();
        }
        (ui / n, tess / n)
    }

    fn input(&self) -> egui::RawInput {
        egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 800.0),
            )),
            ..Default::default()
        }
    }

    /// The next frame's input: with panning, the pointer pressed mid-view, then moved.
    fn next_input(&mut self) -> egui::RawInput {
        let mut input = self.input();
        if let Some(n) = self.pan.as_mut() {
            // 40 frames right, 40 back, 4 points a frame, in the middle of the views area.
            let step = (*n % 80) as f32;
            let x = 560.0 + if step < 40.0 { step } else { 80.0 - step } * 4.0;
            let at = egui::pos2(x, 300.0);
            input.events.push(egui::Event::PointerMoved(at));
            if *n == 0 {
                input.events.push(egui::Event::PointerButton {
                    pos: at,
                    button: egui::PointerButton::Primary,
                    pressed: true,
                    modifiers: egui::Modifiers::NONE,
                });
            }
            *n += 1;
        }
        input
    }

    fn run(&mut self) {
        let input = self.next_input();
        let output = self.ctx.run_ui(input, |ui| self.app.ui(ui));
        let mut output = output;
        std::hint::black_box(self.ctx.tessellate(std::mem::take(&mut output.shapes), 1.0));
        // Textures would go to the GPU here.
        output.textures_delta.clear();
    }
}

/// A 1 GB recording file: 256 frames of a 1024x1024 RGBA noise image and a scalar.
fn large_file() -> std::path::PathBuf {
    let path = std::env::temp_dir().join("reel-bench-viewer-1gb.reel");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > 1_000_000_000) {
        return path;
    }
    let rec = RecordingStreamBuilder::new("bench")
        .save(&path)
        .expect("recording");
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for frame in 0..256i64 {
        rec.set_time_sequence("frame", frame);
        let pixels: Vec<u8> = (0..1024 * 1024 / 2)
            .flat_map(|_| {
                // xorshift64: incompressible pixels, 8 at a time.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()
            })
            .collect();
        let image = Image::from_rgb8(1024, 1024, 4, pixels).expect("image");
        rec.log("camera/image", &image).expect("log");
        rec.log("metrics/loss", &Scalar::new(1.0 / (frame + 1) as f64))
            .expect("log");
    }
    rec.flush_blocking().expect("flush");
    drop(rec);
    path
}

/// Opens `path` as `reel FILE` does and renders frames until it is all in; prints when the
/// first frame with data came, when everything was read, and the frames' CPU time.
fn open_as_reel_file(name: &str, path: std::path::PathBuf) {
    let size = std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / 1e6;
    let start = Instant::now();
    let store = Arc::new(Store::default());
    let mut frame = Frame {
        ctx: egui::Context::default(),
        app: ViewerApp::new(store.clone(), AppOptions::default(), || {}),
        pan: None,
    };
    let source = reel_viewer::native::load_file(store.clone(), path, frame.ctx.clone());
    frame.app.add_source(source);
    let (mut first_data, mut frames, mut busy, mut worst) =
        (None, 0u32, Duration::ZERO, Duration::ZERO);
    let loaded = loop {
        let done = frame.app.sources().iter().all(|s| {
            !matches!(
                s.progress.state(),
                reel_viewer::sources::SourceState::Running
            )
        });
        let had_data = store.bytes() > 0;
        let t = Instant::now();
        frame.run();
        let spent = t.elapsed();
        frames += 1;
        busy += spent;
        worst = worst.max(spent);
        if had_data && first_data.is_none() {
            first_data = Some(start.elapsed());
        }
        if done {
            break start.elapsed();
        }
        // A display's pace, not a busy loop: ~60 frames/s while loading.
        std::thread::sleep(Duration::from_millis(16).saturating_sub(spent));
    };
    for _ in 0..3 {
        frame.run();
    }
    let complete = start.elapsed();
    eprintln!(
        "{name}: {size:.1} MB; first frame with data after {:.2} s; all read after \
         {:.2} s ({:.0} MB/s while rendering {frames} frames, {:.1} ms CPU each on average, \
         {:.1} ms at most); complete frame after {:.2} s",
        first_data.unwrap_or(loaded).as_secs_f64(),
        loaded.as_secs_f64(),
        size / loaded.as_secs_f64(),
        busy.as_secs_f64() * 1e3 / f64::from(frames.max(1)),
        worst.as_secs_f64() * 1e3,
        complete.as_secs_f64(),
    );
}

fn frames(c: &mut Criterion) {
    // The demo recording, where `scripts/demo.sh` writes it.
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../out/demo.reel");
    if demo.exists() {
        open_as_reel_file("demo_recording", demo);
    } else {
        eprintln!(
            "demo_recording: {} not found; run scripts/demo.sh first",
            demo.display()
        );
    }
    if std::env::var_os("REEL_BENCH_SKIP_LARGE").is_none() {
        open_as_reel_file("large_recording_1gb", large_file());
    }
    let mut group = c.benchmark_group("viewer_frame");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(6));
    for (name, make, pan) in [
        (
            "scalars_1000_entities",
            scalars_1000 as fn() -> Vec<u8>,
            false,
        ),
        ("scalars_1000_entities_panning", scalars_1000, true),
        ("tree_5000_entities", entities_5000, false),
        ("series_1m_points", series_1m, false),
        ("series_1m_points_panning", series_1m, true),
        ("text_log_1m_rows", text_1m, false),
    ] {
        let bytes = make();
        let (mut frame, loaded, first) = Frame::new(&bytes);
        frame.pan = pan.then_some(0);
        eprintln!(
            "{name}: {:.1} MB loaded in {:.2} s ({:.0} MB/s), first complete frame after {:.2} s",
            bytes.len() as f64 / 1e6,
            loaded.as_secs_f64(),
            bytes.len() as f64 / 1e6 / loaded.as_secs_f64(),
            first.as_secs_f64()
        );
        let (ui, tess) = frame.split(20);
        eprintln!(
            "{name}: UI pass {:.2} ms + tessellation {:.2} ms per frame",
            ui.as_secs_f64() * 1e3,
            tess.as_secs_f64() * 1e3
        );
        group.bench_function(name, |b| b.iter(|| frame.run()));
    }
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
