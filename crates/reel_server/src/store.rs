//! The server's recordings: messages grouped by store, deduplicated, optionally written to
//! one file per recording, under a memory limit.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use reel_core::{ChunkId, LogMsg, StoreId, StoreInfo};
use reel_format::frame::{FrameHeader, MessageKind};
use reel_format::{Decoder, Encoder, EncoderOptions};

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
}

/// One recording (or blueprint) held by the server.
struct Recording {
    info: Option<StoreInfo>,
    /// Every message, oldest first, with its encoded size.
    msgs: VecDeque<(LogMsg, u64)>,
    /// Chunks ever received, to recognise resends (kept after the memory limit drops data).
    chunk_ids: HashSet<ChunkId>,
    bytes: u64,
    dropped_bytes: u64,
    file: Option<(PathBuf, Encoder<BufWriter<File>>)>,
}

/// A snapshot of one recording, for reports and tests.
#[derive(Clone, Debug)]
pub struct RecordingSummary {
    /// The store.
    pub store_id: StoreId,
    /// Its store info, once received.
    pub info: Option<StoreInfo>,
    /// Messages held.
    pub messages: usize,
    /// Rows held.
    pub rows: usize,
    /// Bytes held.
    pub bytes: u64,
    /// Bytes dropped to stay under the memory limit.
    pub dropped_bytes: u64,
    /// The file it is written to, when saving.
    pub file: Option<PathBuf>,
}

#[derive(Default)]
struct Inner {
    recordings: BTreeMap<StoreId, Recording>,
    total_bytes: u64,
}

/// All recordings of a server.
pub struct Store {
    inner: Mutex<Inner>,
    save_dir: Option<PathBuf>,
    memory_limit: Option<u64>,
}

impl Store {
    /// An empty store; with `save_dir`, recordings already saved there are loaded first
    /// (so resends after a restart are recognised) and continued.
    pub fn open(save_dir: Option<PathBuf>, memory_limit: Option<u64>) -> std::io::Result<Self> {
        let store = Self {
            inner: Mutex::new(Inner::default()),
            save_dir,
            memory_limit,
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
                    msgs.push((d.msg, d.frame_bytes));
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
        let Some(store_id) = msgs.first().map(|(m, _)| m.store_id().clone()) else {
            return;
        };
        let mut inner = self.inner.lock();
        let rec = inner
            .recordings
            .entry(store_id.clone())
            .or_insert_with(Recording::new);
        for (msg, bytes) in msgs {
            rec.absorb(msg, bytes);
        }
        match reopen(path, valid_up_to) {
            Ok(encoder) => rec.file = Some((path.to_owned(), encoder)),
            Err(e) => log::warn!(
                "cannot continue {}: {e}; new data of {store_id} is not saved",
                path.display()
            ),
        }
        let bytes = rec.bytes;
        inner.total_bytes += bytes;
        log::info!(
            "loaded {} ({} bytes) from {}",
            store_id,
            bytes,
            path.display()
        );
    }

    /// Stores `msg` (of `bytes` encoded bytes) unless it is a resend; when saving, it is
    /// written and flushed before this returns, so an acknowledgement is never early.
    pub fn insert(&self, msg: LogMsg, bytes: u64) -> Result<Inserted, StoreError> {
        let mut inner = self.inner.lock();
        let store_id = msg.store_id().clone();
        let save_path = self.save_dir.as_ref().map(|d| d.join(file_name(&store_id)));
        let rec = inner
            .recordings
            .entry(store_id.clone())
            .or_insert_with(Recording::new);
        let duplicate = match &msg {
            LogMsg::ArrowMsg(a) => rec.chunk_ids.contains(&a.chunk.id()),
            LogMsg::SetStoreInfo(_) => rec.info.is_some(),
            LogMsg::BlueprintActivation(_) => false,
        };
        if duplicate {
            return Ok(Inserted::Duplicate);
        }
        if rec.file.is_none() {
            if let Some(path) = save_path {
                let encoder = File::create(&path)
                    .map_err(|source| StoreError::Write {
                        path: path.clone(),
                        source,
                    })
                    .and_then(|f| {
                        Encoder::new(BufWriter::new(f), EncoderOptions::default()).map_err(|e| {
                            StoreError::Write {
                                path: path.clone(),
                                source: std::io::Error::other(e),
                            }
                        })
                    })?;
                rec.file = Some((path, encoder));
            }
        }
        if let Some((path, encoder)) = &mut rec.file {
            encoder
                .append(&msg)
                .and_then(|_| encoder.flush())
                .map_err(|e| StoreError::Write {
                    path: path.clone(),
                    source: std::io::Error::other(e),
                })?;
        }
        rec.absorb(msg, bytes);
        inner.total_bytes += bytes;
        self.enforce_memory_limit(&mut inner);
        Ok(Inserted::Stored)
    }

    /// Drops the oldest data of the largest recording until the total fits the limit.
    fn enforce_memory_limit(&self, inner: &mut Inner) {
        let Some(limit) = self.memory_limit else {
            return;
        };
        while inner.total_bytes > limit {
            let Some((id, rec)) = inner.recordings.iter_mut().max_by_key(|(_, r)| r.bytes) else {
                return;
            };
            let Some(pos) = rec
                .msgs
                .iter()
                .position(|(m, _)| matches!(m, LogMsg::ArrowMsg(_)))
            else {
                return; // nothing droppable left
            };
            let Some((_, bytes)) = rec.msgs.remove(pos) else {
                return;
            };
            rec.bytes -= bytes;
            rec.dropped_bytes += bytes;
            inner.total_bytes -= bytes;
            if rec.dropped_bytes == bytes {
                log::warn!(
                    "memory limit of {limit} bytes reached: dropping the oldest data of {id}"
                );
            }
        }
    }

    /// A summary of every recording.
    pub fn summaries(&self) -> Vec<RecordingSummary> {
        let inner = self.inner.lock();
        inner
            .recordings
            .iter()
            .map(|(id, r)| RecordingSummary {
                store_id: id.clone(),
                info: r.info.clone(),
                messages: r.msgs.len(),
                rows: r
                    .msgs
                    .iter()
                    .map(|(m, _)| match m {
                        LogMsg::ArrowMsg(a) => a.chunk.num_rows(),
                        _ => 0,
                    })
                    .sum(),
                bytes: r.bytes,
                dropped_bytes: r.dropped_bytes,
                file: r.file.as_ref().map(|(p, _)| p.clone()),
            })
            .collect()
    }

    /// The messages held for `store_id`, oldest first.
    pub fn messages(&self, store_id: &StoreId) -> Vec<LogMsg> {
        let inner = self.inner.lock();
        inner
            .recordings
            .get(store_id)
            .map(|r| r.msgs.iter().map(|(m, _)| m.clone()).collect())
            .unwrap_or_default()
    }

    /// Bytes held over all recordings.
    pub fn total_bytes(&self) -> u64 {
        self.inner.lock().total_bytes
    }

    /// Finishes every recording file (end frames); called on orderly shutdown.
    pub fn close_files(&self) {
        let mut inner = self.inner.lock();
        for rec in inner.recordings.values_mut() {
            if let Some((path, encoder)) = rec.file.take() {
                if let Err(e) = encoder.finish() {
                    log::warn!("finishing {}: {e}", path.display());
                }
            }
        }
    }
}

impl Recording {
    fn new() -> Self {
        Self {
            info: None,
            msgs: VecDeque::new(),
            chunk_ids: HashSet::new(),
            bytes: 0,
            dropped_bytes: 0,
            file: None,
        }
    }

    fn absorb(&mut self, msg: LogMsg, bytes: u64) {
        match &msg {
            LogMsg::ArrowMsg(a) => {
                self.chunk_ids.insert(a.chunk.id());
            }
            LogMsg::SetStoreInfo(s) => self.info = Some(s.info.clone()),
            LogMsg::BlueprintActivation(_) => {}
        }
        self.bytes += bytes;
        self.msgs.push_back((msg, bytes));
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
