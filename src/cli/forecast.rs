//! `wacost forecast`: price planned campaigns, or next months from a log.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::Args;
use rust_decimal::Decimal;

use super::{parse_switches, to_stdout, Exit, Global};
use crate::data::{MarketId, Pricing};
use crate::engine::forecast::{self, Campaign, MarketRef, Plan};
use crate::engine::{self, Options, Outcome};
use crate::ingest::plan;
use crate::ingest::Inputs;
use crate::model::time::{Month, Zone};
use crate::model::Message;
use crate::model::{Category, PricingType};
use crate::report::forecast::ForecastReport;

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
    let currency = currency_for(g, &plan);
    let tz = zone_for(g, &plan)?;
    let base = forecast::price_plan(&pricing, &plan, &currency, &switches, None)?;
    let what_if = match a.as_of {
        Some(date) => Some((
            date,
            forecast::price_plan(&pricing, &plan, &currency, &switches, Some(date))?,
        )),
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
    };
    to_stdout(|w| report.render(g.format(), w))?;
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

/// A given `--currency` wins over the plan's, the plan's over USD.
fn currency_for(g: &Global, plan: &Plan) -> String {
    match (&g.currency, &plan.currency) {
        (Some(c), _) => c.to_string(),
        (None, Some(p)) => p.to_ascii_uppercase(),
        (None, None) => "USD".into(),
    }
}

/// A given `--tz` wins over the plan's `tz`, the plan's over UTC.
fn zone_for(g: &Global, plan: &Plan) -> Result<Zone> {
    match (&g.tz, &plan.tz) {
        (Some(z), _) => Ok(z.clone()),
        (None, Some(p)) => Zone::parse(p).map_err(|e| anyhow::anyhow!("plan tz: {e}")),
        (None, None) => Ok(Zone::new(chrono_tz::UTC)),
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
    let mut inputs = Inputs::new(zone.clone());
    let mut rejected = Vec::new();
    let msgs = engine::read_sorted(&a.from_log, None, &mut inputs, &mut rejected)?;
    #[derive(Default)]
    struct Mix {
        outbound: u64,
        delivered: u64,
        in_window: u64,
        entry_point: u64,
    }
    let mut mix: BTreeMap<(MarketId, Category), Mix> = BTreeMap::new();
    let mut months: std::collections::BTreeSet<Month> = Default::default();
    let opts = Options {
        currency,
        switches: switches.clone(),
        seeds: Default::default(),
    };
    engine::price_sorted(
        pricing,
        &opts,
        &zone,
        &msgs,
        &mut |m: &Message, p: &engine::Priced| {
            if m.direction() == crate::model::Direction::Inbound {
                return;
            }
            let Some(r) = p.resolved else { return };
            months.insert(p.month);
            let cat = p.class.map(|c| c.category).unwrap_or(if m.is_template() {
                m.category().unwrap_or(Category::Service)
            } else {
                Category::Service
            });
            let x = mix.entry((r.market, cat)).or_default();
            x.outbound += 1;
            if p.outcome != Outcome::Failed && p.outcome != Outcome::Rejected {
                x.delivered += 1;
                if let Some(c) = p.class {
                    if c.pricing_type == PricingType::FreeEntryPoint {
                        x.entry_point += 1;
                    } else if c.in_window {
                        x.in_window += 1;
                    }
                }
            }
        },
    )?;
    let Some(last) = months.iter().next_back().copied() else {
        bail!("--from-log: no outbound messages to learn from");
    };
    let n_months = Decimal::from(months.len() as u64);
    let first = last.next();
    let mut range = vec![first];
    for _ in 1..a.months.max(1) {
        let next = range[range.len() - 1].next();
        range.push(next);
    }
    let ratio = |x: u64, of: u64| {
        if of == 0 {
            Decimal::ZERO
        } else {
            Decimal::from(x) / Decimal::from(of)
        }
    };
    let campaigns = mix
        .into_iter()
        .map(|((market, cat), x)| {
            let avg = Decimal::from(x.outbound) / n_months * (Decimal::ONE + growth);
            Campaign {
                name: format!("{} {cat} (from log)", pricing.markets.name(market)),
                months: range.clone(),
                market: MarketRef::Name(market),
                category: cat,
                messages: u64::try_from(avg.round().mantissa() / 10i128.pow(avg.round().scale()))
                    .unwrap_or(0),
                in_window_share: ratio(x.in_window, x.delivered),
                entry_point_share: ratio(x.entry_point, x.delivered),
                delivery_rate: ratio(x.delivered, x.outbound),
                growth,
            }
        })
        .collect::<Vec<_>>();
    for c in &campaigns {
        plan::check_volume(c.messages, &c.months, growth)
            .map_err(|e| anyhow::anyhow!("--growth {}: {}: {e}", a.growth, c.name))?;
    }
    eprintln!(
        "wacost: learned {} market x category mixes from {} months of log ({}..{}); projecting {}..{}",
        campaigns.len(),
        months.len(),
        months.iter().next().map(ToString::to_string).unwrap_or_default(),
        last,
        first,
        range[range.len() - 1]
    );
    Ok(Plan {
        currency: None,
        tz: Some(g.zone()?.name().to_string()),
        business_numbers: 1,
        campaigns,
        fees: None,
    })
}
