//! The dated exceptions of 2026 (`[[exception]]` in pricing/rules.toml),
//! each off by default and switched on with `--rule NAME=on`, run through
//! the binary on small logs in `tests/fixtures/rules_2026/`.

use crate::common::{counts, detail_column, estimate_json, rejected, run, total, wacost_in};

const TZ: [&str; 2] = ["--tz", "America/Sao_Paulo"];

/// `--detail` CSV of `file` with `extra` arguments: (id, pricing_type, rule or reason) of
/// outbound rows.
fn detail(file: &str, extra: &[&str]) -> Vec<(String, String, String)> {
    let mut c = wacost_in("rules_2026");
    c.args(["estimate", file])
        .args(TZ)
        .args(["--detail", "--format", "csv"])
        .args(extra);
    let r = run(c);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let col = |n| detail_column(&r.stdout, n);
    let (ids, dirs, types, rules, reasons) = (
        col("id"),
        col("direction"),
        col("pricing_type"),
        col("rule"),
        col("reason"),
    );
    (0..ids.len())
        .filter(|&i| dirs[i] == "outbound")
        .map(|i| {
            let why = if rules[i].is_empty() {
                &reasons[i]
            } else {
                &rules[i]
            };
            (ids[i].clone(), types[i].clone(), why.clone())
        })
        .collect()
}

fn find<'a>(rows: &'a [(String, String, String)], id: &str) -> &'a (String, String, String) {
    rows.iter()
        .find(|r| r.0 == id)
        .unwrap_or_else(|| panic!("no {id} in {rows:?}"))
}

#[test]
fn ai_provider_brazil_rejects_brazil_service_messages_naming_the_rule_only_when_on() {
    let off = estimate_json("rules_2026", &["ai_provider.csv", TZ[0], TZ[1]]);
    assert_eq!(off.code, 0, "{}", off.stderr);
    assert_eq!(counts(&off.json()), (6, 3, 3, 0, 3, 0, 0));
    let args = [
        "ai_provider.csv",
        TZ[0],
        TZ[1],
        "--rule",
        "ai-provider-brazil=on",
    ];
    let on = estimate_json("rules_2026", &args);
    let v = on.json();
    // Never free, never zero: both Brazil service messages are rejected; Mexico stays free.
    assert_eq!(counts(&v), (6, 3, 1, 0, 1, 0, 2), "{v}");
    assert_eq!(total(&v), "0.0000");
    let rej = rejected(&v);
    assert_eq!(rej.iter().map(|r| r.0).collect::<Vec<_>>(), [3, 7]);
    for (_, why) in &rej {
        assert!(
            why.contains("ai-provider-brazil") && why.contains("not published"),
            "{why}"
        );
    }
    let d = detail("ai_provider.csv", &["--rule", "ai-provider-brazil=on"]);
    assert_eq!(find(&d, "wamid.mx1").1, "free_customer_service");
}

#[test]
fn government_nonprofit_service_frees_service_until_2027_only_when_on() {
    let off = detail("government.csv", &["--rule", "service-free-tier=off"]);
    assert_eq!(find(&off, "wamid.s1").1, "regular");
    let on = detail(
        "government.csv",
        &[
            "--rule",
            "service-free-tier=off",
            "--rule",
            "government-nonprofit-service=on",
        ],
    );
    for id in ["wamid.s1", "wamid.s2"] {
        let (_, ptype, rule) = find(&on, id);
        assert_eq!(ptype, "free_customer_service");
        assert!(rule.contains("government-nonprofit-service"), "{rule}");
    }
    assert_eq!(
        find(&on, "wamid.u1").1,
        "regular",
        "utility is not concerned"
    );
    assert_eq!(find(&on, "wamid.s3").1, "regular", "ended 2027-12-31");
}

#[test]
fn free_entry_point_7_days_keeps_the_window_open_168_hours_only_when_on() {
    let types = |rows: &[(String, String, String)]| -> Vec<String> {
        rows.iter().map(|r| r.1.clone()).collect()
    };
    let off = detail("fep.csv", &[]);
    assert_eq!(
        types(&off),
        ["free_entry_point", "regular", "regular", "regular"]
    );
    let on = detail("fep.csv", &["--rule", "free-entry-point-7-days=on"]);
    assert_eq!(
        types(&on),
        [
            "free_entry_point",
            "free_entry_point",
            "free_entry_point",
            "regular"
        ]
    );
    assert!(find(&on, "wamid.c3").2.contains("free-entry-point-7-days"));
}

#[test]
fn an_unknown_rule_lists_every_switch_including_the_exceptions() {
    let mut c = wacost_in("rules_2026");
    c.args(["estimate", "fep.csv", "--rule", "no-such-rule=on"]);
    let r = run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    for s in [
        "ai-provider-brazil",
        "government-nonprofit-service",
        "free-entry-point-7-days",
        "service-free-tier",
        "cbp-free-tier",
    ] {
        assert!(r.stderr.contains(s), "{s} not in {}", r.stderr);
    }
}

#[test]
fn rates_check_reports_each_cards_completeness_as_table_csv_and_json() {
    let mut c = crate::common::wacost();
    c.args(["rates", "check"]);
    let table = run(c);
    assert_eq!(table.code, 0, "{}", table.stderr);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[1].starts_with("currency  card"), "{}", table.stdout);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("USD       2026-10-01       47")),
        "{}",
        table.stdout
    );
    let mut c = crate::common::wacost();
    c.args(["rates", "check", "--format", "csv"]);
    let csv = run(c);
    let recs = crate::common::csv_records(&csv.stdout);
    assert_eq!(
        recs[0],
        [
            "currency", "card", "markets", "direct", "carried", "inferred", "n/a", "unknown",
            "missing", "rated"
        ]
    );
    let usd_oct = recs
        .iter()
        .find(|r| r[0] == "USD" && r[1] == "2026-10-01")
        .unwrap();
    let n = |i: usize| usd_oct[i].parse::<usize>().unwrap();
    assert_eq!((3..9).map(n).sum::<usize>(), n(2) * 5, "{usd_oct:?}");
    assert!(csv.stderr.contains(": ok"), "{}", csv.stderr);
    let mut c = crate::common::wacost();
    c.args(["rates", "check", "--format", "json"]);
    let j = run(c).json();
    assert_eq!(j["ok"], true);
    assert_eq!(j["cards"].as_array().unwrap().len(), recs.len() - 1);
}
