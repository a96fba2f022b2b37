//! The summary of an estimate: lines per month x market x category (or any
//! `--group-by`), counts that add up, and its one column spec.

mod rejected;

use std::collections::BTreeMap;
use std::io::{self, Write};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::columns::{Column, Row, Show, Value};
use super::{render, Format};
use crate::data::{Confidence, Pricing};
use crate::engine::classify::Reason;
use crate::engine::customers::MarketSource;
use crate::engine::{Outcome, Priced};
use crate::hash::IntMap;
use crate::ingest::Inputs;
use crate::model::money;
use crate::model::time::Month;
use crate::model::{Category, PriceNote, PricingType};
use crate::model::{Interner, Message, Rejected};

pub use rejected::{group as group_rejected, RejectedGroup};

/// Coded values of up to 9 dimensions (see `Summary::code`), with their
/// hash computed as they are coded (hashing the array afterwards cost more
/// than the rest of adding a message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct GroupKey {
    hash: u64,
    codes: [u32; 9],
}

impl std::hash::Hash for GroupKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// A dimension of `--group-by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Dim {
    Month,
    Day,
    Market,
    Country,
    Category,
    #[value(name = "pricing_type", alias = "pricing-type")]
    PricingType,
    Tier,
    #[value(name = "business_number", alias = "business-number")]
    BusinessNumber,
    Template,
}

impl Dim {
    pub fn name(self) -> &'static str {
        match self {
            Dim::Month => "month",
            Dim::Day => "day",
            Dim::Market => "market",
            Dim::Country => "country",
            Dim::Category => "category",
            Dim::PricingType => "pricing_type",
            Dim::Tier => "tier",
            Dim::BusinessNumber => "business_number",
            Dim::Template => "template",
        }
    }

    pub const DEFAULT: [Dim; 3] = [Dim::Month, Dim::Market, Dim::Category];
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub rows: u64,
    pub inbound: u64,
    pub outbound: u64,
    pub billable: u64,
    pub free: u64,
    pub failed: u64,
    /// Never reached delivered: not billed.
    pub undelivered: u64,
    pub rejected: u64,
    /// CSV rows merged into an earlier row's message (one row per status).
    pub status_updates: u64,
}

impl Counts {
    /// rows = inbound + billable + free + failed + undelivered + rejected +
    /// status updates; outbound = billable + free + failed + undelivered.
    pub fn reconciles(&self) -> bool {
        let messages = self.inbound + self.outbound + self.rejected;
        self.rows == messages + self.status_updates
            && self.outbound == self.billable + self.free + self.failed + self.undelivered
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineAgg {
    pub billable: u64,
    pub free: u64,
    pub failed: u64,
    pub undelivered: u64,
    pub cost: Decimal,
    /// Billable messages priced with an inferred rate cell, and their cost.
    pub inferred: u64,
    pub inferred_cost: Decimal,
    /// The most the line can cost: max-price marketing messages without a
    /// final charge at their max price (issue 14).
    pub cost_max: Decimal,
}

/// The summary of an estimate.
#[derive(Debug, Clone)]
pub struct Summary {
    pub currency: String,
    pub tz: String,
    pub dims: Vec<Dim>,
    /// Filled by [`Summary::finish`] from `groups`.
    pub lines: BTreeMap<Vec<String>, LineAgg>,
    /// Lines by coded key while messages stream in: no string per message.
    groups: IntMap<GroupKey, LineAgg>,
    /// Tier labels seen ("" = no tier is code 0).
    tiers: Interner,
    /// Rejected by the engine: (file index, line, reason), named by `finish`.
    priced_rejected: Vec<(u16, u32, String)>,
    pub counts: Counts,
    pub total: Decimal,
    pub rejected: Vec<Rejected>,
    /// Free messages by pricing type, for the table's footer.
    pub free_by_type: BTreeMap<&'static str, u64>,
    /// What reading and pricing the input had to assume, by kind.
    pub assumptions: BTreeMap<&'static str, u64>,
    /// Messages billed without delivery evidence.
    delivery_assumed: u64,
    /// Messages whose log names no business number.
    no_business_number: u64,
    /// Outbound messages priced in the market of a user id's country.
    market_from_user_id: u64,
    /// CSV rows that were only delimiters, skipped (not rows of the log).
    pub delimiter_only_rows: u64,
    /// Non-template messages freed in a window assumed open before the log.
    window_assumed: u64,
    /// Messages the engine could not price (no rate, card, market or
    /// rules), grouped by reason: filled by [`Summary::finish`].
    pub unpriced: Vec<RejectedGroup>,
    /// Rows the engine rejected (unpriced or a repeated message id).
    engine_rejected: u64,
    /// The reader's language, for the HTML page.
    pub locale: super::locale::Locale,
    /// `--savings`: where the money can be saved, printed with the summary.
    pub savings: Option<super::savings::SavingsReport>,
    /// The most the total can be, and whether any message had a max
    /// price without a final charge (then totals are a range).
    pub total_max: Decimal,
    pub has_max: bool,
    /// What pricing by the logs' prices noted, by kind.
    price_notes: [u64; 3],
}

impl Summary {
    pub fn new(currency: &str, tz: &str, dims: Vec<Dim>) -> Summary {
        Summary {
            currency: currency.to_string(),
            tz: tz.to_string(),
            dims,
            lines: BTreeMap::new(),
            groups: IntMap::default(),
            tiers: Interner::new(),
            priced_rejected: Vec::new(),
            counts: Counts::default(),
            total: Decimal::ZERO,
            rejected: Vec::new(),
            free_by_type: BTreeMap::new(),
            assumptions: BTreeMap::new(),
            delivery_assumed: 0,
            no_business_number: 0,
            market_from_user_id: 0,
            delimiter_only_rows: 0,
            window_assumed: 0,
            unpriced: Vec::new(),
            engine_rejected: 0,
            locale: super::locale::Locale::En,
            savings: None,
            total_max: Decimal::ZERO,
            has_max: false,
            price_notes: [0; 3],
        }
    }

    /// Adds one message's verdict.
    pub fn add(&mut self, m: &Message, p: &Priced) {
        self.counts.rows += 1;
        self.delivery_assumed += u64::from(p.delivery_assumed);
        self.no_business_number += u64::from(m.business_number() == 0);
        self.market_from_user_id +=
            u64::from(p.market_source == MarketSource::UserId && p.outcome != Outcome::Inbound);
        match p.outcome {
            Outcome::Inbound => self.counts.inbound += 1,
            Outcome::Rejected => {
                self.counts.rejected += 1;
                self.priced_rejected
                    .push((m.file, m.line, p.reject.clone().unwrap_or_default()));
            }
            _ => self.add_outbound(m, p),
        }
    }

    /// A billable, free or failed message: its line and the counts.
    #[inline]
    fn add_outbound(&mut self, m: &Message, p: &Priced) {
        self.counts.outbound += 1;
        let key = self.key(m, p);
        let line = self.groups.entry(key).or_default();
        match p.outcome {
            Outcome::Billable => {
                self.counts.billable += 1;
                line.billable += 1;
                line.cost += p.cost;
                self.total += p.cost;
                line.cost_max += p.upper_cost();
                self.total_max += p.upper_cost();
                self.has_max |= p.cost_max.is_some();
                if let Some(n) = p.price_note {
                    self.price_notes[n as usize] += 1;
                }
                if p.confidence == Some(Confidence::Inferred) {
                    line.inferred += 1;
                    line.inferred_cost += p.cost;
                }
            }
            Outcome::Free => {
                self.counts.free += 1;
                line.free += 1;
                if let Some(c) = p.class {
                    *self
                        .free_by_type
                        .entry(c.pricing_type.as_str())
                        .or_default() += 1;
                    self.window_assumed += u64::from(c.reason == Reason::AssumedWindow);
                }
            }
            Outcome::Failed => {
                self.counts.failed += 1;
                line.failed += 1;
            }
            Outcome::Undelivered => {
                self.counts.undelivered += 1;
                line.undelivered += 1;
            }
            Outcome::Inbound | Outcome::Rejected => {}
        }
    }

    /// The message's line, coded (hashed as it is coded).
    #[inline]
    fn key(&mut self, m: &Message, p: &Priced) -> GroupKey {
        let mut key = GroupKey {
            hash: 0,
            codes: [0; 9],
        };
        for (k, d) in key.codes.iter_mut().zip(&self.dims) {
            *k = code(&mut self.tiers, *d, m, p);
            key.hash =
                (key.hash.rotate_left(23) ^ u64::from(*k)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        key
    }

    fn label(&self, d: Dim, code: u32, pricing: &Pricing, inputs: &Inputs) -> String {
        match d {
            Dim::Month => Month {
                year: (code / 12) as i32,
                month: code % 12 + 1,
            }
            .to_string(),
            Dim::Day => NaiveDate::from_num_days_from_ce_opt(code as i32)
                .map_or_else(String::new, |d| d.to_string()),
            Dim::Market => match u16::try_from(code) {
                Ok(id) => pricing.markets.name(id).to_string(),
                Err(_) => "?".into(),
            },
            Dim::Country => match u16::try_from(code) {
                Ok(c) if c != 0 => String::from_utf8_lossy(&c.to_be_bytes()).into_owned(),
                _ => "??".into(),
            },
            Dim::Category => Category::ALL
                .get((code & !GROUP_CODE) as usize)
                .map_or("", |c| {
                    if code & GROUP_CODE != 0 {
                        c.group_name()
                    } else {
                        c.as_str()
                    }
                })
                .to_string(),
            Dim::PricingType => match code {
                c if c == u32::MAX - 1 => "failed".into(),
                c if c == u32::MAX - 2 => "undelivered".into(),
                c => PricingType::ALL
                    .get(c as usize)
                    .map_or("", |t| t.as_str())
                    .to_string(),
            },
            Dim::Tier => self.tiers.name(code).to_string(),
            Dim::BusinessNumber => inputs.business_numbers.name(code).to_string(),
            Dim::Template => inputs.templates.name(code).to_string(),
        }
    }

    /// Names the lines (markets, business numbers, templates) once every
    /// message is in. Call before rendering.
    pub fn finish(&mut self, pricing: &Pricing, inputs: &Inputs) {
        self.assumptions.clone_from(&inputs.assumptions);
        for (kind, n) in [
            ("delivery_assumed", self.delivery_assumed),
            ("one_business_number", self.no_business_number),
            ("market_from_user_id", self.market_from_user_id),
            ("window_assumed", self.window_assumed),
        ]
        .into_iter()
        .chain(
            PRICE_NOTES
                .iter()
                .map(|n| (n.as_str(), self.price_notes[*n as usize])),
        ) {
            if n > 0 {
                self.assumptions.insert(kind, n);
            }
        }
        self.counts.status_updates += inputs.status_rows;
        self.delimiter_only_rows = inputs.delimiter_only_rows;
        self.counts.rows += inputs.status_rows;
        let engine: Vec<Rejected> = std::mem::take(&mut self.priced_rejected)
            .into_iter()
            .map(|(file, line, reason)| Rejected {
                file: inputs.files.get(file as usize).cloned().unwrap_or_default(),
                line: u64::from(line),
                field: None,
                reason,
            })
            .collect();
        self.engine_rejected = engine.len() as u64;
        self.unpriced = group_rejected(engine.iter().filter(|r| !is_repeat(r)));
        self.rejected.extend(engine);
        let groups = std::mem::take(&mut self.groups);
        for (key, agg) in groups {
            let names: Vec<String> = self
                .dims
                .iter()
                .zip(key.codes)
                .map(|(d, c)| self.label(*d, c, pricing, inputs))
                .collect();
            let line = self.lines.entry(names).or_default();
            line.billable += agg.billable;
            line.free += agg.free;
            line.failed += agg.failed;
            line.undelivered += agg.undelivered;
            line.cost += agg.cost;
            line.inferred += agg.inferred;
            line.inferred_cost += agg.inferred_cost;
            line.cost_max += agg.cost_max;
        }
    }

    /// Adds rows the readers rejected.
    pub fn add_rejected(&mut self, r: Vec<Rejected>) {
        self.counts.rows += r.len() as u64;
        self.counts.rejected += r.len() as u64;
        self.rejected.extend(r);
    }

    pub fn sort_rejected(&mut self) {
        self.rejected
            .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    }
}

impl crate::engine::Sink for Summary {
    fn priced(&mut self, m: &Message, p: &Priced) {
        self.add(m, p);
    }

    fn restartable(&self) -> bool {
        true
    }

    fn restart(&mut self) {
        *self = Summary::new(&self.currency, &self.tz, std::mem::take(&mut self.dims));
    }
}

/// A dimension's value as a number, decoded by [`Summary::label`].
fn code(tiers: &mut Interner, d: Dim, m: &Message, p: &Priced) -> u32 {
    match d {
        Dim::Month => (p.month.year * 12) as u32 + p.month.month - 1,
        Dim::Day => p.date.num_days_from_ce() as u32,
        Dim::Market => p.resolved.map_or(u32::MAX, |r| u32::from(r.market)),
        Dim::Country => p
            .resolved
            .map_or(0, |r| u32::from(u16::from_be_bytes(r.country))),
        Dim::Category => line_category(m, p).map_or(u32::MAX, |c| {
            c.index() as u32
                | if m.contact().is_group() {
                    GROUP_CODE
                } else {
                    0
                }
        }),
        Dim::PricingType => match (p.outcome, p.class) {
            (Outcome::Failed, _) => u32::MAX - 1,
            (Outcome::Undelivered, _) => u32::MAX - 2,
            (_, Some(c)) => c.pricing_type as u32,
            (_, None) => u32::MAX,
        },
        Dim::Tier => tiers.get(p.tier.label()),
        Dim::BusinessNumber => u32::from(m.business_number()),
        Dim::Template => m.template_name,
    }
}

/// Marks a group message's category code: `group_marketing`, ...
const GROUP_CODE: u32 = 1 << 8;

/// The category a summary line shows: the classified one, else the one
/// the message would be billed in (failed and unpriced messages).
fn line_category(m: &Message, p: &Priced) -> Option<Category> {
    Some(p.class.map_or_else(|| m.billed_category(), |c| c.category))
}

/// Rendering: one column spec for table, CSV and JSON.
impl Summary {
    /// The dimensions, then the counts and the cost.
    pub(super) fn columns(&self) -> Vec<Column> {
        let mut cols: Vec<Column> = self.dims.iter().map(|d| Column::text(d.name())).collect();
        cols.extend([
            Column::number("billable"),
            Column::number("free").optional(3),
            Column::number("failed").optional(2),
            Column::number("undelivered").optional(1),
            Column::number("cost").header(format!("cost ({})", self.currency)),
            Column::number("inferred").only(Show::DATA),
        ]);
        if self.has_max {
            let h = format!("cost_max ({})", self.currency);
            cols.push(Column::number("cost_max").header(h));
        }
        cols
    }

    /// Billable messages priced with an inferred rate cell, and their cost.
    pub fn inferred(&self) -> (u64, Decimal) {
        self.lines.values().fold((0, Decimal::ZERO), |(n, c), l| {
            (n + l.inferred, c + l.inferred_cost)
        })
    }

    pub(super) fn rows(&self) -> Vec<Row> {
        self.lines
            .iter()
            .map(|(k, v)| {
                let mut r: Row = k.iter().map(|s| Value::Text(s.clone())).collect();
                r.extend(counts_and_cost(
                    [v.billable, v.free, v.failed, v.undelivered],
                    v.cost,
                ));
                r.push(v.inferred.into());
                if self.has_max {
                    r.push(Value::Money(v.cost_max));
                }
                r
            })
            .collect()
    }

    /// The table's last row: line sums and the total.
    pub(super) fn total_row(&self) -> Row {
        let mut r: Row = vec!["total".into()];
        r.extend((1..self.dims.len()).map(|_| Value::from("")));
        let sums = self.lines.values().fold([0; 4], |a, l| {
            [
                a[0] + l.billable,
                a[1] + l.free,
                a[2] + l.failed,
                a[3] + l.undelivered,
            ]
        });
        r.extend(counts_and_cost(sums, self.total));
        r.push(self.inferred().0.into());
        if self.has_max {
            r.push(Value::Money(self.total_max));
        }
        r
    }

    pub fn to_json(&self) -> serde_json::Value {
        let mut v = self.to_json_costs();
        if self.has_max {
            v["cost_max"] = money::fmt(self.total_max).into();
        }
        v
    }

    fn to_json_costs(&self) -> serde_json::Value {
        let (inferred, inferred_cost) = self.inferred();
        serde_json::json!({
            "currency": self.currency,
            "tz": self.tz,
            "total": money::fmt(self.total),
            "total_rounded": money::fmt_minor(self.total, &self.currency),
            "counts": self.counts,
            "reconciled": self.counts.reconciles(),
            "lines": render::json_array(&self.columns(), &self.rows()),
            "inferred": {"billable": inferred, "cost": money::fmt(inferred_cost)},
            "assumptions": self.assumptions,
            "skipped": {"delimiter_only_rows": self.delimiter_only_rows},
            "complete": self.complete(),
            "unpriced": {
                "messages": self.unpriced_messages(),
                "rows_not_read": self.rows_not_read(),
            },
            "rejected": self.rejected,
        })
    }

    /// [`Summary::to_json`] with the rejected rows and the unpriced
    /// messages grouped by reason. Kept apart because groups name their
    /// first rows, which depend on the input's order, as `rejected` does.
    pub fn to_json_grouped(&self) -> serde_json::Value {
        let mut v = self.to_json();
        v["unpriced"]["reasons"] = serde_json::json!(self.unpriced);
        v["rejected_by_reason"] = serde_json::json!(group_rejected(&self.rejected));
        v
    }

    /// The JSON document, with `savings` when asked for.
    fn to_json_with_savings(&self) -> serde_json::Value {
        let mut v = self.to_json_grouped();
        if let Some(s) = &self.savings {
            v["savings"] = s.to_json();
        }
        v
    }

    pub fn render(&self, format: Format, w: &mut dyn Write) -> io::Result<()> {
        match format {
            Format::Json => render::write_json(w, &self.to_json_with_savings()),
            Format::Xlsx => super::xlsx::summary(self, w),
            Format::Parquet => match &self.savings {
                Some(s) => super::parquet::write(w, &s.columns(), &s.rows()),
                None => super::parquet::write(w, &self.columns(), &self.rows()),
            },
            Format::Csv => match &self.savings {
                Some(s) => s.render_csv(w),
                None => render::csv_in(w, &self.columns(), &self.rows(), &self.currency),
            },
            Format::Table => {
                self.render_table(w)?;
                self.savings.as_ref().map_or(Ok(()), |s| s.render_table(w))
            }
            Format::Html => super::html::estimate::write(self, self.locale, w),
        }
    }

    fn render_table(&self, w: &mut dyn Write) -> io::Result<()> {
        let rows = self.rows();
        let total = self.total_row();
        let t = render::table_of(&self.columns(), rows.iter().chain([&total]), true);
        writeln!(w, "{t}")?;
        self.write_footer(w)
    }

    /// The lines under the table: totals, what they leave out, inferred
    /// rates, assumptions, free messages and rejected rows.
    pub(super) fn write_footer(&self, w: &mut dyn Write) -> io::Result<()> {
        self.write_totals(w)?;
        self.write_left_out(w)?;
        self.write_inferred(w)?;
        self.write_assumptions(w)?;
        self.write_free(w)?;
        self.write_rejected(w)
    }

    /// The total with its invoice rounding, and the counts that add up.
    fn write_totals(&self, w: &mut dyn Write) -> io::Result<()> {
        let c = &self.counts;
        let cur = &self.currency;
        if let Some(()) = self.write_totals_localised(w)? {
            return Ok(());
        }
        writeln!(
            w,
            "Total {} {cur} (invoice rounding: {} {cur}); time zone {}",
            money::fmt(self.total),
            money::fmt_minor(self.total, cur),
            self.tz
        )?;
        if self.has_max {
            writeln!(
                w,
                "Range {} .. {} {cur}: max-price marketing messages without a final charge are priced at the card rate, up to their max price (\"Meta will charge that max price or lower\")",
                money::fmt(self.total),
                money::fmt(self.total_max)
            )?;
        }
        let verdict = if c.reconciles() {
            "  (reconciled)"
        } else {
            "  (DOES NOT RECONCILE)"
        };
        writeln!(
            w,
            "Rows {} = {} inbound + {} billable + {} free + {} failed + {} undelivered + {} rejected{}{verdict}",
            c.rows, c.inbound, c.billable, c.free, c.failed, c.undelivered, c.rejected,
            status_updates(c.status_updates),
        )
    }

    /// [`Self::write_totals`] in the run's locale; `None` in English.
    fn write_totals_localised(&self, w: &mut dyn Write) -> io::Result<Option<()>> {
        let locale = super::locale::style().locale;
        let (c, cur) = (&self.counts, &self.currency);
        let total = locale.money(&money::fmt(self.total), cur);
        let rounded = locale.money(&money::fmt_minor(self.total, cur), cur);
        let args = [
            ("total", total.as_str()),
            ("rounded", &rounded),
            ("tz", &self.tz),
        ];
        let Some(line) = locale.line("total", &args) else {
            return Ok(None);
        };
        writeln!(w, "{line}")?;
        let n = |x: u64| locale.number(&x.to_string());
        let counts = [
            ("rows", n(c.rows)),
            ("inbound", n(c.inbound)),
            ("billable", n(c.billable)),
            ("free", n(c.free)),
            ("failed", n(c.failed)),
            ("undelivered", n(c.undelivered)),
            ("rejected", n(c.rejected)),
        ];
        let args: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let verdict = if c.reconciles() { "  (ok)" } else { "  (!)" };
        let rows = locale.line("rows", &args).unwrap_or_default();
        writeln!(w, "{rows}{verdict}")?;
        Ok(Some(()))
    }

    /// Says how much of the total rests on inferred rate cells.
    fn write_inferred(&self, w: &mut dyn Write) -> io::Result<()> {
        let (n, cost) = self.inferred();
        if n == 0 {
            return Ok(());
        }
        writeln!(
            w,
            "Inferred rates: {n} billable messages, {} {} of the total, priced with rate cells no card copy states (the `confidence` column of --detail; --confidence direct refuses them)",
            money::fmt(cost),
            self.currency
        )
    }

    /// What reading and pricing the input assumed, a line per kind (the
    /// first rows of the readers' kinds are on stderr).
    fn write_assumptions(&self, w: &mut dyn Write) -> io::Result<()> {
        for (kind, n) in &self.assumptions {
            writeln!(w, "Assumed: {n} {}", assumption_text(kind))?;
        }
        Ok(())
    }

    fn write_free(&self, w: &mut dyn Write) -> io::Result<()> {
        match by_kind(&self.free_by_type) {
            Some(parts) => writeln!(w, "Free: {parts}"),
            None => Ok(()),
        }
    }

    /// Says what the total leaves out, when it leaves anything out.
    fn write_left_out(&self, w: &mut dyn Write) -> io::Result<()> {
        if self.complete() {
            return Ok(());
        }
        let mut parts = Vec::new();
        match self.unpriced_messages() {
            0 => {}
            n => parts.push(format!("{n} messages wacost could not price")),
        }
        match self.rows_not_read() {
            0 => {}
            n => parts.push(format!("{n} rows it could not read")),
        }
        writeln!(
            w,
            "Incomplete: the total leaves out {} (reasons under \"Rejected rows\")",
            parts.join(" and ")
        )
    }

    /// The rejected rows by reason, the first 20 reasons: each reason's
    /// first row in full, then where the others are. JSON has every row.
    fn write_rejected(&self, w: &mut dyn Write) -> io::Result<()> {
        if self.rejected.is_empty() {
            return Ok(());
        }
        let groups = group_rejected(&self.rejected);
        writeln!(
            w,
            "Rejected rows: {}, by reason ({} reasons; every row with --format json):",
            self.rejected.len(),
            groups.len()
        )?;
        for g in groups.iter().take(20) {
            writeln!(w, "  {}: {}", g.first_lines[0], g.example)?;
            if g.more() > 0 {
                writeln!(w, "    and {} more like it: {}", g.more(), g.others())?;
            }
        }
        if groups.len() > 20 {
            let more = groups.len() - 20;
            writeln!(
                w,
                "  ... and {more} more reasons (all of them with --format json)"
            )?;
        }
        Ok(())
    }
}

/// What the total leaves out, and the assumptions `--strict` refuses.
impl Summary {
    /// Messages the engine could not price.
    pub fn unpriced_messages(&self) -> u64 {
        self.unpriced.iter().map(|g| g.count).sum()
    }

    /// Rows the readers rejected: whatever message they were is not priced.
    pub fn rows_not_read(&self) -> u64 {
        self.counts.rejected.saturating_sub(self.engine_rejected)
    }

    /// Every message of the input is in the total (a repeated message id
    /// is the same message, counted once).
    pub fn complete(&self) -> bool {
        self.unpriced_messages() == 0 && self.rows_not_read() == 0
    }

    /// No row at all was read: every row rejected, or none in the input.
    pub fn nothing_read(&self) -> bool {
        self.counts.rows == self.counts.rejected
    }

    /// The assumption kinds that fail `--strict`, with their counts: all
    /// but `one_business_number` (a log without a business number column
    /// is one number's log, whose windows are exact).
    pub fn strict_assumptions(&self) -> Vec<(&'static str, u64)> {
        self.assumptions
            .iter()
            .filter(|(k, _)| **k != "one_business_number")
            .map(|(k, n)| (*k, *n))
            .collect()
    }
}

/// An engine rejection of a repeated message id: the message is counted
/// once, from its first row, so the total leaves nothing out.
fn is_repeat(r: &Rejected) -> bool {
    r.reason.starts_with("duplicate message id")
}

/// `3 free_tier, 1 free_entry_point`: counts by kind, `None` when there are none.
/// What an assumption kind means, for a person.
fn assumption_text(kind: &str) -> &'static str {
    match kind {
        "delivery_assumed" => "messages billed as delivered: the log has no delivered status for them (no status column, or every row of the file stops at sent)",
        "one_business_number" => "messages whose rows name no business number: taken as one number, whose windows are kept per customer",
        "unknown_status_word" => "rows with a status word wacost does not know: assumed delivered (rows named on stderr)",
        "ambiguous_local_time" => "local times the clocks repeat: read with the earlier offset (rows named on stderr)",
        "nonexistent_local_time" => "local times the clocks skip: moved forward by the gap (rows named on stderr)",
        "window_assumed" => "non-template messages with no logged inbound priced free: Meta delivers them only inside an open customer service window, so one was assumed open before the log starts",
        "category_missing" => "templates without a category (the file has no category column): priced as marketing, the highest common rate (rows named on stderr; --templates or a category column says)",
        "type_missing" => "outbound rows without a type or category: priced as non-template (service) messages, though some may be templates (rows named on stderr; a type column or --map says)",
        "market_from_user_id" => "messages to customers known by a business-scoped user id only: priced in the market of the country the id names (Meta prices by the number's calling code, which the log does not show)",
        "default_country" => "contacts without a country code read as numbers of --default-country (each a valid number of that country)",
        "price_currency_assumed" => "messages priced by the log's charged or max price without a currency column: read in the card's currency",
        "price_currency_differs" => "messages whose log price is in another currency than the card's: not mixed in, priced at the card rate",
        "max_price_not_marketing" => "messages with a max price that are not marketing: the max price is ignored (Meta sets max prices on marketing templates only)",
        "date_order_assumed" => "dates like 05/10/2026 that read either way: read day first (DD/MM/YYYY); say --date-order mdy if they are month first",
        _ => "(see stderr)",
    }
}

/// The notes of pricing by the logs' prices, in [`PriceNote`]'s order.
const PRICE_NOTES: [PriceNote; 3] = [
    PriceNote::CurrencyAssumed,
    PriceNote::CurrencyDiffers,
    PriceNote::MaxNotMarketing,
];

/// The status rows merged into messages, when there are any.
fn status_updates(n: u64) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(" + {n} status updates")
    }
}

fn by_kind(counts: &BTreeMap<&'static str, u64>) -> Option<String> {
    let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Billable, free, failed and undelivered counts, then the cost.
fn counts_and_cost(counts: [u64; 4], cost: Decimal) -> [Value; 5] {
    let [billable, free, failed, undelivered] = counts;
    [
        billable.into(),
        free.into(),
        failed.into(),
        undelivered.into(),
        Value::Money(cost),
    ]
}
