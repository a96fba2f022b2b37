//! `wacost rates`: the rate card in force on a date, one row per market and
//! category (a market x category matrix in the table when several markets).

use std::io::{self, Write};

use chrono::NaiveDate;
use serde_json::json;

use super::columns::{Column, Empty, Row, Show, Value};
use super::{render, Format};
use crate::data::rates::Card;
use crate::data::{Era, MarketId, Pricing, RateCards, RateCell};
use crate::model::{money, Category, PricingModel};

/// The card in force on `at` for `markets` (sorted by name).
pub struct RatesReport<'a> {
    pub pricing: &'a Pricing,
    pub cards: &'a RateCards,
    pub card: &'a Card,
    pub currency: &'a str,
    pub at: NaiveDate,
    pub markets: Vec<MarketId>,
}

/// One market x category: the rate (or `n/a`, `unknown`, `missing`), its
/// status, how it is known and its source.
fn columns(single_market: bool) -> Vec<Column> {
    let market = if single_market { Show::DATA } else { Show::ALL };
    vec![
        Column::text("currency").only(Show::CSV),
        Column::text("effective_from").only(Show::DATA),
        Column::text("market").only(market),
        Column::text("category"),
        Column::number("rate").only(Show::TABLE.and(Show::CSV)),
        Column::text("rate").empty(Empty::Null).only(Show::JSON),
        Column::text("status").only(Show::JSON),
        Column::text("confidence").empty(Empty::Null),
        Column::text("source"),
    ]
}

/// The matrix of several markets: a column per category.
fn matrix_columns() -> Vec<Column> {
    let mut cols = vec![Column::text("market")];
    for key in [
        "marketing",
        "utility",
        "authentication",
        "auth-intl",
        "service",
    ] {
        cols.push(Column::number(key));
    }
    cols
}

impl RatesReport<'_> {
    /// (shown rate, source, status) of one cell.
    fn cell(&self, m: MarketId, cat: Category) -> (String, String, &'static str) {
        let src = |s: &u32| self.cards.source(*s).to_string();
        match self.card.cell(m, cat) {
            RateCell::Rate { rate, source, .. } => (money::fmt(*rate), src(source), "rate"),
            RateCell::NotOffered { source } => ("n/a".into(), src(source), "n/a"),
            RateCell::Unknown { source } => ("unknown".into(), src(source), "unknown"),
            RateCell::Missing => ("missing".into(), String::new(), "missing"),
        }
    }

    /// How a cell with a rate is known (empty for the others).
    fn confidence(&self, m: MarketId, cat: Category) -> &'static str {
        match self.card.cell(m, cat) {
            RateCell::Rate { confidence, .. } => confidence.as_str(),
            _ => "",
        }
    }

    /// A matrix cell: the rate, marked `~` when it is inferred.
    fn matrix_cell(&self, m: MarketId, cat: Category) -> Value {
        let shown = self.cell(m, cat).0;
        Value::Text(match self.confidence(m, cat) {
            "inferred" => format!("~{shown}"),
            _ => shown,
        })
    }

    fn row(&self, m: MarketId, cat: Category) -> Row {
        let (rate, source, status) = self.cell(m, cat);
        let json_rate = if status == "rate" {
            rate.clone()
        } else {
            String::new()
        };
        vec![
            self.currency.into(),
            self.card.from.to_string().into(),
            self.pricing.markets.name(m).into(),
            cat.as_str().into(),
            rate.into(),
            json_rate.into(),
            status.into(),
            self.confidence(m, cat).into(),
            source.into(),
        ]
    }

    fn rows(&self) -> Vec<Row> {
        let cells = self
            .markets
            .iter()
            .flat_map(|&m| Category::ALL.map(|c| (m, c)));
        cells.map(|(m, c)| self.row(m, c)).collect()
    }

    fn matrix_rows(&self) -> Vec<Row> {
        let row = |m: MarketId| -> Row {
            let mut r: Row = vec![self.pricing.markets.name(m).into()];
            r.extend(Category::ALL.map(|c| self.matrix_cell(m, c)));
            r
        };
        self.markets.iter().map(|&m| row(m)).collect()
    }

    fn era(&self) -> Option<&Era> {
        let rules = &self.pricing.rules;
        rules.era_index(self.at).map(|i| &rules.eras[i])
    }

    fn single(&self) -> bool {
        self.markets.len() == 1
    }

    pub fn render(&self, format: Format, w: &mut dyn Write) -> io::Result<()> {
        match format {
            Format::Json => render::write_json(w, &self.to_json()),
            Format::Csv => render::csv(w, &columns(self.single()), &self.rows()),
            Format::Parquet => super::parquet::write(w, &columns(self.single()), &self.rows()),
            Format::Xlsx => {
                super::xlsx::write_one(w, "Rates", &columns(self.single()), &self.rows(), "")
            }
            Format::Table => self.render_table(w),
            Format::Html => Err(Format::no_page("the rate card listing")),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        let era = self.era();
        let unit = era.map(|e| {
            if e.model == PricingModel::Cbp {
                "conversation"
            } else {
                "delivered message"
            }
        });
        json!({
            "currency": self.currency,
            "at": self.at.to_string(),
            "card": self.card.from.to_string(),
            "era": era.map(|e| e.id.as_str()),
            "unit": unit,
            "rates": render::json_array(&columns(self.single()), &self.rows()),
        })
    }

    fn render_table(&self, w: &mut dyn Write) -> io::Result<()> {
        let t = if self.single() {
            render::table_of(&columns(true), &self.rows(), false)
        } else {
            render::table_of(&matrix_columns(), &self.matrix_rows(), false)
        };
        writeln!(w, "{t}")?;
        let era = self.era();
        let unit = era.map_or("no rules era", |e| {
            if e.model == PricingModel::Cbp {
                "per 24-hour conversation"
            } else {
                "per delivered message"
            }
        });
        writeln!(
            w,
            "{} card effective {} (in force on {}); {unit}; rules {}. `unknown`: no public source gave the number; `n/a`: Meta publishes none{}.",
            self.currency,
            self.card.from,
            self.at,
            era.map_or("-", |e| e.id.as_str()),
            if self.single() { "" } else { "; `~`: inferred (derived, see the source with --market)" }
        )?;
        if self.single() {
            writeln!(w, "Sources: see pricing/SOURCES.md")?;
        }
        Ok(())
    }
}
