//! Import then write: Meta's cards merged into a pricing directory by
//! [`write_card`] (tests of data/write.rs that need the importer for their cards).

use std::io;

use chrono::NaiveDate;

use super::tests::{fixture, import, MINI_HEADER};
use super::Imported;
use crate::data::write::write_card;
use crate::model::Category;

// --- write_card --------------------------------------------------------------------------

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn write_card_creates_merges_and_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let card = import(&fixture("Pricing.csv")).unwrap().imported;
    let n = write_card(
        dir.path(),
        date("2026-10-01"),
        &card,
        "Meta Pricing.csv, USD, 2026-10",
    )
    .unwrap();
    assert_eq!(n, 45);
    let path = dir.path().join("rates/USD.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "effective_from,market,category,rate,confidence,source"
    );
    assert_eq!(lines.len(), 46);
    assert_eq!(
        lines[1],
        "2026-10-01,Argentina,marketing,0.0618,direct,\"Meta Pricing.csv, USD, 2026-10\""
    );
    assert!(text.contains("2026-10-01,Brazil,authentication_international,n/a,direct,"));

    // An older card on another date is merged in front, the 2026-10 rows kept.
    let old = import(&fixture("Pricing-no-service.csv")).unwrap().imported;
    assert_eq!(
        write_card(dir.path(), date("2024-11-01"), &old, "old card").unwrap(),
        28
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 45 + 28);
    assert!(lines[1].starts_with("2024-11-01,Brazil,marketing,0.0625,direct,old card"));
    assert!(lines[29].starts_with("2026-10-01,Argentina,"));
    // Sorted by date, market, then category in Category order (as pricing/ is).
    let keys: Vec<(String, String, usize)> = lines[1..]
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, ',').collect();
            (
                f[0].into(),
                f[1].into(),
                f[2].parse::<Category>().unwrap().index(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, keys, "rows come out sorted");
    let india: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("2026-10-01,India,"))
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(
        india,
        [
            "marketing",
            "utility",
            "authentication",
            "authentication_international",
            "service"
        ]
    );

    // Re-importing the same date replaces that date's rows only.
    let small = format!("{MINI_HEADER}Brazil,$US,0.0700,0.0068,0.0068,n/a,0.0068\n");
    let small = import(&small).unwrap().imported;
    assert_eq!(
        write_card(dir.path(), date("2026-10-01"), &small, "fix").unwrap(),
        5
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 1 + 28 + 5);
    assert!(text.contains("2026-10-01,Brazil,marketing,0.0700,direct,fix\n"));
    assert!(!text.contains("2026-10-01,Argentina"));
    assert!(text.contains("2024-11-01,India,authentication_international,0.0280,direct,old card\n"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("rates"))
        .unwrap()
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
}

#[test]
fn write_card_tiers() {
    let dir = tempfile::tempdir().unwrap();
    let card = import(&fixture("Tier Pricing.csv")).unwrap().imported;
    assert_eq!(
        write_card(
            dir.path(),
            date("2026-10-01"),
            &card,
            "Meta Tier Pricing.csv"
        )
        .unwrap(),
        34
    );
    let text = std::fs::read_to_string(dir.path().join("tiers/USD.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "effective_from,market,category,from,to,rate,confidence,source"
    );
    assert_eq!(lines.len(), 35);
    // Sorted by market, category text, then From as a number (not as text).
    let india_utility: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("2026-10-01,India,utility,"))
        .collect();
    assert_eq!(
        india_utility[0],
        "2026-10-01,India,utility,0,25000000,0.0014,direct,Meta Tier Pricing.csv"
    );
    assert_eq!(
        india_utility[5],
        "2026-10-01,India,utility,250000001,,0.00105,direct,Meta Tier Pricing.csv"
    );
    assert!(lines[1].starts_with("2026-10-01,Brazil,utility,0,5000000,"));
    assert!(lines[5].starts_with("2026-10-01,Brazil,authentication,0,1000000,"));
}

#[test]
fn write_card_keeps_hand_rows_and_refuses_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rates")).unwrap();
    let path = dir.path().join("rates/USD.csv");
    std::fs::write(
        &path,
        "\u{feff}effective_from,market,category,rate,source\r\n# hand-kept note, keep me\r\n2026-07-01,Zed,marketing,0.5,\"by hand, checked\"\r\n",
    )
    .unwrap();
    let card = import(&format!("{MINI_HEADER}Brazil,$US,0.07,0,0,n/a,0\n"))
        .unwrap()
        .imported;
    write_card(dir.path(), date("2026-10-01"), &card, "s").unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(
        // A file of the layout before the confidence column is upgraded:
        // the loader reads it as Meta's own cards, direct.
        "effective_from,market,category,rate,confidence,source\n# hand-kept note, keep me\n2026-07-01,Zed,marketing,0.5,direct,\"by hand, checked\"\n"
    ), "{text}");
    assert_eq!(text.lines().count(), 1 + 1 + 1 + 5);

    std::fs::write(&path, "date,market,price\n2026-07-01,Zed,0.5\n").unwrap();
    let err = write_card(dir.path(), date("2026-10-01"), &card, "s").unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("line 1"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "date,market,price\n2026-07-01,Zed,0.5\n"
    );

    let evil = Imported::Rates {
        currency: "../x".into(),
        rows: vec![],
    };
    assert_eq!(
        write_card(dir.path(), date("2026-10-01"), &evil, "s")
            .unwrap_err()
            .kind(),
        io::ErrorKind::InvalidInput
    );
}

#[test]
fn unknown_markets_are_listed_once_for_rates_import_to_refuse() {
    let text = format!(
        "{MINI_HEADER}Atlantis,$US,0.1,0.01,0.01,n/a,0.01\nUAE,$US,0.05,0.01,0.01,0.02,0.01\nLemuria,$US,0.1,0.01,0.01,n/a,0.01\n"
    );
    let card = import(&text).unwrap().imported;
    let markets = super::tests::markets();
    assert_eq!(card.unknown_markets(markets), ["Atlantis", "Lemuria"]);
    let known = import(&fixture("Tier Pricing.csv")).unwrap().imported;
    assert!(known.unknown_markets(markets).is_empty());
}
