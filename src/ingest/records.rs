//! JSON Lines of flat message records, one object a line: Twilio's
//! BulkExport Day files (`{"sid":…,"account_sid":…,"from":"whatsapp:+…",
//! "direction":"outbound-api","status":"delivered","date_sent":…}`).
//! Each object is written as a CSV row under a header of the first
//! object's keys and read by the CSV reader, so profiles, `--map` and their
//! value words apply unchanged (the twilio profile is detected from the
//! keys). Line numbers are the JSON Lines file's own.

use std::io::{BufRead, Cursor};

use serde_json::{Map, Value};

use super::{csv_log, InputError, Inputs};
use crate::model::{Message, Rejected};

/// Keys that say a JSON Lines file holds message records, not webhooks.
const RECORD_KEYS: &[&str] = &["\"account_sid\"", "\"date_sent\""];

/// Whether the first bytes of a JSON input look like message records
/// (Twilio's keys, no webhook `entry`).
pub fn looks_like_records(head: &str) -> bool {
    let first = head.lines().next().unwrap_or("");
    RECORD_KEYS.iter().all(|k| first.contains(k)) && !first.contains("\"entry\"")
}

/// Reads one JSON Lines file of message records.
pub(super) fn read(
    mut reader: Box<dyn BufRead>,
    name: &str,
    file_idx: u16,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Result<(), InputError> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|source| InputError::Io {
            file: name.to_string(),
            source,
        })?;
    let (csv, bad) = to_csv(&text, name)?;
    // A line that is not a record is a row of the log, rejected.
    inputs.rows += bad.len() as u64;
    bad.into_iter().for_each(&mut *rejected);
    let csv: Box<dyn BufRead> = Box::new(Cursor::new(csv));
    csv_log::read_headed(csv, (name, file_idx), false, inputs, out, rejected)
}

/// The CSV text of the records (header first, one row per JSON line,
/// blank lines for lines that are not objects, so line numbers hold) and
/// the lines rejected as not JSON objects.
fn to_csv(text: &str, name: &str) -> Result<(Vec<u8>, Vec<Rejected>), InputError> {
    let mut keys: Option<Vec<String>> = None;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match object(line) {
            Ok(obj) => {
                let keys = keys.get_or_insert_with(|| obj.keys().cloned().collect());
                rows.push(keys.iter().map(|k| field(obj.get(k))).collect());
            }
            Err(reason) => {
                bad.extend(reason.map(|reason| Rejected {
                    file: name.to_string(),
                    line: i as u64 + 1,
                    field: None,
                    reason,
                }));
                rows.push(Vec::new());
            }
        }
    }
    let csv = write_csv(keys.unwrap_or_default(), &rows).map_err(|e| InputError::Format {
        file: name.to_string(),
        msg: format!("cannot convert its records: {e}"),
    })?;
    Ok((csv, bad))
}

/// One line's object; `Err(None)` for a blank line, `Err(Some(reason))`
/// for a line that is not a JSON object.
fn object(line: &str) -> Result<Map<String, Value>, Option<String>> {
    let line = line.trim();
    if line.is_empty() {
        return Err(None);
    }
    match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Some(
            "not a JSON object (a JSON Lines record is one {...} per line)".into(),
        )),
        Err(e) => Err(Some(format!(
            "not JSON ({e}); a JSON Lines record is one {{...}} per line"
        ))),
    }
}

/// A record's value as CSV text: strings as they are (line breaks folded
/// so a row stays one line), numbers and booleans written, the rest empty.
fn field(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.replace(['\r', '\n'], " "),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// The header and rows as comma-separated text, every field quoted; an
/// empty row is an empty line.
fn write_csv(keys: Vec<String>, rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut out = line(&keys)?;
    for row in rows {
        if row.is_empty() {
            out.push(b'\n');
        } else {
            out.extend(line(row)?);
        }
    }
    Ok(out)
}

/// One CSV line, every field quoted.
fn line(fields: &[String]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    w.write_record(fields)?;
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_records_are_detected_and_webhooks_are_not() {
        assert!(looks_like_records(
            r#"{"sid":"SM1","account_sid":"AC1","date_sent":"2026-10-01T10:00:00Z"}"#
        ));
        assert!(!looks_like_records(
            r#"{"object":"whatsapp_business_account","entry":[]}"#
        ));
    }

    #[test]
    fn each_json_line_is_one_csv_row_and_bad_lines_are_rejected() {
        let text = "{\"a\":\"x\",\"b\":2}\nnot json\n{\"b\":3,\"a\":\"y\\nz\"}\n";
        let (csv, bad) = to_csv(text, "f.jsonl").unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert_eq!(csv, "\"a\",\"b\"\n\"x\",\"2\"\n\n\"y z\",\"3\"\n");
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 2);
    }
}
