#![no_main]
//! Pricing overlays (`--pricing DIR`): the input is split at its first NUL
//! byte into an overlay `rates/USD.csv` and an overlay `rules.toml` (either
//! may be empty, then left out), laid over the bundled data with
//! `Pricing::overlaid_files`. Either it loads, or it fails with an error
//! that names the overlay; a loaded result keeps every bundled currency and
//! every card it had.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use wacost::data::Pricing;

fn bundled() -> &'static Pricing {
    static P: OnceLock<Pricing> = OnceLock::new();
    P.get_or_init(|| Pricing::bundled().expect("bundled pricing"))
}

fn files(data: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(data).ok()?;
    let (rates, rules) = text.split_once('\0').unwrap_or((text, ""));
    let mut out = Vec::new();
    if !rates.is_empty() {
        out.push(("rates/USD.csv".to_string(), rates.to_string()));
    }
    if !rules.is_empty() {
        out.push(("rules.toml".to_string(), rules.to_string()));
    }
    (!out.is_empty()).then_some(out)
}

fuzz_target!(|data: &[u8]| {
    let Some(over) = files(data) else {
        return;
    };
    match Pricing::overlaid_files("fuzz", &over) {
        Ok(p) => {
            for cur in bundled().currencies() {
                let (old, new) = (bundled().cards(&cur), p.cards(&cur));
                let (old, new) = (old.expect("bundled"), new.expect("loaded at once"));
                assert!(new.cards.len() >= old.cards.len(), "{cur}: a card was lost");
            }
            assert!(!p.rules.eras.is_empty());
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.is_empty());
        }
    }
});
