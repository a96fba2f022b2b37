//! CSV message logs as real exports write them: any column order, aliases,
//! BOM, CRLF, `,` `;` or tab delimiters, quoted fields.

use std::io::BufRead;
use std::str::FromStr;

use super::{quote_field, InputError, Inputs, Message, Rejected};
use crate::domain::{Category, Direction};
use crate::phone::E164;
use crate::time::parse_timestamp;

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

fn norm(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
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

/// Picks the delimiter that splits the header line into the most fields.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let n = line.iter().filter(|&&b| b == d).count();
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

fn is_failed(status: &str) -> bool {
    let s = status.trim();
    ["failed", "undelivered", "error", "rejected"]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w))
}

fn is_entry_point(v: &str) -> bool {
    let v = v.trim();
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
    let delim = sniff_delimiter(head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head));
    // The csv crate counts a CRLF header as ending one line early.
    let crlf_shift = u64::from(
        head.split(|&b| b == b'\n')
            .next()
            .is_some_and(|l| l.ends_with(b"\r"))
            && head.contains(&b'\n'),
    );
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(true)
        .from_reader(reader);
    let headers = rdr.byte_headers().map_err(|e| InputError::Format {
        file: name.to_string(),
        msg: format!("cannot read the header row: {e}"),
    })?;
    if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
        inputs.notes.push(format!("{name}: empty file, no rows"));
        return Ok(());
    }
    let headers: Vec<String> = headers
        .iter()
        .map(|h| norm(&String::from_utf8_lossy(h)))
        .collect();
    let lay = layout(&headers, name)?;
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                inputs.rows += 1;
                let line = rec.position().map_or(0, |p| p.line()) + crlf_shift;
                match row(&rec, &lay, file_idx, line, inputs) {
                    Ok(m) => out(m),
                    Err((field, reason)) => rejected(Rejected {
                        file: name.to_string(),
                        line,
                        field: field.map(str::to_string),
                        reason,
                    }),
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line()) + crlf_shift;
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(InputError::Format {
                        file: name.to_string(),
                        msg: format!("line {line}: {e}"),
                    });
                }
                inputs.rows += 1;
                rejected(Rejected {
                    file: name.to_string(),
                    line,
                    field: None,
                    reason: format!("unreadable CSV row: {e}"),
                });
            }
        }
    }
    Ok(())
}

type RowError = (Option<&'static str>, String);

fn field<'r>(rec: &'r csv::ByteRecord, lay: &Layout, i: usize) -> Result<&'r str, RowError> {
    let Some(c) = lay.col[i] else { return Ok("") };
    let bytes = rec.get(c).unwrap_or(b"");
    std::str::from_utf8(bytes).map_err(|_| {
        (
            Some(COLUMNS[i].0),
            format!(
                "field {} is not valid UTF-8 (save the export as UTF-8)",
                COLUMNS[i].0
            ),
        )
    })
}

fn row(
    rec: &csv::ByteRecord,
    lay: &Layout,
    file: u16,
    line: u64,
    inputs: &mut Inputs,
) -> Result<Message, RowError> {
    if rec.len() != lay.width {
        return Err((
            None,
            format!("row has {} fields, the header has {}", rec.len(), lay.width),
        ));
    }
    let ts_s = field(rec, lay, TS)?;
    let ts = parse_timestamp(ts_s, &inputs.zone).map_err(|e| (Some("timestamp"), e.to_string()))?;
    let direction =
        Direction::from_str(field(rec, lay, DIR)?).map_err(|e| (Some("direction"), e))?;
    let contact_s = match lay.from_to {
        Some((f, t)) => {
            let c = if direction == Direction::Inbound {
                f
            } else {
                t
            };
            std::str::from_utf8(rec.get(c).unwrap_or(b"")).map_err(|_| {
                (
                    Some("contact"),
                    "field contact is not valid UTF-8".to_string(),
                )
            })?
        }
        None => field(rec, lay, CONTACT)?,
    };
    let contact = E164::parse(contact_s).map_err(|e| {
        (
            Some("contact"),
            format!("contact {}: {e}", quote_field(contact_s)),
        )
    })?;
    let type_s = field(rec, lay, TYPE)?.trim();
    let cat_s = field(rec, lay, CAT)?.trim();
    let (template, category) = if direction == Direction::Inbound {
        (false, None)
    } else {
        let template = if lay.col[TYPE].is_some() && !type_s.is_empty() {
            type_s.eq_ignore_ascii_case("template")
        } else {
            // No type column: a category other than service marks a template.
            !cat_s.is_empty() && !cat_s.eq_ignore_ascii_case("service")
        };
        if template {
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
            (true, Some(c))
        } else {
            (false, None)
        }
    };
    let id = field(rec, lay, ID)?.trim();
    let failed = is_failed(field(rec, lay, STATUS)?);
    let entry_point = direction == Direction::Inbound && is_entry_point(field(rec, lay, EP)?);
    let biz = field(rec, lay, BIZ)?.trim();
    let tpl = field(rec, lay, TPL)?.trim();
    Ok(Message {
        file,
        line,
        id: (!id.is_empty()).then(|| id.into()),
        ts,
        direction,
        contact,
        template,
        category,
        failed,
        entry_point,
        business_number: inputs.business_numbers.get(biz),
        template_name: if template {
            inputs.templates.get(tpl)
        } else {
            0
        },
        meta: None,
    })
}

fn template_categories() -> &'static str {
    "marketing, utility, authentication, authentication_international"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Zone;

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
        assert_eq!(m[1].category, Some(Category::Utility));
        assert_eq!(m[0].line, 2);
        // 09:00 in Sao Paulo is 12:00 UTC.
        assert_eq!(m[0].ts % 86_400, 12 * 3600);
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

    #[test]
    fn from_and_to_columns_pick_the_customer() {
        let text = "time,from,to,direction\n2026-10-01T10:00:00Z,5511987654321,5511300000000,in\n2026-10-01T10:01:00Z,5511300000000,5511987654321,out\n";
        let (m, r, _) = read_str(text);
        assert!(r.is_empty(), "{r:?}");
        assert_eq!(m[0].contact, m[1].contact);
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
