//! `wacost reconcile --against FILE` with no log: the expected invoice,
//! Meta's volumes priced by wacost. Every row says `source = wacost` and
//! the table opens with the same words, so nobody mistakes it for Meta's.

use std::io::{self, Write};

use serde_json::json;

use super::columns::{Column, Empty, Row, Show, Value};
use super::{render, Format};
use crate::engine::expected::{Expected, LineKey, LineSum};
use crate::model::money;

/// Who computed every figure of this output.
const SOURCE: &str = "wacost";

/// An expected invoice as printed.
pub struct ExpectedReport<'a> {
    pub expected: &'a Expected,
    pub currency: &'a str,
    pub tz: &'a str,
}

impl ExpectedReport<'_> {
    fn columns(&self) -> Vec<Column> {
        vec![
            Column::text("source").only(Show::DATA),
            Column::text("month"),
            Column::text("market"),
            Column::text("category"),
            Column::text("pricing_type").header("Meta type"),
            Column::text("tier").empty(Empty::Omit),
            Column::number("volume").header(self.unit()),
            Column::number("rate").empty(Empty::Null),
            Column::number("cost")
                .header(format!("cost ({})", self.currency))
                .empty(Empty::Null),
            Column::text("confidence")
                .empty(Empty::Omit)
                .only(Show::DATA),
            Column::text("note").empty(Empty::Omit).only(Show::DATA),
            // The table names an unpriced line's reason under it, in full.
            Column::text("note").only(Show::TABLE),
        ]
    }

    /// What a volume counts.
    fn unit(&self) -> &'static str {
        match (self.expected.messages, self.expected.conversations) {
            (true, true) => "messages or conversations",
            (false, true) => "conversations",
            _ => "messages",
        }
    }

    fn row(k: &LineKey, l: &LineSum) -> Row {
        vec![
            SOURCE.into(),
            k.month.clone().into(),
            k.market.clone().into(),
            k.category.clone().into(),
            k.pricing_type.clone().into(),
            k.tier.clone().into(),
            l.volume.into(),
            k.rate.map_or(Value::from(""), Value::from),
            k.rate.map_or(Value::from(""), |_| Value::from(l.cost)),
            l.confidence.map_or("", |c| c.as_str()).into(),
            k.note.clone().into(),
            match k.rate {
                Some(_) => k.note.clone().into(),
                None => "not priced (below)".into(),
            },
        ]
    }

    fn rows(&self) -> Vec<Row> {
        let lines = &self.expected.lines;
        lines.iter().map(|(k, l)| Self::row(k, l)).collect()
    }

    pub fn render(&self, format: Format, w: &mut dyn Write) -> io::Result<()> {
        match format {
            Format::Json => render::write_json(w, &self.to_json()),
            Format::Csv => render::csv_in(w, &self.columns(), &self.rows(), self.currency),
            Format::Parquet => super::parquet::write(w, &self.columns(), &self.rows()),
            Format::Xlsx => super::xlsx::write_one(
                w,
                "Expected invoice",
                &self.columns(),
                &self.rows(),
                self.currency,
            ),
            Format::Table => self.render_table(w),
            Format::Html => Err(Format::no_page("the expected-invoice check")),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        let e = self.expected;
        json!({
            "source": SOURCE,
            "what": "expected invoice: Meta's volumes priced by wacost with its rate cards (not Meta's figures)",
            "currency": self.currency,
            "tz": self.tz,
            "unit": self.unit(),
            "total": money::fmt(e.total),
            "complete": e.complete(),
            "unpriced": e.unpriced,
            "tier_notes": e.notes,
            "meta_cost_total": e.meta_cost.map(money::fmt),
            "lines": render::json_array(&self.columns(), &self.rows()),
        })
    }

    fn render_table(&self, w: &mut dyn Write) -> io::Result<()> {
        let (e, cur) = (self.expected, self.currency);
        writeln!(
            w,
            "Expected invoice computed by wacost (source = wacost): Meta's volumes priced with wacost's rate cards, not Meta's figures"
        )?;
        writeln!(
            w,
            "{}",
            render::table_of(&self.columns(), &self.rows(), false)
        )?;
        writeln!(w, "Total computed by wacost: {} {cur}", money::fmt(e.total))?;
        if let Some(m) = e.meta_cost {
            writeln!(
                w,
                "Meta's approximate cost in the file: {} {cur} (difference {})",
                money::fmt(m),
                money::fmt(m - e.total)
            )?;
        }
        for u in &e.unpriced {
            writeln!(w, "Not priced: {u}")?;
        }
        for n in &e.notes {
            writeln!(w, "Tier: {n}")?;
        }
        Ok(())
    }
}
