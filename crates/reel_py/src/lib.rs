//! `reel._reel`: the Rust core behind the `reel` Python package (python/reel). It exposes
//! recording handles, memory recordings and the default-recording registry; the Python
//! package builds the reference API on top. Arrays arrive through the Arrow C Data
//! Interface (`__arrow_c_array__`), so pyarrow (and numpy through pyarrow) data is not
//! copied on the way in.
//!
//! Small batches are converted from plain Python values in Rust instead (`convert`).
//! Recordings read back for analysis live in `loaded`.
//!
//! Recordings are created strict: the Python layer decides between raising and warning.

mod convert;
mod loaded;

/// Rows are allocated on the calling thread and freed on the batcher's: mimalloc frees
/// across threads without the arena-lock contention of the system allocator, which cost
/// small log calls more than their own work. It is built without transparent huge pages
/// (`no_thp`): with them, RSS counted untouched parts of 2 MiB pages (20 MB more for a
/// loaded recording of 56 MB).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::ffi::CStr;
use std::time::Duration;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use pyo3::exceptions::{
    PyFileNotFoundError, PyOSError, PyRuntimeError, PyTimeoutError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyTuple};
use reel_core::{ComponentBatch, ComponentName, StoreSource};
use reel_sdk::{
    LogOptions, MemoryRecording, RecordingError, RecordingStream, RecordingStreamBuilder,
};

/// A Rust error as the Python exception a Python user expects.
fn to_py(e: RecordingError) -> PyErr {
    use reel_sdk::spawn::SpawnError;
    match e {
        RecordingError::InvalidEntityPath { .. }
        | RecordingError::InstanceCountMismatch { .. }
        | RecordingError::DuplicateComponent { .. }
        | RecordingError::Invalid { .. } => PyValueError::new_err(e.to_string()),
        RecordingError::ReadFile { .. } => PyFileNotFoundError::new_err(e.to_string()),
        RecordingError::Spawn(SpawnError::NotFound { .. }) => {
            PyFileNotFoundError::new_err(e.to_string())
        }
        RecordingError::FlushTimeout { .. } => PyTimeoutError::new_err(e.to_string()),
        RecordingError::Sink(_) => PyOSError::new_err(e.to_string()),
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

/// A handle to a recording (the core of `reel.RecordingStream`).
///
/// Arrays imported from Python are released by whichever Rust thread drops them last,
/// which needs the GIL. So nothing here may wait on a Rust thread while holding the GIL:
/// every call that can block detaches from it, and so does dropping the handle (which may
/// join the batcher thread).
#[pyclass(name = "RecordingHandle", module = "reel._reel", frozen)]
struct PyRecording {
    rec: RecordingStream,
}

impl Drop for PyRecording {
    fn drop(&mut self) {
        let rec = std::mem::take(&mut self.rec);
        Python::attach(|py| py.detach(move || drop(rec)));
    }
}

#[pymethods]
impl PyRecording {
    /// Whether logging does anything.
    fn is_enabled(&self) -> bool {
        self.rec.is_enabled()
    }

    /// The recording id, or None when disabled.
    fn recording_id(&self) -> Option<String> {
        self.rec.recording_id().map(|r| r.to_string())
    }

    /// The application id, or None when disabled.
    fn application_id(&self) -> Option<String> {
        self.rec.application_id().map(|a| a.to_string())
    }

    /// Whether two handles share one recording.
    fn same(&self, other: &PyRecording) -> bool {
        self.rec == other.rec
    }

    /// Delivers everything logged so far; with `blocking`, waits for the sink and returns
    /// what it could not deliver (None when everything was), for Python to warn or raise.
    fn flush(&self, py: Python<'_>, blocking: bool) -> Option<String> {
        if !blocking {
            self.rec.flush(false);
            return None;
        }
        py.detach(|| self.rec.flush_blocking())
            .err()
            .map(|e| e.to_string())
    }

    /// Sets the thread's time on a sequence timeline.
    fn set_time_sequence(&self, timeline: &str, sequence: i64) {
        self.rec.set_time_sequence(timeline, sequence);
    }

    /// Sets the thread's time in seconds on a time timeline.
    fn set_time_seconds(&self, timeline: &str, seconds: f64) {
        self.rec.set_time_seconds(timeline, seconds);
    }

    /// Sets the thread's time in nanoseconds on a time timeline.
    fn set_time_nanos(&self, timeline: &str, nanos: i64) {
        self.rec.set_time_nanos(timeline, nanos);
    }

    /// Stops stamping the thread's rows with a timeline.
    fn disable_timeline(&self, timeline: &str) {
        self.rec.disable_timeline(timeline);
    }

    /// Clears the thread's time.
    fn reset_time(&self) {
        self.rec.reset_time();
    }

    /// Streams to a reel server from now on.
    fn connect(
        &self,
        py: Python<'_>,
        addr: Option<String>,
        flush_timeout_sec: f64,
    ) -> PyResult<()> {
        let timeout = Duration::from_secs_f64(flush_timeout_sec.max(0.0));
        py.detach(|| self.rec.connect(addr.as_deref(), timeout))
            .map_err(to_py)
    }

    /// Starts (or reuses) a reel server and optionally connects to it.
    fn spawn(&self, py: Python<'_>, port: u16, connect: bool, memory_limit: &str) -> PyResult<()> {
        py.detach(|| self.rec.spawn(port, connect, memory_limit))
            .map_err(to_py)
    }

    /// Writes to a file from now on.
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        py.detach(|| self.rec.save(&path)).map_err(to_py)
    }

    /// Writes to standard output from now on.
    fn stdout(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.rec.stdout()).map_err(to_py)
    }

    /// Serves the recording to web viewers (HTTP for the viewer, WebSocket for the data)
    /// until the process ends or `stop_web_serving` is called; returns the page's URL.
    fn serve(
        &self,
        py: Python<'_>,
        open_browser: bool,
        web_port: Option<u16>,
        ws_port: Option<u16>,
    ) -> PyResult<String> {
        let options = reel::web::ServeOptions {
            open_browser,
            web_port,
            ws_port,
            ..Default::default()
        };
        let serving = py
            .detach(|| reel::web::serve_web(&self.rec, &options))
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        let url = serving.url().to_owned();
        WEB_SERVING.lock().push(serving);
        Ok(url)
    }

    /// Keeps the recording in memory from now on.
    fn memory(&self, py: Python<'_>) -> PyMemory {
        PyMemory {
            mem: py.detach(|| self.rec.memory()),
        }
    }

    /// Closes the sink and buffers again.
    fn disconnect(&self, py: Python<'_>) {
        py.detach(|| self.rec.disconnect());
    }

    /// Delivers everything and closes the sink; the recording stops logging.
    fn shutdown(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.rec.shutdown()).map_err(to_py)
    }

    /// Logs component batches: `batches` is a list of `(name, array)` where each array is
    /// a `NativeBatch`, a `(kind, value)` pair to convert natively, or implements
    /// `__arrow_c_array__`.
    #[pyo3(signature = (entity_path, batches, num_instances=None, timeless=false, instance_aligned=true))]
    fn log_components(
        &self,
        py: Python<'_>,
        entity_path: &str,
        batches: Vec<(String, Bound<'_, PyAny>)>,
        num_instances: Option<usize>,
        timeless: bool,
        instance_aligned: bool,
    ) -> PyResult<()> {
        if !self.rec.is_enabled() {
            return Ok(());
        }
        let batches = batches
            .into_iter()
            .map(|(name, item)| batch_of(name.into(), &item))
            .collect::<PyResult<Vec<_>>>()?;
        let options = LogOptions {
            num_instances,
            timeless,
            strict: Some(true),
            skip_instance_check: !instance_aligned,
        };
        py.detach(|| self.rec.log_components(entity_path, batches, options))
            .map_err(to_py)
    }

    /// Logs one row of a log function's [`convert::Parts`]: `values` holds one value (or
    /// `None`) per part, converted natively where the value's form allows and through the
    /// parts' Python fallback otherwise; `batches` are further `(name, batch)` pairs (user
    /// components). The parts' indicator is added.
    fn log_parts(
        &self,
        py: Python<'_>,
        entity_path: &str,
        parts: &Bound<'_, convert::Parts>,
        values: &Bound<'_, PyTuple>,
        batches: Option<Vec<(String, Bound<'_, PyAny>)>>,
        timeless: bool,
    ) -> PyResult<()> {
        if !self.rec.is_enabled() {
            return Ok(());
        }
        let parts = parts.get();
        let mut out = Vec::with_capacity(values.len() + 1);
        parts.convert(values, &mut out, batch_of)?;
        for (name, item) in batches.into_iter().flatten() {
            out.push(batch_of(name.into(), &item)?);
        }
        let options = LogOptions {
            num_instances: None,
            timeless,
            strict: Some(true),
            skip_instance_check: !parts.aligned,
        };
        py.detach(|| self.rec.log_components(entity_path, out, options))
            .map_err(to_py)
    }

    /// Logs one scalar (the hot path of plotting, without building Arrow arrays in Python).
    fn log_scalar(&self, py: Python<'_>, entity_path: &str, value: f64) -> PyResult<()> {
        if !self.rec.is_enabled() {
            return Ok(());
        }
        py.detach(|| {
            self.rec
                .log(entity_path, &reel_types::archetypes::Scalar::new(value))
        })
        .map_err(to_py)
    }
}

/// The batch of one `(name, item)` pair handed over by Python: `item` is a
/// [`convert::NativeBatch`], a `(kind, value)` pair to convert natively, or any Arrow array.
fn batch_of(name: ComponentName, item: &Bound<'_, PyAny>) -> PyResult<ComponentBatch> {
    let array = if let Ok(native) = item.cast::<convert::NativeBatch>() {
        native.get().array.clone()
    } else if let Ok(pair) = item.cast::<PyTuple>() {
        // `(kind, value)`: converted here, named by the component in errors.
        let kind = convert::kind_of(&pair.get_item(0)?)?;
        convert::to_array(kind, &pair.get_item(1)?, convert::what(name.as_str()))?
    } else {
        import_array(item)?
    };
    check_builtin_type(name.as_str(), array.data_type())?;
    Ok(ComponentBatch::new(name, array))
}

/// Refuses a built-in component whose array has another Arrow type than reel's own.
fn check_builtin_type(name: &str, found: &arrow_schema::DataType) -> PyResult<()> {
    // Indicators are one-element Null arrays.
    if name.starts_with(reel_types::archetypes::INDICATOR_PREFIX) {
        return match found {
            arrow_schema::DataType::Null => Ok(()),
            other => Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "indicator {name} must be a Null array, got {other}"
            ))),
        };
    }
    convert::check_type(
        name,
        reel_types::components::builtin_datatype(name).as_ref(),
        found,
    )
}

/// Imports an array through the Arrow PyCapsule interface (no copy).
fn import_array(obj: &Bound<'_, PyAny>) -> PyResult<arrow_array::ArrayRef> {
    const SCHEMA: &CStr = c"arrow_schema";
    const ARRAY: &CStr = c"arrow_array";
    let capsules = obj.call_method0("__arrow_c_array__").map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "expected an Arrow array (an object with __arrow_c_array__), got {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    let pair = capsules.cast::<PyTuple>()?;
    let schema_capsule = pair.get_item(0)?;
    let array_capsule = pair.get_item(1)?;
    let schema_capsule = schema_capsule.cast::<PyCapsule>()?;
    let array_capsule = array_capsule.cast::<PyCapsule>()?;
    let schema_ptr = schema_capsule
        .pointer_checked(Some(SCHEMA))?
        .cast::<FFI_ArrowSchema>();
    let array_ptr = array_capsule
        .pointer_checked(Some(ARRAY))?
        .cast::<FFI_ArrowArray>();
    #[allow(unsafe_code)]
    // SAFETY: the Arrow PyCapsule interface guarantees these capsules hold a valid
    // ArrowSchema and ArrowArray; `from_raw` moves the array out (marking the capsule's copy
    // released, so its destructor does nothing), and the schema is only borrowed while the
    // capsule is alive.
    let data = unsafe {
        let array = FFI_ArrowArray::from_raw(array_ptr.as_ptr());
        arrow_array::ffi::from_ffi(array, schema_ptr.as_ref())
    }
    .map_err(|e| PyValueError::new_err(format!("invalid Arrow array: {e}")))?;
    Ok(arrow_array::make_array(data))
}

/// A memory recording (the core of `reel.MemoryRecording`).
#[pyclass(name = "MemoryHandle", module = "reel._reel", frozen)]
struct PyMemory {
    mem: MemoryRecording,
}

#[pymethods]
impl PyMemory {
    /// Messages held (after a flush).
    fn num_msgs(&self, py: Python<'_>) -> usize {
        py.detach(|| self.mem.num_msgs())
    }

    /// Removes logged data, keeping store announcements and blueprints.
    fn reset_data(&self, py: Python<'_>) {
        py.detach(|| self.mem.reset_data());
    }

    /// Replaces the blueprint with a fresh, empty one.
    fn reset_blueprint(&self, py: Python<'_>, add_to_app_default_blueprint: bool) {
        py.detach(|| self.mem.reset_blueprint(add_to_app_default_blueprint));
    }

    /// Takes the messages as a reel stream.
    fn drain_as_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py
            .detach(|| self.mem.drain_as_bytes())
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The messages as a reel stream, without removing them.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py
            .detach(|| self.mem.to_bytes())
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// HTML showing this recording (and `other`) in the web viewer, after a blocking flush.
    #[pyo3(signature = (width, height, app_url, timeout_ms, other=None))]
    fn as_html(
        &self,
        py: Python<'_>,
        width: u32,
        height: u32,
        app_url: Option<String>,
        timeout_ms: u64,
        other: Option<&PyMemory>,
    ) -> PyResult<String> {
        use reel::web::NotebookExt;
        let options = reel::web::HtmlOptions {
            width,
            height,
            app_url,
            timeout_ms,
        };
        py.detach(|| self.mem.as_html(&options, other.map(|o| &o.mem)))
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Appends a copy of another memory recording's messages.
    fn extend_from(&self, py: Python<'_>, other: &PyMemory) {
        py.detach(|| self.mem.extend_from(&other.mem));
    }
}

/// Creates a recording (buffering until a sink is set).
#[pyfunction]
#[pyo3(signature = (application_id, recording_id, default_enabled, python_version))]
fn new_recording(
    application_id: &str,
    recording_id: Option<String>,
    default_enabled: bool,
    python_version: String,
) -> PyResult<PyRecording> {
    let mut builder = RecordingStreamBuilder::new(application_id)
        .default_enabled(default_enabled)
        .strict(true)
        .store_source(StoreSource::PythonSdk {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            python_version,
        });
    if let Some(id) = recording_id {
        builder = builder.recording_id(id);
    }
    let rec = builder.buffered().map_err(to_py)?;
    Ok(PyRecording { rec })
}

/// The global default recording.
#[pyfunction]
fn get_global() -> Option<PyRecording> {
    reel_sdk::get_global_data_recording().map(|rec| PyRecording { rec })
}

/// Replaces the global default recording; returns the previous one.
#[pyfunction]
#[pyo3(signature = (recording))]
fn set_global(recording: Option<&PyRecording>) -> Option<PyRecording> {
    reel_sdk::set_global_data_recording(recording.map(|r| r.rec.clone()))
        .map(|rec| PyRecording { rec })
}

/// The calling thread's default recording.
#[pyfunction]
fn get_thread_local() -> Option<PyRecording> {
    reel_sdk::get_thread_local_data_recording().map(|rec| PyRecording { rec })
}

/// Changes whenever a default recording (global or any thread's) is replaced.
#[pyfunction]
fn defaults_generation() -> u64 {
    reel_sdk::defaults_generation()
}

/// Replaces the calling thread's default recording; returns the previous one.
#[pyfunction]
#[pyo3(signature = (recording))]
fn set_thread_local(recording: Option<&PyRecording>) -> Option<PyRecording> {
    reel_sdk::set_thread_local_data_recording(recording.map(|r| r.rec.clone()))
        .map(|rec| PyRecording { rec })
}

/// Whether reel's own warnings are printed to stderr.
#[pyfunction]
fn set_stderr_diagnostics(enabled: bool) {
    reel_sdk::set_stderr_diagnostics(enabled);
}

/// Runs the `reel` command line with `args` (program name first); returns the exit code.
/// The GIL is released: `reel serve` runs until the process is stopped.
#[pyfunction]
fn cli_main(py: Python<'_>, args: Vec<String>) -> u8 {
    py.detach(|| reel_cli::cli::run_from_args(args))
}

fn invalid(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Checks a mesh file's bytes ("glb", "gltf" or "obj") with the gltf/tobj parsers; returns
/// its media type.
#[pyfunction]
fn check_mesh_file(py: Python<'_>, data: &[u8], format: &str) -> PyResult<&'static str> {
    use reel_types::archetypes::MeshFormat;
    let format = match format.to_ascii_lowercase().as_str() {
        "glb" => MeshFormat::Glb,
        "gltf" => MeshFormat::Gltf,
        "obj" => MeshFormat::Obj,
        other => {
            return Err(invalid(format!(
                "unknown mesh format {other:?} (GLB, GLTF or OBJ)"
            )))
        }
    };
    let data = data.to_vec();
    py.detach(|| reel_types::archetypes::Asset3D::from_bytes(data, format))
        .map_err(invalid)?;
    Ok(format.media_type())
}

/// Checks an image file's bytes (PNG or JPEG, detected unless `format` is given); returns
/// `(media_type, width, height)`.
#[pyfunction]
#[pyo3(signature = (data, format=None))]
fn inspect_image_file(
    py: Python<'_>,
    data: &[u8],
    format: Option<&str>,
) -> PyResult<(String, f32, f32)> {
    use reel_types::archetypes::ImageFormat;
    use reel_types::components::{MediaType, Resolution};
    let format = match format.map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("jpeg" | "jpg") => Some(ImageFormat::Jpeg),
        Some("png") => Some(ImageFormat::Png),
        Some(other) => {
            return Err(invalid(format!(
                "unknown image format {other:?} (JPEG or PNG)"
            )))
        }
    };
    let data = data.to_vec();
    let image = py
        .detach(|| reel_types::archetypes::EncodedImage::from_bytes(data, format))
        .map_err(invalid)?;
    let media = image
        .media_type
        .as_ref()
        .and_then(|b| b.to_component::<MediaType>().ok())
        .and_then(|v| v.into_iter().next())
        .map(|m| m.0)
        .unwrap_or_default();
    let [w, h] = image
        .resolution
        .as_ref()
        .and_then(|b| b.to_component::<Resolution>().ok())
        .and_then(|v| v.first().map(|r| r.0))
        .unwrap_or_default();
    Ok((media, w, h))
}

/// Encodes 8-bit gray or RGB pixels (row-major, `height` x `width` x `channels`) as JPEG.
#[pyfunction]
fn encode_jpeg<'py>(
    py: Python<'py>,
    pixels: Vec<u8>,
    height: u64,
    width: u64,
    channels: u64,
    quality: u8,
) -> PyResult<Bound<'py, PyBytes>> {
    let shape = if channels == 1 {
        vec![height, width]
    } else {
        vec![height, width, channels]
    };
    let tensor = reel_types::components::TensorData::new(shape, pixels).map_err(invalid)?;
    let encoded = py
        .detach(|| reel_types::archetypes::EncodedImage::encode_jpeg(&tensor, quality))
        .map_err(invalid)?;
    let blob = encoded
        .blob
        .to_component::<reel_types::components::Blob>()
        .map_err(invalid)?;
    Ok(PyBytes::new(
        py,
        blob.first().map_or(&[][..], |b| b.0.as_slice()),
    ))
}

/// The three direction codes of view coordinates from `xyz` ("RDF") or from `up` ("+Z")
/// and handedness.
#[pyfunction]
#[pyo3(signature = (xyz, up, right_handed=None))]
fn view_coordinates(xyz: &str, up: &str, right_handed: Option<bool>) -> PyResult<[u8; 3]> {
    let code = if xyz.is_empty() {
        reel_sdk::helpers::up_to_code(up, right_handed.unwrap_or(true)).map_err(invalid)?
    } else {
        xyz.to_owned()
    };
    reel_types::components::ViewCoordinates::from_str_code(&code)
        .map(|v| v.0)
        .map_err(invalid)
}

/// Delivers and closes every live recording, with the GIL released; the Python package
/// calls it from `atexit`, while the interpreter can still run the release callbacks of
/// arrays it handed over.
#[pyfunction]
fn shutdown_all(py: Python<'_>) {
    py.detach(reel_sdk::shutdown_all);
    py.detach(stop_web_servers);
}

/// Web viewer servers and served recordings started from Python; they run until
/// `stop_web_servers` (called at exit) or the end of the process.
static WEB_SERVERS: parking_lot::Mutex<Vec<reel::web::WebViewerServer>> =
    parking_lot::Mutex::new(Vec::new());
static WEB_SERVING: parking_lot::Mutex<Vec<reel::web::WebServing>> =
    parking_lot::Mutex::new(Vec::new());

/// Hosts the web viewer on `port` of loopback (0: a free one); returns its URL.
#[pyfunction]
fn start_web_viewer_server(py: Python<'_>, port: u16) -> PyResult<String> {
    let server = py
        .detach(|| reel::web::start_web_viewer_server(port))
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let url = server.url().to_owned();
    WEB_SERVERS.lock().push(server);
    Ok(url)
}

/// Stops every web viewer server and served recording started from Python.
#[pyfunction]
fn stop_web_servers() {
    let servers = std::mem::take(&mut *WEB_SERVERS.lock());
    let serving = std::mem::take(&mut *WEB_SERVING.lock());
    drop(servers);
    drop(serving);
}

/// Marks this process as a forked child: recordings inherited from the parent go inert.
/// Registered with `os.register_at_fork`; `fork()` also triggers reel's own
/// `pthread_atfork` hook, and a second notification is harmless.
#[pyfunction]
fn notify_forked_child() {
    reel_sdk::process::notify_forked_child();
}

/// `path` repaired by the forgiving parse (what lenient logging writes to), in the escaped
/// syntax that parses strictly.
#[pyfunction]
fn repair_entity_path(path: &str) -> String {
    reel_core::EntityPath::parse_forgiving(path).to_string()
}

/// The reel version of the extension.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The extension module.
#[pymodule]
fn _reel(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRecording>()?;
    m.add_class::<PyMemory>()?;
    m.add_class::<loaded::PyLoaded>()?;
    m.add_class::<loaded::ArrowStream>()?;
    m.add_class::<convert::NativeBatch>()?;
    m.add_class::<convert::BatchKind>()?;
    m.add_class::<convert::Parts>()?;
    m.add_function(wrap_pyfunction!(convert::native_batch, m)?)?;
    m.add_function(wrap_pyfunction!(convert::tensor_batch, m)?)?;
    m.add_function(wrap_pyfunction!(convert::class_descriptions, m)?)?;
    m.add_function(wrap_pyfunction!(loaded::load, m)?)?;
    m.add_function(wrap_pyfunction!(loaded::load_file, m)?)?;
    m.add_function(wrap_pyfunction!(new_recording, m)?)?;
    m.add_function(wrap_pyfunction!(get_global, m)?)?;
    m.add_function(wrap_pyfunction!(set_global, m)?)?;
    m.add_function(wrap_pyfunction!(get_thread_local, m)?)?;
    m.add_function(wrap_pyfunction!(defaults_generation, m)?)?;
    m.add_function(wrap_pyfunction!(set_thread_local, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(repair_entity_path, m)?)?;
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    m.add_function(wrap_pyfunction!(notify_forked_child, m)?)?;
    m.add_function(wrap_pyfunction!(shutdown_all, m)?)?;
    m.add_function(wrap_pyfunction!(start_web_viewer_server, m)?)?;
    m.add_function(wrap_pyfunction!(stop_web_servers, m)?)?;
    m.add("DEFAULT_WIDTH", reel::web::DEFAULT_WIDTH)?;
    m.add("DEFAULT_HEIGHT", reel::web::DEFAULT_HEIGHT)?;
    m.add("DEFAULT_TIMEOUT", reel::web::DEFAULT_TIMEOUT_MS)?;
    m.add_function(wrap_pyfunction!(check_mesh_file, m)?)?;
    m.add_function(wrap_pyfunction!(inspect_image_file, m)?)?;
    m.add_function(wrap_pyfunction!(encode_jpeg, m)?)?;
    m.add_function(wrap_pyfunction!(view_coordinates, m)?)?;
    m.add_function(wrap_pyfunction!(set_stderr_diagnostics, m)?)?;
    Ok(())
}
