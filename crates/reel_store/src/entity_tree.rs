//! [`EntityTree`]: the entity path hierarchy of one recording, with per-entity and
//! per-subtree row and byte counts and a [`TimeHistogram`] per timeline, for the viewer's
//! entity list and time panel.

use std::collections::{BTreeMap, BTreeSet};

use reel_core::{EntityPath, EntityPathPart, TimeType, Timeline};

use crate::histogram::TimeHistogram;
use crate::stored::StoredChunk;

/// Time resolution (as a power of two of nanoseconds) of histograms of time and duration
/// timelines: 2^20 ns ≈ 1 ms, fine enough for any time panel, coarse enough that jittery
/// sensor timestamps still compress into runs. Sequence timelines are exact.
pub const NANOS_RESOLUTION_BITS: u32 = 20;

/// Counts over some set of rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntityStats {
    /// Rows (temporal and static).
    pub rows: u64,
    /// Static rows.
    pub static_rows: u64,
    /// Bytes of the chunks holding the rows.
    pub bytes: u64,
    /// Where the temporal rows sit on each timeline.
    pub timelines: BTreeMap<Timeline, TimeHistogram>,
}

impl EntityStats {
    fn add(&mut self, chunk: &StoredChunk) {
        let rows = chunk.chunk().num_rows() as u64;
        self.rows += rows;
        self.bytes += chunk.bytes() as u64;
        if chunk.chunk().is_timeless() {
            self.static_rows += rows;
        }
        for (timeline, column) in chunk.chunk().timelines() {
            self.timelines
                .entry(timeline.clone())
                .or_insert_with(|| TimeHistogram::new(resolution_bits(timeline)))
                .add_runs(column.times());
        }
    }

    fn remove(&mut self, chunk: &StoredChunk) {
        let rows = chunk.chunk().num_rows() as u64;
        self.rows = self.rows.saturating_sub(rows);
        self.bytes = self.bytes.saturating_sub(chunk.bytes() as u64);
        if chunk.chunk().is_timeless() {
            self.static_rows = self.static_rows.saturating_sub(rows);
        }
        for (timeline, column) in chunk.chunk().timelines() {
            if let Some(h) = self.timelines.get_mut(timeline) {
                h.remove_runs(column.times());
                if h.is_empty() {
                    self.timelines.remove(timeline);
                }
            }
        }
    }

    /// Smallest and largest time on `timeline` (rounded to the histogram's resolution).
    pub fn time_range(&self, timeline: &Timeline) -> Option<(i64, i64)> {
        self.timelines.get(timeline)?.range()
    }

    fn heap_size_bytes(&self) -> usize {
        self.timelines
            .values()
            .map(TimeHistogram::heap_size_bytes)
            .sum()
    }
}

fn resolution_bits(timeline: &Timeline) -> u32 {
    match timeline.typ() {
        TimeType::Sequence => 0,
        TimeType::Time | TimeType::Duration => NANOS_RESOLUTION_BITS,
    }
}

/// One entity path in the tree (whether or not data was logged at it).
#[derive(Clone, Debug, Default)]
pub struct EntityNode {
    /// Names of the children.
    pub children: BTreeSet<EntityPathPart>,
    /// Rows logged at exactly this path.
    pub own: EntityStats,
    /// Rows logged at this path or below.
    pub subtree: EntityStats,
}

/// The hierarchy of entity paths of one recording.
#[derive(Clone, Debug)]
pub struct EntityTree {
    nodes: BTreeMap<EntityPath, EntityNode>,
}

impl Default for EntityTree {
    fn default() -> Self {
        let mut nodes = BTreeMap::new();
        nodes.insert(EntityPath::root(), EntityNode::default());
        Self { nodes }
    }
}

impl EntityTree {
    /// Counts a chunk's rows at its entity and every ancestor.
    pub fn add(&mut self, chunk: &StoredChunk) {
        let path = chunk.chunk().entity_path().clone();
        self.node_mut(&path).own.add(chunk);
        let mut current = Some(path);
        while let Some(p) = current {
            self.node_mut(&p).subtree.add(chunk);
            current = p.parent();
        }
    }

    /// Uncounts a chunk previously added. Nodes stay until [`Self::prune`] removes the
    /// empty ones.
    pub fn remove(&mut self, chunk: &StoredChunk) {
        let path = chunk.chunk().entity_path().clone();
        if let Some(node) = self.nodes.get_mut(&path) {
            node.own.remove(chunk);
        }
        let mut current = Some(path);
        while let Some(p) = current {
            if let Some(node) = self.nodes.get_mut(&p) {
                node.subtree.remove(chunk);
            }
            current = p.parent();
        }
    }

    /// Removes `path` and its ancestors (never the root) once no rows are left at or below
    /// them; returns whether any node went.
    pub fn prune(&mut self, path: &EntityPath) -> bool {
        let mut pruned = false;
        let mut current = Some(path.clone());
        while let Some(p) = current {
            if p.is_root() || self.nodes.get(&p).is_none_or(|n| n.subtree.rows > 0) {
                break;
            }
            // Empty descendants go with it.
            let mut gone = vec![p.clone()];
            while let Some(q) = gone.pop() {
                if let Some(node) = self.nodes.remove(&q) {
                    gone.extend(node.children.iter().map(|c| q.join(c.clone())));
                }
            }
            current = p.parent();
            if let (Some(parent), Some(part)) = (&current, p.parts().last()) {
                if let Some(node) = self.nodes.get_mut(parent) {
                    node.children.remove(part);
                }
            }
            pruned = true;
        }
        pruned
    }

    /// The node at `path`, creating it and linking it to its ancestors.
    fn node_mut(&mut self, path: &EntityPath) -> &mut EntityNode {
        if !self.nodes.contains_key(path) {
            let mut child = path.clone();
            while let Some(parent) = child.parent() {
                let part = child.parts().last().cloned();
                let parent_node = self.nodes.entry(parent.clone()).or_default();
                if let Some(part) = part {
                    parent_node.children.insert(part);
                }
                child = parent;
            }
            self.nodes.insert(path.clone(), EntityNode::default());
        }
        self.nodes.entry(path.clone()).or_default()
    }

    /// The node at `path`, if anything was ever logged at or below it.
    pub fn get(&self, path: &EntityPath) -> Option<&EntityNode> {
        self.nodes.get(path)
    }

    /// The root node (the whole recording).
    pub fn root(&self) -> &EntityNode {
        self.nodes
            .get(&EntityPath::root())
            .expect("the root node is created with the tree")
    }

    /// Every path in the tree, in path order (parents before children).
    pub fn paths(&self) -> impl Iterator<Item = &EntityPath> {
        self.nodes.keys()
    }

    /// Every node with its path, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&EntityPath, &EntityNode)> {
        self.nodes.iter()
    }

    /// Paths at which rows were logged (not just ancestors of such).
    pub fn entities(&self) -> impl Iterator<Item = &EntityPath> {
        self.nodes
            .iter()
            .filter(|(_, n)| n.own.rows > 0)
            .map(|(p, _)| p)
    }

    /// Rows of `path`'s subtree per bucket when the window `[lo, hi]` of `timeline` is cut
    /// into `n` equal buckets; all zeros for an unknown path or timeline.
    pub fn density(
        &self,
        path: &EntityPath,
        timeline: &Timeline,
        lo: i64,
        hi: i64,
        n: usize,
    ) -> Vec<u64> {
        match self
            .nodes
            .get(path)
            .and_then(|node| node.subtree.timelines.get(timeline))
        {
            Some(h) => h.bucket_counts(lo, hi, n),
            None => vec![0; n],
        }
    }

    /// Approximate heap bytes of the tree's histograms.
    pub fn heap_size_bytes(&self) -> usize {
        self.nodes
            .values()
            .map(|n| n.own.heap_size_bytes() + n.subtree.heap_size_bytes())
            .sum()
    }
}
