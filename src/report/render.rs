//! The one renderer: a column spec and its rows as a comfy-table table, CSV
//! or JSON. Outputs add their own envelope (JSON totals) and footers (the
//! lines under a table); the columns are written only here.

use std::io::{self, Write};

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ContentArrangement, Table};
use serde_json::{Map, Value as Json};

use super::columns::{Align, Column, Empty, Row, Show, Value};

/// The columns of `cols` shown in format `f`, with their index in a row.
fn shown(cols: &[Column], f: Show) -> impl Iterator<Item = (usize, &Column)> {
    cols.iter().enumerate().filter(move |(_, c)| c.show.has(f))
}

/// An empty table with the spec's headers. `dynamic` wraps cells to the
/// terminal's width.
pub fn table(cols: &[Column], dynamic: bool) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    if dynamic {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    }
    let header: Vec<String> = shown(cols, Show::TABLE)
        .map(|(_, c)| c.header.to_string())
        .collect();
    t.set_header(header);
    t
}

/// Adds one row to a table made by [`table`].
pub fn table_row(t: &mut Table, cols: &[Column], row: &[Value]) {
    let cells: Vec<Cell> = shown(cols, Show::TABLE)
        .map(|(i, c)| {
            let cell = Cell::new(row[i].text());
            match c.align {
                Align::Right => cell.set_alignment(CellAlignment::Right),
                Align::Left => cell,
            }
        })
        .collect();
    t.add_row(cells);
}

/// A whole table: headers and rows.
pub fn table_of<'r>(
    cols: &[Column],
    rows: impl IntoIterator<Item = &'r Row>,
    dynamic: bool,
) -> Table {
    let mut t = table(cols, dynamic);
    for r in rows {
        table_row(&mut t, cols, r);
    }
    t
}

/// The CSV header record of a spec.
pub fn csv_header<W: Write>(c: &mut csv::Writer<W>, cols: &[Column]) -> io::Result<()> {
    c.write_record(shown(cols, Show::CSV).map(|(_, col)| col.key))?;
    Ok(())
}

/// One CSV record.
pub fn csv_row<W: Write>(c: &mut csv::Writer<W>, cols: &[Column], row: &[Value]) -> io::Result<()> {
    c.write_record(shown(cols, Show::CSV).map(|(i, _)| row[i].text().into_owned()))?;
    Ok(())
}

/// Header and rows as CSV.
pub fn csv<'r>(
    w: &mut dyn Write,
    cols: &[Column],
    rows: impl IntoIterator<Item = &'r Row>,
) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    csv_header(&mut c, cols)?;
    for r in rows {
        csv_row(&mut c, cols, r)?;
    }
    c.flush()
}

/// Header and rows as CSV, each row ending with its money's currency
/// ([`Column::currency`]).
pub fn csv_in<'r>(
    w: &mut dyn Write,
    cols: &[Column],
    rows: impl IntoIterator<Item = &'r Row>,
    currency: &str,
) -> io::Result<()> {
    let mut cols = cols.to_vec();
    cols.push(Column::currency());
    let rows = rows.into_iter().map(|r| {
        let mut r = r.clone();
        r.push(currency.into());
        r
    });
    csv(w, &cols, rows.collect::<Vec<_>>().iter())
}

/// A value as JSON under its column's rule for empty text.
fn json_value(v: &Value, empty: Empty) -> Option<Json> {
    Some(match v {
        Value::Text(s) if s.is_empty() => match empty {
            Empty::Keep => Json::String(String::new()),
            Empty::Null => Json::Null,
            Empty::Omit => return None,
            Empty::False => Json::Bool(false),
        },
        Value::Text(s) => Json::String(s.clone()),
        Value::Count(n) => Json::from(*n),
        Value::Money(_) => Json::String(v.text().into_owned()),
        Value::Bool(b) => Json::Bool(*b),
        Value::MaybeBool(b) => b.map_or(Json::Null, Json::Bool),
    })
}

/// One row as a JSON object.
pub fn json_object(cols: &[Column], row: &[Value]) -> Json {
    let mut o = Map::new();
    for (i, c) in shown(cols, Show::JSON) {
        if let Some(v) = json_value(&row[i], c.empty) {
            o.insert(c.key.into(), v);
        }
    }
    Json::Object(o)
}

/// Rows as a JSON array of objects.
pub fn json_array<'r>(cols: &[Column], rows: impl IntoIterator<Item = &'r Row>) -> Json {
    Json::Array(rows.into_iter().map(|r| json_object(cols, r)).collect())
}

/// Pretty JSON and a final newline.
pub fn write_json(w: &mut dyn Write, v: &Json) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, v)?;
    writeln!(w)
}

/// Rows written one at a time as they come (`--detail`): CSV records and
/// JSON Lines go out at once; a table is printed whole at the end.
pub enum RowStream<'w> {
    Csv(csv::Writer<&'w mut dyn Write>),
    Json(&'w mut dyn Write),
    Table(Table, &'w mut dyn Write),
}

impl<'w> RowStream<'w> {
    /// Starts the output (the CSV header now).
    pub fn new(
        format: super::Format,
        cols: &[Column],
        w: &'w mut dyn Write,
    ) -> io::Result<RowStream<'w>> {
        Ok(match format {
            super::Format::Csv => {
                let mut c = csv::Writer::from_writer(w);
                csv_header(&mut c, cols)?;
                RowStream::Csv(c)
            }
            super::Format::Json => RowStream::Json(w),
            super::Format::Table => RowStream::Table(table(cols, false), w),
        })
    }

    pub fn row(&mut self, cols: &[Column], row: &[Value]) -> io::Result<()> {
        match self {
            RowStream::Csv(c) => csv_row(c, cols, row),
            RowStream::Json(w) => {
                serde_json::to_writer(&mut **w, &json_object(cols, row))?;
                writeln!(w)
            }
            RowStream::Table(t, _) => {
                table_row(t, cols, row);
                Ok(())
            }
        }
    }

    pub fn finish(self) -> io::Result<()> {
        match self {
            RowStream::Csv(mut c) => c.flush(),
            RowStream::Json(_) => Ok(()),
            RowStream::Table(t, w) => writeln!(w, "{t}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Vec<Column> {
        vec![
            Column::text("name"),
            Column::number("n").header("count"),
            Column::text("note").empty(Empty::Null).only(Show::DATA),
            Column::text("gone").empty(Empty::Omit).only(Show::JSON),
            Column::text("ok").empty(Empty::False).only(Show::JSON),
            Column::text("wide").only(Show::TABLE),
        ]
    }

    fn row() -> Row {
        vec![
            "a".into(),
            7u64.into(),
            "".into(),
            "".into(),
            "".into(),
            "x".into(),
        ]
    }

    #[test]
    fn csv_has_the_csv_columns_in_order() {
        let mut out = Vec::new();
        csv(&mut out, &spec(), &[row()]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "name,n,note\na,7,\n");
    }

    #[test]
    fn json_types_values_and_applies_the_empty_rule() {
        let v = json_object(&spec(), &row());
        assert_eq!(
            v,
            serde_json::json!({"name": "a", "n": 7, "note": null, "ok": false})
        );
    }

    #[test]
    fn table_has_the_table_headers_and_alignment() {
        let t = table_of(&spec(), &[row()], false).to_string();
        let lines: Vec<&str> = t.lines().collect();
        assert!(
            lines[1].contains("name") && lines[1].contains("count") && lines[1].contains("wide")
        );
        assert!(!t.contains("note"), "{t}");
        assert!(lines[3].contains("a    ┆     7 ┆ x"), "{t}");
    }
}
