//! The demo behind the README's first command: a small synthetic robotics scene logged to a
//! reel file through a `RecordingStream`.
//!
//! A robot drives a spiral for 200 frames. Each frame logs its position (a point with a
//! label), a lidar scan around it (360 colored points), its speed (a scalar), and now and
//! then a text log line; a static ground grid is logged once, timeless. Rows are on two
//! timelines, `frame` (sequence) and `sim_time` (duration), besides the built-in
//! `log_time` and `log_tick`. The `log` crate's records land in the recording too.
//!
//! Usage: `cargo run --example demo -- [OUTPUT.reel]` (default `out/demo.reel`).

use std::path::PathBuf;

use reel::archetypes::{Points3D, Scalar, TextLog};
use reel::components::Color;

const FRAMES: i64 = 200;
const SCAN_POINTS: usize = 360;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("out/demo.reel"));
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }

    let rec = reel::RecordingStreamBuilder::new("reel_demo").save(&out)?;
    reel::ReelLogger::new()
        .with_recording(rec.clone())
        .with_path_prefix("logs")
        .with_filter(log::LevelFilter::Info)
        .init()?;

    // Static context: a ground grid, logged once without time.
    let grid: Vec<[f32; 3]> = (-10..=10)
        .flat_map(|x| (-10..=10).map(move |y| [x as f32, y as f32, 0.0]))
        .collect();
    rec.log_timeless(
        "world/ground",
        &Points3D::new(grid)
            .with_colors([Color::from_rgb(90, 90, 90)])
            .with_radii([0.03]),
    )?;

    let mut last = [0.0f32; 3];
    for i in 0..FRAMES {
        rec.set_time_sequence("frame", i);
        rec.set_time_duration_nanos("sim_time", i * 50_000_000);
        let t = i as f32 * 0.05;

        let r = 2.0 + t;
        let pos = [r * t.cos(), r * t.sin(), 0.2];
        rec.log(
            "world/robot",
            &Points3D::new([pos])
                .with_radii([0.2])
                .with_labels(["robot"])
                .with_colors([Color::from_rgb(255, 200, 0)]),
        )?;

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
        let colors = (0..SCAN_POINTS).map(|k| {
            let v = (k * 255 / SCAN_POINTS) as u8;
            Color::from_rgb(v, 80, 255 - v)
        });
        rec.log(
            "world/robot/lidar",
            &Points3D::new(scan).with_colors(colors).with_radii([0.02]),
        )?;

        let speed = ((pos[0] - last[0]).powi(2) + (pos[1] - last[1]).powi(2)).sqrt() / 0.05;
        last = pos;
        rec.log("metrics/speed", &Scalar::new(f64::from(speed)))?;

        if i % 25 == 0 {
            rec.log(
                "events",
                &TextLog::new(format!("frame {i}: radius {r:.2} m")).with_level("INFO"),
            )?;
            log::info!(target: "planner", "replanning at frame {i}");
        }
        if i % 100 == 0 {
            log::warn!(target: "planner", "radius {r:.2} m exceeds the comfort zone");
        }
    }
    // Dropping the last handle would do the same; shutting down explicitly reports errors.
    rec.shutdown()?;
    println!("wrote {} ({FRAMES} frames)", out.display());
    Ok(())
}
