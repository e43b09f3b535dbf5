//! The web viewer's HTTP server, natively (the browser tests that look at
//! pixels are in python/tests/test_web.py). Needs the viewer built by scripts/build_web.sh.

#![allow(missing_docs)]

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};

use reel_web_viewer::{running_url, Assets, WebViewerServer};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn assets() -> Assets {
    Assets::get().unwrap_or_else(|e| panic!("{e}"))
}

/// One HTTP request; returns the status, the headers (lowercased names) and the body.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    extra: &str,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    // HTTP/1.0: the body comes whole, not chunked.
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\n{extra}\r\n"
    )
    .expect("request");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("response");
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&response[..end]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, response[end + 4..].to_vec())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn the_server_hosts_the_viewer_from_memory() {
    let assets = assets();
    let server = WebViewerServer::start(LOOPBACK, 0).expect("start");
    let addr = server.addr();
    assert_eq!(server.url(), format!("http://127.0.0.1:{}", addr.port()));
    assert_eq!(running_url().as_deref(), Some(server.url()));

    let (status, headers, body) = http(addr, "GET", "/?url=x.reel", "");
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").is_some_and(|t| t.starts_with("text/html")));
    let page = String::from_utf8(body).expect("utf-8");
    assert!(page.contains("reelBoot(") && page.contains("const follows = null;"));

    let (status, _, body) = http(addr, "GET", "/loader.js", "");
    assert!(status == 200 && body == reel_web_viewer::assets::LOADER_JS.as_bytes());
    let (status, _, body) = http(addr, "GET", "/reel_web.js", "");
    assert!(status == 200 && body == assets.glue_js, "the glue, whole");
    assert!(String::from_utf8_lossy(assets.glue_js).contains("wasm_bindgen"));

    // Gzip for browsers (they all accept it), plain for anyone else.
    let (status, headers, body) = http(
        addr,
        "GET",
        "/reel_web_bg.wasm",
        "Accept-Encoding: gzip, br\r\n",
    );
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    assert_eq!(header(&headers, "content-type"), Some("application/wasm"));
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    assert!(body == assets.wasm_gz, "the gzipped wasm, whole");
    let (status, headers, body) = http(addr, "GET", "/reel_web_bg.wasm", "");
    assert_eq!(status, 200);
    assert_ne!(header(&headers, "content-encoding"), Some("gzip"));
    assert_eq!(&body[..4], b"\0asm", "a wasm module");
    assert!(body == assets.wasm().expect("inflate"), "the wasm, whole");

    assert_eq!(http(addr, "GET", "/../Cargo.toml", "").0, 404);
    assert_eq!(http(addr, "POST", "/", "Content-Length: 0\r\n").0, 405);

    // A taken port is a clear error, and the running server is unharmed.
    let err = WebViewerServer::start(LOOPBACK, addr.port())
        .err()
        .expect("port taken");
    assert!(err.to_string().contains(&addr.port().to_string()), "{err}");
    assert_eq!(http(addr, "GET", "/", "").0, 200);

    // A page served next to a reel server follows it when opened without parameters.
    let following =
        WebViewerServer::start_following(LOOPBACK, 0, "ws://127.0.0.1:9877").expect("start");
    assert_eq!(following.follows(), Some("ws://127.0.0.1:9877"));
    assert_eq!(
        running_url().as_deref(),
        Some(following.url()),
        "the newest"
    );
    let (_, _, body) = http(following.addr(), "GET", "/", "");
    let page = String::from_utf8(body).expect("utf-8");
    assert!(
        page.contains(r#"const follows = "ws://127.0.0.1:9877";"#),
        "{page}"
    );
    drop(following);
    assert_eq!(running_url().as_deref(), Some(server.url()));

    server.stop();
    assert_eq!(running_url(), None);
    // The listener closes on its own thread, just after `stop` returns.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while TcpStream::connect(addr).is_ok() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        TcpStream::connect(addr).is_err(),
        "stopped servers stop listening"
    );
}
