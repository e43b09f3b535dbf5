//! Which views a recording gets by default, decided from the archetypes its entities log.
//!
//! The rules, in order:
//! - **Time series**: scalar entities are grouped by the first part of their path
//!   (`/metrics/speed` and `/metrics/battery` share the view `metrics`); scalars at the
//!   root level share one view named `scalars`.
//! - **2D**: one view per image entity (color, depth, segmentation or encoded). Its *space*
//!   is its nearest ancestor that logs a `Pinhole`, else its parent (else the image
//!   itself at the root level); the view draws the image and every 2D point, box and line
//!   strip entity under that space. 2D entities outside every image space are grouped
//!   into one 2D view per first path part.
//! - **Text log**: one view with every `TextLog` entity.
//! - **Tensor**, **bar chart**, **text document**: one view per entity.
//! - **3D**: one view per space that holds 3D archetypes (points, lines, boxes, arrows,
//!   meshes, assets, cameras): the root space, and one more per `DisconnectedSpace`
//!   entity, which starts a space of its own. The view draws its 3D entities, what is
//!   logged under its cameras (images, depth images, 2D shapes on the image plane), and
//!   reads the up axis from `ViewCoordinates` logged in the space. 3D views come first.

use std::collections::{BTreeMap, BTreeSet};

use reel_core::{ComponentName, EntityPath};
use reel_store::ChunkStore;
use reel_types::archetypes::INDICATOR_PREFIX;

/// What a view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ViewKind {
    /// 3D scenes.
    Spatial3D,
    /// Images with 2D overlays.
    Spatial2D,
    /// Scalars over time.
    TimeSeries,
    /// Text log lines.
    TextLog,
    /// One tensor, sliced to 2D.
    Tensor,
    /// One bar chart.
    BarChart,
    /// One text document.
    TextDocument,
}

impl ViewKind {
    /// A short name for menus and titles.
    pub fn name(self) -> &'static str {
        match self {
            Self::Spatial3D => "3D",
            Self::Spatial2D => "2D",
            Self::TimeSeries => "Time series",
            Self::TextLog => "Text log",
            Self::Tensor => "Tensor",
            Self::BarChart => "Bar chart",
            Self::TextDocument => "Text document",
        }
    }
}

/// A view to create: what kind, its title, the space it is rooted at and the entities it
/// draws.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ViewSpec {
    /// The kind.
    pub kind: ViewKind,
    /// The tab title.
    pub name: String,
    /// The space (2D) or group the view is rooted at.
    pub origin: EntityPath,
    /// The entities drawn, in path order.
    pub entities: Vec<EntityPath>,
}

const IMAGES: [&str; 4] = ["Image", "DepthImage", "SegmentationImage", "EncodedImage"];
const SHAPES_2D: [&str; 3] = ["Points2D", "Boxes2D", "LineStrips2D"];
const SHAPES_3D: [&str; 8] = [
    "Points3D",
    "LineStrips3D",
    "LineSegments3D",
    "Boxes3D",
    "Arrows3D",
    "Mesh3D",
    "Asset3D",
    "Pinhole",
];

/// The archetypes an entity logs (indicator names without the prefix).
pub fn archetypes(store: &ChunkStore, entity: &EntityPath) -> BTreeSet<String> {
    archetypes_of(&store.entity_components(entity))
}

fn archetypes_of(components: &BTreeSet<ComponentName>) -> BTreeSet<String> {
    components
        .iter()
        .filter_map(|c| c.as_str().strip_prefix(INDICATOR_PREFIX))
        .map(str::to_owned)
        .collect()
}

/// The default views of a recording, in a stable order.
pub fn default_views(store: &ChunkStore) -> Vec<ViewSpec> {
    let by_entity: BTreeMap<&EntityPath, BTreeSet<String>> = store
        .entity_paths()
        .map(|e| (e, archetypes(store, e)))
        .collect();
    let has = |a: &BTreeSet<String>, names: &[&str]| names.iter().any(|n| a.contains(*n));
    let pinholes: BTreeSet<&EntityPath> = by_entity
        .iter()
        .filter(|(_, a)| a.contains("Pinhole"))
        .map(|(e, _)| *e)
        .collect();

    let mut views = Vec::new();
    let mut scalar_groups: BTreeMap<String, Vec<EntityPath>> = BTreeMap::new();
    let mut text_logs = Vec::new();
    let mut image_spaces: Vec<(EntityPath, EntityPath)> = Vec::new();
    let mut shapes_2d = Vec::new();
    for (entity, a) in &by_entity {
        let entity = (*entity).clone();
        if a.contains("Scalar") {
            let group = match entity.parts() {
                [first, _, ..] => first.to_string(),
                _ => "scalars".to_owned(),
            };
            scalar_groups.entry(group).or_default().push(entity.clone());
        }
        if a.contains("TextLog") {
            text_logs.push(entity.clone());
        }
        if has(a, &IMAGES) {
            let space = image_space(&entity, &pinholes);
            image_spaces.push((entity.clone(), space));
        }
        if has(a, &SHAPES_2D) {
            shapes_2d.push(entity.clone());
        }
        for (name, kind) in [
            ("Tensor", ViewKind::Tensor),
            ("BarChart", ViewKind::BarChart),
            ("TextDocument", ViewKind::TextDocument),
        ] {
            if a.contains(name) {
                views.push(ViewSpec {
                    kind,
                    name: entity.to_string(),
                    origin: entity.clone(),
                    entities: vec![entity.clone()],
                });
            }
        }
    }

    let mut spatial = Vec::new();
    let mut covered = BTreeSet::new();
    for (image, space) in &image_spaces {
        let mut entities = vec![image.clone()];
        for shape in shapes_2d.iter().filter(|s| s.starts_with(space)) {
            covered.insert(shape.clone());
            if shape != image {
                entities.push(shape.clone());
            }
        }
        spatial.push(ViewSpec {
            kind: ViewKind::Spatial2D,
            name: image.to_string(),
            origin: space.clone(),
            entities,
        });
    }
    let mut loose: BTreeMap<EntityPath, Vec<EntityPath>> = BTreeMap::new();
    for shape in shapes_2d.iter().filter(|s| !covered.contains(*s)) {
        let group = shape
            .parts()
            .first()
            .map(|p| EntityPath::from_parts(vec![p.clone()]))
            .unwrap_or_else(EntityPath::root);
        loose.entry(group).or_default().push(shape.clone());
    }
    for (origin, entities) in loose {
        spatial.push(ViewSpec {
            kind: ViewKind::Spatial2D,
            name: origin.to_string(),
            origin,
            entities,
        });
    }

    let mut out = views_3d(store, &by_entity, &pinholes);
    out.extend(spatial);
    for (group, entities) in scalar_groups {
        let origin = if group == "scalars" {
            EntityPath::root()
        } else {
            EntityPath::parse_forgiving(&group)
        };
        out.push(ViewSpec {
            kind: ViewKind::TimeSeries,
            name: group,
            origin,
            entities,
        });
    }
    if !text_logs.is_empty() {
        out.push(ViewSpec {
            kind: ViewKind::TextLog,
            name: "logs".to_owned(),
            origin: EntityPath::root(),
            entities: text_logs,
        });
    }
    out.extend(views);
    out
}

/// One 3D view per space (the root, and each `DisconnectedSpace`) with 3D content.
fn views_3d(
    store: &ChunkStore,
    by_entity: &BTreeMap<&EntityPath, BTreeSet<String>>,
    pinholes: &BTreeSet<&EntityPath>,
) -> Vec<ViewSpec> {
    let disconnected: BTreeSet<&EntityPath> = by_entity
        .keys()
        .filter(|e| {
            store.entity_components(e).contains(
                &<reel_types::components::DisconnectedSpace as reel_core::Component>::name(),
            )
        })
        .copied()
        .collect();
    let space_of = |entity: &EntityPath| {
        let mut path = Some(entity.clone());
        while let Some(p) = path {
            if disconnected.contains(&p) {
                return p;
            }
            path = p.parent();
        }
        EntityPath::root()
    };
    let under_camera = |entity: &EntityPath| pinholes.iter().any(|p| entity.starts_with(p));
    let mut spaces: BTreeMap<EntityPath, (bool, Vec<EntityPath>)> = BTreeMap::new();
    for (entity, a) in by_entity {
        let is_3d = SHAPES_3D.iter().any(|n| a.contains(*n));
        let on_plane =
            under_camera(entity) && (IMAGES.iter().chain(&SHAPES_2D).any(|n| a.contains(*n)));
        let conventions = a.contains("ViewCoordinates");
        if is_3d || on_plane || conventions {
            let space = spaces.entry(space_of(entity)).or_default();
            space.0 |= is_3d;
            space.1.push((*entity).clone());
        }
    }
    spaces
        .into_iter()
        .filter(|(_, (has_3d, _))| *has_3d)
        .map(|(origin, (_, entities))| ViewSpec {
            kind: ViewKind::Spatial3D,
            name: if origin.is_root() {
                "3D".to_owned()
            } else {
                origin.to_string()
            },
            origin,
            entities,
        })
        .collect()
}

/// The 2D space of an image: its nearest ancestor (or itself) with a pinhole, else its
/// parent, else itself.
fn image_space(image: &EntityPath, pinholes: &BTreeSet<&EntityPath>) -> EntityPath {
    let mut path = Some(image.clone());
    while let Some(p) = path {
        if pinholes.contains(&p) {
            return p;
        }
        path = p.parent();
    }
    match image.parent() {
        Some(parent) if !parent.is_root() => parent,
        _ => image.clone(),
    }
}
