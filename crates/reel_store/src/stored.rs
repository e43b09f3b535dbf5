//! [`StoredChunk`]: a chunk plus what the store derives from it once, before taking any lock:
//! per-timeline sort orders, time ranges, exact bytes and the clears it carries.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::Array;
use arrow_schema::DataType;
use reel_core::{Chunk, ComponentName, RowId, TimeInt, Timeline};

/// The component a `Clear` logs; its presence marks a row as a clear.
pub const CLEAR_IS_RECURSIVE: &str = "reel.components.ClearIsRecursive";

/// Whether a component is an archetype indicator (`reel.indicators.*`), which carries no data.
pub fn is_indicator(name: &ComponentName) -> bool {
    name.as_str().starts_with("reel.indicators.")
}

/// A chunk as the store keeps it.
#[derive(Clone, Debug)]
pub struct StoredChunk {
    chunk: Arc<Chunk>,
    /// Per timeline: the rows in `(time, RowId)` order, or `None` when storage order is.
    orders: BTreeMap<Timeline, Option<Arc<[u32]>>>,
    /// Per timeline: smallest and largest time.
    ranges: BTreeMap<Timeline, (TimeInt, TimeInt)>,
    bytes: usize,
    min_row_id: RowId,
    /// Rows that are clears: `(row, recursive)`.
    clears: Vec<(u32, bool)>,
}

impl StoredChunk {
    /// Derives everything the store needs from `chunk`. Costs O(rows log rows) for unsorted
    /// timelines; call it outside any lock.
    pub fn new(chunk: Arc<Chunk>) -> Self {
        let (chunk, bytes) = without_slack(chunk);
        let row_ids = chunk.row_ids();
        let mut orders = BTreeMap::new();
        let mut ranges = BTreeMap::new();
        for (timeline, column) in chunk.timelines() {
            let times = column.times();
            let in_order = column.is_sorted()
                && times
                    .windows(2)
                    .zip(row_ids.windows(2))
                    .all(|(t, r)| t[0] < t[1] || r[0] <= r[1]);
            let order = if in_order {
                None
            } else {
                let mut order: Vec<u32> = (0..times.len() as u32).collect();
                order.sort_unstable_by_key(|&i| (times[i as usize], row_ids[i as usize]));
                Some(Arc::from(order))
            };
            orders.insert(timeline.clone(), order);
            if let Some(range) = column.range() {
                ranges.insert(timeline.clone(), range);
            }
        }
        let clears = clear_rows(&chunk);
        Self {
            bytes,
            min_row_id: row_ids.iter().copied().min().unwrap_or(RowId::ZERO),
            chunk,
            orders,
            ranges,
            clears,
        }
    }

    /// The chunk.
    pub fn chunk(&self) -> &Arc<Chunk> {
        &self.chunk
    }

    /// Bytes of memory the chunk's buffers occupy, each allocation counted once.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The smallest row id, the chunk's age.
    pub fn min_row_id(&self) -> RowId {
        self.min_row_id
    }

    /// Smallest and largest time on `timeline`, if the chunk has rows on it.
    pub fn time_range(&self, timeline: &Timeline) -> Option<(TimeInt, TimeInt)> {
        self.ranges.get(timeline).copied()
    }

    /// The rows that are clears, with whether each is recursive.
    pub fn clears(&self) -> &[(u32, bool)] {
        &self.clears
    }

    /// Positions `0..rows` in `(time, RowId)` order on `timeline`, mapped to row indices.
    /// `None` if the chunk is not on `timeline`.
    pub fn sorted(&self, timeline: &Timeline) -> Option<SortedRows<'_>> {
        let order = self.orders.get(timeline)?;
        let times = self.chunk.timelines().get(timeline)?.times();
        Some(SortedRows {
            times,
            row_ids: self.chunk.row_ids(),
            order: order.as_deref(),
        })
    }
}

/// A chunk's rows on one timeline, viewed in `(time, RowId)` order.
#[derive(Clone, Copy)]
pub struct SortedRows<'a> {
    times: &'a [i64],
    row_ids: &'a [RowId],
    order: Option<&'a [u32]>,
}

impl SortedRows<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The row index at sorted position `pos`.
    #[inline]
    pub fn row(&self, pos: usize) -> usize {
        match self.order {
            Some(order) => order[pos] as usize,
            None => pos,
        }
    }

    /// The time at sorted position `pos`.
    #[inline]
    pub fn time(&self, pos: usize) -> i64 {
        self.times[self.row(pos)]
    }

    /// The row id at sorted position `pos`.
    #[inline]
    pub fn row_id(&self, pos: usize) -> RowId {
        self.row_ids[self.row(pos)]
    }

    /// The first sorted position with a time greater than `t`.
    pub fn upper_bound(&self, t: i64) -> usize {
        partition_point(self.len(), |p| self.time(p) <= t)
    }

    /// The first sorted position with a time at least `t`.
    pub fn lower_bound(&self, t: i64) -> usize {
        partition_point(self.len(), |p| self.time(p) < t)
    }
}

/// The first index in `0..len` where `pred` is false, for a `pred` true then false.
fn partition_point(len: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The clear rows of a chunk: rows holding a non-empty `ClearIsRecursive`.
fn clear_rows(chunk: &Chunk) -> Vec<(u32, bool)> {
    let Some(list) = chunk
        .components()
        .get(&ComponentName::from_static(CLEAR_IS_RECURSIVE))
    else {
        return Vec::new();
    };
    if list.values().data_type() != &DataType::Boolean {
        return Vec::new();
    }
    let values = list.values().as_boolean();
    let offsets = list.value_offsets();
    (0..list.len())
        .filter(|&i| list.is_valid(i) && offsets[i + 1] > offsets[i])
        .map(|i| {
            let first = offsets[i] as usize;
            (i as u32, values.is_valid(first) && values.value(first))
        })
        .collect()
}

/// Bytes of the chunk's row ids, times and component buffers, counting each distinct
/// allocation once, whole: slices of one decoded message share one allocation, which
/// lives as long as any of them.
pub fn exact_bytes(chunk: &Chunk) -> usize {
    memory(chunk).0
}

/// The chunk's [`exact_bytes`], and the bytes of its data itself: what they would be if
/// every column owned exactly its values. One pass over the columns for both.
fn memory(chunk: &Chunk) -> (usize, usize) {
    let mut seen = HashSet::new();
    let ids = std::mem::size_of_val(chunk.row_ids());
    let (mut allocated, mut used) = (ids, ids);
    for column in chunk.timelines().values() {
        allocated += allocation_bytes(column.buffer().inner(), &mut seen);
        used += std::mem::size_of_val(column.times());
    }
    for list in chunk.components().values() {
        let data = list.to_data();
        allocated += data_bytes(&data, &mut seen);
        used += data.get_slice_memory_size().unwrap_or(0);
    }
    (allocated, used)
}

/// `chunk`, or a copy owning exactly its data when its buffers hold more than an eighth
/// beyond it — a decoded message's allocation, with bytes of columns no longer used (the
/// row ids' Arrow form) — so the store neither keeps nor counts what no query reads; with
/// its [`exact_bytes`].
fn without_slack(chunk: Arc<Chunk>) -> (Arc<Chunk>, usize) {
    let (bytes, used) = memory(&chunk);
    if bytes <= used + used / 8 {
        return (chunk, bytes);
    }
    match chunk.with_own_buffers() {
        Ok(copy) => {
            let bytes = exact_bytes(&copy);
            (Arc::new(copy), bytes)
        }
        Err(err) => {
            log::warn!("kept chunk {} as decoded: {err}", chunk.id());
            (chunk, bytes)
        }
    }
}

fn allocation_bytes(buffer: &arrow_buffer::Buffer, seen: &mut HashSet<usize>) -> usize {
    if seen.insert(buffer.data_ptr().as_ptr() as usize) {
        // Memory owned elsewhere (a numpy array, say) reports no capacity.
        buffer.capacity().max(buffer.len())
    } else {
        0
    }
}

fn data_bytes(data: &arrow_data::ArrayData, seen: &mut HashSet<usize>) -> usize {
    let mut total = 0;
    let buffers = data
        .buffers()
        .iter()
        .chain(data.nulls().map(|n| n.buffer()));
    for buffer in buffers {
        total += allocation_bytes(buffer, seen);
    }
    for child in data.child_data() {
        total += data_bytes(child, seen);
    }
    total
}
