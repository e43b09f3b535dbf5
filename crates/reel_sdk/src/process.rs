//! Process-level hooks: flushing every live recording when the process exits normally, and
//! noticing a `fork()` so that a child never flushes (or waits on) its parent's recordings.
//!
//! This is the only module allowed `unsafe`: registering C callbacks with `atexit` and
//! `pthread_atfork` has no safe interface.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();

/// How many times this process's lineage has forked since start-up: a recording made in
/// generation `g` is inert in every later generation (its batcher thread did not survive
/// the fork).
#[inline]
pub fn fork_generation() -> u64 {
    FORK_GENERATION.load(Ordering::Relaxed)
}

/// Marks this process as a freshly forked child. `fork()` does this by itself through
/// `pthread_atfork`; embedders whose runtime forks by other means may call it.
pub fn notify_forked_child() {
    FORK_GENERATION.fetch_add(1, Ordering::SeqCst);
}

extern "C" fn on_fork_child() {
    notify_forked_child();
}

extern "C" fn on_exit() {
    // Unwinding out of an `extern "C"` function aborts; contain any panic here.
    let _ = std::panic::catch_unwind(crate::recording_stream::shutdown_all_at_exit);
}

/// Installs the hooks once per process.
pub(crate) fn install_hooks() {
    INSTALL.call_once(|| {
        // SAFETY: both callbacks are `extern "C" fn()` with static lifetime that never
        // unwind; registering them has no other precondition.
        unsafe {
            libc::pthread_atfork(None, None, Some(on_fork_child));
            libc::atexit(on_exit);
        }
    });
}
