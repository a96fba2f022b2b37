//! Pricing data from outside the binary: `--pricing DIR` overlays the
//! bundled data, `--pricing-only DIR` replaces it, `rates export` writes it
//! out, `rates import` writes an overlay, `--version` names the newest card
//! and `rates --tiers` shows the ladders.

use std::path::Path;

use crate::common::{fixtures, run, total, wacost, Run};

/// Writes `files` ((relative path, text)) into a new temporary directory.
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// A one-message log: a delivered marketing template to `number` at `when`.
fn log(dir: &Path, number: &str, when: &str) -> std::path::PathBuf {
    let p = dir.join(format!("log-{}.csv", when.replace(':', "")));
    let text = format!(
        "timestamp,direction,contact,type,category,status,id\n{when},outbound,{number},template,marketing,delivered,w1\n"
    );
    std::fs::write(&p, text).unwrap();
    p
}

const BRAZIL: &str = "+55 11 98765-4321";
const INDIA: &str = "+91 98765 43210";

/// `wacost ARGS... --format json` with `pricing` (e.g. `--pricing DIR`).
fn wacost_json(pricing: &[&str], args: &[&str]) -> Run {
    let mut c = wacost();
    c.args(args).args(pricing).args(["--format", "json"]);
    run(c)
}

fn estimate_total(pricing: &[&str], log: &Path, currency: &str) -> String {
    let log = log.to_str().unwrap();
    let r = wacost_json(pricing, &["estimate", log, "--currency", currency]);
    assert_eq!(r.code, 0, "{pricing:?} {log}: {}", r.stderr);
    total(&r.json()).to_string()
}

fn rates_json(pricing: &[&str], args: &[&str]) -> serde_json::Value {
    let mut all = vec!["rates"];
    all.extend_from_slice(args);
    let r = wacost_json(pricing, &all);
    assert_eq!(r.code, 0, "{pricing:?} {args:?}: {}", r.stderr);
    r.json()
}

/// The one rate of a `rates --market M --format json` output for `category`.
fn rate_of<'v>(v: &'v serde_json::Value, category: &str) -> &'v serde_json::Value {
    v["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == category)
        .unwrap_or_else(|| panic!("no {category} in {v}"))
}

const ONE_ROW: &str = "effective_from,market,category,rate,confidence,source\n\
2027-01-01,Brazil,marketing,0.0700,direct,test overlay: a made-up 2027 card\n";

#[test]
fn an_overlay_adds_one_card_and_keeps_the_rest() {
    let over = dir_with(&[("rates/USD.csv", ONE_ROW)]);
    let flag = ["--pricing", over.path().to_str().unwrap()];
    let logs = tempfile::tempdir().unwrap();
    // The new card prices Brazil marketing from its date on.
    let jan = log(logs.path(), BRAZIL, "2027-01-05T10:00:00Z");
    assert_eq!(estimate_total(&flag, &jan, "USD"), "0.0700");
    assert_eq!(estimate_total(&[], &jan, "USD"), "0.0625");
    // Other dates, markets and currencies are priced as before.
    let nov = log(logs.path(), BRAZIL, "2026-11-05T10:00:00Z");
    let india = log(logs.path(), INDIA, "2027-01-05T10:00:00Z");
    for (l, cur) in [
        (&nov, "USD"),
        (&india, "USD"),
        (&india, "INR"),
        (&jan, "EUR"),
    ] {
        assert_eq!(
            estimate_total(&flag, l, cur),
            estimate_total(&[], l, cur),
            "{l:?} {cur}"
        );
    }
    // The new card's other cells are the card before it, carried.
    let v = rates_json(&flag, &["--at", "2027-01-05", "--market", "Brazil"]);
    assert_eq!(v["card"], "2027-01-01", "{v}");
    assert_eq!(rate_of(&v, "marketing")["confidence"], "direct");
    let utility = rate_of(&v, "utility");
    let before = rates_json(&[], &["--at", "2027-01-05", "--market", "Brazil"]);
    assert_eq!(utility["rate"], rate_of(&before, "utility")["rate"]);
    assert_eq!(utility["confidence"], "carried", "{utility}");
    let source = utility["source"].as_str().unwrap();
    assert!(
        source.starts_with("carried by overlay from the card of 2026-10-01: "),
        "{source}"
    );
}

#[test]
fn an_overlay_row_on_a_bundled_card_replaces_only_its_cell() {
    let row = "effective_from,market,category,rate,source\n2026-10-01,India,marketing,0.0200,test overlay\n";
    let over = dir_with(&[("rates/USD.csv", row)]);
    let flag = ["--pricing", over.path().to_str().unwrap()];
    let logs = tempfile::tempdir().unwrap();
    let india = log(logs.path(), INDIA, "2026-11-05T10:00:00Z");
    assert_eq!(estimate_total(&flag, &india, "USD"), "0.0200");
    let brazil = log(logs.path(), BRAZIL, "2026-11-05T10:00:00Z");
    assert_eq!(
        estimate_total(&flag, &brazil, "USD"),
        estimate_total(&[], &brazil, "USD")
    );
    let r = wacost_json(&flag, &["rates", "check"]);
    assert!(r.stdout.contains("bundled + overlay"), "{}", r.stdout);
}

const CHF: &str = "effective_from,market,category,rate,confidence,source\n\
2026-10-01,Brazil,marketing,0.0500,direct,test overlay: a made-up CHF card\n\
2026-10-01,Brazil,utility,0.0060,direct,test overlay\n\
2026-10-01,Brazil,authentication,0.0060,direct,test overlay\n\
2026-10-01,Brazil,authentication_international,n/a,,test overlay\n\
2026-10-01,Brazil,service,0.0060,direct,test overlay\n";

#[test]
fn an_overlay_adds_a_currency_and_pricing_only_replaces_the_bundled_data() {
    let over = dir_with(&[("rates/CHF.csv", CHF)]);
    let dir = over.path().to_str().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let nov = log(logs.path(), BRAZIL, "2026-11-05T10:00:00Z");
    assert_eq!(estimate_total(&["--pricing", dir], &nov, "CHF"), "0.0500");
    assert_eq!(
        estimate_total(&["--pricing", dir], &nov, "USD"),
        estimate_total(&[], &nov, "USD")
    );
    // Alone, the directory is no pricing data: --pricing-only replaces.
    let mut c = wacost();
    c.args(["estimate", "--currency", "CHF", "--pricing-only", dir])
        .arg(&nov);
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (4, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains("--pricing-only") && r.stderr.contains("markets.csv"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_export_loads_with_pricing_only_and_prices_as_the_bundled_data() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("data");
    let mut c = wacost();
    c.args(["rates", "export"]).arg(&dir);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.join("rates/USD.csv").is_file() && dir.join("rules.toml").is_file());
    let d = dir.to_str().unwrap();
    for log in ["combined.csv", "failed.csv", "rule_change_day.csv"] {
        let l = fixtures("estimate").join(log);
        let bundled = wacost_json(&[], &["estimate", l.to_str().unwrap()]);
        let exported = wacost_json(&["--pricing-only", d], &["estimate", l.to_str().unwrap()]);
        assert_eq!(
            (exported.code, &exported.stdout),
            (bundled.code, &bundled.stdout),
            "{log}: {}",
            exported.stderr
        );
    }
    // Without a currency file, --pricing-only has none; --pricing keeps the bundled one.
    std::fs::remove_file(dir.join("rates/EUR.csv")).unwrap();
    let r = wacost_json(
        &["--pricing-only", d],
        &["rates", "--currency", "EUR", "--at", "2026-11-01"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("no rate card for currency EUR"),
        "{}",
        r.stderr
    );
    let r = wacost_json(
        &["--pricing", d],
        &["rates", "--currency", "EUR", "--at", "2026-11-01"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // It refuses to overwrite, unless --force.
    let mut c = wacost();
    c.args(["rates", "export"]).arg(&dir);
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains("--force") && r.stderr.contains("already exist"),
        "{}",
        r.stderr
    );
    let mut c = wacost();
    c.args(["rates", "export", "--force"]).arg(&dir);
    assert_eq!(run(c).code, 0);
    assert!(dir.join("rates/EUR.csv").is_file());
    // An unwritable place exits 5.
    let blocked = out.path().join("a-file");
    std::fs::write(&blocked, "x").unwrap();
    let mut c = wacost();
    c.args(["rates", "export"]).arg(blocked.join("data"));
    assert_eq!(run(c).code, 5);
}

#[test]
fn errors_in_an_overlay_name_its_file_and_line() {
    let rows = format!("{ONE_ROW}2027-01-01,Atlantis,marketing,0.0700,direct,test\n");
    let over = dir_with(&[("rates/USD.csv", &rows)]);
    let r = wacost_json(
        &["--pricing", over.path().to_str().unwrap()],
        &["rates", "check"],
    );
    assert_eq!((r.code, r.stdout.as_str()), (4, ""), "{}", r.stderr);
    let want = format!("{}:3", over.path().join("rates/USD.csv").display());
    assert!(
        r.stderr.contains(&want) && r.stderr.contains("Atlantis"),
        "want {want}: {}",
        r.stderr
    );
}

#[test]
fn an_imported_brl_card_with_decimal_commas_loads_as_an_overlay() {
    let work = tempfile::tempdir().unwrap();
    let into = work.path().join("my-cards");
    let card = fixtures("import").join("Pricing-BRL.csv");
    let mut c = wacost();
    c.current_dir(work.path())
        .args(["rates", "import", "--effective", "2026-10-01", "--into"])
        .arg(&into)
        .arg(&card);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Two markets of the map's many: a warning naming how many and some missing.
    assert!(
        r.stderr.contains("covers 2 of the") && r.stderr.contains("missing (Bangladesh, "),
        "{}",
        r.stderr
    );
    let written = std::fs::read_to_string(into.join("rates/BRL.csv")).unwrap();
    assert!(
        written.contains("2026-10-01,Brazil,marketing,0.3217,direct,"),
        "{written}"
    );
    assert!(
        written.contains("2026-10-01,Argentina,service,0,direct,"),
        "{written}"
    );
    let flag = ["--pricing", into.to_str().unwrap()];
    let logs = tempfile::tempdir().unwrap();
    let nov = log(logs.path(), BRAZIL, "2026-11-05T10:00:00Z");
    assert_eq!(estimate_total(&flag, &nov, "BRL"), "0.3217");
    for cur in ["USD", "INR", "EUR"] {
        let india = log(logs.path(), INDIA, "2026-11-05T10:00:00Z");
        assert_eq!(
            estimate_total(&flag, &india, cur),
            estimate_total(&[], &india, cur),
            "{cur}"
        );
    }
}

#[test]
fn import_writes_nowhere_without_into_and_prints_with_dry_run() {
    let work = tempfile::tempdir().unwrap();
    let card = fixtures("import").join("Pricing-BRL.csv");
    let mut c = wacost();
    c.current_dir(work.path())
        .args(["rates", "import", "--effective", "2026-10-01"])
        .arg(&card);
    let r = run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--into"), "{}", r.stderr);
    let mut c = wacost();
    c.current_dir(work.path())
        .args(["rates", "import", "--dry-run", "--effective", "2026-10-01"])
        .arg(&card);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("effective_from,market,category,rate,confidence,source\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("2026-10-01,Brazil,utility,0.0350,direct,"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_dir(work.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn version_names_the_newest_card_date() {
    let mut newest = String::new();
    let rates = Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing/rates");
    for e in std::fs::read_dir(rates).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        for line in text.lines().skip(1) {
            let date = line.split(',').next().unwrap_or("");
            if date.len() == 10 && date > newest.as_str() {
                newest = date.to_string();
            }
        }
    }
    let mut c = wacost();
    c.arg("--version");
    let r = run(c);
    assert_eq!(r.code, 0);
    let want = format!("(pricing data: newest card {newest})");
    assert!(
        r.stdout.starts_with("wacost ") && r.stdout.trim_end().ends_with(&want),
        "{}",
        r.stdout
    );
}

#[test]
fn rates_tiers_shows_the_india_inr_ladder() {
    let mut c = wacost();
    c.args([
        "rates",
        "--tiers",
        "--currency",
        "INR",
        "--at",
        "2026-11-01",
        "--market",
        "India",
        "--format",
        "csv",
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut lines = r.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("currency,effective_from,market,category,from,to,rate,confidence,source")
    );
    let bands: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("India,authentication,"))
        .collect();
    assert!(
        bands[0].starts_with("INR,2026-01-01,India,authentication,0,750000,0.1150,"),
        "{}",
        r.stdout
    );
    assert!(
        bands.iter().any(|b| b.contains(",100000001,,0.0805,")),
        "{}",
        r.stdout
    );
    // A currency without ladders says which have them.
    let mut c = wacost();
    c.args([
        "rates",
        "--tiers",
        "--currency",
        "CHF",
        "--at",
        "2026-11-01",
    ]);
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(
        r.stderr.contains("no tier ladders known for CHF") && r.stderr.contains("INR"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_overlay_rules_toml_adds_eras_by_id() {
    let era = "[[era]]\nid = \"test-2027-01\"\neffective_from = \"2027-01-01\"\npricing_model = \"PMP\"\n\
customer_service_window_hours = 24\nfree_entry_point_hours = 72\nentry_point_reply_hours = 24\n\
free_categories = [\"marketing\"]\nsource = \"test overlay: a made-up era\"\n";
    let over = dir_with(&[("rules.toml", era)]);
    let flag = ["--pricing", over.path().to_str().unwrap()];
    let logs = tempfile::tempdir().unwrap();
    let jan = log(logs.path(), BRAZIL, "2027-01-05T10:00:00Z");
    assert_eq!(estimate_total(&flag, &jan, "USD"), "0.0000");
    let nov = log(logs.path(), BRAZIL, "2026-11-05T10:00:00Z");
    assert_eq!(
        estimate_total(&flag, &nov, "USD"),
        estimate_total(&[], &nov, "USD")
    );
    // A broken era is reported against the merged rules.toml.
    let bad = dir_with(&[("rules.toml", &era.replace("pricing_model = \"PMP\"\n", ""))]);
    let r = wacost_json(
        &["--pricing", bad.path().to_str().unwrap()],
        &["rates", "check"],
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("rules.toml (bundled + overlay") && r.stderr.contains("pricing_model"),
        "{}",
        r.stderr
    );
}

/// One overlay rate row from a vocabulary of good and bad cells.
fn overlay_row() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let date = prop_oneof![
        Just("2026-10-01"),
        Just("2027-01-01"),
        Just("2024-01-01"),
        Just("2026-13-01"),
        Just(""),
    ];
    let market = prop_oneof![
        Just("Brazil"),
        Just("North America"),
        Just("Atlantis"),
        Just("UAE")
    ];
    let category = prop_oneof![
        Just("marketing"),
        Just("service"),
        Just("authentication_international"),
        Just("lunch")
    ];
    let rate = prop_oneof![
        Just("0.07"),
        Just("n/a"),
        Just("unknown"),
        Just("-1"),
        Just("0,07")
    ];
    let level = prop_oneof![Just("direct"), Just("inferred"), Just(""), Just("maybe")];
    (date, market, category, rate, level, proptest::bool::ANY).prop_map(|(d, m, c, r, l, short)| {
        match short {
            true => format!("{d},{m},{c},{r}"),
            false => format!("{d},{m},{c},{r},{l},src"),
        }
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 16, ..Default::default() })]

    /// Whatever rows an overlay holds, it loads or fails with an error
    /// naming the overlay; loaded, it keeps every bundled card (what the
    /// `pricing_overlay` fuzz target asserts, on stable).
    #[test]
    fn any_overlay_loads_or_names_its_error(rows in proptest::collection::vec(overlay_row(), 0..6)) {
        let bundled = wacost::data::Pricing::bundled().unwrap();
        let text = format!("effective_from,market,category,rate,confidence,source\n{}\n", rows.join("\n"));
        let over = [("rates/USD.csv".to_string(), text)];
        match wacost::data::Pricing::overlaid_files("ov", &over) {
            Ok(p) => {
                for cur in bundled.currencies() {
                    proptest::prop_assert!(p.cards(&cur).unwrap().cards.len() >= bundled.cards(&cur).unwrap().cards.len());
                }
            }
            Err(e) => proptest::prop_assert!(e.to_string().contains("ov"), "{}", e),
        }
    }
}
