//! The reel server: receives reel streams from many SDK clients over TCP, keeps their
//! recordings (merging processes that share a recording id), acknowledges what it stored,
//! optionally saves each recording to a file, and bounds its memory. The `reel serve`
//! command is a thin wrapper; a viewer embeds this library.
//!
//! - [`store`]: the recordings, deduplication, files and the memory limit.
//! - [`budget`]: the server-wide bound on what is held outside the store (frames being
//!   received, subscriber queues).
//! - [`Server`]: the listener and one thread per client.
//! - [`websocket`]: subscribers over WebSocket (the web viewer), next to the TCP ones.
//!
//! Bad peers (garbage, a wrong version, an oversized length, a stall mid-frame) get their
//! connection closed with a logged reason; everyone else is served on.

pub mod budget;
pub mod store;
pub mod websocket;

use std::io::{BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use reel_format::net::{write_ack, write_refusal, Hello, Role, Welcome, DEFAULT_PORT};
use reel_format::{Decoder, DecoderOptions};

pub use budget::{BudgetError, MemoryBudget};
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
    /// The server's total memory bound: the buffers (below) get `buffer_limit` or a
    /// quarter of it, whichever is less, and the store the rest (beyond it, the oldest
    /// data of the largest recording is dropped). None: the store is unbounded.
    pub memory_limit: Option<u64>,
    /// Bytes held outside the store across all connections and subscribers: frames being
    /// received and decoded, and subscriber queues (at most half of it). A connection
    /// whose next frame does not fit waits (up to `idle_timeout`), a subscriber that
    /// finds no room is cut; both are logged with the numbers.
    pub buffer_limit: u64,
    /// The largest message accepted from a client.
    pub max_message_bytes: u64,
    /// Close a connection that sends nothing for this long (a stall mid-frame).
    pub idle_timeout: Duration,
    /// How often to report throughput (none: never).
    pub report_interval: Option<Duration>,
    /// Bytes of messages a subscriber may fall behind before it is disconnected.
    pub subscriber_queue_bytes: u64,
    /// Messages a subscriber may fall behind before it is disconnected.
    pub subscriber_queue_messages: usize,
    /// Also serve subscribers over WebSocket on this port of `bind` (0 picks a free one):
    /// the web viewer follows the server there.
    pub ws_port: Option<u16>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            save_dir: None,
            memory_limit: None,
            // Twice the largest message: one that is accepted at all then fits, compressed
            // and decompressed at once (a 1 GB batch needs about 1.15 GB). A bound, not an
            // allocation.
            buffer_limit: 4 << 30,
            max_message_bytes: 2 << 30,
            idle_timeout: Duration::from_secs(300),
            report_interval: None,
            subscriber_queue_bytes: 256 << 20,
            subscriber_queue_messages: 100_000,
            ws_port: None,
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
    /// Connections closed because their next frame found no room in the buffers.
    pub refused: AtomicU64,
    /// Subscribers cut for falling behind or for lack of room.
    pub subscribers_cut: AtomicU64,
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    ws_listener: Option<TcpListener>,
    config: ServerConfig,
    store: Arc<Store>,
    budget: Arc<MemoryBudget>,
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
}

/// A server running on its own thread.
pub struct ServerHandle {
    addr: SocketAddr,
    ws_addr: Option<SocketAddr>,
    store: Arc<Store>,
    budget: Arc<MemoryBudget>,
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds the address and opens the store (loading saved recordings).
    pub fn bind(config: ServerConfig) -> Result<Self, ServerError> {
        let addr = SocketAddr::new(config.bind, config.port);
        let listener =
            TcpListener::bind(addr).map_err(|source| ServerError::Bind { addr, source })?;
        let ws_listener = match config.ws_port {
            Some(port) => {
                let addr = SocketAddr::new(config.bind, port);
                Some(TcpListener::bind(addr).map_err(|source| ServerError::Bind { addr, source })?)
            }
            None => None,
        };
        let buffers = config.memory_limit.map_or(config.buffer_limit, |total| {
            config.buffer_limit.min(total / 4)
        });
        let store_limit = config.memory_limit.map(|total| total - buffers);
        let store = Store::open(config.save_dir.clone(), store_limit).map_err(|source| {
            ServerError::SaveDir {
                dir: config.save_dir.clone().unwrap_or_default(),
                source,
            }
        })?;
        Ok(Self {
            listener,
            ws_listener,
            config,
            store: Arc::new(store),
            budget: Arc::new(MemoryBudget::new(buffers)),
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

    /// The WebSocket address actually bound, when [`ServerConfig::ws_port`] is set.
    pub fn ws_addr(&self) -> Option<SocketAddr> {
        self.ws_listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The recordings.
    pub fn store(&self) -> Arc<Store> {
        self.store.clone()
    }

    /// The bound on what is held outside the store.
    pub fn budget(&self) -> Arc<MemoryBudget> {
        self.budget.clone()
    }

    /// Serves clients until [`ServerHandle::stop`] (or forever).
    pub fn run(mut self) {
        if let Some(interval) = self.config.report_interval {
            let (stats, stop, store) = (self.stats.clone(), self.stop.clone(), self.store.clone());
            std::thread::spawn(move || report(&stats, &store, &stop, interval));
        }
        let ws_thread = self.ws_listener.take().map(|listener| {
            let serving = self.serving();
            let stop = self.stop.clone();
            std::thread::Builder::new()
                .name("reel-ws".into())
                .spawn(move || websocket::accept_loop(&listener, &serving, &stop))
        });
        for stream in self.listener.incoming() {
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            match stream {
                Ok(stream) => {
                    let serving = self.serving();
                    serving.stats.clients.fetch_add(1, Ordering::Relaxed);
                    let spawned = std::thread::Builder::new()
                        .name("reel-client".into())
                        .spawn(move || serve_client(stream, &serving));
                    if let Err(e) = spawned {
                        log::warn!("cannot start a client thread: {e}");
                    }
                }
                Err(e) => log::warn!("accept failed: {e}"),
            }
        }
        if let Some(Ok(thread)) = ws_thread {
            let _ = thread.join();
        }
        self.store.close_files();
    }

    /// What a connection's thread shares with the server.
    fn serving(&self) -> Serving {
        Serving {
            store: self.store.clone(),
            budget: self.budget.clone(),
            stats: self.stats.clone(),
            config: self.config.clone(),
        }
    }

    /// Runs the server on its own thread.
    pub fn spawn(self) -> ServerHandle {
        let (addr, ws_addr) = (self.local_addr(), self.ws_addr());
        let (store, stop) = (self.store.clone(), self.stop.clone());
        let (budget, stats) = (self.budget.clone(), self.stats.clone());
        let thread = std::thread::Builder::new()
            .name("reel-server".into())
            .spawn(move || self.run())
            .ok();
        ServerHandle {
            addr,
            ws_addr,
            store,
            budget,
            stats,
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

    /// The WebSocket address subscribers (web viewers) connect to, when enabled.
    pub fn ws_addr(&self) -> Option<SocketAddr> {
        self.ws_addr
    }

    /// The recordings.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The bound on what is held outside the store.
    pub fn budget(&self) -> &Arc<MemoryBudget> {
        &self.budget
    }

    /// Throughput and refusal counters.
    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }

    /// Stops accepting, finishes the recording files, and waits for the accept loop.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accepts.
        for addr in std::iter::once(self.addr).chain(self.ws_addr) {
            let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What every connection's thread shares with the server.
#[derive(Clone)]
pub(crate) struct Serving {
    store: Arc<Store>,
    budget: Arc<MemoryBudget>,
    stats: Arc<Stats>,
    config: ServerConfig,
}

/// One client: handshake, then messages in, acknowledgements out.
fn serve_client(stream: TcpStream, serving: &Serving) {
    let Serving {
        store,
        budget,
        stats,
        config,
    } = serving;
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
    if hello.role == Role::Subscriber {
        return match writer.try_clone() {
            Ok(socket) => serve_subscriber(writer, socket, &peer, serving),
            Err(e) => log::warn!("{peer}: closing: {e}"),
        };
    }
    log::info!("{peer}: connected");
    let options = DecoderOptions {
        max_message_bytes: config.max_message_bytes,
        // Saved frames are written as they came.
        keep_frames: config.save_dir.is_some(),
    };
    // Each frame waits for room in the server-wide budget before its payload is read, and
    // holds it until it is stored.
    let reserved = Arc::new(AtomicU64::new(0));
    // Set when a frame can never fit, however long it waits: the client is told to drop
    // it rather than resend it on every connection.
    let never_fits = Arc::new(AtomicBool::new(false));
    let gate = {
        let (budget, reserved, wait) = (budget.clone(), reserved.clone(), config.idle_timeout);
        let never_fits = never_fits.clone();
        Box::new(move |need: u64| {
            budget.reserve_receiving(need, wait).map_err(|e| {
                if matches!(e, budget::BudgetError::TooLarge { .. }) {
                    never_fits.store(true, Ordering::Relaxed);
                }
                e.to_string()
            })?;
            reserved.store(need, Ordering::Relaxed);
            Ok(())
        })
    };
    let mut decoder = Decoder::with_options(reader, options).with_gate(gate);
    let release = || budget.release_receiving(reserved.swap(0, Ordering::Relaxed));
    let (mut count, mut bytes, mut duplicates) = (0u64, 0u64, 0u64);
    while let Some(item) = decoder.next_message() {
        let decoded = match item {
            Ok(d) => d,
            Err(e) => {
                release();
                if matches!(e, reel_format::DecodeError::Refused { .. }) {
                    stats.refused.fetch_add(1, Ordering::Relaxed);
                }
                let refuse = matches!(e, reel_format::DecodeError::TooLarge { .. })
                    || never_fits.load(Ordering::Relaxed);
                if refuse {
                    // Told before the client can hear of it, so the server's log never
                    // lags what a client has seen.
                    log::warn!(
                        "{peer}: refused message {} for good and closing: {e}",
                        count + 1
                    );
                    // Best effort: a client that does not hear it resends and is refused
                    // again.
                    let _ = write_refusal(&mut writer, count).and_then(|()| writer.flush());
                    linger_until_closed(&mut writer);
                } else {
                    log::warn!("{peer}: closing after {count} messages: {e}");
                }
                break;
            }
        };
        bytes += decoded.frame_bytes;
        stats.messages.fetch_add(1, Ordering::Relaxed);
        stats
            .bytes
            .fetch_add(decoded.frame_bytes, Ordering::Relaxed);
        let inserted = store.insert_received(decoded.msg, decoded.frame.as_ref());
        release();
        match inserted {
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

/// Closes our side and reads (and discards) what the client still sends until it closes
/// too, for a few seconds at most: closing with unread data would reset the connection, and
/// a reset can discard the refusal before the client reads it.
fn linger_until_closed(socket: &mut TcpStream) {
    use std::io::Read;
    let _ = socket.shutdown(std::net::Shutdown::Write);
    let _ = socket.set_read_timeout(Some(Duration::from_millis(500)));
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut sink = vec![0u8; 64 * 1024];
    while Instant::now() < deadline {
        match socket.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return,
        }
    }
}

/// One subscriber: everything held so far, then every new message, through a bounded
/// queue so that a slow reader never slows producers or grows memory without bound.
/// `socket` is the connection under `stream`: a cut shuts it down at once, so the writer
/// does not linger in a write to a reader that is not reading.
fn serve_subscriber(stream: impl Write, socket: TcpStream, peer: &str, serving: &Serving) {
    use crossbeam_channel::TrySendError;
    use parking_lot::Mutex;
    use reel_core::{ArrowMsg, LogMsg, RowId, SetStoreInfo};
    use reel_store::{ChangeKind, ChangeReason, StoreEvent};

    let Serving {
        store,
        budget,
        stats,
        config,
    } = serving;
    let (tx, rx) = crossbeam_channel::bounded::<(LogMsg, u64)>(config.subscriber_queue_messages);
    // Bytes queued for this subscriber, all of them reserved in the server-wide budget.
    let queued = Arc::new(AtomicU64::new(0));
    let cut: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let callback = {
        let (queued, cut, max_bytes) = (queued.clone(), cut.clone(), config.subscriber_queue_bytes);
        let (budget, stats, peer) = (budget.clone(), stats.clone(), peer.to_owned());
        let cut_off = move |cut: &mut Option<String>, reason: String| {
            stats.subscribers_cut.fetch_add(1, Ordering::Relaxed);
            log::warn!("{peer}: subscriber disconnected: {reason}");
            *cut = Some(reason);
            let _ = socket.shutdown(std::net::Shutdown::Both);
        };
        move |event: &StoreEvent| {
            let msg = match event {
                StoreEvent::Info(info) => LogMsg::SetStoreInfo(SetStoreInfo {
                    row_id: RowId::new(),
                    info: info.clone(),
                }),
                // Compaction and GC change nothing a subscriber has already received.
                StoreEvent::Chunk(e)
                    if e.kind == ChangeKind::Added && e.reason == ChangeReason::Inserted =>
                {
                    LogMsg::ArrowMsg(ArrowMsg {
                        store_id: e.store_id.clone(),
                        chunk: e.chunk.clone(),
                    })
                }
                StoreEvent::Chunk(_) => return,
            };
            let mut cut = cut.lock();
            if cut.is_some() {
                return;
            }
            let bytes = match &msg {
                LogMsg::ArrowMsg(a) => a.chunk.heap_size_bytes() as u64,
                _ => 0,
            };
            let behind = queued.load(Ordering::Relaxed);
            if behind + bytes > max_bytes && behind > 0 {
                cut_off(&mut cut, format!("it fell {behind} bytes behind"));
                return;
            }
            if let Err(e) = budget.try_reserve_subscriber(bytes) {
                cut_off(&mut cut, format!("it is {behind} bytes behind and {e}"));
                return;
            }
            match tx.try_send((msg, bytes)) {
                Ok(()) => {
                    queued.fetch_add(bytes, Ordering::Relaxed);
                }
                Err(e) => {
                    budget.release_subscriber(bytes);
                    if let TrySendError::Full(_) = e {
                        cut_off(&mut cut, format!("it fell {} messages behind", tx.len()));
                    }
                }
            }
        }
    };
    let (subscription, snapshot) = store.data().subscribe_with_snapshot_all(Box::new(callback));
    let sent = stream_to_subscriber(stream, &snapshot, &rx, &queued, budget, &cut);
    store.data().unsubscribe(subscription);
    // What is still queued is dropped with the queue.
    budget.release_subscriber(queued.swap(0, Ordering::Relaxed));
    let reason = cut.lock().take();
    match (sent, reason) {
        // Logged and counted when it was cut.
        (_, Some(_)) => {}
        (Ok(n), None) => log::info!("{peer}: subscriber left after {n} messages"),
        (Err(e), None) => log::info!("{peer}: subscriber gone: {e}"),
    }
}

/// Writes the snapshot, then queued messages until the subscriber leaves or is cut.
fn stream_to_subscriber(
    stream: impl Write,
    snapshot: &[reel_store::RecordingSnapshot],
    rx: &crossbeam_channel::Receiver<(reel_core::LogMsg, u64)>,
    queued: &AtomicU64,
    budget: &MemoryBudget,
    cut: &parking_lot::Mutex<Option<String>>,
) -> Result<u64, reel_format::EncodeError> {
    use reel_core::{ArrowMsg, LogMsg, RowId, SetStoreInfo};
    let mut encoder = reel_format::Encoder::new(
        std::io::BufWriter::with_capacity(1 << 20, stream),
        reel_format::EncoderOptions::default(),
    )?;
    let mut sent = 0u64;
    for recording in snapshot {
        if let Some(info) = &recording.info {
            encoder.append(&LogMsg::SetStoreInfo(SetStoreInfo {
                row_id: RowId::new(),
                info: info.clone(),
            }))?;
            sent += 1;
        }
        for chunk in &recording.chunks {
            encoder.append(&LogMsg::ArrowMsg(ArrowMsg {
                store_id: recording.store_id.clone(),
                chunk: chunk.clone(),
            }))?;
            sent += 1;
        }
    }
    encoder.flush()?;
    loop {
        if cut.lock().is_some() {
            return Ok(sent);
        }
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok((msg, bytes)) => {
                encoder.append(&msg)?;
                queued.fetch_sub(bytes, Ordering::Relaxed);
                budget.release_subscriber(bytes);
                sent += 1;
                if rx.is_empty() {
                    encoder.flush()?;
                }
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => encoder.flush()?,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Ok(sent),
        }
    }
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
