//! The fixed-size parts of the format: the stream header and the frame header.
//! docs/FORMAT.md is the specification; this module is its code.

/// The first four bytes of every stream.
pub const MAGIC: [u8; 4] = *b"REEL";

/// The format version this crate writes, and the newest it reads.
pub const FORMAT_VERSION: u16 = 2;

/// The oldest format version this crate reads.
pub const OLDEST_READABLE_VERSION: u16 = 1;

/// Size of the stream header in bytes.
pub const STREAM_HEADER_LEN: usize = 16;

/// Size of a frame header in bytes.
pub const FRAME_HEADER_LEN: usize = 24;

/// Frame flag: the payload is LZ4-block-compressed.
pub const FLAG_LZ4: u8 = 0b0000_0001;

/// Frame flag (version 2 on): the payload is one Zstandard frame.
pub const FLAG_ZSTD: u8 = 0b0000_0010;

/// Every flag bit this version defines.
pub const KNOWN_FLAGS: u8 = FLAG_LZ4 | FLAG_ZSTD;

/// The flag bits a stream of `version` may use.
pub fn known_flags(version: u16) -> u8 {
    if version >= 2 {
        FLAG_LZ4 | FLAG_ZSTD
    } else {
        FLAG_LZ4
    }
}

/// How payloads are compressed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Payloads are stored as they are.
    Off,
    /// Payloads are LZ4-block-compressed (kept raw where that is not smaller).
    Lz4,
    /// Payloads are Zstandard-compressed (kept raw where that is not smaller): about
    /// 40% smaller than LZ4 on small chunks of many entities. Version 2 on; a writer
    /// without the encoder (the browser build) writes LZ4 instead.
    #[default]
    Zstd,
}

impl Compression {
    fn to_byte(self) -> u8 {
        match self {
            Self::Off => 0,
            Self::Lz4 => 1,
            Self::Zstd => 2,
        }
    }

    /// The compression named by a header byte; unknown values are `None`.
    pub(crate) fn from_byte(b: u8) -> Option<Self> {
        match b {
            0 => Some(Self::Off),
            1 => Some(Self::Lz4),
            2 => Some(Self::Zstd),
            _ => None,
        }
    }
}

/// The stream header: magic, version and the writer's compression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamHeader {
    /// The format version the stream was written with.
    pub version: u16,
    /// The compression the writer used by default (each frame says what it used itself).
    pub compression: Compression,
}

impl StreamHeader {
    /// The header bytes.
    pub fn to_bytes(&self) -> [u8; STREAM_HEADER_LEN] {
        let mut b = [0u8; STREAM_HEADER_LEN];
        b[0..4].copy_from_slice(&MAGIC);
        b[4..6].copy_from_slice(&self.version.to_le_bytes());
        b[6] = self.compression.to_byte();
        b
    }
}

/// What a frame carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// The end of a stream; no payload.
    End,
    /// `SetStoreInfo`, as JSON.
    SetStoreInfo,
    /// A chunk, as an Arrow IPC stream.
    ArrowMsg,
    /// `BlueprintActivation`, as JSON.
    BlueprintActivation,
}

impl MessageKind {
    /// The kind byte.
    pub fn to_byte(self) -> u8 {
        match self {
            Self::End => 0,
            Self::SetStoreInfo => 1,
            Self::ArrowMsg => 2,
            Self::BlueprintActivation => 3,
        }
    }

    /// The kind of a kind byte; unknown values are `None`.
    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            0 => Some(Self::End),
            1 => Some(Self::SetStoreInfo),
            2 => Some(Self::ArrowMsg),
            3 => Some(Self::BlueprintActivation),
            _ => None,
        }
    }
}

/// The header in front of every payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    /// The raw kind byte (checked against [`MessageKind`] by the decoder).
    pub kind: u8,
    /// Flag bits, see [`FLAG_LZ4`].
    pub flags: u8,
    /// CRC-32 (IEEE) of header bytes 0..4 and 8..24, then the stored payload.
    pub checksum: u32,
    /// Payload bytes as stored.
    pub stored_len: u64,
    /// Payload bytes after decompression (equal to `stored_len` when not compressed).
    pub raw_len: u64,
}

impl FrameHeader {
    /// A header for `payload` as stored, computing the checksum.
    pub fn new(kind: MessageKind, flags: u8, raw_len: u64, payload: &[u8]) -> Self {
        let mut h = Self {
            kind: kind.to_byte(),
            flags,
            checksum: 0,
            stored_len: payload.len() as u64,
            raw_len,
        };
        h.checksum = h.compute_checksum(payload);
        h
    }

    /// The checksum these header fields and `payload` should carry.
    pub fn compute_checksum(&self, payload: &[u8]) -> u32 {
        let b = self.to_bytes();
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&b[0..4]);
        hasher.update(&b[8..FRAME_HEADER_LEN]);
        hasher.update(payload);
        hasher.finalize()
    }

    /// The header bytes.
    pub fn to_bytes(&self) -> [u8; FRAME_HEADER_LEN] {
        let mut b = [0u8; FRAME_HEADER_LEN];
        b[0] = self.kind;
        b[1] = self.flags;
        b[4..8].copy_from_slice(&self.checksum.to_le_bytes());
        b[8..16].copy_from_slice(&self.stored_len.to_le_bytes());
        b[16..24].copy_from_slice(&self.raw_len.to_le_bytes());
        b
    }

    /// Reads the fields back; checks nothing.
    pub fn from_bytes(b: &[u8; FRAME_HEADER_LEN]) -> Self {
        let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let u64_at = |i: usize| u64::from(u32_at(i)) | (u64::from(u32_at(i + 4)) << 32);
        Self {
            kind: b[0],
            flags: b[1],
            checksum: u32_at(4),
            stored_len: u64_at(8),
            raw_len: u64_at(16),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_header_round_trips() {
        let h = FrameHeader::new(MessageKind::ArrowMsg, FLAG_LZ4, 1 << 40, b"payload");
        assert_eq!(FrameHeader::from_bytes(&h.to_bytes()), h);
        assert_eq!(h.compute_checksum(b"payload"), h.checksum);
        assert_ne!(h.compute_checksum(b"payloaD"), h.checksum);
    }

    #[test]
    fn kinds_round_trip() {
        for k in [
            MessageKind::End,
            MessageKind::SetStoreInfo,
            MessageKind::ArrowMsg,
            MessageKind::BlueprintActivation,
        ] {
            assert_eq!(MessageKind::from_byte(k.to_byte()), Some(k));
        }
        assert_eq!(MessageKind::from_byte(200), None);
    }
}
