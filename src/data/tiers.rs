//! Volume tiers: marginal bands of monthly charged volume per market and
//! category. Meta publishes them as a per-currency card; where no ladder is
//! known the list rate applies to every message and the tier reads `list`.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::confidence::Confidence;
use super::markets::{MarketId, MarketMap};
use super::{data_records_of, effective_from, known_market, legacy_header, DataError};
use crate::model::Category;

/// One band: messages `from..=to` of the month cost `rate` each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub from: u64,
    pub to: Option<u64>,
    pub rate: Decimal,
    /// How the band's rate is known.
    pub confidence: Confidence,
    /// Where the band came from (the row's `source`), for `rates --tiers`.
    pub source: String,
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

/// The header of `tiers/<CUR>.csv`.
pub(crate) const COLUMNS: [&str; 8] = [
    "effective_from",
    "market",
    "category",
    "from",
    "to",
    "rate",
    "confidence",
    "source",
];

/// One row of a tiers file, read.
struct Row {
    date: NaiveDate,
    market: MarketId,
    category: Category,
    band: Band,
    line: u64,
}

fn read_row(
    path: &str,
    line: u64,
    rec: &csv::StringRecord,
    markets: &MarketMap,
    with_confidence: bool,
) -> Result<Row, DataError> {
    let at = |m: String| DataError::at(path, line, m);
    let date = effective_from(path, line, &rec[0])?;
    let market = known_market(path, line, &rec[1], markets)?;
    let category = Category::from_str(&rec[2]).map_err(|e| at(e.to_string()))?;
    let mut band = read_band(rec).map_err(at)?;
    let source = match with_confidence {
        true => {
            band.confidence = Confidence::from_str(&rec[6])
                .map_err(|e| at(format!("{e}: a band says how it is known")))?;
            &rec[7]
        }
        false => &rec[6],
    };
    if source.trim().is_empty() {
        return Err(at(
            "empty source: every band names where it came from".into()
        ));
    }
    band.source = source.trim().to_string();
    Ok(Row {
        date,
        market,
        category,
        band,
        line,
    })
}

/// The `from`, `to` and `rate` cells: whole numbers (an empty `to` is
/// unbounded) and a plain non-negative decimal.
fn read_band(rec: &csv::StringRecord) -> Result<Band, String> {
    let from: u64 = rec[3]
        .trim()
        .parse()
        .map_err(|_| format!("from {:?} is not a whole number", &rec[3]))?;
    let to = match rec[4].trim() {
        "" => None,
        s => Some(
            s.parse::<u64>()
                .map_err(|_| format!("to {s:?} is not a whole number or empty (unbounded)"))?,
        ),
    };
    let rate_s = rec[5].trim();
    if rate_s.is_empty() || !rate_s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(format!(
            "rate {rate_s:?} is not a plain non-negative decimal"
        ));
    }
    let rate =
        Decimal::from_str(rate_s).map_err(|_| format!("rate {rate_s:?} is not a decimal"))?;
    Ok(Band {
        from,
        to,
        rate,
        confidence: Confidence::Direct,
        source: String::new(),
    })
}

/// Whether `band` continues `ladder`: bands tile the month from the first
/// message on, each starting right after the previous one's `to`.
fn continues(ladder: &[Band], band: &Band) -> bool {
    let expected = ladder.last().map_or(Some(0), |b| b.to.map(|t| t + 1));
    let starts_right = match expected {
        Some(0) => band.from <= 1,
        Some(e) => band.from == e,
        None => false,
    };
    starts_right && band.to.is_none_or(|t| t >= band.from)
}

impl TierCard {
    /// Adds a row's band to its ladder, which it must continue.
    fn add(&mut self, path: &str, row: Row, markets: &MarketMap) -> Result<(), DataError> {
        let ladder = self.ladders.entry((row.market, row.category)).or_default();
        if !continues(ladder, &row.band) {
            return Err(DataError::at(
                path,
                row.line,
                format!(
                    "band {} of {} {} on {} overlaps or leaves a gap after the previous band",
                    row.band.label(),
                    markets.name(row.market),
                    row.category,
                    row.date
                ),
            ));
        }
        ladder.push(row.band);
        Ok(())
    }
}

/// Groups sorted rows into one card per effective date.
fn cards_of(path: &str, rows: Vec<Row>, markets: &MarketMap) -> Result<Vec<TierCard>, DataError> {
    let mut cards: Vec<TierCard> = Vec::new();
    for row in rows {
        if cards.last().map(|c| c.from) != Some(row.date) {
            cards.push(TierCard {
                from: row.date,
                ladders: HashMap::new(),
            });
        }
        if let Some(card) = cards.last_mut() {
            card.add(path, row, markets)?;
        }
    }
    Ok(cards)
}

impl TierCards {
    pub fn load(
        currency: &str,
        path: &str,
        text: &str,
        markets: &MarketMap,
    ) -> Result<TierCards, DataError> {
        let mut rows = Vec::new();
        // The layout before the confidence column is read too (every cell `direct`).
        let legacy = legacy_header(&COLUMNS);
        let (layout, records) = data_records_of(path, text, &[&COLUMNS, &legacy])?;
        for r in records {
            let (line, rec) = r?;
            rows.push(read_row(path, line, &rec, markets, layout == 0)?);
        }
        rows.sort_by_key(|r| (r.date, r.market, r.category, r.band.from));
        Ok(TierCards {
            currency: currency.to_string(),
            cards: cards_of(path, rows, markets)?,
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
    use crate::model::time::parse_date;
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
