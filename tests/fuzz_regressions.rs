#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Reproducers found by the cargo-fuzz targets under `fuzz/`, minimized
//! (`cargo fuzz tmin`) and kept in `tests/fixtures/fuzz/`. Each test runs the
//! library call of its target on the fixture and checks what the target
//! asserts: no panic, rows = messages + rejected, no unredacted number in a
//! rejected phone field.

use std::path::PathBuf;

use wacost::input::{self, InputFormat, Inputs, Message, Rejected};
use wacost::time::Zone;

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// What the `csv_reader` / `webhook_reader` targets do: one input, then
/// `webhook::finish`.
fn read(data: &[u8], format: Option<InputFormat>) -> (Inputs, Vec<Message>, Vec<Rejected>) {
    let mut inputs = Inputs::new(Zone::parse("America/Sao_Paulo").unwrap());
    let mut msgs = Vec::new();
    let mut rejected = Vec::new();
    let _ = input::read_from(
        Box::new(std::io::Cursor::new(data.to_vec())),
        "fuzz",
        format,
        &mut inputs,
        &mut |m| msgs.push(m),
        &mut |r| rejected.push(r),
    );
    input::webhook::finish(&mut inputs, &mut |m| msgs.push(m), &mut |r| {
        rejected.push(r)
    });
    assert_eq!(
        inputs.rows,
        (msgs.len() + rejected.len()) as u64,
        "rows != messages + rejected"
    );
    (inputs, msgs, rejected)
}

/// 7+ digits joined only by separators `E164::parse` skips: a number that
/// redaction should have masked (`{:?}` escapes and the example number of
/// the error messages aside). Same check as `fuzz/fuzz_targets/common.rs`.
fn leaks_number(s: &str) -> bool {
    let s = s.replace("e.g. +55 11 98765-4321", "");
    let mut digits = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            digits = 0;
            if chars.next() == Some('u') {
                chars.by_ref().take_while(|&c| c != '}').for_each(drop);
            }
            continue;
        }
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= 7 {
                return true;
            }
        } else if !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}') {
            digits = 0;
        }
    }
    false
}

fn assert_phone_fields_redacted(rejected: &[Rejected]) {
    for r in rejected {
        if matches!(
            r.field.as_deref(),
            Some("contact" | "from" | "recipient_id")
        ) {
            assert!(
                !leaks_number(&r.reason),
                "unredacted number: {:?}",
                r.reason
            );
        }
    }
}

/// csv_reader: a contact written with `/` separators (which `E164::parse`
/// accepts) was quoted in full in the rejection, because `redact_digits`
/// split digit runs at `/` (and at no-break spaces). Fixed in `phone.rs`.
#[test]
fn csv_contact_with_slash_separators_is_redacted() {
    let (_, msgs, rejected) = read(
        &fixture("csv_contact_slash_separators.csv"),
        Some(InputFormat::Csv),
    );
    assert!(msgs.is_empty());
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].field.as_deref(), Some("contact"));
    assert_phone_fields_redacted(&rejected);

    // The same with readable numbers, in CSV and webhook inputs.
    let csv = "timestamp,direction,contact\n\
2026-10-01T10:00:00Z,out,+55/11/98765/4321 ramal 2\n\
2026-10-01T10:00:00Z,out,+55\u{a0}11\u{a0}98765\u{a0}4321x\n";
    let (_, msgs, rejected) = read(csv.as_bytes(), Some(InputFormat::Csv));
    assert!(msgs.is_empty());
    assert_eq!(rejected.len(), 2);
    assert_phone_fields_redacted(&rejected);
    assert!(!rejected.iter().any(|r| r.reason.contains("98765")));

    let hook = r#"{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"55/11/98765/4321x","timestamp":"1790861000"}],"statuses":[{"id":"w.1","status":"sent","timestamp":"1790861000","recipient_id":"55/11/98765/4321x"}]}}]}]}"#;
    let (_, msgs, rejected) = read(hook.as_bytes(), Some(InputFormat::Webhook));
    assert!(msgs.is_empty());
    assert_eq!(rejected.len(), 2);
    assert_phone_fields_redacted(&rejected);
}
