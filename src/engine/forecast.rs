//! Forecasts: planned campaigns priced with the same rules, rates and
//! tiers as real logs ([`crate::tariff`]), month by month.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::data::{MarketId, Pricing, RateError};
use crate::engine::tariff::{Tariff, TierSeeds};
use crate::model::time::Month;
use crate::model::{Category, PricingModel};

pub use crate::ingest::plan::{Campaign, Fees, MarketRef, Plan, PlanError};

/// One forecast line: a month, market and category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForecastLine {
    pub planned: u64,
    pub delivered: u64,
    pub billable: u64,
    pub free: u64,
    pub cost: Decimal,
    pub fees: Decimal,
}

#[derive(Debug, Clone, Default)]
pub struct Forecast {
    pub lines: BTreeMap<(Month, String, Category), ForecastLine>,
    pub total: Decimal,
    pub fees_total: Decimal,
    /// Parts that could not be priced (missing rates), with the reason.
    pub unpriced: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    #[error("campaign {name}: market {market:?} cannot be resolved on {date}")]
    Market {
        name: String,
        market: String,
        date: NaiveDate,
    },
    #[error(transparent)]
    Rate(#[from] RateError),
}

/// Rounds planned counts to whole messages (half to even).
fn whole(d: Decimal) -> u64 {
    let r = d.round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
    u64::try_from(r.mantissa() / 10i128.pow(r.scale())).unwrap_or(0)
}

fn resolve(pricing: &Pricing, c: &Campaign, date: NaiveDate) -> Result<MarketId, ForecastError> {
    let m = match &c.market {
        MarketRef::Name(id) => Some(*id),
        MarketRef::Country(cc) => pricing.markets.resolve_country(cc, date),
        MarketRef::CallingCode(code) => pricing.markets.resolve_calling_code(code, date),
    };
    m.ok_or_else(|| ForecastError::Market {
        name: c.name.clone(),
        market: match &c.market {
            MarketRef::Country(s) | MarketRef::CallingCode(s) => s.clone(),
            MarketRef::Name(id) => pricing.markets.name(*id).to_string(),
        },
        date,
    })
}

/// Prices a plan. Rules and rates are those in force on the first day of
/// each month, or on `as_of` for a what-if.
pub fn price_plan(
    pricing: &Pricing,
    plan: &Plan,
    currency: &str,
    switches: &BTreeMap<String, bool>,
    as_of: Option<NaiveDate>,
) -> Result<Forecast, ForecastError> {
    let mut tariff = Tariff::new(pricing, currency, TierSeeds::default())?;
    let mut fc = Forecast::default();
    // Volume per (month, market, category) summed across campaigns first:
    // tiers apply to the total, as Meta counts them.
    #[derive(Default)]
    struct Acc {
        planned: u64,
        delivered: u64,
        entry_point: u64,
        in_window: u64,
    }
    let mut acc: BTreeMap<(Month, MarketId, Category), Acc> = BTreeMap::new();
    for c in &plan.campaigns {
        let mut volume = Decimal::from(c.messages);
        for (k, month) in c.months.iter().enumerate() {
            if k > 0 {
                volume *= Decimal::ONE + c.growth;
            }
            let date = as_of.unwrap_or_else(|| month.first_day());
            let market = resolve(pricing, c, date)?;
            let planned = whole(volume);
            let delivered = whole(Decimal::from(planned) * c.delivery_rate);
            let fep = whole(Decimal::from(delivered) * c.entry_point_share);
            let csw = whole(Decimal::from(delivered) * c.in_window_share).min(delivered - fep);
            let a = acc.entry((*month, market, c.category)).or_default();
            a.planned += planned;
            a.delivered += delivered;
            a.entry_point += fep;
            a.in_window += csw;
        }
    }
    let mut service_used: BTreeMap<Month, u64> = BTreeMap::new();
    for ((month, market, cat), a) in acc {
        let date = as_of.unwrap_or_else(|| month.first_day());
        let Some(era_idx) = pricing.rules.era_index(date) else {
            fc.unpriced.push(format!(
                "{month} {} {cat}: no pricing rules before {}",
                pricing.markets.name(market),
                pricing.rules.eras[0].from
            ));
            continue;
        };
        let era = &pricing.rules.eras[era_idx];
        let mut free = a.entry_point;
        let mut charged = a.delivered - a.entry_point;
        if era.free[cat.index()] || (era.free_in_csw[cat.index()] && cat == Category::Service) {
            // Service is free (non-template messages go only inside a window).
            free += charged;
            charged = 0;
        } else if era.free_in_csw[cat.index()] {
            free += a.in_window;
            charged -= a.in_window;
        }
        if cat == Category::Service && charged > 0 && era.model == PricingModel::Pmp {
            if let Some(al) = era
                .allowance
                .as_ref()
                .filter(|al| switches.get(&al.switch).copied().unwrap_or(al.default))
            {
                let cap = al.count * u64::from(plan.business_numbers);
                let used = service_used.entry(month).or_default();
                let take = charged.min(cap.saturating_sub(*used));
                *used += take;
                free += take;
                charged -= take;
            }
        }
        let line = fc
            .lines
            .entry((month, pricing.markets.name(market).to_string(), cat))
            .or_default();
        line.planned += a.planned;
        line.delivered += a.delivered;
        line.free += free;
        match tariff.charge_bulk(era, market, cat, date, (month.year, month.month), charged) {
            Ok(parts) => {
                for (_, n, rate) in parts {
                    line.cost += rate * Decimal::from(n);
                }
                line.billable += charged;
            }
            Err(e) => fc.unpriced.push(format!(
                "{month} {} {cat}: {charged} charged messages not priced: {e}",
                pricing.markets.name(market)
            )),
        }
        if let Some(f) = &plan.fees {
            line.fees += f.per_message(cat) * Decimal::from(a.delivered) + line.cost * f.percent;
        }
    }
    fc.total = fc.lines.values().map(|l| l.cost).sum();
    fc.fees_total = fc.lines.values().map(|l| l.fees).sum();
    Ok(fc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn run(plan: &str, as_of: Option<&str>) -> Forecast {
        let p = Pricing::bundled().unwrap();
        let plan = Plan::parse("p.toml", plan, &p.markets).unwrap();
        price_plan(
            &p,
            &plan,
            "USD",
            &BTreeMap::new(),
            as_of.map(|d| crate::model::time::parse_date(d).unwrap()),
        )
        .unwrap()
    }

    const UTIL: &str = "[[campaign]]\nname='pedidos'\nmonth='MONTH'\nmarket='BR'\ncategory='utility'\nmessages=1000\nin_window_share=0.4\nentry_point_share=0.1\ndelivery_rate=0.9\n";

    #[test]
    fn in_window_utility_free_until_october_2026() {
        // 1000 planned, 900 delivered, 90 FEP, 360 in window, 450 outside.
        let sep = run(&UTIL.replace("MONTH", "2026-09"), None);
        let l = sep.lines.values().next().unwrap();
        assert_eq!((l.delivered, l.billable, l.free), (900, 450, 450));
        assert_eq!(sep.total, dec!(0.0068) * dec!(450));
        let oct = run(&UTIL.replace("MONTH", "2026-10"), None);
        let l = oct.lines.values().next().unwrap();
        assert_eq!((l.billable, l.free), (810, 90));
        assert_eq!(oct.total, dec!(0.0068) * dec!(810));
        // What-if: September's plan under October's rules.
        let what_if = run(&UTIL.replace("MONTH", "2026-09"), Some("2026-10-01"));
        assert_eq!(what_if.total, oct.total);
    }

    #[test]
    fn growth_compounds_over_a_range_and_fees_are_apart() {
        let f = run(
            "[[campaign]]\nname='promo'\nmonths='2026-11..2027-01'\nmarket='Brazil'\ncategory='marketing'\nmessages=1000\ngrowth='10%'\n[fees]\nper_message='0.005'\npercent='2%'\n",
            None,
        );
        let counts: Vec<u64> = f.lines.values().map(|l| l.billable).collect();
        assert_eq!(counts, vec![1000, 1100, 1210]);
        assert_eq!(f.total, dec!(0.0625) * dec!(3310));
        assert_eq!(
            f.fees_total,
            dec!(0.005) * dec!(3310) + f.total * dec!(0.02)
        );
    }

    #[test]
    fn service_allowance_per_business_number() {
        let f = run("business_numbers = 2\n[[campaign]]\nmonth='2026-11'\nmarket='+55'\ncategory='service'\nmessages=5000\n", None);
        let l = f.lines.values().next().unwrap();
        assert_eq!((l.billable, l.free), (3000, 2000));
    }

    #[test]
    fn tiers_apply_to_the_sum_of_campaigns() {
        // India INR authentication ladder (pricing/tiers/INR.csv): 0..750000 at 0.1150,
        // 750001..15000000 at 0.1081. Two campaigns of 500,000 in one month reach the
        // second band together: 750,000 x 0.1150 + 250,000 x 0.1081.
        let p = Pricing::bundled().unwrap();
        let text = "[[campaign]]\nmonth='2026-02'\nmarket='IN'\ncategory='authentication'\nmessages=500000\n[[campaign]]\nmonth='2026-02'\nmarket='+91'\ncategory='authentication'\nmessages=500000\n";
        let plan = Plan::parse("p.toml", text, &p.markets).unwrap();
        let f = price_plan(&p, &plan, "INR", &BTreeMap::new(), None).unwrap();
        assert_eq!(f.lines.len(), 1);
        assert_eq!(
            f.total,
            dec!(750000) * dec!(0.1150) + dec!(250000) * dec!(0.1081)
        );
    }
}
