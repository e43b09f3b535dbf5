//! One test per query rule of the crate docs.

mod common;

use common::*;
use reel_core::{TimePoint, Timeline};
use reel_store::{LatestAtQuery, RangeQuery};

#[test]
fn latest_at_takes_the_greatest_time_not_the_last_logged() {
    let mut s = store();
    log_value(&mut s, "a", 5, &[5]);
    log_value(&mut s, "a", 3, &[3]);
    assert_eq!(latest(&s, "a", frame(), 2), None);
    assert_eq!(latest(&s, "a", frame(), 3), Some(vec![3]));
    assert_eq!(latest(&s, "a", frame(), 4), Some(vec![3]));
    assert_eq!(latest(&s, "a", frame(), 5), Some(vec![5]));
    assert_eq!(latest(&s, "a", frame(), i64::MAX), Some(vec![5]));
}

#[test]
fn ties_at_one_time_go_to_the_greater_row_id() {
    let mut s = store();
    let first = row(at(7), vec![(VALUE, ints(&[1]))]);
    let second = row(at(7), vec![(VALUE, ints(&[2]))]);
    assert!(second.row_id > first.row_id);
    // Inserted newest first, and within one chunk in reverse, so storage order lies.
    insert(&mut s, chunk("a", vec![second.clone()]));
    insert(&mut s, chunk("a", vec![first.clone()]));
    assert_eq!(latest(&s, "a", frame(), 7), Some(vec![2]));
    let mut s = store();
    insert(&mut s, chunk("a", vec![second, first]));
    assert_eq!(latest(&s, "a", frame(), 7), Some(vec![2]));
}

#[test]
fn out_of_order_rows_within_one_chunk() {
    let mut s = store();
    let rows = [9, 1, 5, 3]
        .iter()
        .map(|&f| row(at(f), vec![(VALUE, ints(&[f]))]))
        .collect();
    insert(&mut s, chunk("a", rows));
    for (q, want) in [
        (0, None),
        (1, Some(1)),
        (2, Some(1)),
        (4, Some(3)),
        (8, Some(5)),
        (9, Some(9)),
    ] {
        assert_eq!(latest(&s, "a", frame(), q), want.map(|v| vec![v]), "at {q}");
    }
}

#[test]
fn static_data_is_visible_everywhere_until_temporal_data_takes_over() {
    let mut s = store();
    // Temporal logged first, static after: the static row still loses from frame 10 on.
    log_value(&mut s, "a", 10, &[10]);
    insert(
        &mut s,
        chunk(
            "a",
            vec![row(TimePoint::timeless(), vec![(VALUE, ints(&[-1]))])],
        ),
    );
    assert_eq!(latest(&s, "a", frame(), i64::MIN), Some(vec![-1]));
    assert_eq!(latest(&s, "a", frame(), 9), Some(vec![-1]));
    assert_eq!(latest(&s, "a", frame(), 10), Some(vec![10]));
    // On a timeline the temporal row is not on, only the static row exists.
    assert_eq!(latest(&s, "a", clock(), 1_000_000), Some(vec![-1]));
    // The newest static row wins among static rows.
    insert(
        &mut s,
        chunk(
            "a",
            vec![row(TimePoint::timeless(), vec![(VALUE, ints(&[-2]))])],
        ),
    );
    assert_eq!(latest(&s, "a", frame(), 0), Some(vec![-2]));
}

#[test]
fn an_empty_batch_clears_one_component() {
    let mut s = store();
    insert(
        &mut s,
        chunk(
            "a",
            vec![row(at(1), vec![(VALUE, ints(&[1])), (COLOR, ints(&[9]))])],
        ),
    );
    log_value(&mut s, "a", 2, &[]);
    let r = s.latest_at(&LatestAtQuery::new(frame(), 2), &path("a"), &[VALUE, COLOR]);
    assert_eq!(r.cell(&VALUE).map(|c| c.len()), Some(0));
    assert_eq!(r.cell(&COLOR).map(|c| values(&c)), Some(vec![9]));
}

#[test]
fn a_clear_hides_earlier_data_of_its_entity_only_until_new_data() {
    let mut s = store();
    log_value(&mut s, "a", 1, &[1]);
    log_value(&mut s, "a/child", 1, &[11]);
    insert(
        &mut s,
        chunk(
            "a",
            vec![row(TimePoint::timeless(), vec![(COLOR, ints(&[7]))])],
        ),
    );
    insert(&mut s, chunk("a", vec![clear_row(at(5), false)]));
    log_value(&mut s, "a", 8, &[8]);
    assert_eq!(latest(&s, "a", frame(), 4), Some(vec![1]));
    assert_eq!(latest(&s, "a", frame(), 5), None);
    assert_eq!(latest(&s, "a", frame(), 7), None);
    assert_eq!(latest(&s, "a", frame(), 8), Some(vec![8]));
    // Static data of the cleared entity is hidden too; the child is untouched.
    let color = |q| {
        s.latest_at(&LatestAtQuery::new(frame(), q), &path("a"), &[COLOR])
            .cell(&COLOR)
    };
    assert!(color(4).is_some());
    assert!(color(5).is_none());
    assert_eq!(latest(&s, "a/child", frame(), 6), Some(vec![11]));
}

#[test]
fn a_recursive_clear_also_hides_descendants() {
    let mut s = store();
    log_value(&mut s, "a/b/c", 1, &[1]);
    log_value(&mut s, "other", 1, &[2]);
    insert(&mut s, chunk("a", vec![clear_row(at(3), true)]));
    assert_eq!(latest(&s, "a/b/c", frame(), 2), Some(vec![1]));
    assert_eq!(latest(&s, "a/b/c", frame(), 3), None);
    assert_eq!(latest(&s, "other", frame(), 3), Some(vec![2]));
    log_value(&mut s, "a/b/c", 4, &[4]);
    assert_eq!(latest(&s, "a/b/c", frame(), 4), Some(vec![4]));
    // A non-recursive clear of an ancestor does not reach descendants.
    insert(&mut s, chunk("a/b", vec![clear_row(at(6), false)]));
    assert_eq!(latest(&s, "a/b/c", frame(), 6), Some(vec![4]));
    // The clear row itself is data of its entity.
    let r = s.latest_at(&LatestAtQuery::new(frame(), 3), &path("a"), &[CLEAR]);
    assert!(r.get(&CLEAR).is_some());
}

#[test]
fn splats_and_per_component_instance_counts_are_kept() {
    let mut s = store();
    insert(
        &mut s,
        chunk(
            "p",
            vec![row(
                at(0),
                vec![(VALUE, ints(&[1, 2, 3])), (COLOR, ints(&[42]))],
            )],
        ),
    );
    let r = s.latest_at(&LatestAtQuery::new(frame(), 0), &path("p"), &[VALUE, COLOR]);
    assert_eq!(r.get(&VALUE).map(|h| h.num_instances(&VALUE)), Some(3));
    assert_eq!(r.get(&COLOR).map(|h| h.num_instances(&COLOR)), Some(1));
    assert_eq!(r.cell(&COLOR).map(|c| values(&c)), Some(vec![42]));
}

#[test]
fn each_timeline_is_queried_on_its_own() {
    let mut s = store();
    let both = TimePoint::default().with(frame(), 1).with(clock(), 1_000);
    insert(
        &mut s,
        chunk("a", vec![row(both, vec![(VALUE, ints(&[1]))])]),
    );
    log_value(&mut s, "a", 2, &[2]);
    let on_clock = TimePoint::default().with(clock(), 500);
    insert(
        &mut s,
        chunk("a", vec![row(on_clock, vec![(VALUE, ints(&[3]))])]),
    );
    assert_eq!(latest(&s, "a", frame(), 5), Some(vec![2]));
    assert_eq!(latest(&s, "a", clock(), 999), Some(vec![3]));
    assert_eq!(latest(&s, "a", clock(), 5_000), Some(vec![1]));
    assert_eq!(latest(&s, "a", Timeline::new_sequence("nope"), 5), None);
}

#[test]
fn range_returns_rows_in_order_with_the_entering_state_and_clears() {
    let mut s = store();
    for f in [6, 2, 4, 8] {
        log_value(&mut s, "a", f, &[f]);
    }
    log_value(&mut s, "a", 4, &[40]);
    insert(&mut s, chunk("a", vec![clear_row(at(5), false)]));
    let plain = s.range(&RangeQuery::new(frame(), 3, 7), &path("a"), &[VALUE]);
    let got: Vec<i64> = plain.components[&VALUE]
        .iter()
        .flat_map(|h| values(&h.cell(&VALUE).expect("value")))
        .collect();
    assert_eq!(got, vec![4, 40, 6]);
    assert_eq!(plain.clears.len(), 1);
    assert_eq!(plain.clears[0].time, Some(t(5)));
    let entering = s.range(
        &RangeQuery::new(frame(), 3, 7).with_entering(),
        &path("a"),
        &[VALUE],
    );
    let got: Vec<i64> = entering.components[&VALUE]
        .iter()
        .flat_map(|h| values(&h.cell(&VALUE).expect("value")))
        .collect();
    assert_eq!(got, vec![2, 4, 40, 6]);
    let empty = s.range(&RangeQuery::new(frame(), 100, 200), &path("a"), &[VALUE]);
    assert!(empty.components.is_empty());
}

#[test]
fn the_cache_follows_live_inserts() {
    let mut s = store();
    log_value(&mut s, "a", 1, &[1]);
    log_value(&mut s, "b", 1, &[100]);
    assert_eq!(latest(&s, "a", frame(), 10), Some(vec![1]));
    assert_eq!(latest(&s, "b", frame(), 10), Some(vec![100]));
    assert_eq!(latest(&s, "a", frame(), 10), Some(vec![1]));
    let hits_before = s.cache().stats().hits;
    assert!(hits_before >= 1);
    // A later row invalidates answers at and after its time only.
    log_value(&mut s, "a", 5, &[5]);
    assert_eq!(latest(&s, "a", frame(), 10), Some(vec![5]));
    // An unrelated entity's answer stays cached.
    assert_eq!(latest(&s, "b", frame(), 10), Some(vec![100]));
    assert!(s.cache().stats().hits > hits_before);
    // Static data and clears invalidate too.
    insert(
        &mut s,
        chunk(
            "c",
            vec![row(TimePoint::timeless(), vec![(VALUE, ints(&[0]))])],
        ),
    );
    assert_eq!(latest(&s, "c", frame(), 10), Some(vec![0]));
    insert(
        &mut s,
        chunk(
            "c",
            vec![row(TimePoint::timeless(), vec![(VALUE, ints(&[9]))])],
        ),
    );
    assert_eq!(latest(&s, "c", frame(), 10), Some(vec![9]));
    insert(&mut s, chunk("/", vec![clear_row(at(7), true)]));
    assert_eq!(latest(&s, "a", frame(), 10), None);
    assert_eq!(latest(&s, "b", frame(), 10), None);
}
