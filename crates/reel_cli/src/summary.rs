//! What a recording holds: stores, entities, timelines and components, with row and byte
//! counts. Built incrementally from decoded messages so a damaged file still summarises
//! everything before the damage.

use std::collections::BTreeMap;

use reel_core::arrow_array::Array;
use reel_core::{Chunk, ComponentName, EntityPath, LogMsg, StoreId, TimeInt, TimeType, Timeline};
use reel_format::DecodedMessage;
use serde::Serialize;

/// The summary of one file or stream.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Bytes read.
    pub bytes: u64,
    /// Whole messages decoded.
    pub messages: u64,
    /// Whether the stream ended with an end frame and nothing after it.
    pub complete: bool,
    /// The error that stopped decoding, if any.
    pub error: Option<String>,
    /// The stores, in the order they first appeared.
    pub stores: Vec<StoreSummary>,
}

/// One store (recording or blueprint).
#[derive(Debug, Serialize)]
pub struct StoreSummary {
    /// `recording` or `blueprint`.
    pub kind: String,
    /// The recording id.
    pub recording_id: String,
    /// The application id, from the store info.
    pub application_id: Option<String>,
    /// When the recording started (RFC 3339), from the store info.
    pub started: Option<String>,
    /// Which SDK produced it, from the store info.
    pub source: Option<String>,
    /// Messages of this store.
    pub messages: u64,
    /// Rows over all entities.
    pub rows: u64,
    /// Frame bytes of this store's messages.
    pub bytes: u64,
    /// The entities, ordered by path.
    pub entities: Vec<EntitySummary>,
    #[serde(skip)]
    entity_map: BTreeMap<EntityPath, EntitySummary>,
}

/// One entity of a store.
#[derive(Clone, Debug, Serialize)]
pub struct EntitySummary {
    /// The entity path, in escaped syntax.
    pub path: String,
    /// Chunks that carried it.
    pub chunks: u64,
    /// Rows logged to it.
    pub rows: u64,
    /// Rows with no timeline (static data).
    pub timeless_rows: u64,
    /// Frame bytes of its chunks.
    pub bytes: u64,
    /// The timelines its rows are on.
    pub timelines: Vec<TimelineSummary>,
    /// The components logged to it.
    pub components: Vec<ComponentSummary>,
    #[serde(skip)]
    timeline_map: BTreeMap<Timeline, (TimeInt, TimeInt)>,
    #[serde(skip)]
    component_map: BTreeMap<ComponentName, ComponentSummary>,
}

/// A timeline's range within one entity.
#[derive(Clone, Debug, Serialize)]
pub struct TimelineSummary {
    /// The timeline's name.
    pub name: String,
    /// `sequence`, `time` or `duration`.
    #[serde(rename = "type")]
    pub typ: String,
    /// Smallest raw value.
    pub min: i64,
    /// Largest raw value.
    pub max: i64,
    /// Smallest value, formatted.
    pub min_display: String,
    /// Largest value, formatted.
    pub max_display: String,
}

/// A component's use within one entity.
#[derive(Clone, Debug, Serialize)]
pub struct ComponentSummary {
    /// The component's name.
    pub name: String,
    /// Its Arrow type.
    pub datatype: String,
    /// Rows that logged it (clears included).
    pub rows: u64,
    /// Instances over all rows (a splat counts once).
    pub instances: u64,
    /// Rows that cleared it (an empty batch).
    pub clears: u64,
}

impl Summary {
    /// Adds one decoded message.
    pub fn add(&mut self, decoded: &DecodedMessage) {
        self.messages += 1;
        let store = self.store_mut(decoded.msg.store_id());
        store.messages += 1;
        store.bytes += decoded.frame_bytes;
        match &decoded.msg {
            LogMsg::SetStoreInfo(m) => {
                store.application_id = Some(m.info.application_id.to_string());
                store.started = Some(TimeType::Time.format(TimeInt::new(m.info.started_ns)));
                store.source = Some(m.info.source.to_string());
            }
            LogMsg::ArrowMsg(m) => {
                store.rows += m.chunk.num_rows() as u64;
                add_chunk(store, &m.chunk, decoded.frame_bytes);
            }
            LogMsg::BlueprintActivation(_) => {}
        }
    }

    /// Finishes the per-store lists; call once after the last message.
    pub fn finish(&mut self, bytes: u64, complete: bool, error: Option<String>) {
        self.bytes = bytes;
        self.complete = complete;
        self.error = error;
        for store in &mut self.stores {
            store.entities = std::mem::take(&mut store.entity_map)
                .into_values()
                .map(|mut e| {
                    e.timelines = e
                        .timeline_map
                        .iter()
                        .map(|(t, (min, max))| TimelineSummary {
                            name: t.name().to_string(),
                            typ: t.typ().to_string(),
                            min: min.as_i64(),
                            max: max.as_i64(),
                            min_display: t.typ().format(*min),
                            max_display: t.typ().format(*max),
                        })
                        .collect();
                    e.components = e.component_map.values().cloned().collect();
                    e
                })
                .collect();
        }
    }

    fn store_mut(&mut self, id: &StoreId) -> &mut StoreSummary {
        let (kind, recording_id) = (id.kind.to_string(), id.id.to_string());
        let pos = self
            .stores
            .iter()
            .position(|s| s.kind == kind && s.recording_id == recording_id);
        let pos = pos.unwrap_or_else(|| {
            self.stores.push(StoreSummary {
                kind,
                recording_id,
                application_id: None,
                started: None,
                source: None,
                messages: 0,
                rows: 0,
                bytes: 0,
                entities: Vec::new(),
                entity_map: BTreeMap::new(),
            });
            self.stores.len() - 1
        });
        &mut self.stores[pos]
    }
}

fn add_chunk(store: &mut StoreSummary, chunk: &Chunk, frame_bytes: u64) {
    let entity = store
        .entity_map
        .entry(chunk.entity_path().clone())
        .or_insert_with(|| EntitySummary {
            path: chunk.entity_path().to_string(),
            chunks: 0,
            rows: 0,
            timeless_rows: 0,
            bytes: 0,
            timelines: Vec::new(),
            components: Vec::new(),
            timeline_map: BTreeMap::new(),
            component_map: BTreeMap::new(),
        });
    entity.chunks += 1;
    entity.rows += chunk.num_rows() as u64;
    entity.bytes += frame_bytes;
    if chunk.is_timeless() {
        entity.timeless_rows += chunk.num_rows() as u64;
    }
    for (timeline, column) in chunk.timelines() {
        if let Some((lo, hi)) = column.range() {
            let range = entity
                .timeline_map
                .entry(timeline.clone())
                .or_insert((lo, hi));
            range.0 = range.0.min(lo);
            range.1 = range.1.max(hi);
        }
    }
    for (name, list) in chunk.components() {
        let c = entity
            .component_map
            .entry(name.clone())
            .or_insert_with(|| ComponentSummary {
                name: name.to_string(),
                datatype: list.value_type().to_string(),
                rows: 0,
                instances: 0,
                clears: 0,
            });
        let offsets = list.value_offsets();
        for row in 0..list.len() {
            if list.is_valid(row) {
                c.rows += 1;
                let n = (offsets[row + 1] - offsets[row]) as u64;
                c.instances += n;
                c.clears += u64::from(n == 0);
            }
        }
    }
}

/// Human-readable byte count.
pub fn format_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = if self.complete {
            "complete"
        } else {
            "INCOMPLETE"
        };
        writeln!(
            f,
            "{} messages, {} ({state})",
            self.messages,
            format_bytes(self.bytes)
        )?;
        for s in &self.stores {
            writeln!(f)?;
            writeln!(
                f,
                "{} {}  application: {}",
                s.kind,
                s.recording_id,
                s.application_id.as_deref().unwrap_or("(no store info)")
            )?;
            if let (Some(started), Some(source)) = (&s.started, &s.source) {
                writeln!(f, "  started {started} by {source}")?;
            }
            writeln!(
                f,
                "  {} messages, {} rows, {} in {} entities",
                s.messages,
                s.rows,
                format_bytes(s.bytes),
                s.entities.len()
            )?;
            for e in &s.entities {
                let timeless = if e.timeless_rows > 0 {
                    format!(", {} timeless", e.timeless_rows)
                } else {
                    String::new()
                };
                writeln!(
                    f,
                    "  {}: {} rows{timeless} in {} chunks, {}",
                    e.path,
                    e.rows,
                    e.chunks,
                    format_bytes(e.bytes)
                )?;
                for t in &e.timelines {
                    writeln!(
                        f,
                        "    timeline {} ({}): {} .. {}",
                        t.name, t.typ, t.min_display, t.max_display
                    )?;
                }
                for c in &e.components {
                    let clears = if c.clears > 0 {
                        format!(", {} clears", c.clears)
                    } else {
                        String::new()
                    };
                    writeln!(
                        f,
                        "    {}: {} rows, {} instances{clears}  [{}]",
                        c.name, c.rows, c.instances, c.datatype
                    )?;
                }
            }
        }
        if let Some(e) = &self.error {
            writeln!(f)?;
            writeln!(f, "error: {e}")?;
        }
        Ok(())
    }
}
