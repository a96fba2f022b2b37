//! `wacost forecast`: price planned campaigns, or next months from a log.

use std::collections::BTreeMap;
use std::io::{self, Write};

use anyhow::{bail, Context, Result};
use clap::Args;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::{exit, parse_switches, Global};
use crate::data::Pricing;
use crate::engine::forecast::{self, Forecast, LearnError, Plan};
use crate::engine::Options;
use crate::ingest::plan;
use crate::model::money;
use crate::model::time::{parse_date, Month};
use crate::model::Category;
use crate::report::Format;

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Plan (TOML) with [[campaign]] entries; see README
    #[arg(value_name = "PLAN.toml", required_unless_present = "from_log")]
    pub plan: Option<String>,
    /// Derive the plan from real logs (mix per market and category, window shares, delivery rate)
    #[arg(long = "from-log", value_name = "LOG", num_args = 1..)]
    pub from_log: Vec<String>,
    /// With --from-log: how many months after the log to project
    #[arg(long, default_value_t = 3)]
    pub months: u32,
    /// With --from-log: monthly growth, e.g. 5% or 0.05
    #[arg(long, default_value = "0")]
    pub growth: String,
    /// Also price the plan with the rules and rates in force on DATE, and show the difference
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<String>,
    /// Turn a rule switch on or off, e.g. service-free-tier=off
    #[arg(long = "rule", value_name = "NAME=on|off")]
    pub rules: Vec<String>,
}

pub fn run(g: &Global, a: &ForecastArgs) -> Result<u8> {
    let pricing = g.pricing()?;
    let switches = parse_switches(&pricing, &a.rules)?;
    let plan = match &a.plan {
        Some(path) if a.from_log.is_empty() => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading plan {path}"))?;
            Plan::parse(path, &text, &pricing.markets)?
        }
        Some(_) => bail!("give a PLAN.toml or --from-log LOG..., not both"),
        None => plan_from_log(g, a, &pricing, &switches)?,
    };
    // The plan's currency wins over the default, --currency over both.
    let currency = if g.currency != "USD" {
        g.currency()?
    } else {
        plan.currency
            .clone()
            .unwrap_or_else(|| "USD".into())
            .to_ascii_uppercase()
    };
    let tz = plan.tz.clone().unwrap_or_else(|| g.tz.clone());
    crate::model::time::Zone::parse(&tz).map_err(|e| anyhow::anyhow!("plan tz: {e}"))?;
    let base = forecast::price_plan(&pricing, &plan, &currency, &switches, None)?;
    let what_if = match &a.as_of {
        Some(d) => {
            let date =
                parse_date(d).with_context(|| format!("--as-of {d:?} is not a YYYY-MM-DD date"))?;
            Some((
                date,
                forecast::price_plan(&pricing, &plan, &currency, &switches, Some(date))?,
            ))
        }
        None => None,
    };
    for u in base
        .unpriced
        .iter()
        .chain(what_if.iter().flat_map(|w| w.1.unpriced.iter()))
    {
        eprintln!("wacost: not priced: {u}");
    }
    render(
        g.format(),
        &currency,
        &tz,
        &base,
        what_if.as_ref(),
        plan.fees.is_some(),
    )?;
    Ok(exit::OK)
}

/// Builds a plan from logs: the monthly average per market and category.
fn plan_from_log(
    g: &Global,
    a: &ForecastArgs,
    pricing: &Pricing,
    switches: &BTreeMap<String, bool>,
) -> Result<Plan> {
    let zone = g.zone()?;
    let currency = g.currency()?;
    let growth = plan::fraction(&toml::Value::String(a.growth.clone()))
        .and_then(|g| plan::check_growth(g).map(|()| g))
        .map_err(|e| anyhow::anyhow!("--growth: {e}"))?;
    if a.months as usize > plan::MAX_MONTHS {
        bail!(
            "--months {}: at most {} months can be projected",
            a.months,
            plan::MAX_MONTHS
        );
    }
    let opts = Options {
        currency,
        switches: switches.clone(),
        seeds: Default::default(),
    };
    let learned = forecast::learn_plan(pricing, &opts, &zone, &a.from_log, a.months, growth)
        .map_err(|e| match e {
            LearnError::Engine(e) => anyhow::Error::from(e),
            LearnError::NoOutbound => anyhow::anyhow!("--from-log: {e}"),
            LearnError::Volume { .. } => anyhow::anyhow!("--growth {}: {e}", a.growth),
        })?;
    let ((first, last, n), (from, to)) = (learned.seen, learned.projected);
    eprintln!(
        "wacost: learned {} market x category mixes from {n} months of log ({first}..{last}); projecting {from}..{to}",
        learned.plan.campaigns.len(),
    );
    Ok(Plan {
        tz: Some(g.tz.clone()),
        ..learned.plan
    })
}

fn render(
    format: Format,
    currency: &str,
    tz: &str,
    base: &Forecast,
    what_if: Option<&(chrono::NaiveDate, Forecast)>,
    fees: bool,
) -> Result<()> {
    let out = io::stdout();
    let mut w = out.lock();
    let other = |k: &(Month, String, Category)| {
        what_if
            .and_then(|(_, f)| f.lines.get(k))
            .map_or(Decimal::ZERO, |l| l.cost)
    };
    match format {
        Format::Json => {
            let lines: Vec<Value> = base
                .lines
                .iter()
                .map(|(k, l)| {
                    let mut o = json!({"month": k.0.to_string(), "market": k.1, "category": k.2.as_str(), "planned": l.planned, "delivered": l.delivered, "billable": l.billable, "free": l.free, "cost": money::fmt(l.cost)});
                    if fees {
                        o["fees"] = json!(money::fmt(l.fees));
                    }
                    if what_if.is_some() {
                        o["cost_as_of"] = json!(money::fmt(other(k)));
                        o["difference"] = json!(money::fmt(other(k) - l.cost));
                    }
                    o
                })
                .collect();
            let mut v = json!({"currency": currency, "tz": tz, "total": money::fmt(base.total), "lines": lines, "unpriced": base.unpriced});
            if fees {
                v["fees_total"] = json!(money::fmt(base.fees_total));
                v["total_with_fees"] = json!(money::fmt(base.total + base.fees_total));
            }
            if let Some((d, f)) = what_if {
                v["as_of"] = json!(d.to_string());
                v["total_as_of"] = json!(money::fmt(f.total));
                v["difference"] = json!(money::fmt(f.total - base.total));
            }
            serde_json::to_writer_pretty(&mut w, &v)?;
            writeln!(w)?;
        }
        Format::Csv => {
            let mut c = csv::Writer::from_writer(&mut w);
            let mut h = vec![
                "month",
                "market",
                "category",
                "planned",
                "delivered",
                "billable",
                "free",
                "cost",
            ];
            if fees {
                h.push("fees");
            }
            if what_if.is_some() {
                h.extend(["cost_as_of", "difference"]);
            }
            c.write_record(&h)?;
            for (k, l) in &base.lines {
                let mut r = vec![
                    k.0.to_string(),
                    k.1.clone(),
                    k.2.to_string(),
                    l.planned.to_string(),
                    l.delivered.to_string(),
                    l.billable.to_string(),
                    l.free.to_string(),
                    money::fmt(l.cost),
                ];
                if fees {
                    r.push(money::fmt(l.fees));
                }
                if what_if.is_some() {
                    r.extend([money::fmt(other(k)), money::fmt(other(k) - l.cost)]);
                }
                c.write_record(&r)?;
            }
            c.flush()?;
        }
        Format::Table => {
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED);
            let mut h = vec![
                "month".to_string(),
                "market".into(),
                "category".into(),
                "delivered".into(),
                "billable".into(),
                "free".into(),
                format!("Meta cost ({currency})"),
            ];
            if fees {
                h.push("fees".into());
            }
            if let Some((d, _)) = what_if {
                h.extend([format!("cost under {d} rules"), "difference".into()]);
            }
            t.set_header(h);
            let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
            for (k, l) in &base.lines {
                let mut r = vec![
                    Cell::new(k.0),
                    Cell::new(&k.1),
                    Cell::new(k.2),
                    right(l.delivered.to_string()),
                    right(l.billable.to_string()),
                    right(l.free.to_string()),
                    right(money::fmt(l.cost)),
                ];
                if fees {
                    r.push(right(money::fmt(l.fees)));
                }
                if what_if.is_some() {
                    r.extend([
                        right(money::fmt(other(k))),
                        right(money::fmt(other(k) - l.cost)),
                    ]);
                }
                t.add_row(r);
            }
            writeln!(w, "{t}")?;
            writeln!(w, "Meta total {} {currency}", money::fmt(base.total))?;
            if fees {
                writeln!(
                    w,
                    "Fees {} {currency}; with fees {} {currency}",
                    money::fmt(base.fees_total),
                    money::fmt(base.total + base.fees_total)
                )?;
            }
            if let Some((d, f)) = what_if {
                writeln!(
                    w,
                    "Under the rules and rates of {d}: {} {currency} (difference {})",
                    money::fmt(f.total),
                    money::fmt(f.total - base.total)
                )?;
            }
        }
    }
    Ok(())
}
