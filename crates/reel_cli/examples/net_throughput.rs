//! Throughput from one SDK client to a reel server over loopback TCP, timed from the first
//! log call until the server has acknowledged everything.
//!
//! Usage: `cargo run --release -p reel_cli --example net_throughput -- [SCALARS] [POINTS] [ADDR]`
//! (defaults: 1,000,000 scalar rows; 50,000,000 points in one batch; an in-process server
//! on a free port). Prints one JSON line per workload.

use std::time::{Duration, Instant};

use reel_sdk::RecordingStreamBuilder;
use reel_types::archetypes::{Points3D, Scalar};
use reel_types::components::{Color, Position3D, Radius};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let scalars: u64 = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let points: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(50_000_000);
    let explicit_addr = args.next();

    let server = match &explicit_addr {
        Some(_) => None,
        None => Some(
            reel_server::Server::bind(reel_server::ServerConfig {
                port: 0,
                ..Default::default()
            })?
            .spawn(),
        ),
    };
    let addr = explicit_addr.unwrap_or_else(|| {
        server
            .as_ref()
            .map(|s| s.addr().to_string())
            .unwrap_or_default()
    });
    let stored = || server.as_ref().map_or(0, |s| s.store().total_bytes());

    // 1. Many small rows.
    let rec = RecordingStreamBuilder::new("net_scalars")
        .connect(Some(&addr), Duration::from_secs(600))?;
    let (bytes0, start) = (stored(), Instant::now());
    for i in 0..scalars {
        rec.set_time_sequence("frame", i as i64);
        rec.log("scalar", &Scalar::new(i as f64))?;
    }
    rec.flush_blocking()?;
    report("scalars", scalars, start.elapsed(), stored() - bytes0);
    drop(rec);

    // 2. One large batch of points (positions, colors, radii).
    let positions: Vec<Position3D> = (0..points)
        .map(|i| Position3D([i as f32, (i % 1000) as f32, 0.5]))
        .collect();
    let colors: Vec<Color> = (0..points).map(|i| Color(i as u32)).collect();
    let radii = vec![Radius(0.1); points];
    let rec =
        RecordingStreamBuilder::new("net_points").connect(Some(&addr), Duration::from_secs(600))?;
    let (bytes0, start) = (stored(), Instant::now());
    let mut cloud = Points3D::new(positions);
    cloud.colors = Some(reel_core::ComponentBatch::from_component(&colors));
    cloud.radii = Some(reel_core::ComponentBatch::from_component(&radii));
    rec.log("points", &cloud)?;
    rec.flush_blocking()?;
    report(
        "points3d_large_batch",
        points as u64,
        start.elapsed(),
        stored() - bytes0,
    );
    drop(rec);

    if let Some(s) = server {
        s.stop();
    }
    Ok(())
}

fn report(workload: &str, n: u64, elapsed: Duration, wire_bytes: u64) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{{\"workload\":\"{workload}\",\"sink\":\"tcp-loopback\",\"n\":{n},\"seconds\":{secs:.3},\
         \"rows_per_s\":{:.0},\"mb_per_s\":{:.1},\"wire_bytes\":{wire_bytes}}}",
        n as f64 / secs,
        wire_bytes as f64 / 1e6 / secs
    );
}
