//! [`TcpSink`]: streams a recording to a reel server (or viewer) over TCP.
//!
//! Messages wait in a queue until the server acknowledges them. The queue counts against
//! the recording's memory bound (its flight gauge) until then, so the bound covers
//! everything from the log call to the server's acknowledgement; while no connection is up
//! the gauge knows the sink is down, and log calls beyond the bound drop their rows at once
//! instead of waiting. A background thread connects (retrying with backoff while nothing
//! listens), sends the store announcements and then every unacknowledged message, and on a
//! broken connection starts over: the server recognises resends, so it ends with every row
//! exactly once.

use std::collections::VecDeque;
use std::io::BufWriter;
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use reel_core::LogMsg;
use reel_format::net::{read_ack, Ack, Hello, Welcome, DEFAULT_PORT};
use reel_format::{Encoder, EncoderOptions};

use crate::batcher::FlightGauge;
use crate::sink::{LogSink, SinkError, Undelivered};
use crate::warn::warn;

/// The default server address: loopback, the default port.
pub fn default_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT))
}

/// Resolves `"host:port"` (or `None` for the default).
pub fn resolve_addr(addr: Option<&str>) -> Result<SocketAddr, SinkError> {
    let Some(addr) = addr else {
        return Ok(default_addr());
    };
    addr.to_socket_addrs()
        .ok()
        .and_then(|mut it| it.next())
        .ok_or_else(|| SinkError::Address(addr.to_owned()))
}

struct State {
    /// Unacknowledged messages, oldest first, with their estimated bytes.
    queue: VecDeque<(LogMsg, u64)>,
    bytes: u64,
    /// How many of `queue` went out on the current connection.
    sent: usize,
    /// Store announcements, sent first on every connection.
    store_infos: Vec<LogMsg>,
    /// Messages sent ahead of the queue on this connection (the announcements).
    prefix: u64,
    /// Acknowledged on this connection.
    acked: u64,
    /// Bumped on every new connection, so a stale reader cannot touch a new one.
    connection: u64,
    connected: bool,
    closing: bool,
    /// The socket being connected or in use, so `close` can cut it when the server does
    /// not answer within the flush timeout (unblocking a handshake, a write or the reader).
    socket: Option<TcpStream>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    addr: SocketAddr,
    gauge: Arc<FlightGauge>,
}

/// Streams messages to a reel server; see the module docs.
pub struct TcpSink {
    shared: Arc<Shared>,
    flush_timeout: Duration,
    thread: Option<JoinHandle<()>>,
}

impl TcpSink {
    /// A sink for `addr` whose queue counts against `gauge` (its recording's bound);
    /// flushes wait at most `flush_timeout`. Connecting happens in the background.
    pub(crate) fn new(
        addr: SocketAddr,
        flush_timeout: Duration,
        gauge: Arc<FlightGauge>,
    ) -> Result<Self, SinkError> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                bytes: 0,
                sent: 0,
                store_infos: Vec::new(),
                prefix: 0,
                acked: 0,
                connection: 0,
                connected: false,
                closing: false,
                socket: None,
            }),
            changed: Condvar::new(),
            addr,
            gauge,
        });
        let thread = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("reel-tcp-{addr}"))
                .spawn(move || run(&shared))
                .map_err(SinkError::Thread)?
        };
        Ok(Self {
            shared,
            flush_timeout,
            thread: Some(thread),
        })
    }

    /// Whether a connection to the server is up.
    pub fn is_connected(&self) -> bool {
        self.shared.state.lock().connected
    }

    /// Waits until the server acknowledged everything or `timeout` passes; returns what
    /// is still unacknowledged.
    pub fn wait_acknowledged(&self, timeout: Duration) -> Undelivered {
        let deadline = Instant::now() + timeout;
        let mut s = self.shared.state.lock();
        while !s.queue.is_empty() && Instant::now() < deadline {
            self.shared.changed.wait_until(&mut s, deadline);
        }
        Undelivered {
            pending_messages: s.queue.len() as u64,
            pending_bytes: s.bytes,
            ..Undelivered::default()
        }
    }
}

fn estimate_bytes(msg: &LogMsg) -> u64 {
    match msg {
        LogMsg::ArrowMsg(a) => a.chunk.heap_size_bytes() as u64,
        _ => 256,
    }
}

impl LogSink for TcpSink {
    fn send(&mut self, msg: LogMsg) {
        let bytes = estimate_bytes(&msg);
        let mut s = self.shared.state.lock();
        if let LogMsg::SetStoreInfo(info) = &msg {
            s.store_infos
                .retain(|m| m.store_id() != &info.info.store_id);
            s.store_infos.push(msg.clone());
        }
        // Already admitted under the bound by the log call: held (and counted) until the
        // server acknowledges it.
        self.shared.gauge.add(bytes);
        s.bytes += bytes;
        s.queue.push_back((msg, bytes));
        self.shared.changed.notify_all();
    }

    fn flush_blocking(&mut self) -> Result<(), Undelivered> {
        self.wait_acknowledged(self.flush_timeout).into_result()
    }

    fn close(&mut self) {
        let left = self.wait_acknowledged(self.flush_timeout);
        {
            let mut s = self.shared.state.lock();
            s.closing = true;
            if !s.queue.is_empty() {
                // Given up: no wait for a server that did not answer in time.
                if let Some(socket) = s.socket.take() {
                    let _ = socket.shutdown(Shutdown::Both);
                }
            }
            self.shared.changed.notify_all();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        // What was never acknowledged is given up: it no longer counts as in flight.
        let abandoned = {
            let mut s = self.shared.state.lock();
            s.queue.clear();
            std::mem::take(&mut s.bytes)
        };
        self.shared.gauge.abandon(abandoned);
        self.shared.gauge.set_sink_down(false);
        if left.pending_messages > 0 {
            eprintln!(
                "[reel] the server at {} did not receive {} messages ({} bytes) within {:?}",
                self.shared.addr, left.pending_messages, left.pending_bytes, self.flush_timeout
            );
        }
    }
}

/// The connection thread: connect, send, resend after failures, until closed.
fn run(shared: &Arc<Shared>) {
    let mut backoff = Duration::from_millis(50);
    let mut warned = false;
    loop {
        if shared.state.lock().closing {
            return;
        }
        let stream = match connect(shared) {
            Ok(s) => s,
            Err(e) => {
                shared.state.lock().socket = None;
                if shared.state.lock().closing {
                    return;
                }
                shared.gauge.set_sink_down(true);
                if !warned {
                    warn(format!(
                        "no reel server at {} yet ({e}); buffering and retrying",
                        shared.addr
                    ));
                    warned = true;
                }
                let mut s = shared.state.lock();
                if !s.closing {
                    shared.changed.wait_for(&mut s, backoff);
                }
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        backoff = Duration::from_millis(50);
        warned = false;
        shared.gauge.set_sink_down(false);
        serve_connection(shared, stream);
        shared.gauge.set_sink_down(true);
    }
}

fn connect(shared: &Shared) -> Result<TcpStream, String> {
    let mut stream = TcpStream::connect_timeout(&shared.addr, Duration::from_secs(1))
        .map_err(|e| e.to_string())?;
    {
        let mut s = shared.state.lock();
        if s.closing {
            return Err("closing".into());
        }
        s.socket = stream.try_clone().ok();
    }
    let _ = stream.set_nodelay(true);
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    Hello::current()
        .write(&mut stream)
        .map_err(|e| e.to_string())?;
    let welcome = Welcome::read(&mut stream).map_err(|e| e.to_string())?;
    if let Err(e) = welcome.check() {
        return Err(e.to_string());
    }
    stream.set_read_timeout(None).map_err(|e| e.to_string())?;
    Ok(stream)
}

/// Sends on one connection until it breaks or the sink closes with nothing left.
fn serve_connection(shared: &Arc<Shared>, stream: TcpStream) {
    let (connection, infos) = {
        let mut s = shared.state.lock();
        s.connection += 1;
        s.connected = true;
        s.sent = 0;
        s.acked = 0;
        // Announce the stores first, except those whose announcement is still queued.
        let infos: Vec<LogMsg> = s
            .store_infos
            .iter()
            .filter(|info| !s.queue.iter().any(|(m, _)| m == *info))
            .cloned()
            .collect();
        s.prefix = infos.len() as u64;
        (s.connection, infos)
    };
    let reader = match stream.try_clone() {
        Ok(r) => r,
        Err(_) => return disconnect(shared, connection),
    };
    let ack_thread = {
        let shared = shared.clone();
        std::thread::spawn(move || read_acks(&shared, reader, connection))
    };
    let writer = BufWriter::with_capacity(
        1 << 20,
        match stream.try_clone() {
            Ok(w) => w,
            Err(_) => return disconnect(shared, connection),
        },
    );
    let result = (|| -> Result<(), String> {
        let mut encoder =
            Encoder::new(writer, EncoderOptions::default()).map_err(|e| e.to_string())?;
        for info in &infos {
            encoder.append(info).map_err(|e| e.to_string())?;
        }
        loop {
            let next = {
                let mut s = shared.state.lock();
                loop {
                    if s.connection != connection || !s.connected {
                        return Err("connection lost".into());
                    }
                    if s.sent < s.queue.len() {
                        let msg = s.queue[s.sent].0.clone();
                        s.sent += 1;
                        break Some(msg);
                    }
                    if s.closing && s.queue.is_empty() {
                        break None;
                    }
                    drop(s);
                    encoder.flush().map_err(|e| e.to_string())?;
                    s = shared.state.lock();
                    if s.sent == s.queue.len() && !(s.closing && s.queue.is_empty()) {
                        shared.changed.wait_for(&mut s, Duration::from_millis(100));
                    }
                }
            };
            match next {
                Some(msg) => {
                    encoder.append(&msg).map_err(|e| e.to_string())?;
                }
                None => {
                    encoder.finish().map_err(|e| e.to_string())?;
                    return Ok(());
                }
            }
        }
    })();
    let _ = stream.shutdown(Shutdown::Both);
    let _ = ack_thread.join();
    shared.state.lock().socket = None;
    disconnect(shared, connection);
    if let Err(e) = result {
        let closing = shared.state.lock().closing;
        if !closing {
            warn(format!(
                "lost the connection to {} ({e}); reconnecting and resending",
                shared.addr
            ));
        }
    }
}

fn read_acks(shared: &Shared, mut stream: TcpStream, connection: u64) {
    while let Ok(ack) = read_ack(&mut stream) {
        let (count, refused) = match ack {
            Ack::Stored(count) => (count, false),
            Ack::Refused(count) => (count, true),
        };
        let mut s = shared.state.lock();
        if s.connection != connection {
            return;
        }
        // Acks count this connection's messages: first the announcements, then the queue.
        let queue_acked = count.saturating_sub(s.prefix);
        let already = s.acked.saturating_sub(s.prefix);
        let newly = queue_acked.saturating_sub(already) as usize;
        let mut released = 0;
        for _ in 0..newly.min(s.sent) {
            if let Some((_, bytes)) = s.queue.pop_front() {
                s.bytes -= bytes;
                s.sent -= 1;
                released += bytes;
            }
        }
        shared.gauge.release(released);
        s.acked = count;
        if refused && count >= s.prefix && s.sent > 0 {
            // The next message can never be stored: resending it would repeat the refusal
            // on every connection. It is dropped, counted and told once.
            if let Some((msg, bytes)) = s.queue.pop_front() {
                s.bytes -= bytes;
                s.sent -= 1;
                let rows = match &msg {
                    LogMsg::ArrowMsg(m) => m.chunk.num_rows() as u64,
                    _ => 0,
                };
                shared.gauge.count_refused(rows, bytes);
                warn(format!(
                    "the server at {} refused a message of about {bytes} bytes ({rows} rows) \
                     as larger than it accepts (see `reel serve --buffer-limit`); it is \
                     dropped and reported by the next flush",
                    shared.addr
                ));
            }
        }
        shared.changed.notify_all();
    }
    disconnect(shared, connection);
}

fn disconnect(shared: &Shared, connection: u64) {
    let mut s = shared.state.lock();
    if s.connection == connection && s.connected {
        s.connected = false;
        s.sent = 0;
        shared.changed.notify_all();
    }
}
