//! Max-price marketing (issue 14, part 3): Meta's Marketing Messages API
//! lets a business set a max price per marketing template, and "Meta will
//! charge that max price or lower" (Meta, Marketing Messages API pricing,
//! developers.facebook.com/documentation/business-messaging/whatsapp/marketing-messages/pricing);
//! providers report the final charge per message (YCloud status webhooks
//! `totalPrice`, docs.ycloud.com max-price integration guide; 360dialog
//! names the max price `bid_amount`). The fixtures are Cloud API status
//! webhooks in Meta's shape whose `pricing` object carries the provider's
//! extension fields, and CSV logs with price columns. Brazil marketing on
//! the 2026-10 USD card: 0.0625; utility: 0.0068.

use crate::common::{counts, detail_column, estimate_json, run, total, wacost_in};

const SUB: &str = "max_price";

fn estimate(file: &str) -> serde_json::Value {
    let r = estimate_json(SUB, &[file, "--tz", "UTC"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

fn detail(file: &str) -> String {
    let mut c = wacost_in(SUB);
    c.args([
        "estimate", file, "--tz", "UTC", "--detail", "--format", "csv",
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn a_webhook_final_charge_is_the_cost_and_a_max_price_alone_the_upper_bound() {
    // wamid.MAXCHARGED: max price 0.0800, the delivered status reports the
    // final charge 0.0550; wamid.MAXONLY: max price 0.0800, no final charge,
    // so it is priced at the card rate and may cost up to its max price.
    let v = estimate("max_price.jsonl");
    assert_eq!(counts(&v), (2, 0, 2, 2, 0, 0, 0), "{v}");
    assert_eq!(total(&v), "0.1175", "0.0550 + 0.0625: {v}");
    assert_eq!(v["cost_max"], "0.1350", "0.0550 + 0.0800: {v}");
    assert_eq!(v["lines"][0]["cost_max"], "0.1350", "{v}");
    assert!(
        v["assumptions"].get("price_currency_assumed").is_none(),
        "{v}"
    );
    let d = detail("max_price.jsonl");
    assert_eq!(detail_column(&d, "cost"), ["0.0550", "0.0625"]);
    assert_eq!(detail_column(&d, "card_cost"), ["0.0625", "0.0625"]);
    assert_eq!(detail_column(&d, "charged"), ["0.0550", ""]);
    assert_eq!(detail_column(&d, "cost_max"), ["", "0.0800"]);
}

#[test]
fn the_table_shows_the_total_as_a_range() {
    let mut c = wacost_in(SUB);
    c.args([
        "estimate",
        "max_price.jsonl",
        "--tz",
        "UTC",
        "--format",
        "table",
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Range 0.1175 .. 0.1350 USD"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("cost_max (USD)"), "{}", r.stdout);
}

#[test]
fn csv_prices_other_currencies_and_categories_are_not_mixed_in() {
    // C1 charged 0.0550 (max 0.0800); C2 max 0.0800 only; C3 a utility
    // template with a max price (ignored, noted); C4 charged 0.0900 above
    // its max; C5 charged in BRL on a USD card (not mixed: card rate); C6
    // no prices.
    let v = estimate("max_price.csv");
    assert_eq!(total(&v), "0.3393", "{v}");
    assert_eq!(v["cost_max"], "0.3568", "{v}");
    assert_eq!(v["assumptions"]["max_price_not_marketing"], 1, "{v}");
    assert_eq!(v["assumptions"]["price_currency_differs"], 1, "{v}");
    let d = detail("max_price.csv");
    assert_eq!(
        detail_column(&d, "cost"),
        ["0.0550", "0.0625", "0.0068", "0.0900", "0.0625", "0.0625"]
    );
    assert_eq!(
        detail_column(&d, "cost_max"),
        ["", "0.0800", "", "", "", ""]
    );
    assert_eq!(
        detail_column(&d, "card_cost"),
        ["0.0625", "0.0625", "0.0068", "0.0625", "0.0625", ""]
    );
}

#[test]
fn a_price_without_a_currency_column_is_read_in_the_card_s_currency_and_counted() {
    let v = estimate("no_currency.csv");
    assert_eq!(total(&v), "0.1175", "{v}");
    assert_eq!(v["assumptions"]["price_currency_assumed"], 1, "{v}");
    assert!(v.get("cost_max").is_none(), "no max price, no range: {v}");
    let mut c = wacost_in(SUB);
    c.args(["estimate", "no_currency.csv", "--tz", "UTC", "--strict"]);
    assert_eq!(run(c).code, 3, "--strict refuses the assumption");
}

#[test]
fn a_bad_price_cell_rejects_its_row_and_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("bad.csv");
    std::fs::write(
        &log,
        "timestamp,direction,contact,type,category,id,status,charged_price\n\
         2026-11-03 12:00:00,outbound,+5511987650001,template,marketing,w1,delivered,-0.05\n\
         2026-11-03 12:01:00,outbound,+5511987650002,template,marketing,w2,delivered,abc\n\
         2026-11-03 12:02:00,outbound,+5511987650003,template,marketing,w3,delivered,0.05\n",
    )
    .unwrap();
    let mut c = crate::common::wacost();
    c.args([
        "estimate",
        log.to_str().unwrap(),
        "--tz",
        "UTC",
        "--format",
        "json",
    ]);
    let v = run(c).json();
    let rejected = crate::common::rejected(&v);
    assert_eq!(rejected.len(), 2, "{v}");
    assert!(rejected[0].1.contains("negative"), "{v}");
    assert_eq!(v["rejected"][1]["field"], "charged_price", "{v}");
}

#[test]
fn reconcile_compares_the_charges_with_the_card() {
    // No --against: the log's own charges are compared. C1 is below the
    // card (a max price at work: shown, not a difference); C4 is above its
    // max price, which Meta says never happens: a difference, exit 1. C5
    // is in BRL: not compared.
    let mut c = wacost_in(SUB);
    c.args([
        "reconcile",
        "max_price.csv",
        "--tz",
        "UTC",
        "--format",
        "json",
    ]);
    let r = run(c);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["summary"]["charges_compared"], 2, "{v}");
    assert_eq!(v["summary"]["charge_differences"], 1, "{v}");
    let kinds: Vec<&str> = v["charges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["charged_below_card", "charged_above_max"], "{v}");
    assert_eq!(v["charges"][1]["charged"], "0.0900", "{v}");
    assert_eq!(v["charges"][1]["max_price"], "0.0800", "{v}");
    assert_eq!(v["charges"][1]["card_cost"], "0.0625", "{v}");
}

#[test]
fn a_streamed_log_and_one_held_in_memory_price_the_same() {
    for batch in ["1", "32768"] {
        let mut c = wacost_in(SUB);
        c.env("WACOST_STREAM_BATCH", batch);
        c.args([
            "estimate",
            "max_price.csv",
            "--tz",
            "UTC",
            "--format",
            "json",
        ]);
        let v = run(c).json();
        assert_eq!(total(&v), "0.3393", "batch {batch}: {v}");
        assert_eq!(v["cost_max"], "0.3568", "batch {batch}: {v}");
    }
}

fn forecast(plan: &str, format: &str) -> crate::common::Run {
    let mut c = wacost_in(SUB);
    c.args(["forecast", plan, "--format", format]);
    run(c)
}

#[test]
fn a_forecast_with_a_max_price_is_a_range_and_group_members_multiply_deliveries() {
    // 1,000 marketing messages with max price 0.0800: 62.50 at the card
    // rate up to 80.00; 100 group messages to 5 members each: 500
    // deliveries billed at the member's (Brazil) rate, on a
    // `group_marketing` line (Meta, Groups API Pricing: "charged each time
    // a billable message is delivered to someone in the group").
    let r = forecast("plan.toml", "json");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["total"], "93.7500", "{v}");
    assert_eq!(v["cost_max"], "111.2500", "{v}");
    let lines = v["lines"].as_array().unwrap();
    let line = |cat: &str| lines.iter().find(|l| l["category"] == cat).unwrap();
    let m = line("marketing");
    assert_eq!(
        (&m["cost"], &m["cost_max"]),
        (&"62.5000".into(), &"80.0000".into())
    );
    let g = line("group_marketing");
    assert_eq!(g["delivered"], 500, "{v}");
    assert_eq!(g["billable"], 500, "{v}");
    assert_eq!(
        (&g["cost"], &g["cost_max"]),
        (&"31.2500".into(), &"31.2500".into())
    );
    let t = forecast("plan.toml", "table");
    assert!(
        t.stdout.contains("Range 93.7500 .. 111.2500 USD"),
        "{}",
        t.stdout
    );
}

#[test]
fn a_max_price_below_the_card_rate_caps_the_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("low.toml");
    std::fs::write(
        &plan,
        "[[campaign]]\nmonth = \"2026-11\"\nmarket = \"BR\"\ncategory = \"marketing\"\nmessages = 100\nmax_price = \"0.05\"\n",
    )
    .unwrap();
    let mut c = crate::common::wacost();
    c.args(["forecast", plan.to_str().unwrap(), "--format", "json"]);
    let v = run(c).json();
    assert_eq!(
        (&v["total"], &v["cost_max"]),
        (&"5.0000".into(), &"5.0000".into()),
        "{v}"
    );
}

#[test]
fn plan_errors_name_the_campaign_and_what_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    for (body, field, says) in [
        (
            "category = \"utility\"\nmax_price = \"0.01\"",
            "max_price",
            "marketing campaigns only",
        ),
        (
            "category = \"marketing\"\ngroup_members = 9",
            "group_members",
            "from 1 to 8",
        ),
        (
            "category = \"marketing\"\ngroup_members = 0",
            "group_members",
            "from 1 to 8",
        ),
    ] {
        let plan = dir.path().join("bad.toml");
        std::fs::write(
            &plan,
            format!("[[campaign]]\nname = \"X\"\nmonth = \"2026-11\"\nmarket = \"BR\"\nmessages = 1\n{body}\n"),
        )
        .unwrap();
        let mut c = crate::common::wacost();
        c.args(["forecast", plan.to_str().unwrap()]);
        let r = run(c);
        assert_eq!(r.code, 2, "{}", r.stderr);
        let want = format!("campaign 1 (X): field `{field}`");
        assert!(
            r.stderr.contains(&want) && r.stderr.contains(says),
            "{}",
            r.stderr
        );
    }
}

/// The rendered outputs, checked by hand once (the figures are those the
/// tests above assert).
fn table(args: &[&str]) -> String {
    let mut c = wacost_in(SUB);
    c.args(args).args(["--format", "table"]);
    let r = run(c);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    r.stdout
}

#[test]
fn snapshots_of_the_range_the_charges_and_the_plan() {
    let estimate = table(&["estimate", "max_price.csv", "--tz", "UTC"]);
    insta::assert_snapshot!("estimate_table", estimate);
    let reconcile = table(&["reconcile", "max_price.csv", "--tz", "UTC"]);
    insta::assert_snapshot!("reconcile_table", reconcile);
    insta::assert_snapshot!("forecast_table", table(&["forecast", "plan.toml"]));
    insta::assert_snapshot!("detail_csv", detail("max_price.jsonl"));
}

#[test]
fn a_webhook_charge_below_the_card_is_shown_but_is_no_difference() {
    // Meta's own pricing objects agree with wacost (regular, billable);
    // the final charge 0.0550 is below the card's 0.0625: what the max
    // price bought, exit 0.
    let mut c = wacost_in(SUB);
    c.args([
        "reconcile",
        "max_price.jsonl",
        "--tz",
        "UTC",
        "--format",
        "json",
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["summary"]["messages_compared"], 2, "{v}");
    assert_eq!(v["summary"]["charges_compared"], 1, "{v}");
    assert_eq!(v["summary"]["charge_differences"], 0, "{v}");
    assert_eq!(v["charges"][0]["code"], "charged_below_card", "{v}");
    assert_eq!(v["charges"][0]["id"], "wamid.MAXCHARGED", "{v}");
}
