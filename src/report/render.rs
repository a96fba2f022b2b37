//! The one renderer: a column spec and its rows as a comfy-table table, CSV
//! or JSON. Outputs add their own envelope (JSON totals) and footers (the
//! lines under a table); the columns are written only here.

use std::fmt;
use std::io::{self, IsTerminal, Write};

use comfy_table::{
    presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table,
};
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
    let locale = super::locale::style().locale;
    let header: Vec<String> = shown(cols, Show::TABLE)
        .map(|(_, c)| locale.header(&c.header).into_owned())
        .collect();
    t.set_header(header);
    t
}

/// Adds one row to a table made by [`table`].
pub fn table_row(t: &mut Table, cols: &[Column], row: &[Value]) {
    let locale = super::locale::style().locale;
    let cells: Vec<Cell> = shown(cols, Show::TABLE)
        .map(|(i, c)| {
            let cell = Cell::new(locale.cell(&row[i]));
            match c.align {
                Align::Right => cell.set_alignment(CellAlignment::Right),
                Align::Left => cell,
            }
        })
        .collect();
    t.add_row(cells);
}

/// A whole table: headers and rows, fitted to the terminal ([`fit`]).
pub fn table_of<'r>(
    cols: &[Column],
    rows: impl IntoIterator<Item = &'r Row>,
    dynamic: bool,
) -> Fitted {
    let mut t = table(cols, dynamic);
    for r in rows {
        table_row(&mut t, cols, r);
    }
    fit(t, cols, width_limit())
}

/// The width tables must fit: `COLUMNS` when set (a person's or a test's
/// explicit choice), else the terminal's when stdout is one; `None`, no
/// limit, for pipes and files.
pub fn width_limit() -> Option<usize> {
    let columns = std::env::var("COLUMNS").ok();
    if let Some(n) = columns.and_then(|s| s.trim().parse::<usize>().ok()) {
        return (n > 0).then_some(n);
    }
    if !io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
}

/// A table fitted to a width, and the headers of the columns it left out
/// (named in a line under it).
pub struct Fitted {
    pub table: Table,
    pub dropped: Vec<String>,
}

impl fmt::Display for Fitted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.table)?;
        if !self.dropped.is_empty() {
            let columns = self.dropped.join(", ");
            let locale = super::locale::style().locale;
            if let Some(l) = locale.line("left_out", &[("columns", &columns)]) {
                return write!(f, "\n{l}");
            }
            write!(
                f,
                "\n(left out to fit the terminal: {columns}; --format csv shows all)"
            )?;
        }
        Ok(())
    }
}

/// The width of a table whose columns have these content widths, hidden
/// ones left out: each column pads a space either side, and borders sit
/// between and around them.
fn width_of(widths: &[u16], hidden: &[bool]) -> usize {
    let shown = widths.iter().zip(hidden).filter(|(_, h)| !**h);
    let (n, sum) = shown.fold((0, 0), |(n, s), (w, _)| (n + 1, s + usize::from(*w) + 2));
    sum + n + 1
}

/// Leaves optional columns out ([`Column::optional`], rank 1 first) until
/// the table fits `limit`, then wraps cells if it still does not.
pub fn fit(mut t: Table, cols: &[Column], limit: Option<usize>) -> Fitted {
    let mut dropped = Vec::new();
    let Some(limit) = limit else {
        return Fitted { table: t, dropped };
    };
    let widths = t.column_max_content_widths();
    let shown: Vec<&Column> = shown(cols, Show::TABLE).map(|(_, c)| c).collect();
    let mut hidden = vec![false; widths.len()];
    let mut order: Vec<usize> = (0..shown.len().min(widths.len()))
        .filter(|&i| shown[i].drop_rank > 0)
        .collect();
    order.sort_by_key(|&i| shown[i].drop_rank);
    for i in order {
        if width_of(&widths, &hidden) <= limit {
            break;
        }
        hidden[i] = true;
        if let Some(c) = t.column_mut(i) {
            c.set_constraint(ColumnConstraint::Hidden);
        }
        let locale = super::locale::style().locale;
        dropped.push(locale.header(&shown[i].header).into_owned());
    }
    if width_of(&widths, &hidden) > limit {
        t.set_content_arrangement(ContentArrangement::Dynamic);
        t.set_width(u16::try_from(limit).unwrap_or(u16::MAX));
    }
    Fitted { table: t, dropped }
}

/// A CSV writer in the run's dialect: standard, or excel-br (a UTF-8 BOM,
/// then `;` between fields).
fn csv_writer(w: &mut dyn Write) -> io::Result<csv::Writer<&mut dyn Write>> {
    let excel_br = super::locale::style().excel_br;
    if excel_br {
        w.write_all("\u{feff}".as_bytes())?;
    }
    let delimiter = if excel_br { b';' } else { b',' };
    Ok(csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(w))
}

/// A CSV field: money with a decimal comma in the excel-br dialect.
fn csv_text(v: &Value) -> String {
    match v {
        Value::Money(d) if super::locale::style().excel_br => super::locale::excel_br_money(*d),
        _ => v.text().into_owned(),
    }
}

/// The CSV header record of a spec.
pub fn csv_header<W: Write>(c: &mut csv::Writer<W>, cols: &[Column]) -> io::Result<()> {
    c.write_record(shown(cols, Show::CSV).map(|(_, col)| col.key))?;
    Ok(())
}

/// One CSV record.
pub fn csv_row<W: Write>(c: &mut csv::Writer<W>, cols: &[Column], row: &[Value]) -> io::Result<()> {
    c.write_record(shown(cols, Show::CSV).map(|(i, _)| csv_text(&row[i])))?;
    Ok(())
}

/// Header and rows as CSV.
pub fn csv<'r>(
    w: &mut dyn Write,
    cols: &[Column],
    rows: impl IntoIterator<Item = &'r Row>,
) -> io::Result<()> {
    let mut c = csv_writer(w)?;
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
    /// The table, its spec (to fit it at the end) and where it goes.
    Table(Table, Vec<Column>, &'w mut dyn Write),
    Parquet(super::parquet::ParquetRows, &'w mut dyn Write),
    /// Rows gathered for one sheet, written at the end.
    Xlsx(Vec<Row>, Vec<Column>, &'w mut dyn Write),
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
                let mut c = csv_writer(w)?;
                csv_header(&mut c, cols)?;
                RowStream::Csv(c)
            }
            super::Format::Json => RowStream::Json(w),
            super::Format::Table => RowStream::Table(table(cols, false), cols.to_vec(), w),
            super::Format::Html => return Err(super::Format::no_page("--detail")),
            super::Format::Parquet => RowStream::Parquet(super::parquet::ParquetRows::new(cols), w),
            super::Format::Xlsx => RowStream::Xlsx(Vec::new(), cols.to_vec(), w),
        })
    }

    pub fn row(&mut self, cols: &[Column], row: &[Value]) -> io::Result<()> {
        match self {
            RowStream::Csv(c) => csv_row(c, cols, row),
            RowStream::Json(w) => {
                serde_json::to_writer(&mut **w, &json_object(cols, row))?;
                writeln!(w)
            }
            RowStream::Table(t, _, _) => {
                table_row(t, cols, row);
                Ok(())
            }
            RowStream::Parquet(p, w) => p.row(row, *w),
            RowStream::Xlsx(rows, _, _) => {
                rows.push(row.to_vec());
                Ok(())
            }
        }
    }

    pub fn finish(self) -> io::Result<()> {
        match self {
            RowStream::Csv(mut c) => c.flush(),
            RowStream::Json(_) => Ok(()),
            RowStream::Table(t, cols, w) => writeln!(w, "{}", fit(t, &cols, width_limit())),
            RowStream::Parquet(p, w) => p.finish(w),
            RowStream::Xlsx(rows, cols, w) => super::xlsx::write_one(w, "Detail", &cols, &rows, ""),
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
    fn a_narrow_width_leaves_optional_columns_out_by_rank_and_says_so() {
        let cols = vec![
            Column::text("name"),
            Column::number("aaaaaaaaaa").optional(2),
            Column::number("bbbbbbbbbb").optional(1),
            Column::text("cccccccccc"),
        ];
        let rows = [vec!["x".into(), 1u64.into(), 2u64.into(), "y".into()]];
        let table = |limit| {
            let mut t = table(&cols, false);
            table_row(&mut t, &cols, &rows[0]);
            fit(t, &cols, limit).to_string()
        };
        // Four columns: 4 + 3 x 10 content, 2 padding each, 5 borders = 47.
        let wide = table(Some(47));
        assert!(
            wide.contains("bbbbbbbbbb") && !wide.contains("left out"),
            "{wide}"
        );
        let one = table(Some(46));
        let header = one.lines().nth(1).unwrap();
        assert!(
            !header.contains("bbbbbbbbbb") && header.contains("aaaaaaaaaa"),
            "{one}"
        );
        assert!(
            one.ends_with("(left out to fit the terminal: bbbbbbbbbb; --format csv shows all)"),
            "{one}"
        );
        let two = table(Some(30));
        assert!(
            two.contains("left out to fit the terminal: bbbbbbbbbb, aaaaaaaaaa"),
            "{two}"
        );
        assert!(
            two.lines()
                .filter(|l| !l.starts_with('('))
                .all(|l| l.chars().count() <= 30),
            "{two}"
        );
        assert_eq!(table(None), wide);
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
