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

/// `wacost reconcile ARGS --format json` in `tests/fixtures/reconcile`, in UTC.
fn reconcile_utc(args: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("wacost")
        .unwrap()
        .current_dir("tests/fixtures/reconcile")
        .args(["reconcile", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), v)
}

fn not_matched(v: &Value) -> Vec<&Value> {
    v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["finding"] != "matched")
        .collect()
}

#[test]
fn free_in_window_utility_matches_metas_service_bucket_until_it_is_charged() {
    // M-ANALYTICS, pricing_analytics PRICING_CATEGORIES: "`SERVICE`: Messages
    // that were not charged. Includes all non-template messages and utility
    // messages sent inside of a customer service window." In September 2026
    // the in-window utility template and the text are Meta's 2 SERVICE /
    // FREE_CUSTOMER_SERVICE; in October (M-NONTEMPLATE: "Meta will charge for
    // utility messages sent in response to users within an open 24-hour
    // customer service window") the same utility is regular UTILITY (2 x
    // 0.0068) and only the text is free (the service free tier). The
    // marketing reply to an ad is not charged either: Meta's SERVICE /
    // FREE_ENTRY_POINT.
    let (code, v) = reconcile_utc(&[
        "in-window-utility.csv",
        "--against",
        "in-window-utility-analytics.json",
    ]);
    assert_eq!(code, 0, "{v}");
    assert!(not_matched(&v).is_empty(), "{v}");
    assert_eq!(v["summary"]["matched"], 7);
    let service: Vec<(&str, &str, u64)> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["category"] == "service")
        .map(|l| {
            (
                l["month"].as_str().unwrap(),
                l["pricing_type"].as_str().unwrap(),
                l["ours_volume"].as_u64().unwrap(),
            )
        })
        .collect();
    let fcs = "free_customer_service";
    assert_eq!(
        service,
        vec![
            ("2026-09", fcs, 2),
            ("2026-09", "free_entry_point", 1),
            ("2026-10", fcs, 1)
        ]
    );
    assert_eq!(v["total_ours"], "0.1454");
}

#[test]
fn metas_utility_free_customer_service_spelling_matches_too() {
    // Meta's own DAILY example response also lists `"pricing_type":
    // "FREE_CUSTOMER_SERVICE", "pricing_category": "UTILITY"`: the in-window
    // utility given apart from the text lands in the same bucket.
    let text = std::fs::read_to_string("tests/fixtures/reconcile/in-window-utility-analytics.json")
        .unwrap();
    let split = text.replacen(
        r#""pricing_type": "FREE_CUSTOMER_SERVICE",
            "pricing_category": "SERVICE",
            "volume": 2,"#,
        r#""pricing_type": "FREE_CUSTOMER_SERVICE",
            "pricing_category": "SERVICE",
            "volume": 1,
            "cost": 0
          },
          {
            "start": 1788998400,
            "end": 1789084800,
            "country": "BR",
            "pricing_type": "FREE_CUSTOMER_SERVICE",
            "pricing_category": "UTILITY",
            "volume": 1,"#,
        1,
    );
    assert_ne!(text, split, "fixture shape changed");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("analytics.json");
    std::fs::write(&p, split).unwrap();
    let log = std::fs::canonicalize("tests/fixtures/reconcile/in-window-utility.csv").unwrap();
    let (code, v) = reconcile_utc(&[log.to_str().unwrap(), "--against", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert!(not_matched(&v).is_empty(), "{v}");
}

#[test]
fn metas_buckets_requested_in_pacific_time_match_a_log_priced_in_utc() {
    // M-ANALYTICS: pricing_analytics counts "messages delivered within a
    // specified date range", and its DAILY example starts at 1748761200
    // (00:00 Pacific). The message at 03:00 UTC on 1 October is in Meta's
    // 30 September bucket: by UTC midnight it would be an October line
    // (September 1 vs 2, October 2 vs 1: two volume differences).
    let (code, v) = reconcile_utc(&[
        "pacific-days.csv",
        "--against",
        "pacific-days-analytics.json",
    ]);
    assert_eq!(code, 0, "{v}");
    let got: Vec<(&str, u64, u64)> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["month"].as_str().unwrap(),
                l["ours_volume"].as_u64().unwrap(),
                l["theirs_volume"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, vec![("2026-09", 2, 2), ("2026-10", 1, 1)]);
}

#[test]
fn conversation_pricing_compares_conversations_not_messages() {
    // M-CBP: "Charges are applied per conversation, not per individual
    // message sent or received"; conversations "are opened and charged when
    // messages you send to customers are delivered". Every message of the
    // charged marketing conversation carries Meta's `billable: true`, while
    // wacost prices the two inside it as part of the conversation (free): not
    // a difference. The free entry point conversation's messages say false.
    // Sent and delivered statuses carry the same pricing object, 2 s apart,
    // so this holds whichever status the webhook reader keeps.
    let (code, v) = reconcile_utc(&["cbp-conversations.jsonl"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["summary"]["messages_compared"], 7);
    assert_eq!(v["summary"]["message_differences"], 0);
}

#[test]
fn a_conversation_meta_bills_differently_is_one_finding() {
    // Meta's CBP-era status reference (as SDKs quote it): billable "Default is
    // true for all conversations, including those inside your free tier
    // limit, except those initiated from free entry points". Meta saying
    // false for the marketing conversation, and true for the free entry point
    // one, makes two findings, one per conversation (not five, per message).
    let text = std::fs::read_to_string("tests/fixtures/reconcile/cbp-conversations.jsonl").unwrap();
    let changed = text
        .replace(
            r#""pricing":{"billable":true,"pricing_model":"CBP","category":"marketing"}"#,
            r#""pricing":{"billable":false,"pricing_model":"CBP","category":"marketing"}"#,
        )
        .replace(
            r#""pricing":{"billable":false,"pricing_model":"CBP","category":"referral_conversion"}"#,
            r#""pricing":{"billable":true,"pricing_model":"CBP","category":"referral_conversion"}"#,
        );
    assert_eq!(
        changed.matches(r#""billable":true"#).count(),
        4,
        "fixture shape changed"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("log.jsonl");
    std::fs::write(&p, changed).unwrap();
    let (code, v) = reconcile_utc(&[p.to_str().unwrap()]);
    assert_eq!(code, 1, "{v}");
    let m: Vec<(&str, &str, bool)> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap(),
                m["code"].as_str().unwrap(),
                m["ours_billable"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        m,
        vec![
            ("wamid.cbp.a1", "conversation_billable_differs", true),
            ("wamid.cbp.c1", "conversation_billable_differs", false),
        ]
    );
}

/// `wacost reconcile --against FILE ARGS` with no log, in
/// `tests/fixtures/reconcile`: (exit code, stdout, stderr).
fn expected(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("wacost")
        .unwrap()
        .current_dir("tests/fixtures/reconcile")
        .arg("reconcile")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The credit-line file priced in São Paulo time, in `format`.
fn credit_line(format: &str, more: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "--against",
        "credit-line-analytics.json",
        "--tz",
        "America/Sao_Paulo",
        "--format",
        format,
    ];
    args.extend_from_slice(more);
    expected(&args)
}

#[test]
fn metas_volumes_without_cost_are_priced_as_the_expected_invoice() {
    // M-ANALYTICS, pricing_analytics metric_types: "Note that `COST` will not
    // be returned for WABAs that share a Solution Partner's credit line." The
    // file has volumes only; wacost prices them with the card of each day:
    // Brazil marketing 2,030 x 0.0625, Brazil service 5,000 x 0.0068 (charged
    // from 2026-10), Saudi utility 100,000 x 0.0107 + 20,000 x 0.0102 across two
    // days, 50,000 x 0.0107 in November (M-PRICING-07: "Tiers reset monthly"),
    // one MARKETING_LITE at India's marketing rate ("Starting July 1, 2025,
    // Cloud API marketing rates will apply to messages sent via MM Lite API", M-CBP).
    let (code, out, err) = credit_line("json", &[]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["source"], "wacost");
    assert_eq!(v["total"], "1970.3206");
    assert_eq!(v["meta_cost_total"], Value::Null);
    assert_eq!(v["complete"], false);
    let lines = v["lines"].as_array().unwrap();
    assert!(lines.iter().all(|l| l["source"] == "wacost"));
    let sa: Vec<(&str, &str, u64, &str)> = lines
        .iter()
        .filter(|l| l["market"] == "Saudi Arabia")
        .map(|l| {
            (
                l["month"].as_str().unwrap(),
                l["rate"].as_str().unwrap(),
                l["volume"].as_u64().unwrap(),
                l["cost"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sa,
        vec![
            ("2026-10", "0.0107", 100_000, "1070.0000"),
            ("2026-10", "0.0102", 20_000, "204.0000"),
            ("2026-11", "0.0107", 50_000, "535.0000"),
        ]
    );
    // Free types at 0, with Meta's word for why.
    let free = lines
        .iter()
        .find(|l| l["pricing_type"] == "free_entry_point")
        .unwrap();
    assert_eq!(
        (free["cost"].as_str(), free["volume"].as_u64()),
        (Some("0.0000"), Some(140))
    );
    assert!(free["note"].as_str().unwrap().contains("FREE_ENTRY_POINT"));
    // Canada shares +1: the country alone cannot decide the market.
    let ca = lines.iter().find(|l| l["market"] == "CA").unwrap();
    assert_eq!(ca["rate"], Value::Null);
    assert!(
        ca["note"].as_str().unwrap().contains("cannot decide"),
        "{ca}"
    );
    assert!(v["unpriced"].as_array().unwrap().len() == 1, "{v}");
}

#[test]
fn the_expected_invoice_says_wacost_computed_it_in_every_format() {
    let (code, table, _) = credit_line("table", &[]);
    assert_eq!(code, 0);
    assert!(
        table.starts_with("Expected invoice computed by wacost (source = wacost)"),
        "{table}"
    );
    assert!(
        table.contains("Total computed by wacost: 1970.3206 USD"),
        "{table}"
    );
    let (_, csv, _) = credit_line("csv", &[]);
    let mut rows = csv.lines();
    assert!(rows
        .next()
        .unwrap()
        .starts_with("source,month,market,category"));
    assert!(rows.all(|r| r.starts_with("wacost,")), "{csv}");
    insta::assert_snapshot!("expected_invoice_table", table);
}

#[test]
fn confidence_direct_shows_the_refused_cells_of_the_expected_invoice() {
    // Bangladesh authentication-international on the 2026-10 USD card is an
    // inferred cell: refused, named, not priced.
    let (code, out, _) = credit_line("json", &["--confidence", "direct"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total"], "1970.0326");
    let refused: Vec<&str> = v["unpriced"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|u| u.contains("Bangladesh"))
        .collect();
    assert_eq!(refused.len(), 1, "{v}");
    assert!(
        refused[0].contains("--confidence direct refuses"),
        "{}",
        refused[0]
    );
}

#[test]
fn conversation_analytics_without_cost_are_priced_per_conversation() {
    // M-ANALYTICS, conversation_analytics: cost is not returned for WABAs
    // billed through a partner. March 2025, requested in Pacific time, priced
    // at the USD card's conversation rates of that month.
    let (code, out, err) = expected(&[
        "--against",
        "credit-line-conversations.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["unit"], "conversations");
    assert_eq!(v["complete"], true, "{v}");
    // 2,000 x 0.0625 + 1,500 x 0.0080 + 300 x 0.0315; free tier and FEP at 0.
    assert_eq!(v["total"], "146.4500");
}

#[test]
fn reconcile_without_log_or_against_is_a_usage_error() {
    let (code, out, err) = expected(&[]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
}
