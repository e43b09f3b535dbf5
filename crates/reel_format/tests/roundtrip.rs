//! Property tests: random chunks (every time type, splats, clears, absent components, nulls
//! inside batches, unicode entity paths, timeless rows) survive encode → decode unchanged,
//! with and without compression.

#![allow(missing_docs)]

use std::sync::Arc;

use proptest::prelude::*;
use reel_core::arrow_array::{ArrayRef, FixedSizeListArray, Float32Array, StringArray};
use reel_core::arrow_schema::{DataType, Field};
use reel_core::{
    ApplicationId, ArrowMsg, Chunk, ChunkRow, ComponentBatch, EntityPath, EntityPathPart, LogMsg,
    RecordingId, RowId, SetStoreInfo, StoreId, StoreInfo, TimePoint, TimeType, Timeline,
};
use reel_format::{decode_slice, encode_to_vec, Compression, EncoderOptions};

fn arb_path() -> impl Strategy<Value = EntityPath> {
    prop::collection::vec("(.|[ /\\\\\t]){1,6}", 0..4).prop_map(|parts| {
        EntityPath::from_parts(
            parts
                .into_iter()
                .map(|p| EntityPathPart::new(p).expect("non-empty"))
                .collect(),
        )
    })
}

/// One cell of a component: absent, cleared, a splat or several instances.
fn arb_cell(kind: u8) -> impl Strategy<Value = Option<ArrayRef>> {
    let len = prop_oneof![Just(0usize), Just(1usize), 2usize..6];
    prop::option::weighted(0.8, (len, any::<u64>())).prop_map(move |cell| {
        cell.map(|(n, seed)| -> ArrayRef {
            let f = |i: usize| ((seed >> (i % 32)) & 0xff) as f32 / 7.0;
            match kind {
                0 => Arc::new(Float32Array::from_iter((0..n).map(|i| {
                    if (seed >> i) & 1 == 0 {
                        Some(f(i))
                    } else {
                        None
                    }
                }))),
                1 => Arc::new(StringArray::from_iter_values(
                    (0..n).map(|i| format!("ü{}", f(i))),
                )),
                _ => {
                    let values = Float32Array::from_iter_values((0..n * 3).map(f));
                    let field = Arc::new(Field::new("item", DataType::Float32, false));
                    Arc::new(FixedSizeListArray::new(field, 3, Arc::new(values), None))
                }
            }
        })
    })
}

fn arb_chunk() -> impl Strategy<Value = Chunk> {
    let timelines = prop::sample::subsequence(
        vec![
            Timeline::new("frame", TimeType::Sequence),
            Timeline::new("when", TimeType::Time),
            Timeline::new("sim", TimeType::Duration),
        ],
        0..=3,
    );
    let row = |timelines: Vec<Timeline>| {
        (
            prop::collection::vec(any::<i64>(), timelines.len()),
            arb_cell(0),
            arb_cell(1),
            arb_cell(2),
        )
            .prop_map(move |(times, a, b, c)| {
                let timepoint: TimePoint = timelines
                    .iter()
                    .cloned()
                    .zip(times.into_iter().map(Into::into))
                    .collect();
                let components = [("radius", a), ("label", b), ("position", c)]
                    .into_iter()
                    .filter_map(|(name, cell)| cell.map(|arr| ComponentBatch::new(name, arr)))
                    .collect::<Vec<_>>();
                (timepoint, components)
            })
    };
    (arb_path(), timelines)
        .prop_flat_map(move |(path, timelines)| {
            (Just(path), prop::collection::vec(row(timelines), 1..8))
        })
        .prop_map(|(path, rows)| {
            let mut components_sorted = rows;
            for (_, c) in &mut components_sorted {
                c.sort_by(|a, b| a.name().cmp(b.name()));
            }
            let rows = components_sorted
                .into_iter()
                .map(|(timepoint, components)| ChunkRow {
                    row_id: RowId::new(),
                    timepoint,
                    components,
                });
            Chunk::from_rows(path, rows).expect("valid chunk")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_chunks_round_trip(
        chunks in prop::collection::vec(arb_chunk(), 1..4),
        compression in prop::sample::select(vec![Compression::Off, Compression::Lz4, Compression::Zstd]),
    ) {
        let store_id = StoreId::recording(RecordingId::random());
        let mut msgs = vec![LogMsg::SetStoreInfo(SetStoreInfo {
            row_id: RowId::new(),
            info: StoreInfo::new_recording(ApplicationId::new("proptest"), store_id.id.clone()),
        })];
        msgs.extend(chunks.into_iter().map(|c| LogMsg::ArrowMsg(ArrowMsg { store_id: store_id.clone(), chunk: Arc::new(c) })));
        let options = EncoderOptions { compression };
        let bytes = encode_to_vec(&msgs, options).expect("encode");
        let decoded: Vec<LogMsg> = decode_slice(&bytes).collect::<Result<_, _>>().expect("decode");
        prop_assert_eq!(&decoded, &msgs);
        // Rows read back equal what was built, row by row.
        for (a, b) in decoded.iter().zip(&msgs) {
            if let (LogMsg::ArrowMsg(a), LogMsg::ArrowMsg(b)) = (a, b) {
                prop_assert!(a.chunk.iter_rows().eq(b.chunk.iter_rows()));
            }
        }
    }
}

/// A chunk above the size at which Zstandard compresses in blocks on several threads while
/// the payload is written: it reads back unchanged, stored as one compressed frame.
#[test]
fn a_large_chunk_compressed_in_blocks_round_trips() {
    use reel_core::arrow_buffer::{OffsetBuffer, ScalarBuffer};
    use reel_core::{ChunkId, ComponentName, TimeColumn};
    const ROWS: usize = 1_500_000;
    let values: ArrayRef = Arc::new(Float32Array::from_iter_values(
        (0..ROWS).map(|i| (i as f32 * 0.001).sin()),
    ));
    let offsets = OffsetBuffer::new(ScalarBuffer::from((0..=ROWS as i32).collect::<Vec<_>>()));
    let field = Arc::new(Field::new_list_field(DataType::Float32, true));
    let list =
        reel_core::arrow_array::ListArray::try_new(field, offsets, values, None).expect("list");
    let chunk = Chunk::new(
        ChunkId::new(),
        EntityPath::parse_forgiving("large"),
        (0..ROWS).map(|_| RowId::new()).collect::<Vec<_>>(),
        [TimeColumn::new(
            Timeline::new_sequence("frame"),
            (0..ROWS as i64).collect::<Vec<_>>(),
        )],
        [(ComponentName::from("test.Value"), list)],
    )
    .expect("chunk");
    assert!(
        chunk.heap_size_bytes() > 32 << 20,
        "large enough for several blocks"
    );
    let msgs = vec![LogMsg::ArrowMsg(ArrowMsg {
        store_id: StoreId::recording(RecordingId::random()),
        chunk: Arc::new(chunk),
    })];
    let bytes = encode_to_vec(&msgs, EncoderOptions::default()).expect("encode");
    let frame_flags = bytes[reel_format::frame::STREAM_HEADER_LEN + 1];
    assert_eq!(frame_flags, reel_format::frame::FLAG_ZSTD);
    let zstd_magic = [0x28, 0xB5, 0x2F, 0xFD];
    let frames = bytes.windows(4).filter(|w| *w == zstd_magic).count();
    assert!(frames >= 2, "one Zstandard frame per block, {frames} found");
    let decoded: Vec<LogMsg> = decode_slice(&bytes)
        .collect::<Result<_, _>>()
        .expect("decode");
    assert_eq!(decoded, msgs);
}

#[test]
fn frames_kept_as_read_are_copied_into_another_stream_unchanged() {
    use reel_format::{Decoder, DecoderOptions, EncodeError, Encoder};
    let store_id = StoreId::recording(RecordingId::random());
    let msgs: Vec<LogMsg> = (0..3)
        .map(|i| {
            let row = ChunkRow {
                row_id: RowId::new(),
                timepoint: TimePoint::default().with(Timeline::new_sequence("frame"), i),
                components: vec![ComponentBatch::new(
                    "test.Text",
                    Arc::new(StringArray::from(vec!["some text"; 100])) as ArrayRef,
                )],
            };
            let chunk = Chunk::from_rows(EntityPath::parse_forgiving("log"), vec![row]);
            LogMsg::ArrowMsg(ArrowMsg {
                store_id: store_id.clone(),
                chunk: Arc::new(chunk.expect("chunk")),
            })
        })
        .collect();
    let bytes = encode_to_vec(&msgs, EncoderOptions::default()).expect("encode");
    let keep = DecoderOptions {
        keep_frames: true,
        ..Default::default()
    };
    let mut copy = Encoder::new(Vec::new(), EncoderOptions::default()).expect("encoder");
    let mut copied = 0;
    let mut decoder = Decoder::with_options(&bytes[..], keep);
    while let Some(decoded) = decoder.next_message() {
        let decoded = decoded.expect("decode");
        let frame = decoded.frame.expect("compressed frames are kept");
        assert_eq!(frame.len() as u64, decoded.frame_bytes);
        copy.append_frame(&frame).expect("copy");
        copied += 1;
    }
    assert_eq!(copied, 3);
    let copy = copy.finish().expect("finish");
    // The same bytes: frames are written as they were read.
    assert_eq!(copy, bytes);
    let again: Vec<LogMsg> = decode_slice(&copy)
        .collect::<Result<_, _>>()
        .expect("decode");
    assert_eq!(again, msgs);

    // Without asking, or for uncompressed frames, nothing is kept.
    let plain = encode_to_vec(&msgs, EncoderOptions::uncompressed()).expect("encode");
    for bytes in [&bytes, &plain] {
        let options = if bytes == &plain {
            keep
        } else {
            DecoderOptions::default()
        };
        let mut decoder = Decoder::with_options(&bytes[..], options);
        while let Some(decoded) = decoder.next_message() {
            assert!(decoded.expect("decode").frame.is_none());
        }
    }

    // A frame of a version-1 stream is not copied into a version-2 one.
    let v1 = include_bytes!("golden/v1_lz4.reel");
    let mut decoder = Decoder::with_options(&v1[..], keep);
    let frame = std::iter::from_fn(|| decoder.next_message())
        .find_map(|d| d.ok()?.frame)
        .expect("a compressed version-1 frame");
    let mut encoder = Encoder::new(Vec::new(), EncoderOptions::default()).expect("encoder");
    assert!(matches!(
        encoder.append_frame(&frame),
        Err(EncodeError::ForeignFrame(1))
    ));
}

/// Frames encoded one by one (as a memory recording holds large chunks) decode alone, and
/// appended to a stream give the bytes of encoding the messages there.
#[test]
fn frames_encoded_apart_decode_alone_and_make_the_same_stream() {
    use reel_format::{Encoder, FrameEncoder};
    let store_id = StoreId::recording(RecordingId::random());
    let mut msgs = vec![LogMsg::SetStoreInfo(SetStoreInfo {
        row_id: RowId::new(),
        info: StoreInfo::new_recording(ApplicationId::new("frames"), store_id.id.clone()),
    })];
    msgs.extend((0..3).map(|i| {
        let row = ChunkRow {
            row_id: RowId::new(),
            timepoint: TimePoint::default().with(Timeline::new_sequence("frame"), i),
            components: vec![ComponentBatch::new(
                "test.Text",
                Arc::new(StringArray::from(vec!["text"; 50 * i as usize])) as ArrayRef,
            )],
        };
        let chunk = Chunk::from_rows(EntityPath::parse_forgiving("log"), vec![row]);
        LogMsg::ArrowMsg(ArrowMsg {
            store_id: store_id.clone(),
            chunk: Arc::new(chunk.expect("chunk")),
        })
    }));
    for compression in [Compression::Off, Compression::Lz4, Compression::Zstd] {
        let options = EncoderOptions { compression };
        let mut frames = FrameEncoder::new(options);
        let mut stream = Encoder::new(Vec::new(), options).expect("encoder");
        for msg in &msgs {
            let frame = frames.encode(msg).expect("encode");
            let (raw, stored) = (frame.raw_len(), frame.stored_len());
            let frame = frame.into_raw_frame();
            assert_eq!(frame.raw_len(), raw);
            assert_eq!(frame.len() as u64, stored + 24);
            if compression == Compression::Off {
                assert_eq!(raw, stored);
            }
            assert_eq!(&frame.decode().expect("decode"), msg);
            stream.append_frame(&frame).expect("append");
        }
        let stream = stream.finish().expect("finish");
        assert_eq!(stream, encode_to_vec(&msgs, options).expect("encode"));
    }

    // A version-1 frame kept as read decodes alone too.
    let v1 = include_bytes!("golden/v1_lz4.reel");
    let keep = reel_format::DecoderOptions {
        keep_frames: true,
        ..Default::default()
    };
    let mut decoder = reel_format::Decoder::with_options(&v1[..], keep);
    let decoded = std::iter::from_fn(|| decoder.next_message())
        .map(|d| d.expect("decode"))
        .find(|d| d.frame.is_some())
        .expect("a compressed version-1 frame");
    let frame = decoded.frame.expect("kept");
    assert_eq!(frame.version, 1);
    assert_eq!(frame.decode().expect("decode alone"), decoded.msg);
}
