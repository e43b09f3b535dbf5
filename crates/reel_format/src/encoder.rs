//! [`Encoder`]: writes a reel stream to any `io::Write`.

use std::borrow::Cow;
use std::io::Write;

use reel_core::LogMsg;

use crate::codec::Compressor;
use crate::frame::{Compression, FrameHeader, MessageKind, StreamHeader, FORMAT_VERSION};
use crate::payload::{self, PayloadEncodeError};

/// How to write a stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncoderOptions {
    /// Payload compression (Zstandard by default).
    pub compression: Compression,
}

impl EncoderOptions {
    /// Options with compression off.
    pub fn uncompressed() -> Self {
        Self {
            compression: Compression::Off,
        }
    }
}

/// Why a message could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// The underlying writer failed.
    #[error("writing the reel stream: {0}")]
    Io(#[from] std::io::Error),
    /// The message could not be serialized.
    #[error("encoding a {kind} message: {source}")]
    Payload {
        /// The message's kind.
        kind: &'static str,
        /// What went wrong.
        source: PayloadEncodeError,
    },
    /// The encoder was used after [`Encoder::finish`].
    #[error("the encoder is already finished")]
    Finished,
    /// A frame read from a stream of another format version cannot be copied as is.
    #[error(
        "a frame of format version {0} cannot be copied into a version {FORMAT_VERSION} stream"
    )]
    ForeignFrame(u16),
}

/// Writes a stream header, then one frame per appended message, then an end frame.
///
/// Dropping an unfinished encoder writes the end frame on a best-effort basis; call
/// [`Encoder::finish`] to see errors and to get the writer back.
pub struct Encoder<W: Write> {
    writer: Option<W>,
    frames: FrameEncoder,
    bytes_written: u64,
}

impl<W: Write> Encoder<W> {
    /// Starts a stream on `writer` (the header is written now).
    pub fn new(mut writer: W, options: EncoderOptions) -> Result<Self, EncodeError> {
        let header = StreamHeader {
            version: FORMAT_VERSION,
            compression: options.compression,
        };
        writer.write_all(&header.to_bytes())?;
        Ok(Self {
            writer: Some(writer),
            frames: FrameEncoder::new(options),
            bytes_written: crate::frame::STREAM_HEADER_LEN as u64,
        })
    }

    /// Appends one message; returns the bytes written for it.
    pub fn append(&mut self, msg: &LogMsg) -> Result<u64, EncodeError> {
        let frame = self.frames.encode(msg)?;
        write_frame(
            &mut self.writer,
            &mut self.bytes_written,
            &frame.header,
            &frame.stored,
        )
    }

    /// Appends a frame read from another stream as it is (its checksum was verified when it
    /// was read), without decoding or compressing it again; returns the bytes written. The
    /// frame must come from a stream of this format version.
    pub fn append_frame(&mut self, frame: &crate::RawFrame) -> Result<u64, EncodeError> {
        if frame.version != FORMAT_VERSION {
            return Err(EncodeError::ForeignFrame(frame.version));
        }
        let writer = self.writer.as_mut().ok_or(EncodeError::Finished)?;
        writer.write_all(&frame.header)?;
        writer.write_all(&frame.stored)?;
        let n = frame.len() as u64;
        self.bytes_written += n;
        Ok(n)
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> Result<(), EncodeError> {
        self.writer.as_mut().ok_or(EncodeError::Finished)?.flush()?;
        Ok(())
    }

    /// Bytes written so far, headers included.
    pub fn bytes_written(&self) -> u64 {
        self.bytes_written
    }

    /// Writes the end frame, flushes, and returns the writer.
    pub fn finish(mut self) -> Result<W, EncodeError> {
        let mut writer = self.writer.take().ok_or(EncodeError::Finished)?;
        write_end(&mut writer)?;
        writer.flush()?;
        Ok(writer)
    }
}

/// Writes one frame to the encoder's writer and counts its bytes; returns them. (Fields,
/// not the encoder: the stored bytes may borrow its buffers.)
fn write_frame<W: Write>(
    writer: &mut Option<W>,
    bytes_written: &mut u64,
    header: &FrameHeader,
    stored: &[u8],
) -> Result<u64, EncodeError> {
    let writer = writer.as_mut().ok_or(EncodeError::Finished)?;
    writer.write_all(&header.to_bytes())?;
    writer.write_all(stored)?;
    let n = (crate::frame::FRAME_HEADER_LEN + stored.len()) as u64;
    *bytes_written += n;
    Ok(n)
}

/// Encodes messages into frames of the current format version, reusing its buffers: what
/// an [`Encoder`] does before writing. Also for holding messages compressed in memory
/// ([`EncodedFrame::into_raw_frame`], then [`Encoder::append_frame`] or
/// [`RawFrame::decode`](crate::RawFrame::decode)).
pub struct FrameEncoder {
    compression: Compression,
    payload: Vec<u8>,
    compressor: Compressor,
}

/// A frame just encoded by a [`FrameEncoder`], usually borrowing its buffers.
#[derive(Clone, Debug)]
pub struct EncodedFrame<'a> {
    header: FrameHeader,
    stored: Cow<'a, [u8]>,
}

impl EncodedFrame<'_> {
    /// The payload's length before compression.
    pub fn raw_len(&self) -> u64 {
        self.header.raw_len
    }

    /// The payload's length as stored (compressed, or equal to the raw length).
    pub fn stored_len(&self) -> u64 {
        self.header.stored_len
    }

    /// The frame owned, to keep or to append to a stream later.
    pub fn into_raw_frame(self) -> crate::RawFrame {
        crate::RawFrame {
            version: FORMAT_VERSION,
            header: self.header.to_bytes(),
            stored: self.stored.into_owned(),
        }
    }
}

impl FrameEncoder {
    /// An encoder compressing as `options` say.
    pub fn new(options: EncoderOptions) -> Self {
        Self {
            compression: options.compression,
            payload: Vec::new(),
            compressor: Compressor::default(),
        }
    }

    /// How well `sample` compresses as this encoder would compress it: stored bytes over
    /// raw bytes (1.0 when it does not shrink or compression is off). A cheap look at a
    /// piece of a large payload before compressing all of it.
    pub fn sample_ratio(&mut self, sample: &[u8]) -> f64 {
        if sample.is_empty() {
            return 1.0;
        }
        self.compressor
            .compress(self.compression, sample)
            .map_or(1.0, |(_, stored)| stored.len() as f64 / sample.len() as f64)
    }

    /// Encodes (and compresses) `msg` into a frame.
    pub fn encode(&mut self, msg: &LogMsg) -> Result<EncodedFrame<'_>, EncodeError> {
        let payload_error = |source| EncodeError::Payload {
            kind: msg.kind_name(),
            source,
        };
        #[cfg(not(target_arch = "wasm32"))]
        if self.compression == Compression::Zstd && is_large(msg) {
            let (kind, stored, raw_len) =
                crate::codec::zstd_blocks(|w| payload::encode_into(msg, w))
                    .map_err(payload_error)?;
            let header = FrameHeader::new(kind, crate::frame::FLAG_ZSTD, raw_len, &stored);
            return Ok(EncodedFrame {
                header,
                stored: Cow::Owned(stored),
            });
        }
        let kind = payload::encode(msg, &mut self.payload).map_err(payload_error)?;
        let raw_len = self.payload.len() as u64;
        let (flags, stored) = self
            .compressor
            .compress(self.compression, &self.payload)
            .unwrap_or((0, &self.payload));
        Ok(EncodedFrame {
            header: FrameHeader::new(kind, flags, raw_len, stored),
            stored: Cow::Borrowed(stored),
        })
    }
}

/// Whether `msg` is large enough to be compressed in blocks on several threads.
#[cfg(not(target_arch = "wasm32"))]
fn is_large(msg: &LogMsg) -> bool {
    matches!(msg, LogMsg::ArrowMsg(m) if m.chunk.heap_size_bytes() >= crate::codec::BLOCKS_MIN_BYTES)
}

fn write_end<W: Write>(writer: &mut W) -> std::io::Result<()> {
    writer.write_all(&FrameHeader::new(MessageKind::End, 0, 0, &[]).to_bytes())
}

impl<W: Write> Drop for Encoder<W> {
    fn drop(&mut self) {
        if let Some(mut w) = self.writer.take() {
            // Best effort: an unfinished stream still reads whole up to here.
            let _ = write_end(&mut w).and_then(|()| w.flush());
        }
    }
}

/// Encodes `msgs` as one complete stream in memory.
pub fn encode_to_vec<'a>(
    msgs: impl IntoIterator<Item = &'a LogMsg>,
    options: EncoderOptions,
) -> Result<Vec<u8>, EncodeError> {
    let mut encoder = Encoder::new(Vec::new(), options)?;
    for msg in msgs {
        encoder.append(msg)?;
    }
    encoder.finish()
}
