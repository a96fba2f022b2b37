//! CSV message logs as real exports write them: any column order, aliases,
//! BOM, CRLF, `,` `;` or tab delimiters, quoted fields.

use std::io::BufRead;
use std::str::FromStr;

use super::csv_records::{Record, Records};
use super::toolkit::decode::strip_bom;
use super::toolkit::delimiter::sniff;
use super::toolkit::header;
use super::toolkit::timestamp::{parse_timestamp, parse_timestamp_with};
use super::{InputError, Inputs};
use crate::model::phone::E164;
use crate::model::redact::quote_field;
use crate::model::time::Zone;
use crate::model::{Category, Direction};
use crate::model::{Message, Rejected};
use crate::text::trim;

/// (canonical name, aliases) in the order they are looked for.
const COLUMNS: &[(&str, &[&str])] = &[
    ("timestamp", &["timestamp", "time", "date", "sent_at"]),
    ("direction", &["direction", "dir"]),
    (
        "contact",
        &["contact", "wa_id", "recipient_id", "msisdn", "phone"],
    ),
    ("type", &["type", "message_type", "kind"]),
    (
        "category",
        &["category", "template_category", "pricing_category"],
    ),
    ("id", &["id", "message_id", "wamid"]),
    ("status", &["status"]),
    ("entry_point", &["entry_point", "referral"]),
    ("business_number", &["business_number", "phone_number_id"]),
    ("template", &["template", "template_name"]),
];

const TS: usize = 0;
const DIR: usize = 1;
const CONTACT: usize = 2;
const TYPE: usize = 3;
const CAT: usize = 4;
const ID: usize = 5;
const STATUS: usize = 6;
const EP: usize = 7;
const BIZ: usize = 8;
const TPL: usize = 9;

/// Column positions found in a header.
#[derive(Debug, Clone)]
struct Layout {
    col: [Option<usize>; 10],
    /// Separate `from`/`to` columns: the customer is `to` on outbound rows
    /// and `from` on inbound rows.
    from_to: Option<(usize, usize)>,
    width: usize,
}

fn layout(headers: &[String], file: &str) -> Result<Layout, InputError> {
    let mut col = [None; 10];
    for (i, (_, aliases)) in COLUMNS.iter().enumerate() {
        col[i] = aliases
            .iter()
            .find_map(|a| headers.iter().position(|h| h == a));
    }
    let from = headers.iter().position(|h| h == "from");
    let to = headers.iter().position(|h| h == "to");
    let mut from_to = None;
    if col[CONTACT].is_none() {
        match (from, to) {
            (Some(f), Some(t)) => from_to = Some((f, t)),
            (Some(c), None) | (None, Some(c)) => col[CONTACT] = Some(c),
            (None, None) => {}
        }
    }
    for req in [TS, DIR, CONTACT] {
        if col[req].is_none() && !(req == CONTACT && from_to.is_some()) {
            let (name, aliases) = COLUMNS[req];
            let mut accepted: Vec<&str> = aliases.to_vec();
            if req == CONTACT {
                accepted.extend(["to", "from"]);
            }
            return Err(InputError::Format {
                file: file.to_string(),
                msg: format!(
                    "line 1: missing required column {name:?} (accepted names: {}); header has: {}",
                    accepted.join(", "),
                    quote_header(headers)
                ),
            });
        }
    }
    Ok(Layout {
        col,
        from_to,
        width: headers.len(),
    })
}

/// The header as read, for an error: a file without a header row shows its
/// first data row here, so each name is quoted like a field and the list is
/// cut after a few names.
fn quote_header(headers: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut names: Vec<String> = headers.iter().take(SHOWN).map(|h| quote_field(h)).collect();
    if headers.len() > SHOWN {
        names.push(format!("… and {} more", headers.len() - SHOWN));
    }
    names.join(", ")
}

fn is_failed(status: &str) -> bool {
    let s = trim(status);
    ["failed", "undelivered", "error", "rejected"]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w))
}

fn is_entry_point(v: &str) -> bool {
    let v = trim(v);
    !(v.is_empty()
        || ["none", "false", "0", "no", "null", "n/a"]
            .iter()
            .any(|w| v.eq_ignore_ascii_case(w)))
}

pub(super) fn read(
    mut reader: Box<dyn BufRead>,
    name: &str,
    file_idx: u16,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Result<(), InputError> {
    let head = reader.fill_buf().map_err(|source| InputError::Io {
        file: name.to_string(),
        source,
    })?;
    let delim = sniff(strip_bom(head)).delimiter;
    let mut recs = Records::new(reader, delim);
    let Some(headers) = header_row(&mut recs, name)? else {
        inputs.notes.push(format!("{name}: empty file, no rows"));
        return Ok(());
    };
    let lay = layout(&headers, name)?;
    let file = CsvFile {
        name,
        file_idx,
        delim,
        headers: &headers,
        lay: &lay,
    };
    read_rows(&file, &mut recs, inputs, out, rejected)
}

/// The header's names, normalised; `None` for an empty file.
fn header_row(recs: &mut Lines, name: &str) -> Result<Option<Vec<String>>, InputError> {
    let headers: Vec<String> = match recs.next() {
        Ok(Some(h)) => (0..h.width())
            .map(|c| header::normalise(&String::from_utf8_lossy(h.bytes(c))))
            .collect(),
        Ok(None) => Vec::new(),
        Err(e) => {
            return Err(InputError::Format {
                file: name.to_string(),
                msg: format!("cannot read the header row: {e}"),
            })
        }
    };
    let empty = headers.is_empty() || (headers.len() == 1 && headers[0].is_empty());
    Ok((!empty).then_some(headers))
}

/// The records of a CSV log.
type Lines = Records<Box<dyn BufRead>>;

/// Reads every row after the header: a message, or a rejected row.
fn read_rows(
    file: &CsvFile<'_>,
    recs: &mut Lines,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Result<(), InputError> {
    let mut last_line = 1;
    loop {
        let rec = match recs.next() {
            Ok(Some(rec)) => rec,
            Ok(None) => return Ok(()),
            Err(e) => {
                return Err(InputError::Format {
                    file: file.name.to_string(),
                    msg: format!("line {}: {e}", last_line + 1),
                })
            }
        };
        inputs.rows += 1;
        last_line = rec.line;
        if let Some((at, first_line)) = one_row(file, &rec, inputs, out, rejected) {
            recs.rewind(at, first_line);
        }
    }
}

/// One record: a message or a rejected row. After a runaway quote, the
/// offset and line to read again from: the lines it swallowed.
#[inline]
fn one_row(
    file: &CsvFile<'_>,
    rec: &Record<'_>,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Option<(u64, u64)> {
    if let Some((runaway, resume)) = runaway_quote(file, rec, &inputs.zone) {
        rejected(runaway);
        return resume.map(|(first_line, at)| (rec.start + at as u64, first_line));
    }
    match row(rec, file.lay, file.file_idx, inputs) {
        Ok(m) => out(m),
        Err((field, reason)) => rejected(Rejected {
            file: file.name.to_string(),
            line: rec.line,
            field: field.map(str::to_string),
            reason,
        }),
    }
    None
}

/// What the rows of one CSV file share.
struct CsvFile<'a> {
    name: &'a str,
    file_idx: u16,
    delim: u8,
    headers: &'a [String],
    lay: &'a Layout,
}

/// The canonical name of column `col` when wacost reads it.
fn column_name(lay: &Layout, col: usize) -> Option<&'static str> {
    let i = lay.col.iter().position(|&c| c == Some(col));
    i.and_then(|i| COLUMNS.get(i)).map(|c| c.0).or_else(|| {
        lay.from_to
            .and_then(|(f, t)| [(f, "from"), (t, "to")].into_iter().find(|x| x.0 == col))
            .map(|x| x.1)
    })
}

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
fn runaway_quote(
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

type RowError = (Option<&'static str>, String);

fn field<'r>(rec: &'r Record<'_>, lay: &Layout, i: usize) -> Result<&'r str, RowError> {
    let Some(c) = lay.col[i] else { return Ok("") };
    rec.text(c).ok_or_else(|| {
        (
            Some(COLUMNS[i].0),
            format!(
                "field {} is not valid UTF-8 (save the export as UTF-8)",
                COLUMNS[i].0
            ),
        )
    })
}

/// One row as a message: the per-row hot path (no allocation but the
/// interners' first sight of a name).
fn row(
    rec: &Record<'_>,
    lay: &Layout,
    file: u16,
    inputs: &mut Inputs,
) -> Result<Message, RowError> {
    if rec.width() != lay.width {
        return Err(width_error(rec, lay));
    }
    let ts_s = field(rec, lay, TS)?;
    let ts = parse_timestamp_with(ts_s, &inputs.zone, &mut inputs.last_date)
        .map_err(|e| (Some("timestamp"), e.to_string()))?;
    let direction =
        Direction::from_str(field(rec, lay, DIR)?).map_err(|e| (Some("direction"), e))?;
    let contact = contact(rec, lay, direction)?;
    let template = template_category(rec, lay, direction)?;
    let id = trim(field(rec, lay, ID)?);
    let failed = is_failed(field(rec, lay, STATUS)?);
    let entry_point = direction == Direction::Inbound && is_entry_point(field(rec, lay, EP)?);
    let biz = trim(field(rec, lay, BIZ)?);
    let tpl = trim(field(rec, lay, TPL)?);
    let mut m = Message::new(file, rec.line, ts, direction, contact);
    if let Some(category) = template {
        m.set_template(Some(category));
        m.template_name = inputs.templates.get(tpl);
    }
    m.set_failed(failed);
    m.set_entry_point(entry_point);
    if let Some(a) = inputs.last_date.assumed {
        // Counted once the row is a message (a rejected row assumed nothing).
        inputs.assume_time(a, file, rec.line, ts_s);
        m.set_local_assumption(Some(a));
    }
    m.id_hash = crate::hash::id_hash(id);
    inputs.add_extra(m.id_hash, id, None);
    m.business_number = inputs
        .business_number(biz)
        .map_err(|e| (Some("business_number"), e))?;
    Ok(m)
}

#[cold]
fn width_error(rec: &Record<'_>, lay: &Layout) -> RowError {
    (
        None,
        format!(
            "row has {} fields, the header has {}",
            rec.width(),
            lay.width
        ),
    )
}

/// The customer: the contact column, or `from`/`to` by direction.
#[inline]
fn contact(rec: &Record<'_>, lay: &Layout, direction: Direction) -> Result<E164, RowError> {
    let contact_s = match lay.from_to {
        Some((f, t)) => {
            let c = if direction == Direction::Inbound {
                f
            } else {
                t
            };
            rec.text(c).ok_or_else(|| {
                (
                    Some("contact"),
                    "field contact is not valid UTF-8".to_string(),
                )
            })?
        }
        None => field(rec, lay, CONTACT)?,
    };
    E164::parse(contact_s).map_err(|e| {
        (
            Some("contact"),
            format!("contact {}: {e}", quote_field(contact_s)),
        )
    })
}

/// The template category of an outbound template; `None` for any other
/// message.
#[inline]
fn template_category(
    rec: &Record<'_>,
    lay: &Layout,
    direction: Direction,
) -> Result<Option<Category>, RowError> {
    let type_s = trim(field(rec, lay, TYPE)?);
    let cat_s = trim(field(rec, lay, CAT)?);
    if direction == Direction::Inbound || !is_template(lay, type_s, cat_s) {
        return Ok(None);
    }
    template_of(cat_s).map(Some)
}

/// The type column says template; without one, a category other than
/// service marks a template.
#[inline]
fn is_template(lay: &Layout, type_s: &str, cat_s: &str) -> bool {
    if lay.col[TYPE].is_some() && !type_s.is_empty() {
        type_s.eq_ignore_ascii_case("template")
    } else {
        !cat_s.is_empty() && !cat_s.eq_ignore_ascii_case("service")
    }
}

/// A template's category: given, and not service.
#[inline]
fn template_of(cat_s: &str) -> Result<Category, RowError> {
    if cat_s.is_empty() {
        return Err((
            Some("category"),
            format!(
                "template without category (accepted: {})",
                template_categories()
            ),
        ));
    }
    let c = Category::from_str(cat_s).map_err(|e| (Some("category"), e.to_string()))?;
    if c == Category::Service {
        return Err((
            Some("category"),
            format!(
                "a template cannot have category service (accepted: {})",
                template_categories()
            ),
        ));
    }
    Ok(c)
}

fn template_categories() -> &'static str {
    "marketing, utility, authentication, authentication_international"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::toolkit::header::normalise as norm;
    use crate::model::time::Zone;

    fn read_str(text: &str) -> (Vec<Message>, Vec<Rejected>, Inputs) {
        let mut inputs = Inputs::new(Zone::parse("America/Sao_Paulo").unwrap());
        let mut msgs = Vec::new();
        let mut rej = Vec::new();
        read(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            "t.csv",
            0,
            &mut inputs,
            &mut |m| msgs.push(m),
            &mut |r| rej.push(r),
        )
        .unwrap();
        (msgs, rej, inputs)
    }

    #[test]
    fn reads_brazilian_spreadsheet_exports() {
        let text = "\u{feff}Data;Dir;Telefone Cliente;Tipo;Categoria\r\n";
        let e = layout(&text.split(';').map(norm).collect::<Vec<_>>(), "x.csv");
        assert!(e.is_err());
        let text = "\u{feff}Timestamp;Direction;Phone;Type;Category\r\n2026-10-01 09:00:00;in;+55 (11) 98765-4321;text;\r\n2026-10-01 09:05:00;out;+55 (11) 98765-4321;template;UTILITY\r\n";
        let (m, r, _) = read_str(text);
        assert!(r.is_empty(), "{r:?}");
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].category(), Some(Category::Utility));
        assert_eq!(m[0].line, 2);
        // 09:00 in Sao Paulo is 12:00 UTC.
        assert_eq!(m[0].ts() % 86_400, 12 * 3600);
    }

    #[test]
    fn bad_rows_are_rejected_with_field_and_reason() {
        let text = "timestamp,direction,contact,type,category\n\
2026-10-01T10:00:00Z,sideways,5511987654321,text,\n\
2026-10-01T10:00:00Z,out,5511987654321,template,\n\
2026-10-01T10:00:00Z,out,5511987654321,template,promo\n\
2026-13-01T10:00:00Z,out,5511987654321,text,\n\
2026-10-01T10:00:00Z,out,12345,text,\n\
2026-10-01T10:00:00Z,out\n\
2026-10-01T10:00:00Z,out,5511987654321,text,\n";
        let (m, r, inputs) = read_str(text);
        assert_eq!(m.len(), 1);
        assert_eq!(inputs.rows, 7);
        let fields: Vec<_> = r.iter().map(|x| x.field.clone()).collect();
        assert_eq!(
            fields,
            vec![
                Some("direction".into()),
                Some("category".into()),
                Some("category".into()),
                Some("timestamp".into()),
                Some("contact".into()),
                None
            ]
        );
        assert_eq!(r[0].line, 2);
        assert!(r[2].reason.contains("promo"));
        assert!(!r.iter().any(|x| x.reason.contains("5511987654321")));
    }

    #[test]
    fn reasons_never_quote_a_number_or_a_huge_value() {
        let huge = "m".repeat(100_000);
        let text = format!(
            "timestamp,direction,contact,type,category\n\
+55 11 91234-5678,out,5511987654321,template,marketing\n\
5511912345678,out,5511987654321,template,marketing\n\
2026-10-01T10:00:00Z,+55 (11) 91234-5678,5511987654321,template,marketing\n\
2026-10-01T10:00:00Z,out,5511987654321,template,+55/11/91234/5678\n\
2026-10-01T10:00:00Z,out,+55 11 91234-5678 x,template,marketing\n\
2026-10-01T10:00:00Z,out,5511987654321,template,{huge}\n"
        );
        let (m, r, _) = read_str(&text);
        assert!(m.is_empty());
        let fields: Vec<_> = r.iter().map(|x| x.field.as_deref()).collect();
        assert_eq!(
            fields,
            [
                Some("timestamp"),
                Some("timestamp"),
                Some("direction"),
                Some("category"),
                Some("contact"),
                Some("category")
            ]
        );
        for x in &r {
            let digits: String = x.reason.chars().filter(char::is_ascii_digit).collect();
            assert!(!digits.contains("12345678"), "{}", x.reason);
            assert!(x.reason.len() < 300, "{} bytes", x.reason.len());
        }
        assert!(r[5].reason.contains("(100000 bytes)"), "{}", r[5].reason);
    }

    #[test]
    fn missing_column_error_does_not_quote_a_data_row() {
        let mut inputs = Inputs::new(Zone::parse("UTC").unwrap());
        let row: Vec<String> = (0..40).map(|i| format!("+55 11 91234-56{i:02}")).collect();
        let e = read(
            Box::new(std::io::Cursor::new(
                format!("{}\n", row.join(",")).into_bytes(),
            )),
            "t.csv",
            0,
            &mut inputs,
            &mut |_| {},
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("91234"), "{e}");
        assert!(e.contains("… and 28 more"), "{e}");
    }

    const HEAD: &str = "timestamp,direction,contact,type,category,template\n";

    fn out_row(minute: u32, category: &str, template: &str) -> String {
        format!("2026-10-05T10:{minute:02}:00-03:00,outbound,+55 11 91234-5678,template,{category},{template}\n")
    }

    #[test]
    fn unterminated_quote_rejects_its_row_and_reads_the_rest_again() {
        let text = format!(
            "{HEAD}{}{}{}",
            out_row(0, "marketing", "\"promo_outubro"),
            out_row(1, "utility", "pedido_enviado"),
            out_row(2, "utility", "pedido_entregue"),
        );
        for text in [text.clone(), text.replace('\n', "\r\n")] {
            let (m, r, inputs) = read_str(&text);
            assert_eq!(inputs.rows, 3, "{r:?}");
            assert_eq!(r.len(), 1, "{r:?}");
            assert_eq!(r[0].line, 2);
            assert_eq!(r[0].field.as_deref(), Some("template"));
            assert!(
                r[0].reason.contains("unterminated quote"),
                "{}",
                r[0].reason
            );
            assert!(r[0].reason.contains("line 2"), "{}", r[0].reason);
            assert!(
                r[0].reason
                    .contains("never closed; row rejected, the lines after line 2 are read again"),
                "{}",
                r[0].reason
            );
            let lines: Vec<u64> = m.iter().map(|m| u64::from(m.line)).collect();
            assert_eq!(lines, [3, 4]);
            assert!(m.iter().all(|m| m.category() == Some(Category::Utility)));
        }
    }

    #[test]
    fn unterminated_quote_in_a_middle_column_and_again_later() {
        let text = format!(
            "{HEAD}{}{}{}\n\n{}{}",
            out_row(0, "\"marketing", "promo"),
            out_row(1, "utility", "a"),
            out_row(2, "utility", "\"b").trim_end(),
            out_row(3, "utility", "c"),
            out_row(4, "utility", "d"),
        );
        let (m, r, inputs) = read_str(&text);
        assert_eq!(inputs.rows, 5, "{r:?}");
        let rej: Vec<(u64, Option<&str>)> =
            r.iter().map(|r| (r.line, r.field.as_deref())).collect();
        assert_eq!(rej, [(2, Some("category")), (4, Some("template"))]);
        let lines: Vec<u64> = m.iter().map(|m| u64::from(m.line)).collect();
        // Line 5 is blank: not a row.
        assert_eq!(lines, [3, 6, 7]);
    }

    #[test]
    fn unterminated_quote_on_the_last_line() {
        let text = format!(
            "{HEAD}{}{}",
            out_row(0, "utility", "a"),
            out_row(1, "utility", "\"b")
        );
        for text in [text.clone(), text.trim_end().to_string()] {
            let (m, r, inputs) = read_str(&text);
            assert_eq!((m.len(), r.len(), inputs.rows), (1, 1, 2));
            assert_eq!(r[0].line, 3);
            assert!(r[0].reason.contains("never closed"), "{}", r[0].reason);
        }
    }

    #[test]
    fn closed_quotes_at_the_end_of_the_file_are_fine() {
        for last in ["\"multi\nline\nname\"", "\"a\"\"b\"", "\"\"", "x\"y"] {
            let text = format!(
                "{HEAD}{}{}",
                out_row(0, "utility", "a"),
                out_row(1, "utility", last)
            );
            for text in [text.clone(), text.trim_end().to_string()] {
                let (m, r, _) = read_str(&text);
                assert!(r.is_empty(), "{last}: {r:?}");
                assert_eq!(m.len(), 2);
            }
        }
    }

    #[test]
    fn unterminated_quote_after_many_rows() {
        // More than the 64 KiB kept between records.
        let mut text = HEAD.to_string();
        for i in 0..3000 {
            text.push_str(&out_row(i % 60, "utility", "pedido"));
        }
        text.push_str(&out_row(0, "utility", "\"x"));
        text.push_str(&out_row(1, "marketing", "y"));
        assert!(text.len() > 1 << 17);
        let (m, r, inputs) = read_str(&text);
        assert_eq!(inputs.rows, 3002);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].line, 3002);
        assert_eq!(m.last().map(|m| m.line), Some(3003));
        assert_eq!(
            m.last().and_then(|m| m.category()),
            Some(Category::Marketing)
        );
    }

    #[test]
    fn a_quote_closed_lines_later_rejects_its_row_and_reads_the_rest_again() {
        // The quote opened on line 2 is closed by the stray one on line 4,
        // in the same column: the csv crate reads lines 2 to 4 as one row
        // of the right width, line 3 inside its template name.
        let text = format!(
            "{HEAD}{}{}{}{}",
            out_row(0, "marketing", "\"a"),
            out_row(1, "utility", "b"),
            out_row(2, "utility", "\"c"),
            out_row(3, "utility", "e"),
        );
        let (m, r, inputs) = read_str(&text);
        assert_eq!(inputs.rows, 4, "{r:?}");
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!((r[0].line, r[0].field.as_deref()), (2, Some("template")));
        assert_eq!(
            r[0].reason,
            "the quote opened in column 6 (\"template\") on line 2 is closed only on line 4, \
             and line 3 inside it reads as a row (a missing or stray quote?); row rejected, the \
             lines after line 2 are read again as rows"
        );
        // Read again, line 4's quote runs to the end: rejected in turn.
        assert_eq!(r[1].line, 4);
        assert!(
            r[1].reason.starts_with("unterminated quote"),
            "{}",
            r[1].reason
        );
        let lines: Vec<u64> = m.iter().map(|m| u64::from(m.line)).collect();
        assert_eq!(lines, [3, 5]);
        // Closed in another column, the row is too wide. Read again, line 4
        // is a row of 5 fields (`"utility,c"d` is one).
        let text = format!(
            "{HEAD}{}{}{}{}",
            out_row(0, "marketing", "\"a"),
            out_row(1, "utility", "b"),
            out_row(2, "\"utility", "c\"d"),
            out_row(3, "utility", "e"),
        );
        let (m, r, inputs) = read_str(&text);
        assert_eq!(inputs.rows, 4, "{r:?}");
        let rej: Vec<u64> = r.iter().map(|r| r.line).collect();
        assert_eq!(rej, [2, 4]);
        assert!(
            r[0].reason.starts_with(
                "row has 7 fields, the header has 6: the quote opened in column 6 (\"template\") \
                 on line 2 is closed only on line 4 (a missing or stray quote?)"
            ),
            "{}",
            r[0].reason
        );
        let lines: Vec<u64> = m.iter().map(|m| u64::from(m.line)).collect();
        assert_eq!(lines, [3, 5]);
        // A quoted line break that swallows no row is kept.
        let text = format!(
            "{HEAD}{}{}",
            out_row(0, "utility", "\"a\nb, c\n2026-10-05\""),
            out_row(1, "utility", "c")
        );
        let (m, r, _) = read_str(&text);
        assert!(r.is_empty(), "{r:?}");
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn twilio_whatsapp_addresses_are_numbers() {
        let text = "timestamp,from,to,direction,type,category\n\
2026-10-01T10:00:00Z,whatsapp:+5511987654321,whatsapp:+14155238886,inbound,text,\n\
2026-10-01T10:01:00Z,whatsapp:+14155238886,whatsapp:+5511987654321,outbound,template,utility\n\
2026-10-01T10:02:00Z,whatsapp:+14155238886,WhatsApp:+55 11 98765-4321,outbound,template,utility\n";
        let (m, r, _) = read_str(text);
        assert!(r.is_empty(), "{r:?}");
        assert_eq!(m.len(), 3);
        assert!(m.iter().all(|m| m.contact().value() == 5511987654321));
        let text = "timestamp,direction,contact\n2026-10-01T10:00:00Z,in,whatsapp:+5511987654321\n";
        let (m, r, _) = read_str(text);
        assert!(r.is_empty(), "{r:?}");
        assert_eq!(m[0].contact().value(), 5511987654321);
    }

    #[test]
    fn from_and_to_columns_pick_the_customer() {
        let text = "time,from,to,direction\n2026-10-01T10:00:00Z,5511987654321,5511300000000,in\n2026-10-01T10:01:00Z,5511300000000,5511987654321,out\n";
        let (m, r, _) = read_str(text);
        assert!(r.is_empty(), "{r:?}");
        assert_eq!(m[0].contact(), m[1].contact());
    }

    #[test]
    fn missing_column_names_the_aliases() {
        let mut inputs = Inputs::new(Zone::parse("UTC").unwrap());
        let e = read(
            Box::new(std::io::Cursor::new(b"timestamp,contact\n".to_vec())),
            "t.csv",
            0,
            &mut inputs,
            &mut |_| {},
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("\"direction\"") && e.contains("dir"), "{e}");
    }
}
