//! CPU time of one viewer frame (the app's UI pass plus tessellation, no GPU), headless,
//! on the four workloads the viewer must keep interactive:
//! (a) 1,000 scalar entities in one plot view, (b) 5,000 entities in the tree,
//! (c) one series of 1M points, (d) 1M text log rows.
//! Target: under 8 ms per frame each. Run: `cargo bench -p reel_viewer --bench frame`.
//!
//! Also prints, once, the time from a recording's bytes to the first complete frame (load
//! and draw) and the load rate, for the demo-sized and the large workloads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use reel_sdk::RecordingStreamBuilder;
use reel_store::Store;
use reel_types::archetypes::{Points3D, Scalar, TextLog};
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
            let mut output = self.ctx.run_ui(self.input(), |ui| self.app.ui(ui));
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

    fn run(&mut self) {
        let input = self.input();
        let output = self.ctx.run_ui(input, |ui| self.app.ui(ui));
        let mut output = output;
        std::hint::black_box(self.ctx.tessellate(std::mem::take(&mut output.shapes), 1.0));
        // Textures would go to the GPU here.
        output.textures_delta.clear();
    }
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("viewer_frame");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(6));
    for (name, make) in [
        ("scalars_1000_entities", scalars_1000 as fn() -> Vec<u8>),
        ("tree_5000_entities", entities_5000),
        ("series_1m_points", series_1m),
        ("text_log_1m_rows", text_1m),
    ] {
        let bytes = make();
        let (mut frame, loaded, first) = Frame::new(&bytes);
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
