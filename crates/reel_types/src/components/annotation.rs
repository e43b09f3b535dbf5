//! Annotation contexts: what class ids and keypoint ids mean (labels, colors, skeletons).

use std::sync::{Arc, LazyLock};

use reel_core::arrow_array::{
    Array, ArrayRef, FixedSizeListArray, ListArray, StringArray, StructArray, UInt16Array,
    UInt32Array,
};
use reel_core::arrow_buffer::{NullBuffer, OffsetBuffer};
use reel_core::arrow_schema::{DataType, Field, Fields};
use reel_core::{Component, DeserializationError};

use super::{invalid, struct_array, Color};

/// The label and color of one class or keypoint id.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AnnotationInfo {
    /// The id.
    pub id: u16,
    /// Its label.
    pub label: Option<String>,
    /// Its color.
    pub color: Option<Color>,
}

impl AnnotationInfo {
    /// Info for `id` with a label and no color.
    pub fn new(id: u16, label: impl Into<String>) -> Self {
        Self {
            id,
            label: Some(label.into()),
            color: None,
        }
    }

    /// Sets the color.
    pub fn with_color(mut self, color: impl Into<Color>) -> Self {
        self.color = Some(color.into());
        self
    }
}

impl Eq for Color {}

/// What one class id means: its info, its keypoints, and which keypoints connect.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ClassDescription {
    /// The class's id, label and color.
    pub info: AnnotationInfo,
    /// The class's keypoints.
    pub keypoint_annotations: Vec<AnnotationInfo>,
    /// Pairs of keypoint ids joined by a line (a skeleton).
    pub keypoint_connections: Vec<(u16, u16)>,
}

impl From<AnnotationInfo> for ClassDescription {
    fn from(info: AnnotationInfo) -> Self {
        Self {
            info,
            ..Default::default()
        }
    }
}

// The Arrow fields are made once: building them (names, nested types) cost more than
// the values of a small annotation context.
fn info_fields() -> Fields {
    static FIELDS: LazyLock<Fields> = LazyLock::new(|| {
        Fields::from(vec![
            Field::new("id", DataType::UInt16, false),
            Field::new("label", DataType::Utf8, true),
            Field::new("color", DataType::UInt32, true),
        ])
    });
    FIELDS.clone()
}

fn connection_type() -> DataType {
    DataType::FixedSizeList(Arc::new(Field::new("item", DataType::UInt16, false)), 2)
}

fn description_fields() -> Fields {
    static FIELDS: LazyLock<Fields> = LazyLock::new(make_description_fields);
    FIELDS.clone()
}

fn make_description_fields() -> Fields {
    Fields::from(vec![
        Field::new("info", DataType::Struct(info_fields()), false),
        Field::new(
            "keypoint_annotations",
            DataType::List(Arc::new(Field::new(
                "item",
                DataType::Struct(info_fields()),
                false,
            ))),
            false,
        ),
        Field::new(
            "keypoint_connections",
            DataType::List(Arc::new(Field::new("item", connection_type(), false))),
            false,
        ),
    ])
}

fn infos_to_arrow<'a>(infos: impl Iterator<Item = &'a AnnotationInfo> + Clone) -> StructArray {
    let ids = UInt16Array::from_iter_values(infos.clone().map(|i| i.id));
    let labels = StringArray::from_iter(infos.clone().map(|i| i.label.as_deref()));
    let colors = UInt32Array::from_iter(infos.map(|i| i.color.map(|c| c.0)));
    StructArray::new(
        info_fields(),
        vec![Arc::new(ids), Arc::new(labels), Arc::new(colors)],
        None,
    )
}

fn infos_from_arrow(array: &dyn Array) -> Result<Vec<AnnotationInfo>, DeserializationError> {
    let bad = || invalid::<ClassDescription>("malformed annotation info");
    let s = array
        .as_any()
        .downcast_ref::<StructArray>()
        .ok_or_else(bad)?;
    let ids = s
        .column(0)
        .as_any()
        .downcast_ref::<UInt16Array>()
        .ok_or_else(bad)?;
    let labels = s
        .column(1)
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(bad)?;
    let colors = s
        .column(2)
        .as_any()
        .downcast_ref::<UInt32Array>()
        .ok_or_else(bad)?;
    Ok((0..s.len())
        .map(|i| AnnotationInfo {
            id: ids.value(i),
            label: labels.is_valid(i).then(|| labels.value(i).to_owned()),
            color: colors.is_valid(i).then(|| Color(colors.value(i))),
        })
        .collect())
}

impl Component for ClassDescription {
    const NAME: &'static str = "reel.components.ClassDescription";

    fn arrow_datatype() -> DataType {
        DataType::Struct(description_fields())
    }

    fn to_arrow(data: &[Self]) -> ArrayRef {
        let infos = infos_to_arrow(data.iter().map(|d| &d.info));
        let keypoints = ListArray::new(
            Arc::new(Field::new("item", DataType::Struct(info_fields()), false)),
            OffsetBuffer::from_lengths(data.iter().map(|d| d.keypoint_annotations.len())),
            Arc::new(infos_to_arrow(
                data.iter().flat_map(|d| d.keypoint_annotations.iter()),
            )),
            None,
        );
        let pairs = UInt16Array::from_iter_values(
            data.iter()
                .flat_map(|d| d.keypoint_connections.iter().flat_map(|(a, b)| [*a, *b])),
        );
        let connections = ListArray::new(
            Arc::new(Field::new("item", connection_type(), false)),
            OffsetBuffer::from_lengths(data.iter().map(|d| d.keypoint_connections.len())),
            Arc::new(FixedSizeListArray::new(
                Arc::new(Field::new("item", DataType::UInt16, false)),
                2,
                Arc::new(pairs),
                None,
            )),
            None,
        );
        Arc::new(StructArray::new(
            description_fields(),
            vec![Arc::new(infos), Arc::new(keypoints), Arc::new(connections)],
            None::<NullBuffer>,
        ))
    }

    fn from_arrow(array: &dyn Array) -> Result<Vec<Self>, DeserializationError> {
        let s = struct_array::<Self>(array)?;
        let bad = || invalid::<Self>("malformed class description");
        let infos = infos_from_arrow(s.column(0).as_ref())?;
        let keypoints = s
            .column(1)
            .as_any()
            .downcast_ref::<ListArray>()
            .ok_or_else(bad)?;
        let connections = s
            .column(2)
            .as_any()
            .downcast_ref::<ListArray>()
            .ok_or_else(bad)?;
        infos
            .into_iter()
            .enumerate()
            .map(|(i, info)| {
                let pairs_arr = connections.value(i);
                let pairs = pairs_arr
                    .as_any()
                    .downcast_ref::<FixedSizeListArray>()
                    .ok_or_else(bad)?;
                let flat = pairs
                    .values()
                    .as_any()
                    .downcast_ref::<UInt16Array>()
                    .ok_or_else(bad)?;
                let start = pairs.offset() * 2;
                let flat = &flat.values()[start..start + pairs.len() * 2];
                Ok(Self {
                    info,
                    keypoint_annotations: infos_from_arrow(keypoints.value(i).as_ref())?,
                    keypoint_connections: flat.chunks_exact(2).map(|c| (c[0], c[1])).collect(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::test_util::round_trip;

    #[test]
    fn class_descriptions_round_trip() {
        let person = ClassDescription {
            info: AnnotationInfo::new(1, "person").with_color([255u8, 0, 0]),
            keypoint_annotations: vec![
                AnnotationInfo::new(0, "head"),
                AnnotationInfo {
                    id: 1,
                    label: None,
                    color: Some(Color(7)),
                },
            ],
            keypoint_connections: vec![(0, 1)],
        };
        let car = ClassDescription::from(AnnotationInfo {
            id: 2,
            label: None,
            color: None,
        });
        let tree = ClassDescription::from(AnnotationInfo::new(3, "tree"));
        round_trip(vec![person, car, tree]);
    }
}
