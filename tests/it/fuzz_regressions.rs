//! Reproducers found by the cargo-fuzz targets under `fuzz/`, minimized
//! (`cargo fuzz tmin`) and kept in `tests/fixtures/fuzz/`. Each test runs the
//! library call of its target on the fixture and checks what the target
//! asserts: no panic, rows = messages + rejected, no unredacted number in a
//! rejected phone field.

use std::collections::BTreeMap;
use std::path::PathBuf;

use wacost::data::Pricing;
use wacost::engine::forecast::price_plan;
use wacost::ingest::plan::{self as limits, Plan};
use wacost::ingest::{InputFormat, Inputs};
use wacost::model::{Message, Rejected};

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The fuzz targets' own harness: the same reading and the same checks.
#[path = "../../fuzz/fuzz_targets/common.rs"]
mod harness;

/// What the `csv_reader` / `webhook_reader` targets do: one input, then
/// `webhook::finish`, then their invariants (rows = messages + rejected,
/// sane messages, no unredacted number in a rejected phone field).
fn read(data: &[u8], format: Option<InputFormat>) -> (Inputs, Vec<Message>, Vec<Rejected>) {
    let r = harness::read(data, format);
    harness::check(&r);
    (r.inputs, r.msgs, r.rejected)
}

fn assert_phone_fields_redacted(rejected: &[Rejected]) {
    for r in rejected {
        if matches!(
            r.field.as_deref(),
            Some("contact" | "from" | "recipient_id")
        ) {
            assert!(
                !harness::leaks_number(&r.reason),
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

/// plan_parser: a plan growing 500% a month over a 1200-month range parsed,
/// then `price_plan` panicked ("Multiplication overflowed" in `Decimal`).
/// The range was also cut to 1200 months without a word. Fixed in
/// `forecast/plan.rs`: ranges over 1200 months, volumes over a trillion
/// messages a month (growth included), growth over 1000%, and negative or
/// absurd fees are errors naming the campaign and field.
#[test]
fn plan_growth_overflow_is_an_error_not_a_panic() {
    let pricing = Pricing::bundled().unwrap();
    let text = String::from_utf8(fixture("plan_growth_overflow.toml")).unwrap();
    let e = Plan::parse("fuzz.toml", &text, &pricing.markets)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`month`") && e.contains("1200 months"), "{e}");

    let plan = |body: &str| {
        Plan::parse(
            "p.toml",
            &format!("[[campaign]]\nmarket='BR'\ncategory='utility'\n{body}\n"),
            &pricing.markets,
        )
        .map_err(|e| e.to_string())
    };
    let e = plan("months='2026-11..2126-10'\nmessages=2\ngrowth='5'").unwrap_err();
    assert!(e.contains("`growth`") && e.contains("passes"), "{e}");
    let e = plan("month='2026-11'\nmessages=9223372036854775807").unwrap_err();
    assert!(e.contains("`messages`"), "{e}");
    let e = plan("months='2026-11..2027-11'\nmessages=1\ngrowth='1e30'").unwrap_err();
    assert!(e.contains("`growth`"), "{e}");
    for fees in [
        "per_message='-0.01'",
        "per_message='79228162514264337593543950335'",
        "percent='-50%'",
        "percent='1e20'",
    ] {
        let e = plan(&format!("month='2026-11'\nmessages=1\n[fees]\n{fees}")).unwrap_err();
        assert!(e.contains("[fees]"), "{fees}: {e}");
    }

    // The largest plan accepted prices without overflow.
    let p = plan(&format!(
        "months='2026-11..2126-10'\nmessages={}\n[fees]\nper_message='{}'\npercent='{}'",
        limits::MAX_MONTHLY_MESSAGES,
        limits::MAX_FEE,
        limits::MAX_PERCENT
    ))
    .unwrap();
    let mut twice = p.campaigns.clone();
    twice.extend(p.campaigns.clone());
    let p = Plan {
        campaigns: twice,
        ..p
    };
    let fc = price_plan(&pricing, &p, "USD", &BTreeMap::new(), None).unwrap();
    assert_eq!(fc.lines.len(), limits::MAX_MONTHS);
    let growing = plan(&format!(
        "months='2026-11..2027-01'\nmessages={}\ngrowth='-50%'",
        limits::MAX_MONTHLY_MESSAGES
    ));
    assert!(growing.is_ok(), "{growing:?}");
}

/// csv_reader: NUL bytes inside a contact split the digits into runs too
/// short to mask, so the tail of the number was quoted in the rejection.
/// Fixed in `phone.rs`: control characters join a run like separators.
#[test]
fn csv_contact_with_nul_bytes_is_redacted() {
    let (_, _, rejected) = read(
        &fixture("csv_contact_nul_separators.csv"),
        Some(InputFormat::Csv),
    );
    assert!(!rejected.is_empty());
    assert_phone_fields_redacted(&rejected);
    for r in &rejected {
        let visible: String = r.reason.chars().filter(char::is_ascii_digit).collect();
        assert!(!visible.contains("32190"), "{:?}", r.reason);
    }
}

/// Found by `records_reader`: a BulkExport line that is not a record was
/// rejected but not counted as a row, so rows != messages + rejected.
#[test]
fn a_bulkexport_line_that_is_not_a_record_is_a_counted_row() {
    let (inputs, msgs, rejected) = read(
        &fixture("records-bad-line-uncounted.jsonl"),
        Some(InputFormat::Records),
    );
    assert!(!rejected.is_empty());
    assert_eq!(inputs.rows, (msgs.len() + rejected.len()) as u64);
}
