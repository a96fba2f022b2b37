//! Volume tiers: marginal bands of monthly charged volume per market and
//! category. Meta publishes them as a per-currency card; where no ladder is
//! known the list rate applies to every message and the tier reads `list`.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::markets::{MarketId, MarketMap};
use super::{data_records, DataError};
use crate::model::time::parse_date;
use crate::model::Category;

/// One band: messages `from..=to` of the month cost `rate` each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub from: u64,
    pub to: Option<u64>,
    pub rate: Decimal,
}

impl Band {
    /// Meta's analytics notation: `750001:15000000`, `100000001:MAX`.
    pub fn label(&self) -> String {
        match self.to {
            Some(t) => format!("{}:{t}", self.from),
            None => format!("{}:MAX", self.from),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TierCard {
    pub from: NaiveDate,
    pub ladders: HashMap<(MarketId, Category), Vec<Band>>,
}

#[derive(Debug, Clone)]
pub struct TierCards {
    pub currency: String,
    pub cards: Vec<TierCard>,
}

impl TierCards {
    pub fn load(
        currency: &str,
        path: &str,
        text: &str,
        markets: &MarketMap,
    ) -> Result<TierCards, DataError> {
        let want = [
            "effective_from",
            "market",
            "category",
            "from",
            "to",
            "rate",
            "source",
        ];
        let mut cards: Vec<TierCard> = Vec::new();
        let mut rows = Vec::new();
        for r in data_records(path, text, &want)? {
            let (line, rec) = r?;
            let at = |m: String| DataError::at(path, line, m);
            let from_date = parse_date(&rec[0]).ok_or_else(|| {
                at(format!(
                    "effective_from {:?} is not a YYYY-MM-DD date",
                    &rec[0]
                ))
            })?;
            let market = markets
                .id(rec[1].trim())
                .ok_or_else(|| at(format!("market {:?} is not in markets.csv", &rec[1])))?;
            let cat = Category::from_str(&rec[2]).map_err(|e| at(e.to_string()))?;
            let lo: u64 = rec[3]
                .trim()
                .parse()
                .map_err(|_| at(format!("from {:?} is not a whole number", &rec[3])))?;
            let hi = match rec[4].trim() {
                "" => None,
                s => Some(s.parse::<u64>().map_err(|_| {
                    at(format!(
                        "to {s:?} is not a whole number or empty (unbounded)"
                    ))
                })?),
            };
            let rate_s = rec[5].trim();
            if rate_s.is_empty() || !rate_s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return Err(at(format!(
                    "rate {rate_s:?} is not a plain non-negative decimal"
                )));
            }
            let rate = Decimal::from_str(rate_s)
                .map_err(|_| at(format!("rate {rate_s:?} is not a decimal")))?;
            if rec[6].trim().is_empty() {
                return Err(at(
                    "empty source: every band names where it came from".into()
                ));
            }
            rows.push((
                from_date,
                market,
                cat,
                Band {
                    from: lo,
                    to: hi,
                    rate,
                },
                line,
            ));
        }
        rows.sort_by_key(|a| (a.0, a.1, a.2, a.3.from));
        for (date, market, cat, band, line) in rows {
            if cards.last().map(|c| c.from) != Some(date) {
                cards.push(TierCard {
                    from: date,
                    ladders: HashMap::new(),
                });
            }
            let Some(card) = cards.last_mut() else {
                continue;
            };
            let ladder = card.ladders.entry((market, cat)).or_default();
            let expected = ladder
                .last()
                .map_or(Some(0), |b: &Band| b.to.map(|t| t + 1));
            // Bands must tile the month from the first message on.
            let ok = match expected {
                Some(0) => band.from <= 1,
                Some(e) => band.from == e,
                None => false,
            };
            if !ok || band.to.is_some_and(|t| t < band.from) {
                return Err(DataError::at(
                    path,
                    line,
                    format!("band {} of {} {cat} on {date} overlaps or leaves a gap after the previous band", band.label(), markets.name(market)),
                ));
            }
            ladder.push(band);
        }
        Ok(TierCards {
            currency: currency.to_string(),
            cards,
        })
    }

    /// The ladder in force for a market and category on a local date.
    pub fn ladder(&self, market: MarketId, cat: Category, date: NaiveDate) -> Option<&[Band]> {
        let i = self.cards.partition_point(|c| c.from <= date);
        let card = &self.cards[i.checked_sub(1)?];
        card.ladders.get(&(market, cat)).map(Vec::as_slice)
    }
}

/// The band holding the `n`th charged message of the month (1-based).
pub fn band_for(ladder: &[Band], n: u64) -> Option<&Band> {
    ladder
        .iter()
        .find(|b| n >= b.from.max(1) && b.to.is_none_or(|t| n <= t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn markets() -> MarketMap {
        MarketMap::load(
            "prefix,country,name\n91,IN,India\n",
            "effective_from,prefix,country,market,source\n2023-06-01,91,IN,India,t\n",
        )
        .unwrap()
    }

    #[test]
    fn ladders_are_marginal_bands() {
        let m = markets();
        let text = "effective_from,market,category,from,to,rate,source\n\
2026-01-01,India,authentication,0,750000,0.1150,s\n2026-01-01,India,authentication,750001,,0.1081,s\n";
        let t = TierCards::load("INR", "tiers/INR.csv", text, &m).unwrap();
        let india = m.id("India").unwrap();
        let l = t
            .ladder(
                india,
                Category::Authentication,
                parse_date("2026-02-01").unwrap(),
            )
            .unwrap();
        assert_eq!(band_for(l, 750_000).unwrap().rate, dec!(0.1150));
        assert_eq!(band_for(l, 750_001).unwrap().rate, dec!(0.1081));
        assert_eq!(band_for(l, 750_001).unwrap().label(), "750001:MAX");
        assert!(t
            .ladder(india, Category::Utility, parse_date("2026-02-01").unwrap())
            .is_none());
        assert!(t
            .ladder(
                india,
                Category::Authentication,
                parse_date("2025-12-31").unwrap()
            )
            .is_none());
    }

    #[test]
    fn overlapping_bands_are_rejected() {
        let m = markets();
        let text = "effective_from,market,category,from,to,rate,source\n\
2026-01-01,India,authentication,0,750000,0.1150,s\n2026-01-01,India,authentication,700000,,0.1081,s\n";
        let e = TierCards::load("INR", "tiers/INR.csv", text, &m)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("tiers/INR.csv:3") && e.contains("overlaps"),
            "{e}"
        );
    }
}
