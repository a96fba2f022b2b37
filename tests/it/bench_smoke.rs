//! A small version of the issue 6 benchmark (`bench/compare.sh`), run as a
//! test: it checks what the benchmark relies on, not the timing. A
//! 20,000-row month from `examples/gen_log.rs`, in time order, shuffled and as
//! webhook JSON Lines, gives the same counts, summary lines and total in
//! `wacost estimate`; every row ends as exactly one outcome; `examples/minimal_pass.rs`
//! reads the same number of rows.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{counts, run, total, wacost};
use serde_json::Value;

const ROWS: u64 = 20_000;
const SEED: &str = "7";

/// `cargo run --example NAME -- ARGS`, in this package, returning stdout.
fn example(name: &str, args: &[&str]) -> Vec<u8> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let out = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .args(["--example", name, "--"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "example {name} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Writes `gen_log --rows ROWS --seed SEED EXTRA` to `dir/name`.
fn generate(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let rows = ROWS.to_string();
    let mut args = vec!["--rows", rows.as_str(), "--seed", SEED];
    args.extend(extra);
    let path = dir.join(name);
    std::fs::write(&path, example("gen_log", &args)).unwrap();
    path
}

/// `estimate -v` with hand-overs every 1,000 messages, as a large log
/// streams; returns the summary and stderr.
fn estimate(path: &Path) -> (Value, String) {
    let mut c = wacost();
    c.env("WACOST_STREAM_BATCH", "1000")
        .arg("estimate")
        .arg(path)
        .args(["--tz", "UTC", "--format", "json", "-v"]);
    let r = run(c);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    (r.json(), r.stderr)
}

/// The summary lines without their `failed` counts.
fn without_failed(v: &Value) -> Vec<Value> {
    let mut lines = v["lines"].as_array().unwrap().clone();
    for l in &mut lines {
        l.as_object_mut().unwrap().remove("failed");
    }
    lines
}

#[test]
fn generated_month_prices_the_same_in_any_order_and_format() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        generate(dir.path(), "sorted.csv", &[]),
        generate(dir.path(), "shuffled.csv", &["--shuffle"]),
        generate(dir.path(), "sorted.jsonl", &["--format", "webhook"]),
        generate(
            dir.path(),
            "shuffled.jsonl",
            &["--shuffle", "--format", "webhook"],
        ),
    ];
    let csv_rows = std::fs::read_to_string(&files[0]).unwrap().lines().count() as u64 - 1;
    assert_eq!(csv_rows, ROWS);

    let (results, how): (Vec<Value>, Vec<String>) = files.iter().map(|f| estimate(f)).unzip();
    assert!(
        how[0].contains("streamed the time-sorted input"),
        "{}",
        how[0]
    );
    assert!(how[1].contains("not sorted by time"), "{}", how[1]);
    let first = &results[0];
    let (rows, inbound, outbound, billable, free, failed, rejected) = counts(first);
    assert_eq!(rows, ROWS, "every CSV row is read");
    assert_eq!(rows, inbound + billable + free + failed + rejected);
    assert_eq!(
        outbound,
        billable + free + failed,
        "outbound counts priced rows"
    );
    // The month has traffic of every kind, or the benchmark measures little.
    assert!(inbound > 0 && billable > 0 && free > 0 && failed > 0);
    assert_ne!(total(first), "0.0000");
    for (f, r) in files.iter().zip(&results).skip(1) {
        let name = f.file_name().unwrap().to_string_lossy();
        assert_eq!(counts(r), counts(first), "counts of {name}");
        assert_eq!(total(r), total(first), "total of {name}");
        if name.ends_with(".csv") {
            assert_eq!(r["lines"], first["lines"], "lines of {name}");
        } else {
            // A failed status carries no `pricing` object, so in webhook input
            // a failed template has no category and counts under `service`.
            assert_eq!(without_failed(r), without_failed(first), "lines of {name}");
        }
    }

    let path = files[0].to_str().unwrap();
    let minimal = String::from_utf8(example("minimal_pass", &[path])).unwrap();
    assert!(
        minimal.starts_with(&format!("rows={ROWS} ")),
        "minimal_pass: {minimal}"
    );
    assert!(
        minimal.contains(" bad_contacts=0"),
        "minimal_pass: {minimal}"
    );
}
