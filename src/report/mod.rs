//! Aggregation and rendering: summaries per month x market x category (or
//! any `--group-by`), per-message detail, as a table, CSV or JSON.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use std::io::{self, Write};

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ContentArrangement, Table};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::data::Pricing;
use crate::engine::{Outcome, Priced};
use crate::hash::IntMap;
use crate::ingest::Inputs;
use crate::model::money;
use crate::model::phone::Privacy;
use crate::model::time::Month;
use crate::model::{Category, Direction, PricingType};
use crate::model::{Interner, Message, Rejected};

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

/// Output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
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
    pub rejected: u64,
}

impl Counts {
    /// rows = inbound + billable + free + failed + rejected.
    pub fn reconciles(&self) -> bool {
        self.rows == self.inbound + self.billable + self.free + self.failed + self.rejected
            && self.outbound == self.billable + self.free + self.failed
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineAgg {
    pub billable: u64,
    pub free: u64,
    pub failed: u64,
    pub cost: Decimal,
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
        }
    }

    /// Adds one message's verdict.
    pub fn add(&mut self, m: &Message, p: &Priced) {
        self.counts.rows += 1;
        match p.outcome {
            Outcome::Inbound => {
                self.counts.inbound += 1;
                return;
            }
            Outcome::Rejected => {
                self.counts.rejected += 1;
                self.priced_rejected
                    .push((m.file, m.line, p.reject.clone().unwrap_or_default()));
                return;
            }
            _ => {}
        }
        self.counts.outbound += 1;
        let mut key = GroupKey {
            hash: 0,
            codes: [0; 9],
        };
        for (k, d) in key.codes.iter_mut().zip(&self.dims) {
            *k = code(&mut self.tiers, *d, m, p);
            key.hash =
                (key.hash.rotate_left(23) ^ u64::from(*k)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        let line = self.groups.entry(key).or_default();
        match p.outcome {
            Outcome::Billable => {
                self.counts.billable += 1;
                line.billable += 1;
                line.cost += p.cost;
                self.total += p.cost;
            }
            Outcome::Free => {
                self.counts.free += 1;
                line.free += 1;
                if let Some(c) = p.class {
                    *self
                        .free_by_type
                        .entry(c.pricing_type.as_str())
                        .or_default() += 1;
                }
            }
            Outcome::Failed => {
                self.counts.failed += 1;
                line.failed += 1;
            }
            Outcome::Inbound | Outcome::Rejected => {}
        }
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
                .get(code as usize)
                .map_or("", |c| c.as_str())
                .to_string(),
            Dim::PricingType => match code {
                c if c == u32::MAX - 1 => "failed".into(),
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
        for (file, line, reason) in std::mem::take(&mut self.priced_rejected) {
            self.rejected.push(Rejected {
                file: inputs.files.get(file as usize).cloned().unwrap_or_default(),
                line: u64::from(line),
                field: None,
                reason,
            });
        }
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
            line.cost += agg.cost;
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

    pub fn to_json(&self) -> Value {
        let lines: Vec<Value> = self
            .lines
            .iter()
            .map(|(k, v)| {
                let mut o = Map::new();
                for (d, val) in self.dims.iter().zip(k) {
                    o.insert(d.name().into(), Value::String(val.clone()));
                }
                o.insert("billable".into(), v.billable.into());
                o.insert("free".into(), v.free.into());
                o.insert("failed".into(), v.failed.into());
                o.insert("cost".into(), Value::String(money::fmt(v.cost)));
                Value::Object(o)
            })
            .collect();
        serde_json::json!({
            "currency": self.currency,
            "tz": self.tz,
            "total": money::fmt(self.total),
            "total_rounded": money::fmt_minor(self.total, &self.currency),
            "counts": self.counts,
            "reconciled": self.counts.reconciles(),
            "lines": lines,
            "rejected": self.rejected,
        })
    }

    pub fn render(&self, format: Format, w: &mut dyn Write) -> io::Result<()> {
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *w, &self.to_json())?;
                writeln!(w)
            }
            Format::Csv => {
                let mut c = csv::Writer::from_writer(w);
                let mut header: Vec<&str> = self.dims.iter().map(|d| d.name()).collect();
                header.extend(["billable", "free", "failed", "cost"]);
                c.write_record(&header)?;
                for (k, v) in &self.lines {
                    let mut rec = k.clone();
                    rec.extend([
                        v.billable.to_string(),
                        v.free.to_string(),
                        v.failed.to_string(),
                        money::fmt(v.cost),
                    ]);
                    c.write_record(&rec)?;
                }
                c.flush()
            }
            Format::Table => self.render_table(w),
        }
    }

    fn render_table(&self, w: &mut dyn Write) -> io::Result<()> {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        let mut header: Vec<String> = self.dims.iter().map(|d| d.name().to_string()).collect();
        header.extend([
            "billable".into(),
            "free".into(),
            "failed".into(),
            format!("cost ({})", self.currency),
        ]);
        t.set_header(header);
        let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
        for (k, v) in &self.lines {
            let mut row: Vec<Cell> = k.iter().map(Cell::new).collect();
            row.extend([
                right(v.billable.to_string()),
                right(v.free.to_string()),
                right(v.failed.to_string()),
                right(money::fmt(v.cost)),
            ]);
            t.add_row(row);
        }
        let mut total: Vec<Cell> = vec![Cell::new("total")];
        total.extend((1..self.dims.len()).map(|_| Cell::new("")));
        let (b, f, x) = self.lines.values().fold((0, 0, 0), |a, l| {
            (a.0 + l.billable, a.1 + l.free, a.2 + l.failed)
        });
        total.extend([
            right(b.to_string()),
            right(f.to_string()),
            right(x.to_string()),
            right(money::fmt(self.total)),
        ]);
        t.add_row(total);
        writeln!(w, "{t}")?;
        let c = &self.counts;
        writeln!(
            w,
            "Total {} {} (invoice rounding: {} {}); time zone {}",
            money::fmt(self.total),
            self.currency,
            money::fmt_minor(self.total, &self.currency),
            self.currency,
            self.tz
        )?;
        writeln!(
            w,
            "Rows {} = {} inbound + {} billable + {} free + {} failed + {} rejected{}",
            c.rows,
            c.inbound,
            c.billable,
            c.free,
            c.failed,
            c.rejected,
            if c.reconciles() {
                "  (reconciled)"
            } else {
                "  (DOES NOT RECONCILE)"
            }
        )?;
        if !self.free_by_type.is_empty() {
            let parts: Vec<String> = self
                .free_by_type
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect();
            writeln!(w, "Free: {}", parts.join(", "))?;
        }
        if !self.rejected.is_empty() {
            writeln!(w, "Rejected rows:")?;
            for r in self.rejected.iter().take(20) {
                writeln!(w, "  {}:{}: {}", r.file, r.line, r.reason)?;
            }
            if self.rejected.len() > 20 {
                writeln!(
                    w,
                    "  ... and {} more (all of them with --format json)",
                    self.rejected.len() - 20
                )?;
            }
        }
        Ok(())
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
        Dim::Category => line_category(m, p).map_or(u32::MAX, |c| c.index() as u32),
        Dim::PricingType => match (p.outcome, p.class) {
            (Outcome::Failed, _) => u32::MAX - 1,
            (_, Some(c)) => c.pricing_type as u32,
            (_, None) => u32::MAX,
        },
        Dim::Tier => tiers.get(p.tier.label()),
        Dim::BusinessNumber => u32::from(m.business_number),
        Dim::Template => m.template_name,
    }
}

/// The category a summary line shows: the classified one, else the
/// template's, else service (failed non-template messages).
fn line_category(m: &Message, p: &Priced) -> Option<Category> {
    p.class.map(|c| c.category).or(if m.is_template() {
        m.category()
    } else {
        Some(Category::Service)
    })
}

/// Columns of `--detail` output.
pub const DETAIL_COLUMNS: [&str; 18] = [
    "file",
    "line",
    "id",
    "timestamp",
    "direction",
    "contact",
    "country",
    "market",
    "category",
    "template",
    "pricing_type",
    "billable",
    "tier",
    "rate",
    "cost",
    "outcome",
    "rule",
    "reason",
];

/// Writes one detail row per message (CSV, JSON Lines or a table).
pub struct DetailWriter<'w> {
    format: Format,
    csv: Option<csv::Writer<&'w mut dyn Write>>,
    raw: Option<&'w mut dyn Write>,
    table: Option<Table>,
    privacy: Privacy,
}

impl<'w> DetailWriter<'w> {
    pub fn new(
        format: Format,
        w: &'w mut dyn Write,
        privacy: Privacy,
    ) -> io::Result<DetailWriter<'w>> {
        let mut dw = DetailWriter {
            format,
            csv: None,
            raw: None,
            table: None,
            privacy,
        };
        match format {
            Format::Csv => {
                let mut c = csv::Writer::from_writer(w);
                c.write_record(DETAIL_COLUMNS)?;
                dw.csv = Some(c);
            }
            Format::Json => dw.raw = Some(w),
            Format::Table => {
                let mut t = Table::new();
                t.load_preset(UTF8_FULL_CONDENSED);
                t.set_header([
                    "line",
                    "timestamp",
                    "dir",
                    "contact",
                    "market",
                    "category",
                    "pricing_type",
                    "tier",
                    "cost",
                    "rule",
                ]);
                dw.table = Some(t);
                dw.raw = Some(w);
            }
        }
        Ok(dw)
    }

    pub fn message(
        &mut self,
        m: &Message,
        p: &Priced,
        pricing: &Pricing,
        inputs: &Inputs,
    ) -> io::Result<()> {
        let contact = match p.resolved {
            Some(r) => self.privacy.render(m.contact(), r.cc_len),
            None => self.privacy.render(m.contact(), 2),
        };
        let era = p
            .era
            .map(|i| pricing.rules.eras[i].id.as_str())
            .unwrap_or("");
        let outcome = match p.outcome {
            Outcome::Inbound => "inbound",
            Outcome::Billable => "billable",
            Outcome::Free => "free",
            Outcome::Failed => "failed",
            Outcome::Rejected => "rejected",
        };
        let (category, pricing_type, rule) = match p.class {
            Some(c) => (
                c.category.as_str(),
                c.pricing_type.as_str(),
                format!("{era}: {}", c.reason.explain(m.ts(), c.category)),
            ),
            None => (
                if m.direction() == Direction::Inbound {
                    ""
                } else if m.is_template() {
                    m.category().map_or("", Category::as_str)
                } else {
                    "service"
                },
                "",
                match p.outcome {
                    Outcome::Failed => "not delivered: never billed".to_string(),
                    Outcome::Inbound if m.entry_point() => {
                        "customer message from an entry point: opens the customer service window"
                            .to_string()
                    }
                    Outcome::Inbound => {
                        "customer message: opens the customer service window".to_string()
                    }
                    _ => String::new(),
                },
            ),
        };
        let billable = p.outcome == Outcome::Billable;
        let vals: [String; 18] = [
            inputs
                .files
                .get(m.file as usize)
                .cloned()
                .unwrap_or_default(),
            m.line.to_string(),
            inputs.id_of(m).to_string(),
            inputs.zone.format(m.ts()),
            if m.direction() == Direction::Inbound {
                "inbound"
            } else {
                "outbound"
            }
            .to_string(),
            contact,
            p.resolved
                .map_or(String::new(), |r| r.country_str().to_string()),
            p.resolved.map_or(String::new(), |r| {
                pricing.markets.name(r.market).to_string()
            }),
            category.to_string(),
            inputs.templates.name(m.template_name).to_string(),
            pricing_type.to_string(),
            billable.to_string(),
            p.tier.label().to_string(),
            if billable {
                money::fmt(p.rate)
            } else {
                String::new()
            },
            money::fmt(p.cost),
            outcome.to_string(),
            rule,
            p.reject.clone().unwrap_or_default(),
        ];
        self.write(&vals)
    }

    /// A row rejected by a reader (no message).
    pub fn rejected(&mut self, r: &Rejected) -> io::Result<()> {
        let mut vals: [String; 18] = Default::default();
        vals[0] = r.file.clone();
        vals[1] = r.line.to_string();
        vals[14] = money::fmt(Decimal::ZERO);
        vals[15] = "rejected".into();
        vals[17] = match &r.field {
            Some(f) => format!("{f}: {}", r.reason),
            None => r.reason.clone(),
        };
        self.write(&vals)
    }

    fn write(&mut self, vals: &[String; 18]) -> io::Result<()> {
        match self.format {
            Format::Csv => {
                if let Some(c) = self.csv.as_mut() {
                    c.write_record(vals)?;
                }
            }
            Format::Json => {
                let mut o = Map::new();
                for (k, v) in DETAIL_COLUMNS.iter().zip(vals) {
                    let val = match *k {
                        "line" => v.parse::<u64>().map_or(Value::Null, Value::from),
                        "billable" => Value::Bool(v == "true"),
                        _ if v.is_empty() => Value::Null,
                        _ => Value::String(v.clone()),
                    };
                    o.insert((*k).into(), val);
                }
                if let Some(w) = self.raw.as_mut() {
                    serde_json::to_writer(&mut **w, &Value::Object(o))?;
                    writeln!(w)?;
                }
            }
            Format::Table => {
                if let Some(t) = self.table.as_mut() {
                    t.add_row([
                        &vals[1],
                        &vals[3],
                        &vals[4][..3.min(vals[4].len())].to_string(),
                        &vals[5],
                        &vals[7],
                        &vals[8],
                        &vals[10],
                        &vals[12],
                        &vals[14],
                        if vals[16].is_empty() {
                            &vals[17]
                        } else {
                            &vals[16]
                        },
                    ]);
                }
            }
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<()> {
        if let Some(mut c) = self.csv.take() {
            c.flush()?;
        }
        if let (Some(t), Some(w)) = (self.table.take(), self.raw.as_mut()) {
            writeln!(w, "{t}")?;
        }
        Ok(())
    }
}
