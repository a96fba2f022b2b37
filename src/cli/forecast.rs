//! `wacost forecast`: price planned campaigns, or next months from a log.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::Args;
use rust_decimal::Decimal;

use super::{parse_switches, to_output, Exit, Global};
use crate::data::Pricing;
use crate::engine::forecast::{self, LearnError, Plan};
use crate::ingest::plan;
use crate::model::time::Zone;
use crate::report::forecast::ForecastReport;

/// `--growth`: a fraction or a percentage, within the plan limits.
fn parse_growth(s: &str) -> Result<Decimal, String> {
    let g = plan::fraction(&toml::Value::String(s.to_string()))?;
    plan::check_growth(g)?;
    Ok(g)
}

#[derive(Debug, Args)]
pub struct ForecastArgs {
    #[arg(
        value_name = "PLAN.toml",
        required_unless_present = "from_log",
        help = "Plan (TOML) with [[campaign]] entries; see README"
    )]
    pub plan: Option<String>,
    /// Derive the plan from real logs (mix per market and category, window shares, delivery rate)
    #[arg(long = "from-log", value_name = "LOG", num_args = 1..)]
    pub from_log: Vec<String>,
    /// With --from-log: how many months after the log to project
    #[arg(long, default_value_t = 3)]
    pub months: u32,
    /// With --from-log: monthly growth, e.g. 5% or 0.05
    #[arg(long, default_value = "0", value_parser = parse_growth)]
    pub growth: Decimal,
    /// Also price the plan with the rules and rates in force on DATE, and show the difference
    #[arg(long = "as-of", value_name = "DATE", value_parser = super::parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Turn a rule switch on or off, e.g. service-free-tier=off
    #[arg(long = "rule", value_name = "NAME=on|off")]
    pub rules: Vec<String>,
}

pub fn run(g: &Global, a: &ForecastArgs) -> Result<Exit> {
    let pricing = g.pricing()?;
    let switches = parse_switches(&pricing, &a.rules)?;
    let plan = read_plan(g, a, &pricing, &switches)?;
    let currency = currency_for(g, &plan)?;
    let tz = zone_for(g, &plan)?;
    let price = |as_of| {
        forecast::price_plan_accepting(&pricing, &plan, &currency, &switches, as_of, g.accept())
    };
    let base = price(None)?;
    let what_if = match a.as_of {
        Some(date) => Some((date, price(Some(date))?)),
        None => None,
    };
    let unpriced = what_if.iter().flat_map(|w| w.1.unpriced.iter());
    for u in base.unpriced.iter().chain(unpriced) {
        eprintln!("wacost: not priced: {u}");
    }
    let report = ForecastReport {
        currency: &currency,
        tz: tz.name(),
        base: &base,
        what_if: what_if.as_ref().map(|(d, f)| (*d, f)),
        fees: plan.fees.is_some(),
        locale: g.locale(),
    };
    to_output(g, |w| report.render(g.format(), w))?;
    Ok(Exit::Ok)
}

/// The plan file, or a plan learned from logs.
fn read_plan(
    g: &Global,
    a: &ForecastArgs,
    pricing: &Pricing,
    switches: &BTreeMap<String, bool>,
) -> Result<Plan> {
    match &a.plan {
        Some(path) if a.from_log.is_empty() => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading plan {path}"))?;
            Ok(Plan::parse(path, &text, &pricing.markets)?)
        }
        Some(_) => bail!("give a PLAN.toml or --from-log LOG..., not both"),
        None => plan_from_log(g, a, pricing, switches),
    }
}

/// A given `--currency` wins over the plan's, the plan's over
/// `WACOST_CURRENCY` and `wacost.toml` (a person's default), those over USD.
fn currency_for(g: &Global, plan: &Plan) -> Result<String> {
    match (&g.currency, &plan.currency) {
        (Some(c), _) => Ok(c.to_string()),
        (None, Some(p)) => Ok(p.to_ascii_uppercase()),
        (None, None) => g.currency(),
    }
}

/// A given `--tz` wins over the plan's `tz`, the plan's over `WACOST_TZ`
/// and `wacost.toml`, those over UTC.
fn zone_for(g: &Global, plan: &Plan) -> Result<Zone> {
    match (g.tz_given(), &plan.tz) {
        (Some(z), _) => Ok(z),
        (None, Some(p)) => Zone::parse(p).map_err(|e| anyhow::anyhow!("plan tz: {e}")),
        (None, None) => g.zone(),
    }
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
    let growth = a.growth;
    if a.months as usize > plan::MAX_MONTHS {
        bail!(
            "--months {}: at most {} months can be projected",
            a.months,
            plan::MAX_MONTHS
        );
    }
    let opts = g.options(&currency, switches.clone())?;
    let learned = forecast::learn_plan(pricing, &opts, &zone, &a.from_log, a.months, growth)
        .map_err(|e| match e {
            LearnError::Engine(e) => anyhow::Error::from(e),
            LearnError::NoOutbound => anyhow::anyhow!("--from-log: {e}"),
            LearnError::Volume { .. } => anyhow::anyhow!("--growth {}: {e}", a.growth),
        })?;
    let (c, (from, to)) = (&learned.coverage, learned.projected);
    eprintln!(
        "wacost: learned {} market x category mixes from {} days of log ({c}: {} months); projecting {from}..{to}",
        learned.plan.campaigns.len(),
        c.days(),
        c.full_months().round_dp(2),
    );
    Ok(Plan {
        tz: Some(g.zone()?.name().to_string()),
        ..learned.plan
    })
}
