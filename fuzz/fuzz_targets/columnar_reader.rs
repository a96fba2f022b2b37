#![no_main]
//! Parquet and Arrow IPC logs (`ingest::columnar`): any bytes written to a
//! file and read as `estimate FILE` reads it (the magic bytes decide), then
//! the reader invariants of `csv_reader`. A corrupt file is an error of
//! the input, never a crash (the Parquet and Arrow libraries' panics are
//! caught and reported).

use libfuzzer_sys::fuzz_target;
use wacost::ingest::{self, Inputs};

mod common;

/// Panics inside the Parquet and Arrow libraries unwind to the reader's
/// `catch_unwind` (which turns them into an input error) instead of
/// aborting as libFuzzer's hook does; any other panic still aborts.
fn library_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let file = info.location().map_or("", |l| l.file());
            if !(file.contains("/parquet-") || file.contains("/arrow-")) {
                abort(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    library_panics_unwind();
    let path = format!("/dev/shm/wacost-fuzz-columnar-{}.bin", std::process::id());
    std::fs::write(&path, data).expect("write the input");
    let mut inputs = Inputs::new(common::zone());
    let mut msgs = Vec::new();
    let mut rejected = Vec::new();
    let res = ingest::read_input(&path, None, &mut inputs, &mut |m| msgs.push(m), &mut |r| {
        rejected.push(r)
    });
    ingest::webhook::finish(&mut inputs, &mut |m| msgs.push(m), &mut |r| rejected.push(r));
    if let Err(e) = &res {
        assert!(e.to_string().contains("wacost-fuzz-columnar"), "the error names the file: {e}");
    }
    let read = common::Read {
        inputs,
        msgs,
        rejected,
        ok: res.is_ok(),
    };
    common::check(&read);
});
