//! Invoice CSV: one line per month, market and category with its volume
//! and cost, as Meta's invoices and the spreadsheets made from them write
//! it. Columns `month,market,category,volume,cost` in any order and case,
//! under common English and Portuguese names, with an optional `currency`
//! and `pricing_type`; `,` `;` or tab delimited; UTF-8, UTF-16 or
//! Windows-1252; decimals with `.` or `,` (one way per file).

mod columns;

use std::borrow::Cow;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use self::columns::{
    columns, normalise_header, Header, COLUMNS, COL_CATEGORY, COL_COST, COL_CURRENCY, COL_MARKET,
    COL_MONTH, COL_TYPE, COL_VOLUME,
};
use super::figures::{
    normalise_type, CurrencySeen, Source, TheirError, TheirPoint, TheirReport, Warnings,
};
use super::toolkit::amount::{amount_core, decimal_evidence, parse_amount, DecimalMark};
use super::toolkit::category::parse_category;
use super::toolkit::decode::{decode, Decoding};
use super::toolkit::delimiter::sniff;
use super::toolkit::header::fold;
use super::toolkit::month::parse_month;
use crate::model::{currency, Category};

/// Cells that mark a spreadsheet's total row.
const TOTAL_WORDS: [&str; 8] = [
    "total",
    "totals",
    "grand total",
    "total geral",
    "subtotal",
    "totais",
    "soma",
    "total general",
];

/// A cell that says "no cost".
const NO_COST: [&str; 4] = ["", "-", "—", "–"];

/// Reads an invoice CSV; `warnings` holds what was noted before.
pub(super) fn read_csv(
    file: &str,
    body: &[u8],
    mut warnings: Warnings,
) -> Result<TheirReport, TheirError> {
    let text = decoded(body, &mut warnings);
    let sniffed = sniff(text.as_bytes());
    let text = text.get(sniffed.sep_line..).unwrap_or("");
    let sheet = Sheet::read(
        file,
        text,
        sniffed.delimiter,
        u64::from(sniffed.sep_line > 0),
    )?;
    let mark = sheet.decimal_mark(&mut warnings)?;
    let mut lines = Lines {
        sheet: &sheet,
        mark,
        warnings,
        currency: CurrencySeen::default(),
    };
    let points = lines.points()?;
    if points.is_empty() {
        lines
            .warnings
            .note("the invoice has a header but no lines".to_string());
    }
    Ok(TheirReport {
        points,
        currency: lines.currency.into_code(),
        warnings: lines.warnings.finish(file),
    })
}

/// The file's text, noting when it is not UTF-8.
fn decoded<'b>(body: &'b [u8], warnings: &mut Warnings) -> Cow<'b, str> {
    let (text, decoding) = decode(body);
    if decoding == Decoding::Windows1252 {
        warnings.note(
            "the file is not UTF-8; read it as Windows-1252 (Excel's default on Windows)"
                .to_string(),
        );
    }
    text
}

/// An invoice's records with the column of each field.
struct Sheet<'a> {
    file: &'a str,
    delimiter: u8,
    headers: Vec<Header>,
    index: [Option<usize>; 7],
    /// Records that are not blank, with the line each starts on.
    rows: Vec<(u64, csv::StringRecord)>,
}

impl<'a> Sheet<'a> {
    /// Reads the header, finds the columns, then reads every record;
    /// `line_shift` counts lines before `text` (a `sep=` line).
    fn read(
        file: &'a str,
        text: &str,
        delimiter: u8,
        line_shift: u64,
    ) -> Result<Sheet<'a>, TheirError> {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let at = Place {
            file,
            text,
            line_shift,
        };
        let headers: Vec<Header> = rdr
            .headers()
            .map_err(|e| at.csv_error(&e))?
            .iter()
            .map(normalise_header)
            .collect();
        let index = columns(file, &headers)?;
        let rows = at.records(&mut rdr)?;
        Ok(Sheet {
            file,
            delimiter,
            headers,
            index,
            rows,
        })
    }

    /// The header name of field `f` as written (its canonical name when absent).
    fn field_name(&self, f: usize) -> String {
        let written = self.index[f]
            .and_then(|c| self.headers.get(c))
            .map_or(COLUMNS[f].name, |h| h.written.as_str());
        written.to_string()
    }

    /// Day first in dates, and `,` decimals by default: a `;` file.
    fn semicolons(&self) -> bool {
        self.delimiter == b';'
    }

    /// The decimal mark every amount of the file agrees on.
    fn decimal_mark(&self, warnings: &mut Warnings) -> Result<DecimalMark, TheirError> {
        let seen = self.mark_evidence();
        match (&seen.dot, &seen.comma) {
            (Some(dot), Some(comma)) => Err(self.both_marks(dot, comma)),
            (Some(_), None) => Ok(DecimalMark::Dot),
            (None, Some(_)) => Ok(DecimalMark::Comma),
            (None, None) if self.semicolons() => {
                if let Some((line, v)) = &seen.ambiguous {
                    warnings.note(format!(
                        "line {line}: read {v:?} with `.` separating thousands, as Brazilian \
                         and European spreadsheets do (the file is `;`-delimited); write \
                         decimals with `,` to make that explicit"
                    ));
                }
                Ok(DecimalMark::Comma)
            }
            (None, None) => Ok(DecimalMark::Dot),
        }
    }

    /// The first cost or volume that shows each decimal mark, and the first
    /// that could be either.
    fn mark_evidence(&self) -> MarkEvidence {
        let mut seen = MarkEvidence::default();
        for (line, rec) in &self.rows {
            for f in [COL_COST, COL_VOLUME] {
                let Some(cell) = self.index[f].and_then(|c| rec.get(c)) else {
                    continue;
                };
                let (core, _, _) = amount_core(cell);
                let at = || (*line, f, cell.to_string());
                match decimal_evidence(&core) {
                    Some(DecimalMark::Dot) => _ = seen.dot.get_or_insert_with(at),
                    Some(DecimalMark::Comma) => _ = seen.comma.get_or_insert_with(at),
                    None if core.contains(['.', ',']) => {
                        seen.ambiguous.get_or_insert((*line, cell.to_string()));
                    }
                    None => {}
                }
            }
        }
        seen
    }

    /// A file that writes decimals both ways: the later one is the error.
    fn both_marks(&self, dot: &Evidence, comma: &Evidence) -> TheirError {
        let (later, earlier) = if dot.0 > comma.0 {
            (dot, comma)
        } else {
            (comma, dot)
        };
        let (line, f, value) = later.clone();
        let (other_line, _, other) = earlier;
        TheirError::CsvField {
            file: self.file.to_string(),
            line,
            field: self.field_name(f),
            value,
            expected: format!(
                "the file writes decimals both with `.` and with `,` (line {other_line} \
                 has {other:?}); write every amount the same way"
            ),
        }
    }
}

/// Where the records of a CSV text are, for line numbers.
struct Place<'t> {
    file: &'t str,
    text: &'t str,
    /// Lines before `text` (a `sep=` line).
    line_shift: u64,
}

impl Place<'_> {
    fn line(&self, byte: u64) -> u64 {
        line_at(self.text, byte) + self.line_shift
    }

    fn csv_error(&self, e: &csv::Error) -> TheirError {
        TheirError::Csv {
            file: self.file.to_string(),
            line: e
                .position()
                .map_or(1 + self.line_shift, |p| self.line(p.byte())),
            message: e.to_string(),
        }
    }

    /// The records that are not blank, each with its line.
    fn records(
        &self,
        rdr: &mut csv::Reader<&[u8]>,
    ) -> Result<Vec<(u64, csv::StringRecord)>, TheirError> {
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| self.csv_error(&e))?;
            let line = rec
                .position()
                .map_or(self.line_shift, |p| self.line(p.byte()));
            if !rec.iter().all(str::is_empty) {
                rows.push((line, rec));
            }
        }
        Ok(rows)
    }
}

/// (line, field, cell) of an amount.
type Evidence = (u64, usize, String);

#[derive(Default)]
struct MarkEvidence {
    dot: Option<Evidence>,
    comma: Option<Evidence>,
    ambiguous: Option<(u64, String)>,
}

/// One record of the sheet.
struct Row<'s> {
    sheet: &'s Sheet<'s>,
    line: u64,
    rec: &'s csv::StringRecord,
}

impl Row<'_> {
    /// The cell of field `f` (`""` when the field or the cell is absent).
    fn cell(&self, f: usize) -> &str {
        self.sheet.index[f]
            .and_then(|c| self.rec.get(c))
            .unwrap_or("")
    }

    fn bad(&self, f: usize, expected: String) -> TheirError {
        TheirError::CsvField {
            file: self.sheet.file.to_string(),
            line: self.line,
            field: self.sheet.field_name(f),
            value: self.cell(f).to_string(),
            expected,
        }
    }

    /// The row ends before field `f`'s column.
    fn short(&self, f: usize) -> bool {
        self.sheet.index[f].is_some_and(|c| c >= self.rec.len())
    }

    /// Why an empty cell of field `f` is an error.
    fn missing(&self, f: usize, what: &str) -> TheirError {
        let why = if self.short(f) {
            format!(
                "the row has {} fields but the header has {}; every row needs a {what}",
                self.rec.len(),
                self.sheet.headers.len(),
            )
        } else {
            format!("empty; every row needs a {what}")
        };
        self.bad(f, why)
    }

    fn is_total(&self) -> bool {
        [COL_MONTH, COL_MARKET, COL_CATEGORY]
            .into_iter()
            .any(|f| TOTAL_WORDS.contains(&fold(self.cell(f)).to_lowercase().as_str()))
    }
}

/// Turns the sheet's rows into invoice lines.
struct Lines<'s> {
    sheet: &'s Sheet<'s>,
    mark: DecimalMark,
    warnings: Warnings,
    currency: CurrencySeen,
}

impl Lines<'_> {
    fn points(&mut self) -> Result<Vec<TheirPoint>, TheirError> {
        let sheet = self.sheet;
        let mut points = Vec::with_capacity(sheet.rows.len());
        let header_currency = sheet.index[COL_COST]
            .and_then(|c| sheet.headers.get(c))
            .and_then(|h| h.currency.as_deref());
        if let Some(code) = header_currency {
            self.currency
                .see(sheet.file, code, "the cost column header")?;
        }
        for (line, rec) in &sheet.rows {
            let row = Row {
                sheet,
                line: *line,
                rec,
            };
            if let Some(point) = self.point(&row)? {
                points.push(point);
            }
        }
        Ok(points)
    }

    /// The invoice line of a row; `None` for a total row.
    fn point(&mut self, row: &Row<'_>) -> Result<Option<TheirPoint>, TheirError> {
        let at = format!("line {}", row.line);
        if row.is_total() {
            self.warnings.add("skipped a total row".to_string(), &at);
            return Ok(None);
        }
        for f in [COL_MONTH, COL_CATEGORY, COL_VOLUME] {
            if row.cell(f).is_empty() {
                return Err(row.missing(f, COLUMNS[f].what));
            }
        }
        let month = self.month(row)?;
        let market = Some(row.cell(COL_MARKET))
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        let category_raw = row.cell(COL_CATEGORY).to_string();
        let category = self.category(&category_raw, &at);
        let volume = self.volume(row)?;
        let (cost, cell_currency) = self.cost(row, &at)?;
        self.currency(row, cell_currency, &at)?;
        let pricing_type = Some(row.cell(COL_TYPE))
            .filter(|t| !t.is_empty())
            .map(normalise_type);
        Ok(Some(TheirPoint {
            source: Source::InvoiceCsv,
            file: self.sheet.file.to_string(),
            line: Some(row.line),
            start: None,
            end: None,
            month: Some(month),
            country: None,
            market,
            category,
            category_raw,
            pricing_type,
            tier: None,
            volume,
            cost,
            phone_number: None,
        }))
    }

    fn month(&self, row: &Row<'_>) -> Result<String, TheirError> {
        let day_first = self.sheet.semicolons();
        parse_month(row.cell(COL_MONTH), day_first).map_err(|reason| {
            let expected = reason.map_or_else(
                || {
                    format!(
                        "expected a month such as 2026-10, 2026-10-01, 10/2026 or out/2026{}",
                        if day_first {
                            " or 01/10/2026 (day first)"
                        } else {
                            ""
                        }
                    )
                },
                str::to_string,
            );
            row.bad(COL_MONTH, expected)
        })
    }

    fn category(&mut self, raw: &str, at: &str) -> Option<Category> {
        let category = parse_category(raw);
        if category.is_none() {
            self.warnings.add(
                format!(
                    "invoice lines in category {raw:?}, which wacost does not price \
                     (accepted: {}); kept without a category",
                    Category::ACCEPTED
                ),
                at,
            );
        }
        category
    }

    /// A whole number of messages or conversations.
    fn volume(&self, row: &Row<'_>) -> Result<u64, TheirError> {
        let volume = match parse_amount(row.cell(COL_VOLUME), self.mark) {
            Some((d, None)) if !d.is_sign_negative() && d.fract().is_zero() => d.to_u64(),
            _ => None,
        };
        volume.ok_or_else(|| {
            let example = if self.mark == DecimalMark::Comma {
                "1.200"
            } else {
                "1,200"
            };
            row.bad(
                COL_VOLUME,
                format!(
                    "expected a whole number of messages or conversations such as 1200 or \
                     {example}"
                ),
            )
        })
    }

    /// The cost and a currency written with it; no cost, with a warning,
    /// for an empty cell or a dash.
    fn cost(
        &mut self,
        row: &Row<'_>,
        at: &str,
    ) -> Result<(Option<Decimal>, Option<&'static str>), TheirError> {
        let cell = row.cell(COL_COST);
        if NO_COST.contains(&cell) {
            if row.short(COL_COST) {
                return Err(row.missing(COL_COST, "cost"));
            }
            self.warnings.add(
                "invoice lines without a cost; their cost is unknown".to_string(),
                at,
            );
            return Ok((None, None));
        }
        let (d, c) = parse_amount(cell, self.mark).ok_or_else(|| {
            let comma_hint = if self.mark == DecimalMark::Dot && cell.contains(',') {
                " (a `,` between digits must separate thousands in a comma-delimited file; \
                 a file with decimal commas needs `;` as the delimiter)"
            } else {
                ""
            };
            row.bad(
                COL_COST,
                format!(
                    "expected an amount such as {}{comma_hint}",
                    self.mark.example()
                ),
            )
        })?;
        Ok((Some(d), c))
    }

    /// The row's currency (its currency column, else the one in its cost)
    /// must be the file's one.
    fn currency(
        &mut self,
        row: &Row<'_>,
        cell_currency: Option<&'static str>,
        at: &str,
    ) -> Result<(), TheirError> {
        let column = currency_column(row)?;
        if let (Some(col), Some(cel)) = (&column, cell_currency) {
            if col != cel {
                return Err(row.bad(
                    COL_COST,
                    format!("the amount is in {cel} but the currency column says {col}"),
                ));
            }
        }
        match column.as_deref().or(cell_currency) {
            Some(code) => self.currency.see(self.sheet.file, code, at),
            None => Ok(()),
        }
    }
}

/// The row's currency column as an ISO code (a token such as `R$` too).
fn currency_column(row: &Row<'_>) -> Result<Option<String>, TheirError> {
    let cell = row.cell(COL_CURRENCY);
    if cell.is_empty() {
        return Ok(None);
    }
    currency::code_of(cell)
        .map(str::to_string)
        .or_else(|| currency::is_code_shape(cell).then(|| cell.to_ascii_uppercase()))
        .map(Some)
        .ok_or_else(|| {
            row.bad(
                COL_CURRENCY,
                "expected an ISO 4217 code such as USD or BRL".to_string(),
            )
        })
}

/// 1-based line where a record starts. The csv crate reports a CRLF record as starting
/// on the `\n` of the line before (and counts its lines one short), so skip terminators.
fn line_at(text: &str, byte: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut end = usize::try_from(byte).map_or(bytes.len(), |b| b.min(bytes.len()));
    while matches!(bytes.get(end), Some(b'\r' | b'\n')) {
        end += 1;
    }
    bytes
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count() as u64)
        + 1
}

#[cfg(test)]
mod tests;
