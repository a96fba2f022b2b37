//! Rate cards: per currency, one card per effective date (Meta publishes
//! whole cards), each cell a rate, `n/a` (Meta publishes none) or `unknown`
//! (an explicit gap in our sources).

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::confidence::Confidence;
use super::markets::{MarketId, MarketMap};
use super::{data_records_of, effective_from, known_market, legacy_header, DataError};
use crate::model::Category;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateCell {
    /// No row on this card.
    Missing,
    /// Meta's card says `n/a`: absent, which is not zero.
    NotOffered { source: u32 },
    /// Meta has a rate, our sources do not.
    Unknown { source: u32 },
    Rate {
        rate: Decimal,
        source: u32,
        confidence: Confidence,
    },
}

#[derive(Debug, Clone)]
pub struct Card {
    pub from: NaiveDate,
    /// Indexed by `market * 5 + category`.
    cells: Vec<RateCell>,
}

impl Card {
    pub fn cell(&self, market: MarketId, cat: Category) -> &RateCell {
        self.cells
            .get(market as usize * 5 + cat.index())
            .unwrap_or(&RateCell::Missing)
    }
}

#[derive(Debug, Clone)]
pub struct RateCards {
    pub currency: String,
    pub file: String,
    pub cards: Vec<Card>,
    pub sources: Vec<String>,
}

/// Why no rate could be used. Each says what to supply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("no rate card for currency {currency} (available: {available}); supply rates/{currency}.csv with --pricing DIR or `wacost rates import`")]
    NoCurrency { currency: String, available: String },
    /// The currency's rate file does not load (read when first asked for).
    #[error("{0}")]
    Data(String),
    #[error("no {currency} rate card in force on {date} (earliest card: {earliest}); supply one with --pricing DIR or `wacost rates import`")]
    NoCard {
        currency: String,
        date: NaiveDate,
        earliest: NaiveDate,
    },
    #[error("Meta publishes no {category} rate for {market} ({currency} card of {card}): absent, not zero")]
    NotOffered {
        currency: String,
        market: String,
        category: Category,
        card: NaiveDate,
    },
    #[error("the {currency} {category} rate for {market} on the card of {card} is unknown ({origin}); supply it with --pricing DIR or `wacost rates import`")]
    Unknown {
        currency: String,
        market: String,
        category: Category,
        card: NaiveDate,
        origin: String,
    },
    #[error("the {currency} {category} rate for {market} on the card of {card} is inferred, and --confidence direct refuses inferred rates ({origin})")]
    Refused {
        currency: String,
        market: String,
        category: Category,
        card: NaiveDate,
        origin: String,
    },
    #[error("the {currency} card of {card} has no {category} row for {market}; fix rates/{currency}.csv (`wacost rates check`)")]
    Missing {
        currency: String,
        market: String,
        category: Category,
        card: NaiveDate,
    },
}

/// The rate cards of one currency, read when first asked for: a run in one
/// currency does not parse (or page in) the bundled files of the others.
#[derive(Debug)]
pub struct LazyCards {
    currency: String,
    path: String,
    /// The file's text while it is not read yet (bundled files only).
    text: Option<&'static str>,
    loaded: std::sync::OnceLock<Result<RateCards, String>>,
}

impl LazyCards {
    /// A bundled file, read on first use.
    pub fn later(currency: &str, path: &str, text: &'static str) -> LazyCards {
        LazyCards {
            currency: currency.to_string(),
            path: path.to_string(),
            text: Some(text),
            loaded: std::sync::OnceLock::new(),
        }
    }

    /// Cards already read.
    pub fn now(cards: RateCards) -> LazyCards {
        let (currency, path) = (cards.currency.clone(), cards.file.clone());
        LazyCards {
            currency,
            path,
            text: None,
            loaded: std::sync::OnceLock::from(Ok(cards)),
        }
    }

    /// The cards, reading the file the first time.
    pub fn get(&self, markets: &MarketMap) -> Result<&RateCards, RateError> {
        let loaded = self.loaded.get_or_init(|| {
            let text = self.text.unwrap_or_default();
            RateCards::load(&self.currency, &self.path, text, markets).map_err(|e| e.to_string())
        });
        loaded.as_ref().map_err(|e| RateError::Data(e.clone()))
    }
}

/// A rate found, with where it came from (for explanations).
#[derive(Debug, Clone, Copy)]
pub struct FoundRate<'a> {
    pub rate: Decimal,
    pub card: NaiveDate,
    pub source: &'a str,
    pub confidence: Confidence,
}

/// The header of `rates/<CUR>.csv`.
pub(crate) const COLUMNS: [&str; 6] = [
    "effective_from",
    "market",
    "category",
    "rate",
    "confidence",
    "source",
];

/// One row of a rates file, read.
struct Row {
    from: NaiveDate,
    market: MarketId,
    category: Category,
    cell: RateCell,
    line: u64,
}

/// Distinct source texts, numbered in order of appearance (a card derived
/// from another has a source per cell: found by hash, not by a scan).
#[derive(Default)]
struct Sources {
    texts: Vec<String>,
    numbers: std::collections::HashMap<String, u32>,
}

impl Sources {
    fn number(&mut self, src: &str) -> u32 {
        if let Some(&n) = self.numbers.get(src) {
            return n;
        }
        let n = self.texts.len() as u32;
        self.texts.push(src.to_string());
        self.numbers.insert(src.to_string(), n);
        n
    }
}

fn read_row(
    path: &str,
    line: u64,
    rec: &csv::StringRecord,
    markets: &MarketMap,
    sources: &mut Sources,
    with_confidence: bool,
) -> Result<Row, DataError> {
    let from = effective_from(path, line, &rec[0])?;
    let market = known_market(path, line, &rec[1], markets)?;
    let category =
        Category::from_str(&rec[2]).map_err(|e| DataError::at(path, line, e.to_string()))?;
    let (confidence, src) = match with_confidence {
        true => (Some(rec[4].trim()), rec[5].trim()),
        false => (None, rec[4].trim()),
    };
    if src.is_empty() {
        return Err(DataError::at(
            path,
            line,
            "empty source: every rate names where it came from",
        ));
    }
    let cell = parse_cell(rec[3].trim(), confidence, sources.number(src))
        .map_err(|m| DataError::at(path, line, m))?;
    Ok(Row {
        from,
        market,
        category,
        cell,
        line,
    })
}

impl Card {
    /// Sets a row's cell; a cell given twice on one card is an error.
    fn set(&mut self, path: &str, row: Row, markets: &MarketMap) -> Result<(), DataError> {
        let i = row.market as usize * 5 + row.category.index();
        if self.cells.len() <= i {
            self.cells.resize(i + 1, RateCell::Missing);
        }
        if self.cells[i] != RateCell::Missing {
            return Err(DataError::at(
                path,
                row.line,
                format!(
                    "{} {} listed twice on the card of {}",
                    markets.name(row.market),
                    row.category,
                    row.from
                ),
            ));
        }
        self.cells[i] = row.cell;
        Ok(())
    }
}

/// Groups date-sorted rows into one card per effective date.
fn cards_of(path: &str, rows: Vec<Row>, markets: &MarketMap) -> Result<Vec<Card>, DataError> {
    let width = markets.len().max(1) * 5;
    let mut cards: Vec<Card> = Vec::new();
    for row in rows {
        if cards.last().map(|c| c.from) != Some(row.from) {
            cards.push(Card {
                from: row.from,
                cells: vec![RateCell::Missing; width],
            });
        }
        if let Some(card) = cards.last_mut() {
            card.set(path, row, markets)?;
        }
    }
    Ok(cards)
}

impl RateCards {
    pub fn load(
        currency: &str,
        path: &str,
        text: &str,
        markets: &MarketMap,
    ) -> Result<RateCards, DataError> {
        let mut rows = Vec::new();
        let mut sources = Sources::default();
        // The layout before the confidence column is read too (every cell `direct`).
        let legacy = legacy_header(&COLUMNS);
        let (layout, records) = data_records_of(path, text, &[&COLUMNS, &legacy])?;
        for r in records {
            let (line, rec) = r?;
            rows.push(read_row(
                path,
                line,
                &rec,
                markets,
                &mut sources,
                layout == 0,
            )?);
        }
        rows.sort_by_key(|r| r.from);
        Ok(RateCards {
            currency: currency.to_string(),
            file: path.to_string(),
            cards: cards_of(path, rows, markets)?,
            sources: sources.texts,
        })
    }

    /// The card in force on a local date.
    pub fn card_on(&self, date: NaiveDate) -> Result<&Card, RateError> {
        let i = self.cards.partition_point(|c| c.from <= date);
        match i.checked_sub(1) {
            Some(i) => Ok(&self.cards[i]),
            None => Err(RateError::NoCard {
                currency: self.currency.clone(),
                date,
                earliest: self.cards.first().map_or(NaiveDate::MAX, |c| c.from),
            }),
        }
    }

    pub fn source(&self, idx: u32) -> &str {
        self.sources.get(idx as usize).map_or("", String::as_str)
    }

    /// The rate for a market and category on a local date.
    pub fn rate(
        &self,
        markets: &MarketMap,
        market: MarketId,
        cat: Category,
        date: NaiveDate,
    ) -> Result<FoundRate<'_>, RateError> {
        let card = self.card_on(date)?;
        self.rate_on_card(markets, card, market, cat)
    }

    pub fn rate_on_card<'a>(
        &'a self,
        markets: &MarketMap,
        card: &Card,
        market: MarketId,
        cat: Category,
    ) -> Result<FoundRate<'a>, RateError> {
        match card.cell(market, cat) {
            RateCell::Rate {
                rate,
                source,
                confidence,
            } => Ok(FoundRate {
                rate: *rate,
                card: card.from,
                source: self.source(*source),
                confidence: *confidence,
            }),
            RateCell::NotOffered { .. } => Err(RateError::NotOffered {
                currency: self.currency.clone(),
                market: markets.name(market).to_string(),
                category: cat,
                card: card.from,
            }),
            RateCell::Unknown { source } => Err(RateError::Unknown {
                currency: self.currency.clone(),
                market: markets.name(market).to_string(),
                category: cat,
                card: card.from,
                origin: self.source(*source).to_string(),
            }),
            RateCell::Missing => Err(RateError::Missing {
                currency: self.currency.clone(),
                market: markets.name(market).to_string(),
                category: cat,
                card: card.from,
            }),
        }
    }
}

/// A rate cell: a decimal with how it is known, `n/a` or `unknown` (whose
/// confidence cell is empty: nothing is known). A file without the
/// confidence column (`None`) holds Meta's own cards: `direct`.
fn parse_cell(s: &str, confidence: Option<&str>, source: u32) -> Result<RateCell, String> {
    match (s.to_ascii_lowercase().as_str(), confidence) {
        ("n/a" | "na", _) => return Ok(RateCell::NotOffered { source }),
        ("unknown", None | Some("")) => return Ok(RateCell::Unknown { source }),
        ("unknown", Some(c)) => {
            return Err(format!(
                "confidence {c:?} on an unknown rate: leave it empty, nothing is known"
            ))
        }
        _ => {}
    }
    let confidence = match confidence {
        None => Confidence::Direct,
        Some(c) => {
            Confidence::from_str(c).map_err(|e| format!("{e}: a rate says how it is known"))?
        }
    };
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(format!(
            "rate {s:?} is not a plain non-negative decimal (accepted: 0.0625, n/a, unknown)"
        ));
    }
    let rate = Decimal::from_str(s).map_err(|_| format!("rate {s:?} is not a decimal"))?;
    Ok(RateCell::Rate {
        rate,
        source,
        confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_date;
    use rust_decimal_macros::dec;

    fn markets() -> MarketMap {
        MarketMap::load(
            "prefix,country,name\n55,BR,Brazil\n",
            "effective_from,prefix,country,market,source\n2023-06-01,55,BR,Brazil,t\n",
        )
        .unwrap()
    }

    #[test]
    fn cards_are_snapshots_with_explicit_gaps() {
        let m = markets();
        let text = "effective_from,market,category,rate,source\n\
2025-07-01,Brazil,marketing,0.0625,a\n2025-07-01,Brazil,utility,unknown,gap\n2025-07-01,Brazil,authentication_international,n/a,meta\n\
2026-10-01,Brazil,marketing,0.0625,b\n";
        let rc = RateCards::load("USD", "rates/USD.csv", text, &m).unwrap();
        let br = m.id("Brazil").unwrap();
        let d = |s| parse_date(s).unwrap();
        assert_eq!(
            rc.rate(&m, br, Category::Marketing, d("2025-08-01"))
                .unwrap()
                .rate,
            dec!(0.0625)
        );
        assert!(matches!(
            rc.rate(&m, br, Category::Utility, d("2025-08-01")),
            Err(RateError::Unknown { .. })
        ));
        assert!(matches!(
            rc.rate(
                &m,
                br,
                Category::AuthenticationInternational,
                d("2025-08-01")
            ),
            Err(RateError::NotOffered { .. })
        ));
        // The 2026-10 card has no utility row at all: a data error, not zero.
        assert!(matches!(
            rc.rate(&m, br, Category::Utility, d("2026-10-01")),
            Err(RateError::Missing { .. })
        ));
        let e = rc
            .rate(&m, br, Category::Marketing, d("2025-06-30"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("2025-06-30") && e.contains("--pricing"), "{e}");
    }

    #[test]
    fn cells_say_how_they_are_known() {
        let m = markets();
        let text = "effective_from,market,category,rate,confidence,source\n\
2025-07-01,Brazil,marketing,0.0625,direct,a\n2025-07-01,Brazil,utility,0.0040,inferred,\"0.293 INR / 73.3\"\n\
2025-07-01,Brazil,authentication,unknown,,gap\n2025-07-01,Brazil,service,0,carried,b\n";
        let rc = RateCards::load("USD", "rates/USD.csv", text, &m).unwrap();
        let br = m.id("Brazil").unwrap();
        let on = parse_date("2025-08-01").unwrap();
        let level = |c| rc.rate(&m, br, c, on).unwrap().confidence;
        assert_eq!(level(Category::Marketing), Confidence::Direct);
        assert_eq!(level(Category::Utility), Confidence::Inferred);
        assert_eq!(level(Category::Service), Confidence::Carried);
        // A file without the column holds Meta's own cards: direct.
        let old =
            "effective_from,market,category,rate,source\n2025-07-01,Brazil,utility,0.0040,s\n";
        let rc = RateCards::load("USD", "rates/USD.csv", old, &m).unwrap();
        assert_eq!(
            rc.rate(&m, br, Category::Utility, on).unwrap().confidence,
            Confidence::Direct
        );
    }

    #[test]
    fn confidence_errors_name_line_and_value() {
        let m = markets();
        for (cells, want) in [
            (
                "0.0625,guessed",
                "\"guessed\" is not one of direct, carried, inferred",
            ),
            ("0.0625,", "\"\" is not one of"),
            ("unknown,direct", "leave it empty"),
        ] {
            let text = format!(
                "effective_from,market,category,rate,confidence,source\n2025-07-01,Brazil,marketing,{cells},s\n"
            );
            let e = RateCards::load("USD", "rates/USD.csv", &text, &m)
                .unwrap_err()
                .to_string();
            assert!(e.contains("rates/USD.csv:2") && e.contains(want), "{e}");
        }
    }

    #[test]
    fn rejects_bad_rates() {
        for bad in ["-0.01", "1e-3", "abc", ""] {
            let m = markets();
            let text = format!(
                "effective_from,market,category,rate,source\n2025-07-01,Brazil,marketing,{bad},s\n"
            );
            let e = RateCards::load("USD", "rates/USD.csv", &text, &m)
                .unwrap_err()
                .to_string();
            assert!(e.contains("rates/USD.csv:2"), "{e}");
        }
    }
}
