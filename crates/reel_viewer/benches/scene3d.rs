//! The 3D view per frame, headless at 1280x800 on this machine's wgpu adapter (a software
//! rasterizer where there is no GPU): static clouds of 1M and 10M points, a 1M-point cloud
//! that changes every frame, 10,000 boxes, a 1M-triangle mesh.
//!
//! The criterion numbers are the CPU side of a frame: the UI pass (queries, parts looked
//! up or built) plus the renderer's preparation (uploads, command recording). Targets:
//! under 2 ms for static scenes of any size; under 33 ms (30 frames per second) for the
//! changing cloud. Printed once per workload: the whole frame including the software
//! rasterizer and the read-back (what a window would show at most per second here), and
//! the upload rate. Run: `cargo bench -p reel_viewer --bench scene3d`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use reel_sdk::{RecordingStream, RecordingStreamBuilder};
use reel_store::Store;
use reel_types::archetypes::{Boxes3D, Mesh3D, Points3D};
use reel_viewer::native::render::OffscreenRenderer;
use reel_viewer::{AppOptions, ViewerApp};

const SIZE: [u32; 2] = [1280, 800];

fn store(log: impl FnOnce(&RecordingStream)) -> Arc<Store> {
    let (rec, mem) = RecordingStreamBuilder::new("bench3d")
        .memory()
        .expect("recording");
    log(&rec);
    let store = Arc::new(Store::default());
    store.load(std::io::Cursor::new(mem.drain_as_bytes().expect("bytes")));
    store
}

fn cloud(n: usize, phase: f32) -> Vec<[f32; 3]> {
    (0..n)
        .map(|i| {
            let t = i as f32 / n as f32 * 200.0;
            [
                t.cos() * (1.0 + t * 0.05),
                t.sin() * (1.0 + t * 0.05),
                (t * 0.3 + phase).sin(),
            ]
        })
        .collect()
}

/// Static points, one row at frame 0 (the cursor moves over frames 0..10 of a tick).
fn static_points(n: usize) -> Arc<Store> {
    store(|rec| {
        rec.set_time_sequence("frame", 0);
        rec.log(
            "world/cloud",
            &Points3D::new(cloud(n, 0.0)).with_radii([-1.0]),
        )
        .expect("log");
        for f in 0..10 {
            rec.set_time_sequence("frame", f);
            rec.log("world/tick", &Points3D::new([[0.0, 0.0, 0.0]]))
                .expect("log");
        }
    })
}

/// A new 1M-point cloud on every frame.
fn changing_points() -> Arc<Store> {
    store(|rec| {
        for f in 0..10 {
            rec.set_time_sequence("frame", f);
            rec.log(
                "world/cloud",
                &Points3D::new(cloud(1_000_000, f as f32 * 0.1)).with_radii([-1.0]),
            )
            .expect("log");
        }
    })
}

fn boxes_10k() -> Arc<Store> {
    store(|rec| {
        rec.set_time_sequence("frame", 0);
        let half: Vec<[f32; 3]> = (0..10_000).map(|_| [0.2, 0.2, 0.2]).collect();
        let centers: Vec<[f32; 3]> = (0..10_000)
            .map(|i| [(i % 100) as f32, (i / 100) as f32, 0.0])
            .collect();
        rec.log("world/boxes", &Boxes3D::new(half).with_centers(centers))
            .expect("log");
        for f in 1..10 {
            rec.set_time_sequence("frame", f);
            rec.log("world/tick", &Points3D::new([[0.0, 0.0, 0.0]]))
                .expect("log");
        }
    })
}

/// A 709x709 vertex grid: 1,004,872 triangles.
fn mesh_1m() -> Arc<Store> {
    store(|rec| {
        rec.set_time_sequence("frame", 0);
        let n = 709u32;
        let positions: Vec<[f32; 3]> = (0..n * n)
            .map(|i| {
                let (x, y) = ((i % n) as f32 * 0.01, (i / n) as f32 * 0.01);
                [x, y, (x * 3.0).sin() * (y * 2.0).cos() * 0.3]
            })
            .collect();
        let mut triangles = Vec::new();
        for y in 0..n - 1 {
            for x in 0..n - 1 {
                let i = y * n + x;
                triangles.push([i, i + 1, i + n]);
                triangles.push([i + 1, i + n + 1, i + n]);
            }
        }
        rec.log(
            "world/mesh",
            &Mesh3D::new(positions).with_indices(triangles),
        )
        .expect("log");
        for f in 1..10 {
            rec.set_time_sequence("frame", f);
            rec.log("world/tick", &Points3D::new([[0.0, 0.0, 0.0]]))
                .expect("log");
        }
    })
}

/// A viewer showing only the 3D view, drawn by an offscreen renderer.
struct Viewer {
    ctx: egui::Context,
    app: ViewerApp,
    renderer: OffscreenRenderer,
    store: Arc<Store>,
    frame: i64,
}

impl Viewer {
    /// `keep_unused: false` drops every batch the current frame does not draw, so a
    /// cloud that changes every frame is uploaded every frame (as a live one would be).
    fn new(store: Arc<Store>, keep_unused: bool) -> Self {
        let mut app = ViewerApp::new(store.clone(), AppOptions::default(), || {});
        app.solo_view = Some("3D".to_owned());
        if let Some(id) = store.recording_ids().into_iter().next_back() {
            app.set_active(id);
        }
        let mut viewer = Self {
            ctx: egui::Context::default(),
            app,
            renderer: OffscreenRenderer::new().expect("a graphics adapter"),
            store,
            frame: 0,
        };
        viewer.ctx.set_visuals(egui::Visuals::dark());
        if !keep_unused {
            viewer.renderer.set_gpu_budget(0);
        }
        for _ in 0..3 {
            viewer.draw();
        }
        viewer
    }

    /// Moves the cursor to the next of frames 0..10 and draws: returns the CPU time (UI
    /// pass plus the renderer's preparation) and the whole frame's time.
    fn draw(&mut self) -> (Duration, Duration) {
        self.frame = (self.frame + 1) % 10;
        if let Some(state) = self.app.active_ui() {
            let id = self.store.recording_ids().into_iter().next_back();
            let timeline = id
                .and_then(|id| self.store.recording(&id))
                .and_then(|r| r.read().timeline_by_name("frame").ok());
            state.time.timeline = timeline;
            state.time.time = Some(reel_core::TimeInt::new(self.frame));
            state.time.following = false;
        }
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(SIZE[0] as f32, SIZE[1] as f32),
            )),
            ..Default::default()
        };
        let start = Instant::now();
        let app = &mut self.app;
        let mut output = self.ctx.run_ui(input, |ui| app.ui(ui));
        let ui = start.elapsed();
        self.renderer.update_textures(&mut output.textures_delta);
        self.renderer
            .render(&self.ctx, &output, SIZE)
            .expect("render");
        let prepare = self.renderer.stats_3d().last_prepare;
        (ui + prepare, start.elapsed())
    }
}

type Workload = (&'static str, fn() -> Arc<Store>, bool);

fn workloads() -> Vec<Workload> {
    vec![
        ("static 1M points", || static_points(1_000_000), true),
        ("static 10M points", || static_points(10_000_000), true),
        ("changing 1M points", changing_points, false),
        ("10k boxes", boxes_10k, true),
        ("1M-triangle mesh", mesh_1m, true),
    ]
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("3d frame cpu");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(4));
    for (name, make, keep_unused) in workloads() {
        let mut viewer = Viewer::new(make(), keep_unused);
        let before = viewer.renderer.stats_3d();
        let mut whole = Duration::ZERO;
        let rounds = 10;
        for _ in 0..rounds {
            whole += viewer.draw().1;
        }
        let after = viewer.renderer.stats_3d();
        let uploaded = after.uploaded_bytes - before.uploaded_bytes;
        let upload_rate = if uploaded > 0 {
            format!(
                ", {:.0} MB uploaded per frame",
                uploaded as f64 / f64::from(rounds) / 1e6
            )
        } else {
            ", nothing uploaded".to_owned()
        };
        let mean = whole / rounds;
        println!(
            "{name}: whole frame {:.1} ms ({:.1} frames/s on this adapter){upload_rate}",
            mean.as_secs_f64() * 1e3,
            1.0 / mean.as_secs_f64(),
        );
        group.bench_function(name, |b| {
            b.iter_custom(|iters| (0..iters).map(|_| viewer.draw().0).sum())
        });
    }
    group.finish();
    upload_throughput();
}

/// Points per second from rows to the GPU: a fresh 1M-point cloud each frame, CPU side.
fn upload_throughput() {
    let mut viewer = Viewer::new(changing_points(), false);
    let start = Instant::now();
    let before = viewer.renderer.stats_3d();
    let mut cpu = Duration::ZERO;
    for _ in 0..10 {
        cpu += viewer.draw().0;
    }
    let after = viewer.renderer.stats_3d();
    let points = (after.uploaded_bytes - before.uploaded_bytes) / 20;
    println!(
        "upload: {points} points in {:.0} ms of CPU ({:.1} M points/s; {:.0} ms wall with the rasterizer)",
        cpu.as_secs_f64() * 1e3,
        points as f64 / cpu.as_secs_f64() / 1e6,
        start.elapsed().as_secs_f64() * 1e3,
    );
}

criterion_group!(benches, frames);
criterion_main!(benches);
