//! The expected invoice's rules, each with Meta's words.

use rust_decimal_macros::dec;

use super::*;
use crate::ingest::figures::read_theirs;

fn price(file: &str, tz: &str, accept: Accept) -> Expected {
    let path = format!(
        "{}/tests/fixtures/reconcile/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let rep = read_theirs(file, &std::fs::read(path).unwrap()).unwrap();
    let pricing = Pricing::bundled().unwrap();
    let zone = Zone::parse(tz).unwrap();
    let req = Request {
        pricing: &pricing,
        currency: "USD",
        accept,
        zone: &zone,
    };
    price_volumes(&req, &rep.points).unwrap()
}

/// (month, market, category, tier) -> (volume, rate, cost).
fn line(
    e: &Expected,
    month: &str,
    market: &str,
    cat: &str,
    tier: &str,
) -> Vec<(u64, Option<Decimal>, Decimal)> {
    e.lines
        .iter()
        .filter(|(k, _)| {
            k.month == month && k.market == market && k.category == cat && k.tier == tier
        })
        .map(|(k, l)| (l.volume, k.rate, l.cost))
        .collect()
}

#[test]
fn tiers_count_a_market_and_category_across_the_days_of_a_month_and_reset_monthly() {
    // M-PRICING-07: "Rates are tier-specific"; "Tiers reset monthly". Saudi
    // Arabia utility, USD: 0..100,000 at 0.0107, then 0.0102. Two days of
    // 60,000 reach the second band; November starts again at the first.
    let e = price(
        "credit-line-analytics.json",
        "America/Sao_Paulo",
        Accept::Any,
    );
    assert_eq!(
        line(&e, "2026-10", "Saudi Arabia", "utility", "0:100000"),
        vec![(100_000, Some(dec!(0.0107)), dec!(1070.0000))]
    );
    assert_eq!(
        line(&e, "2026-10", "Saudi Arabia", "utility", "100001:1000000"),
        vec![(20_000, Some(dec!(0.0102)), dec!(204.0000))]
    );
    assert_eq!(
        line(&e, "2026-11", "Saudi Arabia", "utility", "0:100000"),
        vec![(50_000, Some(dec!(0.0107)), dec!(535.0000))]
    );
}

#[test]
fn free_types_are_priced_zero_with_their_reason() {
    let e = price(
        "credit-line-analytics.json",
        "America/Sao_Paulo",
        Accept::Any,
    );
    let free: Vec<(&str, u64, &str)> = e
        .lines
        .iter()
        .filter(|(k, _)| k.note.starts_with("free"))
        .map(|(k, l)| (k.pricing_type.as_str(), l.volume, k.note.as_str()))
        .collect();
    assert_eq!(free.len(), 2, "{free:?}");
    assert!(free.iter().all(|f| f.2.contains(&f.0.to_ascii_uppercase())));
    assert!(e
        .lines
        .iter()
        .filter(|(k, _)| k.note.starts_with("free"))
        .all(|(_, l)| l.cost.is_zero()));
}

#[test]
fn a_country_that_cannot_decide_its_market_is_named_and_mm_lite_is_marketing() {
    let e = price(
        "credit-line-analytics.json",
        "America/Sao_Paulo",
        Accept::Any,
    );
    assert!(!e.complete());
    assert!(
        e.unpriced
            .iter()
            .any(|u| u.contains("CA marketing") && u.contains("cannot decide")),
        "{:?}",
        e.unpriced
    );
    // M-CBP: "Starting July 1, 2025, Cloud API marketing rates will
    // apply to messages sent via MM Lite API".
    assert!(!e.unpriced.iter().any(|u| u.contains("MARKETING_LITE")));
    let lite: Vec<(Option<Decimal>, u64)> = e
        .lines
        .iter()
        .filter(|(k, _)| k.note.starts_with("MARKETING_LITE"))
        .map(|(k, l)| (k.rate, l.volume))
        .collect();
    assert_eq!(lite, vec![(Some(dec!(0.0118)), 1)]);
    assert_eq!(e.meta_cost, None, "a partner's credit line: no COST");
}

#[test]
fn confidence_direct_refuses_an_inferred_cell_and_says_so() {
    let any = price(
        "credit-line-analytics.json",
        "America/Sao_Paulo",
        Accept::Any,
    );
    let direct = price(
        "credit-line-analytics.json",
        "America/Sao_Paulo",
        Accept::Direct,
    );
    let bd = |e: &Expected| {
        e.lines
            .iter()
            .filter(|(k, _)| k.market == "Bangladesh" && k.rate.is_some())
            .map(|(k, l)| (k.tier.clone(), l.volume, l.confidence))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        bd(&any),
        vec![("list".to_string(), 3, Some(Confidence::Inferred))]
    );
    assert!(bd(&direct).is_empty());
    assert!(
        direct
            .unpriced
            .iter()
            .any(|u| u.contains("Bangladesh") && u.contains("--confidence direct")),
        "{:?}",
        direct.unpriced
    );
    assert!(direct.total < any.total);
}

#[test]
fn conversation_analytics_volumes_are_priced_per_conversation() {
    // M-ANALYTICS: COST is not returned for partner-billed WABAs; the
    // conversations of March 2025 (Pacific month) at the card's rates.
    let e = price("credit-line-conversations.json", "UTC", Accept::Any);
    assert!(e.conversations && !e.messages);
    assert_eq!(
        line(&e, "2025-03", "Brazil", "marketing", ""),
        vec![(2000, Some(dec!(0.0625)), dec!(125.0000))]
    );
    assert!(e.complete(), "{:?}", e.unpriced);
}

#[test]
fn a_tier_meta_names_that_the_files_count_does_not_reach_is_noted() {
    // M-ANALYTICS: "Volume tiers will be determined solely by Meta": a
    // November point Meta puts in the second band while this file's count
    // is at its first (another WABA of the portfolio) is named.
    let path = format!(
        "{}/tests/fixtures/reconcile/credit-line-analytics.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let i = text.rfind("\"0:100000\"").unwrap();
    let changed = format!("{}\"100001:1000000\"{}", &text[..i], &text[i + 10..]);
    let rep = read_theirs("a.json", changed.as_bytes()).unwrap();
    let pricing = Pricing::bundled().unwrap();
    let zone = Zone::parse("America/Sao_Paulo").unwrap();
    let req = Request {
        pricing: &pricing,
        currency: "USD",
        accept: Accept::Any,
        zone: &zone,
    };
    let e = price_volumes(&req, &rep.points).unwrap();
    assert_eq!(e.notes.len(), 1, "{:?}", e.notes);
    assert!(
        e.notes[0].starts_with(
            "2026-11 Saudi Arabia utility: Meta puts 50000 messages in tier 100001:1000000"
        ),
        "{}",
        e.notes[0]
    );
    let unchanged = price(
        "credit-line-analytics.json",
        "America/Sao_Paulo",
        Accept::Any,
    );
    assert!(unchanged.notes.is_empty(), "{:?}", unchanged.notes);
}
