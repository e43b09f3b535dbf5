//! The time cursor of one recording: which timeline, where on it, playing or not, and the
//! visible window of the time panel. Plain state, advanced once per frame.

use reel_core::{TimeInt, TimeType, Timeline};
use reel_store::ChunkStore;

/// Playback speeds offered in the time panel.
pub const SPEEDS: [f64; 7] = [0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0];

/// The time state of one recording.
#[derive(Clone, Debug)]
pub struct TimeControl {
    /// The selected timeline (`None` until the recording has temporal data).
    pub timeline: Option<Timeline>,
    /// Where the cursor is; `None` means "at the newest time".
    pub time: Option<TimeInt>,
    /// Playing advances the cursor with wall-clock time.
    pub playing: bool,
    /// Wrap to the start at the end instead of stopping.
    pub looping: bool,
    /// Playback speed, a factor of real time (sequence timelines: frames per second / 10).
    pub speed: f64,
    /// Keep the cursor at the newest time as data arrives.
    pub following: bool,
    /// The visible window of the time axis, `None` = the whole data range.
    pub view: Option<(f64, f64)>,
    /// Sub-step remainder of playback on sequence timelines.
    carry: f64,
}

impl Default for TimeControl {
    fn default() -> Self {
        Self {
            timeline: None,
            time: None,
            playing: false,
            looping: false,
            speed: 1.0,
            following: true,
            view: None,
            carry: 0.0,
        }
    }
}

/// Frames per second when playing a sequence timeline at speed 1.
pub const SEQUENCE_FPS: f64 = 10.0;

impl TimeControl {
    /// Picks a timeline when none is chosen (or the chosen one vanished): the first
    /// user timeline in name order, else `log_time`, else anything.
    pub fn ensure_timeline(&mut self, store: &ChunkStore) {
        let timelines: Vec<&Timeline> = store.timelines().keys().collect();
        if self
            .timeline
            .as_ref()
            .is_some_and(|t| timelines.contains(&t))
        {
            return;
        }
        let builtin = |t: &&&Timeline| matches!(t.name().as_str(), "log_time" | "log_tick");
        self.timeline = timelines
            .iter()
            .find(|t| !builtin(t))
            .or_else(|| timelines.iter().find(|t| t.name().as_str() == "log_time"))
            .or_else(|| timelines.first())
            .map(|t| (*t).clone());
        self.time = None;
        self.view = None;
    }

    /// The data range of the selected timeline, its end widened to the end of the last
    /// histogram bucket so a latest-at query there sees the newest row.
    pub fn range(&self, store: &ChunkStore) -> Option<(i64, i64)> {
        let timeline = self.timeline.as_ref()?;
        let (lo, hi) = store.entity_tree().root().subtree.time_range(timeline)?;
        Some((lo, hi.saturating_add(resolution(timeline) - 1)))
    }

    /// The cursor resolved against the data: following or unset means the newest time.
    pub fn current(&self, store: &ChunkStore) -> TimeInt {
        let newest = self
            .range(store)
            .map_or(TimeInt::MAX, |(_, hi)| TimeInt::new(hi));
        match self.time {
            Some(t) if !self.following => t,
            _ => newest,
        }
    }

    /// Moves the cursor to `t` (clamped to the data) and stops following.
    pub fn set_time(&mut self, store: &ChunkStore, t: TimeInt) {
        let t = match self.range(store) {
            Some((lo, hi)) => TimeInt::new(t.as_i64().clamp(lo, hi)),
            None => t,
        };
        self.time = Some(t);
        self.following = false;
    }

    /// Starts or stops playback; starting at the end rewinds first.
    pub fn toggle_play(&mut self, store: &ChunkStore) {
        if self.playing {
            self.playing = false;
            return;
        }
        let Some((lo, hi)) = self.range(store) else {
            return;
        };
        if self.current(store).as_i64() >= hi {
            self.time = Some(TimeInt::new(lo));
        } else {
            self.time = Some(self.current(store));
        }
        self.following = false;
        self.playing = true;
    }

    /// Starts following the newest data.
    pub fn follow(&mut self) {
        self.following = true;
        self.playing = false;
        self.time = None;
    }

    /// One step: to the next (or previous) time with data on the selected timeline.
    pub fn step(&mut self, store: &ChunkStore, forward: bool) {
        let Some(timeline) = self.timeline.clone() else {
            return;
        };
        let now = self.current(store).as_i64();
        let next = if forward {
            next_time_with_data(store, &timeline, now)
        } else {
            previous_time_with_data(store, &timeline, now)
        };
        if let Some(t) = next {
            self.set_time(store, TimeInt::new(t));
        }
        self.playing = false;
    }

    /// Jumps to the start (`end == false`) or the end of the data.
    pub fn jump(&mut self, store: &ChunkStore, end: bool) {
        if let Some((lo, hi)) = self.range(store) {
            self.set_time(store, TimeInt::new(if end { hi } else { lo }));
        }
        self.playing = false;
    }

    /// Advances playback by `dt` seconds of wall-clock time. Returns whether the cursor
    /// moved (the caller then asks for another frame).
    pub fn advance(&mut self, store: &ChunkStore, dt: f64) -> bool {
        if !self.playing {
            return false;
        }
        let (Some(timeline), Some((lo, hi))) = (self.timeline.clone(), self.range(store)) else {
            return false;
        };
        let now = self.current(store).as_i64();
        let delta = match timeline.typ() {
            TimeType::Sequence => {
                self.carry += dt * self.speed * SEQUENCE_FPS;
                let whole = self.carry.floor();
                self.carry -= whole;
                whole as i64
            }
            TimeType::Time | TimeType::Duration => (dt * self.speed * 1e9).round() as i64,
        };
        let mut next = now.saturating_add(delta);
        if next > hi {
            if self.looping {
                next = lo;
            } else {
                next = hi;
                self.playing = false;
            }
        }
        self.time = Some(TimeInt::new(next));
        self.following = false;
        true
    }

    /// The visible window of the time axis: the chosen one, else the data range padded so
    /// a single time still has some width.
    pub fn visible(&self, store: &ChunkStore) -> Option<(f64, f64)> {
        if let Some(v) = self.view {
            return Some(v);
        }
        let (lo, hi) = self.range(store)?;
        let (lo, hi) = (lo as f64, hi as f64);
        let pad = ((hi - lo) * 0.02).max(1.0);
        Some((lo - pad, hi + pad))
    }

    /// Zooms the visible window by `factor` (< 1 zooms in) around `center`.
    pub fn zoom(&mut self, store: &ChunkStore, factor: f64, center: f64) {
        if let Some((lo, hi)) = self.visible(store) {
            let lo = center - (center - lo) * factor;
            let hi = center + (hi - center) * factor;
            if hi - lo >= 1e-3 {
                self.view = Some((lo, hi));
            }
        }
    }

    /// Pans the visible window by `delta` time units.
    pub fn pan(&mut self, store: &ChunkStore, delta: f64) {
        if let Some((lo, hi)) = self.visible(store) {
            self.view = Some((lo + delta, hi + delta));
        }
    }
}

/// The width of one histogram bucket of `timeline`: rows of a time or duration timeline
/// are counted at about millisecond resolution, sequences exactly.
pub fn resolution(timeline: &Timeline) -> i64 {
    match timeline.typ() {
        TimeType::Sequence => 1,
        TimeType::Time | TimeType::Duration => 1 << reel_store::entity_tree::NANOS_RESOLUTION_BITS,
    }
}

/// A time at the end of the first bucket with data after the bucket of `t`, if any: a
/// latest-at query there sees every row of that bucket.
pub fn next_time_with_data(store: &ChunkStore, timeline: &Timeline, t: i64) -> Option<i64> {
    let histogram = store.entity_tree().root().subtree.timelines.get(timeline)?;
    let res = resolution(timeline);
    let (_, hi) = histogram.range()?;
    let from = (t & !(res - 1)).checked_add(res)?;
    if from > hi {
        return None;
    }
    // Bisect on row counts: the first bucket at or after `from` holding a row.
    let (mut lo_t, mut hi_t) = (from, hi);
    while lo_t < hi_t {
        let mid = lo_t + (hi_t - lo_t) / 2;
        if histogram.count_range(from, mid) > 0 {
            hi_t = mid;
        } else {
            lo_t = mid + 1;
        }
    }
    Some(lo_t.saturating_add(res - 1))
}

/// A time at the end of the last bucket with data before the bucket of `t`, if any.
pub fn previous_time_with_data(store: &ChunkStore, timeline: &Timeline, t: i64) -> Option<i64> {
    let histogram = store.entity_tree().root().subtree.timelines.get(timeline)?;
    let res = resolution(timeline);
    let (lo, _) = histogram.range()?;
    let until = (t & !(res - 1)).checked_sub(1)?;
    if until < lo {
        return None;
    }
    let (mut lo_t, mut hi_t) = (lo, until);
    while lo_t < hi_t {
        let mid = lo_t + (hi_t - lo_t + 1) / 2;
        if histogram.count_range(mid, until) > 0 {
            lo_t = mid;
        } else {
            hi_t = mid - 1;
        }
    }
    Some(lo_t.saturating_add(res - 1))
}

/// Formats `t` on `timeline` for people.
pub fn format_time(timeline: &Timeline, t: TimeInt) -> String {
    timeline.typ().format(t)
}
