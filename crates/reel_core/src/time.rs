//! Timelines and points on them.
//!
//! Every row is stamped with a [`TimePoint`]: a value on each timeline the logging thread
//! had set. A row with an empty `TimePoint` is *timeless* (static): it holds for all time.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use arrow_schema::{DataType, TimeUnit};
use serde::{Deserialize, Serialize};

/// How the values of a timeline are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeType {
    /// A counter: frame numbers, ticks (`i64`).
    Sequence,
    /// An instant in nanoseconds since the Unix epoch.
    Time,
    /// A span in nanoseconds since an arbitrary origin (e.g. "seconds since start").
    Duration,
}

impl TimeType {
    /// The Arrow type of a time column of this type.
    pub fn arrow_datatype(&self) -> DataType {
        match self {
            Self::Sequence => DataType::Int64,
            Self::Time => DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
            Self::Duration => DataType::Duration(TimeUnit::Nanosecond),
        }
    }

    /// The time type stored in an Arrow column of type `datatype`, if any.
    pub fn from_arrow_datatype(datatype: &DataType) -> Option<Self> {
        match datatype {
            DataType::Int64 => Some(Self::Sequence),
            DataType::Timestamp(TimeUnit::Nanosecond, _) => Some(Self::Time),
            DataType::Duration(TimeUnit::Nanosecond) => Some(Self::Duration),
            _ => None,
        }
    }

    /// Renders a value of this type for people.
    pub fn format(&self, value: TimeInt) -> String {
        let v = value.as_i64();
        match self {
            Self::Sequence => format!("#{v}"),
            Self::Duration => format_duration_ns(v),
            Self::Time => format_timestamp_ns(v),
        }
    }
}

impl fmt::Display for TimeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sequence => "sequence",
            Self::Time => "time",
            Self::Duration => "duration",
        })
    }
}

/// Nanoseconds since the Unix epoch, now (0 on a clock set before 1970).
pub fn now_nanos() -> i64 {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    use std::time::{SystemTime, UNIX_EPOCH};
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use web_time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

fn format_duration_ns(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    format!("{sign}{}.{:09}s", abs / 1_000_000_000, abs % 1_000_000_000)
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, computed without a date library (proleptic Gregorian).
fn format_timestamp_ns(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = ns.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{nanos:09}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// The name of a timeline, e.g. `"frame"` or `"sensor_time"`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimelineName(Arc<str>);

impl TimelineName {
    /// A timeline name from any string.
    pub fn new(name: impl AsRef<str>) -> Self {
        Self(name.as_ref().into())
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TimelineName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A named timeline and how its values are read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timeline {
    name: TimelineName,
    typ: TimeType,
}

impl Timeline {
    /// The built-in wall-clock timeline stamped on every row unless turned off.
    pub const LOG_TIME: &'static str = "log_time";
    /// The built-in per-recording counter stamped on every row unless turned off.
    pub const LOG_TICK: &'static str = "log_tick";

    /// A timeline of any type.
    pub fn new(name: impl AsRef<str>, typ: TimeType) -> Self {
        Self {
            name: TimelineName::new(name),
            typ,
        }
    }

    /// A sequence timeline.
    pub fn new_sequence(name: impl AsRef<str>) -> Self {
        Self::new(name, TimeType::Sequence)
    }

    /// A timestamp timeline (nanoseconds since the Unix epoch).
    pub fn new_time(name: impl AsRef<str>) -> Self {
        Self::new(name, TimeType::Time)
    }

    /// A duration timeline (nanoseconds since any origin).
    pub fn new_duration(name: impl AsRef<str>) -> Self {
        Self::new(name, TimeType::Duration)
    }

    /// The timeline's name.
    pub fn name(&self) -> &TimelineName {
        &self.name
    }

    /// The timeline's type.
    pub fn typ(&self) -> TimeType {
        self.typ
    }
}

impl fmt::Display for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.typ)
    }
}

/// A value on a timeline: a sequence number or nanoseconds.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct TimeInt(i64);

impl TimeInt {
    /// The smallest value.
    pub const MIN: Self = Self(i64::MIN);
    /// The largest value.
    pub const MAX: Self = Self(i64::MAX);

    /// A value from a raw `i64`.
    #[inline]
    pub const fn new(v: i64) -> Self {
        Self(v)
    }

    /// Seconds as nanoseconds, saturating at the `i64` range; NaN becomes 0.
    #[inline]
    pub fn from_seconds(seconds: f64) -> Self {
        // `as` from f64 saturates and maps NaN to 0, which is what we want here.
        Self((seconds * 1e9).round() as i64)
    }

    /// The raw value.
    #[inline]
    pub const fn as_i64(&self) -> i64 {
        self.0
    }
}

impl From<i64> for TimeInt {
    fn from(v: i64) -> Self {
        Self(v)
    }
}

/// A point in time on any number of timelines. Empty means timeless (static).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TimePoint(BTreeMap<Timeline, TimeInt>);

impl TimePoint {
    /// The empty (timeless) point.
    pub fn timeless() -> Self {
        Self::default()
    }

    /// Whether the point is on no timeline.
    pub fn is_timeless(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets the value on `timeline`, replacing any earlier one.
    pub fn insert(&mut self, timeline: Timeline, value: impl Into<TimeInt>) {
        self.0.insert(timeline, value.into());
    }

    /// Sets the value on the timeline named `name` with type `typ`. Updates in place when
    /// that timeline is present (no allocation); a timeline of the same name but another
    /// type is replaced.
    pub fn set(&mut self, name: &str, typ: TimeType, value: impl Into<TimeInt>) {
        let value = value.into();
        if let Some((_, v)) = self
            .0
            .iter_mut()
            .find(|(t, _)| t.typ() == typ && t.name().as_str() == name)
        {
            *v = value;
            return;
        }
        self.0.retain(|t, _| t.name().as_str() != name);
        self.0.insert(Timeline::new(name, typ), value);
    }

    /// Removes every timeline named `name`.
    pub fn remove_name(&mut self, name: &str) {
        self.0.retain(|t, _| t.name().as_str() != name);
    }

    /// Removes `timeline` from the point.
    pub fn remove(&mut self, timeline: &Timeline) -> Option<TimeInt> {
        self.0.remove(timeline)
    }

    /// Builder form of [`Self::insert`].
    pub fn with(mut self, timeline: Timeline, value: impl Into<TimeInt>) -> Self {
        self.insert(timeline, value);
        self
    }

    /// The value on `timeline`, if set.
    pub fn get(&self, timeline: &Timeline) -> Option<TimeInt> {
        self.0.get(timeline).copied()
    }

    /// The timelines and values, ordered by timeline.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Timeline, &TimeInt)> {
        self.0.iter()
    }

    /// The timelines, ordered.
    pub fn timelines(&self) -> impl ExactSizeIterator<Item = &Timeline> {
        self.0.keys()
    }

    /// How many timelines the point is on.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Same as [`Self::is_timeless`].
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(Timeline, TimeInt)> for TimePoint {
    fn from_iter<I: IntoIterator<Item = (Timeline, TimeInt)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrow_types_round_trip() {
        for t in [TimeType::Sequence, TimeType::Time, TimeType::Duration] {
            assert_eq!(TimeType::from_arrow_datatype(&t.arrow_datatype()), Some(t));
        }
        assert_eq!(TimeType::from_arrow_datatype(&DataType::Int32), None);
    }

    #[test]
    fn formatting() {
        assert_eq!(TimeType::Sequence.format(TimeInt::new(42)), "#42");
        assert_eq!(
            TimeType::Duration.format(TimeInt::new(-1_500_000_000)),
            "-1.500000000s"
        );
        assert_eq!(
            TimeType::Time.format(TimeInt::new(0)),
            "1970-01-01T00:00:00.000000000Z"
        );
        assert_eq!(
            TimeType::Time.format(TimeInt::new(1_700_000_000_123_456_789)),
            "2023-11-14T22:13:20.123456789Z"
        );
        assert_eq!(
            TimeType::Time.format(TimeInt::new(-1)),
            "1969-12-31T23:59:59.999999999Z"
        );
    }

    #[test]
    fn seconds_convert_and_saturate() {
        assert_eq!(TimeInt::from_seconds(1.5).as_i64(), 1_500_000_000);
        assert_eq!(TimeInt::from_seconds(f64::INFINITY), TimeInt::MAX);
        assert_eq!(TimeInt::from_seconds(f64::NAN).as_i64(), 0);
    }

    #[test]
    fn timepoint_basics() {
        let frame = Timeline::new_sequence("frame");
        let mut tp = TimePoint::timeless();
        assert!(tp.is_timeless());
        tp.insert(frame.clone(), 3);
        assert_eq!(tp.get(&frame), Some(TimeInt::new(3)));
        tp.insert(frame.clone(), 4);
        assert_eq!(tp.len(), 1);
        assert_eq!(tp.remove(&frame), Some(TimeInt::new(4)));
        assert!(tp.is_timeless());

        tp.set("frame", TimeType::Sequence, 7);
        tp.set("frame", TimeType::Sequence, 8);
        assert_eq!(tp.get(&frame), Some(TimeInt::new(8)));
        // The same name with another type replaces the timeline.
        tp.set("frame", TimeType::Time, 9);
        assert_eq!(tp.len(), 1);
        assert_eq!(tp.get(&Timeline::new_time("frame")), Some(TimeInt::new(9)));
        tp.remove_name("frame");
        assert!(tp.is_timeless());
    }
}
