//! The server-wide buffer budget: many clients sending large frames at once, or many
//! stalled subscribers, cannot push the server past it, and what it refuses or cuts is
//! logged with a reason.

#![allow(missing_docs)]

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use reel_core::{
    ApplicationId, ArrowMsg, Chunk, ChunkRow, ComponentBatch, EntityPath, LogMsg, RecordingId,
    RowId, SetStoreInfo, StoreId, StoreInfo, TimePoint, Timeline,
};
use reel_format::net::{read_ack, Ack, Hello, Welcome};
use reel_format::{Encoder, EncoderOptions};
use reel_server::{Server, ServerConfig, ServerHandle};

const MIB: u64 = 1 << 20;

/// Warnings the server logged, to check that every refusal says why.
fn warnings() -> &'static Mutex<Vec<String>> {
    struct Capture;
    impl log::Log for Capture {
        fn enabled(&self, m: &log::Metadata<'_>) -> bool {
            m.level() <= log::Level::Warn
        }
        fn log(&self, r: &log::Record<'_>) {
            if self.enabled(r.metadata()) {
                warnings().lock().expect("lock").push(r.args().to_string());
            }
        }
        fn flush(&self) {}
    }
    static WARNINGS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    static INSTALL: OnceLock<()> = OnceLock::new();
    INSTALL.get_or_init(|| {
        let _ = log::set_boxed_logger(Box::new(Capture));
        log::set_max_level(log::LevelFilter::Warn);
    });
    WARNINGS.get_or_init(|| Mutex::new(Vec::new()))
}

fn logged(needle: &str) -> bool {
    warnings()
        .lock()
        .expect("lock")
        .iter()
        .any(|w| w.contains(needle))
}

fn info(recording: &str) -> LogMsg {
    LogMsg::SetStoreInfo(SetStoreInfo {
        row_id: RowId::new(),
        info: StoreInfo::new_recording(ApplicationId::new("budget"), RecordingId::new(recording)),
    })
}

/// One row of `values` incompressible f64s on entity `x`.
fn data(recording: &str, frame: i64, values: usize) -> LogMsg {
    let mut x = (frame as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let noise: Vec<f64> = (0..values)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            f64::from_bits((x >> 12) | 0x3FF0_0000_0000_0000)
        })
        .collect();
    let row = ChunkRow {
        row_id: RowId::new(),
        timepoint: TimePoint::default().with(Timeline::new_sequence("frame"), frame),
        components: vec![ComponentBatch::new(
            "test.Values",
            Arc::new(arrow_array::Float64Array::from(noise)),
        )],
    };
    let chunk =
        Chunk::from_rows(EntityPath::parse_strict("x").expect("path"), [row]).expect("chunk");
    LogMsg::ArrowMsg(ArrowMsg {
        store_id: StoreId::recording(RecordingId::new(recording)),
        chunk: Arc::new(chunk),
    })
}

fn server(config: ServerConfig) -> ServerHandle {
    warnings();
    Server::bind(ServerConfig { port: 0, ..config })
        .expect("bind")
        .spawn()
}

/// Sends `msgs` as a producer and reads acknowledgements; returns how many were
/// acknowledged before the stream ended (all of them, unless the server refused one).
fn produce(addr: SocketAddr, msgs: Vec<LogMsg>) -> u64 {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    Hello::current().write(&mut stream).expect("hello");
    Welcome::read(&mut stream)
        .expect("welcome")
        .check()
        .expect("accepted");
    let total = msgs.len() as u64;
    let mut acks = BufReader::new(stream.try_clone().expect("clone"));
    // Writes may block while the server waits for room: that is the backpressure.
    let writer = std::thread::spawn(move || {
        let mut encoder = Encoder::new(&mut stream, EncoderOptions::uncompressed())?;
        for msg in &msgs {
            encoder.append(msg)?;
        }
        encoder.flush()
    });
    let mut acked = 0;
    while acked < total {
        match read_ack(&mut acks) {
            Ok(Ack::Stored(count)) => acked = count,
            Ok(Ack::Refused(_)) | Err(_) => break,
        }
    }
    let _ = writer.join();
    acked
}

#[test]
fn many_producers_with_large_frames_stay_within_the_budget() {
    // Room for three 1 MiB frames at a time; twelve producers send ten each at once.
    let handle = server(ServerConfig {
        buffer_limit: 3 * MIB + MIB / 2,
        ..ServerConfig::default()
    });
    let producers: Vec<_> = (0..12)
        .map(|p| {
            let addr = handle.addr();
            std::thread::spawn(move || {
                let recording = format!("r{p}");
                let mut msgs = vec![info(&recording)];
                msgs.extend((0..10).map(|f| data(&recording, f, 128 * 1024)));
                produce(addr, msgs)
            })
        })
        .collect();
    for producer in producers {
        assert_eq!(
            producer.join().expect("producer"),
            11,
            "every message acknowledged"
        );
    }
    let budget = handle.budget();
    assert!(
        budget.peak() <= budget.limit(),
        "peak {} over the budget {}",
        budget.peak(),
        budget.limit()
    );
    assert!(
        budget.peak() >= 2 * MIB,
        "frames were received side by side"
    );
    assert_eq!(budget.in_use(), 0, "every reservation returned");
    let rows: u64 = handle.store().summaries().iter().map(|s| s.rows).sum();
    assert_eq!(rows, 120);
    assert_eq!(
        handle
            .stats()
            .refused
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
    handle.stop();
}

#[test]
fn a_frame_larger_than_the_whole_budget_is_refused_with_a_reason() {
    let handle = server(ServerConfig {
        buffer_limit: 2 * MIB,
        ..ServerConfig::default()
    });
    let acked = produce(
        handle.addr(),
        vec![
            info("big"),
            data("big", 0, 1024),
            data("big", 1, 512 * 1024),
        ],
    );
    assert_eq!(acked, 2, "what came before the oversized frame is kept");
    assert!(
        logged("exceeds the server's receive budget"),
        "{:?}",
        warnings()
    );
    assert_eq!(
        handle
            .stats()
            .refused
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    // Others are served on.
    assert_eq!(
        produce(handle.addr(), vec![info("small"), data("small", 0, 8)]),
        2
    );
    assert_eq!(handle.budget().in_use(), 0);
    handle.stop();
}

#[test]
fn stalled_subscribers_are_cut_and_never_hold_the_producers_room() {
    // 8 MiB of buffers, so at most 4 MiB for subscribers together; each may fall 256 MiB
    // behind on its own, so only the server-wide share stops them.
    let handle = server(ServerConfig {
        buffer_limit: 8 * MIB,
        ..ServerConfig::default()
    });
    let store = handle.store().clone();
    store.insert(info("live")).expect("insert");
    let subscribers: Vec<TcpStream> = (0..10)
        .map(|_| {
            let mut s = TcpStream::connect(handle.addr()).expect("connect");
            Hello::subscriber().write(&mut s).expect("hello");
            s.flush().expect("flush");
            Welcome::read(&mut s)
                .expect("welcome")
                .check()
                .expect("accepted");
            s // never read again
        })
        .collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while store.data().subscriber_count() < 10 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    // 64 MiB of live data: far more than ten stalled sockets and the share hold.
    for frame in 0..64 {
        store
            .insert(data("live", frame, 128 * 1024))
            .expect("producers are never blocked by subscribers");
    }
    // A producer still finds room for its frames.
    assert_eq!(
        produce(handle.addr(), vec![info("p"), data("p", 0, 256 * 1024)]),
        2
    );
    let budget = handle.budget();
    assert!(budget.peak() <= budget.limit(), "peak {}", budget.peak());
    let cut = || {
        handle
            .stats()
            .subscribers_cut
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    // A cut subscriber's thread may still be blocked writing to its full socket: closing
    // our ends lets every one notice.
    drop(subscribers);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while (cut() == 0 || budget.in_use() > 0) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(cut() >= 1, "stalled subscribers were cut");
    assert!(
        logged("the subscribers' share of the server's buffers is full"),
        "{:?}",
        warnings()
    );
    assert_eq!(budget.in_use(), 0, "a cut subscriber's queue is returned");
    handle.stop();
}
