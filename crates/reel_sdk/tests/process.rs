//! Behaviour that needs whole processes: flushing at process exit, the `REEL` and
//! `REEL_RECORDING_ID` environment, the stdout sink, fork safety and the bounded exit wait.
//!
//! The binary re-runs itself with `REEL_TEST_ROLE` set to act as the child process of a
//! check, so it has its own `main` (no libtest harness); it prints libtest-style lines.

#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use reel_core::LogMsg;
use reel_sdk::{BatcherConfig, RecordingStreamBuilder};
use reel_types::archetypes::Scalar;

const ROLE: &str = "REEL_TEST_ROLE";

fn main() {
    if let Ok(role) = std::env::var(ROLE) {
        run_role(&role);
        return;
    }
    let checks: &[(&str, fn())] = &[
        (
            "exit_flushes_the_global_recording",
            exit_flushes_the_global_recording,
        ),
        ("reel_env_turns_logging_off", reel_env_turns_logging_off),
        ("recording_id_env_is_shared", recording_id_env_is_shared),
        ("stdout_sink_writes_a_stream", stdout_sink_writes_a_stream),
        (
            "forked_child_neither_hangs_nor_flushes",
            forked_child_neither_hangs_nor_flushes,
        ),
        (
            "exit_wait_is_bounded_and_reported",
            exit_wait_is_bounded_and_reported,
        ),
    ];
    println!("\nrunning {} tests", checks.len());
    let mut failed = Vec::new();
    for (name, check) in checks {
        let ok = std::panic::catch_unwind(check).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        if !ok {
            failed.push(*name);
        }
    }
    let status = if failed.is_empty() { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {status}. {} passed; {} failed; 0 ignored; 0 measured; 0 filtered out\n",
        checks.len() - failed.len(),
        failed.len()
    );
    if !failed.is_empty() {
        std::process::exit(101);
    }
}

fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reel-sdk-process-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// Runs this binary as `role`, with a deadline so a hang fails instead of blocking.
fn child(role: &str, envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(std::env::current_exe().expect("own path"));
    cmd.env(ROLE, role)
        .env_remove("REEL")
        .env_remove("REEL_RECORDING_ID")
        .envs(envs.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut process = cmd.spawn().expect("spawn child");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if process.try_wait().expect("wait").is_some() {
            return process.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = process.kill();
            panic!("child {role} hung");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Decodes a file: (rows, ended cleanly).
fn read_rows(bytes: &[u8]) -> (Vec<f64>, bool) {
    let mut decoder = reel_format::decode_slice(bytes);
    let msgs: Vec<LogMsg> = (&mut decoder).collect::<Result<_, _>>().expect("decodes");
    let values = msgs
        .iter()
        .filter_map(|m| match m {
            LogMsg::ArrowMsg(a) => Some(a),
            _ => None,
        })
        .flat_map(|a| a.chunk.iter_rows().collect::<Vec<_>>())
        .map(|r| {
            r.components[0]
                .to_component::<reel_types::components::Scalar>()
                .expect("scalar")[0]
                .0
        })
        .collect();
    (values, decoder.ended_cleanly())
}

fn run_role(role: &str) {
    let path = std::env::var("REEL_TEST_FILE").map(PathBuf::from);
    match role {
        "exit_flush" => {
            // A global recording that is never dropped: only the exit hook can finish it.
            let rec = RecordingStreamBuilder::new("exit")
                .batcher_config(BatcherConfig::never())
                .make_default(true)
                .save(path.expect("file"))
                .expect("save");
            for i in 0..500 {
                reel_sdk::log("value", &Scalar::new(i as f64), None).expect("log");
            }
            std::mem::forget(rec);
        }
        "env" => {
            let rec = RecordingStreamBuilder::new("env")
                .save(path.expect("file"))
                .expect("save");
            let explicit = RecordingStreamBuilder::new("env")
                .recording_id("explicit")
                .buffered()
                .expect("buffered");
            println!(
                "enabled={} id={} explicit={}",
                rec.is_enabled(),
                rec.recording_id()
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
                explicit
                    .recording_id()
                    .map(|r| r.to_string())
                    .unwrap_or_default()
            );
        }
        "stdout" => {
            let rec = RecordingStreamBuilder::new("stdout")
                .stdout()
                .expect("stdout");
            for i in 0..10 {
                rec.log("value", &Scalar::new(i as f64)).expect("log");
            }
        }
        "fork" => fork_role(&path.expect("file")),
        "slow_exit" => {
            let rec = RecordingStreamBuilder::new("slow")
                .batcher_config(BatcherConfig::never())
                .exit_flush_timeout(Duration::from_millis(300))
                .make_default(true)
                .sink(Box::new(reel_sdk::CallbackSink::new(|m| {
                    if matches!(m, LogMsg::ArrowMsg(_)) {
                        std::thread::sleep(Duration::from_secs(60));
                    }
                })))
                .expect("recording");
            rec.log("value", &Scalar::new(1.0)).expect("log");
            std::mem::forget(rec);
        }
        other => panic!("unknown role {other}"),
    }
}

#[cfg(unix)]
fn fork_role(path: &Path) {
    let rec = RecordingStreamBuilder::new("fork")
        .batcher_config(BatcherConfig::never())
        .save(path)
        .expect("save");
    // Rows still pending in the batcher at the moment of the fork.
    for i in 0..100 {
        rec.log("value", &Scalar::new(i as f64)).expect("log");
    }
    #[allow(unsafe_code)]
    // SAFETY: the child only logs through reel (which must stay inert) and exits.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        // The child: the inherited recording is inert, and exiting must neither hang nor
        // write the parent's pending rows into the shared file.
        let enabled = rec.is_enabled();
        rec.log("value", &Scalar::new(-1.0)).expect("no-op");
        rec.flush(true);
        drop(rec);
        std::process::exit(if enabled { 3 } else { 0 });
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        let mut status = 0;
        #[allow(unsafe_code)]
        // SAFETY: waitpid on our own child with a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break status;
        }
        if Instant::now() > deadline {
            #[allow(unsafe_code)]
            // SAFETY: killing our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL)
            };
            println!("forked child hung");
            std::process::exit(4);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    println!("forked child status {status}");
    for i in 100..150 {
        rec.log("value", &Scalar::new(i as f64)).expect("log");
    }
}

#[cfg(not(unix))]
fn fork_role(_path: &Path) {
    println!("forked child status 0");
}

fn exit_flushes_the_global_recording() {
    let path = temp_file("exit.reel");
    let out = child(
        "exit_flush",
        &[("REEL_TEST_FILE", path.to_str().expect("utf8"))],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (values, complete) = read_rows(&std::fs::read(&path).expect("file written"));
    assert_eq!(values, (0..500).map(f64::from).collect::<Vec<_>>());
    assert!(complete, "the exit hook finished the file");
}

fn reel_env_turns_logging_off() {
    let path = temp_file("off.reel");
    let file = path.to_str().expect("utf8");
    for off in ["off", "0", "false"] {
        let out = child("env", &[("REEL", off), ("REEL_TEST_FILE", file)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with("enabled=false id= "),
            "{}",
            text(&out.stdout)
        );
        assert!(!path.exists(), "a disabled recording creates no file");
    }
    let out = child("env", &[("REEL", "on"), ("REEL_TEST_FILE", file)]);
    assert!(text(&out.stdout).starts_with("enabled=true"));
    let out = child("env", &[("REEL", "sometimes"), ("REEL_TEST_FILE", file)]);
    assert!(
        text(&out.stdout).starts_with("enabled=true"),
        "unknown values keep the default"
    );
    let warnings = text(&out.stderr).matches("REEL=\"sometimes\"").count();
    assert_eq!(warnings, 1, "one warning: {}", text(&out.stderr));
}

fn recording_id_env_is_shared() {
    let path = temp_file("id.reel");
    let file = path.to_str().expect("utf8");
    let a = child(
        "env",
        &[
            ("REEL_RECORDING_ID", "shared-run"),
            ("REEL_TEST_FILE", file),
        ],
    );
    let b = child(
        "env",
        &[
            ("REEL_RECORDING_ID", "shared-run"),
            ("REEL_TEST_FILE", file),
        ],
    );
    for out in [&a, &b] {
        assert!(
            text(&out.stdout).starts_with("enabled=true id=shared-run explicit=explicit"),
            "{}",
            text(&out.stdout)
        );
    }
    let c = child("env", &[("REEL_TEST_FILE", file)]);
    let id = text(&c.stdout);
    assert!(
        !id.contains("shared-run"),
        "without the variable the id is random: {id}"
    );
}

fn stdout_sink_writes_a_stream() {
    let out = child("stdout", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (values, complete) = read_rows(&out.stdout);
    assert_eq!(values, (0..10).map(f64::from).collect::<Vec<_>>());
    assert!(complete);
}

fn forked_child_neither_hangs_nor_flushes() {
    let path = temp_file("fork.reel");
    let out = child("fork", &[("REEL_TEST_FILE", path.to_str().expect("utf8"))]);
    assert!(
        out.status.success(),
        "{} {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("forked child status 0"),
        "{}",
        text(&out.stdout)
    );
    let (values, complete) = read_rows(&std::fs::read(&path).expect("file"));
    assert_eq!(
        values,
        (0..150).map(f64::from).collect::<Vec<_>>(),
        "every row exactly once"
    );
    assert!(complete);
}

fn exit_wait_is_bounded_and_reported() {
    let started = Instant::now();
    let out = child("slow_exit", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "exit did not wait for the stuck sink"
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("could not deliver everything within 300ms at exit"),
        "{err}"
    );
}
