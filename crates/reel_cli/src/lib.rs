//! The `reel` command-line tool's logic, kept in a library so it is testable; `main.rs`
//! only parses arguments.
//!
//! - [`cli`]: argument parsing and dispatch of the `reel` command line.
//! - [`summary`]: what a recording holds, for `reel print`.
//! - [`summarize`] and [`verify`]: read a stream once and report ([`VerifyStatus`]).
//! - [`compact`]: rewrite a recording with merged chunks.

pub mod cli;
pub mod summary;

use std::io::Read;

use reel_format::Decoder;

pub use summary::Summary;

/// Reads a whole stream into a [`Summary`], stopping at the first error (which the
/// summary records, after everything decoded before it).
pub fn summarize(reader: impl Read) -> Summary {
    let mut decoder = Decoder::new(reader);
    let mut summary = Summary::default();
    let mut error = None;
    while let Some(item) = decoder.next_message() {
        match item {
            Ok(decoded) => summary.add(&decoded),
            Err(e) => error = Some(e.to_string()),
        }
    }
    let complete = decoder.ended_cleanly();
    summary.finish(decoder.offset(), complete, error);
    summary
}

/// The outcome of [`verify`].
#[derive(Debug)]
pub struct Verification {
    /// Whole messages decoded.
    pub messages: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Offset just past the last whole message.
    pub valid_up_to: u64,
    /// The error that stopped decoding, if any.
    pub error: Option<reel_format::DecodeError>,
}

/// What [`verify`] concluded about a recording file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyStatus {
    /// Every message decodes and the stream ends with its end frame.
    Complete,
    /// A writer still holds the file: every whole message so far decodes and the rest
    /// has not been written yet.
    Open,
    /// Bad bytes, or an unfinished stream that nobody is writing any more.
    Damaged,
}

impl Verification {
    /// The verdict, given whether a writer holds the file (see
    /// [`reel_format::file::is_being_written`]); only a stream that merely stops short
    /// counts as open, bad bytes are damage even while written.
    pub fn status(&self, being_written: bool) -> VerifyStatus {
        match &self.error {
            None => VerifyStatus::Complete,
            Some(reel_format::DecodeError::Truncated { .. }) if being_written => VerifyStatus::Open,
            Some(_) => VerifyStatus::Damaged,
        }
    }
}

/// Decodes everything and checks it.
pub fn verify(reader: impl Read) -> Verification {
    let mut decoder = Decoder::new(reader);
    let mut v = Verification {
        messages: 0,
        bytes: 0,
        valid_up_to: 0,
        error: None,
    };
    while let Some(item) = decoder.next_message() {
        match item {
            Ok(decoded) => {
                v.messages += 1;
                v.valid_up_to = decoded.offset + decoded.frame_bytes;
            }
            Err(e) => v.error = Some(e),
        }
    }
    v.bytes = decoder.offset();
    v
}

/// What [`compact`] did.
#[derive(Debug)]
pub struct CompactReport {
    /// Rows kept (all of them).
    pub rows: u64,
    /// Chunks read.
    pub chunks_before: u64,
    /// Chunks written.
    pub chunks_after: u64,
    /// Whether the input was damaged (its whole messages were still compacted).
    pub damaged: bool,
}

/// Reads a recording into a store, merges its chunks, and writes it to `output`: every
/// recording's info first, then its chunks, static first, then by age.
pub fn compact(input: impl Read, output: &std::path::Path) -> Result<CompactReport, String> {
    let store = reel_store::Store::default();
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let seen = counter.clone();
    store.subscribe(Box::new(move |e| {
        if let reel_store::StoreEvent::Chunk(c) = e {
            if c.reason == reel_store::ChangeReason::Inserted {
                seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }));
    let report = store.load(input);
    if let Some(e) = &report.error {
        eprintln!("warning: {e}; compacting the whole messages before it");
    }
    let chunks_before = counter.load(std::sync::atomic::Ordering::Relaxed);
    store.compact();
    let file = std::fs::File::create(output)
        .map_err(|e| format!("cannot create {}: {e}", output.display()))?;
    let write_err = |e: reel_format::EncodeError| format!("writing {}: {e}", output.display());
    let mut encoder = reel_format::Encoder::new(
        std::io::BufWriter::new(file),
        reel_format::EncoderOptions::default(),
    )
    .map_err(write_err)?;
    let (mut rows, mut chunks_after) = (0u64, 0u64);
    for id in store.recording_ids() {
        let Some(recording) = store.recording(&id) else {
            continue;
        };
        if let Some(info) = recording.info() {
            encoder
                .append(&reel_core::LogMsg::SetStoreInfo(reel_core::SetStoreInfo {
                    row_id: reel_core::RowId::new(),
                    info,
                }))
                .map_err(write_err)?;
        }
        let data = recording.read();
        for chunk in data.chunks_in_order() {
            rows += chunk.num_rows() as u64;
            chunks_after += 1;
            encoder
                .append(&reel_core::LogMsg::ArrowMsg(reel_core::ArrowMsg {
                    store_id: id.clone(),
                    chunk,
                }))
                .map_err(write_err)?;
        }
    }
    // After every store's data, so each activation names a blueprint already complete.
    for activation in store.blueprint_activations() {
        encoder
            .append(&reel_core::LogMsg::BlueprintActivation(activation))
            .map_err(write_err)?;
    }
    encoder.finish().map_err(write_err)?;
    Ok(CompactReport {
        rows,
        chunks_before,
        chunks_after,
        damaged: report.error.is_some(),
    })
}
