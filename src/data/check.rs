//! `wacost rates check`: the data is complete and consistent. The loaders
//! already refuse malformed rows (bad dates, negative or non-decimal rates,
//! unknown categories, duplicate cells, overlapping tier bands); this adds
//! the checks across files.

use super::rates::RateCell;
use super::Pricing;
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
            // Every market map snapshot in force while this card is.
            let mut dates = vec![card.from];
            dates.extend(
                map_dates
                    .iter()
                    .copied()
                    .filter(|d| *d > card.from && until.is_none_or(|u| *d < u)),
            );
            let mut unknown = 0;
            let mut seen = std::collections::BTreeSet::new();
            for d in dates {
                for m in p.markets.markets_on(d) {
                    if !seen.insert(m) {
                        continue;
                    }
                    let mut missing = Vec::new();
                    for cat in Category::ALL {
                        match card.cell(m, cat) {
                            RateCell::Missing => missing.push(cat.as_str()),
                            RateCell::Unknown { .. } => unknown += 1,
                            _ => {}
                        }
                    }
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
            }
            if unknown > 0 {
                r.notes.push(format!("{cur} card {}: {unknown} cells unknown (explicit gaps: messages needing them are rejected)", card.from));
            }
        }
        if let (Some(first), Some(era)) = (cards.cards.first(), p.rules.eras.first()) {
            if first.from > era.from {
                r.notes.push(format!(
                    "{cur}: no card before {}; traffic from {} to then cannot be priced in {cur}",
                    first.from, era.from
                ));
            }
        }
    }
    r
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
