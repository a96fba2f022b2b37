//! `wacost market` and `wacost rates`: the dated market map and rate cards as
//! a user sees them, and bad `--pricing` data.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::{assert_no_full_number, run, wacost, Run};
use serde_json::{json, Value};

fn market(args: &[&str]) -> Run {
    let mut c = wacost();
    c.arg("market").args(args);
    run(c)
}

/// (country, market) of one number on a date, from `--format json`.
fn market_of(number: &str, at: &str) -> (String, String) {
    let r = market(&["--at", at, "--format", "json", number]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    (
        v[0]["country"].as_str().unwrap().to_string(),
        v[0]["market"].as_str().unwrap().to_string(),
    )
}

fn pair(c: &str, m: &str) -> (String, String) {
    (c.to_string(), m.to_string())
}

#[test]
fn market_json_shape_with_masked_number() {
    let r = market(&[
        "--at",
        "2026-10-01",
        "--format",
        "json",
        "+55 11 98765-4321",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.json(),
        json!([{"number": "+55 11 9****-**21", "country": "BR", "market": "Brazil"}])
    );
    assert_no_full_number(&r.stdout, &["+55 11 98765-4321"]);
}

#[test]
fn market_accepts_what_people_write_and_keeps_order() {
    let r = market(&[
        "--at",
        "2026-10-01",
        "--format",
        "json",
        "5511987654321",
        "0055 21 99876 5432",
        "+351 912 345 678",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.json(),
        json!([
            {"number": "+55 11 9****-**21", "country": "BR", "market": "Brazil"},
            {"number": "+55 21 9****-**32", "country": "BR", "market": "Brazil"},
            {"number": "+351 91 ***-**78", "country": "PT", "market": "Rest of Western Europe"}
        ])
    );
}

#[test]
fn market_show_numbers_prints_them_in_full() {
    let r = market(&[
        "--at",
        "2026-10-01",
        "--format",
        "json",
        "--show-numbers",
        "+55 11 98765-4321",
    ]);
    assert_eq!(
        r.json(),
        json!([{"number": "+5511987654321", "country": "BR", "market": "Brazil"}])
    );
}

#[test]
fn market_csv_and_table_mask_numbers_too() {
    let r = market(&[
        "--at",
        "2026-10-01",
        "--format",
        "csv",
        "+55 11 98765-4321",
        "+1 415 555 0123",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "number,country,market,error\n+55 11 9****-**21,BR,Brazil,\n+1 415 ***-**23,US,North America,\n"
    );
    let t = market(&[
        "--at",
        "2026-10-01",
        "--format",
        "table",
        "+55 11 98765-4321",
    ]);
    assert_eq!(t.code, 0);
    assert!(
        t.stdout.contains("+55 11 9****-**21") && t.stdout.contains("Brazil"),
        "{}",
        t.stdout
    );
    assert_no_full_number(&t.stdout, &["+55 11 98765-4321"]);
}

#[test]
fn zimbabwe_moves_from_other_to_rest_of_africa_on_2025_10_01() {
    // Meta change log (M-PRICING-2026-03, 2025-10-01): Zimbabwe (+263) from Other to Rest of Africa.
    assert_eq!(
        market_of("+263 77 123 4567", "2025-09-30"),
        pair("ZW", "Other")
    );
    assert_eq!(
        market_of("+263 77 123 4567", "2025-10-01"),
        pair("ZW", "Rest of Africa")
    );
}

#[test]
fn poland_becomes_its_own_market_on_2026_07_01() {
    // Meta change log 2026-07-01 (M-PRICING-2026-07): Poland out of Rest of Central & Eastern Europe.
    assert_eq!(
        market_of("+48 512 345 678", "2026-06-30"),
        pair("PL", "Rest of Central & Eastern Europe")
    );
    assert_eq!(
        market_of("+48 512 345 678", "2026-07-01"),
        pair("PL", "Poland")
    );
}

#[test]
fn bangladesh_becomes_its_own_market_on_2026_10_01() {
    // Meta change log "Rate card updates effective October 1, 2026" (M-PRICING-2026-07).
    assert_eq!(
        market_of("+880 1712-345678", "2026-09-30"),
        pair("BD", "Rest of Asia Pacific")
    );
    assert_eq!(
        market_of("+880 1712-345678", "2026-10-01"),
        pair("BD", "Bangladesh")
    );
}

#[test]
fn nanp_numbers_are_told_apart_by_area_code() {
    // Meta pricing page, country calling codes: Puerto Rico (+1 787) is Rest of
    // Latin America, the rest of +1 North America.
    assert_eq!(
        market_of("+1 787 555 1234", "2026-10-01"),
        pair("PR", "Rest of Latin America")
    );
    assert_eq!(
        market_of("+1 415 555 0123", "2026-10-01"),
        pair("US", "North America")
    );
    let r = market(&["--at", "2026-10-01", "--format", "json", "+1 787 555 1234"]);
    assert_eq!(r.json()[0]["number"], "+1 787 ***-**34");
}

#[test]
fn market_exits_2_when_no_number_resolves() {
    let r = market(&[
        "--at",
        "2026-10-01",
        "--format",
        "json",
        "12345",
        "not-a-number",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("5 digits"), "{}", r.stderr);
    // One good number is enough: the bad one is reported in the output.
    let r = market(&[
        "--at",
        "2026-10-01",
        "--format",
        "json",
        "12345",
        "+55 11 98765-4321",
    ]);
    assert_eq!(r.code, 0);
    let v = r.json();
    assert_eq!(
        v[1],
        json!({"number": "+55 11 9****-**21", "country": "BR", "market": "Brazil"})
    );
    assert!(v[0]["error"].as_str().unwrap().contains("5 digits"), "{v}");
}

#[test]
fn market_never_echoes_an_unresolvable_full_number() {
    // +999 is no assigned calling code.
    let r = market(&[
        "--at",
        "2026-10-01",
        "--format",
        "json",
        "+999 8765 43210",
        "+55 11 98765-4321",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_no_full_number(&r.stdout, &["+999 8765 43210", "+55 11 98765-4321"]);
    assert_no_full_number(&r.stderr, &["+999 8765 43210"]);
}

#[test]
fn market_bad_date_is_a_usage_error() {
    let r = market(&[
        "--at",
        "2026-02-30",
        "--format",
        "json",
        "+55 11 98765-4321",
    ]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
}

/// Market names of the bundled map's snapshot in force on `date`, plus `Other`
/// (where unlisted countries go).
fn markets_on(date: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pricing")
        .join("markets.csv");
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let rows: Vec<(String, String)> = rdr
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[0].to_string(), r[3].to_string()))
        .collect();
    let snap = rows
        .iter()
        .map(|r| r.0.as_str())
        .filter(|d| *d <= date)
        .max()
        .unwrap()
        .to_string();
    let mut names: BTreeSet<String> = rows
        .into_iter()
        .filter(|r| r.0 == snap)
        .map(|r| r.1)
        .collect();
    names.insert("Other".to_string());
    names
}

#[test]
fn rates_json_lists_every_market_of_the_map_with_all_five_categories() {
    let mut c = wacost();
    c.args([
        "rates",
        "--at",
        "2026-11-01",
        "--currency",
        "USD",
        "--format",
        "json",
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["currency"], "USD");
    assert_eq!(v["at"], "2026-11-01");
    assert_eq!(v["card"], "2026-10-01");
    let mut by_market: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in v["rates"].as_array().unwrap() {
        let status = row["status"].as_str().unwrap();
        assert!(["rate", "n/a", "unknown"].contains(&status), "{row}");
        assert_eq!(row["rate"].is_string(), status == "rate", "{row}");
        by_market
            .entry(row["market"].as_str().unwrap().to_string())
            .or_default()
            .push(row["category"].as_str().unwrap().to_string());
    }
    let want = markets_on("2026-11-01");
    assert_eq!(by_market.keys().cloned().collect::<BTreeSet<_>>(), want);
    assert!(
        want.contains("Bangladesh") && want.contains("Poland"),
        "{want:?}"
    );
    for (m, cats) in &by_market {
        let mut cats = cats.clone();
        cats.sort();
        assert_eq!(
            cats,
            [
                "authentication",
                "authentication_international",
                "marketing",
                "service",
                "utility"
            ],
            "{m}"
        );
    }
    let brazil: BTreeMap<&str, &Value> = v["rates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["market"] == "Brazil")
        .map(|r| (r["category"].as_str().unwrap(), &r["rate"]))
        .collect();
    assert_eq!(brazil["marketing"], "0.0625");
    assert_eq!(brazil["utility"], "0.0068");
    assert_eq!(brazil["authentication"], "0.0068");
    assert_eq!(brazil["service"], "0.0068");
    assert_eq!(*brazil["authentication_international"], Value::Null);
}

#[test]
fn rates_before_bangladesh_split_lists_no_bangladesh() {
    let mut c = wacost();
    c.args([
        "rates",
        "--at",
        "2026-09-30",
        "--currency",
        "USD",
        "--format",
        "json",
    ]);
    let v = run(c).json();
    let names: BTreeSet<String> = v["rates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["market"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, markets_on("2026-09-30"));
    assert!(!names.contains("Bangladesh"));
    // Service is free (0) before 2026-10-01.
    let br: Vec<&Value> = v["rates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["market"] == "Brazil" && r["category"] == "service")
        .collect();
    assert_eq!(br[0]["rate"], "0.0000");
}

#[test]
fn rates_for_a_currency_without_a_card_is_a_usage_error() {
    let mut c = wacost();
    c.args([
        "rates",
        "--at",
        "2026-11-01",
        "--currency",
        "CLP",
        "--format",
        "json",
    ]);
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(r.stderr.contains("CLP"), "{}", r.stderr);
}

#[test]
fn rates_check_passes_on_bundled_data() {
    let mut c = wacost();
    c.args(["rates", "check"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("bundled:") && r.stdout.trim_end().ends_with(": ok"),
        "{}",
        r.stdout
    );
    assert!(!r.stderr.contains("error:"), "{}", r.stderr);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A copy of the bundled pricing/ with `line` appended to `file`; returns the
/// directory and the number of the appended line.
fn pricing_with(file: &str, line: &str) -> (tempfile::TempDir, usize) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pricing");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing"), &p);
    let target = p.join(file);
    let mut text = std::fs::read_to_string(&target).unwrap();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
    std::fs::write(&target, &text).unwrap();
    let n = text.lines().count();
    (dir, n)
}

#[test]
fn pricing_dir_copy_passes_check() {
    let (dir, _) = pricing_with("rates/USD.csv", "");
    let mut c = wacost();
    c.args(["rates", "check", "--pricing"])
        .arg(dir.path().join("pricing"));
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.trim_end().ends_with(": ok"), "{}", r.stdout);
}

#[test]
fn duplicate_rate_row_is_an_error_naming_file_and_line() {
    let (dir, n) = pricing_with(
        "rates/USD.csv",
        "2026-10-01,Brazil,marketing,0.0700,direct,test: a second Brazil marketing rate",
    );
    let where_ = format!("rates/USD.csv:{n}");
    for args in [
        vec!["rates", "check"],
        vec!["rates", "--at", "2026-11-01", "--format", "json"],
    ] {
        let mut c = wacost();
        c.args(&args)
            .arg("--pricing")
            .arg(dir.path().join("pricing"));
        let r = run(c);
        // Broken pricing data: exit 4 (a pricing data error).
        assert_eq!(r.code, 4, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{args:?}");
        assert!(
            r.stderr.contains(&where_),
            "{args:?}: want {where_} in {}",
            r.stderr
        );
        assert!(
            r.stderr.contains("Brazil marketing listed twice"),
            "{}",
            r.stderr
        );
    }
    // estimate refuses to price with that data too.
    let mut c = wacost();
    c.args(["estimate", "--format", "json", "--pricing"])
        .arg(dir.path().join("pricing"))
        .arg(crate::common::fixtures("estimate").join("failed.csv"));
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (4, ""));
    assert!(r.stderr.contains(&where_), "{}", r.stderr);
}

#[test]
fn overlapping_market_prefix_is_an_error_naming_file_and_line() {
    // A second row for +55 in the 2026-10-01 snapshot of the market map.
    let (dir, n) = pricing_with(
        "markets.csv",
        "2026-10-01,55,BR,Rest of Latin America,test: overlapping row",
    );
    let mut c = wacost();
    c.args(["rates", "check", "--pricing"])
        .arg(dir.path().join("pricing"));
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (4, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("markets.csv:{n}")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("prefix 55"), "{}", r.stderr);
}

#[test]
fn bad_rate_value_is_an_error_naming_file_and_line() {
    let (dir, n) = pricing_with(
        "rates/USD.csv",
        "2027-01-01,Brazil,marketing,-0.01,direct,test: negative",
    );
    let mut c = wacost();
    c.args(["rates", "check", "--pricing"])
        .arg(dir.path().join("pricing"));
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (4, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("rates/USD.csv:{n}")),
        "{}",
        r.stderr
    );
}
