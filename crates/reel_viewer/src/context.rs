//! What every panel and view is handed each frame: the recording to read, the time cursor,
//! selection and hover, and a list to put its requests in. Views never change shared
//! state directly; the app applies their [`Command`]s after drawing.

use std::collections::BTreeSet;

use reel_core::{EntityPath, StoreId, TimeInt, Timeline};
use reel_store::{ChunkStore, LatestAtQuery};

use crate::annotations::Annotations;

/// Something that can be selected or hovered.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Item {
    /// An entity.
    Entity(EntityPath),
    /// One instance (point, box, ...) of an entity.
    Instance(EntityPath, usize),
}

impl Item {
    /// The entity the item belongs to.
    pub fn entity(&self) -> &EntityPath {
        match self {
            Self::Entity(e) | Self::Instance(e, _) => e,
        }
    }
}

/// A request from a panel or view, applied by the app after the frame's drawing.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Select an item (`None` clears the selection).
    Select(Option<Item>),
    /// Move the time cursor (stops following).
    SetTime(TimeInt),
    /// Show or hide an entity (and what is below it) in every view.
    SetVisible(EntityPath, bool),
}

/// The read-only state of one frame of one recording.
pub struct ViewerContext<'a> {
    /// The recording's store id.
    pub store_id: &'a StoreId,
    /// The recording's chunks and indices (read-locked for the frame).
    pub store: &'a ChunkStore,
    /// The selected timeline and the cursor on it (`None` when there is no temporal data:
    /// only static data is visible).
    pub query: Option<LatestAtQuery>,
    /// The selected item.
    pub selection: Option<&'a Item>,
    /// The item hovered in the previous frame (for highlights across views).
    pub hovered: Option<&'a Item>,
    /// Entities hidden by the user (with their subtrees).
    pub hidden: &'a BTreeSet<EntityPath>,
    /// Class descriptions from annotation contexts, resolved at the cursor.
    pub annotations: &'a Annotations,
    /// Whether the cursor follows the newest data.
    pub following: bool,
}

impl ViewerContext<'_> {
    /// The query for the cursor, or one that sees only static data.
    pub fn latest_at(&self) -> LatestAtQuery {
        self.query.clone().unwrap_or_else(static_only)
    }

    /// Whether `entity` is shown (neither it nor an ancestor is hidden).
    pub fn is_visible(&self, entity: &EntityPath) -> bool {
        if self.hidden.is_empty() {
            return true;
        }
        let mut path = Some(entity.clone());
        while let Some(p) = path {
            if self.hidden.contains(&p) {
                return false;
            }
            path = p.parent();
        }
        true
    }

    /// Whether `item` (or its whole entity) is hovered or selected: views draw it
    /// highlighted.
    pub fn is_highlighted(&self, entity: &EntityPath, instance: Option<usize>) -> bool {
        let matches = |item: Option<&Item>| match item {
            Some(Item::Entity(e)) => entity.starts_with(e),
            Some(Item::Instance(e, i)) => e == entity && instance.is_none_or(|n| n == *i),
            None => false,
        };
        matches(self.hovered) || matches(self.selection)
    }
}

/// A query that sees only static data: before any time, on a timeline every recording has.
pub fn static_only() -> LatestAtQuery {
    LatestAtQuery::new(Timeline::new_sequence("log_tick"), TimeInt::MIN)
}

/// What a panel or view produced in one frame.
#[derive(Default, Debug)]
pub struct FrameOutput {
    /// Requests for the app.
    pub commands: Vec<Command>,
    /// The item under the pointer, if any.
    pub hovered: Option<Item>,
}

impl FrameOutput {
    /// Asks to select `item`.
    pub fn select(&mut self, item: Item) {
        self.commands.push(Command::Select(Some(item)));
    }

    /// Asks to move the cursor to `t`.
    pub fn set_time(&mut self, t: TimeInt) {
        self.commands.push(Command::SetTime(t));
    }
}
