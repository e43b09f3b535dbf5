//! Notebook HTML, natively: what the snippet carries and where it loads the viewer from
//! (the browser tests that look at pixels are in python/tests/test_web.py). No server runs
//! in this test binary, so snippets embed the viewer unless given an app URL.

#![allow(missing_docs)]

use base64::Engine;
use reel_web_viewer::{notebook_html, Assets, HtmlOptions};

fn assets() -> Assets {
    Assets::get().unwrap_or_else(|e| panic!("{e}"))
}

/// The document inside the snippet's frame (undoing the attribute escaping).
fn frame_document(html: &str) -> String {
    let start = html.find("srcdoc=\"").expect("srcdoc") + 8;
    let end = start + html[start..].find('"').expect("end of srcdoc");
    html[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The options the frame boots the viewer with.
fn boot_options(document: &str) -> serde_json::Value {
    let start = document.find("reelBoot({").expect("boot call") + "reelBoot(".len();
    let end = document.rfind(");</script>").expect("end of boot call");
    serde_json::from_str(&document[start..end]).expect("boot options are JSON")
}

#[test]
fn notebook_html_inlines_the_viewer_and_the_data() {
    let assets = assets();
    let (a, b) = (b"REEL first".as_slice(), b"REEL second <\"&>".as_slice());
    let options = HtmlOptions {
        width: 640,
        height: 480,
        ..HtmlOptions::default()
    };
    let html = notebook_html(&[a, b], &options).expect("html");
    assert!(html.contains("width=\"640\" height=\"480\""));
    let document = frame_document(&html);
    assert!(
        document.contains("function reelBoot"),
        "the loader is inline"
    );
    let boot = boot_options(&document);
    let b64 = base64::engine::general_purpose::STANDARD;
    let data: Vec<Vec<u8>> = boot["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|d| b64.decode(d.as_str().expect("text")).expect("base64"))
        .collect();
    assert_eq!(
        data,
        [a.to_vec(), b.to_vec()],
        "both recordings, byte for byte"
    );
    assert_eq!(
        b64.decode(boot["wasm"]["gzip"].as_str().expect("inline wasm"))
            .expect("base64"),
        assets.wasm_gz
    );
    assert_eq!(
        b64.decode(boot["glue"]["inline"].as_str().expect("inline glue"))
            .expect("base64"),
        assets.glue_js
    );
    assert_eq!(boot["timeoutMs"], reel_web_viewer::DEFAULT_TIMEOUT_MS);
}

#[test]
fn notebook_html_loads_the_viewer_from_an_app_url() {
    let options = HtmlOptions {
        app_url: Some("http://127.0.0.1:1234/".into()),
        timeout_ms: 500,
        ..HtmlOptions::default()
    };
    let html = notebook_html(&[b"REEL"], &options).expect("html");
    let boot = boot_options(&frame_document(&html));
    assert_eq!(boot["glue"]["url"], "http://127.0.0.1:1234/reel_web.js");
    assert_eq!(
        boot["wasm"]["url"],
        "http://127.0.0.1:1234/reel_web_bg.wasm"
    );
    assert!(boot["fix"]["loading the viewer"]
        .as_str()
        .is_some_and(|f| f.contains("start_web_viewer_server")));
    assert!(
        html.len() < 20_000,
        "no viewer inline: {} bytes",
        html.len()
    );
}
