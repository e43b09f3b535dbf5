//! Payload compression: LZ4 (block format) and Zstandard (one or more concatenated frames
//! per payload).
//!
//! Zstandard is written natively; the browser build reads it (with a decoder in plain Rust)
//! but writes LZ4 instead, as the C library does not build for wasm32-unknown-unknown.
//! Large payloads are compressed in blocks on every core while they are serialized
//! ([`zstd_blocks`]): faster, and the whole raw payload never exists in memory.

use crate::frame::{Compression, FLAG_LZ4, FLAG_ZSTD};

/// Payloads estimated at least this large go through [`zstd_blocks`].
#[cfg(not(target_arch = "wasm32"))]
pub(crate) const BLOCKS_MIN_BYTES: usize = 16 << 20;

/// The raw bytes of one block of [`zstd_blocks`]: large enough to compress as well as the
/// whole, small enough that the blocks in flight (two per thread) cost little memory.
#[cfg(not(target_arch = "wasm32"))]
const BLOCK_BYTES: usize = 4 << 20;

/// Threads for compressing or decompressing one payload: one per core, up to 8.
#[cfg(not(target_arch = "wasm32"))]
fn worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Zstandard's level: 1 is its fastest standard level and, on the small chunks of many
/// entities, also compresses best (larger levels tune for longer inputs).
#[cfg(not(target_arch = "wasm32"))]
const ZSTD_LEVEL: i32 = 1;

/// Compresses payloads, reusing its buffers and contexts across calls.
#[derive(Default)]
pub(crate) struct Compressor {
    /// The last output is `out[..out_len]`. LZ4 writes into initialized bytes, so for it
    /// `out` only grows (zeroed once, not on every call).
    out: Vec<u8>,
    out_len: usize,
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
        (self.out_len < payload.len()).then_some((flag, &self.out[..self.out_len]))
    }

    fn lz4(&mut self, payload: &[u8]) -> Option<()> {
        let bound = lz4_flex::block::get_maximum_output_size(payload.len());
        if self.out.len() < bound {
            self.out.resize(bound, 0);
        }
        self.out_len = lz4_flex::block::compress_into(payload, &mut self.out).ok()?;
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
        self.out_len = self.out.len();
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

// Both decoders read every concatenated frame, and the capacity bounds the output: a
// payload that would grow past the frame's declared length is an error, not an allocation.

#[cfg(not(target_arch = "wasm32"))]
fn zstd_decompress(stored: &[u8], raw_len: u64) -> Result<Vec<u8>, String> {
    if let Some(frames) = parallel_frames(stored, raw_len) {
        return zstd_decompress_parallel(stored, raw_len, &frames);
    }
    // A decompression context is some hundred KiB to set up: each thread keeps one, as a
    // recording of many small chunks is read frame after frame.
    thread_local! {
        static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
            const { std::cell::RefCell::new(None) };
    }
    let mut out = Vec::with_capacity(raw_len as usize);
    DECOMPRESSOR
        .with_borrow_mut(|kept| {
            let d = match kept {
                Some(d) => d,
                None => kept.insert(zstd::bulk::Decompressor::new()?),
            };
            d.decompress_to_buffer(stored, &mut out)
        })
        .map_err(|e| format!("zstd: {e}"))?;
    Ok(out)
}

/// The frames of a large payload of several frames that all declare their sizes, summing
/// to `raw_len`, as (start, compressed length, content length); `None` where decompressing
/// in one piece is the way (small, one frame, or sizes not declared).
#[cfg(not(target_arch = "wasm32"))]
fn parallel_frames(stored: &[u8], raw_len: u64) -> Option<Vec<(usize, usize, usize)>> {
    if (raw_len as usize) < BLOCKS_MIN_BYTES {
        return None;
    }
    let mut frames = Vec::new();
    let (mut at, mut total) = (0usize, 0u64);
    while at < stored.len() {
        let rest = &stored[at..];
        let len = zstd::zstd_safe::find_frame_compressed_size(rest).ok()?;
        let content = zstd::zstd_safe::get_frame_content_size(rest.get(..len)?).ok()??;
        total = total.checked_add(content)?;
        frames.push((at, len, usize::try_from(content).ok()?));
        at += len.max(1);
    }
    (frames.len() > 1 && total == raw_len).then_some(frames)
}

/// Decompresses each frame into its own part of the output, on one thread per core.
#[cfg(not(target_arch = "wasm32"))]
fn zstd_decompress_parallel(
    stored: &[u8],
    raw_len: u64,
    frames: &[(usize, usize, usize)],
) -> Result<Vec<u8>, String> {
    let mut out = vec![0u8; raw_len as usize];
    // Each frame's output slice, in order.
    let mut jobs = Vec::with_capacity(frames.len());
    let mut rest = out.as_mut_slice();
    for &(at, len, content) in frames {
        let (part, tail) = rest.split_at_mut(content);
        jobs.push((&stored[at..at + len], part));
        rest = tail;
    }
    let threads = worker_threads();
    let per_thread = jobs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = jobs
            .chunks_mut(per_thread.max(1))
            .map(|share| {
                scope.spawn(move || -> Result<(), String> {
                    let mut d = zstd::bulk::Decompressor::new().map_err(|e| e.to_string())?;
                    for (frame, part) in share.iter_mut() {
                        let n = d
                            .decompress_to_buffer(frame, &mut **part)
                            .map_err(|e| format!("zstd: {e}"))?;
                        if n != part.len() {
                            return Err(format!(
                                "a zstd frame decompressed to {n} bytes, it declares {}",
                                part.len()
                            ));
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| {
            w.join()
                .map_err(|_| "a zstd worker panicked".to_owned())
                .and_then(|r| r)
        })
    })?;
    Ok(out)
}

#[cfg(target_arch = "wasm32")]
fn zstd_decompress(stored: &[u8], raw_len: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(raw_len as usize);
    ruzstd::decoding::FrameDecoder::new()
        .decode_all_to_vec(stored, &mut out)
        .map_err(|e| format!("zstd: {e}"))?;
    Ok(out)
}

/// Runs `serialize` with a writer that compresses what it is given in blocks, one
/// Zstandard frame each, on one thread per core; returns what `serialize` returned, the
/// concatenated frames and the raw length. Frames compressed apart concatenate to a valid
/// payload, so readers need nothing new.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn zstd_blocks<T, E: From<std::io::Error>>(
    serialize: impl FnOnce(&mut dyn std::io::Write) -> Result<T, E>,
) -> Result<(T, Vec<u8>, u64), E> {
    zstd_blocks_of(BLOCK_BYTES, serialize)
}

#[cfg(not(target_arch = "wasm32"))]
fn zstd_blocks_of<T, E: From<std::io::Error>>(
    block_bytes: usize,
    serialize: impl FnOnce(&mut dyn std::io::Write) -> Result<T, E>,
) -> Result<(T, Vec<u8>, u64), E> {
    use std::sync::mpsc;
    use std::sync::Mutex;

    let threads = worker_threads();
    // Bounded: the serializer waits rather than buffering the payload.
    let (block_tx, block_rx) = mpsc::sync_channel::<(usize, Vec<u8>)>(threads);
    let block_rx = Mutex::new(block_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, std::io::Result<Vec<u8>>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (block_rx, done_tx) = (&block_rx, done_tx.clone());
            scope.spawn(move || {
                let mut compressor = zstd::bulk::Compressor::new(ZSTD_LEVEL);
                loop {
                    let next = match block_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok((i, block)) = next else { break };
                    let out = match compressor.as_mut() {
                        Ok(c) => c.compress(&block),
                        Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
                    };
                    if done_tx.send((i, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut writer = BlockWriter {
            block: Vec::with_capacity(block_bytes),
            block_bytes,
            tx: Some(block_tx),
            next: 0,
            raw_len: 0,
        };
        let serialized = serialize(&mut writer);
        let sent = writer.finish();
        let raw_len = writer.raw_len;
        let mut blocks: Vec<Option<Vec<u8>>> = Vec::new();
        for (i, out) in done_rx {
            if blocks.len() <= i {
                blocks.resize(i + 1, None);
            }
            blocks[i] = Some(out?);
        }
        let value = serialized?;
        sent?;
        let mut stored = Vec::with_capacity(blocks.iter().flatten().map(Vec::len).sum());
        for block in blocks {
            let block = block.ok_or_else(|| std::io::Error::other("a block was not compressed"))?;
            stored.extend_from_slice(&block);
        }
        Ok((value, stored, raw_len))
    })
}

/// Gathers written bytes into blocks and hands each full one to the compressing threads.
#[cfg(not(target_arch = "wasm32"))]
struct BlockWriter {
    block: Vec<u8>,
    block_bytes: usize,
    tx: Option<std::sync::mpsc::SyncSender<(usize, Vec<u8>)>>,
    next: usize,
    raw_len: u64,
}

#[cfg(not(target_arch = "wasm32"))]
impl BlockWriter {
    fn send(&mut self) -> std::io::Result<()> {
        let block = std::mem::replace(&mut self.block, Vec::with_capacity(self.block_bytes));
        let tx = self
            .tx
            .as_ref()
            .ok_or_else(|| std::io::Error::other("finished"))?;
        tx.send((self.next, block))
            .map_err(|_| std::io::Error::other("the compressing threads stopped"))?;
        self.next += 1;
        Ok(())
    }

    /// Sends the last block and lets the threads end.
    fn finish(&mut self) -> std::io::Result<()> {
        let result = if self.block.is_empty() {
            Ok(())
        } else {
            self.send()
        };
        self.tx = None;
        result
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl std::io::Write for BlockWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while !rest.is_empty() {
            let n = (self.block_bytes - self.block.len()).min(rest.len());
            self.block.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if self.block.len() == self.block_bytes {
                self.send()?;
            }
        }
        self.raw_len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn blocks_compressed_apart_read_back_as_one_payload() {
        // Compressible and not: a pattern, then pseudo-random bytes.
        let mut raw: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        raw.extend((0..300_000).map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        }));
        let ((), stored, raw_len) = zstd_blocks_of(64 * 1024, |w| {
            // Writes of every size, across block boundaries.
            for piece in raw.chunks(50_000) {
                w.write_all(piece)?;
            }
            Ok::<(), std::io::Error>(())
        })
        .expect("compress");
        assert_eq!(raw_len, raw.len() as u64);
        assert_eq!(
            decompress(FLAG_ZSTD, &stored, raw_len).expect("decompress"),
            raw
        );
        // A payload longer than declared is refused.
        assert!(decompress(FLAG_ZSTD, &stored, raw_len - 1).is_err());
    }

    #[test]
    fn large_payloads_of_several_frames_decompress_in_parallel() {
        let raw: Vec<u8> = (0..(BLOCKS_MIN_BYTES + 3 * 1024 * 1024) as u32)
            .map(|i| (i / 7 % 251) as u8)
            .collect();
        let ((), stored, raw_len) =
            zstd_blocks_of(1 << 20, |w| w.write_all(&raw)).expect("compress");
        let frames = parallel_frames(&stored, raw_len).expect("frames with sizes");
        assert!(frames.len() > 2);
        assert_eq!(
            decompress(FLAG_ZSTD, &stored, raw_len).expect("decompress"),
            raw
        );
        // A damaged frame fails the payload; it does not panic.
        let mut damaged = stored.clone();
        let (at, len, _) = frames[1];
        damaged[at + len / 2] ^= 0xff;
        let _ = decompress(FLAG_ZSTD, &damaged, raw_len);
        // Declared sizes that do not add up fall back to one piece, which then fails.
        assert!(decompress(FLAG_ZSTD, &stored, raw_len + 1).is_err());
    }

    #[test]
    fn the_kept_decompressor_reads_on_after_a_damaged_frame() {
        let mut compressor = Compressor::default();
        let payloads: Vec<Vec<u8>> = (0..3u8).map(|k| vec![k; 10_000 + usize::from(k)]).collect();
        let stored: Vec<Vec<u8>> = payloads
            .iter()
            .map(|p| {
                let (flag, bytes) = compressor
                    .compress(Compression::Zstd, p)
                    .expect("compresses");
                assert_eq!(flag, FLAG_ZSTD);
                bytes.to_vec()
            })
            .collect();
        let mut damaged = stored[1].clone();
        let mid = damaged.len() / 2;
        damaged[mid] ^= 0xff;
        let len = |k: usize| payloads[k].len() as u64;
        assert_eq!(
            decompress(FLAG_ZSTD, &stored[0], len(0)).expect("first"),
            payloads[0]
        );
        // A flipped byte may or may not decode to other bytes; either way the context lives on.
        let _ = decompress(FLAG_ZSTD, &damaged, len(1));
        assert!(
            decompress(FLAG_ZSTD, &stored[1][..mid], len(1)).is_err(),
            "truncated"
        );
        assert_eq!(
            decompress(FLAG_ZSTD, &stored[2], len(2)).expect("after"),
            payloads[2]
        );
        assert_eq!(
            decompress(FLAG_ZSTD, &stored[1], len(1)).expect("again"),
            payloads[1]
        );
    }

    #[test]
    fn a_failing_serializer_fails_the_payload() {
        let result = zstd_blocks_of(1024, |w| {
            w.write_all(&[1; 5000])?;
            Err::<(), std::io::Error>(std::io::Error::other("no more"))
        });
        assert!(result.is_err());
    }
}
