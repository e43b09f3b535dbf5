//! The network path with real processes and sockets on loopback: a `reel serve` process,
//! SDK clients (this binary re-run as a child with `REEL_TEST_ROLE`), and hand-made hostile
//! peers. Plain `main` (no libtest harness) because of the child roles; it prints
//! libtest-style lines.

#![allow(missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reel_core::arrow_array::Float32Array;
use reel_core::{ComponentBatch, LogMsg, Timeline};
use reel_format::frame::{FrameHeader, MessageKind, FRAME_HEADER_LEN};
use reel_format::net::{Hello, Welcome};
use reel_sdk::{BatcherConfig, LogOptions, OverflowPolicy, RecordingError, RecordingStreamBuilder};
use reel_types::archetypes::Scalar;

const ROLE: &str = "REEL_TEST_ROLE";

fn main() {
    if let Ok(role) = std::env::var(ROLE) {
        run_role(&role);
        return;
    }
    let checks: &[(&str, fn())] = &[
        (
            "server_started_after_the_client",
            server_started_after_the_client,
        ),
        (
            "server_killed_and_restarted_keeps_every_row_once",
            server_killed_and_restarted_keeps_every_row_once,
        ),
        (
            "eight_processes_share_one_recording",
            eight_processes_share_one_recording,
        ),
        (
            "no_server_at_exit_is_bounded_and_reported",
            no_server_at_exit_is_bounded_and_reported,
        ),
        (
            "a_gigabyte_with_no_server_is_bounded_and_reported",
            a_gigabyte_with_no_server_is_bounded_and_reported,
        ),
        (
            "a_server_that_stops_acknowledging_never_freezes_the_client",
            a_server_that_stops_acknowledging_never_freezes_the_client,
        ),
        (
            "slow_server_bound_holds_with_each_policy",
            slow_server_bound_holds_with_each_policy,
        ),
        (
            "a_message_larger_than_the_server_accepts_is_refused_once",
            a_message_larger_than_the_server_accepts_is_refused_once,
        ),
        (
            "hostile_peers_are_closed_and_others_served",
            hostile_peers_are_closed_and_others_served,
        ),
        (
            "spawn_starts_reuses_and_explains_failures",
            spawn_starts_reuses_and_explains_failures,
        ),
        ("serve_reports_throughput", serve_reports_throughput),
        (
            "serve_finishes_its_files_on_sigint_and_sigterm",
            serve_finishes_its_files_on_sigint_and_sigterm,
        ),
        (
            "serve_web_viewer_hosts_the_page_and_streams_live",
            serve_web_viewer_hosts_the_page_and_streams_live,
        ),
        (
            "fault_soak_keeps_every_row_once",
            fault_soak_keeps_every_row_once,
        ),
    ];
    // `cargo test --test network -- NAME` runs the checks whose name contains NAME.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let checks: Vec<_> = checks
        .iter()
        .filter(|(name, _)| filter.as_deref().is_none_or(|f| name.contains(f)))
        .collect();
    println!("\nrunning {} tests", checks.len());
    let mut failed = 0;
    for (name, check) in &checks {
        let ok = std::panic::catch_unwind(check).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        failed += usize::from(!ok);
    }
    let status = if failed == 0 { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {status}. {} passed; {failed} failed; 0 ignored; 0 measured; 0 filtered out\n",
        checks.len() - failed
    );
    if failed > 0 {
        std::process::exit(101);
    }
}

/// A `reel serve` process, killed when dropped.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    fn start(port: u16, save: &Path) -> Self {
        Self::start_with(port, save, &[], Stdio::null())
    }

    /// `reel serve` with `extra` arguments, its log going to `stderr`.
    fn start_with(port: u16, save: &Path, extra: &[&str], stderr: Stdio) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_reel"))
            .args(["serve", "--port", &port.to_string(), "--report-secs", "0"])
            .args(extra)
            .arg("--save")
            .arg(save)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start reel serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .trim()
            .rsplit(' ')
            .next()
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Self { child, addr }
    }

    /// Sends `signal` and waits for the process to exit; returns its exit status.
    fn signal_and_wait(mut self, signal: i32) -> std::process::ExitStatus {
        #[allow(unsafe_code)]
        // SAFETY: signalling the server process this test started and still owns.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "reel serve did not stop on signal {signal}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reel-net-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Every (entity, `i` sequence value) row in the recording files of `dir`, reading whole
/// messages (the server may still be writing, or was killed).
fn saved_rows(dir: &Path) -> Vec<(String, i64)> {
    let mut msgs = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        msgs.extend(reel_format::decode_slice(&bytes).map_while(Result::ok));
    }
    rows_of(msgs)
}

fn eventually(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn child(role: &str, envs: &[(&str, String)]) -> Child {
    Command::new(std::env::current_exe().expect("own path"))
        .env(ROLE, role)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn child")
}

/// Eight `role` children logging to `addr`, numbered by `REEL_TEST_K`, sharing one
/// recording id.
fn producers(role: &str, addr: &str, recording_id: &str) -> Vec<Child> {
    (0..8)
        .map(|k| {
            child(
                role,
                &[
                    ("REEL_TEST_ADDR", addr.to_owned()),
                    ("REEL_TEST_K", k.to_string()),
                    ("REEL_RECORDING_ID", recording_id.to_owned()),
                ],
            )
        })
        .collect()
}

fn run_role(role: &str) {
    let addr = std::env::var("REEL_TEST_ADDR").expect("address");
    match role {
        // Logs 500 rows to its own entity, then exits (exit delivers everything).
        "client" => {
            let k = std::env::var("REEL_TEST_K").expect("k");
            let rec = RecordingStreamBuilder::new("net")
                .make_default(true)
                .connect(Some(&addr), Duration::from_secs(20))
                .expect("connect");
            for i in 0..500 {
                rec.set_time_sequence("i", i);
                rec.log(format!("proc/{k}"), &Scalar::new(i as f64))
                    .expect("log");
            }
            std::mem::forget(rec); // only the exit hook delivers
        }
        // Nothing listens: exit must not hang, and must say what was lost.
        "no_server" => {
            let rec = RecordingStreamBuilder::new("net")
                .exit_flush_timeout(Duration::from_secs(5))
                .connect(Some(&addr), Duration::from_millis(300))
                .expect("connect");
            for i in 0..100 {
                rec.log("x", &Scalar::new(f64::from(i))).expect("log");
            }
            drop(rec);
        }
        // 1 GiB of fresh 1 MiB rows under a 64 MiB bound, nothing listening.
        "no_server_gigabyte" => {
            let rec = RecordingStreamBuilder::new("gigabyte")
                .batcher_config(BatcherConfig {
                    max_bytes_in_flight: 64 << 20,
                    ..BatcherConfig::default()
                })
                .exit_flush_timeout(Duration::from_secs(2))
                .connect(Some(&addr), Duration::from_secs(1))
                .expect("connect");
            let started = Instant::now();
            let mut max_in_flight = 0;
            for i in 0..1024_i32 {
                let radii = vec![reel_types::components::Radius(i as f32); 1 << 18];
                rec.log_components(
                    "cloud",
                    [reel_core::ComponentBatch::from_component(&radii)],
                    reel_sdk::LogOptions::default(),
                )
                .expect("log");
                max_in_flight = max_in_flight.max(rec.bytes_in_flight());
            }
            let log_secs = started.elapsed().as_secs_f64();
            let (pending, dropped) = match rec.flush_blocking() {
                Err(reel_sdk::RecordingError::Undelivered(u)) => {
                    (u.pending_messages, u.dropped_rows)
                }
                other => panic!("the flush must say what was not delivered: {other:?}"),
            };
            println!(
                "RESULT log_secs={log_secs:.2} pending={pending} dropped={dropped} \
                 max_in_flight={max_in_flight} peak_rss_kib={}",
                peak_rss_kib()
            );
            drop(rec);
        }
        // The soak test's producer: rows of 4 KiB over ~15 s, all of which must arrive.
        "soak_producer" => {
            let k = std::env::var("REEL_TEST_K").expect("k");
            let rec = RecordingStreamBuilder::new("soak")
                .batcher_config(BatcherConfig {
                    max_bytes_in_flight: SOAK_BOUND,
                    ..BatcherConfig::default()
                })
                .connect(Some(&addr), Duration::from_secs(30))
                .expect("connect");
            // Incompressible, so socket buffers cannot hide a slow subscriber's backlog.
            let mut x = 0x9E37_79B9_u32 ^ k.parse::<u32>().unwrap_or(0);
            for i in 0..SOAK_ROWS {
                let payload: Vec<_> = (0..1024)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 17;
                        x ^= x << 5;
                        reel_types::components::Radius(f32::from_bits((x >> 9) | 0x3F80_0000))
                    })
                    .collect();
                rec.set_time_sequence("i", i);
                rec.log_components(
                    format!("proc/{k}"),
                    [reel_core::ComponentBatch::from_component(&payload)],
                    reel_sdk::LogOptions::default(),
                )
                .expect("log");
                std::thread::sleep(Duration::from_millis(5));
            }
            let flushed = rec.flush_blocking();
            println!(
                "RESULT peak_rss_kib={} delivered={}",
                peak_rss_kib(),
                flushed.is_ok()
            );
            flushed.expect("every row delivered");
        }
        other => panic!("unknown role {other}"),
    }
}

/// `reel verify FILE`: its exit code and stdout.
fn verify(file: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_reel"))
        .arg("verify")
        .arg(file)
        .output()
        .expect("run reel verify");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The one recording file in `dir`.
fn only_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().expect("one file")
}

fn serve_finishes_its_files_on_sigint_and_sigterm() {
    for (name, signal) in [("sigint", libc::SIGINT), ("sigterm", libc::SIGTERM)] {
        let dir = temp_dir(name);
        let server = ServerProcess::start(0, &dir);
        let rec = RecordingStreamBuilder::new(name)
            .connect(Some(&server.addr.to_string()), Duration::from_secs(20))
            .expect("connect");
        for i in 0..300 {
            rec.set_time_sequence("i", i);
            rec.log("counter", &Scalar::new(i as f64)).expect("log");
        }
        rec.flush_blocking().expect("flush");
        let file = only_file(&dir);
        // While the server runs: readable, intact, and reported as open, not damaged.
        let (code, out) = verify(&file);
        assert_eq!(code, 3, "{name}: {out}");
        assert!(out.contains("open (being written)"), "{name}: {out}");
        assert_eq!(saved_rows(&dir).len(), 300, "{name}");

        let status = server.signal_and_wait(signal);
        assert!(status.success(), "{name}: {status:?}");
        let (code, out) = verify(&file);
        assert_eq!(code, 0, "{name}: the end frame is written: {out}");
        assert!(out.contains(": ok,"), "{name}: {out}");
        drop(rec);
    }

    // SIGKILL leaves no end frame and no writer: that is damage, with the reason.
    let dir = temp_dir("sigkill");
    let server = ServerProcess::start(0, &dir);
    let rec = RecordingStreamBuilder::new("sigkill")
        .connect(Some(&server.addr.to_string()), Duration::from_secs(20))
        .expect("connect");
    rec.log("x", &Scalar::new(1.0)).expect("log");
    rec.flush_blocking().expect("flush");
    server.kill();
    let out = Command::new(env!("CARGO_BIN_EXE_reel"))
        .arg("verify")
        .arg(only_file(&dir))
        .output()
        .expect("run reel verify");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("its writer stopped"), "{stderr}");
    std::mem::forget(rec); // nothing to deliver it to
}

fn server_started_after_the_client() {
    let dir = temp_dir("late");
    let port = free_port();
    let rec = RecordingStreamBuilder::new("late")
        .connect(Some(&format!("127.0.0.1:{port}")), Duration::from_secs(20))
        .expect("connect");
    for i in 0..1000 {
        rec.set_time_sequence("i", i);
        rec.log("late", &Scalar::new(i as f64)).expect("log");
    }
    rec.flush(false);
    std::thread::sleep(Duration::from_millis(300));
    let _server = ServerProcess::start(port, &dir);
    rec.flush_blocking().expect("flush");
    eventually("every row saved", Duration::from_secs(20), || {
        saved_rows(&dir).len() == 1000
    });
    let expected: Vec<(String, i64)> = (0..1000).map(|i| ("late".to_owned(), i)).collect();
    assert_eq!(saved_rows(&dir), expected);
}

fn a_message_larger_than_the_server_accepts_is_refused_once() {
    // Room for 4 MiB of frames; one row of 8 MiB of incompressible floats can never fit.
    let dir = temp_dir("refused");
    let server = ServerProcess::start_with(
        free_port(),
        &dir,
        &["--buffer-limit", "4MiB"],
        Stdio::null(),
    );
    let rec = RecordingStreamBuilder::new("refused")
        .batcher_config(BatcherConfig {
            flush_num_rows: 1,
            ..BatcherConfig::default()
        })
        .connect(Some(&server.addr.to_string()), Duration::from_secs(20))
        .expect("connect");
    rec.log("before", &Scalar::new(1.0)).expect("log");
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let noise: Vec<f32> = (0..2_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 40) as f32
        })
        .collect();
    rec.log_components(
        "huge",
        [ComponentBatch::new(
            "test.Noise",
            Arc::new(Float32Array::from(noise)),
        )],
        LogOptions::default(),
    )
    .expect("log");
    rec.log("after", &Scalar::new(2.0)).expect("log");
    // The flush ends (no resend loop) and says what was dropped.
    match rec.flush_blocking() {
        Err(RecordingError::Undelivered(u)) => {
            assert_eq!(u.dropped_rows, 1, "{u:?}");
            assert!(u.dropped_bytes >= 8_000_000, "{u:?}");
        }
        other => panic!("expected the refused row to be reported, got {other:?}"),
    }
    eventually("the rows around it saved", Duration::from_secs(20), || {
        saved_rows(&dir).len() == 2
    });
    let saved: Vec<String> = saved_rows(&dir).into_iter().map(|(p, _)| p).collect();
    assert_eq!(saved, ["after", "before"], "sorted by entity");
    rec.flush_blocking().expect("nothing new dropped");
}

fn server_killed_and_restarted_keeps_every_row_once() {
    let dir = temp_dir("restart");
    let port = free_port();
    let server = ServerProcess::start(port, &dir);
    let rec = RecordingStreamBuilder::new("restart")
        .batcher_config(BatcherConfig {
            flush_tick: Duration::from_millis(5),
            ..BatcherConfig::default()
        })
        .connect(Some(&server.addr.to_string()), Duration::from_secs(30))
        .expect("connect");
    const N: i64 = 6000;
    let mut server = Some(server);
    for i in 0..N {
        rec.set_time_sequence("i", i);
        rec.log("counter", &Scalar::new(i as f64)).expect("log");
        if i % 500 == 0 {
            std::thread::sleep(Duration::from_millis(10));
        }
        if i == N / 3 {
            // Killed mid-stream (SIGKILL: no orderly shutdown)...
            if let Some(s) = server.take() {
                s.kill();
            }
        }
        if i == N / 2 {
            // ...and back on the same port and directory.
            server = Some(ServerProcess::start(port, &dir));
        }
    }
    rec.flush_blocking().expect("flush");
    eventually("every row saved", Duration::from_secs(30), || {
        saved_rows(&dir).len() as i64 >= N
    });
    let expected: Vec<(String, i64)> = (0..N).map(|i| ("counter".to_owned(), i)).collect();
    assert_eq!(saved_rows(&dir), expected, "every row exactly once");
}

fn eight_processes_share_one_recording() {
    let dir = temp_dir("eight");
    let server = ServerProcess::start(0, &dir);
    let addr = server.addr.to_string();
    let children = producers("client", &addr, "shared-run");
    for mut c in children {
        let status = c.wait().expect("wait");
        assert!(status.success(), "a client failed");
    }
    eventually("every row saved", Duration::from_secs(20), || {
        saved_rows(&dir).len() == 8 * 500
    });
    let files: Vec<_> = std::fs::read_dir(&dir).expect("dir").collect();
    assert_eq!(files.len(), 1, "one recording: {files:?}");
    let rows = saved_rows(&dir);
    for k in 0..8 {
        let mine: Vec<i64> = rows
            .iter()
            .filter(|(p, _)| *p == format!("proc/{k}"))
            .map(|(_, i)| *i)
            .collect();
        assert_eq!(mine, (0..500).collect::<Vec<_>>(), "process {k}");
    }
}

fn no_server_at_exit_is_bounded_and_reported() {
    let started = Instant::now();
    let out = child(
        "no_server",
        &[("REEL_TEST_ADDR", format!("127.0.0.1:{}", free_port()))],
    )
    .wait_with_output()
    .expect("wait");
    assert!(out.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "exit waited {:?}",
        started.elapsed()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did not receive"), "{err}");
}

/// This process's peak resident memory (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    peak_rss_kib_of(std::process::id())
}

fn a_gigabyte_with_no_server_is_bounded_and_reported() {
    let started = Instant::now();
    let output = child(
        "no_server_gigabyte",
        &[("REEL_TEST_ADDR", format!("127.0.0.1:{}", free_port()))],
    )
    .wait_with_output()
    .expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{err}");
    let secs = started.elapsed();
    println!(
        "  no server, 1 GiB logged: {} (process {secs:.1?})",
        stdout.trim()
    );
    let field = |name: &str| -> f64 {
        stdout
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {stdout:?}"))
    };
    assert!(
        secs < Duration::from_secs(60),
        "finished, not frozen: {secs:?}"
    );
    assert!(
        field("max_in_flight") <= f64::from((64 << 20) + (1 << 20)),
        "{stdout}"
    );
    assert!(
        field("dropped") >= 900.0,
        "most of it was dropped: {stdout}"
    );
    assert!(field("pending") >= 1.0, "what fits stays queued: {stdout}");
    assert!(
        field("peak_rss_kib") < 260.0 * 1024.0,
        "bounded memory: {stdout}"
    );
    // One warning when the episode starts, the totals at exit.
    assert_eq!(err.matches("dropping new rows").count(), 1, "{err}");
    assert!(err.contains("in all,"), "{err}");
}

/// A server that acknowledges its first `acks` messages and then only reads.
fn silent_server(acks: u64) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let Ok(hello) = Hello::read(&mut stream) else {
            return;
        };
        let _ = Welcome::answer(&hello).write(&mut stream);
        let mut writer = stream.try_clone().expect("clone");
        let mut decoder = reel_format::Decoder::new(BufReader::new(stream));
        let mut count = 0;
        while let Some(Ok(_)) = decoder.next_message() {
            count += 1;
            if count <= acks {
                let _ = reel_format::net::write_ack(&mut writer, count);
            }
        }
    });
    addr
}

fn a_server_that_stops_acknowledging_never_freezes_the_client() {
    const BOUND: u64 = 1 << 20;
    let addr = silent_server(3);
    let rec = RecordingStreamBuilder::new("silent")
        .batcher_config(BatcherConfig {
            flush_num_rows: 1,
            max_bytes_in_flight: BOUND,
            block_timeout: Duration::from_millis(300),
            ..BatcherConfig::default()
        })
        .connect(Some(&addr.to_string()), Duration::from_millis(500))
        .expect("connect");
    let started = Instant::now();
    let radii = vec![reel_types::components::Radius(1.0); 16 * 1024]; // 64 KiB a row
    for _ in 0..100 {
        rec.log_components(
            "big",
            [reel_core::ComponentBatch::from_component(&radii)],
            reel_sdk::LogOptions::default(),
        )
        .expect("log");
        assert!(
            rec.bytes_in_flight() <= BOUND + 70_000,
            "{}",
            rec.bytes_in_flight()
        );
    }
    let logging = started.elapsed();
    // One wait of the block timeout starts the episode; later rows drop at once.
    assert!(logging < Duration::from_secs(5), "logging took {logging:?}");
    match rec.flush_blocking() {
        Err(reel_sdk::RecordingError::Undelivered(u)) => {
            assert!(u.pending_messages > 0 && u.dropped_rows > 0, "{u}");
        }
        other => panic!("a silent server must not flush Ok: {other:?}"),
    }
    let closing = Instant::now();
    drop(rec);
    assert!(
        closing.elapsed() < Duration::from_secs(5),
        "closing is bounded too"
    );
}

/// A server that acknowledges one message every `delay`.
fn slow_server(delay: Duration) -> (SocketAddr, std::thread::JoinHandle<u64>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let hello = Hello::read(&mut stream).expect("hello");
        Welcome::answer(&hello).write(&mut stream).expect("welcome");
        let mut writer = stream.try_clone().expect("clone");
        let mut decoder = reel_format::Decoder::new(BufReader::new(stream));
        let mut count = 0;
        while let Some(Ok(_)) = decoder.next_message() {
            std::thread::sleep(delay);
            count += 1;
            if reel_format::net::write_ack(&mut writer, count).is_err() {
                break;
            }
        }
        count
    });
    (addr, handle)
}

fn slow_server_bound_holds_with_each_policy() {
    for policy in [OverflowPolicy::DropNewest, OverflowPolicy::Block] {
        const BOUND: u64 = 256 * 1024;
        let (addr, server) = slow_server(Duration::from_millis(20));
        let rec = RecordingStreamBuilder::new("slow")
            .batcher_config(BatcherConfig {
                flush_num_rows: 1,
                max_bytes_in_flight: BOUND,
                overflow: policy,
                ..BatcherConfig::default()
            })
            .connect(Some(&addr.to_string()), Duration::from_secs(60))
            .expect("connect");
        let radii = vec![reel_types::components::Radius(1.0); 4000]; // ~16 KB a row
        let rows = 60;
        let started = Instant::now();
        for _ in 0..rows {
            rec.log_components(
                "big",
                [reel_core::ComponentBatch::from_component(&radii)],
                reel_sdk::LogOptions::default(),
            )
            .expect("log");
            assert!(
                rec.bytes_in_flight() <= BOUND + 20_000,
                "bound broken: {}",
                rec.bytes_in_flight()
            );
        }
        let mut dropped = 0;
        match policy {
            OverflowPolicy::DropNewest => {
                assert!(
                    started.elapsed() < Duration::from_secs(1),
                    "drop-newest never blocks"
                );
                // The flush says what was dropped.
                match rec.flush_blocking() {
                    Err(reel_sdk::RecordingError::Undelivered(u)) => dropped = u.dropped_rows,
                    other => panic!("the drops must be reported: {other:?}"),
                }
            }
            OverflowPolicy::Block => rec.flush_blocking().expect("flush"),
        }
        drop(rec);
        let received = server.join().expect("server");
        match policy {
            // The store info and the rows that fitted arrived; the rest were dropped.
            OverflowPolicy::DropNewest => {
                assert!(dropped > 0, "{policy:?}");
                assert_eq!(
                    received + dropped,
                    rows + 1,
                    "{policy:?}: each row arrived or was counted"
                );
            }
            // Blocking waits for room: everything arrives.
            OverflowPolicy::Block => assert_eq!(received, rows + 1, "{policy:?}"),
        }
    }
}

fn hostile_peers_are_closed_and_others_served() {
    let dir = temp_dir("hostile");
    let server = ServerProcess::start(0, &dir);
    let closed = |mut s: TcpStream| {
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut buf = [0u8; 64];
        // The server closes the connection: reading ends (0 bytes or an error), no hang.
        loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    };
    // Garbage instead of a hello.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write");
    closed(s);
    // A wrong protocol version is refused.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    Hello {
        protocol_version: 99,
        role: reel_format::net::Role::Producer,
    }
    .write(&mut s)
    .expect("hello");
    let welcome = Welcome::read(&mut s).expect("welcome");
    assert!(welcome.check().is_err());
    closed(s);
    // An oversized frame length after a good start.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    Hello::current().write(&mut s).expect("hello");
    Welcome::read(&mut s)
        .expect("welcome")
        .check()
        .expect("accepted");
    let header = reel_format::StreamHeader {
        version: reel_format::FORMAT_VERSION,
        compression: reel_format::Compression::Off,
    };
    s.write_all(&header.to_bytes()).expect("header");
    let mut frame = FrameHeader::new(MessageKind::ArrowMsg, 0, 0, &[]);
    frame.stored_len = 1 << 50;
    frame.raw_len = 1 << 50;
    frame.checksum = frame.compute_checksum(&[]);
    s.write_all(&frame.to_bytes()).expect("frame");
    closed(s);
    // A peer that stops mid-frame and disconnects.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    Hello::current().write(&mut s).expect("hello");
    Welcome::read(&mut s).expect("welcome");
    s.write_all(&header.to_bytes()).expect("header");
    s.write_all(&[2u8; FRAME_HEADER_LEN / 2])
        .expect("half a frame header");
    drop(s);
    // Garbage after a good handshake (a checksum mismatch).
    let mut s = TcpStream::connect(server.addr).expect("connect");
    Hello::current().write(&mut s).expect("hello");
    Welcome::read(&mut s).expect("welcome");
    s.write_all(&header.to_bytes()).expect("header");
    let bad = FrameHeader::new(MessageKind::SetStoreInfo, 0, 4, b"junk");
    let mut bytes = bad.to_bytes().to_vec();
    bytes.extend_from_slice(b"jUnk");
    s.write_all(&bytes).expect("frame");
    closed(s);

    // Through all that, a real client is served.
    let rec = RecordingStreamBuilder::new("good")
        .connect(Some(&server.addr.to_string()), Duration::from_secs(20))
        .expect("connect");
    for i in 0..10 {
        rec.set_time_sequence("i", i);
        rec.log("good", &Scalar::new(i as f64)).expect("log");
    }
    rec.flush_blocking().expect("flush");
    eventually("the good client's rows", Duration::from_secs(20), || {
        saved_rows(&dir).len() == 10
    });
}

fn spawn_starts_reuses_and_explains_failures() {
    use reel_sdk::spawn::{spawn, SpawnError, SpawnOptions, Spawned};
    let reel = PathBuf::from(env!("CARGO_BIN_EXE_reel"));
    let port = free_port();
    let options = SpawnOptions {
        port,
        memory_limit: "1GB".into(),
        executable: Some(reel.clone()),
        headless: Some(true),
        ..Default::default()
    };
    let Spawned::Started { pid, viewer: false } = spawn(&options).expect("spawn") else {
        panic!("nothing listened, so a server must start");
    };
    let result = std::panic::catch_unwind(|| {
        assert_eq!(
            spawn(&options).expect("again"),
            Spawned::Reused,
            "a listening server is reused"
        );
        // A recording spawns (reusing it) and streams to it.
        let rec = RecordingStreamBuilder::new("spawned")
            .buffered()
            .expect("recording");
        rec.spawn_with(&options, true).expect("spawn and connect");
        rec.log("x", &Scalar::new(1.0)).expect("log");
        rec.flush_blocking().expect("flush");
    });
    #[allow(unsafe_code)]
    // SAFETY: signalling the server process this test started.
    unsafe {
        libc::kill(pid as i32, libc::SIGKILL);
    }
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }

    // A missing executable.
    let missing = SpawnOptions {
        port: free_port(),
        executable: Some(PathBuf::from("/nonexistent/reel")),
        ..Default::default()
    };
    let err = spawn(&missing).expect_err("missing");
    assert!(matches!(err, SpawnError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("/nonexistent/reel"), "{err}");

    // Another version of reel.
    let dir = temp_dir("spawn");
    let fake = dir.join("reel");
    std::fs::write(&fake, "#!/bin/sh\necho 'reel 9.9.9'\n").expect("script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let old = SpawnOptions {
        port: free_port(),
        executable: Some(fake),
        ..Default::default()
    };
    let err = spawn(&old).expect_err("version");
    assert!(matches!(err, SpawnError::Version { .. }), "{err}");
    assert!(err.to_string().contains("9.9.9"), "{err}");

    // A port held by something that is not a reel server.
    let squatter = TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken = squatter.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in squatter.incoming().take(1) {
            let _ = s.map(|mut s| s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n"));
        }
    });
    let taken_options = SpawnOptions {
        port: taken,
        executable: Some(reel),
        ..Default::default()
    };
    let err = spawn(&taken_options).expect_err("taken");
    assert!(matches!(err, SpawnError::PortTaken { .. }), "{err}");
}

fn serve_reports_throughput() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reel"))
        .args([
            "serve",
            "--port",
            "0",
            "--report-secs",
            "1",
            "--memory-limit",
            "50%",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start reel serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    let addr = line.trim().rsplit(' ').next().expect("address").to_owned();
    let rec = RecordingStreamBuilder::new("report")
        .connect(Some(&addr), Duration::from_secs(20))
        .expect("connect");
    for i in 0..200 {
        rec.set_time_sequence("i", i);
        rec.log("x", &Scalar::new(i as f64)).expect("log");
    }
    rec.flush_blocking().expect("flush");
    drop(rec); // closes the connection: the per-client summary
    std::thread::sleep(Duration::from_millis(1500)); // at least one periodic report
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("connected"), "{err}");
    assert!(
        err.contains("disconnected after") && err.contains("MB/s"),
        "per-client: {err}"
    );
    assert!(
        err.contains("msgs/s") && err.contains("recordings"),
        "total: {err}"
    );
}

/// `reel serve --web-viewer`: the page is served, names the WebSocket it follows, and that
/// WebSocket carries what an SDK logs. (The page itself is driven in Chromium by
/// python/tests/test_web.py.)
fn serve_web_viewer_hosts_the_page_and_streams_live() {
    let reel = env!("CARGO_BIN_EXE_reel");
    let refused = Command::new(reel)
        .args(["serve", "--web-port", "0"])
        .output()
        .expect("run");
    assert_eq!(
        refused.status.code(),
        Some(2),
        "--web-port needs --web-viewer"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--web-viewer"));

    let mut child = Command::new(reel)
        .args(["serve", "--port", "0", "--report-secs", "0", "--web-viewer"])
        .args(["--web-port", "0", "--ws-port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start reel serve");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut lines = [String::new(), String::new()];
    for line in &mut lines {
        stdout.read_line(line).expect("read a line");
    }
    let last_word = |line: &str| {
        line.trim()
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let (sdk_addr, page_url) = (last_word(&lines[0]), last_word(&lines[1]));
    assert!(
        lines[1].starts_with("reel web viewer on http://127.0.0.1:"),
        "{lines:?}"
    );

    let web_addr = page_url.trim_start_matches("http://");
    let mut http = TcpStream::connect(web_addr).expect("connect to the web viewer");
    write!(http, "GET / HTTP/1.0\r\nHost: {web_addr}\r\n\r\n").expect("request");
    let mut page = String::new();
    http.read_to_string(&mut page).expect("page");
    assert!(
        page.starts_with("HTTP/1.0 200") || page.starts_with("HTTP/1.1 200"),
        "{page}"
    );
    let follows = page
        .split("const follows = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page follows the server's WebSocket")
        .to_owned();
    assert!(follows.starts_with("ws://127.0.0.1:"), "{follows}");

    let (mut socket, _) = tungstenite::connect(follows.as_str()).expect("WebSocket");
    let rec = RecordingStreamBuilder::new("web")
        .connect(Some(&sdk_addr), Duration::from_secs(20))
        .expect("connect");
    for i in 0..10 {
        rec.set_time_sequence("i", i);
        rec.log("x", &Scalar::new(i as f64)).expect("log");
    }
    rec.flush_blocking().expect("flush");
    let mut decoder = reel_format::StreamDecoder::default();
    let mut rows = Vec::new();
    while rows.len() < 10 {
        let tungstenite::Message::Binary(bytes) = socket.read().expect("open") else {
            continue;
        };
        for item in decoder.push(&bytes) {
            if let LogMsg::ArrowMsg(a) = item.expect("valid").msg {
                rows.extend_from_slice(a.chunk.timelines()[&Timeline::new_sequence("i")].times());
            }
        }
    }
    rows.sort_unstable();
    assert_eq!(rows, (0..10).collect::<Vec<_>>());
    let _ = child.kill();
    let _ = child.wait();
}

/// Rows each soak producer logs, and its memory bound.
const SOAK_ROWS: i64 = 3000;
const SOAK_BOUND: u64 = 32 << 20;

/// A peer's peak resident memory (VmHWM), in KiB.
fn peak_rss_kib_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Every (entity, `i`) row in `msgs`, sorted.
fn rows_of(msgs: impl IntoIterator<Item = LogMsg>) -> Vec<(String, i64)> {
    let mut rows = Vec::new();
    for msg in msgs {
        if let LogMsg::ArrowMsg(a) = msg {
            for row in a.chunk.iter_rows() {
                let i = row
                    .timepoint
                    .get(&Timeline::new_sequence("i"))
                    .map_or(-1, |t| t.as_i64());
                rows.push((a.chunk.entity_path().to_string(), i));
            }
        }
    }
    rows.sort();
    rows
}

/// Subscribes to `addr` and reads everything the server holds, until `expected` rows have
/// come and nothing more follows for a moment.
fn rows_held_by(addr: SocketAddr, expected: usize) -> Vec<(String, i64)> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    Hello::subscriber().write(&mut stream).expect("hello");
    Welcome::read(&mut stream)
        .expect("welcome")
        .check()
        .expect("accepted");
    let reader = stream.try_clone().expect("clone");
    let mut decoder = reel_format::Decoder::new(BufReader::new(reader));
    let mut msgs = Vec::new();
    let mut rows = 0;
    while let Some(Ok(decoded)) = decoder.next_message() {
        if let LogMsg::ArrowMsg(a) = &decoded.msg {
            rows += a.chunk.num_rows();
        }
        msgs.push(decoded.msg);
        if rows >= expected {
            // Anything more would be a duplicate: give it a moment to show up.
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        }
    }
    rows_of(msgs)
}

/// A subscriber reading 50 messages a second (a third of what the producers send),
/// reconnecting after every server restart,
/// until `stop`; returns how many connections it made.
fn slow_subscriber(
    addr: SocketAddr,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<u32> {
    std::thread::spawn(move || {
        let mut connections = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200))
            else {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            if Hello::subscriber().write(&mut stream).is_err()
                || Welcome::read(&mut stream).is_err()
            {
                continue;
            }
            connections += 1;
            let mut decoder = reel_format::Decoder::new(BufReader::with_capacity(4096, stream));
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match decoder.next_message() {
                    Some(Ok(_)) => std::thread::sleep(Duration::from_millis(20)),
                    Some(Err(_)) | None => break,
                }
            }
        }
        connections
    })
}

/// 8 producer processes share one recording and log to a `reel serve --save` that is
/// SIGKILLed and restarted at random moments, while a subscriber reads slowly. Every row
/// must end up exactly once in the server's store and its file; producers stay within their
/// bound; the slow subscriber is cut with a reason; nothing hangs.
fn fault_soak_keeps_every_row_once() {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    println!("  soak seed {seed}");
    let mut rng = seed;
    let mut random_ms = |lo: u64, hi: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        Duration::from_millis(lo + rng % (hi - lo))
    };
    let dir = temp_dir("soak");
    let save = dir.join("saved");
    let log_path = dir.join("serve.log");
    let server_log = || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .expect("log file");
        Stdio::from(file)
    };
    let extra = ["--buffer-limit", "16MiB"];
    let port = free_port();
    let mut server = ServerProcess::start_with(port, &save, &extra, server_log());
    let addr = server.addr;
    let started = Instant::now();
    let mut producers = producers("soak_producer", &addr.to_string(), "soak-run");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let subscriber = slow_subscriber(addr, stop.clone());

    // Four SIGKILLs at random moments while the producers log, each followed by a restart
    // on the same port and directory after a random outage.
    let mut server_peak_kib = 0;
    for _ in 0..4 {
        std::thread::sleep(random_ms(1500, 3500));
        server_peak_kib = server_peak_kib.max(peak_rss_kib_of(server.child.id()));
        server.kill();
        std::thread::sleep(random_ms(100, 800));
        server = ServerProcess::start_with(port, &save, &extra, server_log());
    }
    let deadline = started + Duration::from_secs(100);
    let mut producer_peaks = Vec::new();
    for producer in &mut producers {
        let status = loop {
            if let Some(status) = producer.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                for p in &mut producers {
                    let _ = p.kill();
                }
                panic!("a producer hung");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut out = String::new();
        let _ = producer
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut out);
        assert!(status.success(), "a producer failed: {out}");
        let peak: u64 = out
            .split_whitespace()
            .find_map(|w| w.strip_prefix("peak_rss_kib="))
            .and_then(|v| v.parse().ok())
            .expect("a RESULT line");
        producer_peaks.push(peak);
    }
    let logging = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let connections = subscriber.join().expect("subscriber");

    let expected: Vec<(String, i64)> = (0..8)
        .flat_map(|k| (0..SOAK_ROWS).map(move |i| (format!("proc/{k}"), i)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let held = rows_held_by(server.addr, expected.len());
    assert_eq!(held.len(), expected.len(), "rows in the server's store");
    assert!(held == expected, "every row exactly once in the store");
    server_peak_kib = server_peak_kib.max(peak_rss_kib_of(server.child.id()));
    // SIGTERM: the server finishes its file, which then holds every row once too.
    assert!(server.signal_and_wait(libc::SIGTERM).success());
    let files: Vec<_> = std::fs::read_dir(&save).expect("dir").collect();
    assert_eq!(files.len(), 1, "one recording: {files:?}");
    let saved = saved_rows(&save);
    assert_eq!(saved.len(), expected.len(), "rows in the file");
    assert!(saved == expected, "every row exactly once in the file");

    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    let cuts = log.matches("subscriber disconnected: it ").count();
    assert!(
        cuts >= 1,
        "the slow subscriber was cut with a reason:\n{log}"
    );
    let max_peak = producer_peaks.iter().copied().max().unwrap_or(0);
    // The bound plus the program itself (a debug build with its threads and arenas).
    assert!(
        max_peak < (SOAK_BOUND >> 10) + 96 * 1024,
        "producer peak RSS {max_peak} KiB"
    );
    println!(
        "  soak: 8 producers x {SOAK_ROWS} rows, 4 SIGKILLs, {:.1} s; rows in store {} and \
         file {}, each once; producer peak RSS {}..{} KiB (bound {} KiB); server peak RSS \
         {server_peak_kib} KiB; slow subscriber connected {connections} times, cut {cuts} times",
        logging.as_secs_f64(),
        held.len(),
        saved.len(),
        producer_peaks.iter().min().unwrap_or(&0),
        max_peak,
        SOAK_BOUND >> 10,
    );
}
