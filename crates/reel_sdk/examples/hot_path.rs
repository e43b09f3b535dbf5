//! Logs many small rows into a memory recording; a target for profilers
//! (`perf record`, `valgrind --tool=callgrind`) of the SDK's hot path.
//!
//! Usage: `cargo run --release -p reel_sdk --example hot_path -- [ROWS]` (default 2M).

use std::time::Instant;

use reel_sdk::RecordingStreamBuilder;
use reel_types::archetypes::Scalar;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(2_000_000);
    let (rec, mem) = RecordingStreamBuilder::new("hot_path").memory()?;
    let start = Instant::now();
    for i in 0..rows {
        rec.set_time_sequence("frame", i as i64);
        rec.log("scalar", &Scalar::new(i as f64))?;
    }
    let logged = start.elapsed();
    rec.flush_blocking()?;
    let total = start.elapsed();
    println!(
        "{rows} rows: {:.0} ns/row on the logging thread, {:.0} ns/row including the flush; {} messages",
        logged.as_nanos() as f64 / rows as f64,
        total.as_nanos() as f64 / rows as f64,
        mem.num_msgs()
    );
    Ok(())
}
