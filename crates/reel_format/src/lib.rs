//! The reel byte format: the one encoding of [`reel_core::LogMsg`]s used by files and by
//! network streams alike. docs/FORMAT.md specifies it byte by byte.
//!
//! - [`frame`]: the stream header and frame header, constants and the version.
//! - [`payload`]: a message to payload bytes and back (JSON or Arrow IPC).
//! - `codec`: payload compression, LZ4 and Zstandard (internal).
//! - [`encoder`]: [`Encoder`] writes a stream to any `io::Write`.
//! - [`decoder`]: [`Decoder`] reads one from any `io::Read`, never panicking on bad bytes;
//!   [`StreamDecoder`] decodes bytes pushed as they arrive.
//! - [`file`](mod@file): whether a recording file is still being written (advisory locks).
//! - [`net`]: the handshake and acknowledgements around a stream on a TCP connection.
//!
//! ```
//! use reel_format::{decode_slice, encode_to_vec, EncoderOptions};
//! let bytes = encode_to_vec([], EncoderOptions::default()).unwrap();
//! assert_eq!(decode_slice(&bytes).count(), 0);
//! ```

mod codec;
pub mod decoder;
pub mod encoder;
pub mod file;
pub mod frame;
pub mod net;
pub mod payload;

pub use decoder::{
    decode_slice, DecodeError, DecodedMessage, Decoder, DecoderOptions, FrameGate, RawFrame,
    StreamDecoder, DEFAULT_MAX_MESSAGE_BYTES,
};
pub use encoder::{
    encode_to_vec, EncodeError, EncodedFrame, Encoder, EncoderOptions, FrameEncoder,
};
pub use frame::{Compression, StreamHeader, FORMAT_VERSION};

/// The file extension of reel recordings.
pub const FILE_EXTENSION: &str = "reel";
