//! How each rate is known (direct, carried, inferred) reaches every output,
//! `--confidence direct` refuses inferred cells, and the BRL card prices
//! Brazilian businesses (issue 16).

use crate::common::{detail_column, estimate_json, rejected, run, total, wacost, wacost_in};

const SUB: &str = "confidence";

#[test]
fn inferred_rates_are_priced_and_said_so() {
    // USD North America utility on the 2025-07 card: 0.293 INR / 73.3 (inferred);
    // on the 2026-01 card 0.0034, stated by a copy of that card (direct).
    let r = estimate_json(SUB, &["na-2025-07.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(total(&v), "0.0699", "{v}");
    assert_eq!(v["inferred"]["billable"], 1, "{v}");
    assert_eq!(v["inferred"]["cost"], "0.0040", "{v}");
    let mut c = wacost_in(SUB);
    c.args(["estimate", "na-2025-07.csv", "--detail", "--format", "csv"]);
    let d = run(c);
    assert_eq!(d.code, 0, "{}", d.stderr);
    let levels = detail_column(&d.stdout, "confidence");
    assert_eq!(levels[0], "inferred", "{}", d.stdout);
    assert_ne!(levels[1], "inferred", "{}", d.stdout);
    assert_eq!(levels[2], "direct", "{}", d.stdout);
}

#[test]
fn the_table_says_how_much_rests_on_inferred_rates() {
    let mut c = wacost_in(SUB);
    c.args(["estimate", "na-2025-07.csv", "--format", "table"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Inferred rates: 1 billable messages, 0.0040 USD"),
        "{}",
        r.stdout
    );
}

#[test]
fn confidence_direct_refuses_inferred_cells_by_message() {
    let r = estimate_json(SUB, &["na-2025-07.csv", "--confidence", "direct"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(total(&v), "0.0659", "{v}");
    assert_eq!(v["inferred"]["billable"], 0, "{v}");
    let rej = rejected(&v);
    assert_eq!(rej.len(), 1, "{v}");
    assert_eq!(rej[0].0, 2, "{v}");
    assert!(
        rej[0].1.contains("North America") && rej[0].1.contains("--confidence direct"),
        "{}",
        rej[0].1
    );
    let strict = estimate_json(
        SUB,
        &["na-2025-07.csv", "--confidence", "direct", "--strict"],
    );
    assert_eq!(strict.code, 3, "{}", strict.stderr);
}

#[test]
fn a_brazilian_business_is_priced_in_brl() {
    let r = estimate_json(
        SUB,
        &[
            "brazil-2026-11.csv",
            "--currency",
            "BRL",
            "--tz",
            "America/Sao_Paulo",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["currency"], "BRL");
    assert_eq!(total(&v), "0.3567", "{v}");
    assert_eq!(v["inferred"]["billable"], 0, "{v}");
}

#[test]
fn the_brl_card_shows_brazil_with_sources() {
    let mut c = wacost();
    c.args([
        "rates",
        "--currency",
        "BRL",
        "--at",
        "2026-11-01",
        "--market",
        "Brazil",
    ])
    .args(["--format", "json"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let rate = |cat: &str| {
        v["rates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["category"] == cat)
            .cloned()
            .unwrap()
    };
    assert_eq!(rate("marketing")["rate"], "0.3217", "{v}");
    assert_eq!(rate("utility")["rate"], "0.0350", "{v}");
    assert_eq!(rate("service")["rate"], "0.0350", "{v}");
    assert_eq!(rate("marketing")["confidence"], "direct", "{v}");
    assert!(!rate("marketing")["source"].as_str().unwrap().is_empty());
}

#[test]
fn the_bundled_example_is_priced_in_brl_message_by_message() {
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/brazil-shop-2026-09.csv");
    let mut c = wacost();
    c.arg("estimate").arg(&example).args([
        "--currency",
        "BRL",
        "--tz",
        "America/Sao_Paulo",
        "--format",
        "json",
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["counts"]["rejected"], 0, "{v}");
    assert!(v["counts"]["billable"].as_u64().unwrap() > 0, "{v}");
}

#[test]
fn brl_utility_tiers_are_priced_marginally_across_a_band_edge() {
    // tiers/BRL.csv: Brazil utility 0-250,000 at 0.0350, 250,001-2,000,000 at 0.0333.
    let mut c = wacost_in(SUB);
    c.args(["forecast", "brazil-utility-300k.toml", "--format", "json"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    // 250,000 x 0.0350 + 50,000 x 0.0333 (not 300,000 x either rate).
    assert_eq!(total(&v), "10415.0000", "{v}");
}

#[test]
fn an_estimate_crosses_the_brl_band_edge_at_message_250001() {
    // 249,999 utility messages already this month: the log's two utility
    // templates are the 250,000th (list 0.0350) and the 250,001st (0.0333).
    let mut c = wacost_in(SUB);
    c.args(["estimate", "brazil-utility-two.csv", "--currency", "BRL"])
        .args([
            "--tz",
            "America/Sao_Paulo",
            "--tier-start",
            "Brazil:utility=249999",
        ])
        .args(["--detail", "--format", "csv"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        detail_column(&r.stdout, "rate"),
        ["0.0350", "0.0333"],
        "{}",
        r.stdout
    );
    assert_eq!(
        detail_column(&r.stdout, "tier"),
        ["0:250000", "250001:2000000"],
        "{}",
        r.stdout
    );
}

#[test]
fn north_america_on_the_2025_10_card_is_inferred() {
    let mut c = wacost();
    c.args(["rates", "--at", "2025-11-01", "--market", "North America"])
        .args(["--format", "json"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let utility = v["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["category"] == "utility")
        .cloned()
        .unwrap();
    assert_eq!(utility["rate"], "0.0040", "{v}");
    assert_eq!(utility["confidence"], "inferred", "{v}");
    assert!(utility["source"].as_str().unwrap().contains("73.3"), "{v}");
}

#[test]
fn a_tier_seed_that_names_its_month_applies_to_that_month_only() {
    // 249,999 Brazil utility messages already sent in December (not November):
    // November's message is the month's first (0.0350); December's two are the
    // 250,000th (0.0350) and the 250,001st (0.0333, the second band).
    let mut c = wacost_in(SUB);
    c.args([
        "estimate",
        "brazil-utility-nov-dec.csv",
        "--currency",
        "BRL",
    ])
    .args(["--tz", "America/Sao_Paulo"])
    .args(["--tier-start", "2026-12:Brazil:utility=249999"])
    .args(["--detail", "--format", "csv"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        detail_column(&r.stdout, "rate"),
        ["0.0350", "0.0350", "0.0333"],
        "{}",
        r.stdout
    );
    let mut bad = wacost_in(SUB);
    bad.args([
        "estimate",
        "brazil-utility-nov-dec.csv",
        "--currency",
        "BRL",
    ])
    .args(["--tier-start", "2026-13:Brazil:utility=1"]);
    let e = run(bad);
    assert_eq!(e.code, 2, "{}", e.stderr);
    assert!(e.stderr.contains("not a YYYY-MM month"), "{}", e.stderr);
}
