#![no_main]
//! JSON Lines of flat message records (Twilio BulkExport): `ingest::read_from`
//! with `InputFormat::Records`, the lines turned into CSV rows for the CSV
//! reader.

use libfuzzer_sys::fuzz_target;
use wacost::ingest::InputFormat;

mod common;

fuzz_target!(|data: &[u8]| {
    let r = common::read(data, Some(InputFormat::Records));
    common::check(&r);
    // Each record is one line of the file: no header line to skip.
    for m in &r.msgs {
        assert!(m.line >= 1, "message on line {}", m.line);
    }
});
