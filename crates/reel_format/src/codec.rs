//! Payload compression: LZ4 (block format) and Zstandard (one frame per payload).
//!
//! Zstandard is written natively; the browser build reads it (with a decoder in plain Rust)
//! but writes LZ4 instead, as the C library does not build for wasm32-unknown-unknown.

use crate::frame::{Compression, FLAG_LZ4, FLAG_ZSTD};

/// Zstandard's level: 1 is its fastest standard level and, on the small chunks of many
/// entities, also compresses best (larger levels tune for longer inputs).
#[cfg(not(target_arch = "wasm32"))]
const ZSTD_LEVEL: i32 = 1;

/// Compresses payloads, reusing its buffers and contexts across calls.
#[derive(Default)]
pub(crate) struct Compressor {
    out: Vec<u8>,
    #[cfg(not(target_arch = "wasm32"))]
    zstd: Option<zstd::bulk::Compressor<'static>>,
}

impl Compressor {
    /// Compresses `payload` as `compression` asks; returns the frame flag and the stored
    /// bytes, or `None` when compression is off or does not shrink the payload.
    pub fn compress(&mut self, compression: Compression, payload: &[u8]) -> Option<(u8, &[u8])> {
        let flag = match compression {
            Compression::Off => return None,
            Compression::Zstd if cfg!(not(target_arch = "wasm32")) => {
                self.zstd(payload)?;
                FLAG_ZSTD
            }
            Compression::Lz4 | Compression::Zstd => {
                self.lz4(payload)?;
                FLAG_LZ4
            }
        };
        (self.out.len() < payload.len()).then_some((flag, self.out.as_slice()))
    }

    fn lz4(&mut self, payload: &[u8]) -> Option<()> {
        self.out
            .resize(lz4_flex::block::get_maximum_output_size(payload.len()), 0);
        let n = lz4_flex::block::compress_into(payload, &mut self.out).ok()?;
        self.out.truncate(n);
        Some(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn zstd(&mut self, payload: &[u8]) -> Option<()> {
        if self.zstd.is_none() {
            self.zstd = Some(zstd::bulk::Compressor::new(ZSTD_LEVEL).ok()?);
        }
        let compressor = self.zstd.as_mut()?;
        self.out.clear();
        self.out
            .reserve(zstd::zstd_safe::compress_bound(payload.len()));
        compressor.compress_to_buffer(payload, &mut self.out).ok()?;
        Some(())
    }

    #[cfg(target_arch = "wasm32")]
    fn zstd(&mut self, _payload: &[u8]) -> Option<()> {
        None
    }
}

/// Restores a payload stored with `flags` (exactly one compression flag set) to its
/// `raw_len` bytes. Bad input is an error, never a panic.
pub(crate) fn decompress(flags: u8, stored: &[u8], raw_len: u64) -> Result<Vec<u8>, String> {
    let out = if flags & FLAG_ZSTD != 0 {
        zstd_decompress(stored, raw_len)?
    } else if flags & FLAG_LZ4 != 0 {
        let mut out = vec![0u8; raw_len as usize];
        let n = lz4_flex::block::decompress_into(stored, &mut out).map_err(|e| e.to_string())?;
        out.truncate(n);
        out
    } else {
        return Err("no compression flag".to_owned());
    };
    if out.len() as u64 != raw_len {
        return Err(format!(
            "decompressed to {} bytes, frame says {raw_len}",
            out.len()
        ));
    }
    Ok(out)
}

#[cfg(not(target_arch = "wasm32"))]
fn zstd_decompress(stored: &[u8], raw_len: u64) -> Result<Vec<u8>, String> {
    // The capacity bounds the output: a payload that would grow past the frame's
    // declared length is an error, not an allocation.
    zstd::bulk::decompress(stored, raw_len as usize).map_err(|e| format!("zstd: {e}"))
}

#[cfg(target_arch = "wasm32")]
fn zstd_decompress(stored: &[u8], raw_len: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let decoder =
        ruzstd::decoding::StreamingDecoder::new(stored).map_err(|e| format!("zstd: {e}"))?;
    let mut out = Vec::with_capacity(raw_len as usize);
    // One byte more than declared shows a payload that is too long.
    decoder
        .take(raw_len + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("zstd: {e}"))?;
    Ok(out)
}
