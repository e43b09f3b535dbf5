//! Golden files: today's decoder must read the files written by every released format
//! version. A format change that breaks old files fails here.
//!
//! To (re)write the golden files of the *current* version after a deliberate change:
//! `REEL_BLESS=1 cargo test -p reel_format --test golden`. Never rewrite an older version's
//! files: they are the compatibility promise.

#![allow(missing_docs)]

mod common;

use std::path::PathBuf;

use reel_format::{decode_slice, encode_to_vec, EncoderOptions, FORMAT_VERSION};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

const FILES: &[(&str, EncoderOptions)] = &[
    (
        "v1_uncompressed.reel",
        EncoderOptions {
            compression: reel_format::Compression::Off,
        },
    ),
    (
        "v1_lz4.reel",
        EncoderOptions {
            compression: reel_format::Compression::Lz4,
        },
    ),
];

#[test]
fn golden_files_decode_to_the_expected_messages() {
    let expected = common::sample_messages();
    if std::env::var_os("REEL_BLESS").is_some() {
        assert_eq!(FORMAT_VERSION, 1, "bless only the current version's files");
        for (name, options) in FILES {
            let bytes = encode_to_vec(&expected, *options).expect("encode");
            std::fs::write(golden_dir().join(name), bytes).expect("write golden file");
        }
    }
    for (name, _) in FILES {
        let path = golden_dir().join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut decoder = decode_slice(&bytes);
        let decoded: Vec<_> = (&mut decoder)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded, expected, "{name}");
        assert!(decoder.ended_cleanly(), "{name} has an end frame");
    }
}

#[test]
fn golden_files_are_small() {
    for (name, _) in FILES {
        let len = std::fs::metadata(golden_dir().join(name))
            .expect("golden file")
            .len();
        assert!(len < 64 * 1024, "{name} is {len} bytes");
    }
}
