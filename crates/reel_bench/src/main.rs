//! `reel-bench`: the field's standard logging workloads, each into a chosen sink, printing
//! one JSON line per run (workload, sink, n, seconds, rows/s, MB/s, peak RSS, output bytes).
//!
//! The time runs from the first log call through the final blocking flush. Every run then
//! decodes its output and checks the row count, failing loudly on a mismatch. With
//! `--workload all` each workload runs in its own child process, so peak RSS is its own.
//!
//! ```text
//! cargo run --release -p reel_bench -- --workload all --sink memory
//! cargo run --release -p reel_bench -- --workload points3d_large_batch --scale 0.1 --sink tcp
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use reel_core::LogMsg;
use reel_sdk::{MemoryRecording, RecordingStream, RecordingStreamBuilder};
use reel_types::archetypes::{Image, Points3D, Scalar, Transform3D};
use reel_types::components::{Color, Position3D, Radius, TensorData};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
enum Workload {
    /// One log call of many points (positions, colors, radii).
    Points3dLargeBatch,
    /// Many log calls of one point each, with set_time_sequence before each.
    Points3dManyIndividual,
    /// Many single-scalar rows on one entity.
    Scalars,
    /// Scalars on many entities (600 entities x 1000 steps by default).
    ScalarsManyEntities,
    /// A 1024x1024 RGBA image logged many times, one pixel changed each time.
    Image,
    /// Transforms of 10 entities over many steps.
    Transform3d,
    /// Text entries through the `log` crate bridge.
    TextLog,
    /// Every workload, each in its own process.
    All,
}

impl Workload {
    const EACH: [Workload; 7] = [
        Workload::Points3dLargeBatch,
        Workload::Points3dManyIndividual,
        Workload::Scalars,
        Workload::ScalarsManyEntities,
        Workload::Image,
        Workload::Transform3d,
        Workload::TextLog,
    ];

    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Sink {
    /// A memory recording.
    Memory,
    /// A file (in --out-dir).
    File,
    /// A `reel serve` process over loopback TCP (saving to --out-dir).
    Tcp,
}

#[derive(Parser, Debug)]
#[command(
    name = "reel-bench",
    about = "Standard logging workloads against reel's sinks"
)]
struct Args {
    /// The workload to run.
    #[arg(long, value_enum, default_value = "all")]
    workload: Workload,
    /// Where the data goes.
    #[arg(long, value_enum, default_value = "memory")]
    sink: Sink,
    /// A fraction of every workload's standard size (50M points, 1M calls, 600x1000
    /// scalars, 1000 images, 10x10,000 transforms, 1M text entries), for small machines.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Directory for the file sink.
    #[arg(long, default_value = "out/bench")]
    out_dir: PathBuf,
}

impl Args {
    /// `standard` scaled by `--scale`, at least 1.
    fn scaled(&self, standard: usize) -> usize {
        ((standard as f64 * self.scale).round() as usize).max(1)
    }
}

/// The destination of one run and how to read back what it received.
enum Target {
    Memory(MemoryRecording),
    File(PathBuf),
    Tcp(ServerProcess),
}

/// A `reel serve` process saving into `dir`; killed when dropped.
struct ServerProcess {
    child: std::process::Child,
    dir: PathBuf,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `reel serve` (found like `spawn` finds it) on a free port; returns it and its address.
fn start_server(dir: PathBuf) -> Result<(ServerProcess, String), String> {
    use std::io::BufRead;
    let exe = reel_sdk::spawn::find_executable(
        std::env::var_os(reel_sdk::spawn::ENV_BINARY).map(PathBuf::from),
        std::env::current_exe()
            .ok()
            .as_deref()
            .and_then(std::path::Path::parent),
        std::env::var_os("PATH"),
    )
    .map_err(|e| format!("{e} (build it with `cargo build --release -p reel_cli`)"))?;
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = std::process::Command::new(exe)
        .args(["serve", "--port", "0", "--report-secs", "0", "--save"])
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start reel serve: {e}"))?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("no stdout from reel serve")?;
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("reel serve: {e}"))?;
    let addr = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    Ok((ServerProcess { child, dir }, addr))
}

fn open(
    sink: Sink,
    workload: Workload,
    out_dir: &std::path::Path,
) -> Result<(RecordingStream, Target), String> {
    let builder = RecordingStreamBuilder::new(format!("reel_bench_{}", workload.name()));
    let err = |e: reel_sdk::RecordingError| e.to_string();
    match sink {
        Sink::Memory => {
            let (rec, mem) = builder.memory().map_err(err)?;
            Ok((rec, Target::Memory(mem)))
        }
        Sink::File => {
            std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
            let path = out_dir.join(format!("{}.reel", workload.name()));
            let rec = builder.save(&path).map_err(err)?;
            Ok((rec, Target::File(path)))
        }
        Sink::Tcp => {
            let (server, addr) = start_server(out_dir.join(format!("server-{}", workload.name())))?;
            let rec = builder
                .connect(Some(&addr), Duration::from_secs(3600))
                .map_err(err)?;
            Ok((rec, Target::Tcp(server)))
        }
    }
}

/// Rows under `root` and all bytes the sink holds (the file sink needs the recording closed
/// first). Only the workload's own entities count.
fn received(target: Target, root: &str) -> Result<(u64, u64), String> {
    let root = reel_core::EntityPath::parse_strict(root).map_err(|e| e.to_string())?;
    let count = |msgs: &[LogMsg]| {
        msgs.iter()
            .map(|m| match m {
                LogMsg::ArrowMsg(a) if a.chunk.entity_path().starts_with(&root) => {
                    a.chunk.num_rows() as u64
                }
                _ => 0,
            })
            .sum::<u64>()
    };
    match target {
        Target::Memory(mem) => {
            let bytes = mem.drain_as_bytes().map_err(|e| e.to_string())?;
            let msgs: Vec<LogMsg> = reel_format::decode_slice(&bytes)
                .collect::<Result<_, _>>()
                .map_err(|e| e.to_string())?;
            Ok((count(&msgs), bytes.len() as u64))
        }
        Target::File(path) => {
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let msgs: Vec<LogMsg> = reel_format::decode_slice(&bytes)
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok((count(&msgs), bytes.len() as u64))
        }
        Target::Tcp(server) => {
            // The server acknowledged only what it had written and flushed; its files are
            // open streams (no end frame yet), so read their whole messages.
            let (mut rows, mut bytes) = (0, 0);
            for entry in std::fs::read_dir(&server.dir).map_err(|e| e.to_string())? {
                let data = std::fs::read(entry.map_err(|e| e.to_string())?.path())
                    .map_err(|e| e.to_string())?;
                bytes += data.len() as u64;
                let msgs: Vec<LogMsg> = reel_format::decode_slice(&data)
                    .map_while(Result::ok)
                    .collect();
                rows += count(&msgs);
            }
            drop(server);
            Ok((rows, bytes))
        }
    }
}

/// Peak resident set size of this process in bytes (Linux; 0 elsewhere).
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

/// Raw input made before the clock starts (what a program already has in hand).
enum Prepared {
    Points(Vec<Position3D>, Vec<Color>, Vec<Radius>),
    Nothing,
}

fn prepare(workload: Workload, args: &Args) -> Prepared {
    match workload {
        Workload::Points3dLargeBatch => {
            let n = args.scaled(50_000_000);
            let positions = (0..n)
                .map(|i| Position3D([i as f32 * 1e-3, (i % 1000) as f32, (i % 7) as f32]))
                .collect();
            let colors = (0..n).map(|i| Color(i as u32 | 0xff)).collect();
            Prepared::Points(positions, colors, vec![Radius(0.01); n])
        }
        _ => Prepared::Nothing,
    }
}

/// Runs `workload`'s log calls; returns (rows logged, raw payload bytes logged).
fn log_workload(
    rec: &RecordingStream,
    workload: Workload,
    args: &Args,
    prepared: Prepared,
) -> Result<(u64, u64), String> {
    let err = |e: reel_sdk::RecordingError| e.to_string();
    match workload {
        Workload::Points3dLargeBatch => {
            let Prepared::Points(positions, colors, radii) = prepared else {
                return Err("points were not prepared".into());
            };
            let n = positions.len();
            let points = Points3D::new(positions)
                .with_colors(colors)
                .with_radii(radii);
            rec.log("points", &points).map_err(err)?;
            Ok((1, n as u64 * 20))
        }
        Workload::Points3dManyIndividual => {
            let n = args.scaled(1_000_000);
            for i in 0..n {
                rec.set_time_sequence("frame", i as i64);
                rec.log("point", &Points3D::new([[i as f32, 0.0, 0.0]]))
                    .map_err(err)?;
            }
            Ok((n as u64, n as u64 * 12))
        }
        Workload::Scalars => {
            let n = args.scaled(1_000_000);
            for i in 0..n {
                rec.set_time_sequence("frame", i as i64);
                rec.log("scalar", &Scalar::new(i as f64)).map_err(err)?;
            }
            Ok((n as u64, n as u64 * 8))
        }
        Workload::ScalarsManyEntities => {
            let steps = args.scaled(1000);
            let paths: Vec<String> = (0..600).map(|e| format!("scalars/{e}")).collect();
            for step in 0..steps {
                rec.set_time_sequence("frame", step as i64);
                for (e, path) in paths.iter().enumerate() {
                    rec.log(path.as_str(), &Scalar::new((step * e) as f64))
                        .map_err(err)?;
                }
            }
            Ok((steps as u64 * 600, steps as u64 * 600 * 8))
        }
        Workload::Image => {
            let n = args.scaled(1000);
            let mut pixels = vec![0u8; 1024 * 1024 * 4];
            let len = pixels.len();
            for i in 0..n {
                pixels[(i * 4) % len] = 255;
                rec.set_time_sequence("frame", i as i64);
                let tensor = TensorData::new(vec![1024, 1024, 4], pixels.clone())
                    .map_err(|e| e.to_string())?;
                rec.log("image", &Image::new(tensor).map_err(|e| e.to_string())?)
                    .map_err(err)?;
            }
            Ok((n as u64, n as u64 * pixels.len() as u64))
        }
        Workload::Transform3d => {
            let steps = args.scaled(10_000);
            let paths: Vec<String> = (0..10).map(|e| format!("transforms/{e}")).collect();
            for step in 0..steps {
                rec.set_time_sequence("frame", step as i64);
                for (e, path) in paths.iter().enumerate() {
                    let t = Transform3D::from_translation([step as f32, e as f32, 0.0]);
                    rec.log(path.as_str(), &t).map_err(err)?;
                }
            }
            Ok((steps as u64 * 10, steps as u64 * 10 * 12))
        }
        Workload::TextLog => {
            let n = args.scaled(1_000_000);
            reel_sdk::ReelLogger::new()
                .with_recording(rec.clone())
                .with_filter(log::LevelFilter::Info)
                .init()
                .map_err(|e| e.to_string())?;
            for i in 0..n {
                log::info!(target: "bench", "text entry number {i}");
            }
            Ok((n as u64, n as u64 * 24))
        }
        Workload::All => Err("`all` is not a single workload".into()),
    }
}

/// The entity every row of `workload` is logged under.
fn root_entity(workload: Workload) -> &'static str {
    match workload {
        Workload::Points3dLargeBatch => "points",
        Workload::Points3dManyIndividual => "point",
        Workload::Scalars => "scalar",
        Workload::ScalarsManyEntities => "scalars",
        Workload::Image => "image",
        Workload::Transform3d => "transforms",
        Workload::TextLog | Workload::All => "bench",
    }
}

fn run_one(workload: Workload, args: &Args) -> Result<String, String> {
    let sink_name = format!("{:?}", args.sink).to_lowercase();
    let (rec, target) = open(args.sink, workload, &args.out_dir)?;
    let prepared = prepare(workload, args);
    let start = Instant::now();
    let (rows, raw_bytes) = log_workload(&rec, workload, args, prepared)?;
    rec.flush_blocking().map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    // The file sink writes its end frame when the recording closes.
    rec.shutdown().map_err(|e| e.to_string())?;
    drop(rec);
    // Before the check below, which decodes everything the sink holds.
    let peak_rss_bytes = peak_rss();
    let (received_rows, output_bytes) = received(target, root_entity(workload))?;
    if received_rows != rows {
        return Err(format!(
            "{}: logged {rows} rows but the sink holds {received_rows}",
            workload.name()
        ));
    }
    Ok(format!(
        "{{\"workload\":\"{}\",\"sink\":\"{sink_name}\",\"n\":{rows},\"seconds\":{seconds:.4},\"rows_per_s\":{:.0},\
         \"mb_per_s\":{:.1},\"peak_rss_bytes\":{},\"output_bytes\":{output_bytes}}}",
        workload.name(),
        rows as f64 / seconds,
        raw_bytes as f64 / 1e6 / seconds,
        peak_rss_bytes,
    ))
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    if args.workload != Workload::All {
        return match run_one(args.workload, &args) {
            Ok(line) => {
                println!("{line}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("reel-bench: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    // Each workload in its own process: a clean heap and its own peak RSS.
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("reel-bench: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    for w in Workload::EACH {
        let mut cmd = std::process::Command::new(&exe);
        cmd.args([
            "--workload",
            &w.name(),
            "--sink",
            &format!("{:?}", args.sink).to_lowercase(),
        ])
        .args(["--scale", &args.scale.to_string()])
        .arg("--out-dir")
        .arg(&args.out_dir);
        failed |= !cmd.status().is_ok_and(|s| s.success());
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
