//! [`Chunk`]: the columnar unit of storage and transport.
//!
//! A chunk holds rows of one entity that share a set of timelines. Its columns are:
//! one [`RowId`] per row, one [`TimeColumn`] per timeline, and one Arrow `ListArray` per
//! component, where row `i`'s list holds that row's instances. A null list means the row
//! did not log the component; an empty list means the row cleared it.
//!
//! A chunk converts losslessly to and from an Arrow [`RecordBatch`]; see [`Chunk::to_record_batch`]
//! for the exact schema.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, DurationNanosecondArray, FixedSizeBinaryArray, Int64Array, ListArray,
    RecordBatch, TimestampNanosecondArray,
};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema};

use crate::{
    ChunkId, ComponentBatch, ComponentName, EntityPath, RowId, TimeInt, TimePoint, TimeType,
    Timeline,
};

/// Schema metadata key: the chunk's entity path in escaped syntax.
pub const META_ENTITY_PATH: &str = "reel.entity_path";
/// Schema metadata key: the chunk id, 32 hex digits.
pub const META_CHUNK_ID: &str = "reel.chunk_id";
/// Field metadata key: what a column is (`row_id`, `time` or `component`).
pub const META_KIND: &str = "reel.kind";
/// Field metadata key on time columns: `"true"` if the column is sorted ascending.
pub const META_IS_SORTED: &str = "reel.is_sorted";
/// Name of the row-id column.
pub const ROW_ID_COLUMN: &str = "reel.row_id";

/// What went wrong building, combining or converting a chunk.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ChunkError {
    /// Columns of different lengths.
    #[error("column {column} has {found} rows, expected {expected}")]
    LengthMismatch {
        /// The offending column.
        column: String,
        /// The row count of the chunk.
        expected: usize,
        /// The column's row count.
        found: usize,
    },
    /// A row is on another set of timelines than the first row.
    #[error("row {row} is on timelines {found:?}, but the chunk's rows are on {expected:?}")]
    TimelinesDiffer {
        /// Index of the offending row.
        row: usize,
        /// The chunk's timeline names.
        expected: Vec<String>,
        /// The row's timeline names.
        found: Vec<String>,
    },
    /// One component with two Arrow types.
    #[error("component {component} has Arrow type {found}, but {expected} elsewhere in the chunk")]
    DatatypeMismatch {
        /// The component.
        component: ComponentName,
        /// The type seen first.
        expected: DataType,
        /// The conflicting type.
        found: DataType,
    },
    /// The same component twice in one row.
    #[error("row {row} holds component {component} twice")]
    DuplicateComponent {
        /// Index of the row.
        row: usize,
        /// The component.
        component: ComponentName,
    },
    /// Chunks that cannot be concatenated.
    #[error("chunks are not compatible: {0}")]
    Incompatible(String),
    /// More instances than a `ListArray` can index.
    #[error("component {0} holds more than 2^31 instances in one chunk")]
    TooManyInstances(ComponentName),
    /// A record batch that is not a chunk.
    #[error("not a reel chunk: {0}")]
    BadRecordBatch(String),
    /// An error from Arrow itself.
    #[error("arrow: {0}")]
    Arrow(String),
}

impl From<arrow_schema::ArrowError> for ChunkError {
    fn from(e: arrow_schema::ArrowError) -> Self {
        Self::Arrow(e.to_string())
    }
}

/// The values of one timeline for every row of a chunk.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeColumn {
    timeline: Timeline,
    times: ScalarBuffer<i64>,
    is_sorted: bool,
}

impl TimeColumn {
    /// A column from its values; whether it is sorted is computed here.
    pub fn new(timeline: Timeline, times: impl Into<ScalarBuffer<i64>>) -> Self {
        let times = times.into();
        let is_sorted = times.windows(2).all(|w| w[0] <= w[1]);
        Self {
            timeline,
            times,
            is_sorted,
        }
    }

    /// The buffer holding the times (possibly a slice of a larger allocation).
    pub fn buffer(&self) -> &ScalarBuffer<i64> {
        &self.times
    }

    /// The timeline.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The raw values, one per row.
    pub fn times(&self) -> &[i64] {
        &self.times
    }

    /// Whether the values ascend (ties allowed).
    pub fn is_sorted(&self) -> bool {
        self.is_sorted
    }

    /// Smallest and largest value, `None` for an empty column.
    pub fn range(&self) -> Option<(TimeInt, TimeInt)> {
        if self.is_sorted {
            Some((
                TimeInt::new(*self.times.first()?),
                TimeInt::new(*self.times.last()?),
            ))
        } else {
            let min = self.times.iter().min()?;
            let max = self.times.iter().max()?;
            Some((TimeInt::new(*min), TimeInt::new(*max)))
        }
    }

    fn to_arrow(&self) -> ArrayRef {
        match self.timeline.typ() {
            TimeType::Sequence => Arc::new(Int64Array::new(self.times.clone(), None)),
            TimeType::Time => Arc::new(
                TimestampNanosecondArray::new(self.times.clone(), None).with_timezone("UTC"),
            ),
            TimeType::Duration => Arc::new(DurationNanosecondArray::new(self.times.clone(), None)),
        }
    }
}

/// One row of a chunk, or a row to build a chunk from.
#[derive(Clone, Debug, PartialEq)]
pub struct ChunkRow {
    /// The row's id.
    pub row_id: RowId,
    /// Where on which timelines the row was logged; empty for timeless rows.
    pub timepoint: TimePoint,
    /// The components the row logged (an empty batch is a clear).
    pub components: Vec<ComponentBatch>,
}

/// Rows of one entity sharing a set of timelines, stored column by column.
#[derive(Clone, Debug)]
pub struct Chunk {
    id: ChunkId,
    entity_path: EntityPath,
    row_ids: Arc<[RowId]>,
    timelines: BTreeMap<Timeline, TimeColumn>,
    components: BTreeMap<ComponentName, ListArray>,
}

impl PartialEq for Chunk {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.entity_path == other.entity_path
            && self.row_ids == other.row_ids
            && self.timelines == other.timelines
            && self.components.len() == other.components.len()
            && self
                .components
                .iter()
                .zip(&other.components)
                .all(|((n1, a1), (n2, a2))| n1 == n2 && a1.to_data() == a2.to_data())
    }
}

impl Chunk {
    /// A chunk from its columns, checking that every column has one entry per row.
    pub fn new(
        id: ChunkId,
        entity_path: EntityPath,
        row_ids: impl Into<Arc<[RowId]>>,
        timelines: impl IntoIterator<Item = TimeColumn>,
        components: impl IntoIterator<Item = (ComponentName, ListArray)>,
    ) -> Result<Self, ChunkError> {
        let row_ids = row_ids.into();
        let n = row_ids.len();
        let mut time_map = BTreeMap::new();
        for col in timelines {
            if col.times.len() != n {
                return Err(ChunkError::LengthMismatch {
                    column: col.timeline.name().to_string(),
                    expected: n,
                    found: col.times.len(),
                });
            }
            time_map.insert(col.timeline.clone(), col);
        }
        let mut comp_map = BTreeMap::new();
        for (name, list) in components {
            if list.len() != n {
                return Err(ChunkError::LengthMismatch {
                    column: name.to_string(),
                    expected: n,
                    found: list.len(),
                });
            }
            comp_map.insert(name, list);
        }
        Ok(Self {
            id,
            entity_path,
            row_ids,
            timelines: time_map,
            components: comp_map,
        })
    }

    /// Builds a chunk from rows. Every row must be on the same timelines; a component must
    /// have one Arrow type across rows; a row that lacks a component gets a null there.
    pub fn from_rows(
        entity_path: EntityPath,
        rows: impl IntoIterator<Item = ChunkRow>,
    ) -> Result<Self, ChunkError> {
        let rows: Vec<ChunkRow> = rows.into_iter().collect();
        let n = rows.len();

        // Timeline columns, from the first row's set.
        let timelines: Vec<Timeline> = rows
            .first()
            .map(|r| r.timepoint.timelines().cloned().collect())
            .unwrap_or_default();
        let mut times: Vec<Vec<i64>> = vec![Vec::with_capacity(n); timelines.len()];
        for (i, row) in rows.iter().enumerate() {
            let same = row.timepoint.len() == timelines.len()
                && row
                    .timepoint
                    .timelines()
                    .zip(&timelines)
                    .all(|(a, b)| a == b);
            if !same {
                return Err(ChunkError::TimelinesDiffer {
                    row: i,
                    expected: timelines.iter().map(|t| t.name().to_string()).collect(),
                    found: row
                        .timepoint
                        .timelines()
                        .map(|t| t.name().to_string())
                        .collect(),
                });
            }
            for (col, (_, t)) in times.iter_mut().zip(row.timepoint.iter()) {
                col.push(t.as_i64());
            }
        }

        // Component columns: for each name, the per-row batch (or none).
        let mut per_component: BTreeMap<ComponentName, (DataType, Vec<Option<ArrayRef>>)> =
            BTreeMap::new();
        for (i, row) in rows.iter().enumerate() {
            for batch in &row.components {
                let entry = per_component
                    .entry(batch.name().clone())
                    .or_insert_with(|| (batch.datatype().clone(), vec![None; n]));
                if &entry.0 != batch.datatype() {
                    return Err(ChunkError::DatatypeMismatch {
                        component: batch.name().clone(),
                        expected: entry.0.clone(),
                        found: batch.datatype().clone(),
                    });
                }
                if entry.1[i].replace(batch.array().clone()).is_some() {
                    return Err(ChunkError::DuplicateComponent {
                        row: i,
                        component: batch.name().clone(),
                    });
                }
            }
        }
        let mut components = Vec::with_capacity(per_component.len());
        for (name, (datatype, cells)) in per_component {
            let list = list_from_cells(&name, &datatype, &cells)?;
            components.push((name, list));
        }

        let row_ids: Arc<[RowId]> = rows.iter().map(|r| r.row_id).collect();
        let time_columns = timelines
            .into_iter()
            .zip(times)
            .map(|(t, v)| TimeColumn::new(t, v));
        Self::new(
            ChunkId::new(),
            entity_path,
            row_ids,
            time_columns,
            components,
        )
    }

    /// The chunk's id.
    pub fn id(&self) -> ChunkId {
        self.id
    }

    /// The entity all rows belong to.
    pub fn entity_path(&self) -> &EntityPath {
        &self.entity_path
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.row_ids.len()
    }

    /// Whether the chunk has no rows.
    pub fn is_empty(&self) -> bool {
        self.row_ids.is_empty()
    }

    /// The row ids, one per row.
    pub fn row_ids(&self) -> &[RowId] {
        &self.row_ids
    }

    /// Whether the rows are timeless (on no timeline).
    pub fn is_timeless(&self) -> bool {
        self.timelines.is_empty()
    }

    /// The time columns, by timeline.
    pub fn timelines(&self) -> &BTreeMap<Timeline, TimeColumn> {
        &self.timelines
    }

    /// The component columns, by name.
    pub fn components(&self) -> &BTreeMap<ComponentName, ListArray> {
        &self.components
    }

    /// Bytes of memory the chunk's columns use (an estimate that counts Arrow buffers).
    pub fn heap_size_bytes(&self) -> usize {
        self.row_ids.len() * std::mem::size_of::<RowId>()
            + self
                .timelines
                .values()
                .map(|c| c.times.len() * 8)
                .sum::<usize>()
            + self
                .components
                .values()
                .map(|l| l.get_array_memory_size())
                .sum::<usize>()
    }

    /// Total instances of `component` over all rows (a splat counts once).
    pub fn num_instances(&self, component: &ComponentName) -> usize {
        self.components.get(component).map_or(0, |l| {
            let offsets = l.value_offsets();
            (offsets[offsets.len() - 1] - offsets[0]) as usize
        })
    }

    /// Row `index`, or `None` past the end. Its batches are zero-copy slices, ordered by
    /// component name; components the row did not log are left out.
    pub fn row(&self, index: usize) -> Option<ChunkRow> {
        (index < self.num_rows()).then(|| self.row_at(index))
    }

    /// Row `index`, which must be in bounds.
    fn row_at(&self, index: usize) -> ChunkRow {
        let row_id = self.row_ids[index];
        let timepoint = self
            .timelines
            .iter()
            .map(|(t, col)| (t.clone(), TimeInt::new(col.times[index])))
            .collect();
        let components = self
            .components
            .iter()
            .filter(|(_, list)| list.is_valid(index))
            .map(|(name, list)| ComponentBatch::new(name.clone(), list.value(index)))
            .collect();
        ChunkRow {
            row_id,
            timepoint,
            components,
        }
    }

    /// The rows, in storage order.
    pub fn iter_rows(&self) -> impl ExactSizeIterator<Item = ChunkRow> + '_ {
        (0..self.num_rows()).map(|i| self.row_at(i))
    }

    /// Concatenates chunks of one entity, timeline set and component schema, in order.
    /// The result gets a new id.
    pub fn concat(chunks: &[&Chunk]) -> Result<Chunk, ChunkError> {
        let first = chunks
            .first()
            .ok_or_else(|| ChunkError::Incompatible("no chunks to concatenate".into()))?;
        for other in &chunks[1..] {
            if other.entity_path != first.entity_path {
                return Err(ChunkError::Incompatible(format!(
                    "entity {} vs {}",
                    first.entity_path, other.entity_path
                )));
            }
            if !other.timelines.keys().eq(first.timelines.keys()) {
                return Err(ChunkError::Incompatible("different timelines".into()));
            }
            let same_schema = other.components.len() == first.components.len()
                && other
                    .components
                    .iter()
                    .zip(&first.components)
                    .all(|((n1, l1), (n2, l2))| n1 == n2 && l1.data_type() == l2.data_type());
            if !same_schema {
                return Err(ChunkError::Incompatible(
                    "different component schemas".into(),
                ));
            }
        }
        // Sized exactly: a merged chunk lives long, and growth by doubling would leave up
        // to half of its time columns unused.
        let rows: usize = chunks.iter().map(|c| c.num_rows()).sum();
        let mut ids = Vec::with_capacity(rows);
        for c in chunks {
            ids.extend_from_slice(&c.row_ids);
        }
        let row_ids: Arc<[RowId]> = ids.into();
        let timelines = first.timelines.keys().map(|t| {
            let mut times = Vec::with_capacity(rows);
            for c in chunks {
                times.extend_from_slice(&c.timelines[t].times);
            }
            TimeColumn::new(t.clone(), times)
        });
        let mut components = Vec::with_capacity(first.components.len());
        for name in first.components.keys() {
            let parts: Vec<&dyn Array> = chunks
                .iter()
                .map(|c| &c.components[name] as &dyn Array)
                .collect();
            let joined = arrow_select::concat::concat(&parts)?;
            let list = joined
                .as_any()
                .downcast_ref::<ListArray>()
                .ok_or_else(|| ChunkError::Arrow("concat did not return a list".into()))?
                .clone();
            components.push((name.clone(), list));
        }
        Chunk::new(
            ChunkId::new(),
            first.entity_path.clone(),
            row_ids,
            timelines,
            components,
        )
    }

    /// A copy (same id, same rows) whose columns own buffers holding exactly their data. A
    /// chunk decoded from a message shares that message's one allocation among its columns,
    /// so any column kept alive keeps all of it, including bytes no column uses any more.
    pub fn with_own_buffers(&self) -> Result<Chunk, ChunkError> {
        let timelines = self
            .timelines
            .iter()
            .map(|(t, c)| {
                let column = TimeColumn {
                    timeline: t.clone(),
                    times: ScalarBuffer::from(c.times.to_vec()),
                    is_sorted: c.is_sorted,
                };
                (t.clone(), column)
            })
            .collect();
        let mut components = BTreeMap::new();
        for (name, list) in &self.components {
            let data = list.to_data();
            let mut copy =
                arrow_data::transform::MutableArrayData::new(vec![&data], false, data.len());
            copy.try_extend(0, 0, data.len())
                .map_err(|e| ChunkError::Arrow(e.to_string()))?;
            components.insert(name.clone(), ListArray::from(copy.freeze()));
        }
        Ok(Chunk {
            id: self.id,
            entity_path: self.entity_path.clone(),
            row_ids: self.row_ids.clone(),
            timelines,
            components,
        })
    }

    /// The chunk as an Arrow record batch.
    ///
    /// Schema metadata: [`META_ENTITY_PATH`] and [`META_CHUNK_ID`]. Columns, in order:
    /// [`ROW_ID_COLUMN`] (`FixedSizeBinary(16)`, big-endian row ids); one column per timeline,
    /// named by it (`Int64` for sequences, `Timestamp(ns, UTC)` for time, `Duration(ns)`), with
    /// [`META_IS_SORTED`]; one `List<T>` column per component, named by it. Every field has
    /// [`META_KIND`].
    pub fn to_record_batch(&self) -> Result<RecordBatch, ChunkError> {
        let kind = |k: &str| HashMap::from([(META_KIND.to_owned(), k.to_owned())]);
        let mut fields = Vec::with_capacity(1 + self.timelines.len() + self.components.len());
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(fields.capacity());

        let mut row_id_bytes = Vec::with_capacity(self.row_ids.len() * 16);
        for r in self.row_ids.iter() {
            row_id_bytes.extend_from_slice(&r.as_tuid().to_bytes());
        }
        let row_ids = FixedSizeBinaryArray::try_new(16, row_id_bytes.into(), None)?;
        fields.push(
            Field::new(ROW_ID_COLUMN, DataType::FixedSizeBinary(16), false)
                .with_metadata(kind("row_id")),
        );
        columns.push(Arc::new(row_ids));

        for (timeline, col) in &self.timelines {
            let mut meta = kind("time");
            meta.insert(META_IS_SORTED.to_owned(), col.is_sorted.to_string());
            fields.push(
                Field::new(
                    timeline.name().as_str(),
                    timeline.typ().arrow_datatype(),
                    false,
                )
                .with_metadata(meta),
            );
            columns.push(col.to_arrow());
        }
        for (name, list) in &self.components {
            fields.push(
                Field::new(name.as_str(), list.data_type().clone(), true)
                    .with_metadata(kind("component")),
            );
            columns.push(Arc::new(list.clone()));
        }
        let metadata = HashMap::from([
            (META_ENTITY_PATH.to_owned(), self.entity_path.to_string()),
            (META_CHUNK_ID.to_owned(), self.id.to_string()),
        ]);
        let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(self.num_rows()));
        Ok(RecordBatch::try_new_with_options(
            schema, columns, &options,
        )?)
    }

    /// Reads a chunk back from [`Self::to_record_batch`]'s form, checking every column.
    pub fn from_record_batch(batch: &RecordBatch) -> Result<Self, ChunkError> {
        let bad = |s: String| ChunkError::BadRecordBatch(s);
        let schema = batch.schema();
        let meta = schema.metadata();
        let path_str = meta
            .get(META_ENTITY_PATH)
            .ok_or_else(|| bad(format!("missing schema metadata {META_ENTITY_PATH}")))?;
        let entity_path = EntityPath::parse_strict(path_str)
            .map_err(|e| bad(format!("entity path {path_str:?}: {e}")))?;
        let id_str = meta
            .get(META_CHUNK_ID)
            .ok_or_else(|| bad(format!("missing schema metadata {META_CHUNK_ID}")))?;
        let id = id_str
            .parse::<crate::Tuid>()
            .map(ChunkId)
            .map_err(|_| bad(format!("chunk id {id_str:?} is not 32 hex digits")))?;

        let mut row_ids: Option<Arc<[RowId]>> = None;
        let mut timelines = Vec::new();
        let mut components = Vec::new();
        let mut seen_components = BTreeSet::new();
        for (field, column) in schema.fields().iter().zip(batch.columns()) {
            let kind = field.metadata().get(META_KIND).map(String::as_str);
            match kind {
                Some("row_id") => {
                    let arr = column
                        .as_any()
                        .downcast_ref::<FixedSizeBinaryArray>()
                        .filter(|a| a.value_length() == 16 && a.null_count() == 0)
                        .ok_or_else(|| {
                            bad("row id column is not non-null FixedSizeBinary(16)".into())
                        })?;
                    let start = arr.offset() * 16;
                    let bytes = &arr.value_data()[start..start + arr.len() * 16];
                    let ids = bytes
                        .chunks_exact(16)
                        .map(|b| {
                            let mut id = [0u8; 16];
                            id.copy_from_slice(b);
                            RowId(crate::Tuid::from_bytes(id))
                        })
                        .collect();
                    if row_ids.replace(ids).is_some() {
                        return Err(bad("two row id columns".into()));
                    }
                }
                Some("time") => {
                    let typ =
                        TimeType::from_arrow_datatype(column.data_type()).ok_or_else(|| {
                            bad(format!(
                                "time column {} has type {}",
                                field.name(),
                                column.data_type()
                            ))
                        })?;
                    if column.null_count() != 0 {
                        return Err(bad(format!("time column {} has nulls", field.name())));
                    }
                    let data = column.to_data();
                    let values = data.buffers().first().ok_or_else(|| {
                        bad(format!("time column {} has no values", field.name()))
                    })?;
                    let times = ScalarBuffer::<i64>::new(values.clone(), data.offset(), data.len());
                    timelines.push(TimeColumn::new(Timeline::new(field.name(), typ), times));
                }
                Some("component") => {
                    let list = column.as_any().downcast_ref::<ListArray>().ok_or_else(|| {
                        bad(format!("component column {} is not a List", field.name()))
                    })?;
                    let name = ComponentName::new(field.name());
                    if !seen_components.insert(name.clone()) {
                        return Err(bad(format!("component {name} appears twice")));
                    }
                    components.push((name, list.clone()));
                }
                other => {
                    return Err(bad(format!(
                        "column {} has {META_KIND}={other:?}, expected row_id, time or component",
                        field.name()
                    )))
                }
            }
        }
        let row_ids = row_ids.ok_or_else(|| bad("no row id column".into()))?;
        Self::new(id, entity_path, row_ids, timelines, components)
    }
}

/// Builds a component column from per-row cells (`None` = not logged in that row): row
/// `i`'s list holds `cells[i]`'s instances. Every cell must have type `datatype`.
pub fn list_from_cells(
    name: &ComponentName,
    datatype: &DataType,
    cells: &[Option<ArrayRef>],
) -> Result<ListArray, ChunkError> {
    let mut offsets = Vec::with_capacity(cells.len() + 1);
    offsets.push(0i32);
    let mut total: usize = 0;
    let mut present: Vec<&dyn Array> = Vec::with_capacity(cells.len());
    for cell in cells {
        if let Some(a) = cell {
            total += a.len();
            present.push(a.as_ref());
        }
        let off = i32::try_from(total).map_err(|_| ChunkError::TooManyInstances(name.clone()))?;
        offsets.push(off);
    }
    let values: ArrayRef = match present.as_slice() {
        [] => arrow_array::new_empty_array(datatype),
        [one] => arrow_array::make_array(one.to_data()),
        many => arrow_select::concat::concat(many)?,
    };
    let nulls = cells
        .iter()
        .any(Option::is_none)
        .then(|| NullBuffer::from_iter(cells.iter().map(Option::is_some)));
    let field = Arc::new(Field::new_list_field(datatype.clone(), true));
    Ok(ListArray::try_new(
        field,
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        values,
        nulls,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float32Array, StringArray};

    fn path(s: &str) -> EntityPath {
        EntityPath::parse_strict(s).expect("valid path")
    }

    fn floats(v: &[f32]) -> ArrayRef {
        Arc::new(Float32Array::from(v.to_vec()))
    }

    fn row(frame: i64, comps: Vec<ComponentBatch>) -> ChunkRow {
        ChunkRow {
            row_id: RowId::new(),
            timepoint: TimePoint::default().with(Timeline::new_sequence("frame"), frame),
            components: comps,
        }
    }

    #[test]
    fn rows_round_trip_with_nulls_splats_and_clears() {
        let rows = vec![
            row(
                0,
                vec![ComponentBatch::new("radius", floats(&[1.0, 2.0, 3.0]))],
            ),
            row(
                2,
                vec![
                    ComponentBatch::new("label", Arc::new(StringArray::from(vec!["a"]))),
                    ComponentBatch::new("radius", floats(&[9.0])),
                ],
            ),
            row(1, vec![ComponentBatch::new("radius", floats(&[]))]),
        ];
        let chunk = Chunk::from_rows(path("a/b"), rows.clone()).expect("chunk");
        assert_eq!(chunk.num_rows(), 3);
        let frame = &chunk.timelines()[&Timeline::new_sequence("frame")];
        assert!(!frame.is_sorted());
        assert_eq!(frame.range(), Some((TimeInt::new(0), TimeInt::new(2))));
        assert_eq!(chunk.num_instances(&"radius".into()), 4);
        let back: Vec<ChunkRow> = chunk.iter_rows().collect();
        assert_eq!(back, rows);
        // The label column is null in rows 0 and 2.
        assert_eq!(
            chunk.components()[&ComponentName::new("label")].null_count(),
            2
        );
    }

    #[test]
    fn record_batch_round_trip() {
        let rows = vec![row(5, vec![ComponentBatch::new("radius", floats(&[1.0]))])];
        let chunk = Chunk::from_rows(path("wörld/🦀"), rows).expect("chunk");
        let rb = chunk.to_record_batch().expect("to batch");
        assert_eq!(rb.num_rows(), 1);
        assert_eq!(Chunk::from_record_batch(&rb).expect("from batch"), chunk);
    }

    #[test]
    fn timeless_chunk_round_trips() {
        let rows = vec![ChunkRow {
            row_id: RowId::new(),
            timepoint: TimePoint::timeless(),
            components: vec![ComponentBatch::new("radius", floats(&[1.0]))],
        }];
        let chunk = Chunk::from_rows(path("static"), rows).expect("chunk");
        assert!(chunk.is_timeless());
        let rb = chunk.to_record_batch().expect("to batch");
        assert_eq!(Chunk::from_record_batch(&rb).expect("back"), chunk);
    }

    #[test]
    fn rejects_bad_rows() {
        let mut other = row(1, vec![]);
        other.timepoint = TimePoint::default().with(Timeline::new_sequence("other"), 1);
        let e = Chunk::from_rows(path("a"), vec![row(0, vec![]), other]).expect_err("differ");
        assert!(
            matches!(e, ChunkError::TimelinesDiffer { row: 1, .. }),
            "{e}"
        );

        let e = Chunk::from_rows(
            path("a"),
            vec![
                row(0, vec![ComponentBatch::new("x", floats(&[1.0]))]),
                row(
                    1,
                    vec![ComponentBatch::new(
                        "x",
                        Arc::new(StringArray::from(vec!["s"])),
                    )],
                ),
            ],
        )
        .expect_err("types");
        assert!(matches!(e, ChunkError::DatatypeMismatch { .. }), "{e}");

        let dup = vec![
            ComponentBatch::new("x", floats(&[1.0])),
            ComponentBatch::new("x", floats(&[2.0])),
        ];
        let e = Chunk::from_rows(path("a"), vec![row(0, dup)]).expect_err("dup");
        assert!(
            matches!(e, ChunkError::DuplicateComponent { row: 0, .. }),
            "{e}"
        );
    }

    #[test]
    fn concat_joins_rows_in_order() {
        let a = Chunk::from_rows(
            path("e"),
            vec![row(0, vec![ComponentBatch::new("x", floats(&[1.0]))])],
        )
        .expect("a");
        let b = Chunk::from_rows(
            path("e"),
            vec![row(1, vec![ComponentBatch::new("x", floats(&[2.0, 3.0]))])],
        )
        .expect("b");
        let ab = Chunk::concat(&[&a, &b]).expect("concat");
        assert_eq!(ab.num_rows(), 2);
        assert!(ab.timelines().values().all(TimeColumn::is_sorted));
        let rows: Vec<_> = ab.iter_rows().collect();
        assert_eq!(rows[0], a.row(0).expect("row"));
        assert_eq!(rows[1], b.row(0).expect("row"));

        let c = Chunk::from_rows(path("other"), vec![row(0, vec![])]).expect("c");
        assert!(matches!(
            Chunk::concat(&[&a, &c]),
            Err(ChunkError::Incompatible(_))
        ));
        let d = Chunk::from_rows(
            path("e"),
            vec![row(0, vec![ComponentBatch::new("y", floats(&[1.0]))])],
        )
        .expect("d");
        assert!(matches!(
            Chunk::concat(&[&a, &d]),
            Err(ChunkError::Incompatible(_))
        ));
    }

    #[test]
    fn from_record_batch_rejects_foreign_batches() {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Float32, false)]));
        let rb = RecordBatch::try_new(schema, vec![floats(&[1.0])]).expect("batch");
        let e = Chunk::from_record_batch(&rb).expect_err("foreign");
        assert!(e.to_string().contains(META_ENTITY_PATH), "{e}");
    }
}
