//! `wacost rates --tiers`: the volume-tier ladders in force on a date, one
//! row per band (market, category, messages `from..to` of the month, rate,
//! how it is known, source).

use std::io::{self, Write};

use chrono::NaiveDate;
use serde_json::json;

use super::columns::{Column, Empty, Row, Show};
use super::{render, Format};
use crate::data::tiers::{Band, TierCard};
use crate::data::{MarketId, Pricing};
use crate::model::Category;

/// The ladders of one tier card for `markets` (sorted by name).
pub struct TiersReport<'a> {
    pub pricing: &'a Pricing,
    pub card: &'a TierCard,
    pub currency: &'a str,
    pub at: NaiveDate,
    pub markets: Vec<MarketId>,
}

fn columns() -> Vec<Column> {
    vec![
        Column::text("currency").only(Show::DATA),
        Column::text("effective_from").only(Show::DATA),
        Column::text("market"),
        Column::text("category"),
        Column::text("band").only(Show::TABLE),
        Column::number("from").only(Show::DATA),
        Column::number("to").empty(Empty::Null).only(Show::DATA),
        Column::number("rate"),
        Column::text("confidence"),
        Column::text("source"),
    ]
}

impl TiersReport<'_> {
    /// The (market, category) ladders of the card, in report order.
    fn ladders(&self) -> Vec<(MarketId, Category, &[Band])> {
        let mut out = Vec::new();
        for &m in &self.markets {
            for c in Category::ALL {
                if let Some(l) = self.card.ladders.get(&(m, c)) {
                    out.push((m, c, l.as_slice()));
                }
            }
        }
        out
    }

    /// Whether any ladder is shown.
    pub fn is_empty(&self) -> bool {
        self.ladders().is_empty()
    }

    fn row(&self, m: MarketId, c: Category, b: &Band) -> Row {
        vec![
            self.currency.into(),
            self.card.from.to_string().into(),
            self.pricing.markets.name(m).into(),
            c.as_str().into(),
            b.label().into(),
            b.from.into(),
            b.to.map_or_else(|| "".into(), Into::into),
            b.rate.into(),
            b.confidence.as_str().into(),
            b.source.as_str().into(),
        ]
    }

    fn rows(&self) -> Vec<Row> {
        let bands = self
            .ladders()
            .into_iter()
            .flat_map(|(m, c, l)| l.iter().map(move |b| (m, c, b)));
        bands.map(|(m, c, b)| self.row(m, c, b)).collect()
    }

    pub fn render(&self, format: Format, w: &mut dyn Write) -> io::Result<()> {
        match format {
            Format::Json => render::write_json(w, &self.to_json()),
            Format::Csv => render::csv(w, &columns(), &self.rows()),
            Format::Parquet => super::parquet::write(w, &columns(), &self.rows()),
            Format::Xlsx => super::xlsx::write_one(w, "Tiers", &columns(), &self.rows(), ""),
            Format::Table => self.render_table(w),
            Format::Html => Err(Format::no_page("the tier listing")),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        json!({
            "currency": self.currency,
            "at": self.at.to_string(),
            "card": self.card.from.to_string(),
            "bands": render::json_array(&columns(), &self.rows()),
        })
    }

    fn render_table(&self, w: &mut dyn Write) -> io::Result<()> {
        writeln!(w, "{}", render::table_of(&columns(), &self.rows(), false))?;
        writeln!(
            w,
            "{} tier card effective {} (in force on {}): each band's rate applies to the messages `from:to` of the month in the WABA time zone (marginal); a market and category without a ladder pay the list rate.",
            self.currency, self.card.from, self.at
        )
    }
}
