//! `estimate --savings` (issue 17): each kind of saving on a log written
//! for it (`tests/fixtures/savings/october.csv`, Brazil, USD card of
//! 2026-10: marketing 0.0625, utility and service 0.0068), plus a second
//! business number that spends its 1,000 free service messages.

use std::fmt::Write as _;

use serde_json::Value;

use crate::common::{fixtures, run, wacost};

/// The fixture, and 1,001 service replies inside one window on number 222
/// (the 1,001st is beyond the allowance) followed by an in-window utility
/// template there (no allowance room left: nothing to save).
fn log() -> tempfile::NamedTempFile {
    let mut text = std::fs::read_to_string(fixtures("savings").join("october.csv")).unwrap();
    text.push_str("2026-10-05T00:00:00Z,inbound,+5511987650006,text,,in-6,,,222,\n");
    for i in 0..1001 {
        let (h, m, s) = (i * 10 / 3600, i * 10 / 60 % 60, i * 10 % 60);
        let _ = writeln!(
            text,
            "2026-10-05T0{h}:{m:02}:{s:02}Z,outbound,+5511987650006,text,,svc-{i},delivered,,222,"
        );
    }
    text.push_str("2026-10-05T05:00:00Z,outbound,+5511987650006,template,utility,out-6,delivered,,222,pedido_enviado\n");
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.sort_by_key(|l| l[..20].to_string());
    let f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::fs::write(f.path(), format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    f
}

fn savings(format: &str) -> (String, i32) {
    let f = log();
    let mut c = wacost();
    c.args(["estimate", "--savings", "--tz", "UTC", "--format", format])
        .arg(f.path());
    let r = run(c);
    (r.stdout, r.code)
}

fn kind<'a>(doc: &'a Value, code: &str) -> &'a Value {
    doc["savings"]["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == code)
        .unwrap_or_else(|| panic!("{code} missing: {doc}"))
}

#[test]
fn each_kind_of_saving_with_its_amount() {
    let (out, code) = savings("json");
    assert_eq!(code, 0, "{out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let expect = [
        // out-1 (number 111, allowance room: free as a reply) and out-6
        // (number 222, allowance spent: a reply costs the same 0.0068).
        ("utility_in_window", 2, "0.0136", "0.0068"),
        // out-2, 12 hours after the window closed: 0.0625 - 0.0068.
        ("marketing_after_window", 1, "0.0625", "0.0557"),
        // out-4: promo_entrega was charged as utility on out-3.
        ("category_changed", 1, "0.0625", "0.0557"),
        // svc-1000, the 1,001st service message of number 222 in October.
        ("service_beyond_allowance", 1, "0.0068", "0.0068"),
        // out-5a (27 h after the ad's message) and out-5b, inside the 72
        // hours a reply within 24 hours would have made free; not out-5c.
        ("missed_entry_point", 2, "0.0693", "0.0693"),
    ];
    for (code, messages, charged, could_save) in expect {
        let k = kind(&doc, code);
        assert_eq!(k["messages"], messages, "{code}: {k}");
        assert_eq!(k["charged"], charged, "{code}: {k}");
        assert_eq!(k["could_save"], could_save, "{code}: {k}");
        assert!(
            k["rule"].as_str().unwrap().contains("Meta"),
            "{code} cites Meta"
        );
    }
    assert_eq!(doc["savings"]["total"], "0.1943");
    assert_eq!(
        kind(&doc, "missed_entry_point")["first_lines"]
            .as_str()
            .unwrap()
            .matches(':')
            .count(),
        2
    );
}

#[test]
fn the_table_lists_the_kinds_and_csv_is_the_savings_rows() {
    let (table, _) = savings("table");
    assert!(
        table.contains("Where the money can be saved") && table.contains("Could save 0.1943 USD"),
        "{table}"
    );
    assert!(
        table.contains("- missed_entry_point: A reply within 24 hours"),
        "{table}"
    );
    let (csv, _) = savings("csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("kind,messages,charged,could_save,first_lines,rule")
    );
    assert_eq!(lines.count(), 5);
}

#[test]
fn savings_never_change_the_estimate() {
    let f = log();
    let total = |extra: &[&str]| {
        let mut c = wacost();
        c.args(["estimate", "--tz", "UTC", "--format", "json"])
            .args(extra)
            .arg(f.path());
        let v = run(c).json();
        (v["total"].clone(), v["counts"].clone(), v["lines"].clone())
    };
    assert_eq!(total(&[]), total(&["--savings"]));
}
