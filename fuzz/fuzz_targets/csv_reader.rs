#![no_main]
//! CSV message logs: `ingest::read_from` with `InputFormat::Csv`.

use libfuzzer_sys::fuzz_target;
use wacost::ingest::InputFormat;

mod common;

fuzz_target!(|data: &[u8]| {
    let r = common::read(data, Some(InputFormat::Csv));
    common::check(&r);
    // CSV rows always carry a line: the header is line 1.
    for m in &r.msgs {
        assert!(m.line >= 2, "message on line {}", m.line);
    }
});
