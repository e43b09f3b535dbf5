//! The server's recordings: a [`reel_store::Store`] that answers queries and feeds
//! subscribers, plus what only a server needs — recognising resends, one file per
//! recording, and the memory limit.

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use reel_core::{ChunkId, LogMsg, StoreId, StoreInfo};
use reel_format::frame::{FrameHeader, MessageKind};
use reel_format::{Decoder, Encoder, EncoderOptions, RawFrame};
use reel_store::{CompactionConfig, GcOrder};

/// The longest one memory-limit pass may hold a recording's write lock.
const GC_BUDGET: Duration = Duration::from_millis(20);

/// What happened to an inserted message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// Stored (and written, when saving).
    Stored,
    /// Already held (a resend): acknowledged, not stored again.
    Duplicate,
}

/// Why a message could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Writing a recording file failed.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The server is stopping and its files are finished: nothing more is stored (the
    /// client keeps the message and sends it to the next server).
    #[error("the server is stopping")]
    Closed,
}

/// What the server keeps about a recording besides its data.
#[derive(Default)]
struct Meta {
    info_seen: bool,
    /// Chunks ever received, to recognise resends (kept after the memory limit or
    /// compaction replaced them).
    chunk_ids: HashSet<ChunkId>,
    dropped_bytes: u64,
    dropped_rows: u64,
    file: Option<(PathBuf, Encoder<BufWriter<File>>)>,
}

/// A snapshot of one recording, for reports and tests.
#[derive(Clone, Debug)]
pub struct RecordingSummary {
    /// The store.
    pub store_id: StoreId,
    /// Its store info, once received.
    pub info: Option<StoreInfo>,
    /// Chunks held.
    pub chunks: usize,
    /// Rows held.
    pub rows: u64,
    /// Exact bytes held.
    pub bytes: u64,
    /// Bytes dropped to stay under the memory limit.
    pub dropped_bytes: u64,
    /// Rows dropped to stay under the memory limit.
    pub dropped_rows: u64,
    /// The file it is written to, when saving.
    pub file: Option<PathBuf>,
}

/// All recordings of a server.
pub struct Store {
    data: Arc<reel_store::Store>,
    /// Also serialises inserts, so files and the data see messages in one order.
    meta: Mutex<BTreeMap<StoreId, Meta>>,
    save_dir: Option<PathBuf>,
    memory_limit: Option<u64>,
    /// Set (under `meta`'s lock) once the files are finished, so that a client still
    /// sending cannot start a new file over a finished one.
    closed: AtomicBool,
}

impl Store {
    /// An empty store; with `save_dir`, recordings already saved there are loaded first
    /// (so resends after a restart are recognised) and continued.
    pub fn open(save_dir: Option<PathBuf>, memory_limit: Option<u64>) -> std::io::Result<Self> {
        let store = Self {
            data: Arc::new(reel_store::Store::new(CompactionConfig::default())),
            meta: Mutex::new(BTreeMap::new()),
            save_dir,
            memory_limit,
            closed: AtomicBool::new(false),
        };
        if let Some(dir) = &store.save_dir {
            std::fs::create_dir_all(dir)?;
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .is_some_and(|e| e == reel_format::FILE_EXTENSION)
                })
                .collect();
            files.sort();
            for path in files {
                store.load_file(&path);
            }
        }
        Ok(store)
    }

    /// The queryable recordings (for subscribers, viewers and tools).
    pub fn data(&self) -> &Arc<reel_store::Store> {
        &self.data
    }

    /// Reads a saved recording back: its whole messages become the recording's content,
    /// and the file is cut after the last whole message so that writing can continue.
    fn load_file(&self, path: &Path) {
        let Ok(file) = File::open(path) else {
            log::warn!("cannot open {}; leaving it alone", path.display());
            return;
        };
        let mut decoder = Decoder::new(BufReader::new(file));
        let mut msgs = Vec::new();
        let mut valid_up_to = 0;
        while let Some(item) = decoder.next_message() {
            match item {
                Ok(d) => {
                    valid_up_to = d.offset + d.frame_bytes;
                    msgs.push(d.msg);
                }
                Err(e) if msgs.is_empty() => {
                    log::warn!(
                        "{} is not a readable recording ({e}); leaving it alone",
                        path.display()
                    );
                    return;
                }
                Err(e) => log::info!(
                    "{}: keeping the {} whole messages before: {e}",
                    path.display(),
                    msgs.len()
                ),
            }
        }
        let Some(store_id) = msgs.first().map(|m| m.store_id().clone()) else {
            return;
        };
        let mut all = self.meta.lock();
        let meta = all.entry(store_id.clone()).or_default();
        for msg in msgs {
            absorb(meta, &msg);
            self.data.apply(&msg);
        }
        match reopen(path, valid_up_to) {
            Ok(encoder) => meta.file = Some((path.to_owned(), encoder)),
            Err(e) => log::warn!(
                "cannot continue {}: {e}; new data of {store_id} is not saved",
                path.display()
            ),
        }
        drop(all);
        self.enforce_memory_limit();
        log::info!("loaded {store_id} from {}", path.display());
    }

    /// Stores `msg` unless it is a resend; when saving, it is written and flushed before
    /// this returns, so an acknowledgement is never early.
    pub fn insert(&self, msg: LogMsg) -> Result<Inserted, StoreError> {
        self.insert_received(msg, None)
    }

    /// [`Self::insert`] for a message received as `frame`: when saving, the frame is
    /// written as it came (a frame of another format version is encoded again), so the
    /// server does not compress what the client already compressed.
    pub fn insert_received(
        &self,
        msg: LogMsg,
        frame: Option<&RawFrame>,
    ) -> Result<Inserted, StoreError> {
        let mut all = self.meta.lock();
        if self.closed.load(Ordering::SeqCst) {
            return Err(StoreError::Closed);
        }
        let store_id = msg.store_id().clone();
        let save_path = self.save_dir.as_ref().map(|d| d.join(file_name(&store_id)));
        let meta = all.entry(store_id).or_default();
        let duplicate = match &msg {
            LogMsg::ArrowMsg(a) => meta.chunk_ids.contains(&a.chunk.id()),
            LogMsg::SetStoreInfo(_) => meta.info_seen,
            LogMsg::BlueprintActivation(_) => false,
        };
        if duplicate {
            return Ok(Inserted::Duplicate);
        }
        if meta.file.is_none() {
            if let Some(path) = save_path {
                let encoder = File::create(&path)
                    .map_err(|source| StoreError::Write {
                        path: path.clone(),
                        source,
                    })
                    .and_then(|f| {
                        reel_format::file::lock_for_writing(&f);
                        Encoder::new(BufWriter::new(f), EncoderOptions::default()).map_err(|e| {
                            StoreError::Write {
                                path: path.clone(),
                                source: std::io::Error::other(e),
                            }
                        })
                    })?;
                meta.file = Some((path, encoder));
            }
        }
        if let Some((path, encoder)) = &mut meta.file {
            match frame.filter(|f| f.version == reel_format::FORMAT_VERSION) {
                Some(frame) => encoder.append_frame(frame),
                None => encoder.append(&msg),
            }
            .and_then(|_| encoder.flush())
            .map_err(|e| StoreError::Write {
                path: path.clone(),
                source: std::io::Error::other(e),
            })?;
        }
        absorb(meta, &msg);
        self.data.apply(&msg);
        drop(all);
        self.enforce_memory_limit();
        Ok(Inserted::Stored)
    }

    /// Drops the oldest temporal data of the largest recording until the total fits.
    fn enforce_memory_limit(&self) {
        let Some(limit) = self.memory_limit else {
            return;
        };
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        if self.data.bytes() <= limit {
            return;
        }
        let report = self.data.enforce_limit(limit, &GcOrder::Oldest, GC_BUDGET);
        let mut all = self.meta.lock();
        for (id, dropped) in &report.per_recording {
            let meta = all.entry(id.clone()).or_default();
            if meta.dropped_bytes == 0 && dropped.bytes > 0 {
                log::warn!(
                    "memory limit of {limit} bytes reached: dropping the oldest data of {id}"
                );
            }
            meta.dropped_bytes += dropped.bytes;
            meta.dropped_rows += dropped.rows;
        }
    }

    /// A summary of every recording.
    pub fn summaries(&self) -> Vec<RecordingSummary> {
        let all = self.meta.lock();
        all.iter()
            .map(|(id, meta)| {
                let recording = self.data.recording(id);
                let (chunks, rows, bytes) = recording.as_ref().map_or((0, 0, 0), |r| {
                    let d = r.read();
                    (d.num_chunks(), d.num_rows(), d.bytes() as u64)
                });
                RecordingSummary {
                    store_id: id.clone(),
                    info: recording.and_then(|r| r.info()),
                    chunks,
                    rows,
                    bytes,
                    dropped_bytes: meta.dropped_bytes,
                    dropped_rows: meta.dropped_rows,
                    file: meta.file.as_ref().map(|(p, _)| p.clone()),
                }
            })
            .collect()
    }

    /// Bytes held over all recordings.
    pub fn total_bytes(&self) -> u64 {
        self.data.bytes() as u64
    }

    /// Finishes every recording file (end frames) and refuses later inserts; called on
    /// orderly shutdown.
    pub fn close_files(&self) {
        let mut all = self.meta.lock();
        self.closed.store(true, Ordering::SeqCst);
        for meta in all.values_mut() {
            if let Some((path, encoder)) = meta.file.take() {
                match encoder.finish() {
                    Ok(_) => log::info!("finished {}", path.display()),
                    Err(e) => log::warn!("finishing {}: {e}", path.display()),
                }
            }
        }
    }
}

fn absorb(meta: &mut Meta, msg: &LogMsg) {
    match msg {
        LogMsg::ArrowMsg(a) => {
            meta.chunk_ids.insert(a.chunk.id());
        }
        LogMsg::SetStoreInfo(_) => meta.info_seen = true,
        LogMsg::BlueprintActivation(_) => {}
    }
}

/// A file name for a store: its kind and id, with anything unsafe replaced, plus a hash
/// of the id when it had to be changed (so different ids never share a file).
pub fn file_name(store_id: &StoreId) -> String {
    let id = store_id.id.as_str();
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let suffix = if safe == id {
        String::new()
    } else {
        let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x1000_0000_01b3)
        });
        format!("-{hash:016x}")
    };
    format!(
        "{}-{safe}{suffix}.{}",
        store_id.kind,
        reel_format::FILE_EXTENSION
    )
}

/// Opens a saved file to continue it: cut after the last whole message, close that stream
/// with an end frame, and start a new stream (concatenated streams are one recording).
fn reopen(path: &Path, valid_up_to: u64) -> std::io::Result<Encoder<BufWriter<File>>> {
    let mut file = OpenOptions::new().write(true).open(path)?;
    reel_format::file::lock_for_writing(&file);
    file.set_len(valid_up_to)?;
    file.seek(SeekFrom::Start(valid_up_to))?;
    file.write_all(&FrameHeader::new(MessageKind::End, 0, 0, &[]).to_bytes())?;
    Encoder::new(BufWriter::new(file), EncoderOptions::default()).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reel_core::RecordingId;

    #[test]
    fn file_names_are_safe_and_distinct() {
        let a = file_name(&StoreId::recording(RecordingId::new("run-1")));
        assert_eq!(a, "recording-run-1.reel");
        let b = file_name(&StoreId::recording(RecordingId::new("../etc/passwd")));
        assert!(
            !b.contains('/') && b.starts_with("recording-.._etc_passwd-"),
            "{b}"
        );
        let c = file_name(&StoreId::recording(RecordingId::new("a b")));
        let d = file_name(&StoreId::recording(RecordingId::new("a?b")));
        assert_ne!(c, d);
    }
}
