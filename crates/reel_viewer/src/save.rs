//! Saving what the viewer holds: a recording, or the rows of one time range of it (static
//! data always included), as a reel stream.

use std::io::Write;

use reel_core::{ArrowMsg, Chunk, LogMsg, RowId, SetStoreInfo, StoreId, Timeline};
use reel_store::Recording;

/// Why saving failed.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Encoding or writing failed.
    #[error(transparent)]
    Encode(#[from] reel_format::EncodeError),
    /// A chunk could not be cut to the range.
    #[error("cannot cut a chunk to the range: {0}")]
    Chunk(#[from] reel_core::ChunkError),
}

/// Writes recording `id` to `writer`: its info, then every chunk (static first, then by
/// age). With `range`, temporal rows outside `[min, max]` on that timeline (or not on it)
/// are left out. Returns the number of rows written.
pub fn write_recording(
    writer: impl Write,
    id: &StoreId,
    recording: &Recording,
    range: Option<&(Timeline, i64, i64)>,
) -> Result<u64, SaveError> {
    let mut encoder = reel_format::Encoder::new(writer, reel_format::EncoderOptions::default())?;
    if let Some(info) = recording.info() {
        encoder.append(&LogMsg::SetStoreInfo(SetStoreInfo {
            row_id: RowId::new(),
            info,
        }))?;
    }
    // Copy the chunk list, then encode without holding the lock.
    let chunks = recording.read().chunks_in_order();
    let mut rows = 0u64;
    for chunk in chunks {
        let chunk = match range {
            Some(range) if !chunk.is_timeless() => match cut(&chunk, range)? {
                Some(c) => std::sync::Arc::new(c),
                None => continue,
            },
            _ => chunk,
        };
        rows += chunk.num_rows() as u64;
        encoder.append(&LogMsg::ArrowMsg(ArrowMsg {
            store_id: id.clone(),
            chunk,
        }))?;
    }
    encoder.finish()?;
    Ok(rows)
}

/// The rows of `chunk` whose time on the range's timeline lies in the range; `None` when
/// there are none.
fn cut(
    chunk: &Chunk,
    (timeline, min, max): &(Timeline, i64, i64),
) -> Result<Option<Chunk>, SaveError> {
    let Some(times) = chunk.timelines().get(timeline) else {
        return Ok(None);
    };
    let inside = |t: &i64| (*min..=*max).contains(t);
    if times.times().iter().all(inside) {
        return Ok(Some(chunk.clone()));
    }
    let keep: Vec<usize> = (0..chunk.num_rows())
        .filter(|&i| inside(&times.times()[i]))
        .collect();
    if keep.is_empty() {
        return Ok(None);
    }
    let rows = keep.into_iter().filter_map(|i| chunk.row(i));
    Ok(Some(Chunk::from_rows(chunk.entity_path().clone(), rows)?))
}
