//! Dataframe views: a recording as a table with one row per value of an index timeline
//! and one column per (entity, component), named `/entity/path:ComponentShortName`.
//!
//! A cell holds the component's instances logged at exactly that index value (the latest
//! by row id if several rows share it), or null. With [`DataframeView::fill_latest_at`] a
//! cell holds the latest-at value instead (clears respected). A component with static data
//! only shows it on every row. Indicators (`reel.indicators.*`) carry no data and are left
//! out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Deref;
use std::sync::Arc;

use arrow_array::{
    new_null_array, Array, ArrayRef, DurationNanosecondArray, Int64Array, ListArray, RecordBatch,
    RecordBatchOptions, TimestampNanosecondArray,
};
use arrow_buffer::ScalarBuffer;
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use reel_core::{ComponentName, EntityPath, TimeInt, TimeType, Timeline};

use crate::chunk_store::ChunkStore;
use crate::query::{LatestAtQuery, QueryHit, RangeQuery, RowKey};

/// Rows per record batch a selection yields, at most.
pub const BATCH_ROWS: usize = 64 * 1024;

/// Batches cut at chunk ends average at least this many rows, or are not cut there.
const MIN_CUT_ROWS: usize = 1024;

/// What went wrong building a view.
#[derive(Debug, thiserror::Error)]
pub enum DataframeError {
    /// The index names no timeline of the recording.
    #[error("no timeline named {name:?} in the recording (it has: {known})")]
    UnknownTimeline {
        /// The name asked for.
        name: String,
        /// The timelines there are.
        known: String,
    },
    /// A path expression could not be parsed.
    #[error("bad path expression {expr:?}: {reason}")]
    BadExpression {
        /// The expression.
        expr: String,
        /// Why.
        reason: String,
    },
    /// `select` named a column the view does not have.
    #[error("no column {0:?} in the view")]
    UnknownColumn(String),
    /// Arrow refused to build a column (mismatched types across chunks, say).
    #[error("building column {column}: {source}")]
    Arrow {
        /// The column.
        column: String,
        /// Arrow's error.
        source: ArrowError,
    },
}

/// Which entities and components a view shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViewContents {
    /// Path expressions, each `/exact/path` or `/subtree/**`; a leading `-` excludes.
    Expressions(Vec<String>),
    /// Entity path → components (full names or short names like `Position3D`); an empty
    /// list means every component of the entity.
    Explicit(BTreeMap<String, Vec<String>>),
}

impl ViewContents {
    /// Contents from one string of whitespace-separated path expressions.
    pub fn expr(s: &str) -> Self {
        Self::Expressions(s.split_whitespace().map(str::to_owned).collect())
    }
}

/// One data column of a view.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ColumnDescriptor {
    /// The entity.
    pub entity: EntityPath,
    /// The component.
    pub component: ComponentName,
}

impl ColumnDescriptor {
    /// The column's name, `/entity/path:ShortName`.
    pub fn name(&self) -> String {
        format!("/{}:{}", self.entity, self.component.short_name())
    }
}

/// What a view selects, independent of any store: the index, columns and filters.
#[derive(Clone, Debug)]
pub struct ViewSpec {
    /// The index timeline.
    pub index: Timeline,
    /// The data columns, in entity then component order.
    pub columns: Vec<ColumnDescriptor>,
    /// Keep index values in `[min, max]`.
    pub range: Option<(TimeInt, TimeInt)>,
    /// Keep only these index values.
    pub filter_values: Option<BTreeSet<i64>>,
    /// Use exactly these index values as rows.
    pub using_values: Option<Vec<i64>>,
    /// Fill cells with latest-at values.
    pub fill_latest_at: bool,
}

/// A dataframe view over one recording; cheap builder methods, then [`Self::select`].
#[derive(Clone, Debug)]
pub struct DataframeView<'a> {
    store: &'a ChunkStore,
    spec: ViewSpec,
}

impl ChunkStore {
    /// The timeline named `name`.
    pub fn timeline_by_name(&self, name: &str) -> Result<Timeline, DataframeError> {
        self.timelines()
            .keys()
            .find(|t| t.name().as_str() == name)
            .cloned()
            .ok_or_else(|| DataframeError::UnknownTimeline {
                name: name.to_owned(),
                known: self
                    .timelines()
                    .keys()
                    .map(|t| t.name().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// A view indexed by the timeline named `index`, showing `contents`.
    pub fn view(
        &self,
        index: &str,
        contents: &ViewContents,
    ) -> Result<DataframeView<'_>, DataframeError> {
        Ok(DataframeView {
            store: self,
            spec: ViewSpec::new(self, index, contents)?,
        })
    }

    /// A view from a spec built earlier (possibly against an older state of the store).
    pub fn view_of(&self, spec: ViewSpec) -> DataframeView<'_> {
        DataframeView { store: self, spec }
    }
}

enum Rule {
    Exact(EntityPath),
    Subtree(EntityPath),
}

fn parse_rule(expr: &str) -> Result<(bool, Rule), DataframeError> {
    let (exclude, body) = match expr.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, expr.strip_prefix('+').unwrap_or(expr).trim()),
    };
    let bad = |reason: String| DataframeError::BadExpression {
        expr: expr.to_owned(),
        reason,
    };
    let parse = |s: &str| EntityPath::parse_strict(s).map_err(|e| bad(e.to_string()));
    let rule = if body == "/**" || body == "**" {
        Rule::Subtree(EntityPath::root())
    } else if let Some(prefix) = body.strip_suffix("/**") {
        Rule::Subtree(parse(prefix)?)
    } else if body.contains('*') {
        return Err(bad("`**` may only end an expression".into()));
    } else {
        Rule::Exact(parse(body)?)
    };
    Ok((exclude, rule))
}

impl ViewSpec {
    /// Resolves `index` and `contents` against what `store` holds now.
    pub fn new(
        store: &ChunkStore,
        index: &str,
        contents: &ViewContents,
    ) -> Result<Self, DataframeError> {
        let index = store.timeline_by_name(index)?;
        let mut columns = Vec::new();
        match contents {
            ViewContents::Expressions(exprs) => {
                let rules = exprs
                    .iter()
                    .map(|e| parse_rule(e))
                    .collect::<Result<Vec<_>, _>>()?;
                for entity in store.entity_paths() {
                    let mut included = false;
                    for (exclude, rule) in &rules {
                        let hit = match rule {
                            Rule::Exact(p) => p == entity,
                            Rule::Subtree(p) => entity.starts_with(p),
                        };
                        if hit {
                            included = !exclude;
                        }
                    }
                    if included {
                        columns.extend(store.entity_data_components(entity).into_iter().map(
                            |component| ColumnDescriptor {
                                entity: entity.clone(),
                                component,
                            },
                        ));
                    }
                }
            }
            ViewContents::Explicit(map) => {
                for (path, wanted) in map {
                    let entity = EntityPath::parse_strict(path).map_err(|e| {
                        DataframeError::BadExpression {
                            expr: path.clone(),
                            reason: e.to_string(),
                        }
                    })?;
                    for component in store.entity_data_components(&entity) {
                        let keep = wanted.is_empty()
                            || wanted
                                .iter()
                                .any(|w| w == component.as_str() || w == component.short_name());
                        if keep {
                            columns.push(ColumnDescriptor {
                                entity: entity.clone(),
                                component,
                            });
                        }
                    }
                }
                columns.sort();
            }
        }
        Ok(Self {
            index,
            columns,
            range: None,
            filter_values: None,
            using_values: None,
            fill_latest_at: false,
        })
    }

    /// The output schema (index column first).
    pub fn column_names(&self) -> Vec<String> {
        std::iter::once(self.index.name().to_string())
            .chain(self.columns.iter().map(ColumnDescriptor::name))
            .collect()
    }
}

impl<'a> DataframeView<'a> {
    /// The spec, to keep and re-apply later.
    pub fn spec(&self) -> &ViewSpec {
        &self.spec
    }

    /// Keeps rows whose index (a sequence) lies in `[start, end]`.
    pub fn filter_range_sequence(mut self, start: i64, end: i64) -> Self {
        self.spec.range = Some((TimeInt::new(start), TimeInt::new(end)));
        self
    }

    /// Keeps rows whose index (a time or duration) lies in `[start, end]` seconds.
    pub fn filter_range_secs(mut self, start: f64, end: f64) -> Self {
        self.spec.range = Some((TimeInt::from_seconds(start), TimeInt::from_seconds(end)));
        self
    }

    /// Keeps rows whose index (a time or duration) lies in `[start, end]` nanoseconds.
    pub fn filter_range_nanos(mut self, start: i64, end: i64) -> Self {
        self.spec.range = Some((TimeInt::new(start), TimeInt::new(end)));
        self
    }

    /// Keeps only rows whose index is one of `values`.
    pub fn filter_index_values(mut self, values: impl IntoIterator<Item = i64>) -> Self {
        self.spec.filter_values = Some(values.into_iter().collect());
        self
    }

    /// Uses exactly `values` (sorted, deduplicated) as the rows, whether or not anything
    /// was logged there; usually combined with [`Self::fill_latest_at`].
    pub fn using_index_values(mut self, values: impl IntoIterator<Item = i64>) -> Self {
        let mut v: Vec<i64> = values.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        self.spec.using_values = Some(v);
        self
    }

    /// Fills every cell with the component's latest-at value at the row's index.
    pub fn fill_latest_at(mut self) -> Self {
        self.spec.fill_latest_at = true;
        self
    }

    /// Every column's name: the index, then the data columns.
    pub fn column_names(&self) -> Vec<String> {
        self.spec.column_names()
    }

    /// The table, as record batches of at most [`BATCH_ROWS`] rows. `columns` names the
    /// columns to keep, in order; empty keeps all.
    pub fn select(&self, columns: &[&str]) -> Result<Vec<RecordBatch>, DataframeError> {
        self.select_batches(columns)?.collect()
    }

    /// [`Self::select`], one batch at a time as the iterator is advanced.
    pub fn select_batches(
        &self,
        columns: &[&str],
    ) -> Result<SelectBatches<&'a ChunkStore>, DataframeError> {
        SelectBatches::new(self.store, self.spec.clone(), columns)
    }
}

/// A selection's record batches, each computed when asked for. Between batches it holds
/// the index values (8 bytes each) and, per column, its static value and clears; a batch
/// needs the query hits of its own rows only. Holds the store through `S` (a reference,
/// or an `Arc` to outlive the caller's borrow).
pub struct SelectBatches<S> {
    store: S,
    spec: ViewSpec,
    /// Per output column: `None` for the index, else a position in `spec.columns`.
    outputs: Vec<Option<(usize, ColumnState)>>,
    schema: SchemaRef,
    /// The index values, shared with the batches' index columns.
    index: ScalarBuffer<i64>,
    /// Index values after which a batch ends: where the selected columns' chunks end, so
    /// a column whose rows come from one chunk is a slice of it, not a copy. Empty when
    /// that would make batches small.
    cuts: Vec<i64>,
    /// The first index value of the next batch.
    next: usize,
    /// Whether a batch was yielded (an empty selection yields one empty batch).
    yielded: bool,
    /// Rows per batch.
    batch_rows: usize,
}

/// What a column keeps across batches.
struct ColumnState {
    /// Whether it has temporal values on the index timeline; if not, its static value (if
    /// any) shows on every row.
    temporal: bool,
    /// Its latest-at value before all time: the static value, clears respected.
    static_hit: Option<QueryHit>,
    /// Clears of its entity on the index timeline, in key order (when filling only).
    clears: Vec<RowKey>,
}

impl ViewSpec {
    /// The selection of this spec against `store`, batch by batch; see
    /// [`DataframeView::select`].
    pub fn select_batches<S: Deref<Target = ChunkStore>>(
        self,
        store: S,
        columns: &[&str],
    ) -> Result<SelectBatches<S>, DataframeError> {
        SelectBatches::new(store, self, columns)
    }
}

impl<S: Deref<Target = ChunkStore>> SelectBatches<S> {
    fn new(store: S, spec: ViewSpec, columns: &[&str]) -> Result<Self, DataframeError> {
        let positions: Vec<Option<usize>> = if columns.is_empty() {
            std::iter::once(None)
                .chain((0..spec.columns.len()).map(Some))
                .collect()
        } else {
            let names = spec.column_names();
            columns
                .iter()
                .map(|c| {
                    names
                        .iter()
                        .position(|n| n == c)
                        .map(|p| p.checked_sub(1))
                        .ok_or_else(|| DataframeError::UnknownColumn((*c).to_owned()))
                })
                .collect::<Result<_, _>>()?
        };
        let timeline = &spec.index;
        let mut fields = Vec::with_capacity(positions.len());
        let mut outputs = Vec::with_capacity(positions.len());
        for position in positions {
            let Some(c) = position else {
                fields.push(Field::new(
                    timeline.name().as_str(),
                    timeline.typ().arrow_datatype(),
                    false,
                ));
                outputs.push(None);
                continue;
            };
            let column = &spec.columns[c];
            let (entity, component) = (&column.entity, &column.component);
            let datatype = store
                .component_datatype(entity, component)
                .unwrap_or(DataType::Null);
            fields.push(Field::new(column.name(), datatype, true));
            let temporal = store.has_temporal_values(timeline, entity, component);
            let static_hit = (!temporal || spec.fill_latest_at)
                .then(|| {
                    let before_all = LatestAtQuery::new(timeline.clone(), TimeInt::MIN);
                    store.latest_at_uncached(&before_all, entity, component)
                })
                .flatten();
            let clears = if spec.fill_latest_at {
                let everything = RangeQuery::new(timeline.clone(), TimeInt::MIN, TimeInt::MAX);
                store.range(&everything, entity, &[]).clears
            } else {
                Vec::new()
            };
            let state = ColumnState {
                temporal,
                static_hit,
                clears,
            };
            outputs.push(Some((c, state)));
        }
        let index = index_values(&store, &spec);
        let mut cuts = Vec::new();
        if !spec.fill_latest_at {
            for (c, _) in outputs.iter().flatten() {
                let column = &spec.columns[*c];
                store.component_chunk_ends(timeline, &column.entity, &column.component, &mut cuts);
            }
            cuts.sort_unstable();
            cuts.dedup();
            if cuts.len() > index.len() / MIN_CUT_ROWS {
                cuts.clear();
            }
        }
        Ok(Self {
            store,
            spec,
            outputs,
            schema: Arc::new(Schema::new(fields)),
            index: ScalarBuffer::from(index),
            cuts,
            next: 0,
            yielded: false,
            batch_rows: BATCH_ROWS,
        })
    }

    /// Yields batches of at most `rows` rows (at least 1) instead of [`BATCH_ROWS`].
    pub fn with_batch_rows(mut self, rows: usize) -> Self {
        self.batch_rows = rows.max(1);
        self
    }

    /// The schema every batch has.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Rows in all, over every batch.
    pub fn num_rows(&self) -> usize {
        self.index.len()
    }

    fn batch(&self, start: usize, end: usize) -> Result<RecordBatch, DataframeError> {
        let index = self.index.slice(start, end - start);
        let values: &[i64] = &index;
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.outputs.len());
        for output in &self.outputs {
            arrays.push(match output {
                None => index_array(self.spec.index.typ(), index.clone()),
                Some((c, state)) => self.column(&self.spec.columns[*c], state, values)?,
            });
        }
        let options = RecordBatchOptions::new().with_row_count(Some(values.len()));
        RecordBatch::try_new_with_options(self.schema.clone(), arrays, &options).map_err(|source| {
            DataframeError::Arrow {
                column: "(batch)".into(),
                source,
            }
        })
    }

    /// One data column over the index values `values` (sorted, non-empty unless the whole
    /// selection is empty).
    fn column(
        &self,
        column: &ColumnDescriptor,
        state: &ColumnState,
        values: &[i64],
    ) -> Result<ArrayRef, DataframeError> {
        let timeline = &self.spec.index;
        let fill = self.spec.fill_latest_at;
        let (Some(&lo), Some(&hi)) = (values.first(), values.last()) else {
            return Ok(new_null_array(self.schema_type(column), 0));
        };
        // The rows of this batch's time span, and for filling, the state entering it.
        let (hits, entering) = if state.temporal {
            let window = RangeQuery::new(timeline.clone(), TimeInt::new(lo), TimeInt::new(hi));
            let hits = self
                .store
                .range(
                    &window,
                    &column.entity,
                    std::slice::from_ref(&column.component),
                )
                .components
                .remove(&column.component)
                .unwrap_or_default();
            let entering = (fill && lo > i64::MIN)
                .then(|| {
                    let before = LatestAtQuery::new(timeline.clone(), TimeInt::new(lo - 1));
                    self.store
                        .latest_at_uncached(&before, &column.entity, &column.component)
                })
                .flatten();
            (hits, entering)
        } else {
            (Vec::new(), None)
        };
        let clears = &state.clears;
        let mut next_clear = clears.partition_point(|c| c.time.is_some_and(|t| t.as_i64() < lo));
        let mut last_clear: Option<RowKey> = next_clear.checked_sub(1).map(|i| clears[i]);
        let mut next = 0;
        let mut last: Option<&QueryHit> = entering.as_ref();
        // For each index value, the hit to show.
        let mut picks: Vec<Option<&QueryHit>> = Vec::with_capacity(values.len());
        for &v in values {
            while next < hits.len() && hits[next].key.time.is_some_and(|t| t.as_i64() <= v) {
                last = Some(&hits[next]);
                next += 1;
            }
            while next_clear < clears.len()
                && clears[next_clear].time.is_some_and(|t| t.as_i64() <= v)
            {
                last_clear = Some(clears[next_clear]);
                next_clear += 1;
            }
            let pick = if fill {
                let candidate = last.or(state.static_hit.as_ref());
                candidate.filter(|h| last_clear.is_none_or(|c| c <= h.key))
            } else if !state.temporal {
                state.static_hit.as_ref()
            } else {
                last.filter(|h| h.key.time.is_some_and(|t| t.as_i64() == v))
            };
            picks.push(pick);
        }
        gather(&column.component, &picks, self.schema_type(column)).map_err(|source| {
            DataframeError::Arrow {
                column: column.name(),
                source,
            }
        })
    }

    /// The Arrow type of a data column in the schema.
    fn schema_type(&self, column: &ColumnDescriptor) -> &DataType {
        self.schema
            .field_with_name(&column.name())
            .map_or(&DataType::Null, |f| f.data_type())
    }
}

impl<S: Deref<Target = ChunkStore>> Iterator for SelectBatches<S> {
    type Item = Result<RecordBatch, DataframeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.index.len() && self.yielded {
            return None;
        }
        self.yielded = true;
        let mut end = (self.next + self.batch_rows).min(self.index.len());
        if let Some(&first) = self.index.get(self.next) {
            // The first cut at or after the batch's first value ends it.
            let cut = self.cuts.partition_point(|&c| c < first);
            if let Some(&c) = self.cuts.get(cut) {
                let after = self.index[self.next..end].partition_point(|&v| v <= c);
                end = self.next + after.max(1);
            }
        }
        let batch = self.batch(self.next, end);
        self.next = end;
        if batch.is_err() {
            // One error ends the selection.
            self.next = self.index.len();
        }
        Some(batch)
    }
}

/// The index values: given ones, or every time any column of the view has a value at,
/// filtered.
fn index_values(store: &ChunkStore, spec: &ViewSpec) -> Vec<i64> {
    let mut values: Vec<i64> = match &spec.using_values {
        Some(v) => v.clone(),
        None => {
            // Reserved once: the index is the selection's largest allocation.
            let rows = spec
                .columns
                .iter()
                .map(|c| store.component_rows(&spec.index, &c.entity, &c.component))
                .sum();
            let mut times = Vec::with_capacity(rows);
            for c in &spec.columns {
                store.component_times(&spec.index, &c.entity, &c.component, &mut times);
            }
            times.sort_unstable();
            times.dedup();
            times.shrink_to_fit();
            times
        }
    };
    if let Some((lo, hi)) = spec.range {
        values.retain(|v| (lo.as_i64()..=hi.as_i64()).contains(v));
    }
    if let Some(keep) = &spec.filter_values {
        values.retain(|v| keep.contains(v));
    }
    values
}

/// The picked cells of `component` as one list array (null where nothing is picked),
/// gathered with one interleave over the chunks they come from.
fn gather(
    component: &ComponentName,
    picks: &[Option<&QueryHit>],
    datatype: &DataType,
) -> Result<ArrayRef, ArrowError> {
    let mut sources: Vec<ListArray> = Vec::new();
    let mut source_of: HashMap<*const reel_core::Chunk, usize> = HashMap::new();
    let mut indices: Vec<(usize, usize)> = Vec::with_capacity(picks.len());
    let mut any_null = false;
    for pick in picks {
        match pick {
            Some(h) => {
                let s = *source_of.entry(Arc::as_ptr(&h.chunk)).or_insert_with(|| {
                    sources.push(h.chunk.components()[component].clone());
                    sources.len() - 1
                });
                indices.push((s, h.row));
            }
            None => {
                any_null = true;
                indices.push((usize::MAX, 0));
            }
        }
    }
    let Some(first) = sources.first() else {
        return Ok(new_null_array(datatype, picks.len()));
    };
    // Consecutive rows of one chunk: a slice of it, no copy.
    let consecutive = indices.windows(2).all(|w| w[1] == (w[0].0, w[0].1 + 1));
    if !any_null && sources.len() == 1 && consecutive {
        return Ok(Arc::new(first.slice(indices[0].1, indices.len())));
    }
    if any_null {
        sources.push(null_list_like(first));
        let null_source = sources.len() - 1;
        for i in indices.iter_mut().filter(|i| i.0 == usize::MAX) {
            *i = (null_source, 0);
        }
    }
    let refs: Vec<&dyn Array> = sources.iter().map(|s| s as &dyn Array).collect();
    arrow_select::interleave::interleave(&refs, &indices)
}

/// A one-row list array of `like`'s type whose only row is null.
fn null_list_like(like: &ListArray) -> ListArray {
    let nulls = new_null_array(like.data_type(), 1);
    nulls
        .as_any()
        .downcast_ref::<ListArray>()
        .expect("a null array of a list type is a list array")
        .clone()
}

fn index_array(typ: TimeType, values: ScalarBuffer<i64>) -> ArrayRef {
    match typ {
        TimeType::Sequence => Arc::new(Int64Array::new(values, None)),
        TimeType::Time => {
            Arc::new(TimestampNanosecondArray::new(values, None).with_timezone("UTC"))
        }
        TimeType::Duration => Arc::new(DurationNanosecondArray::new(values, None)),
    }
}
