//! A stray quote in a CSV log: the record it ran over is rejected with the
//! line the quote opened on, and reading goes on at the line after it, so
//! one bad cell never swallows the rows behind it.

use super::*;

/// Quoted fields of one record, each as (column, offset of its opening quote).
#[derive(Debug, Default, PartialEq, Eq)]
struct Quotes {
    /// The quoted field the record's bytes end in: its quote is never
    /// closed, so it ran to the end of the input.
    unterminated: Option<(usize, usize)>,
    /// The first quoted field holding a line break.
    multiline: Option<(usize, usize)>,
    /// Where the first lines that start inside a quoted field start.
    inner_lines: Vec<usize>,
}

/// Finds the quotes of a record's bytes as the csv crate reads them (RFC
/// 4180 quotes, `""` inside quotes, CR, LF or CRLF ending the record).
fn scan_quotes(raw: &[u8], delim: u8) -> Quotes {
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        RecordStart,
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let term = |c: u8| c == b'\r' || c == b'\n';
    let (mut s, mut col, mut open) = (S::RecordStart, 0, 0);
    let mut q = Quotes::default();
    for (i, &c) in raw.iter().enumerate() {
        s = match s {
            S::RecordStart if term(c) => S::RecordStart,
            S::RecordStart | S::FieldStart if c == b'"' => {
                open = i;
                S::Quoted
            }
            S::Quoted if c == b'"' => S::QuoteInQuoted,
            S::Quoted => {
                if c == b'\n' {
                    q.multiline.get_or_insert((col, open));
                    if q.inner_lines.len() < 100 {
                        q.inner_lines.push(i + 1);
                    }
                }
                S::Quoted
            }
            S::QuoteInQuoted if c == b'"' => S::Quoted,
            _ if c == delim => {
                col += 1;
                S::FieldStart
            }
            _ if term(c) => return q,
            _ => S::Unquoted,
        };
    }
    if s == S::Quoted {
        q.unterminated = Some((col, open));
    }
    q
}

/// Whether a line inside a quoted field reads as a row of the file: its
/// timestamp and direction columns (split naively) read as such.
fn looks_like_row(file: &CsvFile<'_>, line: &[u8], zone: &Zone) -> bool {
    let line = line.split(|&b| b == b'\n').next().unwrap_or_default();
    let Ok(text) = std::str::from_utf8(line) else {
        return false;
    };
    let cols: Vec<&str> = text.split(char::from(file.delim)).collect();
    let get = |i: usize| {
        file.lay.col[i]
            .and_then(|c| cols.get(c))
            .map(|v| v.trim().trim_matches('"'))
    };
    match (get(TS), get(DIR)) {
        (Some(ts), Some(dir)) => {
            let dir = file.lay.words[DIR].get(dir).unwrap_or(dir);
            parse_timestamp(ts, zone).is_ok() && Direction::from_str(dir).is_ok()
        }
        _ => false,
    }
}

/// A record that a quote made run over the lines after it: a quote never
/// closed (it ran to the end of the input), or closed lines later leaving a
/// row of the wrong width or swallowing lines that read as rows. Returns
/// its rejection and where to read again, the line after the quote's line
/// and its offset in `raw`, unless nothing follows.
pub(super) fn runaway_quote(
    file: &CsvFile<'_>,
    rec: &Record<'_>,
    zone: &Zone,
) -> Option<(Rejected, Option<(u64, usize)>)> {
    if !rec.quoted {
        return None;
    }
    let quotes = scan_quotes(rec.raw, file.delim);
    let (col, open) = quotes.unterminated.or(quotes.multiline)?;
    let lines = RecordLines::of(rec);
    let open_line = lines.at(open);
    let quote = format!(
        "the quote opened in {} on line {open_line}",
        column_label(file, col)
    );
    let what = if quotes.unterminated.is_some() {
        format!("unterminated quote: {quote} is never closed")
    } else {
        closed_late(file, rec, &lines, &quotes, &quote, zone)?
    };
    let rejected = Rejected {
        file: file.name.to_string(),
        line: rec.line,
        field: column_name(file.lay, col).map(str::to_string),
        reason: what,
    };
    Some(match resume_at(rec.raw, open) {
        None => (rejected, None),
        Some(at) => (
            Rejected {
                reason: format!(
                    "{}; row rejected, the lines after line {open_line} are read again as rows",
                    rejected.reason
                ),
                ..rejected
            },
            Some((open_line + 1, at)),
        ),
    })
}

/// Column `col` as a message names it: its number and header name.
fn column_label(file: &CsvFile<'_>, col: usize) -> String {
    match file.headers.get(col) {
        Some(h) => format!("column {} ({})", col + 1, quote_field(h)),
        None => format!("column {}", col + 1),
    }
}

/// The line each byte of a record's bytes is on.
struct RecordLines<'r> {
    raw: &'r [u8],
    line: u64,
    /// The first byte after the blank lines before the record.
    row_start: usize,
}

impl<'r> RecordLines<'r> {
    fn of(rec: &Record<'r>) -> RecordLines<'r> {
        let row_start = rec
            .raw
            .iter()
            .position(|&b| b != b'\r' && b != b'\n')
            .unwrap_or(0);
        RecordLines {
            raw: rec.raw,
            line: rec.line,
            row_start,
        }
    }

    /// The line of byte `at`.
    fn at(&self, at: usize) -> u64 {
        let before = self.raw.get(self.row_start..at).unwrap_or_default();
        self.line + before.iter().filter(|&&c| c == b'\n').count() as u64
    }
}

/// Why a quote closed on a later line ran away: the row's width is wrong,
/// or a line inside it reads as a row; `None` when neither.
fn closed_late(
    file: &CsvFile<'_>,
    rec: &Record<'_>,
    lines: &RecordLines<'_>,
    quotes: &Quotes,
    quote: &str,
    zone: &Zone,
) -> Option<String> {
    let body = lines
        .raw
        .get(lines.row_start..)
        .unwrap_or_default()
        .trim_ascii_end();
    let closed = format!(
        "{quote} is closed only on line {}",
        lines.at(lines.row_start + body.len())
    );
    if rec.width() != file.lay.width {
        return Some(format!(
            "row has {} fields, the header has {}: {closed} (a missing or stray quote?)",
            rec.width(),
            file.lay.width
        ));
    }
    let at = quotes
        .inner_lines
        .iter()
        .copied()
        .find(|&at| looks_like_row(file, lines.raw.get(at..).unwrap_or_default(), zone))?;
    Some(format!(
        "{closed}, and line {} inside it reads as a row (a missing or stray quote?)",
        lines.at(at)
    ))
}

/// Where to read again after a runaway quote: the line after the quote's
/// line, unless only blanks follow.
fn resume_at(raw: &[u8], open: usize) -> Option<usize> {
    raw.iter()
        .skip(open)
        .position(|&b| b == b'\n')
        .map(|nl| open + nl + 1)
        .filter(|&at| {
            raw.get(at..)
                .is_some_and(|rest| rest.iter().any(|b| !b.is_ascii_whitespace()))
        })
}
