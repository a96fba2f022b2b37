#![no_main]
//! The decoding reader of message logs (`toolkit::decode::reader`), then
//! the CSV reader on what it decodes. The first byte picks the encoding
//! (detected, or one of those `--encoding` names) and how many bytes each
//! read hands over; the rest is the file.

use std::io::{BufReader, Cursor, Read};

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use libfuzzer_sys::fuzz_target;
use wacost::ingest::toolkit::decode::{self, Decoding};
use wacost::ingest::{self, InputFormat, Inputs, TextSettings};

mod common;

const GIVEN: [Option<&Encoding>; 5] = [None, Some(UTF_8), Some(UTF_16LE), Some(UTF_16BE), Some(WINDOWS_1252)];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let given = GIVEN[usize::from(pick & 7) % GIVEN.len()];
    let step = usize::from(pick >> 3) + 1;
    let inner = BufReader::with_capacity(step, Cursor::new(file.to_vec()));
    let (mut r, found) = decode::reader(Box::new(inner), given).expect("in-memory reads do not fail");
    let mut out = Vec::new();
    r.read_to_end(&mut out).expect("in-memory reads do not fail");
    if given.is_none() && found.decoding == Decoding::Utf8 {
        // Passed through untouched, BOM and all.
        assert_eq!(out, file, "a UTF-8 stream is handed back as it is");
    } else {
        let text = std::str::from_utf8(&out).expect("decoded text is UTF-8");
        let rest = &file[found.bom..];
        let whole = found.decoding.encoding().decode_without_bom_handling(rest).0;
        assert_eq!(text, whole, "the stream decodes like the whole file");
        assert!(given.is_some() || found.guessed || found.bom > 0, "an undeclared encoding is a guess");
    }
    // The CSV reader on the same bytes and choice: rows conserved.
    let mut inputs = Inputs::new(common::zone());
    inputs.text = TextSettings {
        encoding: given,
        date_order: None,
    };
    let (mut msgs, mut rejected) = (Vec::new(), Vec::new());
    let inner = BufReader::with_capacity(step, Cursor::new(file.to_vec()));
    let ok = ingest::read_from(
        Box::new(inner),
        "fuzz.csv",
        Some(InputFormat::Csv),
        &mut inputs,
        &mut |m| msgs.push(m),
        &mut |r| rejected.push(r),
    )
    .is_ok();
    common::check(&common::Read {
        inputs,
        msgs,
        rejected,
        ok,
    });
});
