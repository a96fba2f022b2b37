//! `wacost rates check`: the data is complete and consistent. The loaders
//! already refuse malformed rows (bad dates, negative or non-decimal rates,
//! unknown categories, duplicate cells, overlapping tier bands); this adds
//! the checks across files, and says per currency how complete each card
//! is ([`Completeness`]).

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::rates::{Card, RateCards, RateCell};
use super::{Confidence, MarketId, Pricing};
use crate::model::Category;

#[derive(Debug, Default)]
pub struct CheckReport {
    /// Problems that make a card unusable.
    pub errors: Vec<String>,
    /// Facts worth knowing (explicit gaps).
    pub notes: Vec<String>,
    /// How complete each card is, by currency and date.
    pub cards: Vec<Completeness>,
}

/// The cells of one card over the markets of the maps in force while it
/// is (`markets` x 5 categories), by what each holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completeness {
    pub currency: String,
    pub card: NaiveDate,
    pub markets: usize,
    /// Rates, by how they are known.
    pub direct: usize,
    pub carried: usize,
    pub inferred: usize,
    /// Meta's card says `n/a`.
    pub not_offered: usize,
    pub unknown: usize,
    /// No row at all (an error).
    pub missing: usize,
}

impl Completeness {
    /// Cells with a rate.
    pub fn rated(&self) -> usize {
        self.direct + self.carried + self.inferred
    }

    /// Rated cells per mille of the cells that need one (all but `n/a`).
    pub fn per_mille(&self) -> usize {
        let need = self.rated() + self.unknown + self.missing;
        (self.rated() * 1000).checked_div(need).unwrap_or(1000)
    }

    /// The share rated, as `97.5%`.
    pub fn share(&self) -> String {
        let m = self.per_mille();
        format!("{}.{}%", m / 10, m % 10)
    }

    fn count(&mut self, cell: &RateCell) {
        match cell {
            RateCell::Missing => self.missing += 1,
            RateCell::NotOffered { .. } => self.not_offered += 1,
            RateCell::Unknown { .. } => self.unknown += 1,
            RateCell::Rate { confidence, .. } => match confidence {
                Confidence::Direct => self.direct += 1,
                Confidence::Carried => self.carried += 1,
                Confidence::Inferred => self.inferred += 1,
            },
        }
    }

    /// The counts in column order of [`COLUMNS`].
    fn values(&self) -> [String; 10] {
        let n = |v: usize| v.to_string();
        [
            self.currency.clone(),
            self.card.to_string(),
            n(self.markets),
            n(self.direct),
            n(self.carried),
            n(self.inferred),
            n(self.not_offered),
            n(self.unknown),
            n(self.missing),
            self.share(),
        ]
    }
}

/// Column names of the completeness table, CSV and JSON.
pub const COLUMNS: [&str; 10] = [
    "currency", "card", "markets", "direct", "carried", "inferred", "n/a", "unknown", "missing",
    "rated",
];

/// The completeness of every card as an aligned text table.
pub fn completeness_table(cards: &[Completeness]) -> String {
    let rows: Vec<[String; 10]> = cards.iter().map(Completeness::values).collect();
    let mut width = COLUMNS.map(str::len);
    for r in &rows {
        for (w, v) in width.iter_mut().zip(r) {
            *w = (*w).max(v.len());
        }
    }
    let line = |vals: &[&str]| {
        let cells: Vec<String> = vals
            .iter()
            .zip(width)
            .enumerate()
            .map(|(i, (v, w))| {
                if i < 2 {
                    format!("{v:<w$}")
                } else {
                    format!("{v:>w$}")
                }
            })
            .collect();
        cells.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(&COLUMNS);
    for r in &rows {
        out += &line(&r.each_ref().map(String::as_str));
    }
    out + "direct: a copy of that card states it; carried: no change in Meta's change log since a card that does; inferred: derived (see the source); unknown: an explicit gap, messages needing it are rejected; rated: cells with a rate, of those that need one (all but n/a)\n"
}

/// The completeness of every card as CSV, a header first.
pub fn completeness_csv(cards: &[Completeness]) -> String {
    let mut out = COLUMNS.join(",") + "\n";
    for c in cards {
        out += &(c.values().join(",") + "\n");
    }
    out
}

/// The report as one JSON object: the verdict, errors, notes and the
/// completeness of every card.
pub fn report_json(r: &CheckReport, summary: &str) -> serde_json::Value {
    let cards: Vec<serde_json::Value> = r
        .cards
        .iter()
        .map(|c| {
            serde_json::json!({
                "currency": c.currency, "card": c.card.to_string(), "markets": c.markets,
                "direct": c.direct, "carried": c.carried, "inferred": c.inferred,
                "n/a": c.not_offered, "unknown": c.unknown, "missing": c.missing,
                "rated": c.share(),
            })
        })
        .collect();
    serde_json::json!({
        "ok": r.errors.is_empty(), "summary": summary, "errors": r.errors,
        "notes": r.notes, "cards": cards,
    })
}

pub fn check(p: &Pricing) -> CheckReport {
    let mut r = CheckReport::default();
    let map_dates = p.markets.snapshot_dates();
    for cur in p.currencies() {
        let cards = match p.cards(&cur) {
            Ok(cards) => cards,
            Err(e) => {
                r.errors.push(e.to_string());
                continue;
            }
        };
        for (i, card) in cards.cards.iter().enumerate() {
            let until = cards.cards.get(i + 1).map(|c| c.from);
            let dates = dates_in_force(card.from, until, &map_dates);
            check_card(p, cards, card, &dates, &mut r);
        }
        r.notes.extend(first_card_note(p, &cur, cards));
    }
    r.errors.extend(exception_markets(p));
    r
}

/// Market names of rules.toml exceptions that the market map lacks (the
/// exception would match no message there).
fn exception_markets(p: &Pricing) -> Vec<String> {
    let mut out = Vec::new();
    for x in &p.rules.exceptions {
        for m in x.markets.iter().filter(|m| p.markets.id(m).is_none()) {
            out.push(format!(
                "rules.toml: exception {:?}: market {m:?} is not a market of markets.csv (names as on the rate card)",
                x.id
            ));
        }
    }
    out
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
    let mut done = Completeness {
        currency: cards.currency.clone(),
        card: card.from,
        ..Completeness::default()
    };
    for (d, m) in markets_in_force(p, dates) {
        done.markets += 1;
        for cat in Category::ALL {
            done.count(card.cell(m, cat));
        }
        let missing = gaps(card, m);
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
    // Unknown cells are counted in the completeness table.
    r.cards.push(done);
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

/// A market's categories without a row on the card.
fn gaps(card: &Card, market: MarketId) -> Vec<&'static str> {
    Category::ALL
        .into_iter()
        .filter(|&cat| *card.cell(market, cat) == RateCell::Missing)
        .map(Category::as_str)
        .collect()
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

    #[test]
    fn completeness_counts_every_cell_of_the_markets_in_force() {
        let p = Pricing::bundled().unwrap();
        let r = check(&p);
        let usd: Vec<&Completeness> = r.cards.iter().filter(|c| c.currency == "USD").collect();
        assert_eq!(usd.len(), p.cards("USD").unwrap().cards.len());
        for c in &r.cards {
            let cells = c.rated() + c.not_offered + c.unknown + c.missing;
            assert_eq!(cells, c.markets * 5, "{c:?}");
            assert_eq!(c.missing, 0, "{c:?}");
        }
        let oct = usd
            .iter()
            .find(|c| c.card.to_string() == "2026-10-01")
            .unwrap();
        assert_eq!(oct.markets, 47);
        assert!(oct.direct > 0 && oct.unknown > 0, "{oct:?}");
    }

    #[test]
    fn completeness_counts_rates_by_confidence() {
        let mut c = Completeness::default();
        let rate = |confidence| RateCell::Rate {
            rate: rust_decimal::Decimal::ONE,
            source: 0,
            confidence,
        };
        for cell in [
            rate(Confidence::Direct),
            rate(Confidence::Carried),
            rate(Confidence::Carried),
            rate(Confidence::Inferred),
            RateCell::NotOffered { source: 0 },
            RateCell::Unknown { source: 0 },
            RateCell::Missing,
        ] {
            c.count(&cell);
        }
        let got = (
            c.direct,
            c.carried,
            c.inferred,
            c.not_offered,
            c.unknown,
            c.missing,
        );
        assert_eq!(got, (1, 2, 1, 1, 1, 1));
        // 4 rated of the 6 cells that need a rate.
        assert_eq!(c.share(), "66.6%");
    }

    #[test]
    fn completeness_renders_as_table_csv_and_json() {
        let c = Completeness {
            currency: "BRL".into(),
            card: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            markets: 2,
            direct: 7,
            not_offered: 3,
            ..Completeness::default()
        };
        let csv = completeness_csv(std::slice::from_ref(&c));
        assert_eq!(
            csv,
            "currency,card,markets,direct,carried,inferred,n/a,unknown,missing,rated\n\
             BRL,2026-07-01,2,7,0,0,3,0,0,100.0%\n"
        );
        let table = completeness_table(std::slice::from_ref(&c));
        assert!(
            table.starts_with("currency  card        markets"),
            "{table}"
        );
        assert!(table.contains("BRL       2026-07-01"), "{table}");
        let r = CheckReport {
            cards: vec![c],
            ..CheckReport::default()
        };
        let j = report_json(&r, "x: ok");
        assert_eq!(
            (j["ok"].as_bool(), j["cards"][0]["n/a"].as_u64()),
            (Some(true), Some(3))
        );
    }

    #[test]
    fn an_exception_market_off_the_map_is_an_error() {
        let mut p = Pricing::bundled().unwrap();
        p.rules.exceptions[0].markets = vec!["Brasil".into()];
        let e = check(&p).errors.join("\n");
        assert!(
            e.contains("ai-provider-brazil") && e.contains("\"Brasil\""),
            "{e}"
        );
    }
}
