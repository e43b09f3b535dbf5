//! Component batches from plain Python values: the one conversion layer behind every
//! `reel.components.*Batch` (and so every log call) for small inputs.
//!
//! Building a pyarrow array costs tens of microseconds whatever its size; converting a
//! scalar, a list or a small numpy array here costs well under one. Large numpy arrays
//! keep their zero-copy path through pyarrow (the Python side decides by size). A
//! [`NativeBatch`] is an Arrow array owned by Rust: `log_components` takes it as is, and
//! it exports itself through the Arrow PyCapsule interface when Python asks for pyarrow.

use std::sync::Arc;

use arrow_array::types::{
    Float32Type, Float64Type, Int64Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, BooleanArray, FixedSizeListArray, NullArray,
    PrimitiveArray,
};
use arrow_schema::{DataType, Field};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyCapsule, PyFloat, PyInt, PyList, PyString, PyTuple};
use reel_core::{ComponentBatch, ComponentName};

/// The element type of a numeric kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Elem {
    F32,
    F64,
    U8,
    U16,
    U32,
    U64,
    I64,
}

/// What a batch is built as, named by the Python side (`"f32"`, `"f32x3"`, `"color"`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// One number per instance.
    Num(Elem),
    /// A fixed-size list of numbers per instance (`FixedSizeList<elem, n>`, items non-null).
    Fixed(Elem, i32),
    /// A variable-length list of such rows per instance (`f32x3[]`: line strips).
    List(Elem, i32),
    Bool,
    Utf8,
    /// Packed `0xRRGGBBAA` from any accepted colour form.
    Color,
    /// An indicator: one null.
    Null,
}

impl Kind {
    fn parse(kind: &str) -> PyResult<Self> {
        let elem = |s: &str| match s {
            "f32" => Some(Elem::F32),
            "f64" => Some(Elem::F64),
            "u8" => Some(Elem::U8),
            "u16" => Some(Elem::U16),
            "u32" => Some(Elem::U32),
            "u64" => Some(Elem::U64),
            "i64" => Some(Elem::I64),
            _ => None,
        };
        let parsed = match kind {
            "bool" => Some(Self::Bool),
            "utf8" => Some(Self::Utf8),
            "color" => Some(Self::Color),
            "null" => Some(Self::Null),
            _ => {
                let (fixed, list) = match kind.strip_suffix("[]") {
                    Some(row) => (row, true),
                    None => (kind, false),
                };
                match fixed.split_once('x') {
                    Some((e, n)) => elem(e).zip(n.parse().ok()).map(|(e, n)| {
                        if list {
                            Self::List(e, n)
                        } else {
                            Self::Fixed(e, n)
                        }
                    }),
                    None if !list => elem(kind).map(Self::Num),
                    None => None,
                }
            }
        };
        parsed.ok_or_else(|| PyValueError::new_err(format!("unknown batch kind {kind:?}")))
    }
}

/// A kind parsed once (`BatchKind("f32x3")`): component classes hold one, so a log call
/// reads it without parsing or copying a string.
#[pyclass(name = "BatchKind", module = "reel._reel", frozen)]
pub(crate) struct BatchKind(Kind);

#[pymethods]
impl BatchKind {
    #[new]
    fn new(kind: &str) -> PyResult<Self> {
        Kind::parse(kind).map(Self)
    }

    fn __repr__(&self) -> String {
        format!("BatchKind({:?})", self.0)
    }
}

/// A kind given as a [`BatchKind`] or a string.
pub(crate) fn kind_of(kind: &Bound<'_, PyAny>) -> PyResult<Kind> {
    match kind.cast::<BatchKind>() {
        Ok(kind) => Ok(kind.get().0),
        Err(_) => Kind::parse(&kind.extract::<String>()?),
    }
}

/// The components a log function takes, in the order of its arguments, made once per
/// function (`Parts("Points3D", [Position3DBatch, ColorBatch, ...], fallback)`, with
/// `aligned=False` for archetypes whose batches count different things): a log call
/// then hands its argument values over as they are, in one call
/// (`RecordingHandle.log_parts`). Each value in a plain Python form (numbers, strings,
/// lists and tuples of them) is converted here by its class's kind; anything else (numpy
/// arrays, pyarrow arrays, batch objects) goes through `fallback(cls, value)`, which
/// returns a `(name, batch)` pair as `log_components` takes them.
#[pyclass(name = "Parts", module = "reel._reel", frozen)]
pub(crate) struct Parts {
    indicator: Option<ComponentName>,
    parts: Vec<Part>,
    fallback: Py<PyAny>,
    /// Whether the batches count the same instances (false for meshes: vertices and
    /// triangles).
    pub(crate) aligned: bool,
}

/// One component of [`Parts`].
struct Part {
    name: ComponentName,
    /// The short name, for errors.
    what: String,
    /// The native conversion, if the class has one.
    kind: Option<Kind>,
    /// The Arrow type of a built-in component.
    expected: Option<DataType>,
    /// The batch class.
    class: Py<PyAny>,
}

#[pymethods]
impl Parts {
    #[new]
    #[pyo3(signature = (indicator, classes, fallback, aligned=true))]
    fn new(
        indicator: Option<&str>,
        classes: Vec<Bound<'_, PyAny>>,
        fallback: Bound<'_, PyAny>,
        aligned: bool,
    ) -> PyResult<Self> {
        let parts = classes
            .into_iter()
            .map(|class| {
                let name: String = class.getattr("_NAME")?.extract()?;
                let kind = match class.getattr("_KIND") {
                    Ok(kind) if !kind.is_none() => Some(kind_of(&kind)?),
                    _ => None,
                };
                Ok(Part {
                    what: what(&name).to_owned(),
                    expected: reel_types::components::builtin_datatype(&name),
                    name: ComponentName::new(name),
                    kind,
                    class: class.unbind(),
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Self {
            indicator: indicator.map(|a| {
                ComponentName::new(format!("{}{a}", reel_types::archetypes::INDICATOR_PREFIX))
            }),
            parts,
            fallback: fallback.unbind(),
            aligned,
        })
    }

    fn __len__(&self) -> usize {
        self.parts.len()
    }
}

impl Parts {
    /// Appends the batches of `values` (one per part; `None` for an argument not given)
    /// and the indicator to `out`; `batch_of` converts a fallback's `(name, batch)` pair.
    pub(crate) fn convert(
        &self,
        values: &Bound<'_, PyTuple>,
        out: &mut Vec<ComponentBatch>,
        batch_of: impl Fn(ComponentName, &Bound<'_, PyAny>) -> PyResult<ComponentBatch>,
    ) -> PyResult<()> {
        if values.len() != self.parts.len() {
            return Err(PyValueError::new_err(format!(
                "expected {} values, got {}",
                self.parts.len(),
                values.len()
            )));
        }
        let py = values.py();
        for (part, value) in self.parts.iter().zip(values.iter()) {
            if value.is_none() {
                continue;
            }
            match part.kind {
                Some(kind) if takes_natively(&value) => {
                    let array = to_array(kind, &value, &part.what)?;
                    check_type(
                        part.name.as_str(),
                        part.expected.as_ref(),
                        array.data_type(),
                    )?;
                    out.push(ComponentBatch::new(part.name.clone(), array));
                }
                _ => {
                    let pair = self
                        .fallback
                        .bind(py)
                        .call1((part.class.bind(py), &value))?;
                    let pair = pair.cast::<PyTuple>()?;
                    let name: String = pair.get_item(0)?.extract()?;
                    out.push(batch_of(name.into(), &pair.get_item(1)?)?);
                }
            }
        }
        if let Some(name) = &self.indicator {
            out.push(ComponentBatch::from_static(name.clone(), &ONE_NULL));
        }
        Ok(())
    }
}

/// How a component is named in errors: the last part of its name (`Color`).
pub(crate) fn what(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// Refuses an array of another Arrow type than the component's `expected` one (`None`: a
/// user component, any type goes).
pub(crate) fn check_type(
    name: &str,
    expected: Option<&DataType>,
    found: &DataType,
) -> PyResult<()> {
    match expected {
        Some(expected) if expected != found => Err(PyTypeError::new_err(format!(
            "component {name} has Arrow type {expected}, got {found}"
        ))),
        _ => Ok(()),
    }
}

/// An indicator's array: one null, shared.
static ONE_NULL: std::sync::LazyLock<ArrayRef> =
    std::sync::LazyLock::new(|| Arc::new(NullArray::new(1)));

/// Whether `value` is in a form [`to_array`] takes without asking Python: a number, a
/// string, or a list or tuple that is empty or starts with one of those or a list or
/// tuple. Everything else (numpy and pyarrow arrays, batch objects, lists of arrays) is
/// left to the Python side, which knows when to go zero-copy.
fn takes_natively(value: &Bound<'_, PyAny>) -> bool {
    let simple = |v: &Bound<'_, PyAny>| {
        v.is_instance_of::<PyFloat>()
            || v.is_instance_of::<PyInt>()
            || v.is_instance_of::<PyString>()
    };
    let first = if let Ok(list) = value.cast::<PyList>() {
        list.iter().next()
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        tuple.iter().next()
    } else {
        return simple(value);
    };
    first
        .is_none_or(|f| simple(&f) || f.is_instance_of::<PyList>() || f.is_instance_of::<PyTuple>())
}

/// A component batch converted in Rust; see the module docs.
#[pyclass(name = "NativeBatch", module = "reel._reel", frozen)]
pub(crate) struct NativeBatch {
    pub(crate) array: ArrayRef,
}

#[pymethods]
impl NativeBatch {
    fn __len__(&self) -> usize {
        self.array.len()
    }

    /// The Arrow PyCapsule interface: `pyarrow.array(batch)` takes the array without a copy.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
        // A requested schema is a hint; the array is given in its own type.
        let _ = requested_schema;
        let (array, schema) = arrow_array::ffi::to_ffi(&self.array.to_data())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let schema = PyCapsule::new_with_value(py, schema, c"arrow_schema")?;
        let array = PyCapsule::new_with_value(py, array, c"arrow_array")?;
        Ok((schema, array))
    }
}

/// Converts `value` to a batch of `kind` (a [`BatchKind`] or its string); `what` names it
/// in errors (e.g. `ColorBatch`).
#[pyfunction]
pub(crate) fn native_batch(
    kind: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<NativeBatch> {
    Ok(NativeBatch {
        array: to_array(kind_of(kind)?, value, what)?,
    })
}

/// One tensor from its shape, element type name (`"u8"`, `"f32"`, ...), little-endian
/// bytes and optional dimension names: how a small numpy array becomes a `TensorData`
/// batch (large ones go through pyarrow, which shares their memory).
#[pyfunction]
#[pyo3(signature = (shape, dtype, data, names=None))]
pub(crate) fn tensor_batch(
    shape: Vec<u64>,
    dtype: &str,
    data: &[u8],
    names: Option<Vec<String>>,
) -> PyResult<NativeBatch> {
    use reel_core::Component;
    use reel_types::components::{TensorBuffer, TensorData, TensorDataType};
    let element = TensorDataType::from_name(dtype)
        .ok_or_else(|| PyTypeError::new_err(format!("tensor: unsupported element type {dtype}")))?;
    let buffer = TensorBuffer::from_le_bytes(element, data).ok_or_else(|| {
        PyValueError::new_err(format!(
            "tensor: {} bytes are not whole {dtype} elements",
            data.len()
        ))
    })?;
    let invalid = |e: reel_types::ValidationError| PyValueError::new_err(format!("tensor: {e}"));
    let mut tensor = TensorData::new(shape, buffer).map_err(invalid)?;
    if let Some(names) = names {
        tensor = tensor.with_names(names).map_err(invalid)?;
    }
    Ok(NativeBatch {
        array: TensorData::to_arrow_owned(vec![tensor]),
    })
}

/// One annotation info from Python: `(id, label, color)`, the color in any form a
/// `ColorBatch` takes (one color).
type PlainInfo<'py> = (u16, Option<String>, Option<Bound<'py, PyAny>>);

/// One class description from Python: its info, its keypoints' and its connections.
type PlainClass<'py> = (PlainInfo<'py>, Vec<PlainInfo<'py>>, Vec<(u16, u16)>);

/// The class descriptions of an annotation context from plain values: per class its info,
/// its keypoints' infos and its keypoint connections (pairs of keypoint ids).
#[pyfunction]
pub(crate) fn class_descriptions(classes: Vec<PlainClass<'_>>) -> PyResult<NativeBatch> {
    use reel_core::Component;
    use reel_types::components::{AnnotationInfo, ClassDescription, Color};
    let info = |(id, label, color): PlainInfo<'_>| -> PyResult<AnnotationInfo> {
        let color = match color {
            None => None,
            Some(color) => {
                let array = to_array(Kind::Color, &color, "class color")?;
                let packed = array
                    .as_any()
                    .downcast_ref::<arrow_array::UInt32Array>()
                    .filter(|a| a.len() == 1)
                    .ok_or_else(|| PyValueError::new_err("class color: expected one color"))?;
                Some(Color(packed.value(0)))
            }
        };
        Ok(AnnotationInfo { id, label, color })
    };
    let descriptions = classes
        .into_iter()
        .map(|(class, keypoints, connections)| {
            Ok(ClassDescription {
                info: info(class)?,
                keypoint_annotations: keypoints.into_iter().map(info).collect::<PyResult<_>>()?,
                keypoint_connections: connections,
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(NativeBatch {
        array: ClassDescription::to_arrow(&descriptions),
    })
}

/// The Arrow array of `kind` for `value`; `what` names it in errors.
pub(crate) fn to_array(kind: Kind, value: &Bound<'_, PyAny>, what: &str) -> PyResult<ArrayRef> {
    let value = plain(value)?;
    let array: ArrayRef = match kind {
        Kind::Num(elem) => numbers(elem, &scalars(&value, what)?, what)?,
        Kind::Fixed(elem, n) => fixed(elem, n, &value, what)?,
        Kind::List(elem, n) => strips(elem, n, &value, what)?,
        Kind::Bool => {
            let values = scalars(&value, what)?
                .iter()
                .map(|v| {
                    v.cast::<PyBool>()
                        .map(|b| b.is_true())
                        .map_err(|_| PyTypeError::new_err(format!("{what}: expected booleans")))
                })
                .collect::<PyResult<Vec<bool>>>()?;
            Arc::new(BooleanArray::from(values))
        }
        Kind::Utf8 => {
            let not_strings = || PyTypeError::new_err(format!("{what}: expected strings"));
            let mut builder = arrow_array::builder::StringBuilder::new();
            if let Ok(text) = value.cast::<PyString>() {
                builder.append_value(text.to_cow()?);
            } else {
                // Borrowed from each Python string where it is UTF-8 already: no copy
                // between the string and the array.
                let mut failed = false;
                each(&value, |v| {
                    let v = if v.is_instance_of::<PyString>() {
                        v
                    } else {
                        plain(&v).ok()?
                    };
                    match v.cast::<PyString>().map(|t| t.to_cow()) {
                        Ok(Ok(text)) => builder.append_value(&text),
                        _ => failed = true,
                    }
                    (!failed).then_some(())
                })
                .ok_or_else(not_strings)?;
            }
            Arc::new(builder.finish())
        }
        Kind::Color => Arc::new(PrimitiveArray::<UInt32Type>::from(colors(
            &value,
            is_packed_array(&value)?,
        )?)),
        Kind::Null => Arc::new(NullArray::new(1)),
    };
    Ok(array)
}

/// A numpy array or scalar as plain Python values (`tolist`); anything else as is.
fn plain<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let simple = value.is_instance_of::<PyList>()
        || value.is_instance_of::<PyTuple>()
        || value.is_instance_of::<PyFloat>()
        || value.is_instance_of::<PyInt>()
        || value.is_instance_of::<PyString>();
    if !simple && value.hasattr("tolist")? {
        return value.call_method0("tolist");
    }
    Ok(value.clone())
}

/// Whether `value` was a numpy array of packed `uint32` colours (read before `tolist`).
fn is_packed_array(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        return Ok(false);
    }
    Ok(match value.getattr("dtype") {
        Ok(dtype) => dtype.str()?.to_cow()? == "uint32",
        Err(_) => false,
    })
}

/// The elements of a list or tuple (numpy elements made plain, as in `[np.array(...)]`);
/// `None` for anything else.
fn items<'py>(value: &Bound<'py, PyAny>) -> Option<Vec<Bound<'py, PyAny>>> {
    let plain_all = |it: &mut dyn Iterator<Item = Bound<'py, PyAny>>| {
        it.map(|v| plain(&v).unwrap_or(v)).collect()
    };
    if let Ok(list) = value.cast::<PyList>() {
        Some(plain_all(&mut list.iter()))
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        Some(plain_all(&mut tuple.iter()))
    } else {
        None
    }
}

/// An integer: a Python int or anything with `__index__` (numpy integers), never a float.
fn is_integer(value: &Bound<'_, PyAny>) -> bool {
    value.is_instance_of::<PyInt>()
        || (!value.is_instance_of::<PyFloat>() && value.hasattr("__index__").unwrap_or(false))
}

/// A scalar or a flat sequence of scalars.
fn scalars<'py>(value: &Bound<'py, PyAny>, what: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let Some(values) = items(value) else {
        return Ok(vec![value.clone()]);
    };
    if values.iter().any(|v| items(v).is_some()) {
        return Err(PyValueError::new_err(format!(
            "{what}: expected a scalar or a 1-D array, got nested sequences"
        )));
    }
    Ok(values)
}

/// Numbers of `elem`: integers for integer types (range-checked), any number for floats.
fn numbers(elem: Elem, values: &[Bound<'_, PyAny>], what: &str) -> PyResult<ArrayRef> {
    fn ints<T: ArrowPrimitiveType>(values: &[Bound<'_, PyAny>], what: &str) -> PyResult<ArrayRef>
    where
        T::Native: for<'a, 'py> FromPyObject<'a, 'py> + TryFrom<u64>,
    {
        let converted = values
            .iter()
            .map(|v| {
                if !is_integer(v) {
                    return Err(PyTypeError::new_err(format!(
                        "{what}: expected integers, got {}",
                        type_name(v)
                    )));
                }
                v.extract::<T::Native>().map_err(|_| {
                    PyValueError::new_err(format!("{what}: {v} does not fit {}", T::DATA_TYPE))
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Arc::new(PrimitiveArray::<T>::from_iter_values(converted)))
    }
    fn floats(values: &[Bound<'_, PyAny>], what: &str) -> PyResult<Vec<f64>> {
        values
            .iter()
            .map(|v| {
                if v.is_instance_of::<PyString>() {
                    return Err(PyTypeError::new_err(format!(
                        "{what}: expected numbers, got str"
                    )));
                }
                v.extract::<f64>().map_err(|_| {
                    PyTypeError::new_err(format!("{what}: expected numbers, got {}", type_name(v)))
                })
            })
            .collect()
    }
    Ok(match elem {
        Elem::F32 => Arc::new(PrimitiveArray::<Float32Type>::from_iter_values(
            floats(values, what)?.into_iter().map(|v| v as f32),
        )),
        Elem::F64 => Arc::new(PrimitiveArray::<Float64Type>::from(floats(values, what)?)),
        Elem::U8 => ints::<UInt8Type>(values, what)?,
        Elem::U16 => ints::<UInt16Type>(values, what)?,
        Elem::U32 => ints::<UInt32Type>(values, what)?,
        Elem::U64 => ints::<UInt64Type>(values, what)?,
        Elem::I64 => ints::<Int64Type>(values, what)?,
    })
}

/// Calls `f` on each element of a list or tuple; `None` for anything else or when `f`
/// gives up.
fn each<'py>(
    value: &Bound<'py, PyAny>,
    mut f: impl FnMut(Bound<'py, PyAny>) -> Option<()>,
) -> Option<usize> {
    if let Ok(list) = value.cast::<PyList>() {
        list.iter().try_for_each(&mut f)?;
        Some(list.len())
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        tuple.iter().try_for_each(&mut f)?;
        Some(tuple.len())
    } else {
        None
    }
}

/// A Python float or int as f64; `None` for anything else.
fn plain_number(value: &Bound<'_, PyAny>) -> Option<f64> {
    if let Ok(f) = value.cast::<PyFloat>() {
        Some(f.value())
    } else if value.is_exact_instance_of::<PyInt>() {
        value.extract::<f64>().ok()
    } else {
        None
    }
}

/// The common case of [`fixed`] for floats — lists (or tuples) of plain Python numbers,
/// one row or rows of `width` — read straight into f64s without intermediate objects.
/// `None` for anything else (numpy, wrong shapes, bad values): the general path then
/// converts it or says what is wrong.
fn plain_float_rows(value: &Bound<'_, PyAny>, width: usize) -> Option<Vec<f64>> {
    let mut out = Vec::with_capacity(width);
    let mut flat = None;
    let len = each(value, |item| {
        if *flat.get_or_insert_with(|| plain_number(&item).is_some()) {
            out.push(plain_number(&item)?);
        } else {
            let n = each(&item, |v| {
                out.push(plain_number(&v)?);
                Some(())
            })?;
            (n == width).then_some(())?;
        }
        Some(())
    })?;
    (flat != Some(true) || len == width).then_some(out)
}

/// The list item field of `data_type` (non-null "item"), made once per type.
fn item_field(data_type: &arrow_schema::DataType) -> arrow_schema::FieldRef {
    thread_local! {
        static FIELDS: std::cell::RefCell<Vec<arrow_schema::FieldRef>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    FIELDS.with_borrow_mut(|fields| {
        if let Some(field) = fields.iter().find(|f| f.data_type() == data_type) {
            return field.clone();
        }
        let field = Arc::new(Field::new("item", data_type.clone(), false));
        fields.push(field.clone());
        field
    })
}

/// Rows of `n` numbers: one flat row of `n`, or a sequence of rows of `n`.
fn fixed(elem: Elem, n: i32, value: &Bound<'_, PyAny>, what: &str) -> PyResult<ArrayRef> {
    let width = n as usize;
    if let Some(values) = matches!(elem, Elem::F32 | Elem::F64)
        .then(|| plain_float_rows(value, width))
        .flatten()
    {
        let values: ArrayRef = match elem {
            Elem::F32 => Arc::new(PrimitiveArray::<Float32Type>::from_iter_values(
                values.into_iter().map(|v| v as f32),
            )),
            _ => Arc::new(PrimitiveArray::<Float64Type>::from(values)),
        };
        let field = item_field(values.data_type());
        return FixedSizeListArray::try_new(field, n, values, None)
            .map(|a| Arc::new(a) as ArrayRef)
            .map_err(|e| PyValueError::new_err(format!("{what}: {e}")));
    }
    let rows = items(value).ok_or_else(|| {
        PyValueError::new_err(format!(
            "{what}: expected shape (N, {n}), got a {}",
            type_name(value)
        ))
    })?;
    let mut flat = Vec::with_capacity(rows.len() * width);
    match rows.first() {
        Some(first) if items(first).is_none() => {
            if rows.len() != width {
                return Err(PyValueError::new_err(format!(
                    "{what}: expected shape (N, {n}), got ({},)",
                    rows.len()
                )));
            }
            flat = rows;
        }
        _ => {
            for row in &rows {
                let row = items(row).ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "{what}: expected shape (N, {n}), got rows mixing numbers and sequences"
                    ))
                })?;
                if row.len() != width {
                    return Err(PyValueError::new_err(format!(
                        "{what}: expected shape (N, {n}), got a row of {}",
                        row.len()
                    )));
                }
                flat.extend(row);
            }
        }
    }
    let values = numbers(elem, &flat, what)?;
    let field = item_field(values.data_type());
    FixedSizeListArray::try_new(field, n, values, None)
        .map(|a| Arc::new(a) as ArrayRef)
        .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

/// One list of rows of `n` numbers per instance (line strips): each strip a sequence of
/// rows, or a flat sequence of numbers taken `n` at a time.
fn strips(elem: Elem, n: i32, value: &Bound<'_, PyAny>, what: &str) -> PyResult<ArrayRef> {
    let width = n as usize;
    let shape_error =
        || PyValueError::new_err(format!("{what}: each strip must have shape (K, {n})"));
    let strips = items(value).ok_or_else(|| {
        PyValueError::new_err(format!("{what}: expected a list of (K, {n}) arrays"))
    })?;
    let mut offsets = Vec::with_capacity(strips.len() + 1);
    offsets.push(0i32);
    let mut flat = Vec::new();
    for strip in &strips {
        let elements = items(strip).ok_or_else(shape_error)?;
        if elements.iter().all(|e| items(e).is_none()) {
            if elements.len() % width != 0 {
                return Err(shape_error());
            }
            flat.extend(elements);
        } else {
            for row in &elements {
                let row = items(row)
                    .filter(|r| r.len() == width)
                    .ok_or_else(shape_error)?;
                flat.extend(row);
            }
        }
        let rows = i32::try_from(flat.len() / width)
            .map_err(|_| PyValueError::new_err(format!("{what}: too many points")))?;
        offsets.push(rows);
    }
    let values = numbers(elem, &flat, what)?;
    let item = Arc::new(Field::new("item", values.data_type().clone(), false));
    let points = FixedSizeListArray::try_new(item, n, values, None)
        .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))?;
    let field = Arc::new(Field::new("item", points.data_type().clone(), false));
    let list = arrow_array::ListArray::try_new(
        field,
        arrow_buffer::OffsetBuffer::new(offsets.into()),
        Arc::new(points),
        None,
    )
    .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))?;
    Ok(Arc::new(list))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// A number of a colour: an integer, or a float (which makes the whole input 0-1 floats).
enum Channel {
    Int(i128),
    Float(f64),
}

fn channel(value: &Bound<'_, PyAny>) -> PyResult<Channel> {
    // The common cases first: a Python int that fits i64, a Python float.
    if value.is_exact_instance_of::<PyInt>() {
        if let Ok(v) = value.extract::<i64>() {
            return Ok(Channel::Int(i128::from(v)));
        }
    } else if let Ok(f) = value.cast_exact::<PyFloat>() {
        return Ok(Channel::Float(f.value()));
    }
    if is_integer(value) {
        value
            .extract::<i128>()
            .map(Channel::Int)
            .map_err(|_| PyValueError::new_err("colors: integer out of range"))
    } else if value.is_instance_of::<PyFloat>() || value.hasattr("__float__")? {
        Ok(Channel::Float(value.extract::<f64>()?))
    } else {
        Err(PyTypeError::new_err(format!(
            "colors: expected numbers, got {}",
            type_name(value)
        )))
    }
}

/// Packed `0xRRGGBBAA` colours from every accepted form (see `reel.components.ColorBatch`):
/// a packed int or a list of them (or a `uint32` array, `packed_array`), or RGB/RGBA rows
/// as integers 0-255 or floats 0-1. A flat list of 3 or 4 integers that all fit a byte is
/// one RGB(A) colour; any other flat list of integers is packed colours.
fn colors(value: &Bound<'_, PyAny>, packed_array: bool) -> PyResult<Vec<u32>> {
    if let Some(packed) = byte_rows(value) {
        return Ok(packed);
    }
    let packed = |c: &[Channel]| -> PyResult<Vec<u32>> {
        c.iter()
            .map(|c| match c {
                Channel::Int(v) => u32::try_from(*v).map_err(|_| {
                    PyValueError::new_err(
                        "colors: a packed color is an integer in 0..=0xFFFFFFFF (0xRRGGBBAA)",
                    )
                }),
                Channel::Float(_) => Err(PyValueError::new_err(
                    "colors: expected shape (N, 3) or (N, 4), got floats",
                )),
            })
            .collect()
    };
    let Some(rows) = items(value) else {
        return packed(&[channel(value)?]);
    };
    let row_items: Vec<Option<Vec<Bound<'_, PyAny>>>> = rows.iter().map(|r| items(r)).collect();
    let nested = row_items.iter().any(Option::is_some);
    let rows: Vec<Vec<Channel>> = if nested {
        row_items
            .iter()
            .map(|r| {
                r.as_ref()
                    .ok_or_else(|| PyValueError::new_err("colors: rows mix numbers and sequences"))?
                    .iter()
                    .map(channel)
                    .collect()
            })
            .collect::<PyResult<_>>()?
    } else {
        let flat = rows.iter().map(channel).collect::<PyResult<Vec<_>>>()?;
        let all_ints = flat.iter().all(|c| matches!(c, Channel::Int(_)));
        let fits_a_byte = flat
            .iter()
            .all(|c| matches!(c, Channel::Int(v) if (0..=255).contains(v)));
        if packed_array || (all_ints && !((flat.len() == 3 || flat.len() == 4) && fits_a_byte)) {
            return packed(&flat);
        }
        vec![flat]
    };
    // As numpy would: one float anywhere makes every channel a 0-1 float.
    let floats = rows
        .iter()
        .flatten()
        .any(|c| matches!(c, Channel::Float(_)));
    rows.iter()
        .map(|row| {
            if row.len() != 3 && row.len() != 4 {
                return Err(PyValueError::new_err(format!(
                    "colors: expected shape (N, 3) or (N, 4), got rows of {}",
                    row.len()
                )));
            }
            let mut rgba = [255u32; 4];
            for (slot, c) in rgba.iter_mut().zip(row) {
                *slot = match *c {
                    Channel::Float(v) if floats => byte_of_unit(v),
                    Channel::Int(v) if floats => byte_of_unit(v as f64),
                    Channel::Int(v) if (0..=255).contains(&v) => v as u32,
                    _ => {
                        return Err(PyValueError::new_err(
                            "colors: integer colors must be in 0..=255",
                        ))
                    }
                };
            }
            Ok((rgba[0] << 24) | (rgba[1] << 16) | (rgba[2] << 8) | rgba[3])
        })
        .collect()
}

/// The common case of [`colors`] — a list (or tuple) of RGB or RGBA rows of Python ints
/// in 0..=255 — packed without intermediate objects. `None` for anything else, which the
/// general path converts or refuses.
fn byte_rows(value: &Bound<'_, PyAny>) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    each(value, |row| {
        let mut rgba = [255u32; 4];
        let mut n = 0;
        each(&row, |c| {
            if !c.is_exact_instance_of::<PyInt>() || n == 4 {
                return None;
            }
            let v: u8 = c.extract().ok()?;
            rgba[n] = u32::from(v);
            n += 1;
            Some(())
        })?;
        (n == 3 || n == 4).then_some(())?;
        out.push((rgba[0] << 24) | (rgba[1] << 16) | (rgba[2] << 8) | rgba[3]);
        Some(())
    })?;
    Some(out)
}

/// A 0-1 float as a byte, as numpy rounds it (NaN is 0, half to even).
fn byte_of_unit(v: f64) -> u32 {
    let v = if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
    (v * 255.0).round_ties_even() as u32
}
