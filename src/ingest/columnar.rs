//! Parquet and Arrow IPC logs (warehouse exports, Spark, BigQuery,
//! Snowflake): read one record batch at a time and handed to the CSV
//! reader as CSV rows, so the same columns, aliases, profiles, `--map`
//! words and row checks apply, and memory stays one batch. A row's "line"
//! is its row number plus one (the header is line 1), as a CSV export of
//! the same table would number it.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::panic::AssertUnwindSafe;

use arrow_array::RecordBatch;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::ArrowError;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::InputError;

/// A columnar file's kind, told by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columnar {
    Parquet,
    /// Arrow IPC file (`ARROW1`) or stream (a continuation marker).
    ArrowFile,
    ArrowStream,
}

/// Rows per batch read from Parquet: memory is one batch.
const BATCH_ROWS: usize = 8192;

/// The kind of a file from its first bytes; `None` for text (CSV, JSON).
pub fn sniff(path: &str) -> Option<Columnar> {
    if path == "-" {
        return None;
    }
    let mut head = [0u8; 8];
    let n = File::open(path).and_then(|mut f| f.read(&mut head)).ok()?;
    match &head[..n] {
        h if h.starts_with(b"PAR1") => Some(Columnar::Parquet),
        h if h.starts_with(b"ARROW1") => Some(Columnar::ArrowFile),
        [0xff, 0xff, 0xff, 0xff, ..] => Some(Columnar::ArrowStream),
        _ => None,
    }
}

type Batches = Box<dyn Iterator<Item = Result<RecordBatch, ArrowError>>>;

/// The file's rows as CSV text with a header, one batch at a time.
pub fn open_as_csv(path: &str, kind: Columnar) -> Result<Box<dyn BufRead>, InputError> {
    let format = |e: &dyn std::fmt::Display| InputError::Format {
        file: path.to_string(),
        msg: format!("not a readable {} file: {e}", name(kind)),
    };
    let file = File::open(path).map_err(|source| InputError::Io {
        file: path.to_string(),
        source,
    })?;
    let opened = std::panic::catch_unwind(move || batches_of(file, kind));
    let batches = opened.unwrap_or_else(|_| {
        Err(ArrowError::ParseError(
            "the reader failed on this file".into(),
        ))
    });
    let batches = batches.map_err(|e| format(&e))?;
    Ok(Box::new(CsvRows {
        batches,
        buf: Vec::new(),
        pos: 0,
        header: false,
    }))
}

/// The file's record batches. A corrupt file can make the Parquet or
/// Arrow library panic: callers catch it and say so, as for any error.
fn batches_of(file: File, kind: Columnar) -> Result<Batches, ArrowError> {
    Ok(match kind {
        Columnar::Parquet => {
            let b = ParquetRecordBatchReaderBuilder::try_new(file)?;
            Box::new(b.with_batch_size(BATCH_ROWS).build()?)
        }
        Columnar::ArrowFile => Box::new(arrow_ipc::reader::FileReader::try_new(file, None)?),
        Columnar::ArrowStream => Box::new(arrow_ipc::reader::StreamReader::try_new(
            io::BufReader::new(file),
            None,
        )?),
    })
}

fn name(kind: Columnar) -> &'static str {
    match kind {
        Columnar::Parquet => "Parquet",
        Columnar::ArrowFile | Columnar::ArrowStream => "Arrow IPC",
    }
}

/// Record batches written as CSV as the reader asks for bytes.
struct CsvRows {
    batches: Batches,
    buf: Vec<u8>,
    pos: usize,
    header: bool,
}

impl CsvRows {
    /// The next batch's rows (after the header, before the first batch);
    /// false at the end.
    fn refill(&mut self) -> io::Result<bool> {
        self.buf.clear();
        self.pos = 0;
        while self.buf.is_empty() {
            let next = std::panic::catch_unwind(AssertUnwindSafe(|| self.batches.next()));
            let Some(batch) = next.map_err(|_| {
                io::Error::other(
                    "corrupt or unsupported: the Parquet or Arrow library failed on its data",
                )
            })?
            else {
                return Ok(false);
            };
            let batch = batch.map_err(io::Error::other)?;
            let mut w = csv::Writer::from_writer(&mut self.buf);
            if !self.header {
                self.header = true;
                w.write_record(batch.schema().fields().iter().map(|f| f.name().as_str()))?;
            }
            write_rows(&mut w, &batch)?;
            w.flush()?;
        }
        Ok(true)
    }
}

/// A batch's rows: each value as Arrow displays it (timestamps in RFC
/// 3339, decimals exact), nulls empty.
fn write_rows<W: io::Write>(w: &mut csv::Writer<W>, batch: &RecordBatch) -> io::Result<()> {
    let options = FormatOptions::default().with_null("");
    let columns: Vec<ArrayFormatter<'_>> = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<Result<_, _>>()
        .map_err(io::Error::other)?;
    let mut record = csv::StringRecord::new();
    for row in 0..batch.num_rows() {
        record.clear();
        for c in &columns {
            record.push_field(&c.value(row).to_string());
        }
        w.write_record(&record)?;
    }
    Ok(())
}

impl Read for CsvRows {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for CsvRows {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.buf.len() && !self.refill()? {
            return Ok(&[]);
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow_array::{ArrayRef, StringArray, TimestampSecondArray};
    use parquet::arrow::ArrowWriter;

    fn batch() -> RecordBatch {
        let ts = TimestampSecondArray::from(vec![Some(1_790_000_000), None]).with_timezone("UTC");
        let contact = StringArray::from(vec![Some("+5511987654321"), Some("a,\"b")]);
        RecordBatch::try_from_iter([
            ("timestamp", Arc::new(ts) as ArrayRef),
            ("contact", Arc::new(contact) as ArrayRef),
        ])
        .unwrap()
    }

    fn text_of(path: &str, kind: Columnar) -> String {
        let mut s = String::new();
        open_as_csv(path, kind)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn parquet_and_arrow_files_read_as_csv_rows() {
        let dir = tempfile::tempdir().unwrap();
        let pq = dir.path().join("log.parquet");
        let mut w =
            ArrowWriter::try_new(File::create(&pq).unwrap(), batch().schema(), None).unwrap();
        w.write(&batch()).unwrap();
        w.close().unwrap();
        let ipc = dir.path().join("log.arrow");
        let mut f =
            arrow_ipc::writer::FileWriter::try_new(File::create(&ipc).unwrap(), &batch().schema())
                .unwrap();
        f.write(&batch()).unwrap();
        f.finish().unwrap();
        let want = "timestamp,contact\n2026-09-21T14:13:20Z,+5511987654321\n,\"a,\"\"b\"\n";
        for (path, kind) in [(&pq, Columnar::Parquet), (&ipc, Columnar::ArrowFile)] {
            let p = path.to_str().unwrap();
            assert_eq!(sniff(p), Some(kind));
            assert_eq!(text_of(p, kind), want);
        }
    }

    #[test]
    fn text_and_broken_files_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("log.csv");
        std::fs::write(&csv, "timestamp,contact\n").unwrap();
        assert_eq!(sniff(csv.to_str().unwrap()), None);
        let bad = dir.path().join("bad.parquet");
        std::fs::write(&bad, b"PAR1 not really").unwrap();
        let e = open_as_csv(bad.to_str().unwrap(), Columnar::Parquet)
            .err()
            .unwrap();
        assert!(e.to_string().contains("not a readable Parquet file"), "{e}");
    }
}
