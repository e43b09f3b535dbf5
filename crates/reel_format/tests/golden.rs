//! Golden files: today's decoder must read the files written by every released format
//! version. A format change that breaks old files fails here.
//!
//! To (re)write the golden files of the *current* version after a deliberate change:
//! `REEL_BLESS=1 cargo test -p reel_format --test golden`. Never rewrite an older version's
//! files: they are the compatibility promise.

#![allow(missing_docs)]

mod common;

use std::path::PathBuf;

use reel_format::{decode_slice, encode_to_vec, Compression, EncoderOptions, FORMAT_VERSION};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Every golden file: its name, the version that wrote it, and how.
const FILES: &[(&str, u16, Compression)] = &[
    ("v1_uncompressed.reel", 1, Compression::Off),
    ("v1_lz4.reel", 1, Compression::Lz4),
    ("v2_uncompressed.reel", 2, Compression::Off),
    ("v2_lz4.reel", 2, Compression::Lz4),
    ("v2_zstd.reel", 2, Compression::Zstd),
];

#[test]
fn golden_files_decode_to_the_expected_messages() {
    let expected = common::sample_messages();
    if std::env::var_os("REEL_BLESS").is_some() {
        for (name, _, compression) in FILES.iter().filter(|f| f.1 == FORMAT_VERSION) {
            let options = EncoderOptions {
                compression: *compression,
            };
            let bytes = encode_to_vec(&expected, options).expect("encode");
            std::fs::write(golden_dir().join(name), bytes).expect("write golden file");
        }
    }
    for (name, version, compression) in FILES {
        let path = golden_dir().join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut decoder = decode_slice(&bytes);
        let decoded: Vec<_> = (&mut decoder)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded, expected, "{name}");
        assert!(decoder.ended_cleanly(), "{name} has an end frame");
        let header = decoder.header().expect("a header");
        assert_eq!(
            (header.version, header.compression),
            (*version, *compression),
            "{name}"
        );
    }
}

#[test]
fn the_current_version_has_golden_files() {
    assert!(
        FILES.iter().any(|f| f.1 == FORMAT_VERSION),
        "bless the files of version {FORMAT_VERSION} (see the module docs)"
    );
}

#[test]
fn golden_files_are_small() {
    for (name, _, _) in FILES {
        let len = std::fs::metadata(golden_dir().join(name))
            .expect("golden file")
            .len();
        assert!(len < 64 * 1024, "{name} is {len} bytes");
    }
}
