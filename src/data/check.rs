//! `wacost rates check`: the data is complete and consistent. The loaders
//! already refuse malformed rows (bad dates, negative or non-decimal rates,
//! unknown categories, duplicate cells, overlapping tier bands); this adds
//! the checks across files.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::rates::{Card, RateCards, RateCell};
use super::{MarketId, Pricing};
use crate::model::Category;

#[derive(Debug, Default)]
pub struct CheckReport {
    /// Problems that make a card unusable.
    pub errors: Vec<String>,
    /// Facts worth knowing (explicit gaps).
    pub notes: Vec<String>,
}

pub fn check(p: &Pricing) -> CheckReport {
    let mut r = CheckReport::default();
    let map_dates = p.markets.snapshot_dates();
    for (cur, cards) in &p.rates {
        for (i, card) in cards.cards.iter().enumerate() {
            let until = cards.cards.get(i + 1).map(|c| c.from);
            let dates = dates_in_force(card.from, until, &map_dates);
            check_card(p, cards, card, &dates, &mut r);
        }
        r.notes.extend(first_card_note(p, cur, cards));
    }
    r
}

/// The card's date and every market map snapshot date while it is in force
/// (`from` up to the next card, `until`).
fn dates_in_force(
    from: NaiveDate,
    until: Option<NaiveDate>,
    map_dates: &[NaiveDate],
) -> Vec<NaiveDate> {
    let mut dates = vec![from];
    dates.extend(
        map_dates
            .iter()
            .copied()
            .filter(|d| *d > from && until.is_none_or(|u| *d < u)),
    );
    dates
}

/// Every market of every map in force on `dates` has a row per category.
fn check_card(
    p: &Pricing,
    cards: &RateCards,
    card: &Card,
    dates: &[NaiveDate],
    r: &mut CheckReport,
) {
    let mut unknown = 0;
    for (d, m) in markets_in_force(p, dates) {
        let (missing, unknown_here) = gaps(card, m);
        unknown += unknown_here;
        if !missing.is_empty() {
            r.errors.push(format!(
                "{}: card {} has no {} row for {} (a market of the map in force on {d}); add a rate, n/a or unknown",
                cards.file,
                card.from,
                missing.join(", "),
                p.markets.name(m)
            ));
        }
    }
    if unknown > 0 {
        r.notes.push(format!("{} card {}: {unknown} cells unknown (explicit gaps: messages needing them are rejected)", cards.currency, card.from));
    }
}

/// Each market of the maps in force on `dates`, once, with the first date it is in force.
fn markets_in_force(p: &Pricing, dates: &[NaiveDate]) -> Vec<(NaiveDate, MarketId)> {
    let mut seen = BTreeSet::new();
    let mut all = Vec::new();
    for &d in dates {
        for m in p.markets.markets_on(d) {
            if seen.insert(m) {
                all.push((d, m));
            }
        }
    }
    all
}

/// A market's categories without a row on the card, and how many are `unknown`.
fn gaps(card: &Card, market: MarketId) -> (Vec<&'static str>, usize) {
    let mut missing = Vec::new();
    let mut unknown = 0;
    for cat in Category::ALL {
        match card.cell(market, cat) {
            RateCell::Missing => missing.push(cat.as_str()),
            RateCell::Unknown { .. } => unknown += 1,
            _ => {}
        }
    }
    (missing, unknown)
}

/// A currency whose first card starts after the first rules era.
fn first_card_note(p: &Pricing, cur: &str, cards: &RateCards) -> Option<String> {
    let (first, era) = (cards.cards.first()?, p.rules.eras.first()?);
    (first.from > era.from).then(|| {
        format!(
            "{cur}: no card before {}; traffic from {} to then cannot be priced in {cur}",
            first.from, era.from
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_data_passes() {
        let p = Pricing::bundled().unwrap();
        let r = check(&p);
        assert!(r.errors.is_empty(), "{:#?}", r.errors);
    }
}
