//! How reel reports problems that are not errors: through the `log` crate when the program
//! has a logger, on stderr otherwise, so a warning is never silently lost.

use std::collections::HashSet;
use std::fmt::Display;

use parking_lot::Mutex;

/// The `log` target of reel's own messages; the log bridge skips it to avoid feedback.
pub const LOG_TARGET: &str = "reel";

static STDERR_DIAGNOSTICS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Whether reel prints its own warnings to stderr when the program has no logger (default
/// on; the Python package's `init(init_logging=False)` turns it off).
pub fn set_stderr_diagnostics(enabled: bool) {
    STDERR_DIAGNOSTICS.store(enabled, std::sync::atomic::Ordering::Relaxed);
}

/// Emits one warning.
pub fn warn(msg: impl Display) {
    if log::max_level() >= log::LevelFilter::Warn {
        log::warn!(target: LOG_TARGET, "{msg}");
    } else if STDERR_DIAGNOSTICS.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!("[reel] warning: {msg}");
    }
}

/// Emits a warning only the first time `key` is seen in this process.
pub fn warn_once(key: &str, msg: impl Display) {
    static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let first = SEEN
        .lock()
        .get_or_insert_with(HashSet::new)
        .insert(key.to_owned());
    if first {
        warn(msg);
    }
}
