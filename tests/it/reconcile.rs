//! `wacost reconcile` on the bundled example: Meta's numbers that agree
//! exit 0, altered ones exit 1 with the right finding.

use assert_cmd::Command;
use serde_json::Value;

fn reconcile(args: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("wacost")
        .unwrap()
        .args(["reconcile", "--tz", "America/Sao_Paulo", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), v)
}

#[test]
fn webhook_pricing_objects_agree_message_by_message() {
    let (code, v) = reconcile(&["examples/brazil-shop-2026-09.jsonl"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["summary"]["messages_compared"], 91);
    assert_eq!(v["summary"]["message_differences"], 0);
}

#[test]
fn matching_invoice_exits_zero() {
    let (code, v) = reconcile(&[
        "examples/brazil-shop-2026-09.csv",
        "--against",
        "examples/meta-invoice-2026-10.csv",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["summary"]["matched"], 7);
    assert_eq!(v["total_ours"], "0.8967");
    assert_eq!(v["difference"], "0.0000");
}

#[test]
fn altered_invoice_line_is_a_cost_difference() {
    // Brazil marketing billed 0.6875 for 10 messages: 0.0625 more than the card.
    let (code, v) = reconcile(&[
        "examples/brazil-shop-2026-09.csv",
        "--against",
        "tests/fixtures/reconcile/invoice-altered.csv",
    ]);
    assert_eq!(code, 1);
    let bad: Vec<&Value> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["finding"] != "matched")
        .collect();
    assert_eq!(bad.len(), 1, "{v}");
    assert_eq!(bad[0]["market"], "Brazil");
    assert_eq!(bad[0]["category"], "marketing");
    assert_eq!(bad[0]["finding"], "cost_differs");
    assert_eq!(bad[0]["difference"], "0.0625");
}

#[test]
fn a_message_meta_priced_differently_is_listed() {
    // Meta says the first support reply of the example was billed.
    let text = std::fs::read_to_string("examples/brazil-shop-2026-09.jsonl").unwrap();
    let changed = text.replacen(
        "\"billable\":false,\"pricing_model\":\"PMP\",\"type\":\"free_customer_service\"",
        "\"billable\":true,\"pricing_model\":\"PMP\",\"type\":\"regular\"",
        1,
    );
    assert_ne!(text, changed, "fixture shape changed");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("log.jsonl");
    std::fs::write(&p, changed).unwrap();
    let (code, v) = reconcile(&[p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let m = &v["messages"][0];
    assert_eq!(m["code"], "message_type_differs");
    assert_eq!(m["theirs_pricing_type"], "regular");
    assert_eq!(m["ours_pricing_type"], "free_customer_service");
    assert!(
        m["contact"].as_str().unwrap().contains('*'),
        "numbers masked: {m}"
    );
}

#[test]
fn a_huge_or_personal_invoice_field_is_not_echoed_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let invoice = dir.path().join("invoice.csv");
    std::fs::write(
        &invoice,
        format!(
            "month,market,category,volume,cost\n2026-10,Brazil,marketing,1,{}\n2026-10,Brazil,utility,+55 11 91234-5678,0.01\n",
            "9".repeat(1 << 20)
        ),
    )
    .unwrap();
    let out = Command::cargo_bin("wacost")
        .unwrap()
        .args(["reconcile", "--tz", "America/Sao_Paulo", "--format", "json"])
        .arg("examples/brazil-shop-2026-09.csv")
        .arg("--against")
        .arg(&invoice)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.len() < 10_000, "{} bytes of output", text.len());
    assert!(!text.contains("91234-5678"), "{text}");
    assert!(
        !text.contains(&"9".repeat(100)),
        "a long run of the field echoed"
    );
}
