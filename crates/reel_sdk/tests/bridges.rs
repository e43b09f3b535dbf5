//! The log-crate and tracing bridges write TextLog rows with mapped levels and paths.

#![allow(missing_docs)]

use reel_core::{Component, LogMsg};
use reel_sdk::{RecordingStreamBuilder, ReelLogger, ReelTracingLayer};
use reel_types::components::{Text, TextLogLevel};
use tracing_subscriber::layer::SubscriberExt;

/// (entity path, level, text) of every text row.
fn entries(mem: &reel_sdk::MemoryRecording) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for m in mem.messages() {
        let LogMsg::ArrowMsg(a) = m else { continue };
        for row in a.chunk.iter_rows() {
            let get = |name: &str| {
                row.components
                    .iter()
                    .find(|c| c.name().as_str() == name)
                    .and_then(|c| {
                        c.to_component::<Text>().ok().or_else(|| {
                            c.to_component::<TextLogLevel>()
                                .ok()
                                .map(|v| v.into_iter().map(|l| Text(l.0)).collect())
                        })
                    })
                    .map(|v| v[0].0.clone())
                    .unwrap_or_default()
            };
            out.push((
                a.chunk.entity_path().to_string(),
                get(TextLogLevel::NAME),
                get(Text::NAME),
            ));
        }
    }
    out
}

#[test]
fn log_records_become_text_rows() {
    let (rec, mem) = RecordingStreamBuilder::new("log_bridge")
        .memory()
        .expect("memory");
    let plain = ReelLogger::new().with_recording(rec.clone());
    let prefixed = ReelLogger::new()
        .with_recording(rec.clone())
        .with_path_prefix("logs");
    let levels = [
        (log::Level::Error, "ERROR"),
        (log::Level::Warn, "WARN"),
        (log::Level::Info, "INFO"),
        (log::Level::Debug, "DEBUG"),
        (log::Level::Trace, "TRACE"),
    ];
    for (level, _) in levels {
        log::Log::log(
            &plain,
            &log::Record::builder()
                .level(level)
                .target("my_app::camera")
                .args(format_args!("level {level}"))
                .build(),
        );
    }
    log::Log::log(
        &prefixed,
        &log::Record::builder()
            .level(log::Level::Info)
            .target("motor")
            .args(format_args!("spin"))
            .build(),
    );
    log::Log::log(
        &prefixed,
        &log::Record::builder()
            .level(log::Level::Info)
            .target("")
            .args(format_args!("root"))
            .build(),
    );
    // reel's own warnings are never fed back.
    log::Log::log(
        &plain,
        &log::Record::builder()
            .level(log::Level::Warn)
            .target(reel_sdk::LOG_TARGET)
            .args(format_args!("x"))
            .build(),
    );
    let filtered = ReelLogger::new()
        .with_recording(rec.clone())
        .with_filter(log::LevelFilter::Warn);
    log::Log::log(
        &filtered,
        &log::Record::builder()
            .level(log::Level::Info)
            .target("quiet")
            .args(format_args!("x"))
            .build(),
    );

    let got = entries(&mem);
    let mut expected: Vec<(String, String, String)> = levels
        .iter()
        .map(|(l, name)| {
            (
                "my_app/camera".into(),
                name.to_string(),
                format!("level {l}"),
            )
        })
        .collect();
    expected.push(("logs/motor".into(), "INFO".into(), "spin".into()));
    expected.push(("logs/root".into(), "INFO".into(), "root".into()));
    let mut got_sorted = got.clone();
    got_sorted.sort();
    expected.sort();
    assert_eq!(got_sorted, expected);
}

#[test]
fn tracing_events_become_text_rows() {
    let (rec, mem) = RecordingStreamBuilder::new("tracing_bridge")
        .memory()
        .expect("memory");
    let subscriber = tracing_subscriber::registry().with(
        ReelTracingLayer::new()
            .with_recording(rec.clone())
            .with_path_prefix("trace"),
    );
    tracing::subscriber::with_default(subscriber, || {
        tracing::error!(target: "planner::search", nodes = 12, "no path");
        tracing::warn!(target: "planner", "slow");
        tracing::info!(target: "planner", "info");
        tracing::debug!(target: "planner", "debug");
        tracing::trace!(target: "planner", "trace");
    });
    let mut got = entries(&mem);
    got.sort();
    let mut expected = vec![
        (
            "trace/planner/search".to_string(),
            "ERROR".to_string(),
            "no path nodes=12".to_string(),
        ),
        ("trace/planner".into(), "WARN".into(), "slow".into()),
        ("trace/planner".into(), "INFO".into(), "info".into()),
        ("trace/planner".into(), "DEBUG".into(), "debug".into()),
        ("trace/planner".into(), "TRACE".into(), "trace".into()),
    ];
    expected.sort();
    assert_eq!(got, expected);
}
