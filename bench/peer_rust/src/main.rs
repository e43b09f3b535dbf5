//! The peer side of reel-bench: the same workloads, timing and JSON lines, logged with the
//! `rerun` crate. Usage: `peer_rust WORKLOAD SINK [SCALE] [OUT_DIR]` with SINK `memory` or
//! `file`. Raw input is prepared before the clock starts; the time includes the final
//! blocking flush.

use std::time::Instant;

fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let workload = args.get(1).cloned().unwrap_or_default();
    let sink = args.get(2).cloned().unwrap_or_else(|| "memory".into());
    let scale: f64 = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(1.0);
    let out_dir = args.get(4).cloned().unwrap_or_else(|| "out/bench-peer".into());
    let scaled = |n: usize| ((n as f64 * scale).round() as usize).max(1);

    let builder = rerun::RecordingStreamBuilder::new("peer_bench");
    let (rec, storage) = match sink.as_str() {
        "memory" => {
            let (rec, storage) = builder.memory()?;
            (rec, Some(storage))
        }
        "file" => {
            std::fs::create_dir_all(&out_dir)?;
            (builder.save(format!("{out_dir}/{workload}.rrd"))?, None)
        }
        other => return Err(format!("unknown sink {other}").into()),
    };

    // Raw input, prepared before the clock starts.
    let n_points = scaled(50_000_000);
    let (positions, colors, radii): (Vec<[f32; 3]>, Vec<u32>, Vec<f32>) = if workload == "points3d_large_batch" {
        (
            (0..n_points).map(|i| [i as f32 * 1e-3, (i % 1000) as f32, (i % 7) as f32]).collect(),
            (0..n_points).map(|i| i as u32 | 0xff).collect(),
            vec![0.01; n_points],
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };

    let start = Instant::now();
    let (rows, raw_bytes): (u64, u64) = match workload.as_str() {
        "points3d_large_batch" => {
            let colors: Vec<rerun::Color> = colors.into_iter().map(rerun::Color::from_u32).collect();
            rec.log("points", &rerun::Points3D::new(positions).with_colors(colors).with_radii(radii))?;
            (1, n_points as u64 * 20)
        }
        "points3d_many_individual" => {
            let n = scaled(1_000_000);
            for i in 0..n {
                rec.set_time_sequence("frame", i as i64);
                rec.log("point", &rerun::Points3D::new([[i as f32, 0.0, 0.0]]))?;
            }
            (n as u64, n as u64 * 12)
        }
        "scalars" => {
            let n = scaled(1_000_000);
            for i in 0..n {
                rec.set_time_sequence("frame", i as i64);
                rec.log("scalar", &rerun::Scalars::new([i as f64]))?;
            }
            (n as u64, n as u64 * 8)
        }
        "scalars_many_entities" => {
            let steps = scaled(1000);
            let paths: Vec<String> = (0..600).map(|e| format!("scalars/{e}")).collect();
            for step in 0..steps {
                rec.set_time_sequence("frame", step as i64);
                for (e, path) in paths.iter().enumerate() {
                    rec.log(path.as_str(), &rerun::Scalars::new([(step * e) as f64]))?;
                }
            }
            (steps as u64 * 600, steps as u64 * 600 * 8)
        }
        "image" => {
            let n = scaled(1000);
            let mut pixels = vec![0u8; 1024 * 1024 * 4];
            let len = pixels.len();
            for i in 0..n {
                pixels[(i * 4) % len] = 255;
                rec.set_time_sequence("frame", i as i64);
                rec.log("image", &rerun::Image::from_rgba32(pixels.clone(), [1024, 1024]))?;
            }
            (n as u64, n as u64 * len as u64)
        }
        "transform3d" => {
            let steps = scaled(10_000);
            let paths: Vec<String> = (0..10).map(|e| format!("transforms/{e}")).collect();
            for step in 0..steps {
                rec.set_time_sequence("frame", step as i64);
                for (e, path) in paths.iter().enumerate() {
                    rec.log(path.as_str(), &rerun::Transform3D::from_translation([step as f32, e as f32, 0.0]))?;
                }
            }
            (steps as u64 * 10, steps as u64 * 10 * 12)
        }
        "text_log" => {
            let n = scaled(1_000_000);
            rerun::Logger::new(rec.clone()).with_filter("info").init()?;
            for i in 0..n {
                log::info!(target: "bench", "text entry number {i}");
            }
            (n as u64, n as u64 * 24)
        }
        other => return Err(format!("unknown workload {other}").into()),
    };
    rec.flush_blocking()?;
    let seconds = start.elapsed().as_secs_f64();
    let output = match &storage {
        Some(s) => s.drain_as_bytes()?.len() as u64,
        None => {
            drop(rec);
            std::fs::metadata(format!("{out_dir}/{workload}.rrd")).map(|m| m.len()).unwrap_or(0)
        }
    };
    println!(
        "{{\"workload\":\"{workload}\",\"sink\":\"{sink}\",\"n\":{rows},\"seconds\":{seconds:.4},\"rows_per_s\":{:.0},\
         \"mb_per_s\":{:.1},\"peak_rss_bytes\":{},\"output_bytes\":{output}}}",
        rows as f64 / seconds,
        raw_bytes as f64 / 1e6 / seconds,
        peak_rss()
    );
    Ok(())
}
