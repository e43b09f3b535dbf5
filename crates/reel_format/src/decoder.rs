//! [`Decoder`]: reads a reel stream from any `io::Read` as an iterator of messages.
//! [`StreamDecoder`]: the same for bytes pushed as they arrive (a browser's fetch or
//! WebSocket, where nothing may block).
//!
//! Nothing in the input can make the decoder panic or allocate more than its bound: every
//! length is checked against [`DecoderOptions::max_message_bytes`] before use, payloads are
//! read incrementally (a lying length costs only the bytes really present), and checksums
//! are verified before any payload is parsed. The first error ends the stream.

use std::io::{self, Read};

use reel_core::LogMsg;

use crate::frame::{
    known_flags, Compression, FrameHeader, MessageKind, StreamHeader, FLAG_LZ4, FLAG_ZSTD,
    FORMAT_VERSION, FRAME_HEADER_LEN, MAGIC, OLDEST_READABLE_VERSION, STREAM_HEADER_LEN,
};

/// The default bound on one message's size, stored or decompressed: 4 GiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = 4 << 30;

/// The largest factor LZ4 can shrink data by is about 255; a frame claiming more lies.
const MAX_LZ4_RATIO: u64 = 255;

/// How much of a payload is reserved up front; the rest grows as bytes really arrive.
const INITIAL_PAYLOAD_RESERVE: u64 = 16 << 20;

/// Bounds for decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecoderOptions {
    /// The largest message accepted, stored or decompressed, in bytes.
    pub max_message_bytes: u64,
    /// Whether each compressed message keeps its frame as read ([`DecodedMessage::frame`]),
    /// so a writer can store it without compressing it again.
    pub keep_frames: bool,
}

impl Default for DecoderOptions {
    fn default() -> Self {
        Self {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            keep_frames: false,
        }
    }
}

/// A frame as it was read: header and stored (compressed) payload, checksum verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawFrame {
    /// The format version of the stream it came from: its flags mean what that version
    /// says.
    pub version: u16,
    pub(crate) header: [u8; FRAME_HEADER_LEN],
    pub(crate) stored: Vec<u8>,
}

impl RawFrame {
    /// Bytes it takes in a stream.
    pub fn len(&self) -> usize {
        FRAME_HEADER_LEN + self.stored.len()
    }

    /// Whether it is empty (never: a frame has a header).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The payload's length once decompressed.
    pub fn raw_len(&self) -> u64 {
        crate::frame::FrameHeader::from_bytes(&self.header).raw_len
    }

    /// Decodes the message it holds, checking it as a stream's frame is checked (no
    /// size bound: the frame is already in memory).
    pub fn decode(&self) -> Result<LogMsg, DecodeError> {
        let header = StreamHeader {
            version: self.version,
            compression: crate::frame::Compression::Off,
        }
        .to_bytes();
        let stream = header.chain(&self.header[..]).chain(self.stored.as_slice());
        let options = DecoderOptions {
            max_message_bytes: u64::MAX,
            keep_frames: false,
        };
        match Decoder::with_options(stream, options).next_message() {
            Some(decoded) => decoded.map(|d| d.msg),
            // Only an end frame decodes to nothing.
            None => Err(DecodeError::Payload {
                offset: STREAM_HEADER_LEN as u64,
                kind: "end",
                reason: "an end frame holds no message".to_owned(),
            }),
        }
    }
}

/// What is wrong with a stream, and at which byte offset.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Reading failed.
    #[error("at byte {offset}: read failed: {source}")]
    Io {
        /// Where reading failed.
        offset: u64,
        /// The I/O error.
        source: io::Error,
    },
    /// The stream does not start with `REEL`.
    #[error("at byte {offset}: not a reel stream (magic {found:02x?}, expected \"REEL\")")]
    BadMagic {
        /// Where the stream header starts.
        offset: u64,
        /// The four bytes found.
        found: [u8; 4],
    },
    /// A format version this decoder does not read.
    #[error(
        "at byte {offset}: format version {found} is not supported (this reader reads {oldest}..={newest}){}",
        if *found > *newest { "; upgrade reel to read it" } else { "" }
    )]
    UnsupportedVersion {
        /// Where the stream header starts.
        offset: u64,
        /// The stream's version.
        found: u16,
        /// The oldest version read.
        oldest: u16,
        /// The newest version read.
        newest: u16,
    },
    /// An unknown compression byte in the stream header.
    #[error("at byte {offset}: unknown compression {found}")]
    UnknownCompression {
        /// Where the stream header starts.
        offset: u64,
        /// The byte found.
        found: u8,
    },
    /// Reserved header bytes that are not zero (a damaged or newer-format header).
    #[error("at byte {offset}: reserved {what} bytes are not zero")]
    ReservedBytes {
        /// Where the header starts.
        offset: u64,
        /// Which header.
        what: &'static str,
    },
    /// An unknown message kind.
    #[error("at byte {offset}: unknown message kind {kind}")]
    UnknownKind {
        /// Where the frame starts.
        offset: u64,
        /// The kind byte.
        kind: u8,
    },
    /// Flag bits this version does not define.
    #[error("at byte {offset}: unknown frame flags {flags:#010b}")]
    UnknownFlags {
        /// Where the frame starts.
        offset: u64,
        /// The flag byte.
        flags: u8,
    },
    /// A length above the configured bound.
    #[error("at byte {offset}: message of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Where the frame starts.
        offset: u64,
        /// The claimed length.
        len: u64,
        /// The bound.
        max: u64,
    },
    /// Stored and raw lengths that cannot both be true.
    #[error("at byte {offset}: inconsistent lengths (stored {stored_len}, raw {raw_len})")]
    BadLength {
        /// Where the frame starts.
        offset: u64,
        /// Stored length.
        stored_len: u64,
        /// Raw length.
        raw_len: u64,
    },
    /// The checksum does not match: the frame is damaged.
    #[error(
        "at byte {offset}: checksum mismatch (stored {expected:#010x}, computed {actual:#010x})"
    )]
    ChecksumMismatch {
        /// Where the frame starts.
        offset: u64,
        /// The checksum in the frame.
        expected: u32,
        /// The checksum of the bytes read.
        actual: u32,
    },
    /// The input ends inside a header or payload, or without an end frame.
    #[error(
        "at byte {offset}: stream truncated in {what} (needed {needed} more bytes, got {got})"
    )]
    Truncated {
        /// Where the cut part starts.
        offset: u64,
        /// What was being read.
        what: &'static str,
        /// Bytes needed.
        needed: u64,
        /// Bytes present.
        got: u64,
    },
    /// A compressed payload that does not decompress to its stated size.
    #[error("at byte {offset}: LZ4 payload is corrupt: {reason}")]
    Decompress {
        /// Where the frame starts.
        offset: u64,
        /// What went wrong.
        reason: String,
    },
    /// The decoder's [`FrameGate`] refused the frame before its payload was read.
    #[error("at byte {offset}: refused a message of {need} bytes: {reason}")]
    Refused {
        /// Where the frame starts.
        offset: u64,
        /// The bytes the frame would occupy (payload plus its decompressed form).
        need: u64,
        /// Why the gate refused it.
        reason: String,
    },
    /// A payload that does not hold a valid message.
    #[error("at byte {offset}: invalid {kind} payload: {reason}")]
    Payload {
        /// Where the frame starts.
        offset: u64,
        /// The message kind.
        kind: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl DecodeError {
    /// The byte offset the error names.
    pub fn offset(&self) -> u64 {
        match self {
            Self::Io { offset, .. }
            | Self::BadMagic { offset, .. }
            | Self::UnsupportedVersion { offset, .. }
            | Self::UnknownCompression { offset, .. }
            | Self::ReservedBytes { offset, .. }
            | Self::UnknownKind { offset, .. }
            | Self::UnknownFlags { offset, .. }
            | Self::TooLarge { offset, .. }
            | Self::BadLength { offset, .. }
            | Self::ChecksumMismatch { offset, .. }
            | Self::Truncated { offset, .. }
            | Self::Decompress { offset, .. }
            | Self::Refused { offset, .. }
            | Self::Payload { offset, .. } => *offset,
        }
    }
}

/// A decoded message and where it was in the stream.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedMessage {
    /// The message.
    pub msg: LogMsg,
    /// Byte offset of its frame.
    pub offset: u64,
    /// Bytes its frame took (header and stored payload).
    pub frame_bytes: u64,
    /// Its payload's size before compression.
    pub raw_bytes: u64,
    /// The frame as read, when asked for ([`DecoderOptions::keep_frames`]) and compressed.
    pub frame: Option<RawFrame>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Expecting a stream header.
    Header,
    /// Expecting frames.
    Frames,
    /// After an end frame: EOF, or the header of a concatenated stream.
    AfterEnd,
    /// Finished or failed.
    Done,
}

/// Asked, before a frame's payload is read, for the bytes the frame will occupy (its
/// stored payload plus its decompressed form): a server uses it to wait for room in its
/// memory budget, so no payload is allocated beyond it. It may block; an `Err` refuses
/// the frame ([`DecodeError::Refused`]).
pub type FrameGate = Box<dyn FnMut(u64) -> Result<(), String> + Send>;

/// Reads messages from a reel stream (or several concatenated streams).
///
/// Wrap files and sockets in a `BufReader`: the decoder reads headers in small pieces.
pub struct Decoder<R: Read> {
    reader: R,
    options: DecoderOptions,
    gate: Option<FrameGate>,
    state: State,
    offset: u64,
    header: Option<StreamHeader>,
    ended_cleanly: bool,
}

impl<R: Read> Decoder<R> {
    /// A decoder with default bounds.
    pub fn new(reader: R) -> Self {
        Self::with_options(reader, DecoderOptions::default())
    }

    /// A decoder with the given bounds.
    pub fn with_options(reader: R, options: DecoderOptions) -> Self {
        Self {
            reader,
            options,
            gate: None,
            state: State::Header,
            offset: 0,
            header: None,
            ended_cleanly: false,
        }
    }

    /// Asks `gate` before reading each frame's payload; see [`FrameGate`].
    #[must_use]
    pub fn with_gate(mut self, gate: FrameGate) -> Self {
        self.gate = Some(gate);
        self
    }

    /// The header of the current stream, once read.
    pub fn header(&self) -> Option<StreamHeader> {
        self.header
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether the input ended right after an end frame (a complete stream).
    pub fn ended_cleanly(&self) -> bool {
        self.ended_cleanly && self.state == State::Done
    }

    /// The next message with its position; `None` at the end of the input or after an error.
    pub fn next_message(&mut self) -> Option<Result<DecodedMessage, DecodeError>> {
        match self.step() {
            Ok(next) => next.map(Ok),
            Err(e) => {
                self.state = State::Done;
                self.ended_cleanly = false;
                Some(Err(e))
            }
        }
    }

    fn step(&mut self) -> Result<Option<DecodedMessage>, DecodeError> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Header | State::AfterEnd => {
                    if !self.read_stream_header()? {
                        self.state = State::Done;
                        return Ok(None);
                    }
                    self.state = State::Frames;
                    self.ended_cleanly = false;
                }
                State::Frames => {
                    if let Some(msg) = self.read_frame()? {
                        return Ok(Some(msg));
                    }
                    self.state = State::AfterEnd;
                    self.ended_cleanly = true;
                }
            }
        }
    }

    /// Reads a stream header; `false` at a clean EOF after an end frame.
    fn read_stream_header(&mut self) -> Result<bool, DecodeError> {
        let start = self.offset;
        let mut b = [0u8; STREAM_HEADER_LEN];
        let got = self.fill(&mut b)?;
        if got == 0 && self.state == State::AfterEnd {
            return Ok(false);
        }
        if got < STREAM_HEADER_LEN {
            if got >= 4 && b[0..4] != MAGIC {
                return Err(bad_magic(start, &b));
            }
            return Err(DecodeError::Truncated {
                offset: start,
                what: "stream header",
                needed: STREAM_HEADER_LEN as u64,
                got: got as u64,
            });
        }
        if b[0..4] != MAGIC {
            return Err(bad_magic(start, &b));
        }
        let version = u16::from_le_bytes([b[4], b[5]]);
        if !(OLDEST_READABLE_VERSION..=FORMAT_VERSION).contains(&version) {
            return Err(DecodeError::UnsupportedVersion {
                offset: start,
                found: version,
                oldest: OLDEST_READABLE_VERSION,
                newest: FORMAT_VERSION,
            });
        }
        let compression = Compression::from_byte(b[6]).ok_or(DecodeError::UnknownCompression {
            offset: start,
            found: b[6],
        })?;
        if b[7..].iter().any(|&x| x != 0) {
            return Err(DecodeError::ReservedBytes {
                offset: start,
                what: "stream header",
            });
        }
        self.header = Some(StreamHeader {
            version,
            compression,
        });
        Ok(true)
    }

    /// Reads one frame; `None` for an end frame.
    fn read_frame(&mut self) -> Result<Option<DecodedMessage>, DecodeError> {
        let start = self.offset;
        let mut hb = [0u8; FRAME_HEADER_LEN];
        let got = self.fill(&mut hb)?;
        if got < FRAME_HEADER_LEN {
            return Err(DecodeError::Truncated {
                offset: start,
                what: if got == 0 {
                    "stream (no end frame)"
                } else {
                    "frame header"
                },
                needed: FRAME_HEADER_LEN as u64,
                got: got as u64,
            });
        }
        if hb[2..4] != [0, 0] {
            return Err(DecodeError::ReservedBytes {
                offset: start,
                what: "frame header",
            });
        }
        let h = FrameHeader::from_bytes(&hb);
        let kind = MessageKind::from_byte(h.kind).ok_or(DecodeError::UnknownKind {
            offset: start,
            kind: h.kind,
        })?;
        let version = self.header.map_or(FORMAT_VERSION, |h| h.version);
        // One compression at most: both bits set is as wrong as an unknown bit.
        let both = FLAG_LZ4 | FLAG_ZSTD;
        if h.flags & !known_flags(version) != 0 || h.flags & both == both {
            return Err(DecodeError::UnknownFlags {
                offset: start,
                flags: h.flags,
            });
        }
        let max = self.options.max_message_bytes;
        for len in [h.stored_len, h.raw_len] {
            if len > max {
                return Err(DecodeError::TooLarge {
                    offset: start,
                    len,
                    max,
                });
            }
        }
        let compressed = h.flags & (FLAG_LZ4 | FLAG_ZSTD) != 0;
        let lengths_agree = if h.flags & FLAG_LZ4 != 0 {
            h.raw_len <= h.stored_len.saturating_mul(MAX_LZ4_RATIO) + 16
        } else {
            // Zstandard has no such bound (runs compress without limit); the raw length
            // is held to the message size limit above instead.
            compressed || h.raw_len == h.stored_len
        };
        if !lengths_agree || (kind == MessageKind::End && h.stored_len != 0) {
            return Err(DecodeError::BadLength {
                offset: start,
                stored_len: h.stored_len,
                raw_len: h.raw_len,
            });
        }

        if let Some(gate) = self.gate.as_mut().filter(|_| kind != MessageKind::End) {
            let need = if compressed {
                h.stored_len + h.raw_len
            } else {
                h.stored_len
            };
            gate(need).map_err(|reason| DecodeError::Refused {
                offset: start,
                need,
                reason,
            })?;
        }
        let stored = self.read_payload(start, h.stored_len)?;
        let actual = h.compute_checksum(&stored);
        if actual != h.checksum {
            return Err(DecodeError::ChecksumMismatch {
                offset: start,
                expected: h.checksum,
                actual,
            });
        }
        if kind == MessageKind::End {
            return Ok(None);
        }

        let mut frame = None;
        let raw = if compressed {
            let raw = crate::codec::decompress(h.flags, &stored, h.raw_len).map_err(|reason| {
                DecodeError::Decompress {
                    offset: start,
                    reason,
                }
            })?;
            if self.options.keep_frames {
                frame = Some(RawFrame {
                    version,
                    header: hb,
                    stored,
                });
            }
            raw
        } else {
            stored
        };
        let msg = crate::payload::decode(kind, raw).map_err(|reason| DecodeError::Payload {
            offset: start,
            kind: kind_name(kind),
            reason,
        })?;
        Ok(Some(DecodedMessage {
            msg,
            offset: start,
            frame_bytes: self.offset - start,
            raw_bytes: h.raw_len,
            frame,
        }))
    }

    fn read_payload(&mut self, frame_start: u64, len: u64) -> Result<Vec<u8>, DecodeError> {
        let payload_start = self.offset;
        let mut buf = Vec::with_capacity(len.min(INITIAL_PAYLOAD_RESERVE) as usize);
        let got = (&mut self.reader)
            .take(len)
            .read_to_end(&mut buf)
            .map_err(|source| DecodeError::Io {
                offset: payload_start,
                source,
            })?;
        self.offset += got as u64;
        if (got as u64) < len {
            return Err(DecodeError::Truncated {
                offset: frame_start,
                what: "payload",
                needed: len,
                got: got as u64,
            });
        }
        Ok(buf)
    }

    /// Reads until `buf` is full or the input ends; returns the bytes read.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, DecodeError> {
        let mut n = 0;
        while n < buf.len() {
            match self.reader.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(DecodeError::Io {
                        offset: self.offset + n as u64,
                        source,
                    })
                }
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

fn bad_magic(offset: u64, b: &[u8]) -> DecodeError {
    DecodeError::BadMagic {
        offset,
        found: [b[0], b[1], b[2], b[3]],
    }
}

fn kind_name(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::End => "End",
        MessageKind::SetStoreInfo => "SetStoreInfo",
        MessageKind::ArrowMsg => "ArrowMsg",
        MessageKind::BlueprintActivation => "BlueprintActivation",
    }
}

impl<R: Read> Iterator for Decoder<R> {
    type Item = Result<LogMsg, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_message().map(|r| r.map(|d| d.msg))
    }
}

/// Decodes a whole stream held in memory.
pub fn decode_slice(bytes: &[u8]) -> Decoder<&[u8]> {
    Decoder::new(bytes)
}

/// Decodes a reel stream from bytes pushed in pieces of any size, as they arrive.
///
/// Each unit (stream header, frame) is decoded by [`Decoder`] once all of its bytes are
/// buffered, so the two decoders accept and reject exactly the same streams. A frame whose
/// header claims more than [`DecoderOptions::max_message_bytes`] fails at once instead of
/// being buffered. The first error ends the stream; later pushes are ignored.
///
/// ```
/// use reel_format::{encode_to_vec, EncoderOptions, StreamDecoder};
/// let bytes = encode_to_vec([], EncoderOptions::default()).unwrap();
/// let mut decoder = StreamDecoder::default();
/// for piece in bytes.chunks(3) {
///     assert!(decoder.push(piece).is_empty());
/// }
/// assert!(decoder.finish().is_ok());
/// ```
#[derive(Debug, Default)]
pub struct StreamDecoder {
    options: DecoderOptions,
    /// Bytes received and not yet decoded.
    pending: Vec<u8>,
    /// Stream offset of `pending[0]`.
    offset: u64,
    /// `Header` before a stream header, `Frames` inside a stream, `AfterEnd` between
    /// concatenated streams, `Done` after an error.
    state: StreamState,
    /// The current stream's header (its version decides which flags frames may use).
    header: Option<StreamHeader>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum StreamState {
    #[default]
    Header,
    Frames,
    AfterEnd,
    Done,
}

impl StreamDecoder {
    /// A decoder with the given bounds.
    pub fn with_options(options: DecoderOptions) -> Self {
        Self {
            options,
            ..Self::default()
        }
    }

    /// Bytes decoded so far (the offset of the next unit).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Bytes received but not decoded yet (an incomplete unit).
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Whether an error ended the stream.
    pub fn failed(&self) -> bool {
        self.state == StreamState::Done
    }

    /// Adds `bytes` and returns every message they complete, in order, ending with the
    /// error that stopped the stream, if any.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<DecodedMessage, DecodeError>> {
        if self.state == StreamState::Done {
            return Vec::new();
        }
        self.pending.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut used = 0;
        while let Some(len) = self.next_unit_len(&self.pending[used..]) {
            let unit = &self.pending[used..used + len];
            let mut decoder = self.decoder_for(unit);
            let result = match self.state {
                StreamState::Frames => decoder.read_frame(),
                _ => decoder.read_stream_header().map(|_| None),
            };
            self.header = decoder.header;
            used += len;
            self.offset += len as u64;
            match (result, self.state) {
                (Err(e), _) => {
                    out.push(Err(e));
                    self.state = StreamState::Done;
                    break;
                }
                (Ok(Some(msg)), _) => out.push(Ok(msg)),
                (Ok(None), StreamState::Frames) => self.state = StreamState::AfterEnd,
                (Ok(None), _) => self.state = StreamState::Frames,
            }
        }
        self.pending.drain(..used);
        out
    }

    /// Ends the input: `Ok` when it stopped right after a complete stream, otherwise the
    /// reason it is incomplete (an empty input lacks its stream header, as for [`Decoder`]).
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        let state = std::mem::replace(&mut self.state, StreamState::Done);
        let got = self.pending.len() as u64;
        match state {
            StreamState::Done => Ok(()),
            StreamState::AfterEnd if got == 0 => Ok(()),
            StreamState::Header | StreamState::AfterEnd => Err(DecodeError::Truncated {
                offset: self.offset,
                what: "stream header",
                needed: STREAM_HEADER_LEN as u64,
                got,
            }),
            StreamState::Frames => Err(DecodeError::Truncated {
                offset: self.offset,
                what: if got == 0 {
                    "stream (no end frame)"
                } else {
                    "frame"
                },
                needed: FRAME_HEADER_LEN as u64,
                got,
            }),
        }
    }

    /// The length of the next complete unit at the start of `buf`, or `None` while it is
    /// incomplete. A frame header claiming too much is a unit of its own (and fails).
    fn next_unit_len(&self, buf: &[u8]) -> Option<usize> {
        match self.state {
            StreamState::Done => None,
            StreamState::Header | StreamState::AfterEnd => {
                (buf.len() >= STREAM_HEADER_LEN).then_some(STREAM_HEADER_LEN)
            }
            StreamState::Frames => {
                let header: &[u8; FRAME_HEADER_LEN] =
                    buf.get(..FRAME_HEADER_LEN)?.try_into().ok()?;
                let stored = FrameHeader::from_bytes(header).stored_len;
                let Some(len) = usize::try_from(stored)
                    .ok()
                    .and_then(|n| n.checked_add(FRAME_HEADER_LEN))
                else {
                    return Some(FRAME_HEADER_LEN);
                };
                if buf.len() >= len {
                    return Some(len);
                }
                // Incomplete: a header that is wrong on its own fails now rather than
                // waiting for a payload that may never come.
                match self.decoder_for(&buf[..FRAME_HEADER_LEN]).read_frame() {
                    Err(DecodeError::Truncated { .. }) => None,
                    _ => Some(FRAME_HEADER_LEN),
                }
            }
        }
    }

    /// A [`Decoder`] over one unit, in this decoder's state and at its offset.
    fn decoder_for<'a>(&self, unit: &'a [u8]) -> Decoder<&'a [u8]> {
        Decoder {
            reader: unit,
            options: self.options,
            gate: None,
            state: match self.state {
                StreamState::Frames => State::Frames,
                _ => State::Header,
            },
            offset: self.offset,
            header: self.header,
            ended_cleanly: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame held in memory is checked like one read from a stream.
    #[test]
    fn a_held_frame_decodes_only_when_intact() {
        let payload = b"{}";
        let frame = |kind, stored: &[u8]| RawFrame {
            version: FORMAT_VERSION,
            header: FrameHeader::new(kind, 0, stored.len() as u64, stored).to_bytes(),
            stored: stored.to_vec(),
        };
        let mut bad = frame(MessageKind::ArrowMsg, payload);
        bad.stored[0] ^= 1;
        assert!(matches!(
            bad.decode(),
            Err(DecodeError::ChecksumMismatch { .. })
        ));
        assert!(matches!(
            frame(MessageKind::End, &[]).decode(),
            Err(DecodeError::Payload { kind: "end", .. })
        ));
        assert!(matches!(
            frame(MessageKind::ArrowMsg, payload).decode(),
            Err(DecodeError::Payload { .. })
        ));
    }
}
