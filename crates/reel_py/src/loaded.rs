//! Recordings read back for analysis (the core of `reel.load_recording`): read into a
//! store by `reel_store::load`, and queried as Arrow record batches that reach pyarrow
//! through the Arrow C stream interface — no copy, and a selection is computed batch by
//! batch as pyarrow reads it, so it never exists twice.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use parking_lot::Mutex;
use pyo3::exceptions::{PyKeyError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use reel_core::Chunk;
use reel_store::{ChunkStore, LatestAtQuery, ViewContents};

/// A recording read back from the reel format.
#[pyclass(name = "LoadedRecording", module = "reel._reel", frozen)]
pub(crate) struct PyLoaded {
    application_id: Option<String>,
    recording_id: Option<String>,
    error: Option<String>,
    /// The chunks, compacted and indexed; shared with selections still being read.
    store: Arc<ChunkStore>,
}

/// Record batches for pyarrow (`pyarrow.RecordBatchReader.from_stream`), readable once.
#[pyclass(name = "ArrowStream", module = "reel._reel", frozen)]
pub(crate) struct ArrowStream {
    reader: Mutex<Option<Box<dyn RecordBatchReader + Send>>>,
}

impl ArrowStream {
    fn new(reader: impl RecordBatchReader + Send + 'static) -> Self {
        Self {
            reader: Mutex::new(Some(Box::new(reader))),
        }
    }

    fn of_batches(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        Self::new(RecordBatchIterator::new(
            batches.into_iter().map(Ok),
            schema,
        ))
    }
}

#[pymethods]
impl ArrowStream {
    /// The Arrow PyCapsule interface: hands the stream over; a second call fails.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        // A requested schema is a hint; the batches are given in their own types.
        let _ = requested_schema;
        let reader = self
            .reader
            .lock()
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this Arrow stream was already read"))?;
        let stream = FFI_ArrowArrayStream::new(reader);
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }
}

#[pymethods]
impl PyLoaded {
    /// The application id, from the store info.
    #[getter]
    fn application_id(&self) -> Option<String> {
        self.application_id.clone()
    }

    /// The recording id.
    #[getter]
    fn recording_id(&self) -> Option<String> {
        self.recording_id.clone()
    }

    /// The error that stopped reading (a damaged or truncated input), if any.
    #[getter]
    fn error(&self) -> Option<String> {
        self.error.clone()
    }

    /// Bytes of memory the recording's data occupies (each buffer counted once).
    fn memory_bytes(&self) -> usize {
        self.store.bytes()
    }

    /// The entity paths, sorted.
    fn entity_paths(&self) -> Vec<String> {
        self.store.entity_paths().map(|p| p.to_string()).collect()
    }

    /// The timelines as `(name, type)`.
    fn timelines(&self) -> Vec<(String, String)> {
        self.store
            .timelines()
            .keys()
            .map(|t| (t.name().to_string(), t.typ().to_string()))
            .collect()
    }

    /// One entity's rows in logging order, one batch per stored chunk: one column per
    /// timeline (null for rows not on it), one per component (null where a row did not
    /// log it).
    fn to_arrow(&self, entity_path: &str) -> PyResult<ArrowStream> {
        let chunks: Vec<Arc<Chunk>> = self
            .store
            .chunks_in_order()
            .into_iter()
            .filter(|c| c.entity_path().to_string() == entity_path)
            .collect();
        if chunks.is_empty() {
            return Err(PyKeyError::new_err(entity_path.to_owned()));
        }
        let (schema, batches) = entity_batches(&chunks).map_err(to_value_error)?;
        Ok(ArrowStream::of_batches(schema, batches))
    }

    /// The column names of a view (index first).
    #[pyo3(signature = (index, exprs, explicit))]
    fn view_columns(
        &self,
        index: &str,
        exprs: Option<Vec<String>>,
        explicit: Option<BTreeMap<String, Vec<String>>>,
    ) -> PyResult<Vec<String>> {
        let contents = view_contents(exprs, explicit);
        let view = self.store.view(index, &contents).map_err(to_value_error)?;
        Ok(view.column_names())
    }

    /// A view's selected columns, computed as they are read.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (index, exprs, explicit, range, filter_values, using_values, fill_latest_at, columns))]
    fn view_select(
        &self,
        py: Python<'_>,
        index: &str,
        exprs: Option<Vec<String>>,
        explicit: Option<BTreeMap<String, Vec<String>>>,
        range: Option<(i64, i64)>,
        filter_values: Option<Vec<i64>>,
        using_values: Option<Vec<i64>>,
        fill_latest_at: bool,
        columns: Vec<String>,
    ) -> PyResult<ArrowStream> {
        py.detach(|| {
            let contents = view_contents(exprs, explicit);
            let mut view = self.store.view(index, &contents).map_err(to_value_error)?;
            if let Some((lo, hi)) = range {
                view = view.filter_range_nanos(lo, hi);
            }
            if let Some(values) = filter_values {
                view = view.filter_index_values(values);
            }
            if let Some(values) = using_values {
                view = view.using_index_values(values);
            }
            if fill_latest_at {
                view = view.fill_latest_at();
            }
            let names: Vec<&str> = columns.iter().map(String::as_str).collect();
            let batches = view
                .spec()
                .clone()
                .select_batches(self.store.clone(), &names)
                .map_err(to_value_error)?;
            let schema = batches.schema();
            let batches = batches.map(|b| b.map_err(|e| ArrowError::ExternalError(Box::new(e))));
            Ok(ArrowStream::new(RecordBatchIterator::new(batches, schema)))
        })
    }

    /// The components of `entity_path` at `time` on `timeline`, as one row: the timeline,
    /// then one column per component named `/entity:ShortName`.
    fn latest_at(
        &self,
        py: Python<'_>,
        entity_path: &str,
        timeline: &str,
        time: i64,
    ) -> PyResult<ArrowStream> {
        let entity = reel_core::EntityPath::parse_strict(entity_path).map_err(to_value_error)?;
        let timeline = self
            .store
            .timeline_by_name(timeline)
            .map_err(to_value_error)?;
        py.detach(|| {
            let query = LatestAtQuery::new(timeline.clone(), time);
            let results = self.store.latest_at_all(&query, &entity);
            let mut fields = vec![Field::new(
                timeline.name().as_str(),
                timeline.typ().arrow_datatype(),
                false,
            )];
            let index: ArrayRef = Arc::new(arrow_array::Int64Array::from(vec![time]));
            let mut arrays = vec![arrow_cast_time(index, timeline.typ())];
            for (component, hit) in &results.components {
                if reel_store::stored::is_indicator(component) {
                    continue;
                }
                let column = hit.chunk.components()[component].slice(hit.row, 1);
                fields.push(Field::new(
                    format!("/{entity}:{}", component.short_name()),
                    column.data_type().clone(),
                    true,
                ));
                arrays.push(Arc::new(column));
            }
            let schema = Arc::new(Schema::new(fields));
            let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(to_value_error)?;
            Ok(ArrowStream::of_batches(schema, vec![batch]))
        })
    }
}

fn to_value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

fn view_contents(
    exprs: Option<Vec<String>>,
    explicit: Option<BTreeMap<String, Vec<String>>>,
) -> ViewContents {
    match explicit {
        Some(map) => ViewContents::Explicit(map),
        None => ViewContents::Expressions(exprs.unwrap_or_else(|| vec!["/**".into()])),
    }
}

/// An `Int64` array of raw times retyped as the timeline's Arrow type.
fn arrow_cast_time(values: ArrayRef, typ: reel_core::TimeType) -> ArrayRef {
    let data = values.to_data();
    let retyped = data
        .into_builder()
        .data_type(typ.arrow_datatype())
        .build()
        .expect("Int64 and the nanosecond time types share one layout");
    arrow_array::make_array(retyped)
}

/// An entity's chunks as batches of one schema: the union of their timelines, then of
/// their components, each column null where a chunk lacks it.
fn entity_batches(chunks: &[Arc<Chunk>]) -> Result<(SchemaRef, Vec<RecordBatch>), ArrowError> {
    let mut timelines: BTreeMap<String, DataType> = BTreeMap::new();
    let mut components: BTreeMap<String, DataType> = BTreeMap::new();
    for c in chunks {
        for t in c.timelines().keys() {
            timelines.insert(t.name().to_string(), t.typ().arrow_datatype());
        }
        for (name, list) in c.components() {
            components.insert(name.to_string(), list.data_type().clone());
        }
    }
    let fields: Vec<Field> = timelines
        .into_iter()
        .chain(components)
        .map(|(name, typ)| Field::new(name, typ, true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let mut batches = Vec::with_capacity(chunks.len());
    for c in chunks {
        let batch = c
            .to_record_batch()
            .map_err(|e| ArrowError::InvalidArgumentError(e.to_string()))?;
        let columns: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|field| {
                batch
                    .column_by_name(field.name())
                    .filter(|a| a.data_type() == field.data_type())
                    .cloned()
                    .unwrap_or_else(|| arrow_array::new_null_array(field.data_type(), c.num_rows()))
            })
            .collect();
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(c.num_rows()));
        batches.push(RecordBatch::try_new_with_options(
            schema.clone(),
            columns,
            &options,
        )?);
    }
    Ok((schema, batches))
}

/// Reads a reel stream from bytes; everything before any damage is kept and the error
/// recorded.
#[pyfunction]
pub(crate) fn load(py: Python<'_>, bytes: &[u8]) -> PyLoaded {
    py.detach(|| PyLoaded::from(reel_store::load::load_bytes(bytes)))
}

/// Reads a reel file as it streams from disk (never holding its bytes whole); everything
/// before any damage is kept and the error recorded.
#[pyfunction]
pub(crate) fn load_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyLoaded> {
    let loaded = py.detach(|| reel_store::load::load_file(&path))?;
    Ok(PyLoaded::from(loaded))
}

impl From<reel_store::load::LoadedRecording> for PyLoaded {
    fn from(loaded: reel_store::load::LoadedRecording) -> Self {
        Self {
            application_id: loaded.application_id,
            recording_id: loaded.recording_id,
            error: loaded.error,
            store: Arc::new(loaded.store),
        }
    }
}
