//! Meta's analytics name a country (`country`: "2 letter country codes",
//! M-ANALYTICS), while Meta prices by market, from the number's calling
//! code and, under +1, its area code. The dated market map is keyed by
//! number prefix, so a country's market is what its numbers resolve to on
//! the map of a date: one market decides it; several, or none (a country
//! with no prefix of its own, such as Canada under the shared +1 the map
//! files as `US`, or Kazakhstan under +7 before its own row), cannot be
//! decided from the country alone, and the caller says so.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use crate::data::{MarketId, MarketMap};
use crate::model::phone::E164;

/// What a country says about its market on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountryMarket {
    Market(MarketId),
    /// The country's numbers fall in several markets.
    Several(Vec<MarketId>),
    /// No number on the map resolves to this country.
    NoRow,
}

/// Countries' markets per map snapshot, worked out from the prefixes.
#[derive(Debug)]
pub struct CountryMarkets<'p> {
    markets: &'p MarketMap,
    snapshots: Vec<NaiveDate>,
    by_snapshot: HashMap<NaiveDate, HashMap<[u8; 2], BTreeSet<MarketId>>>,
}

impl<'p> CountryMarkets<'p> {
    pub fn new(markets: &'p MarketMap) -> CountryMarkets<'p> {
        CountryMarkets {
            markets,
            snapshots: markets.snapshot_dates(),
            by_snapshot: HashMap::new(),
        }
    }

    /// The market of an ISO alpha-2 country on a local date.
    pub fn of(&mut self, country: &str, date: NaiveDate) -> CountryMarket {
        let Some(snap) = self.snapshot(date) else {
            return CountryMarket::NoRow;
        };
        let markets = self.markets;
        let table = self
            .by_snapshot
            .entry(snap)
            .or_insert_with(|| countries_on(markets, snap));
        let key = country.trim().to_ascii_uppercase();
        let key: [u8; 2] = match key.as_bytes() {
            [a, b] => [*a, *b],
            _ => return CountryMarket::NoRow,
        };
        match table.get(&key) {
            None => CountryMarket::NoRow,
            Some(s) if s.len() == 1 => CountryMarket::Market(*s.iter().next().unwrap_or(&0)),
            Some(s) => CountryMarket::Several(s.iter().copied().collect()),
        }
    }

    /// The effective date of the snapshot in force on `date`.
    fn snapshot(&self, date: NaiveDate) -> Option<NaiveDate> {
        let i = self.snapshots.partition_point(|d| *d <= date);
        self.snapshots.get(i.checked_sub(1)?).copied()
    }

    /// Why a country cannot be priced, in words.
    pub fn explain(&self, country: &str, date: NaiveDate, found: &CountryMarket) -> String {
        match found {
            CountryMarket::Market(m) => self.markets.name(*m).to_string(),
            CountryMarket::Several(ms) => {
                let names: Vec<&str> = ms.iter().map(|m| self.markets.name(*m)).collect();
                format!(
                    "country {country}: its numbers fall in several markets on the map of {date} ({}); the country alone cannot decide the market",
                    names.join(", ")
                )
            }
            CountryMarket::NoRow => format!(
                "country {country} has no number prefix of its own on the market map of {date} (its numbers may share another country's calling code, as Canada shares +1); the country alone cannot decide the market"
            ),
        }
    }
}

/// Every country the map's prefixes resolve to on a date, and the markets
/// its numbers take: the prefixes are at most four digits, so the first
/// four digits of a number decide it.
fn countries_on(map: &MarketMap, date: NaiveDate) -> HashMap<[u8; 2], BTreeSet<MarketId>> {
    let mut out: HashMap<[u8; 2], BTreeSet<MarketId>> = HashMap::new();
    for lead in 1000u64..=9999 {
        let n = E164::from_digits_value(lead * 100_000_000);
        if let Ok(r) = map.resolve(n, date) {
            out.entry(r.country).or_default().insert(r.market);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Pricing;
    use crate::model::time::parse_date;

    #[test]
    fn a_country_is_the_market_its_numbers_take_on_the_map_of_the_date() {
        let p = Pricing::bundled().unwrap();
        let mut c = CountryMarkets::new(&p.markets);
        let name = |f: CountryMarket| match f {
            CountryMarket::Market(m) => p.markets.name(m).to_string(),
            other => format!("{other:?}"),
        };
        let oct = parse_date("2026-10-15").unwrap();
        assert_eq!(name(c.of("BR", oct)), "Brazil");
        assert_eq!(name(c.of("us", oct)), "North America");
        // A +1 Caribbean country with its own area codes.
        assert_eq!(name(c.of("BS", oct)), "Other");
        assert_eq!(name(c.of("PR", oct)), "Rest of Latin America");
        assert_eq!(name(c.of("KZ", oct)), "Kazakhstan");
    }

    #[test]
    fn a_country_without_a_prefix_of_its_own_is_not_decided() {
        let p = Pricing::bundled().unwrap();
        let mut c = CountryMarkets::new(&p.markets);
        let oct = parse_date("2026-10-15").unwrap();
        // Canada shares +1 (the map files it as US): no row names CA.
        assert_eq!(c.of("CA", oct), CountryMarket::NoRow);
        let why = c.explain("CA", oct, &CountryMarket::NoRow);
        assert!(why.contains("cannot decide"), "{why}");
        // Kazakhstan's +76/+77 were priced under Russia's +7 before their row.
        let sep = parse_date("2026-09-15").unwrap();
        assert_eq!(c.of("KZ", sep), CountryMarket::NoRow);
        assert_eq!(c.of("XX", oct), CountryMarket::NoRow);
    }
}
