//! The `reel` command line: argument parsing and dispatch, shared by the `reel` binary and
//! the Python package's `reel` console script. Without a command it opens the viewer.
//!
//! Exit codes: 0 success, 1 the recording is damaged or incomplete, 2 usage or I/O error.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "reel",
    version,
    about = "View, inspect, verify and serve reel recordings",
    long_about = "View, inspect, verify and serve reel recordings.\n\n\
        Without a command, opens the viewer: `reel` listens for SDKs (connect()/spawn()) on \
        the default port, `reel FILE...` opens recordings, `reel --connect ADDR` follows a \
        running `reel serve`.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    viewer: ViewerArgs,
}

/// How to open the viewer.
#[derive(clap::Args, Clone, Debug)]
struct ViewerArgs {
    /// Recordings to open.
    files: Vec<PathBuf>,
    /// Follow a running `reel serve` (or viewer) at this address, e.g. 127.0.0.1:9876.
    #[arg(long)]
    connect: Vec<String>,
    /// Listen for SDKs on this port (default: the standard port when no file or
    /// --connect is given, else not at all).
    #[arg(long)]
    port: Option<u16>,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Drop the oldest data beyond this size (e.g. 2GB, 512MiB, or 75% of memory).
    #[arg(long)]
    memory_limit: Option<String>,
    /// Close the window after this many seconds (for scripts and tests).
    #[arg(long, hide = true)]
    quit_after: Option<f64>,
    /// Save a screenshot of the window here before closing (with --quit-after).
    #[arg(long, hide = true)]
    screenshot: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Open recordings in the viewer (the same as `reel FILE...`).
    View(ViewerArgs),
    /// Draw a recording's default layout (or one view) at a time into a PNG, without a
    /// window.
    Render {
        /// The recording.
        file: PathBuf,
        /// The PNG to write.
        #[arg(long)]
        out: PathBuf,
        /// The time to show, as TIMELINE=VALUE (sequence number, or nanoseconds for
        /// time and duration timelines); default: the newest time.
        #[arg(long)]
        time: Option<String>,
        /// Image width in pixels.
        #[arg(long, default_value_t = 1280)]
        width: u32,
        /// Image height in pixels.
        #[arg(long, default_value_t = 800)]
        height: u32,
        /// Render only the view with this name (as shown on its tab).
        #[arg(long)]
        view: Option<String>,
    },
    /// Print what a recording holds: stores, entities, timelines and their ranges,
    /// components with instance counts, rows and bytes.
    Print {
        /// The recording file (`-` for standard input).
        file: PathBuf,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Decode every message; fail with the error and its byte offset on damage.
    ///
    /// Exit status: 0 complete, 1 damaged (or unfinished with no writer left), 3 open:
    /// a program or `reel serve` is still writing it and everything so far is intact.
    Verify {
        /// The recording file (`-` for standard input).
        file: PathBuf,
    },
    /// Rewrite a recording with its small chunks merged (same rows, fewer chunks).
    Compact {
        /// The recording to read.
        input: PathBuf,
        /// Where to write the compacted recording.
        output: PathBuf,
    },
    /// Write recordings as Parquet: one file per entity with a `recording_id` column,
    /// plus `manifest.json`.
    Export {
        /// The directory to write into.
        #[arg(long)]
        parquet: PathBuf,
        /// The timeline that indexes the rows.
        #[arg(long, default_value = "log_time")]
        index: String,
        /// The recordings (each may hold several).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write recordings into one self-contained HTML page (the web viewer and the data
    /// inline) that opens in any browser with no network, e.g. to share a run.
    Html {
        /// The page to write.
        #[arg(long)]
        out: PathBuf,
        /// The viewer's width in pixels.
        #[arg(long, default_value_t = 1280)]
        width: u32,
        /// The viewer's height in pixels.
        #[arg(long, default_value_t = 800)]
        height: u32,
        /// The recordings, shown together.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Receive recordings from SDK clients over TCP; print where it listens.
    Serve {
        /// The address to listen on (loopback unless told otherwise).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The port (0 picks a free one).
        #[arg(long, default_value_t = reel_format::net::DEFAULT_PORT)]
        port: u16,
        /// Write each recording to a file in this directory (reloaded on restart).
        #[arg(long)]
        save: Option<PathBuf>,
        /// Bound the server's memory to this size (e.g. 2GB, 512MiB, or 75% of this
        /// machine's memory): frames being received and subscriber queues get a quarter
        /// (at most 1 GiB), the recordings the rest, beyond which the oldest data of the
        /// largest recording is dropped. Without it only the buffers are bounded (4 GiB).
        #[arg(long)]
        memory_limit: Option<String>,
        /// Bound what the server holds outside its recordings (frames being received from
        /// all clients, queues to all subscribers), e.g. 256MiB; default 4GiB (twice the largest
        /// message accepted, which must fit compressed and decompressed at once).
        #[arg(long)]
        buffer_limit: Option<String>,
        /// Seconds between throughput reports (0: none).
        #[arg(long, default_value_t = 10)]
        report_secs: u64,
        /// Also host the web viewer over HTTP, following this server live over WebSocket.
        #[arg(long)]
        web_viewer: bool,
        /// The web viewer's HTTP port (with --web-viewer; 0 picks a free one).
        #[arg(long, default_value_t = reel_web_viewer::DEFAULT_WEB_PORT, requires = "web_viewer")]
        web_port: u16,
        /// The WebSocket port web viewers follow the server on (with --web-viewer).
        #[arg(long, default_value_t = reel_web_viewer::DEFAULT_WS_PORT, requires = "web_viewer")]
        ws_port: u16,
    },
}

/// Parses `2GB`, `512MiB` or `75%` (of total memory).
fn parse_memory_limit(s: &str) -> Result<u64, String> {
    if let Some(pct) = s.trim().strip_suffix('%') {
        let pct: f64 = pct
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not a percentage"))?;
        if !(0.0..=100.0).contains(&pct) {
            return Err(format!("{s:?} is not between 0% and 100%"));
        }
        let total = total_memory().ok_or("percentages need /proc/meminfo; give a size like 2GB")?;
        return Ok((total as f64 * pct / 100.0) as u64);
    }
    reel_sdk::config::parse_bytes(s)
}

fn total_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Prints log records of reel's crates to stderr.
struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        // Reel's own records; only warnings and errors of the libraries below it.
        m.level() <= log::Level::Warn
            || (m.level() <= log::Level::Info && m.target().starts_with("reel"))
    }

    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            eprintln!("[reel {}] {}", r.level().as_str().to_lowercase(), r.args());
        }
    }

    fn flush(&self) {}
}

fn open(path: &Path) -> Result<Box<dyn std::io::Read>, String> {
    if path == Path::new("-") {
        return Ok(Box::new(BufReader::new(std::io::stdin().lock())));
    }
    File::open(path)
        .map(|f| Box::new(BufReader::with_capacity(1 << 20, f)) as Box<dyn std::io::Read>)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

fn run(cli: Cli) -> Result<u8, String> {
    let Some(command) = cli.command else {
        return view(cli.viewer);
    };
    match command {
        Command::View(args) => view(args),
        Command::Render {
            file,
            out,
            time,
            width,
            height,
            view,
        } => render(&file, &out, time.as_deref(), width, height, view),
        Command::Print { file, json } => {
            let summary = crate::summarize(open(&file)?);
            let mut out = std::io::stdout().lock();
            let written = if json {
                serde_json::to_writer_pretty(&mut out, &summary)
                    .map_err(std::io::Error::from)
                    .and_then(|()| writeln!(out))
            } else {
                write!(out, "{}: {summary}", file.display())
            };
            written.map_err(|e| format!("writing output: {e}"))?;
            Ok(if summary.error.is_some() { 1 } else { 0 })
        }
        Command::Serve {
            bind,
            port,
            save,
            memory_limit,
            buffer_limit,
            report_secs,
            web_viewer,
            web_port,
            ws_port,
        } => {
            let memory_limit = memory_limit
                .map(|m| parse_memory_limit(&m).map_err(|e| format!("--memory-limit: {e}")))
                .transpose()?;
            let defaults = reel_server::ServerConfig::default();
            let buffer_limit = buffer_limit
                .map(|m| parse_memory_limit(&m).map_err(|e| format!("--buffer-limit: {e}")))
                .transpose()?
                .unwrap_or(defaults.buffer_limit);
            let config = reel_server::ServerConfig {
                bind,
                port,
                save_dir: save,
                memory_limit,
                buffer_limit,
                report_interval: (report_secs > 0)
                    .then(|| std::time::Duration::from_secs(report_secs)),
                ws_port: web_viewer.then_some(ws_port),
                ..defaults
            };
            serve(config, web_viewer.then_some(web_port))
        }
        Command::Compact { input, output } => {
            let report = crate::compact(open(&input)?, &output)?;
            println!(
                "{}: {} rows in {} chunks -> {}: {} chunks",
                input.display(),
                report.rows,
                report.chunks_before,
                output.display(),
                report.chunks_after
            );
            Ok(if report.damaged { 1 } else { 0 })
        }
        Command::Html {
            out,
            width,
            height,
            files,
        } => html_page(&files, &out, width, height),
        Command::Export {
            parquet,
            index,
            files,
        } => {
            let store = reel_store::Store::default();
            let mut damaged = false;
            for file in &files {
                eprintln!("reading {}", file.display());
                let report = store.load(open(file)?);
                if let Some(e) = report.error {
                    eprintln!(
                        "{}: {e}; exporting the whole messages before it",
                        file.display()
                    );
                    damaged = true;
                }
            }
            let ids = store.recording_ids();
            let recordings: Vec<_> = ids
                .iter()
                .filter(|id| id.kind == reel_core::StoreKind::Recording)
                .filter_map(|id| store.recording(id).map(|r| (id.id.to_string(), r)))
                .collect();
            let guards: Vec<_> = recordings
                .iter()
                .map(|(id, r)| (id.clone(), r.read()))
                .collect();
            let views: Vec<(String, &reel_store::ChunkStore)> =
                guards.iter().map(|(id, g)| (id.clone(), &**g)).collect();
            let manifest = reel_store::export::export_parquet(&views, &index, &parquet)
                .map_err(|e| e.to_string())?;
            for skipped in &manifest.skipped {
                eprintln!("skipped recording {skipped}: it has no timeline {index:?}");
            }
            let rows: usize = manifest.entities.iter().map(|e| e.rows).sum();
            println!(
                "wrote {} entities, {rows} rows of {} recordings to {}",
                manifest.entities.len(),
                manifest.recordings.len(),
                parquet.display()
            );
            Ok(if damaged { 1 } else { 0 })
        }
        Command::Verify { file } => {
            // Asked before reading, so a writer finishing meanwhile reads as open, not damaged.
            let being_written = file != Path::new("-")
                && File::open(&file).is_ok_and(|f| reel_format::file::is_being_written(&f));
            let v = crate::verify(open(&file)?);
            match v.status(being_written) {
                crate::VerifyStatus::Complete => {
                    println!(
                        "{}: ok, {} messages, {} bytes",
                        file.display(),
                        v.messages,
                        v.bytes
                    );
                    Ok(0)
                }
                crate::VerifyStatus::Open => {
                    println!(
                        "{}: open (being written), {} whole messages so far, bytes 0..{} intact",
                        file.display(),
                        v.messages,
                        v.valid_up_to
                    );
                    Ok(3)
                }
                crate::VerifyStatus::Damaged => {
                    if let Some(e) = &v.error {
                        eprintln!("{}: error: {e}", file.display());
                    }
                    eprintln!(
                        "{} whole messages decoded before it (bytes 0..{} are intact)",
                        v.messages, v.valid_up_to
                    );
                    if matches!(v.error, Some(reel_format::DecodeError::Truncated { .. })) {
                        eprintln!(
                            "no end frame and no writer holds the file: its writer stopped \
                             before finishing it"
                        );
                    }
                    Ok(1)
                }
            }
        }
    }
}

/// Opens the viewer window; without a display, says why and what to run instead.
fn view(args: ViewerArgs) -> Result<u8, String> {
    let _ = log::set_logger(&StderrLogger).map(|()| log::set_max_level(log::LevelFilter::Info));
    let memory_limit = args
        .memory_limit
        .as_deref()
        .map(|m| parse_memory_limit(m).map_err(|e| format!("--memory-limit: {e}")))
        .transpose()?;
    let connect = args
        .connect
        .iter()
        .map(|a| parse_addr(a))
        .collect::<Result<Vec<_>, _>>()?;
    for file in &args.files {
        if !file.is_file() {
            return Err(format!("{} is not a file", file.display()));
        }
    }
    let listen_port = match args.port {
        Some(port) => Some(port),
        None if args.files.is_empty() && connect.is_empty() => Some(reel_format::net::DEFAULT_PORT),
        None => None,
    };
    let options = reel_viewer::native::ViewerOptions {
        files: args.files,
        connect,
        listen: listen_port.map(|p| (args.bind, p)),
        memory_limit,
        quit_after: args.quit_after,
        screenshot: args.screenshot,
    };
    reel_viewer::native::run(options).map_err(|e| e.to_string())?;
    Ok(0)
}

/// `127.0.0.1:9876`, `localhost:9876` or a bare port.
fn parse_addr(s: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(port) = s.parse::<u16>() {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.to_socket_addrs()
        .map_err(|e| format!("--connect {s:?}: {e}"))?
        .next()
        .ok_or_else(|| format!("--connect {s:?}: no address"))
}

/// `reel render`: a recording at a time into a PNG.
fn render(
    file: &Path,
    out: &Path,
    time: Option<&str>,
    width: u32,
    height: u32,
    view: Option<String>,
) -> Result<u8, String> {
    use reel_viewer::native::render::{render_store, save_png, RenderOptions};
    let time = time
        .map(|t| {
            let (name, value) = t
                .split_once('=')
                .ok_or_else(|| format!("--time {t:?}: expected TIMELINE=VALUE"))?;
            let value: i64 = value
                .trim()
                .parse()
                .map_err(|_| format!("--time {t:?}: {value:?} is not an integer"))?;
            Ok::<_, String>((name.trim().to_owned(), value))
        })
        .transpose()?;
    let store = std::sync::Arc::new(reel_store::Store::default());
    let report = store.load(open(file)?);
    if let Some(e) = &report.error {
        eprintln!(
            "{}: {e}; drawing the {} messages before it",
            file.display(),
            report.messages
        );
    }
    let options = RenderOptions {
        width,
        height,
        time,
        view,
        ..RenderOptions::default()
    };
    let image = render_store(store, &options).map_err(|e| e.to_string())?;
    save_png(&image, out).map_err(|e| e.to_string())?;
    println!("wrote {} ({width}x{height})", out.display());
    Ok(if report.error.is_some() { 1 } else { 0 })
}

/// `reel html`: every file checked (whole messages only are kept from a damaged one), then
/// written into one page.
fn html_page(files: &[PathBuf], out: &Path, width: u32, height: u32) -> Result<u8, String> {
    let mut streams = Vec::new();
    let mut damaged = false;
    for file in files {
        let bytes =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let mut decoder = reel_format::decode_slice(&bytes);
        let mut whole = Vec::new();
        for item in &mut decoder {
            match item {
                Ok(msg) => whole.push(msg),
                Err(e) => {
                    eprintln!(
                        "{}: {e}; keeping the whole messages before it",
                        file.display()
                    );
                    damaged = true;
                }
            }
        }
        if decoder.ended_cleanly() {
            streams.push(bytes);
        } else {
            // Re-encoded, so that the page gets a complete stream.
            let encoded =
                reel_format::encode_to_vec(&whole, reel_format::EncoderOptions::default())
                    .map_err(|e| format!("{}: {e}", file.display()))?;
            streams.push(encoded);
        }
    }
    let slices: Vec<&[u8]> = streams.iter().map(Vec::as_slice).collect();
    let options = reel_web_viewer::HtmlOptions {
        width,
        height,
        // The page must stand alone, whatever runs on this machine now.
        app_url: None,
        timeout_ms: reel_web_viewer::DEFAULT_TIMEOUT_MS,
    };
    let snippet =
        reel_web_viewer::notebook_html_inline(&slices, &options).map_err(|e| e.to_string())?;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let title = reel_web_viewer::escape_html(&names.join(", "));
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>reel: {title}</title></head>\n\
         <body style=\"margin:0;background:#1b1b1b\">{snippet}</body></html>\n"
    );
    std::fs::write(out, &page).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!(
        "wrote {} ({:.1} MB)",
        out.display(),
        page.len() as f64 / 1e6
    );
    Ok(if damaged { 1 } else { 0 })
}

fn serve(config: reel_server::ServerConfig, web_port: Option<u16>) -> Result<u8, String> {
    let _ = log::set_logger(&StderrLogger).map(|()| log::set_max_level(log::LevelFilter::Info));
    let bind = config.bind;
    let server = reel_server::Server::bind(config).map_err(|e| e.to_string())?;
    // One line on stdout for scripts (and `spawn`) to read the port from.
    println!("reel server listening on {}", server.local_addr());
    // Kept until the server stops: dropping it stops the web viewer.
    let _web = match (web_port, server.ws_addr()) {
        (Some(port), Some(ws)) => {
            let web = reel_web_viewer::WebViewerServer::start_following(
                bind,
                port,
                &reel_web_viewer::ws_url(ws),
            )
            .map_err(|e| e.to_string())?;
            println!("reel web viewer on {}", web.url());
            Some(web)
        }
        _ => None,
    };
    let _ = std::io::stdout().flush();
    let handle = server.spawn();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    let signals = std::sync::atomic::AtomicU8::new(0);
    let installed = ctrlc::set_handler(move || {
        // The first SIGINT/SIGTERM stops in order; another one while finishing quits at once.
        if signals.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0 {
            std::process::exit(130);
        }
        let _ = stop_tx.send(());
    });
    if let Err(e) = installed {
        log::warn!("cannot handle SIGINT/SIGTERM ({e}): files are finished only on a clean stop");
    }
    // With no handler the sender is gone and this returns at once; then serve until killed.
    if stop_rx.recv().is_err() {
        loop {
            std::thread::park();
        }
    }
    log::info!("stopping: finishing the recording files (press Ctrl-C again to quit at once)");
    handle.stop();
    Ok(0)
}

/// Runs the command line with `args` (the program name first); returns the exit code.
pub fn run_from_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" that print to stdout and succeed.
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("reel: {e}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_limits_parse_sizes_and_percentages() {
        assert_eq!(parse_memory_limit("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_memory_limit("512MiB"), Ok(512 << 20));
        if let Some(total) = total_memory() {
            let half = parse_memory_limit("50%").expect("a percentage");
            assert!(half.abs_diff(total / 2) <= 1, "{half} vs {total}");
        }
        for bad in ["lots", "150%", "-5%", "x%"] {
            assert!(parse_memory_limit(bad).is_err(), "{bad}");
        }
    }
}
