//! Parquet and Arrow IPC in and out (issue 18): a log exported as Parquet
//! (a typed UTC timestamp column, as warehouses write it) or Arrow prices
//! exactly as its CSV; `--format parquet` writes the summary and
//! `--detail` as typed Parquet that reads back to the same numbers.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, UInt64Type};
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray, TimestampSecondArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::{run, wacost};

fn example() -> String {
    format!(
        "{}/examples/brazil-shop-2026-09.csv",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The example log as a record batch: the timestamp typed (UTC seconds),
/// every other column text, empty cells null.
fn example_batch(extra_row: Option<[&str; 10]>) -> RecordBatch {
    let mut rdr = csv::Reader::from_path(example()).unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let mut rows: Vec<Vec<String>> = rdr
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    if let Some(r) = extra_row {
        rows.push(r.iter().map(|s| s.to_string()).collect());
    }
    let secs = rows.iter().map(|r| {
        chrono::DateTime::parse_from_rfc3339(&r[0])
            .ok()
            .map(|t| t.timestamp())
    });
    let ts = TimestampSecondArray::from(secs.collect::<Vec<_>>()).with_timezone("UTC");
    let mut columns: Vec<(String, ArrayRef)> = vec![(headers[0].clone(), Arc::new(ts))];
    for (i, name) in headers.iter().enumerate().skip(1) {
        let cells = rows
            .iter()
            .map(|r| Some(r[i].as_str()).filter(|s| !s.is_empty()));
        columns.push((
            name.clone(),
            Arc::new(StringArray::from(cells.collect::<Vec<_>>())),
        ));
    }
    RecordBatch::try_from_iter(columns).unwrap()
}

fn write_parquet(path: &Path, batch: &RecordBatch) {
    let mut w = ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), None).unwrap();
    // Several batches, as a warehouse's row groups.
    for start in (0..batch.num_rows()).step_by(40) {
        w.write(&batch.slice(start, 40.min(batch.num_rows() - start)))
            .unwrap();
    }
    w.close().unwrap();
}

fn estimate(file: &Path, extra: &[&str]) -> Value {
    let mut c = wacost();
    c.args(["estimate", "--tz", "America/Sao_Paulo", "--format", "json"])
        .arg(file)
        .args(extra);
    run(c).json()
}

fn read_back(path: &Path) -> Vec<RecordBatch> {
    let b = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    b.build().unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_parquet_or_arrow_log_prices_as_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let batch = example_batch(None);
    let pq = dir.path().join("log.parquet");
    write_parquet(&pq, &batch);
    let ipc = dir.path().join("log.arrow");
    let mut f =
        arrow_ipc::writer::FileWriter::try_new(File::create(&ipc).unwrap(), &batch.schema())
            .unwrap();
    f.write(&batch).unwrap();
    f.finish().unwrap();
    let csv = estimate(Path::new(&example()), &[]);
    assert_eq!(csv["total"], "2.0130");
    for file in [&pq, &ipc] {
        let v = estimate(file, &[]);
        for key in ["total", "counts", "lines", "assumptions"] {
            assert_eq!(v[key], csv[key], "{}: {key}", file.display());
        }
    }
    let named = estimate(&pq, &["--input", "parquet"]);
    assert_eq!(named["total"], csv["total"]);
}

#[test]
fn a_bad_parquet_row_is_rejected_with_its_row_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = [
        "2026-09-30T10:00:00Z",
        "sideways",
        "+5511987654321",
        "text",
        "",
        "wamid.X",
        "delivered",
        "",
        "1",
        "",
    ];
    let pq = dir.path().join("log.parquet");
    write_parquet(&pq, &example_batch(Some(bad)));
    let v = estimate(&pq, &[]);
    let rejected = v["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{v}");
    // 119 rows of the example, then this one: row 120, line 121.
    assert_eq!(rejected[0]["line"], 121);
    assert_eq!(v["total"], "2.0130");
}

#[test]
fn summary_and_detail_write_typed_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.parquet");
    let mut c = wacost();
    c.args([
        "estimate",
        "--tz",
        "America/Sao_Paulo",
        &example(),
        "--output",
    ])
    .arg(&summary);
    assert_eq!(run(c).code, 0);
    let batches = read_back(&summary);
    let lines: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(lines, 19, "the JSON summary's 19 lines");
    let cost: Decimal = batches.iter().flat_map(|b| money(b, "cost")).sum();
    assert_eq!(cost.normalize().to_string(), "2.013");

    let detail = dir.path().join("detail.parquet");
    let mut c = wacost();
    c.args([
        "estimate",
        "--tz",
        "America/Sao_Paulo",
        &example(),
        "--detail",
        "--format",
        "parquet",
        "-o",
    ])
    .arg(&detail);
    assert_eq!(run(c).code, 0);
    let batches = read_back(&detail);
    assert_eq!(
        batches.iter().map(RecordBatch::num_rows).sum::<usize>(),
        119
    );
    let cost: Decimal = batches.iter().flat_map(|b| money(b, "cost")).sum();
    assert_eq!(cost.normalize().to_string(), "2.013");
    let b = &batches[0];
    let line = b
        .column(b.schema().index_of("line").unwrap())
        .as_primitive::<UInt64Type>();
    assert_eq!(line.value(0), 2);
}

#[test]
fn input_parquet_on_a_text_file_says_what_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("log.csv");
    std::fs::write(&text, "timestamp,direction,contact\n").unwrap();
    let mut c = wacost();
    c.args(["estimate", "--input", "parquet"]).arg(&text);
    let r = run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("not a Parquet file: --input parquet reads Parquet files by name"),
        "{}",
        r.stderr
    );
}

/// A money column's values (nulls left out).
fn money(b: &RecordBatch, key: &str) -> Vec<Decimal> {
    let col = b
        .column(b.schema().index_of(key).unwrap())
        .as_primitive::<Decimal128Type>();
    (0..col.len())
        .filter(|i| !col.is_null(*i))
        .map(|i| Decimal::from_i128_with_scale(col.value(i), 10))
        .collect()
}

/// Found by the fuzz target `columnar_reader`: parquet 60.1.0 panics on
/// this file's byte-stream-split page; the run says the file is corrupt
/// and exits 2, it does not crash.
#[test]
fn a_file_the_parquet_library_panics_on_is_an_input_error() {
    let file = format!(
        "{}/tests/fixtures/fuzz/columnar-byte-stream-split.parquet",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut c = wacost();
    c.args(["estimate", "--format", "json", &file])
        .env_remove("RUST_BACKTRACE");
    let r = run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("columnar-byte-stream-split.parquet")
            && r.stderr.contains("corrupt or unsupported"),
        "{}",
        r.stderr
    );
}
