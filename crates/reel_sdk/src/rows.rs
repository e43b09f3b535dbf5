//! Rows on their way to the batcher, grouped on the thread that logs them.
//!
//! Each logging thread keeps its rows in its own [`ThreadRows`], grouped by entity,
//! timeline set and component schema (one [`Group`] per chunk to be), with small cells
//! packed into contiguous columns as they arrive. A log call so touches nothing shared but
//! its thread's uncontended lock, sends nothing through a channel, and frees each row's
//! small Arrow arrays on the thread that allocated them: thread wake-ups and frees of
//! another thread's allocations (slow in glibc's malloc, whose arena lock both threads
//! then fight over) were most of a small row's cost when every row crossed to the
//! batcher thread on its own.
//!
//! The batcher takes the groups through the recording's [`RowRegistry`]: on its tick, when
//! a group passed a threshold (the logging thread wakes it), and before any command, so a
//! flush or a message still comes after every row logged before it.

use std::sync::Arc;

use parking_lot::Mutex;
use reel_core::arrow_array::{Array, ArrayRef, ListArray};
use reel_core::arrow_buffer::{Buffer, MutableBuffer, OffsetBuffer, ScalarBuffer};
use reel_core::arrow_schema::{DataType, Field};
use reel_core::{Chunk, ChunkError, ChunkId, ComponentBatch, ComponentName, EntityPath, RowId};
use reel_core::{TimeColumn, Timeline};
use rustc_hash::FxHashMap;

/// Rows of a group gathered before their cells are packed into one array per column: few
/// enough that a packed copy is cheap, enough that packing costs little per row.
const PACK_ROWS: usize = 64;

/// Rows larger than this on average are not packed: copying them would cost more than
/// their allocations, and their arrays may be shared (zero-copy) with the caller.
const PACK_MAX_ROW_BYTES: u64 = 4096;

/// A row on its way to the batcher, borrowed from the log call that made it.
pub(crate) struct PendingRow<'a> {
    pub entity_path: &'a EntityPath,
    pub row_id: RowId,
    /// The row's timelines; shared by every row logged with the same set, so grouping
    /// compares a pointer. Empty for timeless rows.
    pub timelines: &'a Arc<[Timeline]>,
    /// One value per timeline.
    pub times: &'a [i64],
    pub components: &'a [ComponentBatch],
    /// Estimated bytes, counted against the memory bound until delivered.
    pub bytes: u64,
}

/// When a group is delivered without waiting for the tick.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GroupLimits {
    pub bytes: u64,
    pub rows: u64,
}

/// Values of a column's earlier rows, in order.
enum Piece {
    Array(ArrayRef),
    /// Values of plain cells, one after another (see [`ComponentBatch::plain_bytes`]).
    Plain(Buffer),
}

/// One component's cells in a group. Every row of a group holds every component of its
/// schema, so a column needs no validity, only where each row's instances end.
///
/// A cell logged as plain bytes is appended to `plain` (no Arrow array is made per row);
/// others are kept as arrays in `tail` and packed now and then. At most one of `tail` and
/// `plain` holds anything: a cell of the other kind first ends it. Cells of a `Null`
/// column (indicators) have no values to keep: only their lengths are.
struct Column {
    /// Whether the column is of Arrow type `Null`.
    null: bool,
    /// Where each row's instances end in the column's values.
    ends: Vec<usize>,
    /// Values of earlier rows.
    packed: Vec<Piece>,
    /// Arrays of the latest rows, not packed yet.
    tail: Vec<ArrayRef>,
    /// Values of the latest rows' plain cells.
    plain: MutableBuffer,
    len: usize,
}

impl Column {
    fn new(datatype: &DataType) -> Self {
        Self {
            null: *datatype == DataType::Null,
            ends: Vec::new(),
            packed: Vec::new(),
            tail: Vec::new(),
            plain: MutableBuffer::new(0),
            len: 0,
        }
    }

    fn push(&mut self, cell: &ComponentBatch) {
        if self.null {
            // Nothing to keep.
        } else if let Some(bytes) = cell.plain_bytes() {
            if !self.tail.is_empty() {
                self.close_tail(true);
            }
            self.plain.extend_from_slice(bytes);
        } else {
            self.close_plain();
            self.tail.push(cell.array().clone());
        }
        self.len += cell.len();
        self.ends.push(self.len);
    }

    fn close_plain(&mut self) {
        if !self.plain.is_empty() {
            let plain = std::mem::replace(&mut self.plain, MutableBuffer::new(0));
            self.packed.push(Piece::Plain(plain.into()));
        }
    }

    /// Ends the tail: with `copy`, its cells are copied into one array and the rows' own
    /// arrays released here, on the thread that made them; else they are kept as they are.
    fn close_tail(&mut self, copy: bool) {
        if self.tail.is_empty() {
            return;
        }
        if copy {
            let pieces: Vec<&dyn Array> = self.tail.iter().map(AsRef::as_ref).collect();
            // Cells of one column share their type, so this cannot fail; if it did, the
            // cells are kept unpacked.
            if let Ok(packed) = arrow_select::concat::concat(&pieces) {
                self.packed.push(Piece::Array(packed));
                self.tail.clear();
                return;
            }
        }
        self.packed.extend(self.tail.drain(..).map(Piece::Array));
    }

    fn into_list(
        mut self,
        name: &ComponentName,
        datatype: &DataType,
    ) -> Result<ListArray, ChunkError> {
        let too_many = || ChunkError::TooManyInstances(name.clone());
        let mut offsets = Vec::with_capacity(self.ends.len() + 1);
        offsets.push(0i32);
        for end in &self.ends {
            offsets.push(i32::try_from(*end).map_err(|_| too_many())?);
        }
        self.close_plain();
        let mut pieces = Vec::with_capacity(self.packed.len() + self.tail.len());
        for piece in self.packed {
            pieces.push(match piece {
                Piece::Array(array) => array,
                Piece::Plain(values) => reel_core::plain_array(datatype, values)?,
            });
        }
        pieces.extend(self.tail);
        let values = match pieces.as_slice() {
            [] if self.null => reel_core::arrow_array::new_null_array(datatype, self.len),
            [] => reel_core::arrow_array::new_empty_array(datatype),
            [one] => one.clone(),
            many => {
                let refs: Vec<&dyn Array> = many.iter().map(AsRef::as_ref).collect();
                arrow_select::concat::concat(&refs)?
            }
        };
        let field = Arc::new(Field::new_list_field(datatype.clone(), true));
        Ok(ListArray::try_new(
            field,
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            values,
            None,
        )?)
    }
}

/// Rows of one entity, timeline set and schema, accumulated column by column.
pub(crate) struct Group {
    entity_path: EntityPath,
    timelines: Arc<[Timeline]>,
    schema: Vec<(ComponentName, DataType)>,
    row_ids: Vec<RowId>,
    /// One column per timeline.
    times: Vec<Vec<i64>>,
    /// One column per component of `schema`.
    columns: Vec<Column>,
    /// The rows' estimated bytes, held under the memory bound until delivered.
    pub bytes: u64,
    /// Rows (and their bytes) in the columns' tails.
    tail_rows: usize,
    tail_bytes: u64,
}

impl Group {
    fn new(row: &PendingRow<'_>) -> Self {
        let schema = row
            .components
            .iter()
            .map(|c| (c.name().clone(), c.datatype().clone()))
            .collect();
        Self::with(row.entity_path.clone(), row.timelines.clone(), schema)
    }

    fn with(
        entity_path: EntityPath,
        timelines: Arc<[Timeline]>,
        schema: Vec<(ComponentName, DataType)>,
    ) -> Self {
        Self {
            times: vec![Vec::new(); timelines.len()],
            columns: schema.iter().map(|(_, dt)| Column::new(dt)).collect(),
            entity_path,
            timelines,
            schema,
            row_ids: Vec::new(),
            bytes: 0,
            tail_rows: 0,
            tail_bytes: 0,
        }
    }

    /// A group for the same rows, holding none yet, with room for as many rows as this
    /// one holds (the next group of a busy entity grows without reallocating).
    fn emptied(&self) -> Self {
        let mut group = Self::with(
            self.entity_path.clone(),
            self.timelines.clone(),
            self.schema.clone(),
        );
        let rows = self.row_ids.len();
        group.row_ids.reserve(rows);
        for column in &mut group.times {
            column.reserve(rows);
        }
        for (column, old) in group.columns.iter_mut().zip(&self.columns) {
            column.ends.reserve(rows);
            column.plain.reserve(old.plain.len());
        }
        group
    }

    fn matches(&self, row: &PendingRow<'_>) -> bool {
        self.entity_path == *row.entity_path
            && (Arc::ptr_eq(&self.timelines, row.timelines) || self.timelines == *row.timelines)
            && self.schema.len() == row.components.len()
            && self
                .schema
                .iter()
                .zip(row.components)
                .all(|((name, dt), c)| name == c.name() && dt == c.datatype())
    }

    fn push(&mut self, row: PendingRow<'_>) {
        self.row_ids.push(row.row_id);
        for (column, t) in self.times.iter_mut().zip(row.times) {
            column.push(*t);
        }
        for (column, c) in self.columns.iter_mut().zip(row.components) {
            column.push(c);
        }
        self.bytes += row.bytes;
        self.tail_rows += 1;
        self.tail_bytes += row.bytes;
        if self.tail_rows >= PACK_ROWS {
            let copy = self.tail_bytes <= PACK_MAX_ROW_BYTES * PACK_ROWS as u64;
            for column in &mut self.columns {
                column.close_tail(copy);
            }
            self.tail_rows = 0;
            self.tail_bytes = 0;
        }
    }

    fn is_full(&self, limits: GroupLimits) -> bool {
        self.bytes >= limits.bytes || self.row_ids.len() as u64 >= limits.rows
    }

    /// The number of rows.
    pub fn num_rows(&self) -> usize {
        self.row_ids.len()
    }

    /// The entity the rows belong to.
    pub fn entity_path(&self) -> &EntityPath {
        &self.entity_path
    }

    /// The rows as one chunk.
    pub fn into_chunk(self) -> Result<Chunk, ChunkError> {
        let time_columns = self
            .timelines
            .iter()
            .cloned()
            .zip(self.times)
            .map(|(t, v)| TimeColumn::new(t, v));
        let mut components = Vec::with_capacity(self.schema.len());
        for ((name, datatype), column) in self.schema.into_iter().zip(self.columns) {
            let list = column.into_list(&name, &datatype)?;
            components.push((name, list));
        }
        Chunk::new(
            ChunkId::new(),
            self.entity_path,
            self.row_ids,
            time_columns,
            components,
        )
    }
}

/// A cheap, allocation-free fingerprint of a row's group: entity, the identity of its
/// timeline set, and its component names. Equal groups can have different fingerprints
/// (timeline sets built apart); [`ThreadRows::add`] falls back to comparing.
fn fingerprint(row: &PendingRow<'_>) -> u64 {
    let mut h = row.entity_path.hash64() ^ (Arc::as_ptr(row.timelines) as *const u8 as u64);
    for c in row.components {
        let name = c.name().as_str();
        h = (h.rotate_left(5) ^ (name.as_ptr() as u64) ^ name.len() as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    h
}

/// What [`ThreadRows::add`] did with a row.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Added {
    /// The row waits in its group.
    Pending,
    /// The row's group reached a threshold: the batcher should take it now.
    Sealed,
    /// The recording closed; the row was not kept.
    Closed,
}

/// The rows one thread logged to one recording that the batcher has not taken yet.
#[derive(Default)]
pub(crate) struct ThreadRows {
    open: Vec<Group>,
    /// Fingerprint → index in `open`, for the common case of a repeated group.
    index: FxHashMap<u64, usize>,
    /// Groups that reached a threshold, oldest first.
    sealed: Vec<Group>,
    closed: bool,
}

impl ThreadRows {
    /// Adds `row` to its group.
    pub fn add(&mut self, row: PendingRow<'_>, limits: GroupLimits) -> Added {
        if self.closed {
            return Added::Closed;
        }
        let fp = fingerprint(&row);
        let i = match self.index.get(&fp) {
            Some(&i) if self.open[i].matches(&row) => i,
            _ => {
                let i = match self.open.iter().position(|g| g.matches(&row)) {
                    Some(i) => i,
                    None => {
                        self.open.push(Group::new(&row));
                        self.open.len() - 1
                    }
                };
                self.index.insert(fp, i);
                i
            }
        };
        let group = &mut self.open[i];
        group.push(row);
        if !group.is_full(limits) {
            return Added::Pending;
        }
        // An empty group takes its place, so the index stays valid and the entity's next
        // rows land there.
        let empty = group.emptied();
        self.sealed.push(std::mem::replace(group, empty));
        Added::Sealed
    }

    /// Moves the groups out into `out`, sealed ones first (they are older): all of them,
    /// or only the sealed ones.
    fn take(&mut self, all: bool, out: &mut Vec<Group>) {
        out.append(&mut self.sealed);
        if all {
            self.index.clear();
            out.extend(self.open.drain(..).filter(|g| g.num_rows() > 0));
        }
    }
}

/// A thread's rows, shared between it (while it logs) and the batcher.
pub(crate) type SharedRows = Arc<Mutex<ThreadRows>>;

/// Every logging thread's rows of one recording.
#[derive(Default)]
pub(crate) struct RowRegistry {
    threads: Mutex<Threads>,
}

#[derive(Default)]
struct Threads {
    rows: Vec<SharedRows>,
    closed: bool,
}

impl RowRegistry {
    /// A new buffer for the calling thread's rows.
    pub fn register(&self) -> SharedRows {
        let mut threads = self.threads.lock();
        let rows = Arc::new(Mutex::new(ThreadRows {
            closed: threads.closed,
            ..ThreadRows::default()
        }));
        threads.rows.push(rows.clone());
        rows
    }

    /// Takes every thread's groups (or only the sealed ones), and forgets threads that
    /// ended with nothing left.
    pub fn take(&self, all: bool) -> Vec<Group> {
        let mut out = Vec::new();
        let mut threads = self.threads.lock();
        threads.rows.retain(|rows| {
            let mut guard = rows.lock();
            guard.take(all, &mut out);
            let ended = Arc::strong_count(rows) == 1;
            !(ended && guard.open.is_empty() && guard.sealed.is_empty())
        });
        out
    }

    /// Takes everything and refuses rows from now on.
    pub fn close(&self) -> Vec<Group> {
        let mut out = Vec::new();
        let mut threads = self.threads.lock();
        threads.closed = true;
        for rows in threads.rows.drain(..) {
            let mut guard = rows.lock();
            guard.take(true, &mut out);
            guard.closed = true;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reel_core::arrow_array::Float64Array;

    /// A row's data, owned by the test.
    struct TestRow {
        path: EntityPath,
        timelines: Arc<[Timeline]>,
        times: [i64; 1],
        components: Vec<ComponentBatch>,
        bytes: u64,
    }

    impl TestRow {
        fn add_to(&self, rows: &mut ThreadRows, limits: GroupLimits) -> Added {
            rows.add(
                PendingRow {
                    entity_path: &self.path,
                    row_id: RowId::new(),
                    timelines: &self.timelines,
                    times: &self.times,
                    components: &self.components,
                    bytes: self.bytes,
                },
                limits,
            )
        }
    }

    fn row(path: &EntityPath, timelines: &Arc<[Timeline]>, t: i64, values: &[f64]) -> TestRow {
        let array: ArrayRef = Arc::new(Float64Array::from(values.to_vec()));
        TestRow {
            path: path.clone(),
            timelines: timelines.clone(),
            times: [t],
            components: vec![ComponentBatch::new("test.Value", array)],
            bytes: 8 * values.len() as u64,
        }
    }

    const NO_LIMIT: GroupLimits = GroupLimits {
        bytes: u64::MAX,
        rows: u64::MAX,
    };

    #[test]
    fn packed_and_unpacked_rows_make_the_same_chunk() {
        let path = EntityPath::parse_forgiving("a");
        let timelines: Arc<[Timeline]> = Arc::from(vec![Timeline::new_sequence("frame")]);
        let mut rows = ThreadRows::default();
        // Rows of 0, 1, 2 instances, enough of them to pack twice and leave a tail.
        let n = 2 * PACK_ROWS + 5;
        for i in 0..n {
            let values: Vec<f64> = (0..i % 3).map(|k| (i * 10 + k) as f64).collect();
            assert_eq!(
                row(&path, &timelines, i as i64, &values).add_to(&mut rows, NO_LIMIT),
                Added::Pending
            );
        }
        let mut groups = Vec::new();
        rows.take(true, &mut groups);
        assert_eq!(groups.len(), 1);
        let chunk = groups
            .pop()
            .expect("a group")
            .into_chunk()
            .expect("a chunk");
        assert_eq!(chunk.num_rows(), n);
        let name = ComponentName::from("test.Value");
        let list = &chunk.components()[&name];
        for i in 0..n {
            let cell = list.value(i);
            let cell = cell.as_any().downcast_ref::<Float64Array>().expect("f64");
            let expected: Vec<f64> = (0..i % 3).map(|k| (i * 10 + k) as f64).collect();
            assert_eq!(cell.values().to_vec(), expected, "row {i}");
        }
    }

    #[test]
    fn plain_cells_arrays_clears_and_indicators_mix_in_one_column() {
        use reel_core::Component;
        use reel_types::components::Scalar;

        let path = EntityPath::parse_forgiving("a");
        let timelines: Arc<[Timeline]> = Arc::from(vec![Timeline::new_sequence("frame")]);
        let indicator =
            reel_types::archetypes::indicator(reel_types::archetypes::Scalar::INDICATOR);
        let mut rows = ThreadRows::default();
        let mut expected = Vec::new();
        // Runs of plain cells, arrays of 0, 1 and 2 values, in an order that changes kind
        // inside and across packed tails.
        let n = 3 * PACK_ROWS + 7;
        for i in 0..n {
            let v = i as f64;
            let values: Vec<f64> = match (i / 5) % 4 {
                0 | 2 => vec![v],
                1 => (0..i % 3).map(|k| v + k as f64 / 10.0).collect(),
                _ => vec![v, -v],
            };
            let batch = if values.len() == 1 && (i / 5) % 4 != 1 {
                ComponentBatch::from_component(&[Scalar(v)])
            } else {
                ComponentBatch::new(Scalar::name(), Arc::new(Float64Array::from(values.clone())))
            };
            assert_eq!(
                batch.plain_bytes().is_some(),
                (i / 5) % 4 != 1 && values.len() == 1
            );
            let row = TestRow {
                path: path.clone(),
                timelines: timelines.clone(),
                times: [i as i64],
                components: vec![batch, indicator.clone()],
                bytes: 8,
            };
            assert_eq!(row.add_to(&mut rows, NO_LIMIT), Added::Pending);
            expected.push(values);
        }
        let mut groups = Vec::new();
        rows.take(true, &mut groups);
        assert_eq!(
            groups.len(),
            1,
            "plain and array cells of one type share a group"
        );
        let chunk = groups.remove(0).into_chunk().expect("a chunk");
        let list = &chunk.components()[&Scalar::name()];
        for (i, values) in expected.iter().enumerate() {
            let cell = list.value(i);
            let cell = cell.as_any().downcast_ref::<Float64Array>().expect("f64");
            assert_eq!(cell.values().to_vec(), *values, "row {i}");
        }
        let indicators =
            &chunk.components()[&ComponentName::from(reel_types::archetypes::Scalar::INDICATOR)];
        assert_eq!(indicators.value_type(), DataType::Null);
        assert!((0..n).all(|i| indicators.value_length(i) == 1));
    }

    #[test]
    fn small_rows_are_packed_and_large_ones_kept_as_logged() {
        let path = EntityPath::parse_forgiving("a");
        let timelines: Arc<[Timeline]> = Arc::from(vec![Timeline::new_sequence("frame")]);
        let mut rows = ThreadRows::default();
        for i in 0..PACK_ROWS {
            row(&path, &timelines, i as i64, &[1.0]).add_to(&mut rows, NO_LIMIT);
        }
        let large = vec![0.5; 1024];
        let other = EntityPath::parse_forgiving("b");
        for i in 0..PACK_ROWS {
            row(&other, &timelines, i as i64, &large).add_to(&mut rows, NO_LIMIT);
        }
        let pieces: Vec<(usize, usize)> = rows
            .open
            .iter()
            .map(|g| (g.columns[0].packed.len(), g.columns[0].tail.len()))
            .collect();
        assert_eq!(
            pieces,
            [(1, 0), (PACK_ROWS, 0)],
            "one packed array; 64 arrays as logged"
        );
    }

    #[test]
    fn a_full_group_is_sealed_and_the_next_rows_start_a_new_one() {
        let path = EntityPath::parse_forgiving("a");
        let timelines: Arc<[Timeline]> = Arc::from(vec![Timeline::new_sequence("frame")]);
        let mut rows = ThreadRows::default();
        let limits = GroupLimits {
            bytes: u64::MAX,
            rows: 3,
        };
        let added: Vec<Added> = (0..4)
            .map(|i| row(&path, &timelines, i, &[1.0]).add_to(&mut rows, limits))
            .collect();
        assert_eq!(
            added,
            [
                Added::Pending,
                Added::Pending,
                Added::Sealed,
                Added::Pending
            ]
        );
        let mut sealed = Vec::new();
        rows.take(false, &mut sealed);
        assert_eq!(sealed.iter().map(Group::num_rows).collect::<Vec<_>>(), [3]);
        let mut rest = Vec::new();
        rows.take(true, &mut rest);
        assert_eq!(rest.iter().map(Group::num_rows).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn a_closed_registry_refuses_rows_of_old_and_new_threads() {
        let path = EntityPath::parse_forgiving("a");
        let timelines: Arc<[Timeline]> = Arc::from(Vec::new());
        let registry = RowRegistry::default();
        let early = registry.register();
        assert_eq!(
            row(&path, &timelines, 0, &[1.0]).add_to(&mut early.lock(), NO_LIMIT),
            Added::Pending
        );
        let taken = registry.close();
        assert_eq!(taken.len(), 1, "close takes what is pending");
        assert_eq!(
            row(&path, &timelines, 1, &[1.0]).add_to(&mut early.lock(), NO_LIMIT),
            Added::Closed
        );
        let late = registry.register();
        assert_eq!(
            row(&path, &timelines, 2, &[1.0]).add_to(&mut late.lock(), NO_LIMIT),
            Added::Closed
        );
    }

    #[test]
    fn threads_that_ended_are_forgotten_once_drained() {
        let path = EntityPath::parse_forgiving("a");
        let timelines: Arc<[Timeline]> = Arc::from(Vec::new());
        let registry = RowRegistry::default();
        let rows = registry.register();
        row(&path, &timelines, 0, &[1.0]).add_to(&mut rows.lock(), NO_LIMIT);
        drop(rows);
        assert_eq!(
            registry.take(true).len(),
            1,
            "an ended thread's rows are delivered"
        );
        assert!(registry.threads.lock().rows.is_empty());
    }
}
