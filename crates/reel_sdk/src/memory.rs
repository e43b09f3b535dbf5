//! [`MemoryRecording`]: a recording kept in memory, and [`MemorySink`], its sink.
//!
//! A memory recording is mostly read as a stream (a notebook's viewer, `drain_as_bytes`),
//! so the sink keeps each large chunk as its compressed frame when that halves it at least:
//! compressed once, on the batcher thread, and the logged buffers are freed at once (a
//! long image sequence costs its compressed size, and the program's allocator reuses the
//! frames' memory). Small chunks, and chunks that do not compress, are kept as they are.
//! Frames are LZ4: the cheapest to make on the batcher thread and to read in a browser
//! (which has no native Zstandard); a stream's frames each name their own compression.

use std::sync::Arc;

use arrow_data::ArrayData;
use parking_lot::Mutex;
use reel_core::arrow_array::Array;
use reel_core::arrow_buffer::Buffer;
use reel_core::{
    ApplicationId, BlueprintActivation, Chunk, LogMsg, RecordingId, RowId, SetStoreInfo, StoreId,
    StoreInfo, StoreKind,
};
use reel_format::{Compression, EncodeError, Encoder, EncoderOptions, FrameEncoder, RawFrame};

use crate::recording_stream::WeakRecordingStream;
use crate::sink::LogSink;
use crate::warn::warn;

/// Chunks of this size in memory, bounds included, are considered for keeping compressed.
/// Larger ones stay as sent: a one-call batch of gigabytes is not copied, and the sink's
/// reused buffers stay this small.
const PACK_BYTES: std::ops::RangeInclusive<u64> = (1 << 20)..=(64 << 20);

/// A chunk is kept compressed only if that at least halves it.
const MAX_RATIO: f64 = 0.5;

/// The bytes of a large chunk compressed first, to estimate the whole.
const SAMPLE_BYTES: usize = 64 << 10;

/// One message held: as sent, or as its frame in the reel format.
#[derive(Clone)]
enum Held {
    Msg(LogMsg),
    /// A chunk's message, compressed; `kind` is its store's.
    Frame {
        kind: StoreKind,
        frame: RawFrame,
    },
}

impl Held {
    fn store_kind(&self) -> StoreKind {
        match self {
            Held::Msg(msg) => msg.store_id().kind,
            Held::Frame { kind, .. } => *kind,
        }
    }

    /// The message; a frame that does not decode (never, short of a bug) is reported and
    /// left out.
    fn into_msg(self) -> Option<LogMsg> {
        match self {
            Held::Msg(msg) => Some(msg),
            Held::Frame { frame, .. } => frame
                .decode()
                .map_err(|e| warn(format!("a memory recording's chunk does not decode: {e}")))
                .ok(),
        }
    }
}

#[derive(Default)]
struct Storage {
    held: Mutex<Vec<Held>>,
}

/// The sink that fills a [`MemoryRecording`].
pub struct MemorySink {
    storage: Arc<Storage>,
    frames: FrameEncoder,
}

impl MemorySink {
    /// `msg` as it should be held: large chunks compressed when that pays.
    fn hold(&mut self, msg: LogMsg) -> Held {
        let LogMsg::ArrowMsg(arrow) = &msg else {
            return Held::Msg(msg);
        };
        if !PACK_BYTES.contains(&(arrow.chunk.heap_size_bytes() as u64)) {
            return Held::Msg(msg);
        }
        // Most of a large chunk is one buffer (pixels, positions): a piece of it tells
        // whether compressing the whole is worth its time.
        let sample = largest_buffer(&arrow.chunk).map(|buffer| {
            let start = (buffer.len() / 2).saturating_sub(SAMPLE_BYTES / 2);
            buffer.slice_with_length(start, buffer.len().min(SAMPLE_BYTES))
        });
        if sample.is_some_and(|s| self.frames.sample_ratio(&s) > MAX_RATIO) {
            return Held::Msg(msg);
        }
        match self.frames.encode(&msg) {
            Ok(frame) if frame.stored_len() as f64 <= frame.raw_len() as f64 * MAX_RATIO => {
                Held::Frame {
                    kind: arrow.store_id.kind,
                    frame: frame.into_raw_frame(),
                }
            }
            // Kept as it is, still readable; encoding it for a stream will say why.
            _ => Held::Msg(msg),
        }
    }
}

/// The largest Arrow buffer among `chunk`'s components.
fn largest_buffer(chunk: &Chunk) -> Option<Buffer> {
    fn visit(data: &ArrayData, largest: &mut Option<Buffer>) {
        for buffer in data.buffers() {
            if largest.as_ref().is_none_or(|l| buffer.len() > l.len()) {
                *largest = Some(buffer.clone());
            }
        }
        for child in data.child_data() {
            visit(child, largest);
        }
    }
    let mut largest = None;
    for list in chunk.components().values() {
        visit(&list.to_data(), &mut largest);
    }
    largest
}

impl LogSink for MemorySink {
    fn send(&mut self, msg: LogMsg) {
        let held = self.hold(msg);
        self.storage.held.lock().push(held);
    }

    fn stores(&self) -> bool {
        true
    }
}

/// Messages of a recording kept in memory, readable while logging goes on.
///
/// Every reading method first flushes the recording's batcher (blocking), so counts and
/// contents include every row logged before the call.
#[derive(Clone)]
pub struct MemoryRecording {
    storage: Arc<Storage>,
    recording: WeakRecordingStream,
}

impl MemoryRecording {
    /// A new, empty memory recording for `recording` and the sink that fills it.
    pub(crate) fn new(recording: WeakRecordingStream) -> (Self, MemorySink) {
        let storage = Arc::new(Storage::default());
        let sink = MemorySink {
            storage: storage.clone(),
            frames: FrameEncoder::new(EncoderOptions {
                compression: Compression::Lz4,
            }),
        };
        (Self { storage, recording }, sink)
    }

    fn flush(&self) {
        if let Some(rec) = self.recording.upgrade() {
            // A timeout here means the sink is stuck; count what has arrived.
            let _ = rec.flush_blocking();
        }
    }

    /// The number of messages held, after flushing the batcher so the count is exact.
    pub fn num_msgs(&self) -> usize {
        self.flush();
        self.storage.held.lock().len()
    }

    /// A copy of the messages held (after a flush); chunks held compressed are decoded.
    pub fn messages(&self) -> Vec<LogMsg> {
        self.flush();
        let held = self.storage.held.lock().clone();
        held.into_iter().filter_map(Held::into_msg).collect()
    }

    /// Takes the messages held (after a flush), leaving the recording empty.
    pub fn take(&self) -> Vec<LogMsg> {
        self.flush();
        let held = std::mem::take(&mut *self.storage.held.lock());
        held.into_iter().filter_map(Held::into_msg).collect()
    }

    /// Takes the messages held as one complete stream in the reel byte format.
    pub fn drain_as_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        self.flush();
        let held = std::mem::take(&mut *self.storage.held.lock());
        encode(&held)
    }

    /// The messages held as a reel stream, without removing them.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        self.flush();
        let held = self.storage.held.lock().clone();
        encode(&held)
    }

    /// Appends a copy of `other`'s messages (after flushing both), e.g. to show two
    /// recordings together.
    pub fn extend_from(&self, other: &MemoryRecording) {
        if Arc::ptr_eq(&self.storage, &other.storage) {
            return;
        }
        other.flush();
        let theirs = other.storage.held.lock().clone();
        self.flush();
        self.storage.held.lock().extend(theirs);
    }

    /// Removes all logged data, keeping the store announcements (so the recording stays
    /// valid) and everything that belongs to blueprints.
    pub fn reset_data(&self) {
        self.flush();
        self.storage.held.lock().retain(|h| match h {
            Held::Msg(LogMsg::SetStoreInfo(_) | LogMsg::BlueprintActivation(_)) => true,
            _ => h.store_kind() != StoreKind::Recording,
        });
    }

    /// Removes every blueprint message and starts a fresh, empty blueprint for the
    /// recording's application, activated at once. With `add_to_app_default_blueprint`,
    /// the fresh blueprint also becomes the application's default; otherwise the default
    /// is left as it was.
    pub fn reset_blueprint(&self, add_to_app_default_blueprint: bool) {
        self.flush();
        let mut held = self.storage.held.lock();
        let application_id = held.iter().find_map(|h| match h {
            Held::Msg(LogMsg::SetStoreInfo(s)) => Some(s.info.application_id.clone()),
            _ => None,
        });
        held.retain(|h| h.store_kind() != StoreKind::Blueprint);
        let blueprint_id = StoreId::blueprint(RecordingId::random());
        let info = StoreInfo {
            store_id: blueprint_id.clone(),
            ..StoreInfo::new_recording(
                application_id.unwrap_or_else(|| ApplicationId::new("unknown")),
                blueprint_id.id.clone(),
            )
        };
        held.push(Held::Msg(LogMsg::SetStoreInfo(SetStoreInfo {
            row_id: RowId::new(),
            info,
        })));
        held.push(Held::Msg(LogMsg::BlueprintActivation(
            BlueprintActivation {
                blueprint_id,
                make_active: true,
                make_default: add_to_app_default_blueprint,
            },
        )));
    }
}

/// One stream of `held`: messages encoded, frames copied as they are.
fn encode(held: &[Held]) -> Result<Vec<u8>, EncodeError> {
    let mut encoder = Encoder::new(Vec::new(), EncoderOptions::default())?;
    for h in held {
        match h {
            Held::Msg(msg) => encoder.append(msg)?,
            Held::Frame { frame, .. } => encoder.append_frame(frame)?,
        };
    }
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use reel_core::{ChunkRow, Component};
    use reel_types::archetypes::{Image, Scalar};
    use reel_types::components::TensorData;

    use super::*;
    use crate::RecordingStreamBuilder;

    const SHAPE: [u64; 3] = [512, 1024, 4];

    fn image(pixels: &[u8]) -> Image {
        let tensor = TensorData::new(SHAPE.to_vec(), pixels.to_vec()).expect("tensor");
        Image::new(tensor).expect("image")
    }

    /// Bytes no compressor shrinks (a xorshift sequence).
    fn noise(len: usize) -> Vec<u8> {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    /// The entities of the chunks held compressed, and of those held as sent.
    fn held_entities(mem: &MemoryRecording) -> (Vec<String>, Vec<String>) {
        mem.flush();
        let (mut packed, mut plain) = (Vec::new(), Vec::new());
        for held in mem.storage.held.lock().iter() {
            let (list, msg) = match held {
                Held::Frame { frame, .. } => (&mut packed, frame.decode().expect("decode")),
                Held::Msg(msg) => (&mut plain, msg.clone()),
            };
            if let LogMsg::ArrowMsg(a) = msg {
                list.push(a.chunk.entity_path().to_string());
            }
        }
        (packed, plain)
    }

    fn tensor_of(msgs: &[LogMsg], entity: &str) -> TensorData {
        let row: ChunkRow = msgs
            .iter()
            .find_map(|m| match m {
                LogMsg::ArrowMsg(a) if a.chunk.entity_path().to_string() == entity => {
                    a.chunk.row(0)
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no row of {entity}"));
        let batch = row
            .components
            .iter()
            .find(|b| b.name().as_str() == TensorData::NAME)
            .expect("a tensor");
        batch.to_component::<TensorData>().expect("typed").remove(0)
    }

    #[test]
    fn large_chunks_that_compress_are_held_compressed_and_read_back_unchanged() {
        let (rec, mem) = RecordingStreamBuilder::new("held")
            .memory()
            .expect("memory");
        let len = SHAPE.iter().product::<u64>() as usize;
        let mut flat = vec![7u8; len];
        flat[len / 3] = 1;
        let noisy = noise(len);
        rec.set_time_sequence("frame", 0);
        rec.log("flat", &image(&flat)).expect("log");
        rec.log("noisy", &image(&noisy)).expect("log");
        rec.log("scalar", &Scalar::new(1.0)).expect("log");

        let (packed, plain) = held_entities(&mem);
        assert_eq!(packed, ["flat"], "only the large chunk that compresses");
        assert!(plain.contains(&"noisy".to_owned()) && plain.contains(&"scalar".to_owned()));

        // Read as messages, as a stream, and after copying into another recording: the
        // same pixels.
        let (_other_rec, other) = RecordingStreamBuilder::new("other")
            .memory()
            .expect("memory");
        other.extend_from(&mem);
        let decoded: Vec<LogMsg> = reel_format::decode_slice(&mem.to_bytes().expect("bytes"))
            .collect::<Result<_, _>>()
            .expect("decode");
        for msgs in [mem.messages(), decoded, other.messages()] {
            assert_eq!(
                tensor_of(&msgs, "flat").buffer().to_le_bytes(),
                flat.as_slice()
            );
            assert_eq!(
                tensor_of(&msgs, "noisy").buffer().to_le_bytes(),
                noisy.as_slice()
            );
        }
        assert_eq!(held_entities(&other).0, ["flat"], "copied as held");

        // Resetting the data drops compressed chunks too; the store info stays.
        mem.reset_data();
        assert!(mem
            .take()
            .iter()
            .all(|m| matches!(m, LogMsg::SetStoreInfo(_))));
    }
}
