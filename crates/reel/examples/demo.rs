//! The demo behind the README's first command: a small synthetic robotics scene written to a
//! reel file.
//!
//! A robot drives a spiral for 200 frames. Each frame logs its position (a point with a
//! label), a lidar scan around it (a few hundred colored points), its speed (a scalar), and
//! now and then a text log line. A static ground grid is logged once, timeless. Rows are on
//! two timelines: `frame` (sequence) and `sim_time` (duration).
//!
//! Usage: `cargo run --example demo -- [OUTPUT.reel]` (default `out/demo.reel`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::Arc;

use reel::archetypes::{Points3D, Scalar, TextLog};
use reel::components::Color;
use reel::core::{ArrowMsg, SetStoreInfo};
use reel::format::{Encoder, EncoderOptions};
use reel::{
    ApplicationId, AsComponents, Chunk, ChunkRow, EntityPath, LogMsg, RecordingId, RowId, StoreId,
    StoreInfo, TimePoint, Timeline,
};

const FRAMES: i64 = 200;
const SCAN_POINTS: usize = 360;

/// Rows waiting to become chunks, per entity (the SDK's batcher will do this for users).
#[derive(Default)]
struct Pending(BTreeMap<EntityPath, Vec<ChunkRow>>);

impl Pending {
    fn log(&mut self, path: &str, timepoint: &TimePoint, data: &dyn AsComponents) {
        let path = EntityPath::parse_strict(path).expect("demo paths are valid");
        self.0.entry(path).or_default().push(ChunkRow {
            row_id: RowId::new(),
            timepoint: timepoint.clone(),
            components: data.as_component_batches(),
        });
    }

    fn flush(
        &mut self,
        store_id: &StoreId,
        encoder: &mut Encoder<BufWriter<File>>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        for (path, rows) in std::mem::take(&mut self.0) {
            let chunk = Chunk::from_rows(path, rows)?;
            encoder.append(&LogMsg::ArrowMsg(ArrowMsg {
                store_id: store_id.clone(),
                chunk: Arc::new(chunk),
            }))?;
        }
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("out/demo.reel"));
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }

    let store_id = StoreId::recording(RecordingId::random());
    let file = BufWriter::new(File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?);
    let mut encoder = Encoder::new(file, EncoderOptions::default())?;
    encoder.append(&LogMsg::SetStoreInfo(SetStoreInfo {
        row_id: RowId::new(),
        info: StoreInfo::new_recording(ApplicationId::new("reel_demo"), store_id.id.clone()),
    }))?;

    let mut pending = Pending::default();

    // Static context: a ground grid, logged once without time.
    let grid: Vec<[f32; 3]> = (-10..=10)
        .flat_map(|x| (-10..=10).map(move |y| [x as f32, y as f32, 0.0]))
        .collect();
    pending.log(
        "world/ground",
        &TimePoint::timeless(),
        &Points3D::new(grid)
            .with_colors([Color::from_rgb(90, 90, 90)])
            .with_radii([0.03]),
    );

    let frame = Timeline::new_sequence("frame");
    let sim_time = Timeline::new_duration("sim_time");
    let mut last = [0.0f32; 3];
    for i in 0..FRAMES {
        let t = i as f32 * 0.05;
        let tp = TimePoint::default()
            .with(frame.clone(), i)
            .with(sim_time.clone(), i * 50_000_000);

        let r = 2.0 + t;
        let pos = [r * t.cos(), r * t.sin(), 0.2];
        pending.log(
            "world/robot",
            &tp,
            &Points3D::new([pos])
                .with_radii([0.2])
                .with_labels(["robot"])
                .with_colors([Color::from_rgb(255, 200, 0)]),
        );

        let scan: Vec<[f32; 3]> = (0..SCAN_POINTS)
            .map(|k| {
                let a = k as f32 * std::f32::consts::TAU / SCAN_POINTS as f32;
                let range = 3.0 + (a * 5.0 + t).sin() * 0.5;
                [
                    pos[0] + range * a.cos(),
                    pos[1] + range * a.sin(),
                    0.5 + 0.1 * (a * 3.0).cos(),
                ]
            })
            .collect();
        let colors: Vec<Color> = (0..SCAN_POINTS)
            .map(|k| {
                Color::from_rgb(
                    (k * 255 / SCAN_POINTS) as u8,
                    80,
                    255 - (k * 255 / SCAN_POINTS) as u8,
                )
            })
            .collect();
        pending.log(
            "world/robot/lidar",
            &tp,
            &Points3D::new(scan).with_colors(colors).with_radii([0.02]),
        );

        let speed = ((pos[0] - last[0]).powi(2) + (pos[1] - last[1]).powi(2)).sqrt() / 0.05;
        last = pos;
        pending.log("metrics/speed", &tp, &Scalar::new(f64::from(speed)));

        if i % 25 == 0 {
            let level = if i % 100 == 0 { "WARN" } else { "INFO" };
            pending.log(
                "logs",
                &tp,
                &TextLog::new(format!("frame {i}: radius {r:.2} m")).with_level(level),
            );
        }

        // Flush every 20 frames, as a batcher would on its tick.
        if i % 20 == 19 {
            pending.flush(&store_id, &mut encoder)?;
        }
    }
    pending.flush(&store_id, &mut encoder)?;
    let bytes = encoder.bytes_written();
    encoder.finish()?;
    println!("wrote {} ({bytes} bytes, {FRAMES} frames)", out.display());
    Ok(())
}
