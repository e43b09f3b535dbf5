//! Annotation contexts resolved at the cursor: what a class id (and a keypoint id within a
//! class) is called, which color it gets and which keypoints are joined. An entity uses
//! the context logged at itself or its nearest ancestor.

use std::collections::BTreeMap;

use egui::Color32;
use reel_core::{Component, EntityPath, RowId};
use reel_store::{ChunkStore, LatestAtQuery};
use reel_types::components::{ClassDescription, Color};

/// Every annotation context of a recording at the cursor.
#[derive(Default, Debug)]
pub struct Annotations {
    contexts: BTreeMap<EntityPath, Context>,
}

#[derive(Debug)]
struct Context {
    /// The row the context was read from.
    row_id: RowId,
    classes: BTreeMap<u16, ClassDescription>,
}

impl Annotations {
    /// Reads the contexts logged at `entities` (those that have class descriptions).
    pub fn load<'a>(
        store: &ChunkStore,
        query: &LatestAtQuery,
        entities: impl IntoIterator<Item = &'a EntityPath>,
    ) -> Self {
        let mut contexts = BTreeMap::new();
        for entity in entities {
            let Some(hit) = store.latest_at_component(query, entity, &ClassDescription::name())
            else {
                continue;
            };
            let Some(cell) = hit.cell(&ClassDescription::name()) else {
                continue;
            };
            if let Ok(classes) = ClassDescription::from_arrow(cell.as_ref()) {
                let classes = classes.into_iter().map(|c| (c.info.id, c)).collect();
                let row_id = hit.key.row_id;
                contexts.insert(entity.clone(), Context { row_id, classes });
            }
        }
        Self { contexts }
    }

    /// The class `class_id` as seen from `entity`.
    pub fn class(&self, entity: &EntityPath, class_id: u16) -> Option<&ClassDescription> {
        self.context(entity)?.classes.get(&class_id)
    }

    /// The row of the context `entity` uses (what cached colors depend on).
    pub fn context_row(&self, entity: &EntityPath) -> Option<RowId> {
        self.context(entity).map(|c| c.row_id)
    }

    fn context(&self, entity: &EntityPath) -> Option<&Context> {
        let mut path = Some(entity.clone());
        while let Some(p) = path {
            if let Some(context) = self.contexts.get(&p) {
                return Some(context);
            }
            path = p.parent();
        }
        None
    }

    /// The color of an instance: its own, else its class's, else its keypoint's, else
    /// `fallback`.
    pub fn color(
        &self,
        entity: &EntityPath,
        own: Option<Color>,
        class_id: Option<u16>,
        keypoint_id: Option<u16>,
        fallback: Color32,
    ) -> Color32 {
        if let Some(c) = own {
            return to_color32(c);
        }
        let Some(class) = class_id.and_then(|id| self.class(entity, id)) else {
            return fallback;
        };
        if let Some(kp) = keypoint_id.and_then(|k| {
            class
                .keypoint_annotations
                .iter()
                .find(|a| a.id == k)
                .and_then(|a| a.color)
        }) {
            return to_color32(kp);
        }
        class
            .info
            .color
            .map(to_color32)
            .unwrap_or_else(|| class_color(class.info.id))
    }

    /// The label of an instance: its own, else its class's.
    pub fn label(
        &self,
        entity: &EntityPath,
        own: Option<String>,
        class_id: Option<u16>,
    ) -> Option<String> {
        own.or_else(|| {
            class_id
                .and_then(|id| self.class(entity, id))
                .and_then(|c| c.info.label.clone())
        })
    }
}

/// A color as egui's (unmultiplied alpha).
pub fn to_color32(c: Color) -> Color32 {
    let [r, g, b, a] = c.to_rgba();
    Color32::from_rgba_unmultiplied(r, g, b, a)
}

/// A stable, well-spread color for a class id without one (golden-ratio hues).
pub fn class_color(id: u16) -> Color32 {
    if id == 0 {
        return Color32::from_gray(0);
    }
    let hue = (f32::from(id) * 0.618_034).fract();
    egui::ecolor::Hsva::new(hue, 0.8, 0.9, 1.0).into()
}

/// A stable color for a series or entity without one, derived from its path.
pub fn auto_color(entity: &EntityPath) -> Color32 {
    let hue = (entity.hash64() % 1000) as f32 / 1000.0;
    egui::ecolor::Hsva::new(hue, 0.75, 0.95, 1.0).into()
}
