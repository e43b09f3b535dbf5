//! [`TimeHistogram`]: how many rows sit at each time of one timeline, answering "how many
//! rows fall into each of these N buckets of a time window" in time proportional to the
//! buckets, not the rows.
//!
//! The histogram is a sparse 16-ary tree over the 64-bit time axis. A node keeps the number
//! of rows below it; a leaf keeps up to [`LEAF_CAPACITY`] *runs*. A run is an arithmetic
//! progression of times (`start, start + stride, ...`) with the same number of rows at each,
//! so the regular data users log — one row per frame, one per tick, a sensor at a fixed
//! rate — costs a few runs instead of one entry per row. Counting a window descends only
//! into nodes that straddle a bucket boundary; a node inside one bucket adds its count.
//!
//! Histograms of time timelines (nanoseconds) may be built with a resolution (e.g. 2^20 ns,
//! about 1 ms): times are rounded down to it, so irregular high-rate timestamps still form
//! runs. Sequence timelines are kept exact.

/// The most runs a leaf holds before it splits into 16 children.
pub const LEAF_CAPACITY: usize = 32;

const FANOUT_BITS: u32 = 4;
const MAX_LEVEL: u32 = 64 / FANOUT_BITS;

/// Maps a signed time to an order-preserving unsigned key.
#[inline]
fn key_of(t: i64) -> u64 {
    (t as u64) ^ (1 << 63)
}

/// The inverse of [`key_of`].
#[inline]
fn time_of(k: u64) -> i64 {
    (k ^ (1 << 63)) as i64
}

/// `count` rows at each of `start, start + stride, ..., start + (len - 1) * stride`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    start: u64,
    /// 0 when `len == 1`.
    stride: u64,
    len: u64,
    count: u64,
}

impl Run {
    fn single(key: u64, count: u64) -> Self {
        Self {
            start: key,
            stride: 0,
            len: 1,
            count,
        }
    }

    fn last(&self) -> u64 {
        self.start + self.stride * (self.len - 1)
    }

    fn total(&self) -> u64 {
        self.len * self.count
    }

    fn contains(&self, key: u64) -> bool {
        key >= self.start
            && key <= self.last()
            && (self.len == 1 || (key - self.start).is_multiple_of(self.stride))
    }

    /// Index range `[first, last]` of the elements within `[lo, hi]`, if any.
    fn index_range(&self, lo: u64, hi: u64) -> Option<(u64, u64)> {
        if hi < self.start || lo > self.last() {
            return None;
        }
        if self.len == 1 {
            return Some((0, 0));
        }
        let first = if lo <= self.start {
            0
        } else {
            (lo - self.start).div_ceil(self.stride)
        };
        let last = ((hi.min(self.last())) - self.start) / self.stride;
        (first <= last).then_some((first, last))
    }

    /// The elements within `[lo, hi]` as a run.
    fn clip(&self, lo: u64, hi: u64) -> Option<Run> {
        let (a, b) = self.index_range(lo, hi)?;
        let len = b - a + 1;
        Some(Run {
            start: self.start + a * self.stride,
            stride: if len == 1 { 0 } else { self.stride },
            len,
            count: self.count,
        })
    }

    /// Extends `self` by `next` if `next` continues the progression with the same count.
    fn try_append(&mut self, next: &Run) -> bool {
        if next.count != self.count || next.start <= self.last() {
            return false;
        }
        let step = next.start - self.last();
        let fits_self = self.len == 1 || self.stride == step;
        let fits_next = next.len == 1 || next.stride == step;
        if fits_self && fits_next {
            self.stride = step;
            self.len += next.len;
            true
        } else {
            false
        }
    }

    /// `self` minus `removed`, when `removed` is a contiguous part of `self`'s progression
    /// with at most `self.count` rows at each element: the pieces left (up to three).
    fn subtract(&self, removed: &Run) -> Option<Vec<Run>> {
        if removed.count > self.count || !self.contains(removed.start) {
            return None;
        }
        if removed.len > 1 && (self.stride != removed.stride || removed.last() > self.last()) {
            return None;
        }
        let mut pieces = Vec::with_capacity(3);
        let piece = |a: u64, b: u64, count: u64| {
            let len = b - a + 1;
            Run {
                start: self.start + a * self.stride,
                stride: if len == 1 { 0 } else { self.stride },
                len,
                count,
            }
        };
        let first = if self.len == 1 {
            0
        } else {
            (removed.start - self.start) / self.stride
        };
        let last = first + removed.len - 1;
        if first > 0 {
            pieces.push(piece(0, first - 1, self.count));
        }
        if removed.count < self.count {
            pieces.push(piece(first, last, self.count - removed.count));
        }
        if last + 1 < self.len {
            pieces.push(piece(last + 1, self.len - 1, self.count));
        }
        Some(pieces)
    }
}

#[derive(Clone, Debug)]
enum Body {
    /// Runs sorted by start (they may interleave).
    Leaf(Vec<Run>),
    Branch(Box<[Option<Box<Node>>; 16]>),
}

#[derive(Clone, Debug)]
struct Node {
    count: u64,
    body: Body,
}

/// The key range of the node at `level` that starts at `base`: `[base, base + 2^bits - 1]`.
fn node_last(base: u64, level: u32) -> u64 {
    let bits = 64 - level * FANOUT_BITS;
    if bits >= 64 {
        u64::MAX
    } else {
        base + ((1u64 << bits) - 1)
    }
}

fn child_bits(level: u32) -> u32 {
    64 - (level + 1) * FANOUT_BITS
}

fn child_index(key: u64, level: u32) -> usize {
    ((key >> child_bits(level)) & 0xF) as usize
}

fn child_base(base: u64, level: u32, index: usize) -> u64 {
    base + ((index as u64) << child_bits(level))
}

impl Node {
    fn leaf() -> Self {
        Self {
            count: 0,
            body: Body::Leaf(Vec::new()),
        }
    }

    fn insert(&mut self, base: u64, level: u32, run: Run) {
        self.count += run.total();
        match &mut self.body {
            Body::Leaf(runs) => {
                // Appends to the newest matching run first: live data arrives in order.
                if !runs.iter_mut().rev().any(|r| r.try_append(&run)) {
                    if let Some(same) = runs
                        .iter_mut()
                        .find(|r| r.len == 1 && run.len == 1 && r.start == run.start)
                    {
                        same.count += run.count;
                    } else {
                        let at = runs.partition_point(|r| r.start <= run.start);
                        runs.insert(at, run);
                    }
                }
                if runs.len() > LEAF_CAPACITY && level < MAX_LEVEL {
                    self.split(base, level);
                }
            }
            Body::Branch(children) => {
                insert_into_children(children, base, level, run);
            }
        }
    }

    fn split(&mut self, base: u64, level: u32) {
        let Body::Leaf(runs) = std::mem::replace(&mut self.body, Body::Leaf(Vec::new())) else {
            return;
        };
        let mut children: Box<[Option<Box<Node>>; 16]> = Box::default();
        for run in runs {
            insert_into_children(&mut children, base, level, run);
        }
        self.body = Body::Branch(children);
    }

    /// Removes `run`'s rows; returns false if they were not all there (nothing changes then
    /// for the part that was missing).
    fn remove(&mut self, base: u64, level: u32, run: Run) -> bool {
        let ok = match &mut self.body {
            Body::Leaf(runs) => remove_from_leaf(runs, run),
            Body::Branch(children) => {
                let mut ok = true;
                let (first, last) = (
                    child_index(run.start, level),
                    child_index(run.last(), level),
                );
                for (i, slot) in children.iter_mut().enumerate().take(last + 1).skip(first) {
                    let cb = child_base(base, level, i);
                    let Some(part) = run.clip(cb, node_last(cb, level + 1)) else {
                        continue;
                    };
                    match slot {
                        Some(child) => {
                            ok &= child.remove(cb, level + 1, part);
                            if child.count == 0 {
                                *slot = None;
                            }
                        }
                        None => ok = false,
                    }
                }
                ok
            }
        };
        self.count = self.recount();
        if let Body::Leaf(runs) = &self.body {
            if runs.len() > LEAF_CAPACITY && level < MAX_LEVEL {
                self.split(base, level);
            }
        }
        ok
    }

    fn recount(&self) -> u64 {
        match &self.body {
            Body::Leaf(runs) => runs.iter().map(Run::total).sum(),
            Body::Branch(children) => children.iter().flatten().map(|c| c.count).sum(),
        }
    }

    fn min_key(&self) -> Option<u64> {
        match &self.body {
            Body::Leaf(runs) => runs.iter().map(|r| r.start).min(),
            Body::Branch(children) => children.iter().flatten().find_map(|c| c.min_key()),
        }
    }

    fn max_key(&self) -> Option<u64> {
        match &self.body {
            Body::Leaf(runs) => runs.iter().map(Run::last).max(),
            Body::Branch(children) => children.iter().rev().flatten().find_map(|c| c.max_key()),
        }
    }

    fn count_range(&self, base: u64, level: u32, lo: u64, hi: u64) -> u64 {
        let last = node_last(base, level);
        if hi < base || lo > last {
            return 0;
        }
        if lo <= base && last <= hi {
            return self.count;
        }
        match &self.body {
            Body::Leaf(runs) => runs
                .iter()
                .filter_map(|r| r.index_range(lo, hi).map(|(a, b)| (b - a + 1) * r.count))
                .sum(),
            Body::Branch(children) => children
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    c.as_ref()
                        .map(|c| c.count_range(child_base(base, level, i), level + 1, lo, hi))
                })
                .sum(),
        }
    }

    fn bucket_counts(&self, base: u64, level: u32, buckets: &Buckets, out: &mut [u64]) {
        let last = node_last(base, level);
        if last < buckets.lo || base > buckets.hi {
            return;
        }
        let (a, b) = (
            buckets.index(base.max(buckets.lo)),
            buckets.index(last.min(buckets.hi)),
        );
        let inside = buckets.lo <= base && last <= buckets.hi;
        if a == b && inside {
            out[a] += self.count;
            return;
        }
        match &self.body {
            Body::Leaf(runs) => {
                for run in runs {
                    let Some(run) = run.clip(buckets.lo, buckets.hi) else {
                        continue;
                    };
                    let (first, last) = (buckets.index(run.start), buckets.index(run.last()));
                    for (i, slot) in out.iter_mut().enumerate().take(last + 1).skip(first) {
                        let (blo, bhi) = buckets.bounds(i);
                        if let Some((x, y)) = run.index_range(blo, bhi) {
                            *slot += (y - x + 1) * run.count;
                        }
                    }
                }
            }
            Body::Branch(children) => {
                for (i, c) in children.iter().enumerate() {
                    if let Some(c) = c {
                        c.bucket_counts(child_base(base, level, i), level + 1, buckets, out);
                    }
                }
            }
        }
    }
}

fn insert_into_children(children: &mut [Option<Box<Node>>; 16], base: u64, level: u32, run: Run) {
    let (first, last) = (
        child_index(run.start, level),
        child_index(run.last(), level),
    );
    for (i, slot) in children.iter_mut().enumerate().take(last + 1).skip(first) {
        let cb = child_base(base, level, i);
        if let Some(part) = run.clip(cb, node_last(cb, level + 1)) {
            slot.get_or_insert_with(|| Box::new(Node::leaf()))
                .insert(cb, level + 1, part);
        }
    }
}

fn remove_from_leaf(runs: &mut Vec<Run>, removed: Run) -> bool {
    // Whole run or a contiguous part of one: the common case (a chunk removed as inserted).
    for i in 0..runs.len() {
        if let Some(pieces) = runs[i].subtract(&removed) {
            runs.splice(i..=i, pieces);
            runs.sort_by_key(|r| r.start);
            return true;
        }
    }
    // Otherwise element by element.
    let mut ok = true;
    // A time's rows may be spread over several runs.
    for j in 0..removed.len {
        let key = removed.start + j * removed.stride;
        let mut remaining = removed.count;
        while remaining > 0 {
            let Some(i) = runs.iter().position(|r| r.contains(key)) else {
                ok = false;
                break;
            };
            let take = remaining.min(runs[i].count);
            if let Some(pieces) = runs[i].subtract(&Run::single(key, take)) {
                runs.splice(i..=i, pieces);
            }
            remaining -= take;
        }
    }
    runs.sort_by_key(|r| r.start);
    ok
}

/// `n` equal buckets over the keys `[lo, hi]`.
struct Buckets {
    lo: u64,
    hi: u64,
    n: usize,
    width: f64,
}

impl Buckets {
    /// The times `[lo, hi]` (with `lo <= hi`) cut into `n > 0` equal buckets.
    fn new(lo: i64, hi: i64, n: usize) -> Self {
        let (lo, hi) = (key_of(lo), key_of(hi));
        Self {
            lo,
            hi,
            n,
            width: ((hi - lo) as f64 + 1.0) / n as f64,
        }
    }

    /// The last bucket whose first key is at most `key` (empty buckets are skipped).
    fn index(&self, key: u64) -> usize {
        let guess = ((key - self.lo) as f64 / self.width) as usize;
        // Float rounding may be off by one either way; the bounds decide.
        let mut i = guess.min(self.n - 1);
        while i > 0 && self.start(i) > key {
            i -= 1;
        }
        while i + 1 < self.n && self.start(i + 1) <= key {
            i += 1;
        }
        i
    }

    /// The first key of bucket `i`: `lo + ceil(i * width)`.
    fn start(&self, i: usize) -> u64 {
        if i == 0 {
            self.lo
        } else {
            self.lo
                .saturating_add((i as f64 * self.width).ceil() as u64)
        }
    }

    /// The keys of bucket `i` (empty when the second is below the first).
    fn bounds(&self, i: usize) -> (u64, u64) {
        let end = if i + 1 >= self.n {
            self.hi
        } else {
            self.start(i + 1).wrapping_sub(1)
        };
        (self.start(i), end)
    }
}

/// Row counts over the times of one timeline.
#[derive(Clone, Debug)]
pub struct TimeHistogram {
    root: Node,
    /// Times are rounded down to a multiple of `2^resolution_bits`.
    resolution_bits: u32,
}

impl Default for TimeHistogram {
    fn default() -> Self {
        Self::new(0)
    }
}

impl TimeHistogram {
    /// An empty histogram that rounds times down to multiples of `2^resolution_bits`
    /// (0: exact).
    pub fn new(resolution_bits: u32) -> Self {
        Self {
            root: Node::leaf(),
            resolution_bits: resolution_bits.min(62),
        }
    }

    fn quantize(&self, t: i64) -> u64 {
        let k = key_of(t);
        if self.resolution_bits == 0 {
            k
        } else {
            // Round in time space (toward minus infinity), which is key space too.
            k & !((1u64 << self.resolution_bits) - 1)
        }
    }

    /// Rows counted.
    pub fn total(&self) -> u64 {
        self.root.count
    }

    /// Whether no rows are counted.
    pub fn is_empty(&self) -> bool {
        self.root.count == 0
    }

    /// Adds one row at `t`.
    pub fn add(&mut self, t: i64) {
        self.add_runs(&[t]);
    }

    /// Adds one row per value of `times` (any order).
    pub fn add_runs(&mut self, times: &[i64]) {
        for run in self.runs_of(times) {
            self.root.insert(0, 0, run);
        }
    }

    /// Removes one row per value of `times`; false if some were not counted.
    pub fn remove_runs(&mut self, times: &[i64]) -> bool {
        let mut ok = true;
        for run in self.runs_of(times) {
            ok &= self.root.remove(0, 0, run);
        }
        ok
    }

    /// Groups (rounded) times into runs.
    fn runs_of(&self, times: &[i64]) -> Vec<Run> {
        let mut keys: Vec<u64> = times.iter().map(|&t| self.quantize(t)).collect();
        if !keys.is_sorted() {
            keys.sort_unstable();
        }
        let mut runs: Vec<Run> = Vec::new();
        let mut i = 0;
        while i < keys.len() {
            let key = keys[i];
            let mut j = i + 1;
            while j < keys.len() && keys[j] == key {
                j += 1;
            }
            let single = Run::single(key, (j - i) as u64);
            if !runs.last_mut().is_some_and(|r| r.try_append(&single)) {
                runs.push(single);
            }
            i = j;
        }
        runs
    }

    /// The smallest and largest (rounded) time counted.
    pub fn range(&self) -> Option<(i64, i64)> {
        Some((time_of(self.root.min_key()?), time_of(self.root.max_key()?)))
    }

    /// Rows with a (rounded) time in `[lo, hi]`.
    pub fn count_range(&self, lo: i64, hi: i64) -> u64 {
        if lo > hi {
            return 0;
        }
        self.root.count_range(0, 0, key_of(lo), key_of(hi))
    }

    /// Rows per bucket when `[lo, hi]` is cut into `n` equal buckets (bucket `i` covers
    /// `[lo + ceil(i * w), lo + ceil((i + 1) * w) - 1]` with `w = (hi - lo + 1) / n`).
    pub fn bucket_counts(&self, lo: i64, hi: i64, n: usize) -> Vec<u64> {
        let mut out = vec![0; n];
        if n == 0 || lo > hi {
            return out;
        }
        self.root
            .bucket_counts(0, 0, &Buckets::new(lo, hi, n), &mut out);
        out
    }

    /// Approximate heap bytes used (for memory accounting).
    pub fn heap_size_bytes(&self) -> usize {
        fn node_bytes(n: &Node) -> usize {
            match &n.body {
                Body::Leaf(runs) => runs.capacity() * std::mem::size_of::<Run>(),
                Body::Branch(children) => {
                    std::mem::size_of::<[Option<Box<Node>>; 16]>()
                        + children
                            .iter()
                            .flatten()
                            .map(|c| std::mem::size_of::<Node>() + node_bytes(c))
                            .sum::<usize>()
                }
            }
        }
        node_bytes(&self.root)
    }
}

impl PartialEq for TimeHistogram {
    /// Histograms are equal when they count the same rows at the same times.
    fn eq(&self, other: &Self) -> bool {
        self.total() == other.total()
            && self.range() == other.range()
            && match self.range() {
                None => true,
                Some((lo, hi)) => {
                    let n = 64;
                    self.bucket_counts(lo, hi, n) == other.bucket_counts(lo, hi, n)
                }
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn naive_buckets(times: &BTreeMap<i64, u64>, lo: i64, hi: i64, n: usize) -> Vec<u64> {
        let b = Buckets::new(lo, hi, n);
        let mut out = vec![0; n];
        for (&t, &c) in times.range(lo..=hi) {
            out[b.index(key_of(t))] += c;
        }
        out
    }

    #[test]
    fn regular_data_costs_few_runs() {
        let mut h = TimeHistogram::default();
        let frames: Vec<i64> = (0..1_000_000).collect();
        h.add_runs(&frames);
        assert_eq!(h.total(), 1_000_000);
        assert!(h.heap_size_bytes() < 1024, "{}", h.heap_size_bytes());
        assert_eq!(h.range(), Some((0, 999_999)));
        assert_eq!(h.count_range(10, 19), 10);
        let b = h.bucket_counts(0, 999_999, 10);
        assert_eq!(b, vec![100_000; 10]);
        // Live appends, one row at a time, extend the run.
        for t in 1_000_000..1_001_000 {
            h.add(t);
        }
        assert_eq!(h.total(), 1_001_000);
        assert!(h.heap_size_bytes() < 1024);
        assert!(h.remove_runs(&frames));
        assert_eq!(h.total(), 1000);
        assert_eq!(h.range(), Some((1_000_000, 1_000_999)));
    }

    #[test]
    fn negative_times_and_extremes() {
        let mut h = TimeHistogram::default();
        h.add_runs(&[i64::MIN, -5, 0, 5, i64::MAX]);
        assert_eq!(h.range(), Some((i64::MIN, i64::MAX)));
        assert_eq!(h.count_range(-5, 5), 3);
        assert_eq!(h.bucket_counts(i64::MIN, i64::MAX, 2), vec![2, 3]);
    }

    #[test]
    fn resolution_rounds_down() {
        let mut h = TimeHistogram::new(10);
        h.add_runs(&[0, 1, 1023, 1024, 5000]);
        assert_eq!(h.count_range(0, 1023), 3);
        assert_eq!(h.range(), Some((0, 4096)));
    }

    #[derive(Clone, Debug)]
    enum Op {
        Add(Vec<i64>),
        Remove(usize),
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        let times = prop_oneof![
            prop::collection::vec(-50i64..50, 1..20),
            (0i64..1000, 1i64..7, 1usize..200)
                .prop_map(|(s, d, n)| (0..n as i64).map(|i| s + i * d).collect()),
            prop::collection::vec(any::<i64>(), 1..5),
        ];
        prop::collection::vec(
            prop_oneof![
                3 => times.prop_map(Op::Add),
                1 => (0usize..100).prop_map(Op::Remove),
            ],
            1..40,
        )
    }

    proptest! {
        #[test]
        fn matches_a_naive_count(ops in ops(), n in 1usize..40, window in any::<(i64, i64)>()) {
            let mut h = TimeHistogram::default();
            let mut naive: BTreeMap<i64, u64> = BTreeMap::new();
            let mut added: Vec<Vec<i64>> = Vec::new();
            for op in ops {
                match op {
                    Op::Add(ts) => {
                        h.add_runs(&ts);
                        for &t in &ts { *naive.entry(t).or_default() += 1; }
                        added.push(ts);
                    }
                    Op::Remove(i) if !added.is_empty() => {
                        let ts = added.remove(i % added.len());
                        prop_assert!(h.remove_runs(&ts));
                        for t in ts {
                            let c = naive.get_mut(&t).expect("counted");
                            *c -= 1;
                            if *c == 0 { naive.remove(&t); }
                        }
                    }
                    Op::Remove(_) => {}
                }
                prop_assert_eq!(h.total(), naive.values().sum::<u64>());
            }
            let range = naive.keys().next().map(|a| (*a, *naive.keys().last().expect("max")));
            prop_assert_eq!(h.range(), range);
            let (lo, hi) = if window.0 <= window.1 { window } else { (window.1, window.0) };
            prop_assert_eq!(h.bucket_counts(lo, hi, n), naive_buckets(&naive, lo, hi, n));
            if let Some((a, b)) = range {
                prop_assert_eq!(h.bucket_counts(a, b, n), naive_buckets(&naive, a, b, n));
                prop_assert_eq!(h.count_range(a, b), h.total());
            }
        }
    }
}
