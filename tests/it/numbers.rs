//! Real exports (issue 15): national numbers and `--default-country`, and
//! template names joined to categories with `--templates`.
//!
//! Charged rows are Brazil 2026-10 (pmp-2026-10, no window open): marketing
//! 0.0625, utility and authentication 0.0068. Meta, Pricing
//! (developers.facebook.com/docs/whatsapp/pricing): "You are only charged
//! when a template message is delivered", at the rate of the template's
//! category in the market of the recipient's country calling code.

use crate::common::{assert_no_full_number, counts, estimate_json, lines, rejected, total, Run};
use serde_json::Value;

/// The numbers of `numbers/brazil-national.csv`, to check none is echoed.
const NATIONAL: [&str; 7] = [
    "(11) 98765-4321",
    "(21) 99876-5432",
    "(31) 98888-7777",
    "011 98765-1234",
    "+55 11 98765-0000",
    "21 99876-1111",
    "5511987650001",
];

fn estimate(sub: &str, args: &[&str]) -> (Run, Value) {
    let r = estimate_json(sub, args);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let v = r.json();
    (r, v)
}

fn assumed(v: &Value, kind: &str) -> u64 {
    v["assumptions"][kind].as_u64().unwrap_or(0)
}

#[test]
fn national_numbers_without_default_country_are_rejected_naming_the_flag() {
    let (r, v) = estimate("numbers", &["brazil-national.csv"]);
    // Only the two written with their country code are priced; `(11)` is
    // not read as +1, nor `(31)` as +31.
    assert_eq!(counts(&v), (7, 0, 2, 2, 0, 0, 5), "{v}");
    assert_eq!(total(&v), "0.1250");
    let got = rejected(&v);
    assert_eq!(
        got.iter().map(|g| g.0).collect::<Vec<_>>(),
        [2, 3, 4, 5, 7],
        "{got:?}"
    );
    for (line, reason) in &got {
        assert!(reason.contains("--default-country"), "{line}: {reason}");
        assert!(reason.contains("looks national"), "{line}: {reason}");
    }
    assert!(got[0].1.contains("parentheses"), "{}", got[0].1);
    assert!(got[3].1.contains("trunk prefix"), "{}", got[3].1);
    assert!(got[4]
        .1
        .contains("no country code has numbers of its length"));
    assert_eq!(lines(&v, &["market"])[0].0, "Brazil");
    assert_no_full_number(&r.stdout, &NATIONAL);
    assert_no_full_number(&r.stderr, &NATIONAL);
}

#[test]
fn default_country_reads_national_numbers_in_their_market_and_counts_them() {
    for args in [
        &["brazil-national.csv", "--default-country", "BR"][..],
        &["brazil-national.csv", "--default-country", "br"][..],
    ] {
        let (r, v) = estimate("numbers", args);
        assert_eq!(counts(&v), (7, 0, 7, 7, 0, 0, 0), "{v}");
        assert_eq!(total(&v), "0.4375");
        let by_market = lines(&v, &["market"]);
        assert_eq!(by_market.len(), 1, "{by_market:?}");
        assert_eq!(by_market[0].0, "Brazil");
        // The five written without a country code; `+55 ...` and
        // `5511987650001` carry theirs.
        assert_eq!(assumed(&v, "default_country"), 5, "{v}");
        assert!(r.stderr.contains("read as numbers of BR"), "{}", r.stderr);
        assert_no_full_number(&r.stdout, &NATIONAL);
        assert_no_full_number(&r.stderr, &NATIONAL);
    }
}

#[test]
fn default_country_from_the_environment() {
    let mut c = crate::common::wacost_in("numbers");
    c.env("WACOST_DEFAULT_COUNTRY", "BR").args([
        "estimate",
        "brazil-national.csv",
        "--format",
        "json",
    ]);
    let r = crate::common::run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(counts(&v).3, 7, "{v}");
    assert_eq!(assumed(&v, "default_country"), 5);
    // The flag wins over the environment; a bad value is a usage error.
    let mut c = crate::common::wacost_in("numbers");
    c.env("WACOST_DEFAULT_COUNTRY", "XX").args([
        "estimate",
        "brazil-national.csv",
        "--format",
        "json",
    ]);
    let r = crate::common::run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("WACOST_DEFAULT_COUNTRY"), "{}", r.stderr);
    let mut c = crate::common::wacost_in("numbers");
    c.env("WACOST_DEFAULT_COUNTRY", "XX").args([
        "estimate",
        "brazil-national.csv",
        "--format",
        "json",
        "--default-country",
        "BR",
    ]);
    assert_eq!(crate::common::run(c).code, 0);
}

#[test]
fn a_number_that_is_not_one_of_the_country_is_rejected() {
    let (r, v) = estimate(
        "numbers",
        &["brazil-invalid.csv", "--default-country", "BR"],
    );
    assert_eq!(counts(&v), (3, 0, 1, 1, 0, 0, 2), "{v}");
    let got = rejected(&v);
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), [3, 4]);
    for (line, reason) in &got {
        assert!(
            reason.contains("not a valid phone number of BR"),
            "{line}: {reason}"
        );
    }
    assert_no_full_number(&r.stdout, &["(11) 1234-5678", "(11) 08765-4321"]);
    assert_no_full_number(&r.stderr, &["(11) 1234-5678", "(11) 08765-4321"]);
}

#[test]
fn an_unknown_default_country_is_a_usage_error() {
    let r = estimate_json(
        "numbers",
        &["brazil-national.csv", "--default-country", "Brazil"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("ISO 3166"), "{}", r.stderr);
}

/// The Portuguese blast of `templates/blast-pt.csv`: four marketing, two
/// utility and one authentication template delivered in Brazil, and one
/// template that no book names.
fn assert_blast_priced(v: &Value) {
    assert_eq!(counts(v), (8, 0, 7, 7, 0, 0, 1), "{v}");
    assert_eq!(total(v), "0.2704");
    let by_cat: Vec<(String, u64)> = lines(v, &["market", "category"])
        .into_iter()
        .map(|l| (l.0, l.1))
        .collect();
    assert_eq!(
        by_cat,
        [
            ("Brazil|authentication".to_string(), 1),
            ("Brazil|marketing".to_string(), 4),
            ("Brazil|utility".to_string(), 2),
        ]
    );
    let got = rejected(v);
    assert_eq!(got[0].0, 9);
    assert!(
        got[0].1.starts_with("template without category"),
        "{}",
        got[0].1
    );
    assert!(got[0].1.contains("--templates"), "{}", got[0].1);
    assert!(got[0].1.contains("modelo_antigo"), "{}", got[0].1);
}

#[test]
fn templates_csv_joins_names_to_categories() {
    let (_, v) = estimate(
        "templates",
        &[
            "blast-pt.csv",
            "--templates",
            "templates.csv",
            "--group-by",
            "market,category",
        ],
    );
    assert_blast_priced(&v);
}

#[test]
fn templates_graph_api_pages_join_names_to_categories() {
    let (_, v) = estimate(
        "templates",
        &[
            "blast-pt.csv",
            "--templates",
            "message_templates-page1.json",
            "--templates",
            "message_templates-page2.json",
            "--group-by",
            "market,category",
        ],
    );
    assert_blast_priced(&v);
}

#[test]
fn template_names_without_templates_are_rejected_with_the_hint() {
    // Never priced as free service messages: every row is rejected with
    // the hint, and a run that reads no row exits 2 (issue 15).
    let r = estimate_json("templates", &["blast-pt.csv"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains("template without category") && r.stderr.contains("--templates"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("all 8 rows were rejected"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_templates_file_is_a_usage_error_naming_it() {
    let r = estimate_json(
        "templates",
        &["blast-pt.csv", "--templates", "blast-pt.csv"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--templates blast-pt.csv"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "");
    let r = estimate_json(
        "templates",
        &["blast-pt.csv", "--templates", "missing.json"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// `wacost market` reads numbers as the log readers do: a national number
/// is refused naming `--default-country`, and read in that country with it.
#[test]
fn market_reads_national_numbers_only_with_a_default_country() {
    let mut c = crate::common::wacost();
    c.args([
        "market",
        "--at",
        "2026-10-01",
        "--format",
        "csv",
        "(11) 98765-4321",
    ]);
    let r = crate::common::run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--default-country"), "{}", r.stderr);
    assert!(
        !r.stdout.contains("North America"),
        "never read as +1: {}",
        r.stdout
    );
    let mut c = crate::common::wacost();
    c.args([
        "market",
        "--at",
        "2026-10-01",
        "--format",
        "csv",
        "--default-country",
        "BR",
        "(11) 98765-4321",
    ]);
    let r = crate::common::run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("+55 11 9****-**21,BR,Brazil"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("read as a national number of BR"),
        "{}",
        r.stderr
    );
}
