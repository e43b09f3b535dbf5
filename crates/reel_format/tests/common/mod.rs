//! Deterministic messages shared by the golden, corruption and fuzz tests.

#![allow(dead_code, missing_docs)]

use std::sync::Arc;

use reel_core::arrow_array::{ArrayRef, Float32Array, StringArray};
use reel_core::{
    ApplicationId, ArrowMsg, BlueprintActivation, Chunk, ChunkId, ChunkRow, ComponentBatch,
    EntityPath, LogMsg, RecordingId, RowId, SetStoreInfo, StoreId, StoreInfo, StoreSource,
    TimeColumn, TimePoint, Timeline, Tuid,
};
use reel_types::components::{Color, Position3D, Text, TextLogLevel};

fn row_id(n: u64) -> RowId {
    RowId(Tuid::from_parts(1_700_000_000_000_000_000 + n, n))
}

fn with_fixed_id(chunk: Chunk, n: u64) -> Chunk {
    // Rebuild with a fixed chunk id so the expected messages never change.
    let timelines: Vec<TimeColumn> = chunk.timelines().values().cloned().collect();
    let components: Vec<_> = chunk
        .components()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Chunk::new(
        ChunkId(Tuid::from_parts(1_700_000_000_000_000_000, 1000 + n)),
        chunk.entity_path().clone(),
        chunk.row_ids().to_vec(),
        timelines,
        components,
    )
    .expect("valid chunk")
}

pub fn store_id() -> StoreId {
    StoreId::recording(RecordingId::new("golden-recording"))
}

/// A small recording exercising every message kind, all time types, splats, clears,
/// absent components, timeless rows and unicode entity paths.
pub fn sample_messages() -> Vec<LogMsg> {
    let info = StoreInfo {
        application_id: ApplicationId::new("golden"),
        store_id: store_id(),
        started_ns: 1_700_000_000_000_000_000,
        source: StoreSource::RustSdk {
            version: "0.1.0".into(),
        },
    };
    let frame = Timeline::new_sequence("frame");
    let time = Timeline::new_time("log_time");
    let sim = Timeline::new_duration("sim_time");
    let tp = |i: i64| {
        TimePoint::default()
            .with(frame.clone(), i)
            .with(time.clone(), 1_700_000_000_000_000_000 + i * 1_000_000)
            .with(sim.clone(), i * 33_000_000)
    };

    // Batches are built from components, not archetypes: the golden content must not
    // change when archetypes evolve.
    let points = |i: i64, n: usize| {
        let positions: Vec<Position3D> = (0..n)
            .map(|k| Position3D([k as f32, i as f32, 0.5]))
            .collect();
        vec![
            ComponentBatch::from_component(&positions),
            ComponentBatch::from_component(&[Color::from_rgb(255, 128, 0)]),
        ]
    };
    let radii = |v: &[f32]| {
        ComponentBatch::new(
            "reel.components.Radius",
            Arc::new(Float32Array::from(v.to_vec())) as ArrayRef,
        )
    };
    let rows = vec![
        ChunkRow {
            row_id: row_id(1),
            timepoint: tp(0),
            components: points(0, 3),
        },
        ChunkRow {
            row_id: row_id(2),
            timepoint: tp(1),
            components: [points(1, 2), vec![radii(&[0.25])]].concat(),
        },
        ChunkRow {
            row_id: row_id(3),
            timepoint: tp(2),
            components: vec![radii(&[])],
        },
    ];
    let path = EntityPath::parse_strict(r"wörld/🦀/points\ 1").expect("valid path");
    let points_chunk = with_fixed_id(Chunk::from_rows(path, rows).expect("chunk"), 1);

    let static_rows = vec![ChunkRow {
        row_id: row_id(4),
        timepoint: TimePoint::timeless(),
        components: [
            vec![
                ComponentBatch::from_component(&[Text::from("hello, reel")]),
                ComponentBatch::from_component(&[TextLogLevel::from("INFO")]),
            ],
            vec![ComponentBatch::new(
                "user.Note",
                Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef,
            )],
        ]
        .concat(),
    }];
    let logs_chunk = with_fixed_id(
        Chunk::from_rows(EntityPath::parse_strict("logs").expect("path"), static_rows)
            .expect("chunk"),
        2,
    );

    vec![
        LogMsg::SetStoreInfo(SetStoreInfo {
            row_id: row_id(0),
            info,
        }),
        LogMsg::ArrowMsg(ArrowMsg {
            store_id: store_id(),
            chunk: Arc::new(points_chunk),
        }),
        LogMsg::ArrowMsg(ArrowMsg {
            store_id: store_id(),
            chunk: Arc::new(logs_chunk),
        }),
        LogMsg::BlueprintActivation(BlueprintActivation {
            blueprint_id: StoreId::blueprint(RecordingId::new("golden-blueprint")),
            make_active: true,
            make_default: false,
        }),
    ]
}

/// A tiny deterministic PRNG (xorshift64*) so that fuzz runs are reproducible from a seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}
