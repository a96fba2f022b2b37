//! `--format xlsx --output FILE`: a workbook for spreadsheets, from the
//! same column specs as CSV: one sheet per table (the summary with a total
//! row, rejected rows, assumptions), frozen headers, counts and money as
//! numbers with a currency number format. Excel stores numbers as binary
//! doubles: money is converted only here, at the file's edge, and every
//! amount wacost writes (at most 10 significant decimals, well under a
//! double's 15 digits) shows back exactly; the exact decimal stays in CSV
//! and JSON.

use std::io::{self, Write};

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format as Look, Workbook, Worksheet, XlsxError};

use super::columns::{Column, Row, Show, Value};

/// One sheet: its name, a column spec, rows and an optional total row.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub cols: &'a [Column],
    pub rows: &'a [Row],
    pub total: Option<&'a Row>,
}

/// The workbook of `sheets`, money in `currency`.
pub fn write(w: &mut dyn Write, sheets: &[Sheet<'_>], currency: &str) -> io::Result<()> {
    let mut book = Workbook::new();
    for s in sheets {
        sheet(book.add_worksheet(), s, currency).map_err(io::Error::other)?;
    }
    w.write_all(&book.save_to_buffer().map_err(io::Error::other)?)
}

/// One table as a workbook of one sheet.
pub fn write_one(
    w: &mut dyn Write,
    name: &str,
    cols: &[Column],
    rows: &[Row],
    currency: &str,
) -> io::Result<()> {
    write(
        w,
        &[Sheet {
            name,
            cols,
            rows,
            total: None,
        }],
        currency,
    )
}

/// An estimate's workbook: the summary with its total row, the savings
/// when asked for, the rejected rows and the assumptions.
pub fn summary(s: &super::Summary, w: &mut dyn Write) -> io::Result<()> {
    let (cols, rows, total) = (s.columns(), s.rows(), s.total_row());
    let mut sheets = vec![Sheet {
        name: "Summary",
        cols: &cols,
        rows: &rows,
        total: Some(&total),
    }];
    let savings = s.savings.as_ref().map(|v| (v.columns(), v.rows()));
    if let Some((c, r)) = &savings {
        sheets.push(Sheet {
            name: "Savings",
            cols: c,
            rows: r,
            total: None,
        });
    }
    let rejected_cols = ["file", "line", "field", "reason"].map(Column::text);
    let rejected: Vec<Row> = s
        .rejected
        .iter()
        .map(|r| {
            vec![
                r.file.clone().into(),
                r.line.into(),
                r.field.clone().unwrap_or_default().into(),
                r.reason.clone().into(),
            ]
        })
        .collect();
    sheets.push(Sheet {
        name: "Rejected rows",
        cols: &rejected_cols,
        rows: &rejected,
        total: None,
    });
    let assumed_cols = [Column::text("assumption"), Column::number("messages")];
    let assumed: Vec<Row> = s
        .assumptions
        .iter()
        .map(|(k, n)| vec![(*k).into(), (*n).into()])
        .collect();
    sheets.push(Sheet {
        name: "Assumptions",
        cols: &assumed_cols,
        rows: &assumed,
        total: None,
    });
    write(w, &sheets, &s.currency)
}

/// The columns a sheet shows: those CSV has.
fn shown(cols: &[Column]) -> Vec<(usize, &Column)> {
    cols.iter()
        .enumerate()
        .filter(|(_, c)| c.show.has(Show::CSV))
        .collect()
}

fn sheet(ws: &mut Worksheet, s: &Sheet<'_>, currency: &str) -> Result<(), XlsxError> {
    ws.set_name(s.name)?;
    let bold = Look::new().set_bold();
    let cols = shown(s.cols);
    for (j, (_, c)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, c.key, &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let money = Look::new().set_num_format(money_format(currency));
    let total_money = money.clone().set_bold();
    for (i, r) in s.rows.iter().enumerate() {
        cells(ws, i as u32 + 1, &cols, r, (&money, None))?;
    }
    if let Some(t) = s.total {
        cells(
            ws,
            s.rows.len() as u32 + 1,
            &cols,
            t,
            (&total_money, Some(&bold)),
        )?;
    }
    ws.autofit();
    Ok(())
}

/// One row's cells: money as numbers in the currency's format, counts as
/// numbers, the rest as text.
fn cells(
    ws: &mut Worksheet,
    row: u32,
    cols: &[(usize, &Column)],
    r: &Row,
    (money, bold): (&Look, Option<&Look>),
) -> Result<(), XlsxError> {
    for (j, (i, _)) in cols.iter().enumerate() {
        let col = j as u16;
        match &r[*i] {
            Value::Money(d) => {
                ws.write_number_with_format(row, col, d.to_f64().unwrap_or(f64::NAN), money)?;
            }
            Value::Count(n) => {
                ws.write_number(row, col, *n as f64)?;
            }
            Value::Text(t) if t.is_empty() => {}
            v => match bold {
                Some(b) => ws
                    .write_string_with_format(row, col, v.text(), b)
                    .map(|_| ())?,
                None => ws.write_string(row, col, v.text()).map(|_| ())?,
            },
        }
    }
    Ok(())
}

/// Excel's number format of a currency: its code and four decimals, the
/// engine's least (the cells keep every digit; the format only shows).
fn money_format(currency: &str) -> String {
    format!("#,##0.0000###### \"{}\"", currency.replace('"', ""))
}
