//! [`MemoryRecording`]: a recording kept in memory, and [`MemorySink`], its sink.

use std::sync::Arc;

use parking_lot::Mutex;
use reel_core::{
    ApplicationId, BlueprintActivation, LogMsg, RecordingId, RowId, SetStoreInfo, StoreId,
    StoreInfo, StoreKind,
};
use reel_format::{EncodeError, EncoderOptions};

use crate::recording_stream::WeakRecordingStream;
use crate::sink::LogSink;

#[derive(Default)]
struct Storage {
    msgs: Mutex<Vec<LogMsg>>,
}

/// The sink that fills a [`MemoryRecording`].
pub struct MemorySink {
    storage: Arc<Storage>,
}

impl LogSink for MemorySink {
    fn send(&mut self, msg: LogMsg) {
        self.storage.msgs.lock().push(msg);
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
        self.storage.msgs.lock().len()
    }

    /// A copy of the messages held (after a flush).
    pub fn messages(&self) -> Vec<LogMsg> {
        self.flush();
        self.storage.msgs.lock().clone()
    }

    /// Takes the messages held (after a flush), leaving the recording empty.
    pub fn take(&self) -> Vec<LogMsg> {
        self.flush();
        std::mem::take(&mut *self.storage.msgs.lock())
    }

    /// Takes the messages held as one complete stream in the reel byte format.
    pub fn drain_as_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let msgs = self.take();
        reel_format::encode_to_vec(&msgs, EncoderOptions::default())
    }

    /// The messages held as a reel stream, without removing them.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        reel_format::encode_to_vec(&self.messages(), EncoderOptions::default())
    }

    /// Appends a copy of `other`'s messages (after flushing both), e.g. to show two
    /// recordings together.
    pub fn extend_from(&self, other: &MemoryRecording) {
        if Arc::ptr_eq(&self.storage, &other.storage) {
            return;
        }
        let theirs = other.messages();
        self.flush();
        self.storage.msgs.lock().extend(theirs);
    }

    /// Removes all logged data, keeping the store announcements (so the recording stays
    /// valid) and everything that belongs to blueprints.
    pub fn reset_data(&self) {
        self.flush();
        self.storage.msgs.lock().retain(|m| match m {
            LogMsg::ArrowMsg(a) => a.store_id.kind != StoreKind::Recording,
            LogMsg::SetStoreInfo(_) | LogMsg::BlueprintActivation(_) => true,
        });
    }

    /// Removes every blueprint message and starts a fresh, empty blueprint for the
    /// recording's application, activated at once. With `add_to_app_default_blueprint`,
    /// the fresh blueprint also becomes the application's default; otherwise the default
    /// is left as it was.
    pub fn reset_blueprint(&self, add_to_app_default_blueprint: bool) {
        self.flush();
        let mut msgs = self.storage.msgs.lock();
        let application_id = msgs.iter().find_map(|m| match m {
            LogMsg::SetStoreInfo(s) => Some(s.info.application_id.clone()),
            _ => None,
        });
        msgs.retain(|m| m.store_id().kind != StoreKind::Blueprint);
        let blueprint_id = StoreId::blueprint(RecordingId::random());
        let info = StoreInfo {
            store_id: blueprint_id.clone(),
            ..StoreInfo::new_recording(
                application_id.unwrap_or_else(|| ApplicationId::new("unknown")),
                blueprint_id.id.clone(),
            )
        };
        msgs.push(LogMsg::SetStoreInfo(SetStoreInfo {
            row_id: RowId::new(),
            info,
        }));
        msgs.push(LogMsg::BlueprintActivation(BlueprintActivation {
            blueprint_id,
            make_active: true,
            make_default: add_to_app_default_blueprint,
        }));
    }
}
