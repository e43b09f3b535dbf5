//! Dataframe views of a small recording, checked by hand.

mod common;

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, RecordBatch};
use common::*;
use reel_core::{ComponentName, TimePoint};
use reel_store::{ChunkStore, DataframeError, ViewContents};

const POS: ComponentName = ComponentName::from_static("reel.components.Position3D");
const INDICATOR: ComponentName = ComponentName::from_static("reel.indicators.Points3D");

/// frame 1: /world/points pos [1,2]; frame 3: pos [3], /world/cam value 30;
/// static: /world/points color 7; frame 4: clear /world recursive; frame 5: pos [5].
fn recording() -> ChunkStore {
    let mut s = store();
    let null = || std::sync::Arc::new(arrow_array::NullArray::new(1)) as arrow_array::ArrayRef;
    insert(
        &mut s,
        chunk(
            "world/points",
            vec![row(at(1), vec![(POS, ints(&[1, 2])), (INDICATOR, null())])],
        ),
    );
    insert(
        &mut s,
        chunk(
            "world/points",
            vec![row(at(3), vec![(POS, ints(&[3])), (INDICATOR, null())])],
        ),
    );
    log_value(&mut s, "world/cam", 3, &[30]);
    insert(
        &mut s,
        chunk(
            "world/points",
            vec![row(TimePoint::timeless(), vec![(COLOR, ints(&[7]))])],
        ),
    );
    insert(&mut s, chunk("world", vec![clear_row(at(4), true)]));
    insert(
        &mut s,
        chunk(
            "world/points",
            vec![row(at(5), vec![(POS, ints(&[5])), (INDICATOR, null())])],
        ),
    );
    s
}

/// A column as rows of optional values.
fn cells(batch: &RecordBatch, name: &str) -> Vec<Option<Vec<i64>>> {
    let list = batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("column {name}"))
        .as_list::<i32>();
    (0..list.len())
        .map(|i| {
            list.is_valid(i)
                .then(|| list.value(i).as_primitive::<Int64Type>().values().to_vec())
        })
        .collect()
}

fn index(batch: &RecordBatch) -> Vec<i64> {
    batch
        .column(0)
        .as_primitive::<Int64Type>()
        .values()
        .to_vec()
}

#[test]
fn columns_are_named_by_entity_and_short_component_name_without_indicators() {
    let s = recording();
    let view = s
        .view("frame", &ViewContents::expr("/world/**"))
        .expect("view");
    assert_eq!(
        view.column_names(),
        vec![
            "frame",
            "/world:ClearIsRecursive",
            "/world/cam:test.Value",
            "/world/points:Position3D",
            "/world/points:test.Color",
        ]
    );
    let only = s
        .view("frame", &ViewContents::expr("/world/points"))
        .expect("view");
    assert_eq!(only.column_names().len(), 3);
    let excluded = s
        .view(
            "frame",
            &ViewContents::Expressions(vec!["/**".into(), "-/world/cam".into()]),
        )
        .expect("view");
    assert!(!excluded.column_names().iter().any(|c| c.contains("cam")));
}

#[test]
fn select_gives_one_row_per_index_value_with_nulls_where_nothing_was_logged() {
    let s = recording();
    let view = s
        .view("frame", &ViewContents::expr("/world/**"))
        .expect("view");
    let batches = view.select(&[]).expect("select");
    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    assert_eq!(index(b), vec![1, 3, 4, 5]);
    assert_eq!(
        cells(b, "/world/points:Position3D"),
        vec![Some(vec![1, 2]), Some(vec![3]), None, Some(vec![5])]
    );
    assert_eq!(
        cells(b, "/world/cam:test.Value"),
        vec![None, Some(vec![30]), None, None]
    );
    // Static-only components show on every row.
    assert_eq!(cells(b, "/world/points:test.Color"), vec![Some(vec![7]); 4]);
}

#[test]
fn fill_latest_at_carries_values_forward_and_respects_clears() {
    let s = recording();
    let view = s
        .view("frame", &ViewContents::expr("/world/**"))
        .expect("view")
        .using_index_values([0, 2, 3, 4, 6])
        .fill_latest_at();
    let b = &view
        .select(&[
            "frame",
            "/world/points:Position3D",
            "/world/cam:test.Value",
            "/world/points:test.Color",
        ])
        .expect("select")[0];
    assert_eq!(index(b), vec![0, 2, 3, 4, 6]);
    assert_eq!(
        cells(b, "/world/points:Position3D"),
        vec![None, Some(vec![1, 2]), Some(vec![3]), None, Some(vec![5])]
    );
    assert_eq!(
        cells(b, "/world/cam:test.Value"),
        vec![None, None, Some(vec![30]), None, None]
    );
    assert_eq!(
        cells(b, "/world/points:test.Color"),
        vec![Some(vec![7]), Some(vec![7]), Some(vec![7]), None, None]
    );
}

#[test]
fn filters_narrow_the_rows() {
    let s = recording();
    let view = || {
        s.view("frame", &ViewContents::expr("/world/points"))
            .expect("view")
    };
    let b = &view()
        .filter_range_sequence(2, 4)
        .select(&[])
        .expect("select")[0];
    assert_eq!(index(b), vec![3]);
    let b = &view()
        .filter_index_values([1, 5, 9])
        .select(&[])
        .expect("select")[0];
    assert_eq!(index(b), vec![1, 5]);
    let explicit: BTreeMap<String, Vec<String>> =
        [("/world/points".to_owned(), vec!["Position3D".to_owned()])].into();
    let v = s
        .view("frame", &ViewContents::Explicit(explicit))
        .expect("view");
    assert_eq!(v.column_names(), vec!["frame", "/world/points:Position3D"]);
}

#[test]
fn bad_requests_get_clear_errors() {
    let s = recording();
    let err = s
        .view("time", &ViewContents::expr("/**"))
        .expect_err("no such timeline");
    assert!(matches!(err, DataframeError::UnknownTimeline { .. }));
    assert!(err.to_string().contains("frame"));
    let err = s
        .view("frame", &ViewContents::expr("/wor*ld"))
        .expect_err("bad wildcard");
    assert!(matches!(err, DataframeError::BadExpression { .. }));
    let view = s.view("frame", &ViewContents::expr("/**")).expect("view");
    assert!(matches!(
        view.select(&["/nope:X"]),
        Err(DataframeError::UnknownColumn(_))
    ));
}

#[test]
fn selections_slice_the_chunks_they_read_instead_of_copying() {
    let mut s = store();
    for c in 0..3 {
        let rows = (c * 2000..(c + 1) * 2000)
            .map(|t| row(at(t), vec![(VALUE, ints(&[t * 10]))]))
            .collect();
        insert(&mut s, chunk("a", rows));
    }
    let view = s.view("frame", &ViewContents::expr("/a")).expect("view");
    let batches = view.select(&[]).expect("select");
    // Batches end where chunks end, so each column is a slice of one chunk.
    assert_eq!(
        batches
            .iter()
            .map(RecordBatch::num_rows)
            .collect::<Vec<_>>(),
        vec![2000; 3]
    );
    let stored: Vec<*const u8> = s
        .iter_chunks()
        .map(|c| c.components()[&VALUE].values().to_data().buffers()[0].as_ptr())
        .collect();
    let column = "/a:test.Value";
    for (i, b) in batches.iter().enumerate() {
        let list = b.column_by_name(column).expect("column").as_list::<i32>();
        let values = list.values().to_data().buffers()[0].as_ptr();
        assert!(stored.contains(&values), "batch {i} was copied");
        let first = i as i64 * 2000;
        assert_eq!(index(b)[0], first);
        assert_eq!(cells(b, column)[1], Some(vec![(first + 1) * 10]));
    }
    // Asking for fewer rows per batch still gives every row once, in order.
    let small: Vec<RecordBatch> = view
        .select_batches(&[])
        .expect("select")
        .with_batch_rows(700)
        .collect::<Result<_, _>>()
        .expect("batches");
    let all: Vec<i64> = small.iter().flat_map(index).collect();
    assert_eq!(all, (0..6000).collect::<Vec<_>>());
    assert!(small.iter().all(|b| b.num_rows() <= 700));
}
