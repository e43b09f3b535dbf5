//! The reel server: receives reel streams from many SDK clients over TCP, keeps their
//! recordings (merging processes that share a recording id), acknowledges what it stored,
//! optionally saves each recording to a file, and bounds its memory. The `reel serve`
//! command is a thin wrapper; a viewer embeds this library.
//!
//! - [`store`]: the recordings, deduplication, files and the memory limit.
//! - [`Server`]: the listener and one thread per client.
//!
//! Bad peers (garbage, a wrong version, an oversized length, a stall mid-frame) get their
//! connection closed with a logged reason; everyone else is served on.

pub mod store;

use std::io::{BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use reel_format::net::{write_ack, Hello, Welcome, DEFAULT_PORT};
use reel_format::{Decoder, DecoderOptions};

pub use store::{Inserted, RecordingSummary, Store, StoreError};

/// How a server listens and keeps data.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The address to bind (default loopback only).
    pub bind: IpAddr,
    /// The port (0 picks a free one).
    pub port: u16,
    /// Write each recording to a file in this directory (and reload them on start).
    pub save_dir: Option<PathBuf>,
    /// Drop the oldest data of the largest recording beyond this many bytes.
    pub memory_limit: Option<u64>,
    /// The largest message accepted from a client.
    pub max_message_bytes: u64,
    /// Close a connection that sends nothing for this long (a stall mid-frame).
    pub idle_timeout: Duration,
    /// How often to report throughput (none: never).
    pub report_interval: Option<Duration>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            save_dir: None,
            memory_limit: None,
            max_message_bytes: 2 << 30,
            idle_timeout: Duration::from_secs(300),
            report_interval: None,
        }
    }
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Binding the address failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The save directory could not be used.
    #[error("cannot use save directory {dir}: {source}")]
    SaveDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Throughput counters.
#[derive(Debug, Default)]
pub struct Stats {
    /// Messages received (duplicates included).
    pub messages: AtomicU64,
    /// Frame bytes received.
    pub bytes: AtomicU64,
    /// Clients connected so far.
    pub clients: AtomicU64,
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    config: ServerConfig,
    store: Arc<Store>,
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
}

/// A server running on its own thread.
pub struct ServerHandle {
    addr: SocketAddr,
    store: Arc<Store>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds the address and opens the store (loading saved recordings).
    pub fn bind(config: ServerConfig) -> Result<Self, ServerError> {
        let addr = SocketAddr::new(config.bind, config.port);
        let listener =
            TcpListener::bind(addr).map_err(|source| ServerError::Bind { addr, source })?;
        let store =
            Store::open(config.save_dir.clone(), config.memory_limit).map_err(|source| {
                ServerError::SaveDir {
                    dir: config.save_dir.clone().unwrap_or_default(),
                    source,
                }
            })?;
        Ok(Self {
            listener,
            config,
            store: Arc::new(store),
            stats: Arc::new(Stats::default()),
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The address actually bound (the port is real even if 0 was asked).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::new(self.config.bind, self.config.port))
    }

    /// The recordings.
    pub fn store(&self) -> Arc<Store> {
        self.store.clone()
    }

    /// Serves clients until [`ServerHandle::stop`] (or forever).
    pub fn run(self) {
        if let Some(interval) = self.config.report_interval {
            let (stats, stop, store) = (self.stats.clone(), self.stop.clone(), self.store.clone());
            std::thread::spawn(move || report(&stats, &store, &stop, interval));
        }
        for stream in self.listener.incoming() {
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            match stream {
                Ok(stream) => {
                    let (store, stats, config) =
                        (self.store.clone(), self.stats.clone(), self.config.clone());
                    stats.clients.fetch_add(1, Ordering::Relaxed);
                    let spawned = std::thread::Builder::new()
                        .name("reel-client".into())
                        .spawn(move || serve_client(stream, &store, &stats, &config));
                    if let Err(e) = spawned {
                        log::warn!("cannot start a client thread: {e}");
                    }
                }
                Err(e) => log::warn!("accept failed: {e}"),
            }
        }
        self.store.close_files();
    }

    /// Runs the server on its own thread.
    pub fn spawn(self) -> ServerHandle {
        let (addr, store, stop) = (self.local_addr(), self.store.clone(), self.stop.clone());
        let thread = std::thread::Builder::new()
            .name("reel-server".into())
            .spawn(move || self.run())
            .ok();
        ServerHandle {
            addr,
            store,
            stop,
            thread,
        }
    }
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The recordings.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Stops accepting, finishes the recording files, and waits for the accept loop.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One client: handshake, then messages in, acknowledgements out.
fn serve_client(stream: TcpStream, store: &Store, stats: &Stats, config: &ServerConfig) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "unknown peer".to_owned(), |a| a.to_string());
    let started = Instant::now();
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(config.idle_timeout));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(e) => return log::warn!("{peer}: {e}"),
    };
    let mut reader = BufReader::with_capacity(1 << 20, stream);
    let hello = match Hello::read(&mut reader) {
        Ok(h) => h,
        Err(e) => return log::warn!("{peer}: closing: {e}"),
    };
    let welcome = Welcome::answer(&hello);
    if let Err(e) = welcome.write(&mut writer).and_then(|()| writer.flush()) {
        return log::warn!("{peer}: closing: {e}");
    }
    if let Err(e) = welcome.check() {
        return log::warn!("{peer}: closing: {e}");
    }
    log::info!("{peer}: connected");
    let options = DecoderOptions {
        max_message_bytes: config.max_message_bytes,
    };
    let mut decoder = Decoder::with_options(reader, options);
    let (mut count, mut bytes, mut duplicates) = (0u64, 0u64, 0u64);
    while let Some(item) = decoder.next_message() {
        let decoded = match item {
            Ok(d) => d,
            Err(e) => {
                log::warn!("{peer}: closing after {count} messages: {e}");
                break;
            }
        };
        bytes += decoded.frame_bytes;
        stats.messages.fetch_add(1, Ordering::Relaxed);
        stats
            .bytes
            .fetch_add(decoded.frame_bytes, Ordering::Relaxed);
        match store.insert(decoded.msg, decoded.frame_bytes) {
            Ok(Inserted::Stored) => {}
            Ok(Inserted::Duplicate) => duplicates += 1,
            Err(e) => {
                // Not acknowledged: the client keeps the message and sends it again.
                log::error!("{peer}: {e}; closing so the client resends");
                break;
            }
        }
        count += 1;
        if let Err(e) = write_ack(&mut writer, count) {
            log::warn!("{peer}: closing: cannot acknowledge: {e}");
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    log::info!(
        "{peer}: disconnected after {count} messages ({duplicates} resent duplicates), {:.1} MB at {:.1} MB/s",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
}

fn report(stats: &Stats, store: &Store, stop: &AtomicBool, interval: Duration) {
    let (mut last_msgs, mut last_bytes) = (0, 0);
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(interval);
        let (msgs, bytes) = (
            stats.messages.load(Ordering::Relaxed),
            stats.bytes.load(Ordering::Relaxed),
        );
        if msgs != last_msgs {
            let secs = interval.as_secs_f64();
            log::info!(
                "{:.0} msgs/s, {:.1} MB/s; holding {:.1} MB in {} recordings",
                (msgs - last_msgs) as f64 / secs,
                (bytes - last_bytes) as f64 / 1e6 / secs,
                store.total_bytes() as f64 / 1e6,
                store.summaries().len()
            );
        }
        (last_msgs, last_bytes) = (msgs, bytes);
    }
}
