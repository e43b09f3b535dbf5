//! Dataframe views: a recording as a table with one row per value of an index timeline
//! and one column per (entity, component), named `/entity/path:ComponentShortName`.
//!
//! A cell holds the component's instances logged at exactly that index value (the latest
//! by row id if several rows share it), or null. With [`DataframeView::fill_latest_at`] a
//! cell holds the latest-at value instead (clears respected). A component with static data
//! only shows it on every row. Indicators (`reel.indicators.*`) carry no data and are left
//! out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow_array::{
    new_null_array, Array, ArrayRef, DurationNanosecondArray, Int64Array, ListArray, RecordBatch,
    TimestampNanosecondArray,
};
use arrow_schema::{ArrowError, Field, Schema};
use reel_core::{ComponentName, EntityPath, TimeInt, TimeType, Timeline};

use crate::chunk_store::ChunkStore;
use crate::query::{LatestAtQuery, QueryHit, RangeQuery, RowKey};

/// Rows per record batch a selection yields.
pub const BATCH_ROWS: usize = 64 * 1024;

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
        let spec = &self.spec;
        let wanted: Vec<usize> = if columns.is_empty() {
            (0..=spec.columns.len()).collect()
        } else {
            let names = spec.column_names();
            columns
                .iter()
                .map(|c| {
                    names
                        .iter()
                        .position(|n| n == c)
                        .ok_or_else(|| DataframeError::UnknownColumn((*c).to_owned()))
                })
                .collect::<Result<_, _>>()?
        };
        // Every temporal row of the selected columns, per column.
        let everything = RangeQuery::new(spec.index.clone(), TimeInt::MIN, TimeInt::MAX);
        let hits: Vec<Vec<QueryHit>> = spec
            .columns
            .iter()
            .map(|c| {
                self.store
                    .range(&everything, &c.entity, std::slice::from_ref(&c.component))
                    .components
                    .remove(&c.component)
                    .unwrap_or_default()
            })
            .collect();
        let index = self.index_values(&hits);

        let mut fields = Vec::with_capacity(wanted.len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(wanted.len());
        for &w in &wanted {
            if w == 0 {
                fields.push(Field::new(
                    spec.index.name().as_str(),
                    spec.index.typ().arrow_datatype(),
                    false,
                ));
                arrays.push(index_array(spec.index.typ(), &index));
                continue;
            }
            let column = &spec.columns[w - 1];
            let array = self.column(column, &hits[w - 1], &index)?;
            fields.push(Field::new(column.name(), array.data_type().clone(), true));
            arrays.push(array);
        }
        let schema = Arc::new(Schema::new(fields));
        let batch =
            RecordBatch::try_new(schema, arrays).map_err(|source| DataframeError::Arrow {
                column: "(batch)".into(),
                source,
            })?;
        let rows = batch.num_rows();
        if rows <= BATCH_ROWS {
            return Ok(vec![batch]);
        }
        Ok((0..rows)
            .step_by(BATCH_ROWS)
            .map(|start| batch.slice(start, BATCH_ROWS.min(rows - start)))
            .collect())
    }

    /// The index values: given ones, or every time any selected column was logged at,
    /// filtered.
    fn index_values(&self, hits: &[Vec<QueryHit>]) -> Vec<i64> {
        let spec = &self.spec;
        let mut values: Vec<i64> = match &spec.using_values {
            Some(v) => v.clone(),
            None => {
                let set: BTreeSet<i64> = hits
                    .iter()
                    .flatten()
                    .filter_map(|h| h.key.time.map(|t| t.as_i64()))
                    .collect();
                set.into_iter().collect()
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

    /// One data column over the index values.
    fn column(
        &self,
        column: &ColumnDescriptor,
        hits: &[QueryHit],
        index: &[i64],
    ) -> Result<ArrayRef, DataframeError> {
        let arrow_err = |source| DataframeError::Arrow {
            column: column.name(),
            source,
        };
        let timeline = &self.spec.index;
        let static_hit = if hits.is_empty() || self.spec.fill_latest_at {
            // Latest-at before all time: the static value, if any, clears respected.
            self.store.latest_at_uncached(
                &LatestAtQuery::new(timeline.clone(), TimeInt::MIN),
                &column.entity,
                &column.component,
            )
        } else {
            None
        };
        let clears: Vec<RowKey> = if self.spec.fill_latest_at {
            self.store
                .range(
                    &RangeQuery::new(timeline.clone(), TimeInt::MIN, TimeInt::MAX),
                    &column.entity,
                    &[],
                )
                .clears
        } else {
            Vec::new()
        };
        // For each index value, the hit to show (an index into `hits`, or the static one).
        let mut picks: Vec<Option<&QueryHit>> = Vec::with_capacity(index.len());
        let (mut next, mut next_clear) = (0, 0);
        let mut last: Option<&QueryHit> = None;
        let mut last_clear: Option<RowKey> = None;
        for &v in index {
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
            let pick = if self.spec.fill_latest_at {
                let candidate = last.or(static_hit.as_ref());
                candidate.filter(|h| last_clear.is_none_or(|c| c <= h.key))
            } else if hits.is_empty() {
                static_hit.as_ref()
            } else {
                last.filter(|h| h.key.time.is_some_and(|t| t.as_i64() == v))
            };
            picks.push(pick);
        }
        // Gather the picked cells with one interleave over the chunks they come from.
        let mut sources: Vec<ListArray> = Vec::new();
        let mut source_of: BTreeMap<*const reel_core::Chunk, usize> = BTreeMap::new();
        let mut indices: Vec<(usize, usize)> = Vec::with_capacity(picks.len());
        let mut null_at: Option<usize> = None;
        for pick in &picks {
            match pick {
                Some(h) => {
                    let key = Arc::as_ptr(&h.chunk);
                    let s = *source_of.entry(key).or_insert_with(|| {
                        sources.push(h.chunk.components()[&column.component].clone());
                        sources.len() - 1
                    });
                    indices.push((s, h.row));
                }
                None => indices.push((usize::MAX, 0)),
            }
        }
        let Some(first) = sources.first() else {
            let datatype = self.column_type(column);
            return Ok(new_null_array(&datatype, index.len()));
        };
        if indices.iter().any(|(s, _)| *s == usize::MAX) {
            sources.push(null_list_like(first));
            null_at = Some(sources.len() - 1);
        }
        if let Some(n) = null_at {
            for i in &mut indices {
                if i.0 == usize::MAX {
                    *i = (n, 0);
                }
            }
        }
        let refs: Vec<&dyn Array> = sources.iter().map(|s| s as &dyn Array).collect();
        arrow_select::interleave::interleave(&refs, &indices).map_err(arrow_err)
    }

    /// The Arrow type of a column with no value in range, from any chunk that has it.
    fn column_type(&self, column: &ColumnDescriptor) -> arrow_schema::DataType {
        self.store
            .iter_chunks()
            .filter(|c| c.entity_path() == &column.entity)
            .find_map(|c| c.components().get(&column.component))
            .map_or(arrow_schema::DataType::Null, |l| l.data_type().clone())
    }
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

fn index_array(typ: TimeType, values: &[i64]) -> ArrayRef {
    let values = values.to_vec();
    match typ {
        TimeType::Sequence => Arc::new(Int64Array::from(values)),
        TimeType::Time => Arc::new(TimestampNanosecondArray::from(values).with_timezone("UTC")),
        TimeType::Duration => Arc::new(DurationNanosecondArray::from(values)),
    }
}
