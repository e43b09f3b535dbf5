//! Where data comes from and how far it got: files being loaded, servers followed, the
//! embedded server. The work happens off the UI thread (see `native`); the UI only reads
//! these counters.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

/// What kind of source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A recording file being read.
    File,
    /// A `reel serve` (or another viewer) followed live.
    Connection,
    /// The viewer's own server, receiving from SDKs.
    Listener,
    /// Bytes handed over in memory.
    Bytes,
}

/// The state of a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceState {
    /// Reading or connecting.
    Running,
    /// Connected and receiving live data.
    Live,
    /// Everything was read.
    Done,
    /// It stopped with an error (after delivering what came before it).
    Failed(String),
}

/// Counters shared between a source's thread and the UI.
#[derive(Debug)]
pub struct Progress {
    /// Bytes read so far.
    pub bytes: AtomicU64,
    /// Bytes expected in all (0: unknown).
    pub total: AtomicU64,
    /// Messages decoded so far.
    pub messages: AtomicU64,
    state: Mutex<SourceState>,
}

impl Default for Progress {
    fn default() -> Self {
        Self {
            bytes: AtomicU64::new(0),
            total: AtomicU64::new(0),
            messages: AtomicU64::new(0),
            state: Mutex::new(SourceState::Running),
        }
    }
}

impl Progress {
    /// The current state.
    pub fn state(&self) -> SourceState {
        self.state.lock().clone()
    }

    /// Sets the state.
    pub fn set_state(&self, state: SourceState) {
        *self.state.lock() = state;
    }

    /// The fraction read, when the total is known.
    pub fn fraction(&self) -> Option<f32> {
        let total = self.total.load(Ordering::Relaxed);
        (total > 0).then(|| (self.bytes.load(Ordering::Relaxed) as f64 / total as f64) as f32)
    }
}

/// One source as the UI lists it.
#[derive(Clone, Debug)]
pub struct Source {
    /// A file path or an address.
    pub name: String,
    /// Its kind.
    pub kind: SourceKind,
    /// Its counters.
    pub progress: Arc<Progress>,
}

impl Source {
    /// A new running source.
    pub fn new(name: impl Into<String>, kind: SourceKind) -> Self {
        Self {
            name: name.into(),
            kind,
            progress: Arc::new(Progress::default()),
        }
    }

    /// One line for the status bar.
    pub fn status(&self) -> String {
        let p = &self.progress;
        let mb = p.bytes.load(Ordering::Relaxed) as f64 / 1e6;
        match (self.kind.clone(), p.state()) {
            (SourceKind::Listener, _) => format!("listening on {}", self.name),
            (_, SourceState::Failed(e)) => format!("{}: {e}", self.name),
            (SourceKind::Connection, SourceState::Running) => {
                format!("connecting to {}…", self.name)
            }
            (SourceKind::Connection, _) => format!("following {} ({mb:.1} MB)", self.name),
            (_, SourceState::Done) => format!("{} ({mb:.1} MB)", self.name),
            (_, _) => match p.fraction() {
                Some(f) => format!("loading {} {:.0}% ({mb:.1} MB)", self.name, f * 100.0),
                None => format!("loading {} ({mb:.1} MB)", self.name),
            },
        }
    }
}
