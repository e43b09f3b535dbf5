//! Sources that need threads and sockets: recording files read on a thread (usable while
//! they load), and servers followed live as a subscriber.

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use reel_format::net::{Hello, Welcome};
use reel_store::Store;

use crate::sources::{Progress, Source, SourceKind, SourceState};

/// Counts bytes as they are read.
struct Counting<R> {
    inner: R,
    progress: Arc<Progress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads `path` into `store` on a new thread. The recording is usable while it loads; the
/// returned source reports progress, and the error that stopped it, if any (everything
/// before the error stays loaded).
pub fn load_file(store: Arc<Store>, path: PathBuf, ctx: egui::Context) -> Source {
    let source = Source::new(path.display().to_string(), SourceKind::File);
    let progress = source.progress.clone();
    let spawned = std::thread::Builder::new()
        .name("reel-load".into())
        .spawn(move || {
            let file = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) => {
                    progress.set_state(SourceState::Failed(format!("cannot open: {e}")));
                    ctx.request_repaint();
                    return;
                }
            };
            if let Ok(meta) = file.metadata() {
                progress.total.store(meta.len(), Ordering::Relaxed);
            }
            let reader = Counting {
                inner: std::io::BufReader::with_capacity(1 << 20, file),
                progress: progress.clone(),
            };
            let report = store.load(reader);
            progress.messages.store(report.messages, Ordering::Relaxed);
            progress.set_state(match report.error {
                Some(e) => {
                    log::warn!(
                        "{}: {e} (kept the {} messages before it)",
                        path.display(),
                        report.messages
                    );
                    SourceState::Failed(e.to_string())
                }
                None => SourceState::Done,
            });
            ctx.request_repaint();
        });
    if let Err(e) = spawned {
        source
            .progress
            .set_state(SourceState::Failed(format!("cannot start a thread: {e}")));
    }
    source
}

/// Follows the server at `addr`: everything it holds, then new data as it arrives. Tries
/// again every second while the server cannot be reached.
pub fn connect(store: Arc<Store>, addr: SocketAddr, ctx: egui::Context) -> Source {
    let source = Source::new(addr.to_string(), SourceKind::Connection);
    let progress = source.progress.clone();
    let spawned = std::thread::Builder::new()
        .name("reel-connect".into())
        .spawn(move || loop {
            match follow(&store, addr, &progress, &ctx) {
                Ok(()) => {
                    progress.set_state(SourceState::Done);
                    ctx.request_repaint();
                    return;
                }
                Err(e) => {
                    progress.set_state(SourceState::Failed(e));
                    ctx.request_repaint();
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        });
    if let Err(e) = spawned {
        source
            .progress
            .set_state(SourceState::Failed(format!("cannot start a thread: {e}")));
    }
    source
}

/// One connection: handshake as a subscriber, then apply every message until the server
/// closes the stream.
fn follow(
    store: &Arc<Store>,
    addr: SocketAddr,
    progress: &Arc<Progress>,
    ctx: &egui::Context,
) -> Result<(), String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(3))
        .map_err(|e| format!("cannot connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    Hello::subscriber()
        .write(&mut stream)
        .map_err(|e| format!("handshake: {e}"))?;
    Welcome::read(&mut stream)
        .and_then(|w| w.check())
        .map_err(|e| format!("handshake: {e}"))?;
    // Live streams may be quiet for a long time.
    stream.set_read_timeout(None).map_err(|e| e.to_string())?;
    progress.set_state(SourceState::Live);
    ctx.request_repaint();
    let reader = Counting {
        inner: std::io::BufReader::with_capacity(1 << 20, stream),
        progress: progress.clone(),
    };
    // Decoding and inserting run on two threads: when the inserter waits for the UI's
    // read lock, messages queue up and go in as one batch, so a busy UI slows ingest per
    // batch, not per message, and a quiet stream adds no latency.
    let (tx, rx) = crossbeam_channel::bounded::<reel_core::LogMsg>(4096);
    let inserter = std::thread::Builder::new()
        .name("reel-insert".into())
        .spawn({
            let store = store.clone();
            move || {
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    batch.extend(rx.try_iter().take(1023));
                    store.apply_all(&batch);
                }
            }
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    let mut decoder = reel_format::Decoder::new(reader);
    let mut result = Ok(());
    while let Some(item) = decoder.next_message() {
        match item {
            Ok(decoded) => {
                if tx.send(decoded.msg).is_err() {
                    break;
                }
                progress.messages.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                result = Err(format!("stream broke: {e}"));
                break;
            }
        }
    }
    drop(tx);
    let _ = inserter.join();
    result
}
