//! Encode and decode throughput of one chunk of 1M rows, one `Position3D` each, with a
//! sequence timeline, uncompressed, LZ4 and Zstandard. Throughput is counted in bytes of the raw
//! (uncompressed) payload.

#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use reel_core::arrow_array::ListArray;
use reel_core::arrow_buffer::{OffsetBuffer, ScalarBuffer};
use reel_core::arrow_schema::Field;
use reel_core::{
    ArrowMsg, Chunk, ChunkId, Component, EntityPath, LogMsg, RecordingId, RowId, StoreId,
    TimeColumn, Timeline,
};
use reel_format::{decode_slice, encode_to_vec, Compression, EncoderOptions};
use reel_types::components::Position3D;

const ROWS: usize = 1_000_000;

fn position_chunk() -> LogMsg {
    let positions: Vec<Position3D> = (0..ROWS)
        .map(|i| {
            let t = i as f32 * 0.001;
            Position3D([t.sin() * 10.0, t.cos() * 10.0, t])
        })
        .collect();
    let values = Position3D::to_arrow(&positions);
    let offsets = OffsetBuffer::new(ScalarBuffer::from((0..=ROWS as i32).collect::<Vec<_>>()));
    let field = Arc::new(Field::new_list_field(Position3D::arrow_datatype(), true));
    let list = ListArray::try_new(field, offsets, values, None).expect("list");
    let row_ids: Vec<RowId> = (0..ROWS).map(|_| RowId::new()).collect();
    let frames = TimeColumn::new(
        Timeline::new_sequence("frame"),
        (0..ROWS as i64).collect::<Vec<_>>(),
    );
    let chunk = Chunk::new(
        ChunkId::new(),
        EntityPath::parse_strict("world/points").expect("path"),
        row_ids,
        [frames],
        [(Position3D::name(), list)],
    )
    .expect("chunk");
    LogMsg::ArrowMsg(ArrowMsg {
        store_id: StoreId::recording(RecordingId::random()),
        chunk: Arc::new(chunk),
    })
}

fn format(c: &mut Criterion) {
    let msg = position_chunk();
    let msgs = [msg];
    let raw_len = {
        let mut buf = Vec::new();
        reel_format::payload::encode(&msgs[0], &mut buf).expect("payload");
        buf.len() as u64
    };
    let mut group = c.benchmark_group("chunk_1m_position3d");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(raw_len));
    for (name, compression) in [
        ("off", Compression::Off),
        ("lz4", Compression::Lz4),
        ("zstd", Compression::Zstd),
    ] {
        let options = EncoderOptions { compression };
        group.bench_function(format!("encode_{name}"), |b| {
            b.iter(|| encode_to_vec(black_box(&msgs), options).expect("encode"))
        });
        let bytes = encode_to_vec(&msgs, options).expect("encode");
        eprintln!(
            "{name}: raw payload {raw_len} bytes, stream {} bytes",
            bytes.len()
        );
        group.bench_function(format!("decode_{name}"), |b| {
            b.iter_batched(
                || bytes.clone(),
                |bytes| {
                    let msgs: Vec<_> = decode_slice(&bytes)
                        .collect::<Result<_, _>>()
                        .expect("decode");
                    assert_eq!(msgs.len(), 1);
                    msgs
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, format);
criterion_main!(benches);
