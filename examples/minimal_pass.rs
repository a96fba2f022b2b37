//! `minimal_pass`: the floor for `wacost estimate` on a CSV log (issue 6).
//!
//! Reads every row of the CSV file named on the command line with
//! `csv::ReaderBuilder` and one reused `csv::ByteRecord`, parses the
//! `contact` column's digits into a `u64` key and updates one hash map
//! entry per contact (a message counter and a copy of the last timestamp
//! field). No timestamp parsing, no
//! classification, no pricing: whatever `wacost` does beyond this is the
//! cost of its rules.
//!
//! ```text
//! cargo run --release --example minimal_pass -- LOG.csv
//! rows=2000000 contacts=200000
//! ```
//!
//! Only `std` and the `csv` crate are used. Exit 2 on usage or I/O errors.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::process::ExitCode;

/// What the pass keeps per contact.
#[derive(Default)]
struct Seen {
    messages: u64,
    /// Last `timestamp` field seen, its first 24 bytes (enough for RFC 3339
    /// to the second), so that the pass touches the timestamp like a real
    /// classifier would without parsing it.
    last_ts: [u8; 24],
}

/// Digits of `s` as a number (separators such as `+`, spaces and dashes are
/// skipped); `None` when there are no digits or more than 19.
fn contact_key(s: &[u8]) -> Option<u64> {
    let mut v: u64 = 0;
    let mut n = 0;
    for &b in s {
        if b.is_ascii_digit() {
            v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            n += 1;
        }
    }
    (n > 0).then_some(v)
}

fn run(path: &str) -> Result<(u64, u64, usize), String> {
    let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(BufReader::with_capacity(1 << 16, file));
    let headers = rdr
        .byte_headers()
        .map_err(|e| format!("{path}: header: {e}"))?;
    let find = |name: &[u8]| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let contact_col = find(b"contact").ok_or(format!("{path}: no `contact` column"))?;
    let ts_col = find(b"timestamp").ok_or(format!("{path}: no `timestamp` column"))?;
    let mut map: HashMap<u64, Seen> = HashMap::new();
    let mut rec = csv::ByteRecord::new();
    let (mut rows, mut bad) = (0u64, 0u64);
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                rows += 1;
                let Some(key) = rec.get(contact_col).and_then(contact_key) else {
                    bad += 1;
                    continue;
                };
                let e = map.entry(key).or_default();
                e.messages += 1;
                if let Some(ts) = rec.get(ts_col) {
                    let n = ts.len().min(e.last_ts.len());
                    e.last_ts[..n].copy_from_slice(&ts[..n]);
                }
            }
            Err(e) => return Err(format!("{path}: {e}")),
        }
    }
    Ok((rows, bad, map.len()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("usage: minimal_pass LOG.csv");
        return ExitCode::from(2);
    };
    match run(path) {
        Ok((rows, bad, contacts)) => {
            println!("rows={rows} contacts={contacts} bad_contacts={bad}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("minimal_pass: {e}");
            ExitCode::from(2)
        }
    }
}
