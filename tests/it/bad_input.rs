//! Bad input, one corpus file per case in `tests/fixtures/bad/` (the 1 MB field
//! is written by its test). Every case checks that rows are conserved
//! (rows = inbound + outbound + rejected + status updates = the rows of
//! the file; outbound = billable + free + failed + undelivered), the exact rejected line numbers with a substring of each reason, and
//! that neither stdout nor stderr ever shows a full phone number.
//!
//! Charged rows are Brazil 2026-10 (pmp-2026-10, no window open): marketing
//! 0.0625, utility and authentication 0.0068.

use crate::common::{
    assert_no_full_number, count, counts, estimate_json, rejected, run, total, wacost, Run,
};
use serde_json::Value;

/// Every number used in the corpus.
const NUMBERS: [&str; 2] = ["+55 11 91234-5678", "+55 21 99876-5432"];

/// Runs `estimate FILE --format json` on a corpus file and checks what every
/// case shares: exit 0, conservation of rows, no full number anywhere.
fn estimate_bad(file: &str) -> (Run, Value) {
    let r = estimate_json("bad", &[file, "--tz", "America/Sao_Paulo"]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let v = r.json();
    let (rows, inbound, outbound, billable, free, failed, rej) = counts(&v);
    let (undelivered, updates) = (count(&v, "undelivered"), count(&v, "status_updates"));
    assert_eq!(rows, inbound + outbound + rej + updates, "{v}");
    assert_eq!(outbound, billable + free + failed + undelivered, "{v}");
    assert_eq!(v["reconciled"], true);
    assert_eq!(rej as usize, v["rejected"].as_array().unwrap().len());
    assert_no_full_number(&r.stdout, &NUMBERS);
    assert_no_full_number(&r.stderr, &NUMBERS);
    (r, v)
}

/// Asserts the rejected rows: exact line numbers, in order, each reason
/// containing the given text.
fn assert_rejected(v: &Value, want: &[(u64, &str)]) {
    let got = rejected(v);
    let lines: Vec<u64> = got.iter().map(|r| r.0).collect();
    let want_lines: Vec<u64> = want.iter().map(|w| w.0).collect();
    assert_eq!(lines, want_lines, "{got:#?}");
    for ((_, reason), (line, text)) in got.iter().zip(want) {
        assert!(
            reason.contains(text),
            "line {line}: {reason:?} lacks {text:?}"
        );
    }
}

/// A usage error: exit 2, nothing on stdout, no full number on stderr.
fn usage_error(file: &str) -> Run {
    let r = estimate_json("bad", &[file, "--tz", "America/Sao_Paulo"]);
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    assert_eq!(r.stdout, "");
    r
}

#[test]
fn missing_required_column_names_the_column_and_its_aliases() {
    let r = usage_error("missing_column.csv");
    assert!(r.stderr.contains("missing_column.csv"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("missing required column \"direction\" (accepted names: direction, dir)"),
        "{}",
        r.stderr
    );
    assert_no_full_number(&r.stderr, &NUMBERS);
}

#[test]
fn missing_contact_column_lists_every_alias() {
    let r = usage_error("missing_contact.csv");
    for alias in [
        "contact",
        "wa_id",
        "recipient_id",
        "msisdn",
        "phone",
        "to",
        "from",
    ] {
        assert!(r.stderr.contains(alias), "{alias} not in {}", r.stderr);
    }
    assert!(r.stderr.contains("\"contact\""), "{}", r.stderr);
}

#[test]
fn unknown_direction() {
    let (_, v) = estimate_bad("unknown_direction.csv");
    assert_eq!(counts(&v), (4, 0, 2, 2, 0, 0, 2));
    assert_eq!(total(&v), "0.1250");
    assert_rejected(
        &v,
        &[
            (3, "unknown direction \"sideways\""),
            (4, "unknown direction \"\""),
        ],
    );
    assert_eq!(v["rejected"][0]["field"], "direction");
}

#[test]
fn unparseable_and_impossible_timestamps() {
    let (_, v) = estimate_bad("bad_timestamps.csv");
    assert_eq!(counts(&v), (6, 0, 1, 1, 0, 0, 5));
    assert_eq!(total(&v), "0.0625");
    assert_rejected(
        &v,
        &[
            (2, "cannot read timestamp \"yesterday\""),
            (3, "cannot read timestamp \"2026-02-30T10:00:00-03:00\""),
            (4, "cannot read timestamp \"2026-10-05T25:00:00-03:00\""),
            (5, "out of range"),
            (6, "cannot read timestamp \"\""),
        ],
    );
    assert!(v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["field"] == "timestamp"));
}

#[test]
fn numbers_that_cannot_be_phone_numbers() {
    let (_, v) = estimate_bad("bad_numbers.csv");
    assert_eq!(counts(&v), (7, 0, 1, 1, 0, 0, 6));
    assert_eq!(total(&v), "0.0625");
    assert_rejected(
        &v,
        &[
            (2, "5 digits"),
            (3, "contains 'A'"),
            (4, "starts with 0"),
            (5, "empty phone number"),
            (6, "17 digits"),
            (7, "no assigned country calling code"),
        ],
    );
    // +999 8765 43210 is not a number of the corpus list: check it too.
    let r = estimate_json("bad", &["bad_numbers.csv", "--format", "json"]);
    assert_no_full_number(&r.stdout, &["+999 8765 43210", "+55 11 91234-5678 0000"]);
    assert_no_full_number(&r.stderr, &["+999 8765 43210"]);
}

#[test]
fn unknown_category() {
    let (_, v) = estimate_bad("unknown_category.csv");
    assert_eq!(counts(&v), (3, 0, 1, 1, 0, 0, 2));
    assert_eq!(total(&v), "0.0068");
    assert_rejected(
        &v,
        &[
            (2, "unknown category \"promo\""),
            (3, "unknown category \"transactional\""),
        ],
    );
    assert!(
        rejected(&v)[0].1.contains("accepted: marketing, utility"),
        "{v}"
    );
}

#[test]
fn template_without_category() {
    let (_, v) = estimate_bad("template_without_category.csv");
    assert_eq!(counts(&v), (3, 0, 1, 1, 0, 0, 2));
    assert_eq!(total(&v), "0.0068");
    assert_rejected(
        &v,
        &[
            (2, "template without category"),
            (3, "cannot have category service"),
        ],
    );
}

#[test]
fn invalid_utf8_in_a_field() {
    // Line 2: Latin-1 "promoção" in the template name; line 3: a 0xFF byte in the contact.
    let bytes = std::fs::read(crate::common::fixtures("bad").join("invalid_utf8.csv")).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must hold invalid UTF-8"
    );
    // Not UTF-8: the file is read as Windows-1252 (issue 15), so line 2 is
    // priced and line 3's contact holds a 'ÿ'.
    let (_, v) = estimate_bad("invalid_utf8.csv");
    assert_eq!(counts(&v), (3, 0, 2, 2, 0, 0, 1));
    assert_eq!(total(&v), "0.1250");
    assert_rejected(&v, &[(3, "phone number contains 'ÿ'")]);
}

#[test]
fn byte_order_mark() {
    let bytes = std::fs::read(crate::common::fixtures("bad").join("bom.csv")).unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbftimestamp,"));
    let (_, v) = estimate_bad("bom.csv");
    assert_eq!(counts(&v), (2, 0, 1, 1, 0, 0, 1));
    assert_eq!(total(&v), "0.0625");
    assert_rejected(&v, &[(3, "unknown category \"promo\"")]);
}

#[test]
fn crlf_line_ends_keep_line_numbers_right() {
    let bytes = std::fs::read(crate::common::fixtures("bad").join("crlf.csv")).unwrap();
    assert_eq!(
        bytes.windows(2).filter(|w| w == b"\r\n").count(),
        4,
        "the fixture must keep CRLF"
    );
    let (_, v) = estimate_bad("crlf.csv");
    assert_eq!(counts(&v), (3, 0, 2, 2, 0, 0, 1));
    assert_eq!(total(&v), "0.0693");
    assert_rejected(&v, &[(4, "unknown category \"promo\"")]);
}

#[test]
fn semicolon_delimited() {
    // DD/MM/YYYY local times; line 4 was written with commas by mistake.
    let (_, v) = estimate_bad("semicolon.csv");
    assert_eq!(counts(&v), (3, 0, 1, 1, 0, 0, 2));
    assert_eq!(total(&v), "0.0625");
    assert_rejected(
        &v,
        &[
            (3, "unknown category \"promo\""),
            (4, "row has 3 fields, the header has 5"),
        ],
    );
}

#[test]
fn ragged_rows() {
    // A blank line (5) is not a row.
    let (_, v) = estimate_bad("ragged.csv");
    assert_eq!(counts(&v), (4, 0, 2, 2, 0, 0, 2));
    assert_eq!(total(&v), "0.0693");
    assert_rejected(
        &v,
        &[
            (2, "row has 4 fields, the header has 5"),
            (3, "row has 6 fields, the header has 5"),
        ],
    );
}

#[test]
fn unterminated_quote_does_not_silently_swallow_rows() {
    let (_, v) = estimate_bad("unterminated_quote.csv");
    let rej = rejected(&v);
    assert!(!rej.is_empty(), "{v}");
    assert!(rej[0].1.contains("quote"), "{rej:?}");
    assert_eq!(counts(&v).0, 3, "{v}");
}

fn huge_field_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge_field.csv");
    let mb = 1 << 20;
    let text = format!(
        "timestamp,direction,contact,type,category,template\n\
         2026-10-05T10:00:00-03:00,outbound,+55 11 91234-5678,template,marketing,{}\n\
         2026-10-05T10:01:00-03:00,outbound,+55 11 91234-5678,template,{},pedido\n\
         2026-10-05T10:02:00-03:00,outbound,+55 11 91234-5678,template,utility,pedido\n",
        "x".repeat(mb),
        "m".repeat(mb),
    );
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn huge_field() {
    // A 1 MB template name is harmless; a 1 MB category is rejected.
    let (_dir, path) = huge_field_file();
    let mut c = wacost();
    c.arg("estimate")
        .arg(&path)
        .args(["--tz", "America/Sao_Paulo", "--format", "json"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", &r.stderr[..r.stderr.len().min(500)]);
    let v = r.json();
    assert_eq!(counts(&v), (3, 0, 2, 2, 0, 0, 1));
    assert_eq!(total(&v), "0.0693");
    assert_rejected(&v, &[(3, "unknown category \"mmmm")]);
    assert_no_full_number(&r.stdout, &NUMBERS);
    assert_no_full_number(&r.stderr, &NUMBERS);
}

#[test]
fn huge_field_is_not_echoed_in_full() {
    let (_dir, path) = huge_field_file();
    let mut c = wacost();
    c.arg("estimate")
        .arg(&path)
        .args(["--tz", "America/Sao_Paulo", "--format", "json"]);
    let r = run(c);
    let v = r.json();
    assert!(
        rejected(&v)[0].1.len() < 1000,
        "reason of {} bytes",
        rejected(&v)[0].1.len()
    );
    assert!(
        r.stderr.len() < 10_000,
        "stderr of {} bytes",
        r.stderr.len()
    );
}

#[test]
fn empty_file() {
    // Nothing to price: exit 2, not an empty summary with 0 (issue 15).
    let r = estimate_nothing_read("empty.csv");
    assert!(r.stderr.contains("empty.csv: empty file"), "{}", r.stderr);
    assert!(r.stderr.contains("no rows to price"), "{}", r.stderr);
}

/// A run that reads no row: exit 2, nothing on stdout, the reasons on stderr.
fn estimate_nothing_read(file: &str) -> Run {
    let r = estimate_json("bad", &[file, "--tz", "America/Sao_Paulo"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "stderr: {}", r.stderr);
    assert_no_full_number(&r.stderr, &NUMBERS);
    r
}

#[test]
fn header_only() {
    let r = estimate_nothing_read("header_only.csv");
    assert!(r.stderr.contains("no rows to price"), "{}", r.stderr);
}

#[test]
fn truncated_json_line_is_rejected_and_reading_goes_on() {
    // Line 2 is half a payload; lines 1 and 3 are whole.
    let (_, v) = estimate_bad("truncated.jsonl");
    assert_eq!(counts(&v), (3, 0, 2, 2, 0, 0, 1));
    assert_eq!(total(&v), "0.0693");
    assert_rejected(&v, &[(2, "invalid JSON")]);
}

#[test]
fn truncated_json_array_is_rejected() {
    // Its one row rejected, nothing read: exit 2 with the reason.
    let r = estimate_nothing_read("truncated_array.json");
    assert!(
        r.stderr.contains("truncated_array.json:1: invalid JSON"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("all 1 rows were rejected"),
        "{}",
        r.stderr
    );
}

#[test]
fn webhook_payloads_of_other_fields_are_skipped_with_a_note() {
    // account_update (a tier upgrade, which quotes the business number) and
    // message_template_status_update carry no messages; line 3 is one delivered marketing.
    let (r, v) = estimate_bad("other_fields.jsonl");
    assert_eq!(counts(&v), (1, 0, 1, 1, 0, 0, 0));
    assert_eq!(total(&v), "0.0625");
    assert!(
        r.stderr
            .contains("other_fields.jsonl:1: skipped a webhook of field \"account_update\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "other_fields.jsonl:2: skipped a webhook of field \"message_template_status_update\""
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn json_that_is_not_a_webhook() {
    let (_, v) = estimate_bad("not_a_webhook.json");
    assert_eq!(counts(&v), (2, 0, 1, 1, 0, 0, 1));
    assert_eq!(total(&v), "0.0625");
    assert_rejected(&v, &[(1, "not a webhook payload: no \"entry\" array")]);
}

#[test]
fn webhook_statuses_without_usable_fields() {
    let (_, v) = estimate_bad("webhook_bad_statuses.jsonl");
    assert_eq!(counts(&v), (5, 0, 1, 1, 0, 0, 4));
    assert_eq!(total(&v), "0.0625");
    assert_rejected(
        &v,
        &[
            (1, "its category is unknown"),
            (2, "17 digits"),
            (3, "pricing category \"marketing_plus\""),
            (4, "cannot read timestamp \"not-a-time\""),
        ],
    );
    let r = estimate_json("bad", &["webhook_bad_statuses.jsonl"]);
    assert_no_full_number(&r.stdout, &["55119123456780000"]);
}

#[test]
fn webhook_duplicate_ids_are_one_message() {
    // wamid.D1: sent, delivered twice, read -> one marketing 0.0625;
    // wamid.D2: sent then failed -> one failed message.
    let (_, v) = estimate_bad("webhook_duplicate_ids.jsonl");
    assert_eq!(counts(&v), (2, 0, 2, 1, 0, 1, 0));
    assert_eq!(total(&v), "0.0625");
}

#[test]
fn webhook_duplicate_inbound_costs_nothing_more() {
    // The same inbound message (wamid.IN1) delivered twice, then one marketing 0.0625.
    let (_, v) = estimate_bad("webhook_duplicate_inbound.jsonl");
    assert_eq!(total(&v), "0.0625");
    assert_eq!(counts(&v).3, 1);
}

#[test]
fn webhook_duplicate_inbound_is_one_message() {
    let (_, v) = estimate_bad("webhook_duplicate_inbound.jsonl");
    assert_eq!(counts(&v), (2, 1, 1, 1, 0, 0, 0));
}

#[test]
fn csv_duplicate_ids_conserve_rows() {
    let (_, v) = estimate_bad("duplicate_ids.csv");
    assert_eq!(counts(&v).0, 4);
}

#[test]
fn csv_duplicate_ids_are_billed_once() {
    // One row per status (sent, delivered, read) is one message, merged by
    // id like webhooks: the later rows are status updates, not rejections.
    let (_, v) = estimate_bad("duplicate_ids.csv");
    assert_eq!(total(&v), "0.0693");
    assert_eq!(counts(&v).3, 2, "{v}");
    assert_eq!(count(&v, "status_updates"), 2, "{v}");
    assert_rejected(&v, &[]);
}

#[test]
fn csv_without_header_row_is_a_usage_error() {
    let r = usage_error("no_header.csv");
    assert!(
        r.stderr.contains("missing required column \"timestamp\""),
        "{}",
        r.stderr
    );
}

#[test]
fn csv_without_header_row_does_not_echo_the_number() {
    let r = usage_error("no_header.csv");
    assert_no_full_number(&r.stderr, &NUMBERS);
}

#[test]
fn swapped_columns_are_rejected_row_by_row() {
    let r = estimate_json("bad", &["swapped_columns.csv", "--tz", "America/Sao_Paulo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(counts(&v), (5, 0, 1, 1, 0, 0, 4));
    assert_eq!(total(&v), "0.0625");
    let lines: Vec<u64> = rejected(&v).iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![2, 3, 4, 5]);
    let fields: Vec<&str> = v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["timestamp", "timestamp", "direction", "contact"]
    );
}

#[test]
fn swapped_columns_never_echo_a_full_number() {
    let r = estimate_json("bad", &["swapped_columns.csv", "--tz", "America/Sao_Paulo"]);
    assert_no_full_number(&r.stdout, &NUMBERS);
    assert_no_full_number(&r.stderr, &NUMBERS);
}

#[test]
fn webhook_status_with_an_empty_id_is_rejected_not_merged() {
    // Found by fuzzing: statuses with "id": "" were merged into one message.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty_ids.jsonl");
    let status = |ts: u32, to: &str| {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"phone_number_id":"106540352242922"}},"statuses":[{{"id":"","status":"delivered","timestamp":"{ts}","recipient_id":"{to}","pricing":{{"billable":true,"pricing_model":"PMP","category":"marketing","type":"regular"}}}}]}}}}]}}]}}"#
        )
    };
    std::fs::write(
        &path,
        format!(
            "{}\n{}\n",
            status(1_790_861_400, "5511912345678"),
            status(1_790_861_500, "5521987654321")
        ),
    )
    .unwrap();
    let mut c = wacost();
    c.arg("estimate")
        .arg(&path)
        .args(["--tz", "America/Sao_Paulo", "--format", "json"]);
    let r = run(c);
    // Both statuses rejected, not merged: no row read, exit 2.
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains("all 2 rows were rejected"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(":1:") && r.stderr.contains("id"),
        "{}",
        r.stderr
    );
}

#[test]
fn line_numbers_count_blank_lines_mixed_endings_and_multiline_fields() {
    // Ops look rejected rows up by line: the line is the file's own,
    // whatever the csv reader skips or how lines end.
    let (_, v) = estimate_bad("blank_lines.csv");
    assert_rejected(&v, &[(5, "promo")]);
    let (_, v) = estimate_bad("mixed_line_endings.csv");
    assert_rejected(&v, &[(3, "promo")]);
    let (_, v) = estimate_bad("multiline_field.csv");
    assert_rejected(&v, &[(4, "promo")]);
}
