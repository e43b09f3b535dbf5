//! Bridges from Rust's logging ecosystems into a recording (the Rust form of the reference's
//! `LoggingHandler`): [`ReelLogger`] for the `log` crate and [`ReelTracingLayer`] for
//! `tracing`. Each record becomes one `TextLog` row: the level maps to reel's level names,
//! the target's `::`-separated parts become the entity path (under an optional prefix), and
//! the message is the body.

use std::fmt::Write as _;

use reel_core::{EntityPath, EntityPathPart};
use reel_types::archetypes::TextLog;
use reel_types::components::TextLogLevel;
use tracing_subscriber::layer::Context;

use crate::global::get_data_recording;
use crate::recording_stream::RecordingStream;
use crate::warn::LOG_TARGET;

/// Where records go and under which path: shared by both bridges.
#[derive(Clone, Debug, Default)]
struct Route {
    path_prefix: Option<EntityPath>,
    recording: Option<RecordingStream>,
}

impl Route {
    /// `prefix/target/parts`; an empty target is `root`, like Python's root logger.
    fn entity_path(&self, target: &str) -> EntityPath {
        let mut parts: Vec<EntityPathPart> = self
            .path_prefix
            .as_ref()
            .map(|p| p.parts().to_vec())
            .unwrap_or_default();
        let target = if target.is_empty() { "root" } else { target };
        parts.extend(
            target
                .split("::")
                .filter_map(|p| EntityPathPart::new(p).ok()),
        );
        EntityPath::from_parts(parts)
    }

    fn emit(&self, target: &str, level: &str, text: String) {
        // reel's own warnings are not fed back into recordings (that could loop); with
        // this bridge as the process's logger they would vanish, so they go to stderr.
        if target == LOG_TARGET {
            eprintln!("[reel] {}: {text}", level.to_lowercase());
            return;
        }
        if let Some(rec) = get_data_recording(self.recording.as_ref()) {
            let entry = TextLog::new(text).with_level(level);
            // Bad input cannot occur here (the path is built from parts), and a logger must
            // not fail: ignore the result.
            let _ = rec.log(self.entity_path(target), &entry);
        }
    }
}

/// A `log::Log` that records every log record as a `TextLog` row.
///
/// ```
/// reel_sdk::ReelLogger::new().with_path_prefix("logs");
/// // .init() installs it as the process's logger.
/// ```
#[derive(Clone, Debug)]
pub struct ReelLogger {
    route: Route,
    filter: log::LevelFilter,
}

impl Default for ReelLogger {
    fn default() -> Self {
        Self::new()
    }
}

impl ReelLogger {
    /// Logs to the default recording, under no prefix, at every level.
    pub fn new() -> Self {
        Self {
            route: Route::default(),
            filter: log::LevelFilter::Trace,
        }
    }

    /// Puts every entity path under `prefix` (parsed forgivingly).
    pub fn with_path_prefix(mut self, prefix: &str) -> Self {
        self.route.path_prefix = Some(EntityPath::parse_forgiving(prefix));
        self
    }

    /// Logs to `recording` instead of the default recording.
    pub fn with_recording(mut self, recording: RecordingStream) -> Self {
        self.route.recording = Some(recording);
        self
    }

    /// Only records at or above `filter` are recorded.
    pub fn with_filter(mut self, filter: log::LevelFilter) -> Self {
        self.filter = filter;
        self
    }

    /// The entity path a record with `target` goes to.
    pub fn entity_path(&self, target: &str) -> EntityPath {
        self.route.entity_path(target)
    }

    /// Installs this as the process's logger.
    pub fn init(self) -> Result<(), log::SetLoggerError> {
        let filter = self.filter;
        log::set_boxed_logger(Box::new(self))?;
        log::set_max_level(filter);
        Ok(())
    }
}

/// reel's level name for a `log` level.
pub fn log_level_name(level: log::Level) -> &'static str {
    match level {
        log::Level::Error => TextLogLevel::ERROR,
        log::Level::Warn => TextLogLevel::WARN,
        log::Level::Info => TextLogLevel::INFO,
        log::Level::Debug => TextLogLevel::DEBUG,
        log::Level::Trace => TextLogLevel::TRACE,
    }
}

impl log::Log for ReelLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= self.filter
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            self.route.emit(
                record.target(),
                log_level_name(record.level()),
                record.args().to_string(),
            );
        }
    }

    fn flush(&self) {
        if let Some(rec) = get_data_recording(self.route.recording.as_ref()) {
            rec.flush(true);
        }
    }
}

/// A `tracing_subscriber::Layer` that records every event as a `TextLog` row. The body is
/// the event's `message` followed by its other fields as `name=value`.
#[derive(Clone, Debug, Default)]
pub struct ReelTracingLayer {
    route: Route,
}

impl ReelTracingLayer {
    /// Logs to the default recording, under no prefix.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts every entity path under `prefix` (parsed forgivingly).
    pub fn with_path_prefix(mut self, prefix: &str) -> Self {
        self.route.path_prefix = Some(EntityPath::parse_forgiving(prefix));
        self
    }

    /// Logs to `recording` instead of the default recording.
    pub fn with_recording(mut self, recording: RecordingStream) -> Self {
        self.route.recording = Some(recording);
        self
    }
}

/// reel's level name for a `tracing` level.
pub fn tracing_level_name(level: &tracing::Level) -> &'static str {
    match *level {
        tracing::Level::ERROR => TextLogLevel::ERROR,
        tracing::Level::WARN => TextLogLevel::WARN,
        tracing::Level::INFO => TextLogLevel::INFO,
        tracing::Level::DEBUG => TextLogLevel::DEBUG,
        tracing::Level::TRACE => TextLogLevel::TRACE,
    }
}

#[derive(Default)]
struct EventText {
    message: String,
    fields: String,
}

impl tracing::field::Visit for EventText {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ReelTracingLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut text = EventText::default();
        event.record(&mut text);
        text.message.push_str(&text.fields);
        self.route.emit(
            meta.target(),
            tracing_level_name(meta.level()),
            text.message,
        );
    }
}
