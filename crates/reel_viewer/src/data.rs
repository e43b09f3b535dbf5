//! Typed reads of query results: the components of one entity at the cursor, decoded into
//! `reel_types` values, with splats expanded and wrong types reported instead of panicking.

use reel_core::arrow_array::{Array, Float64Array, ListArray};
use reel_core::{Component, ComponentName, EntityPath};
use reel_store::{ChunkStore, LatestAtQuery, LatestAtResults, QueryHit};
use reel_types::archetypes::INDICATOR_PREFIX;

/// The components of one entity at the cursor.
pub struct EntityData {
    /// The entity.
    pub entity: EntityPath,
    /// The latest-at results, per component.
    pub results: LatestAtResults,
    /// Components whose cell could not be read as the expected type.
    pub errors: Vec<String>,
}

impl EntityData {
    /// Queries every component of `entity` at `query`.
    pub fn query(store: &ChunkStore, query: &LatestAtQuery, entity: &EntityPath) -> Self {
        Self {
            entity: entity.clone(),
            results: store.latest_at_all(query, entity),
            errors: Vec::new(),
        }
    }

    /// Queries only `components` of `entity` at `query`.
    pub fn query_components(
        store: &ChunkStore,
        query: &LatestAtQuery,
        entity: &EntityPath,
        components: &[ComponentName],
    ) -> Self {
        Self {
            entity: entity.clone(),
            results: store.latest_at(query, entity, components),
            errors: Vec::new(),
        }
    }

    /// Whether the archetype `name` (e.g. `"Points2D"`) is logged here (its indicator has
    /// a visible value).
    pub fn has_archetype(&self, name: &str) -> bool {
        self.results
            .components
            .keys()
            .any(|c| c.as_str().strip_prefix(INDICATOR_PREFIX) == Some(name))
    }

    /// Every instance of `C`, or empty when it is not logged (a wrong type is remembered
    /// in [`Self::errors`]).
    pub fn get<C: Component>(&mut self) -> Vec<C> {
        let Some(cell) = self.results.cell(&C::name()) else {
            return Vec::new();
        };
        match C::from_arrow(cell.as_ref()) {
            Ok(v) => v,
            Err(e) => {
                self.errors.push(e.to_string());
                Vec::new()
            }
        }
    }

    /// The first instance of `C`, if any.
    pub fn first<C: Component>(&mut self) -> Option<C> {
        self.get::<C>().into_iter().next()
    }

    /// The row that holds `C`'s value.
    pub fn hit<C: Component>(&self) -> Option<&QueryHit> {
        self.results.get(&C::name())
    }
}

/// A per-instance attribute: `values[i]`, the splat `values[0]` when one value was logged
/// for many instances, or `default` when nothing was logged.
pub fn instance<T: Clone>(values: &[T], i: usize, default: T) -> T {
    match values.len() {
        0 => default,
        1 => values[0].clone(),
        _ => values.get(i).cloned().unwrap_or(default),
    }
}

/// The scalar (`f64`) of one row of a `reel.components.Scalar`-typed list column, read
/// without building an intermediate array.
pub struct ScalarColumn<'a> {
    list: &'a ListArray,
    values: &'a Float64Array,
}

impl<'a> ScalarColumn<'a> {
    /// Views `list` (a list of `Float64`), or `None` for another type.
    pub fn new(list: &'a ListArray) -> Option<Self> {
        let values = list.values().as_any().downcast_ref::<Float64Array>()?;
        Some(Self { list, values })
    }

    /// The first value logged in `row`, if the row logged one.
    pub fn get(&self, row: usize) -> Option<f64> {
        if row >= self.list.len() || self.list.is_null(row) {
            return None;
        }
        let offsets = self.list.value_offsets();
        let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
        (start < end && start < self.values.len()).then(|| self.values.value(start))
    }
}

/// The first string of one row of a list-of-`Utf8` column, read without building an
/// intermediate array.
pub struct StringColumn<'a> {
    list: &'a ListArray,
    values: &'a reel_core::arrow_array::StringArray,
}

impl<'a> StringColumn<'a> {
    /// Views `list` (a list of `Utf8`), or `None` for another type.
    pub fn new(list: &'a ListArray) -> Option<Self> {
        let values = list
            .values()
            .as_any()
            .downcast_ref::<reel_core::arrow_array::StringArray>()?;
        Some(Self { list, values })
    }

    /// The first string logged in `row`, if the row logged one.
    pub fn get(&self, row: usize) -> Option<&'a str> {
        if row >= self.list.len() || self.list.is_null(row) {
            return None;
        }
        let offsets = self.list.value_offsets();
        let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
        (start < end && start < self.values.len() && self.values.is_valid(start))
            .then(|| self.values.value(start))
    }
}

/// Formats a cell for the selection panel: up to `max` instances.
pub fn format_cell(cell: &dyn Array, max: usize) -> String {
    let n = cell.len();
    let mut parts: Vec<String> = (0..n.min(max)).map(|i| format_value(cell, i)).collect();
    if n > max {
        parts.push(format!("… ({n} in all)"));
    }
    match n {
        0 => "(cleared)".to_owned(),
        1 => parts.remove(0),
        _ => format!("[{}]", parts.join(", ")),
    }
}

/// Formats value `i` of `array`: numbers, strings, lists and structs as text, binary data
/// by its size.
pub fn format_value(array: &dyn Array, i: usize) -> String {
    use reel_core::arrow_array::cast::AsArray;
    use reel_core::arrow_array::types::*;
    use reel_core::arrow_schema::DataType;
    if array.is_null(i) {
        return "null".to_owned();
    }
    macro_rules! prim {
        ($t:ty) => {
            array.as_primitive::<$t>().value(i).to_string()
        };
    }
    match array.data_type() {
        DataType::Null => "·".to_owned(),
        DataType::Boolean => array.as_boolean().value(i).to_string(),
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        DataType::Float32 => format_float(f64::from(array.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => format_float(array.as_primitive::<Float64Type>().value(i)),
        DataType::Utf8 => array.as_string::<i32>().value(i).to_owned(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(i).to_owned(),
        DataType::Binary => format!("<{} bytes>", array.as_binary::<i32>().value(i).len()),
        DataType::LargeBinary => format!("<{} bytes>", array.as_binary::<i64>().value(i).len()),
        DataType::FixedSizeList(_, _) => format_list(array.as_fixed_size_list().value(i).as_ref()),
        DataType::List(_) => format_list(array.as_list::<i32>().value(i).as_ref()),
        DataType::LargeList(_) => format_list(array.as_list::<i64>().value(i).as_ref()),
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let parts: Vec<String> = fields
                .iter()
                .zip(s.columns())
                .map(|(f, c)| format!("{}: {}", f.name(), format_value(c.as_ref(), i)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => format!("<{other}>"),
    }
}

fn format_list(values: &dyn Array) -> String {
    const MAX: usize = 16;
    let n = values.len();
    let mut parts: Vec<String> = (0..n.min(MAX)).map(|i| format_value(values, i)).collect();
    if n > MAX {
        parts.push(format!("… {n}"));
    }
    format!("[{}]", parts.join(", "))
}

/// A float with at most 6 significant decimals and no trailing zeros.
pub fn format_float(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{v:.1}");
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0');
    s.strip_suffix('.').unwrap_or(s).to_owned()
}

/// The values of a cell of fixed-size `f32` lists (positions, vectors, sizes) as arrays,
/// without copying; `None` for another type or when a value is null.
pub fn f32_arrays<const N: usize>(cell: &dyn Array) -> Option<&[[f32; N]]> {
    use reel_core::arrow_array::cast::AsArray;
    use reel_core::arrow_array::types::Float32Type;
    let list = cell.as_fixed_size_list_opt()?;
    if list.value_length() as usize != N || list.null_count() > 0 {
        return None;
    }
    let values = list.values().as_primitive_opt::<Float32Type>()?;
    if values.null_count() > 0 {
        return None;
    }
    // A sliced list slices its values too: they start at the first list's.
    let flat = values.values().get(..list.len() * N)?;
    bytemuck::try_cast_slice(flat).ok()
}

/// The values of a cell of a primitive component (colors, radii, class ids) without
/// copying; `None` for another type or when a value is null.
pub fn primitives<T: reel_core::arrow_array::ArrowPrimitiveType>(
    cell: &dyn Array,
) -> Option<&[T::Native]> {
    use reel_core::arrow_array::cast::AsArray;
    let values = cell.as_primitive_opt::<T>()?;
    (values.null_count() == 0).then(|| values.values().as_ref())
}
