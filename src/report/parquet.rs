//! `--format parquet`: a column spec's machine columns (those CSV shows)
//! as one Parquet file, written a row group at a time so `--detail` keeps
//! the memory of one group. Types come from the values: counts `UInt64`,
//! money `Decimal128(38, 10)` (exact: a rate has at most 6 decimals, and
//! a value needing more than 10 is an error, never rounded), yes/no
//! `Boolean`, text `Utf8`; empty text, and text in a column of numbers
//! (`unpriced`), is null.

use std::io::{self, Write};
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Decimal128Builder, StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use rust_decimal::Decimal;

use super::columns::{Column, Row, Show, Value};

/// Rows gathered into one Arrow batch.
const BATCH: usize = 8192;
/// Rows per Parquet row group: the memory `--detail` holds.
const ROW_GROUP: usize = 65_536;
/// Decimal places of money columns.
const SCALE: u32 = 10;

/// A column's Arrow type, from the first value that tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Count,
    Money,
    Bool,
}

fn kind_of(v: &Value) -> Option<Kind> {
    match v {
        Value::Text(_) => None,
        Value::Count(_) => Some(Kind::Count),
        Value::Money(_) => Some(Kind::Money),
        Value::Bool(_) | Value::MaybeBool(_) => Some(Kind::Bool),
    }
}

/// Rows written as Parquet as they come.
pub struct ParquetRows {
    /// Indices of the spec's CSV columns and their keys.
    columns: Vec<(usize, &'static str)>,
    pending: Vec<Row>,
    writer: Option<(ArrowWriter<Vec<u8>>, SchemaRef, Vec<Kind>)>,
}

impl ParquetRows {
    pub fn new(cols: &[Column]) -> ParquetRows {
        let columns = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.show.has(Show::CSV))
            .map(|(i, c)| (i, c.key))
            .collect();
        ParquetRows {
            columns,
            pending: Vec::new(),
            writer: None,
        }
    }

    pub fn row(&mut self, row: &[Value], w: &mut dyn Write) -> io::Result<()> {
        self.pending.push(row.to_vec());
        if self.pending.len() >= BATCH {
            self.write_batch(w)?;
        }
        Ok(())
    }

    /// The last rows and the file's footer.
    pub fn finish(mut self, w: &mut dyn Write) -> io::Result<()> {
        self.write_batch(w)?;
        if self.writer.is_none() {
            self.start()?;
        }
        if let Some((writer, _, _)) = self.writer.take() {
            w.write_all(&writer.into_inner().map_err(io::Error::other)?)?;
        }
        Ok(())
    }

    /// Types from the rows at hand (text where none tells), and the writer.
    fn start(&mut self) -> io::Result<()> {
        let kinds: Vec<Kind> = self
            .columns
            .iter()
            .map(|(i, _)| {
                self.pending
                    .iter()
                    .find_map(|r| kind_of(&r[*i]))
                    .unwrap_or(Kind::Text)
            })
            .collect();
        let fields: Vec<Field> = self
            .columns
            .iter()
            .zip(&kinds)
            .map(|((_, key), k)| Field::new(*key, data_type(*k), true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .build();
        let writer = ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props))
            .map_err(io::Error::other)?;
        self.writer = Some((writer, schema, kinds));
        Ok(())
    }

    fn write_batch(&mut self, w: &mut dyn Write) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if self.writer.is_none() {
            self.start()?;
        }
        let rows = std::mem::take(&mut self.pending);
        let Some((writer, schema, kinds)) = self.writer.as_mut() else {
            return Ok(());
        };
        let arrays = self
            .columns
            .iter()
            .zip(kinds.iter())
            .map(|((i, key), k)| array(&rows, *i, *k, key))
            .collect::<io::Result<Vec<ArrayRef>>>()?;
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(io::Error::other)?;
        writer.write(&batch).map_err(io::Error::other)?;
        // Row groups already closed go out now: memory stays one group.
        w.write_all(&std::mem::take(writer.inner_mut()))
    }
}

fn data_type(k: Kind) -> DataType {
    match k {
        Kind::Text => DataType::Utf8,
        Kind::Count => DataType::UInt64,
        Kind::Money => DataType::Decimal128(38, SCALE as i8),
        Kind::Bool => DataType::Boolean,
    }
}

/// Column `i` of the rows as an Arrow array of kind `k`.
fn array(rows: &[Row], i: usize, k: Kind, key: &str) -> io::Result<ArrayRef> {
    let values = rows.iter().map(|r| &r[i]);
    Ok(match k {
        Kind::Text => {
            let mut b = StringBuilder::new();
            values.for_each(|v| match v.text() {
                t if t.is_empty() => b.append_null(),
                t => b.append_value(t),
            });
            Arc::new(b.finish())
        }
        Kind::Count => {
            let mut b = UInt64Builder::new();
            values.for_each(|v| {
                b.append_option(if let Value::Count(n) = v {
                    Some(*n)
                } else {
                    None
                })
            });
            Arc::new(b.finish())
        }
        Kind::Money => {
            let mut b = Decimal128Builder::new();
            for v in values {
                b.append_option(match v {
                    Value::Money(d) => Some(mantissa(*d, key)?),
                    _ => None,
                });
            }
            Arc::new(
                b.finish()
                    .with_precision_and_scale(38, SCALE as i8)
                    .map_err(io::Error::other)?,
            )
        }
        Kind::Bool => {
            let mut b = BooleanBuilder::new();
            values.for_each(|v| {
                b.append_option(match v {
                    Value::Bool(x) => Some(*x),
                    Value::MaybeBool(x) => *x,
                    _ => None,
                })
            });
            Arc::new(b.finish())
        }
    })
}

/// An amount's digits at [`SCALE`] decimals, refused when it needs more.
fn mantissa(d: Decimal, key: &str) -> io::Result<i128> {
    let mut x = d.normalize();
    if x.scale() > SCALE {
        return Err(io::Error::other(format!(
            "column {key}: {d} has more than {SCALE} decimals; use --format csv or json"
        )));
    }
    x.rescale(SCALE);
    Ok(x.mantissa())
}

/// Header and rows as one Parquet file.
pub fn write<'r>(
    w: &mut dyn Write,
    cols: &[Column],
    rows: impl IntoIterator<Item = &'r Row>,
) -> io::Result<()> {
    let mut p = ParquetRows::new(cols);
    for r in rows {
        p.row(r, w)?;
    }
    p.finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Decimal128Type, UInt64Type};
    use arrow_array::Array;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use rust_decimal_macros::dec;

    fn spec() -> Vec<Column> {
        vec![
            Column::text("market"),
            Column::number("billable"),
            Column::number("cost"),
            Column::text("table_only").only(Show::TABLE),
        ]
    }

    /// The file's batches, and its rows.
    fn read(bytes: Vec<u8>) -> (Vec<RecordBatch>, usize) {
        let f = tempfile::tempfile().unwrap();
        (&f).write_all(&bytes).unwrap();
        let b = ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
        let batches: Vec<RecordBatch> = b.build().unwrap().map(Result::unwrap).collect();
        let rows = batches.iter().map(RecordBatch::num_rows).sum();
        (batches, rows)
    }

    #[test]
    fn values_keep_their_types_and_every_digit() {
        let rows: Vec<Row> = vec![
            vec![
                "Brazil".into(),
                3u64.into(),
                Value::Money(dec!(0.1875)),
                "x".into(),
            ],
            vec!["".into(), 0u64.into(), "unpriced".into(), "y".into()],
        ];
        let mut out = Vec::new();
        write(&mut out, &spec(), &rows).unwrap();
        let (batches, _) = read(out);
        let b = &batches[0];
        assert_eq!(
            b.schema()
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>(),
            ["market", "billable", "cost"]
        );
        assert_eq!(b.column(0).as_string::<i32>().value(0), "Brazil");
        assert!(b.column(0).is_null(1));
        assert_eq!(b.column(1).as_primitive::<UInt64Type>().value(0), 3);
        let cost = b.column(2).as_primitive::<Decimal128Type>();
        assert_eq!(cost.value_as_string(0), "0.1875000000");
        assert!(cost.is_null(1), "unpriced is null, never 0");
    }

    #[test]
    fn many_rows_stream_in_row_groups_and_empty_outputs_are_valid_files() {
        let rows: Vec<Row> = (0..20_000u64)
            .map(|n| {
                vec![
                    "m".into(),
                    n.into(),
                    Value::Money(dec!(0.0001) * Decimal::from(n)),
                    "".into(),
                ]
            })
            .collect();
        let mut out = Vec::new();
        write(&mut out, &spec(), &rows).unwrap();
        let (batches, n) = read(out);
        assert_eq!(n, 20_000);
        let last = batches.last().unwrap();
        assert_eq!(
            last.column(1)
                .as_primitive::<UInt64Type>()
                .value(last.num_rows() - 1),
            19_999
        );
        let mut empty = Vec::new();
        write(&mut empty, &spec(), &[]).unwrap();
        assert_eq!(read(empty).1, 0);
    }

    #[test]
    fn more_decimals_than_the_scale_is_refused() {
        let rows: Vec<Row> = vec![vec![
            "m".into(),
            1u64.into(),
            Value::Money(dec!(0.00000000001)),
            "".into(),
        ]];
        let e = write(&mut Vec::new(), &spec(), &rows).unwrap_err();
        assert!(e.to_string().contains("more than 10 decimals"), "{e}");
    }
}
