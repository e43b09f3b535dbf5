//! Payloads: a [`LogMsg`] to bytes and back (before compression).
//!
//! Store info and blueprint activation are JSON; a chunk is one Arrow IPC stream holding
//! the chunk's record batch, whose schema metadata also names the store.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::Schema;
use reel_core::{ArrowMsg, Chunk, LogMsg, RecordingId, StoreId, StoreKind};

use crate::frame::MessageKind;

/// Schema metadata key: the store's kind (`recording` or `blueprint`).
pub const META_STORE_KIND: &str = "reel.store_kind";
/// Schema metadata key: the store's recording id.
pub const META_STORE_ID: &str = "reel.store_id";

/// Why a message could not be turned into a payload.
#[derive(Debug, thiserror::Error)]
pub enum PayloadEncodeError {
    /// The chunk is not a valid record batch.
    #[error("chunk: {0}")]
    Chunk(#[from] reel_core::ChunkError),
    /// Arrow IPC refused the batch.
    #[error("arrow ipc: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// JSON serialization failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// Compressing the payload while it was written failed.
    #[error("compressing: {0}")]
    Compress(#[from] std::io::Error),
}

/// Encodes `msg`'s payload into `out` (cleared first); returns its kind.
pub fn encode(msg: &LogMsg, out: &mut Vec<u8>) -> Result<MessageKind, PayloadEncodeError> {
    out.clear();
    encode_into(msg, out)
}

/// Writes `msg`'s payload to `out`; returns its kind.
pub fn encode_into(
    msg: &LogMsg,
    mut out: impl std::io::Write,
) -> Result<MessageKind, PayloadEncodeError> {
    match msg {
        LogMsg::SetStoreInfo(m) => {
            serde_json::to_writer(&mut out, m)?;
            Ok(MessageKind::SetStoreInfo)
        }
        LogMsg::BlueprintActivation(m) => {
            serde_json::to_writer(&mut out, m)?;
            Ok(MessageKind::BlueprintActivation)
        }
        LogMsg::ArrowMsg(m) => {
            let batch = m.chunk.to_record_batch()?;
            let mut metadata = batch.schema().metadata().clone();
            metadata.insert(META_STORE_KIND.to_owned(), m.store_id.kind.to_string());
            metadata.insert(META_STORE_ID.to_owned(), m.store_id.id.to_string());
            let schema = Arc::new(Schema::new_with_metadata(
                batch.schema().fields().clone(),
                metadata,
            ));
            let batch = batch.with_schema(schema.clone())?;
            let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut out, &schema)?;
            writer.write(&batch)?;
            writer.finish()?;
            Ok(MessageKind::ArrowMsg)
        }
    }
}

/// Decodes a payload of `kind`. Errors are plain descriptions; the caller adds the offset.
pub fn decode(kind: MessageKind, payload: Vec<u8>) -> Result<LogMsg, String> {
    match kind {
        MessageKind::SetStoreInfo => serde_json::from_slice(&payload)
            .map(LogMsg::SetStoreInfo)
            .map_err(|e| format!("store info JSON: {e}")),
        MessageKind::BlueprintActivation => serde_json::from_slice(&payload)
            .map(LogMsg::BlueprintActivation)
            .map_err(|e| format!("blueprint activation JSON: {e}")),
        MessageKind::ArrowMsg => decode_arrow(payload).map(LogMsg::ArrowMsg),
        MessageKind::End => Err("an end frame has no message".to_owned()),
    }
}

fn decode_arrow(payload: Vec<u8>) -> Result<ArrowMsg, String> {
    // Arrow's IPC reader validates what it decodes; the unwind guard is a second line of
    // defence so that no crafted payload (checksum and all) can take the process down.
    let batch = std::panic::catch_unwind(move || read_single_batch(payload))
        .map_err(|_| "arrow ipc: the reader panicked on this payload".to_owned())??;
    let meta = batch.schema().metadata().clone();
    let store_id = store_id_from(&meta)?;
    let chunk = Chunk::from_record_batch(&batch).map_err(|e| e.to_string())?;
    Ok(ArrowMsg {
        store_id,
        chunk: Arc::new(chunk),
    })
}

fn read_single_batch(payload: Vec<u8>) -> Result<RecordBatch, String> {
    let mut buffer = arrow_buffer::Buffer::from_vec(payload);
    let mut decoder = arrow_ipc::reader::StreamDecoder::new();
    let mut batch = None;
    while !buffer.is_empty() {
        match decoder
            .decode(&mut buffer)
            .map_err(|e| format!("arrow ipc: {e}"))?
        {
            Some(b) if batch.is_none() => batch = Some(b),
            Some(_) => return Err("arrow ipc: more than one record batch".to_owned()),
            None => {}
        }
    }
    decoder.finish().map_err(|e| format!("arrow ipc: {e}"))?;
    batch.ok_or_else(|| "arrow ipc: no record batch".to_owned())
}

fn store_id_from(meta: &arrow_schema::Metadata) -> Result<StoreId, String> {
    let kind = match meta.get(META_STORE_KIND).map(String::as_str) {
        Some("recording") => StoreKind::Recording,
        Some("blueprint") => StoreKind::Blueprint,
        other => return Err(format!("schema metadata {META_STORE_KIND} is {other:?}")),
    };
    let id = meta
        .get(META_STORE_ID)
        .ok_or_else(|| format!("schema metadata {META_STORE_ID} is missing"))?;
    Ok(StoreId {
        kind,
        id: RecordingId::new(id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_json_fields_are_ignored() {
        let json = br#"{"row_id":"0000000000000001000000000000000a","future":1,
            "info":{"application_id":"app","store_id":{"kind":"recording","id":"r"},
                    "started_ns":5,"source":{"sdk":"rust_sdk","version":"9.9","extra":[]}}}"#;
        let msg = decode(MessageKind::SetStoreInfo, json.to_vec()).expect("decodes");
        let LogMsg::SetStoreInfo(info) = msg else {
            panic!("wrong kind")
        };
        assert_eq!(info.info.application_id.as_str(), "app");
        assert_eq!(info.info.started_ns, 5);
    }

    #[test]
    fn arrow_payload_garbage_is_an_error() {
        let err = decode(MessageKind::ArrowMsg, b"definitely not arrow".to_vec()).expect_err("bad");
        assert!(err.starts_with("arrow ipc"), "{err}");
        let err = decode(MessageKind::End, Vec::new()).expect_err("end");
        assert!(err.contains("end frame"), "{err}");
    }
}
