//! Reading a recording (a file, or bytes of the reel format) into one [`ChunkStore`] for
//! queries — what `reel.load_recording` does.
//!
//! One thread decodes while the calling thread indexes. Chunks too small to stay on their
//! own (they will be merged by compaction) are not kept decoded while the rest of the
//! recording is read: a recording of many entities logged a few rows at a time would
//! otherwise hold every small chunk, with its per-chunk bookkeeping, until the end. Their
//! frames are remembered by position, and once everything else is in, they are read again
//! and merged entity by entity, so memory holds the merged data and one entity's pieces.
//! Small chunks are thus decoded twice; on 600 entities x 1000 rows that costs ~0.1 s.
//!
//! The store is made without an entity tree (see [`ChunkStore::without_entity_tree`]).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};

use reel_core::{EntityPath, LogMsg, RecordingId, StoreId, StoreKind};
use reel_format::{Decoder, StreamHeader};

use crate::chunk_store::{ChunkStore, CompactionConfig};
use crate::stored::StoredChunk;

/// Decoded messages waiting for the indexing thread: enough to keep both threads busy,
/// few enough that decoding cannot run far ahead.
const IN_FLIGHT: usize = 16;

/// Bytes read from a file at a time.
const READ_BUFFER: usize = 1 << 20;

/// A recording read into a store.
#[derive(Debug)]
pub struct LoadedRecording {
    /// The chunks, compacted and indexed.
    pub store: ChunkStore,
    /// The application id, from the first store info.
    pub application_id: Option<String>,
    /// The recording id, from the first store info or chunk.
    pub recording_id: Option<String>,
    /// What stopped reading early (damaged or truncated input); everything before it is in
    /// the store.
    pub error: Option<String>,
}

/// Reads the recording in the file at `path`, streaming it from disk.
pub fn load_file(path: &Path) -> std::io::Result<LoadedRecording> {
    let reader = BufReader::with_capacity(READ_BUFFER, File::open(path)?);
    let again = File::open(path)?;
    Ok(load(reader, FileFrames(again)))
}

/// Reads a recording held in memory.
pub fn load_bytes(bytes: &[u8]) -> LoadedRecording {
    load(bytes, bytes)
}

/// Where frames can be read again by position.
trait Frames: Send {
    fn read(&mut self, offset: u64, len: u64, out: &mut Vec<u8>) -> std::io::Result<()>;
}

struct FileFrames(File);

impl Frames for FileFrames {
    fn read(&mut self, offset: u64, len: u64, out: &mut Vec<u8>) -> std::io::Result<()> {
        self.0.seek(SeekFrom::Start(offset))?;
        let start = out.len();
        out.resize(
            start + usize::try_from(len).map_err(std::io::Error::other)?,
            0,
        );
        self.0.read_exact(&mut out[start..])
    }
}

impl Frames for &[u8] {
    fn read(&mut self, offset: u64, len: u64, out: &mut Vec<u8>) -> std::io::Result<()> {
        let range = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(offset + len).ok())
            .and_then(|(start, end)| self.get(start..end))
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        out.extend_from_slice(range);
        Ok(())
    }
}

/// A frame to read again: the header of the stream it is in, where it is, how long.
struct Deferred {
    header: StreamHeader,
    offset: u64,
    len: u64,
}

/// What the decoding thread hands to the indexing one.
enum Item {
    Info {
        application_id: String,
        recording_id: String,
    },
    Chunk {
        recording_id: String,
        chunk: StoredChunk,
    },
    /// A recording's id, seen on a chunk that comes later.
    RecordingId(String),
    /// Every piece of one entity's small chunks has been sent: merge them.
    EntityDone,
    Error(String),
}

fn load(reader: impl Read + Send, frames: impl Frames) -> LoadedRecording {
    let compaction = CompactionConfig::default();
    let mut loaded = LoadedRecording {
        store: ChunkStore::new(StoreId::recording(RecordingId::new("loaded")), compaction)
            .without_entity_tree(),
        application_id: None,
        recording_id: None,
        error: None,
    };
    let (tx, rx) = sync_channel(IN_FLIGHT);
    std::thread::scope(|scope| {
        scope.spawn(move || decode(reader, frames, &compaction, &tx));
        for item in rx {
            match item {
                Item::Info {
                    application_id,
                    recording_id,
                } => {
                    loaded.application_id.get_or_insert(application_id);
                    loaded.recording_id.get_or_insert(recording_id);
                }
                Item::Chunk {
                    recording_id,
                    chunk,
                } => {
                    loaded.recording_id.get_or_insert(recording_id);
                    loaded.store.insert(chunk);
                }
                Item::RecordingId(id) => {
                    loaded.recording_id.get_or_insert(id);
                }
                Item::EntityDone => {
                    loaded.store.compact();
                }
                Item::Error(e) => {
                    loaded.error.get_or_insert(e);
                }
            }
        }
    });
    loaded.store.compact();
    loaded
}

/// The decoding thread: every message once, small chunks' frames remembered; then those
/// frames again, entity by entity.
fn decode(
    reader: impl Read,
    mut frames: impl Frames,
    compaction: &CompactionConfig,
    tx: &SyncSender<Item>,
) {
    let mut deferred: BTreeMap<EntityPath, Vec<Deferred>> = BTreeMap::new();
    let mut decoder = Decoder::new(reader);
    while let Some(next) = decoder.next_message() {
        let item = match next {
            Err(e) => Item::Error(e.to_string()),
            Ok(decoded) => match decoded.msg {
                LogMsg::SetStoreInfo(s) if s.info.store_id.kind == StoreKind::Recording => {
                    Item::Info {
                        application_id: s.info.application_id.to_string(),
                        recording_id: s.info.store_id.id.to_string(),
                    }
                }
                LogMsg::ArrowMsg(a) if a.store_id.kind == StoreKind::Recording => {
                    let chunk = &a.chunk;
                    let small = !chunk.is_timeless()
                        && chunk.num_rows() < compaction.max_rows / 2
                        && decoded.raw_bytes < (compaction.max_bytes / 2) as u64;
                    match decoder.header() {
                        Some(header) if small && compaction.enabled => {
                            deferred
                                .entry(chunk.entity_path().clone())
                                .or_default()
                                .push(Deferred {
                                    header,
                                    offset: decoded.offset,
                                    len: decoded.frame_bytes,
                                });
                            // The id is known now; the chunk comes back later.
                            Item::RecordingId(a.store_id.id.to_string())
                        }
                        _ => Item::Chunk {
                            recording_id: a.store_id.id.to_string(),
                            chunk: StoredChunk::new(a.chunk),
                        },
                    }
                }
                _ => continue,
            },
        };
        if tx.send(item).is_err() {
            return;
        }
    }
    let mut frame = Vec::new();
    for pieces in deferred.into_values() {
        for piece in pieces {
            let item = match reread(&mut frames, &piece, &mut frame) {
                Ok(Some((recording_id, chunk))) => Item::Chunk {
                    recording_id,
                    chunk,
                },
                Ok(None) => continue,
                Err(e) => Item::Error(e),
            };
            if tx.send(item).is_err() {
                return;
            }
        }
        if tx.send(Item::EntityDone).is_err() {
            return;
        }
    }
}

/// Reads and decodes one remembered frame again.
fn reread(
    frames: &mut impl Frames,
    piece: &Deferred,
    buf: &mut Vec<u8>,
) -> Result<Option<(String, StoredChunk)>, String> {
    let what = |e: &dyn std::fmt::Display| {
        format!("reading the frame at byte {} again: {e}", piece.offset)
    };
    buf.clear();
    buf.extend_from_slice(&piece.header.to_bytes());
    frames
        .read(piece.offset, piece.len, buf)
        .map_err(|e| what(&e))?;
    match reel_format::decode_slice(buf).next() {
        Some(Ok(LogMsg::ArrowMsg(a))) => {
            Ok(Some((a.store_id.id.to_string(), StoredChunk::new(a.chunk))))
        }
        Some(Ok(_)) | None => Ok(None),
        Some(Err(e)) => Err(what(&e as &dyn std::fmt::Display)),
    }
}
