#![no_main]
//! Meta's rate-card CSVs: `ingest::ratecard::import_meta_csv` (with the
//! bundled market map), then `data::write::write_card` twice (create, then
//! re-read and replace) on a tmpfs folder.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use wacost::data::write::write_card;
use wacost::data::{MarketMap, Pricing};
use wacost::ingest::ratecard::{import_meta_csv, Imported};

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = PathBuf::from("/dev/shm");
        let base = if shm.is_dir() {
            shm
        } else {
            std::env::temp_dir()
        };
        base.join(format!("wacost-fuzz-import-{}", std::process::id()))
    })
}

fn markets() -> &'static MarketMap {
    static PRICING: OnceLock<Pricing> = OnceLock::new();
    &PRICING
        .get_or_init(|| Pricing::bundled().expect("bundled pricing data"))
        .markets
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(report) = import_meta_csv(text, markets()) else {
        return;
    };
    let card = &report.imported;
    assert!(!card.currency().is_empty());
    match card {
        Imported::Rates { rows, .. } => {
            for r in rows {
                assert!(r.rate.is_none_or(|d| !d.is_sign_negative() || d.is_zero()));
            }
        }
        Imported::Tiers { rows, .. } => {
            for r in rows {
                assert!(
                    r.to.is_none_or(|t| t >= r.from),
                    "band ends before it starts"
                );
                assert!(!r.rate.is_sign_negative() || r.rate.is_zero());
            }
        }
    }

    let dir = folder();
    let _ = std::fs::remove_dir_all(dir);
    let date = NaiveDate::from_ymd_opt(2026, 10, 1).expect("date");
    let n = write_card(dir, date, card, "fuzz").expect("write_card on a fresh folder");
    assert_eq!(n, card.len());
    // Its own output must read back; the same date is replaced, not doubled.
    let n2 = write_card(dir, date, card, "fuzz").expect("write_card over its own output");
    assert_eq!(n2, n);
    let path = dir
        .join(card.kind())
        .join(format!("{}.csv", card.currency()));
    let written = std::fs::read_to_string(&path).expect("written card");
    let records = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(written.as_bytes())
        .records()
        .count();
    assert_eq!(
        records, n,
        "rows in the file after a re-import of the same date"
    );
});
