//! The `reel` command-line tool's logic, kept in a library so it is testable; `main.rs`
//! only parses arguments.
//!
//! - [`cli`]: argument parsing and dispatch of the `reel` command line.
//! - [`summary`]: what a recording holds, for `reel print`.
//! - [`summarize`] and [`verify`]: read a stream once and report.

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
