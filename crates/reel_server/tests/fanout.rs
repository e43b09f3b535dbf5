//! Subscribers: a late one gets everything held, then live data; a slow one is cut off
//! without slowing producers or the other subscribers.

#![allow(missing_docs)]

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use reel_core::{
    ApplicationId, ArrowMsg, Chunk, ChunkRow, ComponentBatch, EntityPath, LogMsg, RecordingId,
    RowId, SetStoreInfo, StoreId, StoreInfo, TimePoint, Timeline,
};
use reel_format::net::{Hello, Welcome};
use reel_format::Decoder;
use reel_server::{Server, ServerConfig};

fn info() -> LogMsg {
    LogMsg::SetStoreInfo(SetStoreInfo {
        row_id: RowId::new(),
        info: StoreInfo::new_recording(ApplicationId::new("fanout"), RecordingId::new("r")),
    })
}

fn data(frame: i64, values: usize) -> LogMsg {
    let row = ChunkRow {
        row_id: RowId::new(),
        timepoint: TimePoint::default().with(Timeline::new_sequence("frame"), frame),
        components: vec![ComponentBatch::new(
            "test.Values",
            Arc::new(arrow_array::Float64Array::from(noise(frame as u64, values))),
        )],
    };
    let chunk =
        Chunk::from_rows(EntityPath::parse_strict("x").expect("path"), [row]).expect("chunk");
    LogMsg::ArrowMsg(ArrowMsg {
        store_id: StoreId::recording(RecordingId::new("r")),
        chunk: Arc::new(chunk),
    })
}

/// Incompressible values, so socket buffers cannot swallow a whole test's worth.
fn noise(seed: u64, n: usize) -> Vec<f64> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            f64::from_bits((x >> 12) | 0x3FF0_0000_0000_0000)
        })
        .collect()
}

fn subscribe(addr: std::net::SocketAddr) -> Decoder<BufReader<TcpStream>> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    Hello::subscriber().write(&mut s).expect("hello");
    s.flush().expect("flush");
    let welcome = Welcome::read(&mut s).expect("welcome");
    welcome.check().expect("accepted");
    Decoder::new(BufReader::new(s))
}

/// Reads messages until `rows` data rows have arrived; returns the frames seen.
fn read_rows(decoder: &mut Decoder<BufReader<TcpStream>>, rows: usize) -> (Vec<i64>, bool) {
    let mut frames = Vec::new();
    let mut saw_info = false;
    while frames.len() < rows {
        match decoder
            .next_message()
            .expect("stream open")
            .expect("valid message")
            .msg
        {
            LogMsg::ArrowMsg(a) => frames
                .extend_from_slice(a.chunk.timelines()[&Timeline::new_sequence("frame")].times()),
            LogMsg::SetStoreInfo(_) => saw_info = true,
            LogMsg::BlueprintActivation(_) => {}
        }
    }
    (frames, saw_info)
}

fn server(config: ServerConfig) -> reel_server::ServerHandle {
    Server::bind(ServerConfig { port: 0, ..config })
        .expect("bind")
        .spawn()
}

#[test]
fn a_late_subscriber_gets_everything_then_live_data() {
    let handle = server(ServerConfig::default());
    let store = handle.store().clone();
    store.insert(info()).expect("insert");
    for frame in 0..100 {
        store.insert(data(frame, 4)).expect("insert");
    }
    let mut sub = subscribe(handle.addr());
    let (mut frames, saw_info) = read_rows(&mut sub, 100);
    assert!(saw_info, "the store info comes first");
    frames.sort_unstable();
    assert_eq!(
        frames,
        (0..100).collect::<Vec<_>>(),
        "every row once, compacted or not"
    );
    for frame in 100..110 {
        store.insert(data(frame, 4)).expect("insert");
    }
    let (live, _) = read_rows(&mut sub, 10);
    assert_eq!(live, (100..110).collect::<Vec<_>>(), "live rows in order");
    handle.stop();
}

#[test]
fn a_slow_subscriber_is_cut_off_and_the_others_keep_up() {
    let handle = server(ServerConfig {
        subscriber_queue_messages: 32,
        subscriber_queue_bytes: 16 << 20,
        ..ServerConfig::default()
    });
    let store = handle.store().clone();
    store.insert(info()).expect("insert");
    let mut slow = subscribe(handle.addr()); // never reads until the end
    let mut fast = subscribe(handle.addr());
    let total = 64;
    let progress = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let reader = {
        let progress = progress.clone();
        std::thread::spawn(move || {
            for n in 1..=total {
                read_rows(&mut fast, 1);
                progress.store(n, std::sync::atomic::Ordering::Relaxed);
            }
        })
    };
    // 64 chunks of 1 MB: far more than the slow subscriber's socket and queue hold. The
    // producer runs at the fast reader's pace (a few messages ahead), as a live source would.
    for frame in 0..total {
        store
            .insert(data(frame as i64, 128 * 1024))
            .expect("producers are never blocked");
        while progress.load(std::sync::atomic::Ordering::Relaxed) + 2 < frame
            && !reader.is_finished()
        {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    reader.join().expect("the fast subscriber got every row");
    // The slow one gets what was queued before the cut, then the end of its stream.
    let mut rows = 0;
    let ended = loop {
        match slow.next_message() {
            Some(Ok(d)) => {
                if let LogMsg::ArrowMsg(a) = d.msg {
                    rows += a.chunk.num_rows();
                }
            }
            Some(Err(_)) | None => break true,
        }
    };
    assert!(ended);
    assert!(
        rows < total,
        "the slow subscriber was cut after {rows} rows"
    );
    handle.stop();
}

/// Reads WebSocket messages through the push decoder until `rows` data rows arrived.
fn read_ws_rows(
    socket: &mut tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    decoder: &mut reel_format::StreamDecoder,
    rows: usize,
) -> (Vec<i64>, bool) {
    let (mut frames, mut saw_info) = (Vec::new(), false);
    while frames.len() < rows {
        let message = socket.read().expect("WebSocket open");
        let tungstenite::Message::Binary(bytes) = message else {
            continue;
        };
        assert!(bytes.len() <= 1 << 20, "pieces stay under 1 MiB");
        for item in decoder.push(&bytes) {
            match item.expect("valid message").msg {
                LogMsg::ArrowMsg(a) => frames.extend_from_slice(
                    a.chunk.timelines()[&Timeline::new_sequence("frame")].times(),
                ),
                LogMsg::SetStoreInfo(_) => saw_info = true,
                LogMsg::BlueprintActivation(_) => {}
            }
        }
    }
    (frames, saw_info)
}

#[test]
fn a_websocket_subscriber_gets_everything_then_live_data_and_can_leave() {
    let handle = server(ServerConfig {
        ws_port: Some(0),
        ..ServerConfig::default()
    });
    let ws_addr = handle.ws_addr().expect("WebSocket enabled");
    let store = handle.store().clone();
    store.insert(info()).expect("insert");
    for frame in 0..50 {
        store.insert(data(frame, 1000)).expect("insert");
    }
    let (mut socket, _) = tungstenite::connect(format!("ws://{ws_addr}")).expect("connect");
    let mut decoder = reel_format::StreamDecoder::default();
    let (mut frames, saw_info) = read_ws_rows(&mut socket, &mut decoder, 50);
    assert!(saw_info, "the store info comes first");
    frames.sort_unstable();
    assert_eq!(frames, (0..50).collect::<Vec<_>>());
    for frame in 50..60 {
        store.insert(data(frame, 4)).expect("insert");
    }
    let (live, _) = read_ws_rows(&mut socket, &mut decoder, 10);
    assert_eq!(live, (50..60).collect::<Vec<_>>(), "live rows in order");

    // A page that leaves is noticed while idle and its subscription dropped.
    let subscribers = || store.data().subscriber_count();
    let before = subscribers();
    socket.close(None).expect("close");
    let _ = socket.flush();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while subscribers() >= before && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(subscribers() < before, "the closed page is unsubscribed");

    // Not a WebSocket: the connection is refused with a reason, the server serves on.
    let mut plain = TcpStream::connect(ws_addr).expect("connect");
    plain.write_all(b"GET / HTTP/1.1\r\n\r\n").expect("write");
    let (mut socket, _) = tungstenite::connect(format!("ws://{ws_addr}")).expect("reconnect");
    let mut decoder = reel_format::StreamDecoder::default();
    let (frames, _) = read_ws_rows(&mut socket, &mut decoder, 60);
    assert_eq!(frames.len(), 60);
    handle.stop();
}
