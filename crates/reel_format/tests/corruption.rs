//! Damaged input: truncation at every offset, flipped bytes, lying lengths, and a bounded
//! mutation fuzzer. The decoder must never panic, must yield every whole message before
//! the damage, and must then report one error naming an offset inside the input.

#![allow(missing_docs)]

mod common;

use reel_core::LogMsg;
use reel_format::frame::{FrameHeader, FRAME_HEADER_LEN, STREAM_HEADER_LEN};
use reel_format::{
    decode_slice, encode_to_vec, Compression, DecodeError, Decoder, DecoderOptions, EncoderOptions,
    StreamDecoder,
};

fn both_encodings() -> Vec<(Vec<LogMsg>, Vec<u8>)> {
    let msgs = common::sample_messages();
    let lz4 = EncoderOptions {
        compression: Compression::Lz4,
    };
    // Zstandard (the default) first, then no compression, then LZ4.
    [
        EncoderOptions::default(),
        EncoderOptions::uncompressed(),
        lz4,
    ]
    .into_iter()
    .map(|o| (msgs.clone(), encode_to_vec(&msgs, o).expect("encode")))
    .collect()
}

/// Decodes everything; returns the messages before the first error, and the error.
fn decode_all(bytes: &[u8]) -> (Vec<LogMsg>, Option<DecodeError>) {
    let mut ok = Vec::new();
    let mut decoder = decode_slice(bytes);
    let mut error = None;
    for item in &mut decoder {
        match item {
            Ok(m) => ok.push(m),
            Err(e) => {
                assert!(error.is_none(), "a second error after {error:?}: {e}");
                error = Some(e);
            }
        }
    }
    (ok, error)
}

/// Offsets of each frame's end (the stream header's end first).
fn frame_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = vec![STREAM_HEADER_LEN];
    let mut decoder = decode_slice(bytes);
    while let Some(Ok(m)) = decoder.next_message() {
        ends.push((m.offset + m.frame_bytes) as usize);
    }
    ends
}

#[test]
fn truncation_at_every_offset_yields_whole_messages_then_one_error() {
    for (msgs, bytes) in both_encodings() {
        let ends = frame_ends(&bytes);
        for cut in 0..bytes.len() {
            let (ok, err) = decode_all(&bytes[..cut]);
            // Every message whose frame ends at or before the cut is decoded...
            let whole = ends[1..].iter().filter(|&&e| e <= cut).count();
            assert_eq!(ok, msgs[..whole], "cut at {cut}");
            // ...and then exactly one truncation error inside the input.
            let err = err.unwrap_or_else(|| panic!("cut at {cut}: no error"));
            assert!(
                matches!(err, DecodeError::Truncated { .. }),
                "cut at {cut}: {err}"
            );
            assert!(
                err.offset() <= cut as u64,
                "cut at {cut}: offset {}",
                err.offset()
            );
        }
        // The whole stream decodes cleanly.
        let (ok, err) = decode_all(&bytes);
        assert_eq!(ok, msgs);
        assert!(err.is_none());
    }
}

#[test]
fn every_flipped_byte_is_caught_or_harmless() {
    for (msgs, bytes) in both_encodings() {
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x5a;
            let (ok, err) = decode_all(&damaged);
            assert!(
                msgs.starts_with(&ok),
                "flip at {i}: a decoded message differs"
            );
            let e = err.unwrap_or_else(|| panic!("flip at {i} went unnoticed"));
            assert!(
                e.offset() <= i as u64,
                "flip at {i}: {e} names a later offset"
            );
        }
    }
}

/// Rewrites the first data frame's header with `edit`, keeping its checksum valid.
fn edit_first_frame(bytes: &[u8], edit: impl Fn(&mut FrameHeader)) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let at = STREAM_HEADER_LEN;
    let hb: [u8; FRAME_HEADER_LEN] = out[at..at + FRAME_HEADER_LEN].try_into().expect("header");
    let mut h = FrameHeader::from_bytes(&hb);
    let payload_len = h.stored_len as usize;
    edit(&mut h);
    let payload_end = (at + FRAME_HEADER_LEN + payload_len).min(out.len());
    let payload = out[at + FRAME_HEADER_LEN..payload_end].to_vec();
    h.checksum = h.compute_checksum(&payload);
    out[at..at + FRAME_HEADER_LEN].copy_from_slice(&h.to_bytes());
    out
}

#[test]
fn lying_lengths_are_bounded_errors() {
    let (_, bytes) = &both_encodings()[1];
    // A huge stored length: refused before any allocation.
    let huge = edit_first_frame(bytes, |h| {
        h.stored_len = 1 << 60;
        h.raw_len = 1 << 60;
    });
    let (ok, err) = decode_all(&huge);
    assert!(ok.is_empty());
    assert!(
        matches!(err, Some(DecodeError::TooLarge { offset: 16, .. })),
        "{err:?}"
    );

    // Under the bound but longer than the input: a truncation, not an allocation of it.
    let long = edit_first_frame(bytes, |h| {
        h.stored_len = 1 << 31;
        h.raw_len = 1 << 31;
    });
    let (_, err) = decode_all(&long);
    assert!(
        matches!(
            err,
            Some(DecodeError::Truncated {
                what: "payload",
                ..
            })
        ),
        "{err:?}"
    );

    // A raw length that does not match an uncompressed payload.
    let mismatch = edit_first_frame(bytes, |h| h.raw_len += 1);
    let (_, err) = decode_all(&mismatch);
    assert!(
        matches!(err, Some(DecodeError::BadLength { .. })),
        "{err:?}"
    );

    // An impossible compression ratio.
    let ratio = edit_first_frame(bytes, |h| {
        h.flags = reel_format::frame::FLAG_LZ4;
        h.raw_len = h.stored_len * 1000;
    });
    let (_, err) = decode_all(&ratio);
    assert!(
        matches!(err, Some(DecodeError::BadLength { .. })),
        "{err:?}"
    );

    // A configured bound smaller than a real message.
    let mut small = Decoder::with_options(
        &bytes[..],
        DecoderOptions {
            max_message_bytes: 64,
            ..Default::default()
        },
    );
    let first = small.next().expect("an item");
    assert!(
        matches!(first, Err(DecodeError::TooLarge { max: 64, .. })),
        "{first:?}"
    );
    assert!(small.next().is_none(), "the stream ends after an error");
}

#[test]
fn compression_flags_follow_the_stream_version() {
    use reel_format::frame::{FLAG_LZ4, FLAG_ZSTD};
    let (_, plain) = &both_encodings()[1];
    let mut rng = common::Rng(7);
    let agree = |bytes: &[u8], rng: &mut common::Rng| {
        let (ok, err) = decode_all(bytes);
        let (stream_ok, stream_err) = push_all(bytes, rng);
        assert_eq!(ok, stream_ok);
        assert_eq!(
            err.as_ref().map(ToString::to_string),
            stream_err.as_ref().map(ToString::to_string)
        );
        err
    };

    // Version 2 reads a Zstandard flag; a payload that is not Zstandard fails to
    // decompress (checksum and all), it does not panic.
    let not_zstd = edit_first_frame(plain, |h| h.flags = FLAG_ZSTD);
    let err = agree(&not_zstd, &mut rng);
    assert!(
        matches!(err, Some(DecodeError::Decompress { offset: 16, .. })),
        "{err:?}"
    );

    // Version 1 has no such flag.
    let mut v1 = not_zstd.clone();
    v1[4..6].copy_from_slice(&1u16.to_le_bytes());
    let err = agree(&v1, &mut rng);
    assert!(
        matches!(err, Some(DecodeError::UnknownFlags { offset: 16, .. })),
        "{err:?}"
    );

    // Two compressions at once is no compression this format knows.
    let both = edit_first_frame(plain, |h| h.flags = FLAG_LZ4 | FLAG_ZSTD);
    let err = agree(&both, &mut rng);
    assert!(
        matches!(err, Some(DecodeError::UnknownFlags { offset: 16, .. })),
        "{err:?}"
    );
}

#[test]
fn header_errors_are_typed() {
    let (_, bytes) = &both_encodings()[0];
    let mut wrong_magic = bytes.clone();
    wrong_magic[0] = b'X';
    assert!(matches!(
        decode_all(&wrong_magic).1,
        Some(DecodeError::BadMagic { offset: 0, .. })
    ));

    let mut newer = bytes.clone();
    newer[4] = 99;
    let err = decode_all(&newer).1.expect("error");
    assert!(
        matches!(err, DecodeError::UnsupportedVersion { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade reel"), "{err}");

    let unknown_kind = edit_first_frame(bytes, |h| h.kind = 77);
    assert!(matches!(
        decode_all(&unknown_kind).1,
        Some(DecodeError::UnknownKind {
            kind: 77,
            offset: 16
        })
    ));

    let unknown_flag = edit_first_frame(bytes, |h| h.flags = 0x80);
    assert!(matches!(
        decode_all(&unknown_flag).1,
        Some(DecodeError::UnknownFlags { .. })
    ));

    assert!(matches!(
        decode_all(b"").1,
        Some(DecodeError::Truncated { offset: 0, .. })
    ));
    assert!(matches!(
        decode_all(b"GIF89a......garbage").1,
        Some(DecodeError::BadMagic { .. })
    ));
}

#[test]
fn concatenated_streams_decode_in_order() {
    let (msgs, bytes) = &both_encodings()[0];
    let twice = [bytes.as_slice(), bytes.as_slice()].concat();
    let mut decoder = decode_slice(&twice);
    let all: Vec<_> = (&mut decoder).collect::<Result<_, _>>().expect("decode");
    assert_eq!(all, [msgs.as_slice(), msgs.as_slice()].concat());
    assert!(decoder.ended_cleanly());
}

/// Pushes `bytes` in pieces of random sizes (from 1 byte to past the whole input).
fn push_all(bytes: &[u8], rng: &mut common::Rng) -> (Vec<LogMsg>, Option<DecodeError>) {
    let mut decoder = StreamDecoder::default();
    let (mut ok, mut error) = (Vec::new(), None);
    let mut rest = bytes;
    while !rest.is_empty() {
        let most = if rng.below(2) == 0 { 8 } else { 4096 };
        let n = (1 + rng.below(most)).min(rest.len());
        for item in decoder.push(&rest[..n]) {
            match item {
                Ok(m) => ok.push(m.msg),
                Err(e) => {
                    assert!(error.is_none(), "a second error after {error:?}: {e}");
                    error = Some(e);
                }
            }
        }
        rest = &rest[n..];
    }
    if let Err(e) = decoder.finish() {
        assert!(error.is_none(), "finish reported {e} after {error:?}");
        error = Some(e);
    }
    (ok, error)
}

/// The push decoder agrees with the reading decoder on every input: the same messages, and
/// an error at the same offset whenever there is one.
fn assert_push_agrees(bytes: &[u8], rng: &mut common::Rng) {
    let (expected, expected_err) = decode_all(bytes);
    let (got, got_err) = push_all(bytes, rng);
    assert_eq!(got, expected);
    assert_eq!(
        got_err.as_ref().map(DecodeError::offset),
        expected_err.as_ref().map(DecodeError::offset),
        "push: {got_err:?}, read: {expected_err:?}"
    );
}

#[test]
fn pushed_pieces_decode_like_a_reader() {
    let mut rng = common::Rng(0x9e37);
    for (_, bytes) in both_encodings() {
        let twice = [bytes.as_slice(), bytes.as_slice()].concat();
        assert_push_agrees(&twice, &mut rng);
        for cut in 0..bytes.len() {
            assert_push_agrees(&bytes[..cut], &mut rng);
        }
    }
    let corpus: Vec<Vec<u8>> = both_encodings().into_iter().map(|(_, b)| b).collect();
    for _ in 0..1000 {
        let input = mutate(&corpus, &mut rng);
        assert_push_agrees(&input, &mut rng);
    }
}

#[test]
fn pushed_lying_length_fails_without_waiting() {
    let (_, bytes) = &both_encodings()[1];
    let lying = edit_first_frame(bytes, |h| {
        h.stored_len = u64::MAX / 2;
        h.raw_len = u64::MAX / 2;
    });
    let mut decoder = StreamDecoder::default();
    let out = decoder.push(&lying[..STREAM_HEADER_LEN + FRAME_HEADER_LEN]);
    assert!(
        matches!(out.as_slice(), [Err(DecodeError::TooLarge { .. })]),
        "{out:?}"
    );
    assert!(decoder.failed());
    assert!(
        decoder.push(&lying).is_empty(),
        "pushes after an error are ignored"
    );
}

/// Bounded mutation fuzzing: random byte edits, insertions, deletions and splices, half of
/// them with the checksum repaired so that the payload parsers (JSON, Arrow IPC, chunk
/// validation) see crafted input. `REEL_FUZZ_ITERATIONS` sets the count (default 3000).
#[test]
fn mutation_fuzz_never_panics() {
    let iterations: usize = std::env::var("REEL_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let seed = std::env::var("REEL_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed);
    let corpus: Vec<Vec<u8>> = both_encodings().into_iter().map(|(_, b)| b).collect();
    let mut rng = common::Rng(seed);
    for i in 0..iterations {
        let input = mutate(&corpus, &mut rng);
        let result = std::panic::catch_unwind(|| {
            let (_, err) = decode_all(&input);
            if let Some(e) = err {
                assert!(e.offset() <= input.len() as u64, "{e} is past the end");
            }
        });
        if result.is_err() {
            let path = std::env::temp_dir().join(format!("reel-fuzz-crash-{seed}-{i}.reel"));
            std::fs::write(&path, &input).ok();
            panic!("decoder panicked on input saved at {}", path.display());
        }
    }
}

fn mutate(corpus: &[Vec<u8>], rng: &mut common::Rng) -> Vec<u8> {
    let mut data = corpus[rng.below(corpus.len())].clone();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len());
        match rng.below(5) {
            0 => data[at] = rng.next_u64() as u8,
            1 => data[at] ^= 1 << rng.below(8),
            2 => data.insert(at, rng.next_u64() as u8),
            3 => {
                data.remove(at);
            }
            _ => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len());
                let len = rng.below(64).min(other.len() - from);
                data.splice(at..at, other[from..from + len].iter().copied());
            }
        }
    }
    if rng.below(2) == 0 {
        fix_checksums(&mut data);
    }
    data
}

/// Walks the frames and recomputes each checksum, so damage reaches the payload parsers.
fn fix_checksums(data: &mut [u8]) {
    let mut at = STREAM_HEADER_LEN;
    while at + FRAME_HEADER_LEN <= data.len() {
        let hb: [u8; FRAME_HEADER_LEN] = data[at..at + FRAME_HEADER_LEN].try_into().expect("len");
        let mut h = FrameHeader::from_bytes(&hb);
        let start = at + FRAME_HEADER_LEN;
        let Some(end) = usize::try_from(h.stored_len)
            .ok()
            .and_then(|l| start.checked_add(l))
        else {
            return;
        };
        if end > data.len() {
            return;
        }
        h.checksum = h.compute_checksum(&data[start..end]);
        data[at..at + FRAME_HEADER_LEN].copy_from_slice(&h.to_bytes());
        at = end;
    }
}

#[test]
fn a_gate_is_asked_before_each_payload_and_can_refuse() {
    use std::sync::{Arc, Mutex};
    for (msgs, bytes) in both_encodings() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let seen = asked.clone();
        let gate = Box::new(move |need: u64| {
            seen.lock().expect("lock").push(need);
            Ok(())
        });
        let mut decoder = Decoder::new(bytes.as_slice()).with_gate(gate);
        let mut n = 0;
        while let Some(item) = decoder.next_message() {
            let decoded = item.expect("a valid stream");
            let asked = asked.lock().expect("lock");
            // Asked once per message (not for the end frame), for at least its payload.
            assert_eq!(asked.len(), n + 1);
            assert!(asked[n] + FRAME_HEADER_LEN as u64 >= decoded.frame_bytes);
            n += 1;
        }
        assert_eq!(n, msgs.len());
        assert!(decoder.ended_cleanly());

        let refusing = Box::new(|need: u64| Err(format!("no room for {need}")));
        let mut decoder = Decoder::new(bytes.as_slice()).with_gate(refusing);
        let err = decoder.next_message().and_then(Result::err);
        assert!(
            matches!(&err, Some(DecodeError::Refused { offset, reason, .. })
                if *offset == STREAM_HEADER_LEN as u64 && reason.starts_with("no room")),
            "{err:?}"
        );
        assert!(decoder.next_message().is_none(), "nothing after a refusal");
    }
}
