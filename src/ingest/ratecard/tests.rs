//! Reading Meta's rate cards: both layouts, every cell kind, every refusal.

use std::str::FromStr;
use std::sync::OnceLock;

use super::*;
use crate::data::Pricing;

/// The bundled market map, loaded once for all tests.
pub(super) fn markets() -> &'static MarketMap {
    static PRICING: OnceLock<Pricing> = OnceLock::new();
    &PRICING
        .get_or_init(|| Pricing::bundled().expect("bundled pricing data"))
        .markets
}

/// [`import_meta_csv`] with the bundled market map.
pub(super) fn import(text: &str) -> Result<ImportReport, ImportError> {
    import_meta_csv(text, markets())
}

/// [`MarketMap::find_name`], as the name markets.csv writes.
fn find(raw: &str) -> Option<&'static str> {
    markets().find_name(raw).map(|id| markets().name(id))
}

pub(super) fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn rates(report: &ImportReport) -> (&str, &[ImportedRate]) {
    match &report.imported {
        Imported::Rates { currency, rows } => (currency, rows),
        other => panic!("expected rates, got {other:?}"),
    }
}

fn tiers(report: &ImportReport) -> (&str, &[ImportedTier]) {
    match &report.imported {
        Imported::Tiers { currency, rows } => (currency, rows),
        other => panic!("expected tiers, got {other:?}"),
    }
}

fn rate(rows: &[ImportedRate], market: &str, cat: Category) -> Option<Decimal> {
    rows.iter()
        .find(|r| r.market == market && r.category == cat)
        .unwrap_or_else(|| panic!("no {market} {cat}"))
        .rate
}

fn ladder(rows: &[ImportedTier], market: &str, cat: Category) -> Vec<(u64, Option<u64>, Decimal)> {
    rows.iter()
        .filter(|r| r.market == market && r.category == cat)
        .map(|r| (r.from, r.to, r.rate))
        .collect()
}

pub(super) const MINI_HEADER: &str = "Title,,,,,,\nMarket,Currency,Marketing,Utility,Authentication,\"Authentication-\nInternational\",Service\n";

// --- Pricing.csv -------------------------------------------------------------------------

#[test]
fn pricing_card_is_detected_and_complete() {
    let report = import(&fixture("Pricing.csv")).unwrap();
    let (currency, rows) = rates(&report);
    assert_eq!(currency, "USD");
    assert_eq!(report.imported.kind(), "rates");
    assert_eq!(rows.len(), 9 * 5, "nine markets, five categories each");
    for market in [
        "Argentina",
        "Brazil",
        "India",
        "Indonesia",
        "Kazakhstan",
        "North America",
        "United Kingdom",
        "Rest of Africa",
        "Other",
    ] {
        let cats: Vec<Category> = rows
            .iter()
            .filter(|r| r.market == market)
            .map(|r| r.category)
            .collect();
        assert_eq!(cats, Category::ALL.to_vec(), "{market}");
    }
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(
        rate(rows, "Brazil", Category::Marketing),
        Some(dec("0.0625"))
    );
    assert_eq!(rate(rows, "Brazil", Category::Service), Some(dec("0.0068")));
    // Meta's precision is kept exactly.
    assert_eq!(
        rate(rows, "Argentina", Category::Utility)
            .unwrap()
            .to_string(),
        "0.0260"
    );
}

#[test]
fn quoted_newline_header_gives_auth_intl() {
    let report = import(&fixture("Pricing.csv")).unwrap();
    let (_, rows) = rates(&report);
    assert_eq!(
        rate(rows, "India", Category::AuthenticationInternational),
        Some(dec("0.0304"))
    );
    assert_eq!(
        rate(rows, "Indonesia", Category::AuthenticationInternational),
        Some(dec("0.1360"))
    );
}

#[test]
fn na_and_empty_cells_are_absent_rates() {
    let report = import(&fixture("Pricing.csv")).unwrap();
    let (_, rows) = rates(&report);
    assert_eq!(
        rate(rows, "Brazil", Category::AuthenticationInternational),
        None
    );
    assert_eq!(
        rate(rows, "North America", Category::AuthenticationInternational),
        None
    );
}

#[test]
fn leading_symbols_and_spaces_in_rates() {
    let report = import(&fixture("Pricing.csv")).unwrap();
    let (_, rows) = rates(&report);
    assert_eq!(
        rate(rows, "United Kingdom", Category::Marketing),
        Some(dec("0.0635"))
    );
    assert_eq!(
        rate(rows, "United Kingdom", Category::Utility),
        Some(dec("0.0220"))
    );

    let text = format!(
        "{MINI_HEADER}Mexico,MX$,MX$ 0.7,MXN0.15,0.15 MXN,n/a,0\nIndia,MX$,$0.2,0.1,0.1,N/A,--\n"
    );
    let report = import(&text).unwrap();
    let (cur, rows) = rates(&report);
    assert_eq!(cur, "MXN");
    assert_eq!(rate(rows, "Mexico", Category::Marketing), Some(dec("0.7")));
    assert_eq!(rate(rows, "Mexico", Category::Utility), Some(dec("0.15")));
    assert_eq!(
        rate(rows, "Mexico", Category::Authentication),
        Some(dec("0.15"))
    );
    assert_eq!(rate(rows, "Mexico", Category::Service), Some(Decimal::ZERO));
    assert_eq!(rate(rows, "India", Category::Marketing), Some(dec("0.2")));
    assert_eq!(rate(rows, "India", Category::Service), None);
}

#[test]
fn thousands_separators_in_rates() {
    let text =
        format!("{MINI_HEADER}Indonesia,Rp,\"Rp 1,940.13\",\"1,000\",356.5,\"2,123.0\",356.5\n");
    let report = import(&text).unwrap();
    let (cur, rows) = rates(&report);
    assert_eq!(cur, "IDR");
    assert_eq!(
        rate(rows, "Indonesia", Category::Marketing),
        Some(dec("1940.13"))
    );
    assert_eq!(
        rate(rows, "Indonesia", Category::Utility),
        Some(dec("1000"))
    );
    // A decimal comma is not a thousands separator: on a card that writes
    // decimal commas it is a decimal (never 250) ...
    let comma = format!("{MINI_HEADER}Indonesia,Rp,\"0,0250\",1,1,1,1\n");
    let report = import(&comma).unwrap();
    let (_, rows) = rates(&report);
    assert_eq!(
        rate(rows, "Indonesia", Category::Marketing),
        Some(dec("0.0250"))
    );
    // ... and on a card that writes decimal points it is refused rather than read as 250.
    let bad = format!("{MINI_HEADER}Indonesia,Rp,\"0,0250\",0.5,1,1,1\n");
    let err = import(&bad).unwrap_err().to_string();
    assert!(
        err.contains("line 4") && err.contains("\"0,0250\"") && err.contains("Marketing"),
        "{err}"
    );
}

#[test]
fn no_service_column_leaves_service_out_with_warning() {
    let report = import(&fixture("Pricing-no-service.csv")).unwrap();
    let (currency, rows) = rates(&report);
    assert_eq!(currency, "USD");
    assert_eq!(rows.len(), 7 * 4);
    assert!(rows.iter().all(|r| r.category != Category::Service));
    assert_eq!(
        rate(rows, "India", Category::AuthenticationInternational),
        Some(dec("0.0280"))
    );
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(report.warnings[0].contains("Service") && report.warnings[0].contains("line 6"));
}

#[test]
fn bom_and_crlf_read_the_same() {
    let lf = fixture("Pricing.csv");
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    assert_eq!(import(&crlf).unwrap(), import(&lf).unwrap());
    let tlf = fixture("Tier Pricing.csv");
    let tcrlf = format!("\u{feff}{}", tlf.replace('\n', "\r\n"));
    assert_eq!(import(&tcrlf).unwrap(), import(&tlf).unwrap());
}

#[test]
fn unknown_market_is_kept_and_warned_once() {
    let text = format!(
        "{MINI_HEADER}Atlantis,$US,0.1,0.01,0.01,n/a,0.01\nUAE,$US,0.05,0.01,0.01,0.02,0.01\n"
    );
    let report = import(&text).unwrap();
    let (_, rows) = rates(&report);
    assert_eq!(rows[0].market, "Atlantis");
    assert_eq!(rows[5].market, "United Arab Emirates");
    assert_eq!(report.warnings.len(), 1);
    assert!(report.warnings[0].contains("line 4") && report.warnings[0].contains("Atlantis"));
}

#[test]
fn notes_after_the_table_are_skipped() {
    let text = format!("{MINI_HEADER}Brazil,$US,0.0625,0.0068,0.0068,n/a,0.0068\n,,,,,,\n\"* Rates exclude taxes.\",,,,,,\n");
    let report = import(&text).unwrap();
    assert_eq!(report.imported.len(), 5);
    assert!(report
        .warnings
        .iter()
        .any(|w| w.contains("line 6") && w.contains("note")));
}

// --- vocabulary --------------------------------------------------------------------------

#[test]
fn currency_tokens() {
    for (token, code) in [
        ("$US", "USD"),
        ("USD", "USD"),
        ("usd", "USD"),
        (" US$ ", "USD"),
        ("€", "EUR"),
        ("EUR", "EUR"),
        ("£", "GBP"),
        ("GBP", "GBP"),
        ("GBD", "GBP"),
        ("₹", "INR"),
        ("INR", "INR"),
        ("RP", "IDR"),
        ("Rp", "IDR"),
        ("IDR", "IDR"),
        ("A$", "AUD"),
        ("AUD", "AUD"),
        ("MX$", "MXN"),
        ("MXN", "MXN"),
        ("R$", "BRL"),
        ("BRL", "BRL"),
        ("ARS", "ARS"),
        ("CLP", "CLP"),
        ("COP", "COP"),
        ("MYR", "MYR"),
        ("PEN", "PEN"),
        ("SAR", "SAR"),
        ("SGD", "SGD"),
        ("AED", "AED"),
    ] {
        assert_eq!(currency::code_of(token), Some(code), "{token}");
    }
    for token in ["$", "", "DOGE", "US"] {
        assert_eq!(currency::code_of(token), None, "{token}");
    }
}

#[test]
fn gbd_typo_card_is_gbp() {
    let text = format!("{MINI_HEADER}United Kingdom,GBD,£0.0478,0.0166,0.0166,n/a,0.0166\n");
    let report = import(&text).unwrap();
    assert_eq!(report.imported.currency(), "GBP");
}

#[test]
fn market_spellings() {
    for (raw, canonical) in [
        ("UAE", "United Arab Emirates"),
        ("United Arab Emirates", "United Arab Emirates"),
        ("UK", "United Kingdom"),
        ("u.k.", "United Kingdom"),
        (
            "Rest of Central & Eastern Europe",
            "Rest of Central & Eastern Europe",
        ),
        (
            "Rest of Central and Eastern Europe",
            "Rest of Central & Eastern Europe",
        ),
        ("Rest of CEE", "Rest of Central & Eastern Europe"),
        ("Rest of C&E Europe", "Rest of Central & Eastern Europe"),
        ("Rest of LatAm", "Rest of Latin America"),
        ("rest of latin america", "Rest of Latin America"),
        ("Rest of ME", "Rest of Middle East"),
        ("Rest of the Middle East", "Rest of Middle East"),
        ("Rest of WE", "Rest of Western Europe"),
        ("Rest of APAC", "Rest of Asia Pacific"),
        ("Rest of Asia-Pacific", "Rest of Asia Pacific"),
        ("US & Canada", "North America"),
        ("North America", "North America"),
        ("Other", "Other"),
        ("Others", "Other"),
        ("Türkiye", "Turkey"),
        ("India*", "India"),
        ("  Saudi   Arabia ", "Saudi Arabia"),
    ] {
        assert_eq!(find(raw), Some(canonical), "{raw}");
    }
    for raw in ["Atlantis", "", "Rest of", "United States"] {
        assert_eq!(find(raw), None, "{raw}");
    }
}

#[test]
fn every_reference_market_is_canonical() {
    let names = markets().names();
    assert!(names.len() >= 47, "{names:?}");
    for m in names {
        assert_eq!(find(m), Some(m.as_str()));
    }
}

// --- Tier Pricing.csv --------------------------------------------------------------------

#[test]
fn tier_card_is_detected() {
    let report = import(&fixture("Tier Pricing.csv")).unwrap();
    let (currency, rows) = tiers(&report);
    assert_eq!(currency, "USD");
    assert_eq!(report.imported.kind(), "tiers");
    // India 6+6+3, Brazil 4+3, UAE 3+3, Rest of Africa 3+3.
    assert_eq!(rows.len(), 15 + 7 + 6 + 6);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn tier_market_carries_forward() {
    let report = import(&fixture("Tier Pricing.csv")).unwrap();
    let (_, rows) = tiers(&report);
    let india = ladder(rows, "India", Category::Utility);
    assert_eq!(india.len(), 6);
    assert_eq!(ladder(rows, "India", Category::Authentication).len(), 6);
    assert_eq!(ladder(rows, "Brazil", Category::Utility).len(), 4);
    assert_eq!(ladder(rows, "Brazil", Category::Authentication).len(), 3);
    assert!(ladder(rows, "Brazil", Category::AuthenticationInternational).is_empty());
    assert_eq!(
        ladder(rows, "United Arab Emirates", Category::Utility).len(),
        3
    );
    assert!(ladder(
        rows,
        "United Arab Emirates",
        Category::AuthenticationInternational
    )
    .is_empty());
    assert_eq!(
        ladder(rows, "India", Category::AuthenticationInternational),
        vec![
            (0, Some(750_000), dec("0.0304")),
            (750_001, Some(15_000_000), dec("0.02888")),
            (15_000_001, None, dec("0.02736")),
        ]
    );
}

#[test]
fn tier_thousands_separators_and_unbounded() {
    let report = import(&fixture("Tier Pricing.csv")).unwrap();
    let (_, rows) = tiers(&report);
    let india = ladder(rows, "India", Category::Utility);
    assert_eq!(india[1], (25_000_001, Some(50_000_000), dec("0.00133")));
    assert_eq!(
        india[5],
        (250_000_001, None, dec("0.00105")),
        "`--` is unbounded"
    );
    let brazil = ladder(rows, "Brazil", Category::Utility);
    assert_eq!(
        brazil[1],
        (5_000_001, Some(10_000_000), dec("0.00646")),
        "plain digits"
    );
    assert_eq!(
        brazil[3],
        (25_000_001, None, dec("0.00578")),
        "empty To is unbounded"
    );
    let africa = ladder(rows, "Rest of Africa", Category::Authentication);
    assert_eq!(
        africa[1],
        (100_001, Some(1_000_000), dec("0.0038")),
        "mixed styles"
    );
}

#[test]
fn tier_header_on_one_line_and_empty_currency_cells() {
    let text = "WhatsApp volume tiers,,,,,,,,,,,,,,,,\n\
        ,,Utility,,,,,Authentication,,,,,Auth-Intl,,,,\n\
        Market (per rate card),Currency,From,To,Rate type,Rate,vs. List rate,From,To,Rate type,Rate,vs. List rate,From,To,Rate type,Rate,vs. List rate\n\
        Rest of LatAm,₹,0,\"1,00,000\",LIST,0.95,0%,,,,,,,,,,\n\
        ,,\"1,00,001\",--,TIER,0.9025,-5%,,,,,,,,,,\n";
    let report = import(text).unwrap();
    let (cur, rows) = tiers(&report);
    assert_eq!(cur, "INR");
    assert_eq!(
        ladder(rows, "Rest of Latin America", Category::Utility),
        vec![
            (0, Some(100_000), dec("0.95")),
            (100_001, None, dec("0.9025"))
        ]
    );
}

#[test]
fn tier_market_on_its_own_row_and_notes() {
    let text = "volume tiers,,,,,,\n,,Authentication,,,,\nMarket,Currency,From,To,Rate type,Rate,vs. List rate\n\
        Rest of ME,,,,,,\n,USD,0,100,LIST,1,0%\n,USD,101,--,TIER,0.9,-10%\n\
        * Illustrative only,,,,,,\n,USD,0,100,LIST,1,0%\n";
    let err = import(text).unwrap_err().to_string();
    assert!(
        err.contains("line 8") && err.contains("Market") && err.contains("no earlier row"),
        "{err}"
    );
    let ok = text
        .rsplit_once("* Illustrative")
        .map(|(head, _)| head)
        .unwrap();
    let report = import(ok).unwrap();
    let (_, rows) = tiers(&report);
    assert_eq!(
        ladder(rows, "Rest of Middle East", Category::Authentication),
        vec![(0, Some(100), dec("1")), (101, None, dec("0.9"))]
    );
    let dup = "volume tiers,,,,,,,,,,,\n,,Utility,,,,,Utility,,,,\nMarket,Currency,From,To,Rate type,Rate,vs. List rate,From,To,Rate type,Rate,vs. List rate\nIndia,USD,0,--,LIST,1,0%,0,--,LIST,1,0%\n";
    let err = import(dup).unwrap_err().to_string();
    assert!(
        err.contains("line 2, column 8") && err.contains("Utility"),
        "{err}"
    );
}

#[test]
fn tier_ladders_must_tile() {
    let head =
        "volume tiers,,,,,,\n,,Utility,,,,\nMarket,Currency,From,To,Rate type,Rate,vs. List rate\n";
    let cases = [
        (
            "India,INR,0,100,LIST,1,0%\n,INR,200,--,TIER,0.9,-10%\n",
            "\"200\"",
            "gap",
            "101 (the previous To + 1)",
        ),
        (
            "India,INR,0,100,LIST,1,0%\n,INR,100,--,TIER,0.9,-10%\n",
            "\"100\"",
            "overlap",
            "101",
        ),
        (
            "India,INR,0,--,LIST,1,0%\n,INR,101,200,TIER,0.9,-10%\n",
            "\"101\"",
            "unbounded band on line 4",
            "no further band",
        ),
        (
            "India,INR,0,100,LIST,1,0%\nBrazil,INR,5,--,LIST,1,0%\n",
            "\"5\"",
            "Brazil utility ladder above message 1",
            "0 or 1",
        ),
    ];
    for (rows, value, problem, expected) in cases {
        let err = import(&format!("{head}{rows}")).unwrap_err().to_string();
        assert!(
            err.contains("line 5, column 3 (`Utility From`)")
                && err.contains(value)
                && err.contains(problem)
                && err.contains(expected),
            "{rows}: {err}"
        );
    }
    // A ladder may start at 1, and a bounded last band is only warned about.
    let report = import(&format!(
        "{head}India,INR,1,100,LIST,1,0%\n,INR,101,200,TIER,0.9,-10%\n"
    ))
    .unwrap();
    assert_eq!(report.imported.len(), 2);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(report.warnings[0].contains("India utility") && report.warnings[0].contains("200"));
}

#[test]
fn tier_errors_name_line_field_and_value() {
    let head =
        "volume tiers,,,,,,\n,,Utility,,,,\nMarket,Currency,From,To,Rate type,Rate,vs. List rate\n";
    let cases = [
        (",USD,0,100,LIST,1,0%\n", "line 4", "Market", "\"\""),
        (
            "India,USD,0,abc,LIST,1,0%\n",
            "line 4",
            "Utility To",
            "\"abc\"",
        ),
        (
            "India,USD,500,100,LIST,1,0%\n",
            "line 4",
            "Utility To",
            "From (500)",
        ),
        (
            "India,USD,0,100,BULK,1,0%\n",
            "line 4",
            "Rate type",
            "LIST or TIER",
        ),
        (
            "India,USD,0,100,LIST,-1,0%\n",
            "line 4",
            "Utility Rate",
            "negative",
        ),
        (
            "India,USD,0,100,LIST,n/a,0%\n",
            "line 4",
            "Utility Rate",
            "missing",
        ),
        (
            "India,USD,0,100,LIST,1,0%\n,EUR,101,--,TIER,0.9,-10%\n",
            "line 5",
            "Currency",
            "\"EUR\"",
        ),
        (
            "India,USD,0,100,LIST,1,0%\n,USD,0,--,TIER,0.9,-10%\n",
            "line 5",
            "From",
            "line 4",
        ),
    ];
    for (rows, line, field, value) in cases {
        let err = import(&format!("{head}{rows}")).unwrap_err().to_string();
        assert!(
            err.contains(line) && err.contains(field) && err.contains(value),
            "{rows}: {err}"
        );
        assert!(err.contains("expected"), "{err}");
    }
    let bad_header = "volume tiers,,,,,,\nMarket,Currency,From,Until,Rate type,Rate,vs. List rate\nIndia,USD,0,1,LIST,1,0%\n";
    let err = import(bad_header).unwrap_err().to_string();
    assert!(
        err.contains("line 2") && err.contains("\"Until\"") && err.contains("To"),
        "{err}"
    );
}

// --- errors ------------------------------------------------------------------------------

#[test]
fn negative_rate_is_rejected() {
    let err = import(&fixture("bad-negative.csv")).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::InvalidValue {
                line: 9,
                column: 4,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("line 9") && msg.contains("Utility") && msg.contains("-0.0068"),
        "{msg}"
    );
    assert!(
        msg.contains("negative") && msg.contains("non-negative decimal"),
        "{msg}"
    );
}

#[test]
fn misspelt_header_is_rejected() {
    let err = import(&fixture("bad-header.csv")).unwrap_err();
    assert!(
        matches!(err, ImportError::MissingColumn { line: 6, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("line 6") && msg.contains("Utility") && msg.contains("Utilty"),
        "{msg}"
    );
    assert!(
        msg.contains("expected Market,Currency,Marketing,Utility"),
        "{msg}"
    );
}

#[test]
fn rate_errors_name_line_field_and_value() {
    let cases = [
        (
            "Brazil,$US,abc,0.0068,0.0068,n/a,0.0068\n",
            "Marketing",
            "\"abc\"",
            "not a number",
        ),
        (
            "Brazil,$US,1e-3,0.0068,0.0068,n/a,0.0068\n",
            "Marketing",
            "\"1e-3\"",
            "not a number",
        ),
        (
            "Brazil,$US,€0.06,0.0068,0.0068,n/a,0.0068\n",
            "Marketing",
            "\"€0.06\"",
            "EUR",
        ),
        (
            "Brazil,DOGE,0.06,0.0068,0.0068,n/a,0.0068\n",
            "Currency",
            "\"DOGE\"",
            "$US, US$, U$, USD",
        ),
        (
            "Brazil,$US,0.06,0.0068,0.0068,0.01.2,0.0068\n",
            "Authentication-International",
            "\"0.01.2\"",
            "not a number",
        ),
        (
            ",$US,0.06,0.0068,0.0068,n/a,0.0068\n",
            "Market",
            "\"\"",
            "empty",
        ),
    ];
    for (row, field, value, problem) in cases {
        let err = import(&format!("{MINI_HEADER}{row}"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 4")
                && err.contains(field)
                && err.contains(value)
                && err.contains(problem),
            "{row}: {err}"
        );
        assert!(err.contains("expected"), "{err}");
    }
    let mixed = format!("{MINI_HEADER}Brazil,$US,0.06,0,0,n/a,0\nIndia,EUR,0.01,0,0,0,0\n");
    let err = import(&mixed).unwrap_err().to_string();
    assert!(
        err.contains("line 5") && err.contains("\"EUR\"") && err.contains("line 4"),
        "{err}"
    );
    let dup = format!("{MINI_HEADER}UK,$US,0.06,0,0,n/a,0\nUnited Kingdom,$US,0.06,0,0,n/a,0\n");
    let err = import(&dup).unwrap_err().to_string();
    assert!(
        err.contains("line 5") && err.contains("United Kingdom") && err.contains("line 4"),
        "{err}"
    );
}

#[test]
fn structural_errors() {
    assert_eq!(import("\u{feff}\r\n").unwrap_err(), ImportError::Empty);
    let err = import("title\nnotes\nCountry,Price\nBrazil,1\n").unwrap_err();
    assert_eq!(err, ImportError::NoHeader { last_line: 4 });
    assert!(err.to_string().contains("Market,Currency"));
    let err = import(MINI_HEADER).unwrap_err();
    assert_eq!(err, ImportError::NoData { header_line: 2 });
    let err = import("Market,Currency,Marketing\n\"Brazil,USD,1\n").unwrap_err();
    assert!(
        matches!(err, ImportError::Csv { .. }) || matches!(err, ImportError::MissingColumn { .. }),
        "{err:?}"
    );
}

// --- market names come from the market map -------------------------------------------------

#[test]
fn markets_are_named_by_the_market_map() {
    // A map of its own, with an alias of its own: no market list in the importer.
    let mut m = MarketMap::load(
        "prefix,country,name\n55,BR,Brazil\n90,TR,Turkey\n",
        "effective_from,prefix,country,market,source\n2023-06-01,55,BR,Brazil,t\n",
    )
    .unwrap();
    m.load_aliases(
        "market_aliases.csv",
        "alias,market,source\nBrasil,Brazil,t\n",
    )
    .unwrap();
    let text = format!(
        "{MINI_HEADER}Brasil,$US,0.0625,0.0068,0.0068,n/a,0.0068\nTürkiye,$US,0.01,0.01,0.01,n/a,0.01\n"
    );
    let report = import_meta_csv(&text, &m).unwrap();
    let (_, rows) = rates(&report);
    assert_eq!(rows[0].market, "Brazil");
    assert_eq!(
        rows[5].market, "Türkiye",
        "not in this map: kept as written"
    );
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(
        report.warnings[0].contains("line 5")
            && report.warnings[0].contains("Türkiye")
            && report.warnings[0].contains("none of the 2 markets"),
        "{:?}",
        report.warnings
    );

    // The bundled map has Turkey and its alias Türkiye, and no alias Brasil.
    let report = import(&text).unwrap();
    let (_, rows) = rates(&report);
    assert_eq!(rows[0].market, "Brasil");
    assert_eq!(rows[5].market, "Turkey");
}

#[test]
fn a_decimal_comma_is_never_read_as_thousands() {
    // A card whose cells write decimal commas reads them as decimals.
    for (cell, want) in [
        ("\"0,025\"", "0.025"),
        ("\"1,00\"", "1"),
        ("\"12,5\"", "12.5"),
    ] {
        let text = format!("{MINI_HEADER}Indonesia,Rp,{cell},1,1,1,1\n");
        let report = import(&text).unwrap();
        let (_, rows) = rates(&report);
        assert_eq!(
            rate(rows, "Indonesia", Category::Marketing),
            Some(dec(want)),
            "{cell}"
        );
    }
    // A comma no cell of the card explains could be either: refused, never read as 1000.
    let text = format!("{MINI_HEADER}Indonesia,Rp,\"1,000\",1,1,1,1\n");
    let err = import(&text).unwrap_err().to_string();
    assert!(
        err.contains("line 4") && err.contains("\"1,000\"") && err.contains("ambiguous"),
        "{err}"
    );
    // One decimal mark per card: a point on one cell and a comma on another is refused.
    let text = format!("{MINI_HEADER}Indonesia,Rp,\"0,025\",0.5,1,1,1\n");
    let err = import(&text).unwrap_err().to_string();
    assert!(
        err.contains("line 4") && err.contains("decimal point") && err.contains("\"0,025\""),
        "{err}"
    );
}

#[test]
fn a_brl_card_with_decimal_commas_and_free() {
    let text = format!(
        "{MINI_HEADER}Brasil,R$,\"R$ 0,3217\",\"0,0350\",\"R$0,0350\",n/a,Grátis\nArgentina,BRL,\"0,3181\",\"0,1338\",\"0,1338\",n/a,FREE\n"
    );
    let report = import(&text).unwrap();
    let (cur, rows) = rates(&report);
    assert_eq!(cur, "BRL");
    let brazil = |c| rate(rows, "Brasil", c);
    assert_eq!(brazil(Category::Marketing), Some(dec("0.3217")));
    assert_eq!(brazil(Category::Utility), Some(dec("0.0350")));
    assert_eq!(brazil(Category::Authentication), Some(dec("0.0350")));
    assert_eq!(brazil(Category::Service), Some(Decimal::ZERO));
    assert_eq!(
        rate(rows, "Argentina", Category::Service),
        Some(Decimal::ZERO)
    );
    for free in ["free", "Free", "Gratis"] {
        let text = format!("{MINI_HEADER}Brazil,$US,0.0625,0.0068,0.0068,n/a,{free}\n");
        let report = import(&text).unwrap();
        let (_, rows) = rates(&report);
        assert_eq!(rate(rows, "Brazil", Category::Service), Some(Decimal::ZERO));
    }
}
