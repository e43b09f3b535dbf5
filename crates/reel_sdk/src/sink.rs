//! Sinks: where a recording's messages go. A sink runs on the recording's batcher thread,
//! so it may do I/O without slowing down log calls.
//!
//! - [`BufferedSink`]: holds messages until a real sink is set, which receives them first.
//! - [`crate::MemorySink`]: keeps messages in memory for a [`crate::MemoryRecording`].
//! - [`FileSink`], [`StdoutSink`]: write the reel byte format ([`WriterSink`]).
//! - [`CallbackSink`]: hands messages to a closure.
//! - [`TeeSink`]: sends every message to several sinks.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use reel_core::LogMsg;
use reel_format::{Encoder, EncoderOptions};

use crate::warn::warn;

/// Why a sink could not be created.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// A file could not be created.
    #[error("cannot create recording file {path}: {source}")]
    CreateFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A server address that does not resolve.
    #[error("cannot resolve the server address {0:?} (expected \"host:port\")")]
    Address(String),
    /// A sink's thread could not be started.
    #[error("cannot start the sink's thread: {0}")]
    Thread(std::io::Error),
    /// The stream header could not be written.
    #[error("cannot start the reel stream on {target}: {source}")]
    Encode {
        /// What was written to.
        target: String,
        /// Why.
        source: reel_format::EncodeError,
    },
}

/// What a flush could not deliver: the truth behind [`crate::RecordingError::Undelivered`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Undelivered {
    /// Messages a sink still holds (e.g. unacknowledged by a server); they may still
    /// arrive later.
    pub pending_messages: u64,
    /// Their estimated bytes.
    pub pending_bytes: u64,
    /// Messages a sink failed to write (a file after an I/O error) since the last flush.
    pub failed_messages: u64,
    /// Rows dropped under the memory bound since the last flush.
    pub dropped_rows: u64,
    /// Their estimated bytes.
    pub dropped_bytes: u64,
}

impl Undelivered {
    /// Whether everything was delivered.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// `Ok` when everything was delivered.
    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// Both counts together (for sinks made of several).
    pub fn merge(self, other: Self) -> Self {
        Self {
            pending_messages: self.pending_messages + other.pending_messages,
            pending_bytes: self.pending_bytes + other.pending_bytes,
            failed_messages: self.failed_messages + other.failed_messages,
            dropped_rows: self.dropped_rows + other.dropped_rows,
            dropped_bytes: self.dropped_bytes + other.dropped_bytes,
        }
    }
}

impl std::fmt::Display for Undelivered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if self.pending_messages > 0 {
            parts.push(format!(
                "{} messages ({} bytes) not yet delivered",
                self.pending_messages, self.pending_bytes
            ));
        }
        if self.failed_messages > 0 {
            parts.push(format!("{} messages failed to write", self.failed_messages));
        }
        if self.dropped_rows > 0 {
            parts.push(format!(
                "{} rows ({} bytes) dropped under the memory bound",
                self.dropped_rows, self.dropped_bytes
            ));
        }
        if parts.is_empty() {
            f.write_str("everything delivered")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

impl std::error::Error for Undelivered {}

/// A destination for log messages.
pub trait LogSink: Send + 'static {
    /// Delivers one message.
    fn send(&mut self, msg: LogMsg);

    /// Makes everything delivered so far durable (flushes files and streams), waiting at
    /// most the sink's own bound; says what it could not deliver.
    fn flush_blocking(&mut self) -> Result<(), Undelivered> {
        Ok(())
    }

    /// For sinks that only hold messages until a real sink arrives: hands them over.
    /// The batcher replays them into the next sink.
    fn take_backlog(&mut self) -> Vec<LogMsg> {
        Vec::new()
    }

    /// Whether messages stay here only until the next sink takes them (they then still
    /// count against the recording's memory bound).
    fn is_buffer(&self) -> bool {
        false
    }

    /// Whether the sink stores data rather than showing it live (files, memory): the
    /// batcher then flushes on [`crate::BatcherConfig::storage_flush_tick`].
    fn stores(&self) -> bool {
        false
    }

    /// Finishes the sink's output (e.g. the end frame of a file). Called once, last.
    fn close(&mut self) {}
}

/// Holds messages until a real sink is set; the default sink of a new recording.
#[derive(Default)]
pub struct BufferedSink {
    backlog: Vec<LogMsg>,
}

impl BufferedSink {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl LogSink for BufferedSink {
    fn send(&mut self, msg: LogMsg) {
        self.backlog.push(msg);
    }

    fn take_backlog(&mut self) -> Vec<LogMsg> {
        std::mem::take(&mut self.backlog)
    }

    fn is_buffer(&self) -> bool {
        true
    }
}

/// Writes the reel byte format to any writer. On an I/O error it warns once and drops
/// the rest (the part already written stays readable up to its last whole message).
pub struct WriterSink<W: Write + Send + 'static> {
    encoder: Option<Encoder<W>>,
    target: String,
    failed_messages: u64,
    /// Failures not yet told to a flush's caller.
    unreported_failures: u64,
}

impl<W: Write + Send + 'static> WriterSink<W> {
    /// Starts a stream on `writer`; `target` names it in messages.
    pub fn new(writer: W, target: impl Into<String>) -> Result<Self, SinkError> {
        let target = target.into();
        let encoder = Encoder::new(writer, EncoderOptions::default()).map_err(|source| {
            SinkError::Encode {
                target: target.clone(),
                source,
            }
        })?;
        Ok(Self {
            encoder: Some(encoder),
            target,
            failed_messages: 0,
            unreported_failures: 0,
        })
    }

    fn fail(&mut self, what: impl std::fmt::Display) {
        if self.encoder.take().is_some() {
            warn(format!(
                "writing the recording to {} failed: {what}; later messages are dropped",
                self.target
            ));
        }
    }
}

impl<W: Write + Send + 'static> LogSink for WriterSink<W> {
    fn send(&mut self, msg: LogMsg) {
        let result = match self.encoder.as_mut() {
            Some(encoder) => encoder.append(&msg).map(|_| ()),
            None => {
                self.failed_messages += 1;
                self.unreported_failures += 1;
                return;
            }
        };
        if let Err(e) = result {
            self.failed_messages += 1;
            self.unreported_failures += 1;
            self.fail(e);
        }
    }

    fn flush_blocking(&mut self) -> Result<(), Undelivered> {
        if let Some(Err(e)) = self.encoder.as_mut().map(Encoder::flush) {
            self.fail(e);
        }
        Undelivered {
            failed_messages: std::mem::take(&mut self.unreported_failures),
            ..Undelivered::default()
        }
        .into_result()
    }

    fn stores(&self) -> bool {
        true
    }

    fn close(&mut self) {
        if let Some(encoder) = self.encoder.take() {
            if let Err(e) = encoder.finish() {
                warn(format!(
                    "finishing the recording {} failed: {e}",
                    self.target
                ));
            }
        }
        if self.failed_messages > 0 {
            warn(format!(
                "{} messages could not be written to {}",
                self.failed_messages, self.target
            ));
        }
    }
}

/// Writes a recording to a file.
pub type FileSink = WriterSink<BufWriter<File>>;

impl FileSink {
    /// Creates (or truncates) the file at `path` and writes the stream header.
    pub fn create(path: impl AsRef<Path>) -> Result<Self, SinkError> {
        let path = path.as_ref();
        let file = File::create(path).map_err(|source| SinkError::CreateFile {
            path: path.to_owned(),
            source,
        })?;
        // Readers (`reel verify`) tell a file still being written from an unfinished one.
        reel_format::file::lock_for_writing(&file);
        Self::new(
            BufWriter::with_capacity(1 << 20, file),
            path.display().to_string(),
        )
    }
}

/// Writes a recording to standard output, e.g. to pipe it into `reel print -`.
pub type StdoutSink = WriterSink<BufWriter<std::io::Stdout>>;

impl StdoutSink {
    /// A sink on this process's standard output.
    pub fn stdout() -> Result<Self, SinkError> {
        Self::new(BufWriter::new(std::io::stdout()), "standard output")
    }
}

/// Hands every message to a closure (on the batcher thread).
pub struct CallbackSink {
    callback: Box<dyn FnMut(LogMsg) + Send>,
}

impl CallbackSink {
    /// A sink calling `callback` for each message.
    pub fn new(callback: impl FnMut(LogMsg) + Send + 'static) -> Self {
        Self {
            callback: Box::new(callback),
        }
    }
}

impl LogSink for CallbackSink {
    fn send(&mut self, msg: LogMsg) {
        (self.callback)(msg);
    }
}

/// Sends every message to each of several sinks, in order.
pub struct TeeSink {
    sinks: Vec<Box<dyn LogSink>>,
}

impl TeeSink {
    /// A tee over `sinks`.
    pub fn new(sinks: Vec<Box<dyn LogSink>>) -> Self {
        Self { sinks }
    }
}

impl LogSink for TeeSink {
    fn send(&mut self, msg: LogMsg) {
        // Messages share their chunk through an Arc: cloning is cheap.
        if let Some((last, rest)) = self.sinks.split_last_mut() {
            for sink in rest {
                sink.send(msg.clone());
            }
            last.send(msg);
        }
    }

    fn flush_blocking(&mut self) -> Result<(), Undelivered> {
        self.sinks
            .iter_mut()
            .map(|s| s.flush_blocking().err().unwrap_or_default())
            .fold(Undelivered::default(), Undelivered::merge)
            .into_result()
    }

    /// Only when every branch stores: a live branch keeps its latency.
    fn stores(&self) -> bool {
        !self.sinks.is_empty() && self.sinks.iter().all(|s| s.stores())
    }

    fn close(&mut self) {
        self.sinks.iter_mut().for_each(|s| s.close());
    }
}
