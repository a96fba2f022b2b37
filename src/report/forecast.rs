//! `wacost forecast`: planned lines per month x market x category, with
//! optional fees and a what-if under the rules of another date.

use std::io::{self, Write};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;

use super::columns::{Column, Row, Show, Value};
use super::{render, Format};
use crate::engine::forecast::{Forecast, ForecastLine, LineKey};
use crate::model::money;
use crate::model::time::Month;

/// A priced plan as printed.
pub struct ForecastReport<'a> {
    pub currency: &'a str,
    pub tz: &'a str,
    pub base: &'a Forecast,
    /// The same plan priced with the rules and rates in force on a date.
    pub what_if: Option<(NaiveDate, &'a Forecast)>,
    /// The plan has `[fees]`: show them apart from Meta's charges.
    pub fees: bool,
    /// The reader's language, for the HTML page.
    pub locale: super::locale::Locale,
}

type Key = LineKey;

impl ForecastReport<'_> {
    pub(super) fn columns(&self) -> Vec<Column> {
        let mut cols = vec![
            Column::text("month"),
            Column::text("market"),
            Column::text("category"),
            Column::number("planned").only(Show::DATA),
            Column::number("delivered").optional(1),
            Column::number("billable").optional(3),
            Column::number("free").optional(2),
            Column::number("cost").header(format!("Meta cost ({})", self.currency)),
        ];
        if self.fees {
            cols.push(Column::number("fees"));
        }
        if self.base.has_max {
            let h = format!("cost_max ({})", self.currency);
            cols.push(Column::number("cost_max").header(h));
        }
        cols.push(Column::number("inferred").only(Show::DATA));
        cols.push(Column::number("unpriced").only(Show::DATA));
        if let Some((d, _)) = self.what_if {
            let as_of = Column::number("cost_as_of").header(format!("cost under the rules of {d}"));
            cols.push(as_of.optional(4));
            cols.push(Column::number("extra_cost_of_change").header("extra cost of the change"));
        }
        cols
    }

    /// A line's cost under the what-if date (zero where it has none),
    /// `None` when it could not be priced.
    fn other(&self, k: &Key) -> Option<Decimal> {
        match self.what_if.and_then(|(_, f)| f.lines.get(k)) {
            Some(l) => priced(l),
            None => Some(Decimal::ZERO),
        }
    }

    /// What the rule change costs a month more (positive) or saves
    /// (negative): the later rules' cost minus the earlier's, whichever of
    /// the month's own and the what-if date's come later.
    fn extra(&self, month: Month, base: Decimal, other: Decimal) -> Decimal {
        match self.what_if {
            Some((d, _)) if d < month.first_day() => base - other,
            _ => other - base,
        }
    }

    /// [`Self::extra`] over every line of either pricing.
    fn extra_total(&self) -> Decimal {
        let Some((_, f)) = self.what_if else {
            return Decimal::ZERO;
        };
        let cost = |fc: &Forecast, k: &Key| fc.lines.get(k).map_or(Decimal::ZERO, |l| l.cost);
        let keys: std::collections::BTreeSet<&Key> =
            self.base.lines.keys().chain(f.lines.keys()).collect();
        keys.into_iter()
            .map(|k| self.extra(k.0, cost(self.base, k), cost(f, k)))
            .sum()
    }

    fn row(&self, k: &Key, l: &ForecastLine) -> Row {
        let mut r: Row = vec![
            k.0.to_string().into(),
            k.1.clone().into(),
            category_label(k).into(),
            l.planned.into(),
            l.delivered.into(),
            l.billable.into(),
            l.free.into(),
            cost_cell(priced(l)),
        ];
        if self.fees {
            r.push(l.fees.into());
        }
        if self.base.has_max {
            r.push(cost_cell(priced(l).map(|_| l.cost_max)));
        }
        r.push(l.inferred.into());
        r.push(l.unpriced.into());
        if self.what_if.is_some() {
            let other = self.other(k);
            r.push(cost_cell(other));
            let extra = other.zip(priced(l)).map(|(o, b)| self.extra(k.0, b, o));
            r.push(cost_cell(extra));
        }
        r
    }

    pub(super) fn rows(&self) -> Vec<Row> {
        self.base
            .lines
            .iter()
            .map(|(k, l)| self.row(k, l))
            .collect()
    }

    pub fn render(&self, format: Format, w: &mut dyn Write) -> io::Result<()> {
        match format {
            Format::Json => render::write_json(w, &self.to_json()),
            Format::Csv => render::csv_in(w, &self.columns(), &self.rows(), self.currency),
            Format::Parquet => super::parquet::write(w, &self.columns(), &self.rows()),
            Format::Xlsx => {
                super::xlsx::write_one(w, "Forecast", &self.columns(), &self.rows(), self.currency)
            }
            Format::Table => self.render_table(w),
            Format::Html => super::html::forecast::write(self, w),
        }
    }

    pub(super) fn to_json(&self) -> serde_json::Value {
        let b = self.base;
        let mut v = json!({
            "currency": self.currency,
            "tz": self.tz,
            "total": money::fmt(b.total),
            "lines": render::json_array(&self.columns(), &self.rows()),
            "complete": b.complete(),
            "unpriced_messages": b.unpriced_messages().0,
            "unpriced": b.unpriced,
            "inferred": {"billable": b.inferred().0, "cost": money::fmt(b.inferred().1)},
        });
        if b.has_max {
            v["cost_max"] = json!(money::fmt(b.total_max));
        }
        if self.fees {
            v["fees_total"] = json!(money::fmt(b.fees_total));
            v["total_with_fees"] = json!(money::fmt(b.total + b.fees_total));
        }
        if let Some((d, f)) = self.what_if {
            v["as_of"] = json!(d.to_string());
            v["total_as_of"] = json!(money::fmt(f.total));
            v["extra_cost_of_change"] = json!(money::fmt(self.extra_total()));
            v["complete_as_of"] = json!(f.complete());
            v["unpriced_as_of"] = json!(f.unpriced);
        }
        v
    }

    fn render_table(&self, w: &mut dyn Write) -> io::Result<()> {
        let t = render::table_of(&self.columns(), &self.rows(), false);
        writeln!(w, "{t}")?;
        self.write_footer(w)
    }

    /// The lines under the table: totals, inferred rates, fees, what-if.
    pub(super) fn write_footer(&self, w: &mut dyn Write) -> io::Result<()> {
        let (b, cur) = (self.base, self.currency);
        let locale = super::locale::style().locale;
        let total = locale.money(&money::fmt(b.total), cur);
        match locale.line("meta_total", &[("total", &total)]) {
            Some(l) => writeln!(w, "{l}{}", left_out(b))?,
            None => writeln!(w, "Meta total {} {cur}{}", money::fmt(b.total), left_out(b))?,
        }
        if b.has_max {
            writeln!(
                w,
                "Range {} .. {} {cur}: max-price campaigns from the card rate up to their max price (\"Meta will charge that max price or lower\")",
                money::fmt(b.total),
                money::fmt(b.total_max)
            )?;
        }
        let (n, cost) = b.inferred();
        if n > 0 {
            writeln!(
                w,
                "Inferred rates: {n} billable messages, {} {cur}, priced with rate cells no card copy states (--confidence direct refuses them)",
                money::fmt(cost)
            )?;
        }
        if self.fees {
            writeln!(
                w,
                "Fees {} {cur}; with fees {} {cur}",
                money::fmt(b.fees_total),
                money::fmt(b.total + b.fees_total)
            )?;
        }
        if let Some((d, f)) = self.what_if {
            if self.write_what_if_localised(w, d, f)? {
                return Ok(());
            }
            writeln!(
                w,
                "Under the rules and rates of {d}: {} {cur}{}",
                money::fmt(f.total),
                left_out(f)
            )?;
            writeln!(
                w,
                "Extra cost of the change: {} {cur} (later rules minus earlier: positive, the change costs more)",
                signed(self.extra_total()),
            )?;
        }
        Ok(())
    }
}

/// A line's category: a group campaign's as Meta's webhooks name it
/// (`group_marketing`, ...).
fn category_label(k: &Key) -> &'static str {
    if k.3 {
        k.2.group_name()
    } else {
        k.2.as_str()
    }
}

impl ForecastReport<'_> {
    /// The what-if lines in the run's locale; false in English.
    fn write_what_if_localised(
        &self,
        w: &mut dyn Write,
        d: NaiveDate,
        f: &Forecast,
    ) -> io::Result<bool> {
        let (locale, cur) = (super::locale::style().locale, self.currency);
        let total = locale.money(&money::fmt(f.total), cur);
        let date = d.to_string();
        let Some(under) = locale.line("under", &[("date", &date), ("total", &total)]) else {
            return Ok(false);
        };
        let extra = signed(self.extra_total());
        let sign = if extra.starts_with('+') { "+" } else { "" };
        let extra = format!("{sign}{}", locale.money(extra.trim_start_matches('+'), cur));
        let line = locale
            .line("extra", &[("extra", &extra)])
            .unwrap_or_default();
        writeln!(w, "{under}{}\n{line}", left_out(f))?;
        Ok(true)
    }
}

/// A line's Meta cost, `None` when messages of it could not be priced.
fn priced(l: &ForecastLine) -> Option<Decimal> {
    (l.unpriced == 0).then_some(l.cost)
}

/// A cost, or `unpriced`: never 0 for what has no price.
fn cost_cell(cost: Option<Decimal>) -> Value {
    cost.map_or_else(|| Value::from("unpriced"), Value::Money)
}

/// A difference with its sign always written: `+110.1600`, `-3.0000`.
fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", money::fmt(d))
    } else {
        money::fmt(d)
    }
}

/// What a total leaves out, after it.
fn left_out(f: &Forecast) -> String {
    match f.unpriced_messages() {
        (0, _) if f.complete() => String::new(),
        (n, lines) => format!(
            "; leaves out {n} messages Meta charges that could not be priced (the lines marked unpriced: {lines}; the reasons are on stderr)"
        ),
    }
}
