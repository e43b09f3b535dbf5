//! Latest-at and range against a naive reference over random inserts, with queries
//! interleaved so the cache is exercised under live inserts, and compaction on.

mod common;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use common::*;
use proptest::prelude::*;
use reel_core::{ChunkRow, RowId, TimePoint};
use reel_store::{
    ChunkStore, CompactionConfig, LatestAtQuery, RangeQuery, StoredChunk, ViewContents,
};

const ENTITIES: [&str; 3] = ["a", "a/b", "c"];

#[derive(Clone, Debug)]
enum Cell {
    Value(Vec<i64>),
    Empty,
    Missing,
    Clear(bool),
}

#[derive(Clone, Debug)]
enum Op {
    Insert {
        entity: usize,
        is_static: bool,
        rows: Vec<(i64, Cell)>,
    },
    LatestAt {
        entity: usize,
        time: i64,
    },
    Range {
        entity: usize,
        min: i64,
        max: i64,
    },
}

/// A row as the reference sees it.
struct ModelRow {
    entity: usize,
    time: Option<i64>,
    row_id: RowId,
    cell: Cell,
}

type Key = (Option<i64>, RowId);

fn key(r: &ModelRow) -> Key {
    (r.time, r.row_id)
}

fn is_under(entity: usize, ancestor: usize) -> bool {
    let (e, a) = (ENTITIES[entity], ENTITIES[ancestor]);
    e == a || e.starts_with(&format!("{a}/"))
}

fn model_latest(rows: &[ModelRow], entity: usize, t: i64) -> Option<Vec<i64>> {
    let visible = |r: &&ModelRow| r.time.is_none_or(|time| time <= t);
    let best = rows
        .iter()
        .filter(visible)
        .filter(|r| r.entity == entity && matches!(r.cell, Cell::Value(_) | Cell::Empty))
        .max_by_key(|r| key(r))?;
    let clear = rows
        .iter()
        .filter(visible)
        .filter(|r| match r.cell {
            Cell::Clear(recursive) => {
                r.entity == entity || (recursive && is_under(entity, r.entity))
            }
            _ => false,
        })
        .map(key)
        .max();
    if clear.is_some_and(|c| c > key(best)) {
        return None;
    }
    Some(match &best.cell {
        Cell::Value(v) => v.clone(),
        _ => Vec::new(),
    })
}

fn model_range(rows: &[ModelRow], entity: usize, min: i64, max: i64) -> Vec<Vec<i64>> {
    let mut hits: Vec<&ModelRow> = rows
        .iter()
        .filter(|r| r.entity == entity && r.time.is_some_and(|t| (min..=max).contains(&t)))
        .filter(|r| matches!(r.cell, Cell::Value(_) | Cell::Empty))
        .collect();
    hits.sort_by_key(|r| key(r));
    hits.iter()
        .map(|r| match &r.cell {
            Cell::Value(v) => v.clone(),
            _ => Vec::new(),
        })
        .collect()
}

fn arb_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        6 => prop::collection::vec(-100i64..100, 1..3).prop_map(Cell::Value),
        1 => Just(Cell::Empty),
        1 => Just(Cell::Missing),
        1 => any::<bool>().prop_map(Cell::Clear),
    ]
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..3usize, prop::bool::weighted(0.1), prop::collection::vec((0i64..30, arb_cell()), 1..5))
            .prop_map(|(entity, is_static, rows)| Op::Insert { entity, is_static, rows }),
        3 => (0..3usize, -1i64..32).prop_map(|(entity, time)| Op::LatestAt { entity, time }),
        1 => (0..3usize, 0i64..30, 0i64..30).prop_map(|(entity, a, b)| Op::Range { entity, min: a.min(b), max: a.max(b) }),
    ]
}

fn run(ops: Vec<Op>, compaction: CompactionConfig) -> Result<(), TestCaseError> {
    let mut store = ChunkStore::new(
        reel_core::StoreId::recording(reel_core::RecordingId::new("model")),
        compaction,
    );
    let mut model: Vec<ModelRow> = Vec::new();
    for op in ops {
        match op {
            Op::Insert {
                entity,
                is_static,
                rows,
            } => {
                let mut chunk_rows: Vec<ChunkRow> = Vec::new();
                for (time, cell) in rows {
                    let tp = if is_static {
                        TimePoint::timeless()
                    } else {
                        at(time)
                    };
                    let r = match &cell {
                        Cell::Value(v) => row(tp, vec![(VALUE, ints(v))]),
                        Cell::Empty => row(tp, vec![(VALUE, ints(&[]))]),
                        Cell::Missing => row(tp, vec![(COLOR, ints(&[1]))]),
                        Cell::Clear(recursive) => clear_row(tp, *recursive),
                    };
                    model.push(ModelRow {
                        entity,
                        time: (!is_static).then_some(time),
                        row_id: r.row_id,
                        cell,
                    });
                    chunk_rows.push(r);
                }
                store.insert(StoredChunk::new(chunk(ENTITIES[entity], chunk_rows)));
            }
            Op::LatestAt { entity, time } => {
                let got = store
                    .latest_at_component(
                        &LatestAtQuery::new(frame(), time),
                        &path(ENTITIES[entity]),
                        &VALUE,
                    )
                    .and_then(|h| h.cell(&VALUE))
                    .map(|c| values(&c));
                prop_assert_eq!(
                    got,
                    model_latest(&model, entity, time),
                    "latest_at {} @ {}",
                    ENTITIES[entity],
                    time
                );
            }
            Op::Range { entity, min, max } => {
                let got: Vec<Vec<i64>> = store
                    .range(
                        &RangeQuery::new(frame(), min, max),
                        &path(ENTITIES[entity]),
                        &[VALUE],
                    )
                    .components
                    .get(&VALUE)
                    .map(|hits| {
                        hits.iter()
                            .map(|h| values(&h.cell(&VALUE).expect("valid")))
                            .collect()
                    })
                    .unwrap_or_default();
                prop_assert_eq!(got, model_range(&model, entity, min, max));
            }
        }
    }
    // Everything again after a full compaction.
    store.compact();
    for (entity, name) in ENTITIES.iter().enumerate() {
        for time in -1..32 {
            let got = store
                .latest_at_uncached(&LatestAtQuery::new(frame(), time), &path(name), &VALUE)
                .and_then(|h| h.cell(&VALUE))
                .map(|c| values(&c));
            prop_assert_eq!(got, model_latest(&model, entity, time));
        }
    }
    check_dataframes(&store, &model)
}

/// Dataframe selections: filled with latest-at values they match the reference cell by
/// cell, and cutting a selection into batches of any size changes nothing.
fn check_dataframes(store: &ChunkStore, model: &[ModelRow]) -> Result<(), TestCaseError> {
    let Ok(view) = store.view("frame", &ViewContents::expr("/**")) else {
        return Ok(()); // Nothing temporal was logged: there is no frame timeline.
    };
    let whole: Vec<RecordBatch> = view.select(&[]).map_err(fail)?;
    for rows in [1, 2, 7] {
        let batched = view
            .select_batches(&[])
            .map_err(fail)?
            .with_batch_rows(rows)
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        prop_assert_eq!(concat(&whole)?, concat(&batched)?, "batches of {}", rows);
    }
    let times: Vec<i64> = (-1..32).collect();
    let filled = view.using_index_values(times.clone()).fill_latest_at();
    for rows in [1, 3, usize::MAX] {
        let batches = filled
            .select_batches(&[])
            .map_err(fail)?
            .with_batch_rows(rows)
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        let table = concat(&batches)?;
        for (entity, name) in ENTITIES.iter().enumerate() {
            let column = table.column_by_name(&format!("/{name}:{}", VALUE.short_name()));
            for (i, &t) in times.iter().enumerate() {
                let got = column
                    .map(|c| c.as_list::<i32>())
                    .filter(|list| list.is_valid(i))
                    .map(|list| values(&list.value(i)));
                prop_assert_eq!(
                    got,
                    model_latest(model, entity, t),
                    "{} @ {} in batches of {}",
                    name,
                    t,
                    rows
                );
            }
        }
    }
    Ok(())
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

fn concat(batches: &[RecordBatch]) -> Result<RecordBatch, TestCaseError> {
    let schema = batches
        .first()
        .map(RecordBatch::schema)
        .ok_or_else(|| fail("no batch"))?;
    arrow_select::concat::concat_batches(&schema, batches).map_err(fail)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn queries_match_the_reference(ops in prop::collection::vec(arb_op(), 1..120)) {
        run(ops, CompactionConfig::default())?;
    }

    #[test]
    fn queries_match_the_reference_with_tiny_chunks(ops in prop::collection::vec(arb_op(), 1..120)) {
        run(ops, CompactionConfig { enabled: true, max_rows: 40, max_bytes: 1 << 20 })?;
    }
}
