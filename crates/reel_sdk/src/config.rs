//! Configuration from code and from the environment.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `REEL` | `on`/`1`/`true` or `off`/`0`/`false`: logging enabled | the recording's `default_enabled` |
//! | `REEL_FLUSH_TICK_SECS` | batcher flush period, seconds (both live and storing sinks) | `0.05` live, `0.2` files and memory |
//! | `REEL_FLUSH_NUM_BYTES` | flush when this many bytes are pending (`1048576`, `10MB`, `1MiB`) | 1 MiB |
//! | `REEL_FLUSH_NUM_ROWS` | flush when this many rows are pending | `u64::MAX` |
//! | `REEL_RECORDING_ID` | default recording id, so child processes share one recording | a random UUIDv4 |
//! | `REEL_STRICT` | `on`/`off`: default for strict mode | off |
//! | `REEL_BLOCK_TIMEOUT_SECS` | the longest a log call waits for room under the memory bound (policy `Block`) before its row is dropped | `2` |
//!
//! A value that does not parse gives one warning and the default.

use std::time::Duration;

use crate::warn::warn_once;

/// Environment variable that turns logging on or off.
pub const ENV_REEL: &str = "REEL";
/// Environment variable for the batcher's flush period in seconds.
pub const ENV_FLUSH_TICK_SECS: &str = "REEL_FLUSH_TICK_SECS";
/// Environment variable for the batcher's byte threshold.
pub const ENV_FLUSH_NUM_BYTES: &str = "REEL_FLUSH_NUM_BYTES";
/// Environment variable for the batcher's row threshold.
pub const ENV_FLUSH_NUM_ROWS: &str = "REEL_FLUSH_NUM_ROWS";
/// Environment variable for the longest a log call waits for room (policy `Block`).
pub const ENV_BLOCK_TIMEOUT_SECS: &str = "REEL_BLOCK_TIMEOUT_SECS";
/// Environment variable for the default recording id.
pub const ENV_RECORDING_ID: &str = "REEL_RECORDING_ID";
/// Environment variable for the default strict mode.
pub const ENV_STRICT: &str = "REEL_STRICT";

/// What a log call does when the memory bound on data in flight is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OverflowPolicy {
    /// Wait for room while the sink is up and draining (real backpressure), at most
    /// [`BatcherConfig::block_timeout`]; when the sink is down or stalls, drop the new row
    /// like [`Self::DropNewest`]. A log call never blocks without bound.
    #[default]
    Block,
    /// Drop the new row at once, count it, and report the drops.
    DropNewest,
}

/// When the batcher turns pending rows into chunks, and how much may wait.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatcherConfig {
    /// Flush at least this often when the sink shows data live (a server, a viewer).
    pub flush_tick: Duration,
    /// Flush at least this often when the sink stores data (a file, memory, stdout):
    /// nobody waits for it, and fewer, larger chunks make smaller files that load faster.
    pub storage_flush_tick: Duration,
    /// Flush when this many bytes are pending.
    pub flush_num_bytes: u64,
    /// Flush when this many rows are pending.
    pub flush_num_rows: u64,
    /// The bound on bytes logged but not yet delivered to a sink.
    pub max_bytes_in_flight: u64,
    /// What to do when that bound is reached.
    pub overflow: OverflowPolicy,
    /// The longest one log call waits for room under [`OverflowPolicy::Block`].
    pub block_timeout: Duration,
}

impl BatcherConfig {
    /// The default flush period for live sinks: 50 ms.
    pub const DEFAULT_FLUSH_TICK: Duration = Duration::from_millis(50);
    /// The default flush period for storing sinks: 200 ms.
    pub const DEFAULT_STORAGE_FLUSH_TICK: Duration = Duration::from_millis(200);
    /// The default byte threshold: 1 MiB.
    pub const DEFAULT_FLUSH_NUM_BYTES: u64 = 1024 * 1024;
    /// The default row threshold: none.
    pub const DEFAULT_FLUSH_NUM_ROWS: u64 = u64::MAX;
    /// The default longest wait for room: 2 s (as long as a flush waits for a server).
    pub const DEFAULT_BLOCK_TIMEOUT: Duration = Duration::from_secs(2);
    /// The default bound on data in flight: 512 MiB.
    pub const DEFAULT_MAX_BYTES_IN_FLIGHT: u64 = 512 * 1024 * 1024;

    /// The defaults, overridden by `REEL_FLUSH_*` and `REEL_BLOCK_TIMEOUT_SECS`.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Like [`Self::from_env`] with variables from `lookup` (for tests and embedders).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut config = Self::default();
        if let Some(v) = lookup(ENV_FLUSH_TICK_SECS) {
            match v.trim().parse::<f64>() {
                Ok(secs) if secs.is_finite() && secs >= 0.0 => {
                    config.flush_tick = Duration::from_secs_f64(secs);
                    config.storage_flush_tick = config.flush_tick;
                }
                _ => bad_value(ENV_FLUSH_TICK_SECS, &v, "a number of seconds, e.g. 0.05"),
            }
        }
        if let Some(v) = lookup(ENV_FLUSH_NUM_BYTES) {
            match parse_bytes(&v) {
                Ok(n) => config.flush_num_bytes = n,
                Err(_) => bad_value(
                    ENV_FLUSH_NUM_BYTES,
                    &v,
                    "a size, e.g. 1048576, 10MB or 1MiB",
                ),
            }
        }
        if let Some(v) = lookup(ENV_BLOCK_TIMEOUT_SECS) {
            match v.trim().parse::<f64>() {
                Ok(secs) if secs.is_finite() && secs >= 0.0 => {
                    config.block_timeout = Duration::from_secs_f64(secs);
                }
                _ => bad_value(ENV_BLOCK_TIMEOUT_SECS, &v, "a number of seconds, e.g. 2"),
            }
        }
        if let Some(v) = lookup(ENV_FLUSH_NUM_ROWS) {
            match v.trim().parse::<u64>() {
                Ok(n) => config.flush_num_rows = n,
                Err(_) => bad_value(ENV_FLUSH_NUM_ROWS, &v, "a whole number of rows"),
            }
        }
        config
    }

    /// Flushes every row at once: handy for tests and debugging.
    pub fn always() -> Self {
        Self {
            flush_tick: Duration::ZERO,
            storage_flush_tick: Duration::ZERO,
            flush_num_bytes: 0,
            flush_num_rows: 0,
            ..Self::default()
        }
    }

    /// Never flushes on its own; only explicit flushes and shutdown deliver rows.
    pub fn never() -> Self {
        Self {
            flush_tick: Duration::MAX,
            storage_flush_tick: Duration::MAX,
            flush_num_bytes: u64::MAX,
            flush_num_rows: u64::MAX,
            ..Self::default()
        }
    }
}

impl Default for BatcherConfig {
    fn default() -> Self {
        Self {
            flush_tick: Self::DEFAULT_FLUSH_TICK,
            storage_flush_tick: Self::DEFAULT_STORAGE_FLUSH_TICK,
            flush_num_bytes: Self::DEFAULT_FLUSH_NUM_BYTES,
            flush_num_rows: Self::DEFAULT_FLUSH_NUM_ROWS,
            max_bytes_in_flight: Self::DEFAULT_MAX_BYTES_IN_FLIGHT,
            overflow: OverflowPolicy::Block,
            block_timeout: Self::DEFAULT_BLOCK_TIMEOUT,
        }
    }
}

fn bad_value(var: &str, value: &str, expected: &str) {
    warn_once(
        var,
        format!("ignoring {var}={value:?}: expected {expected}; using the default"),
    );
}

/// Parses a byte size: a whole number of bytes, or a number with a unit: `B`, `kB`/`KB`,
/// `MB`, `GB`, `TB` (powers of 1000) or `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024).
/// Units are case-insensitive; spaces between number and unit are allowed.
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = (&s[..split], s[split..].trim());
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => return Err(format!("unknown unit {unit:?} in {s:?}")),
    };
    if let Ok(whole) = number.parse::<u64>() {
        return whole
            .checked_mul(multiplier)
            .ok_or_else(|| format!("{s:?} is too large"));
    }
    let value: f64 = number.parse().map_err(|_| format!("{s:?} is not a size"))?;
    let bytes = value * multiplier as f64;
    if bytes.is_finite() && bytes >= 0.0 && bytes < u64::MAX as f64 {
        Ok(bytes.round() as u64)
    } else {
        Err(format!("{s:?} is out of range"))
    }
}

/// Parses an on/off value: `on`, `1`, `true`, `yes` or `off`, `0`, `false`, `no`.
pub fn parse_on_off(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "on" | "1" | "true" | "yes" => Some(true),
        "off" | "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

/// Whether logging is enabled: `REEL` if set to an on/off value, else `default_enabled`.
pub fn enabled_from_env(default_enabled: bool) -> bool {
    enabled_from(std::env::var(ENV_REEL).ok().as_deref(), default_enabled)
}

/// [`enabled_from_env`] with the variable's value given.
pub fn enabled_from(value: Option<&str>, default_enabled: bool) -> bool {
    match value {
        None => default_enabled,
        Some(v) => parse_on_off(v).unwrap_or_else(|| {
            warn_once(
                ENV_REEL,
                format!("ignoring {ENV_REEL}={v:?}: expected on/1/true or off/0/false"),
            );
            default_enabled
        }),
    }
}

/// The default strict mode from `REEL_STRICT` (off when unset or unparsable).
pub fn strict_from_env() -> bool {
    match std::env::var(ENV_STRICT) {
        Ok(v) => parse_on_off(&v).unwrap_or_else(|| {
            warn_once(
                ENV_STRICT,
                format!("ignoring {ENV_STRICT}={v:?}: expected on or off"),
            );
            false
        }),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_bytes("1048576"), Ok(1_048_576));
        assert_eq!(parse_bytes("10MB"), Ok(10_000_000));
        assert_eq!(parse_bytes("1MiB"), Ok(1 << 20));
        assert_eq!(parse_bytes(" 2 gib "), Ok(2 << 30));
        assert_eq!(parse_bytes("1.5KiB"), Ok(1536));
        assert_eq!(parse_bytes("0"), Ok(0));
        assert!(parse_bytes("ten").is_err());
        assert!(parse_bytes("10 parsecs").is_err());
        assert!(parse_bytes("-1").is_err());
        assert!(parse_bytes("99999999999999999999TB").is_err());
    }

    #[test]
    fn env_overrides_and_bad_values_fall_back() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let c = BatcherConfig::from_lookup(env(&[
            (ENV_FLUSH_TICK_SECS, "0.25"),
            (ENV_FLUSH_NUM_BYTES, "10MB"),
            (ENV_FLUSH_NUM_ROWS, "42"),
        ]));
        assert_eq!(c.flush_tick, Duration::from_millis(250));
        assert_eq!(c.storage_flush_tick, Duration::from_millis(250));
        assert_eq!(c.flush_num_bytes, 10_000_000);
        assert_eq!(c.flush_num_rows, 42);

        let bad = BatcherConfig::from_lookup(env(&[
            (ENV_FLUSH_TICK_SECS, "soon"),
            (ENV_FLUSH_NUM_BYTES, "lots"),
            (ENV_FLUSH_NUM_ROWS, "-3"),
        ]));
        assert_eq!(bad, BatcherConfig::default());
        assert_eq!(BatcherConfig::default().flush_num_rows, u64::MAX);
        assert_eq!(BatcherConfig::default().flush_num_bytes, 1_048_576);
        assert_eq!(
            BatcherConfig::default().flush_tick,
            Duration::from_millis(50)
        );
    }

    #[test]
    fn on_off_values() {
        for v in ["on", "1", "TRUE", "yes"] {
            assert!(enabled_from(Some(v), false), "{v}");
        }
        for v in ["off", "0", "False", "no"] {
            assert!(!enabled_from(Some(v), true), "{v}");
        }
        assert!(enabled_from(Some("maybe"), true));
        assert!(!enabled_from(Some("maybe"), false));
        assert!(enabled_from(None, true));
    }
}
