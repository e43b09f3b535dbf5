//! Loading recordings: small chunks merged entity by entity in a second pass must give
//! the same answers as inserting every chunk, from bytes and from a file, damaged or not.

mod common;

use std::sync::Arc;

use common::*;
use reel_core::{ArrowMsg, Chunk, LogMsg, RecordingId, StoreId, TimePoint};
use reel_store::load::{load_bytes, load_file};
use reel_store::{ChunkStore, LatestAtQuery, RangeQuery};

/// 20 entities x 30 steps of 10 rows (a 10-row chunk per entity and step, interleaved as
/// a program logging all entities each step writes them), one large chunk, and a static
/// value.
fn chunks() -> Vec<Arc<Chunk>> {
    let mut out = Vec::new();
    for step in 0..30 {
        for e in 0..20 {
            let rows = (0..10)
                .map(|i| {
                    let t = step * 10 + i;
                    row(at(t), vec![(VALUE, ints(&[e * 1000 + t]))])
                })
                .collect();
            out.push(chunk(&format!("e/{e}"), rows));
        }
    }
    let big = (0..5000)
        .map(|t| row(at(t), vec![(VALUE, ints(&[-t]))]))
        .collect();
    out.push(chunk("big", big));
    out.push(chunk(
        "e/0",
        vec![row(TimePoint::timeless(), vec![(COLOR, ints(&[7]))])],
    ));
    out
}

fn encoded(chunks: &[Arc<Chunk>]) -> Vec<u8> {
    let id = StoreId::recording(RecordingId::new("rec-1"));
    let msgs: Vec<LogMsg> = chunks
        .iter()
        .map(|c| {
            LogMsg::ArrowMsg(ArrowMsg {
                store_id: id.clone(),
                chunk: c.clone(),
            })
        })
        .collect();
    reel_format::encode_to_vec(&msgs, reel_format::EncoderOptions::default()).expect("encode")
}

fn same_answers(loaded: &ChunkStore, reference: &ChunkStore) {
    assert_eq!(loaded.num_rows(), reference.num_rows());
    let paths: Vec<String> = reference.entity_paths().map(|p| p.to_string()).collect();
    for p in &paths {
        for t in [-1, 0, 5, 149, 299, 4999, 6000] {
            assert_eq!(
                latest(loaded, p, frame(), t),
                latest(reference, p, frame(), t),
                "{p} @ {t}"
            );
        }
        let everything = RangeQuery::new(frame(), -10, 10_000);
        let rows = |s: &ChunkStore| -> Vec<Vec<i64>> {
            s.range(&everything, &path(p), &[VALUE])
                .components
                .get(&VALUE)
                .map(|hits| {
                    hits.iter()
                        .map(|h| values(&h.cell(&VALUE).expect("value")))
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(rows(loaded), rows(reference), "{p}");
        let color = |s: &ChunkStore| {
            s.latest_at_uncached(&LatestAtQuery::new(frame(), 3), &path(p), &COLOR)
                .and_then(|h| h.cell(&COLOR))
                .map(|c| values(&c))
        };
        assert_eq!(color(loaded), color(reference), "{p} static");
    }
}

#[test]
fn small_chunks_merge_entity_by_entity_with_the_same_answers() {
    let chunks = chunks();
    let mut reference = store();
    for c in &chunks {
        insert(&mut reference, c.clone());
    }
    let bytes = encoded(&chunks);
    let loaded = load_bytes(&bytes);
    assert_eq!(loaded.error, None);
    assert_eq!(loaded.recording_id.as_deref(), Some("rec-1"));
    same_answers(&loaded.store, &reference);
    // Each entity's 30 small chunks became one; the large chunk and the static one stay.
    assert_eq!(loaded.store.num_chunks(), 20 + 1 + 1);
    assert!(loaded.store.entity_tree().root().children.is_empty());

    let dir = std::env::temp_dir().join(format!("reel-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("rec.reel");
    std::fs::write(&file, &bytes).expect("write");
    let from_file = load_file(&file).expect("load");
    assert_eq!(from_file.error, None);
    same_answers(&from_file.store, &reference);
    assert!(load_file(&dir.join("missing.reel")).is_err());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_damaged_recording_keeps_what_came_before_the_damage() {
    let chunks = chunks();
    let bytes = encoded(&chunks);
    // Cut in the middle: whole messages before the cut are kept, small ones included.
    let cut = &bytes[..bytes.len() / 2];
    let loaded = load_bytes(cut);
    assert!(loaded.error.is_some());
    let mut reference = store();
    let mut kept = 0;
    for msg in reel_format::decode_slice(cut).flatten() {
        if let LogMsg::ArrowMsg(a) = msg {
            insert(&mut reference, a.chunk);
            kept += 1;
        }
    }
    assert!(kept > 100, "{kept} messages before the cut");
    same_answers(&loaded.store, &reference);
}
