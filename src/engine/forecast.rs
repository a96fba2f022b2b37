//! Forecasts: planned campaigns priced with the same rules, rates and
//! tiers as real logs, month by month: each month's volume goes through
//! the era's rule code ([`Era::frees`]), the allowance ledger and the
//! [`RatingPlan`] the pricer uses. And plans learned from logs.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::data::rules::{AllowanceUnit, Effect, Era, ExceptionRate, Frees, RuleName, SwitchedOn};
use crate::data::{Accept, Confidence, MarketId, Pricing, RateError};
use crate::engine::allowance::Allowances;
use crate::engine::classify::unpriced;
use crate::engine::rating::{Rating, RatingPlan};
use crate::engine::tariff::Tariff;
use crate::engine::{EngineError, Options, Outcome, Priced};
use crate::ingest::plan::check_volume;
use crate::model::time::{Month, Zone};
use crate::model::{Category, Direction, Message, PricingType};

pub use crate::ingest::plan::{Campaign, Fees, MarketRef, Plan, PlanError};

/// One forecast line: a month, market and category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForecastLine {
    pub planned: u64,
    pub delivered: u64,
    pub billable: u64,
    /// Free messages (all rules), of which `free_tier` from the era's
    /// service allowance.
    pub free: u64,
    pub free_tier: u64,
    pub cost: Decimal,
    pub fees: Decimal,
    /// Billable messages priced with an inferred rate cell, and their cost.
    pub inferred: u64,
    pub inferred_cost: Decimal,
    /// Messages Meta charges that could not be priced (no rules, card or
    /// rate): left out of `cost` and the total, never priced at 0.
    pub unpriced: u64,
    /// The most the line can cost: max-price campaigns' charged messages
    /// at their max price, the others at `cost` (issue 14).
    pub cost_max: Decimal,
}

/// A forecast line's key: month, market name, category, and whether its
/// messages go to groups (`group_marketing`, ...: billed per member).
pub type LineKey = (Month, String, Category, bool);

#[derive(Debug, Clone, Default)]
pub struct Forecast {
    pub lines: BTreeMap<LineKey, ForecastLine>,
    pub total: Decimal,
    /// The most the plan can cost, and whether any campaign has a max
    /// price (then the total is a range).
    pub total_max: Decimal,
    pub has_max: bool,
    pub fees_total: Decimal,
    /// Parts that could not be priced (missing rates), with the reason.
    pub unpriced: Vec<String>,
}

impl Forecast {
    /// Messages the total leaves out (see [`ForecastLine::unpriced`]), and
    /// the lines they are in.
    pub fn unpriced_messages(&self) -> (u64, usize) {
        self.lines
            .values()
            .filter(|l| l.unpriced > 0)
            .fold((0, 0), |(n, k), l| (n + l.unpriced, k + 1))
    }

    /// Every planned message Meta charges is in the total.
    pub fn complete(&self) -> bool {
        self.unpriced.is_empty()
    }

    /// Billable messages priced with an inferred rate cell, and their cost.
    pub fn inferred(&self) -> (u64, Decimal) {
        self.lines.values().fold((0, Decimal::ZERO), |(n, c), l| {
            (n + l.inferred, c + l.inferred_cost)
        })
    }
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

/// A month's volume of one market and category, summed across campaigns:
/// tiers apply to the total, as Meta counts them.
#[derive(Debug, Default)]
struct Volume {
    planned: u64,
    delivered: u64,
    entry_point: u64,
    in_window: u64,
}

/// Volumes by month, market, category, group messages or not, and max price.
type Volumes = BTreeMap<(Month, MarketId, Category, bool, Option<Decimal>), Volume>;

/// Prices a plan. Rules and rates are those in force on the first day of
/// each month, or on `as_of` for a what-if.
pub fn price_plan(
    pricing: &Pricing,
    plan: &Plan,
    currency: &str,
    switches: &BTreeMap<String, bool>,
    as_of: Option<NaiveDate>,
) -> Result<Forecast, ForecastError> {
    price_plan_accepting(pricing, plan, currency, switches, as_of, Accept::Any)
}

/// [`price_plan`] with only the rate cells `accept` admits (`--confidence`).
pub fn price_plan_accepting(
    pricing: &Pricing,
    plan: &Plan,
    currency: &str,
    switches: &BTreeMap<String, bool>,
    as_of: Option<NaiveDate>,
    accept: Accept,
) -> Result<Forecast, ForecastError> {
    let volumes = volumes(pricing, plan, as_of)?;
    let mut pricer = Forecaster {
        pricing,
        plan,
        switches,
        rating: Rating::new(pricing, currency)?.accepting(accept),
        tariff: Tariff::default(),
        allowances: Allowances::default(),
        exceptions: SwitchedOn::new(&pricing.rules, &pricing.markets, switches),
        fc: Forecast::default(),
    };
    for ((month, market, cat, group, max), v) in volumes {
        let date = as_of.unwrap_or_else(|| month.first_day());
        let key = VolumeKey {
            month,
            market,
            cat,
            group,
            max,
        };
        pricer.add(&key, &v, date);
    }
    let mut fc = pricer.fc;
    fc.total = fc.lines.values().map(|l| l.cost).sum();
    fc.total_max = fc.lines.values().map(|l| l.cost_max).sum();
    fc.has_max = plan.campaigns.iter().any(|c| c.max_price.is_some());
    fc.fees_total = fc.lines.values().map(|l| l.fees).sum();
    Ok(fc)
}

/// The plan's volumes per month, market and category.
fn volumes(
    pricing: &Pricing,
    plan: &Plan,
    as_of: Option<NaiveDate>,
) -> Result<Volumes, ForecastError> {
    let mut acc = Volumes::new();
    for c in &plan.campaigns {
        let mut volume = Decimal::from(c.messages);
        for (k, month) in c.months.iter().enumerate() {
            if k > 0 {
                volume *= Decimal::ONE + c.growth;
            }
            let market = resolve(pricing, c, as_of.unwrap_or_else(|| month.first_day()))?;
            let group = c.group_members.is_some();
            let key = (*month, market, c.category, group, c.max_price);
            let deliveries = whole(volume).saturating_mul(c.deliveries_per_message());
            acc.entry(key).or_default().add(c, deliveries);
        }
    }
    Ok(acc)
}

impl Volume {
    /// Adds a campaign's month of `planned` messages by its shares.
    fn add(&mut self, c: &Campaign, planned: u64) {
        let delivered = whole(Decimal::from(planned) * c.delivery_rate);
        let fep = whole(Decimal::from(delivered) * c.entry_point_share);
        let csw = whole(Decimal::from(delivered) * c.in_window_share).min(delivered - fep);
        self.planned += planned;
        self.delivered += delivered;
        self.entry_point += fep;
        self.in_window += csw;
    }
}

/// What a volume is of: its line, and the max price of its campaigns.
struct VolumeKey {
    month: Month,
    market: MarketId,
    cat: Category,
    group: bool,
    max: Option<Decimal>,
}

/// A volume's delivered messages by what the era's rules make of them.
#[derive(Debug, Default, PartialEq, Eq)]
struct Split {
    free: u64,
    /// Free from the allowance.
    free_tier: u64,
    charged: u64,
}

/// Splits a volume by the era's rules, message group by message group
/// (in a free entry point window; in a customer service window; outside),
/// as the classifier decides each message; `allowance` grants units of
/// the era's allowance. A plan's service messages are non-template ones,
/// every other category's templates; under CBP each message opens its
/// own conversation.
fn split(era: &Era, cat: Category, v: &Volume, allowance: impl FnOnce(u64) -> u64) -> Split {
    let template = cat != Category::Service;
    let outside = v.delivered - v.entry_point - v.in_window;
    let mut s = Split {
        free: v.entry_point,
        ..Split::default()
    };
    let mut eligible = 0;
    for (n, in_window) in [(v.in_window, true), (outside, false)] {
        match era.frees(cat, template, in_window) {
            Frees::Category | Frees::InWindow | Frees::AssumedWindow => s.free += n,
            Frees::Allowance => eligible += n,
            Frees::Nothing => s.charged += n,
        }
    }
    s.free_tier = allowance(eligible).min(eligible);
    s.charged += eligible - s.free_tier;
    s
}

/// The state of pricing one plan: tier counters, allowances, lines.
struct Forecaster<'p> {
    pricing: &'p Pricing,
    plan: &'p Plan,
    switches: &'p BTreeMap<String, bool>,
    rating: Rating<'p>,
    tariff: Tariff,
    allowances: Allowances,
    /// Dated exceptions switched on (see [`Forecaster::split_in_force`]).
    exceptions: SwitchedOn,
    fc: Forecast,
}

impl Forecaster<'_> {
    /// Prices a month's volume of a market and category on the rules of
    /// `date`.
    fn add(&mut self, k: &VolumeKey, v: &Volume, date: NaiveDate) {
        let (month, market, cat) = (k.month, k.market, k.cat);
        let name = self.pricing.markets.name(market).to_string();
        let Some(rating) = self.rating.plan(date) else {
            let why = self.pricing.rules.before_first_era();
            self.fc
                .unpriced
                .push(format!("{month} {name} {cat}: {why}"));
            // No rules: which messages are free is unknown too.
            let line = self
                .fc
                .lines
                .entry((month, name, cat, k.group))
                .or_default();
            line.planned += v.planned;
            line.delivered += v.delivered;
            line.unpriced += v.delivered;
            return;
        };
        let rating = rating.counting_in(month);
        let (s, unpublished) = self.split_in_force(&rating, market, cat, v, date);
        let line = self
            .fc
            .lines
            .entry((month, name, cat, k.group))
            .or_default();
        line.planned += v.planned;
        line.delivered += v.delivered;
        line.free += s.free + s.free_tier;
        line.free_tier += s.free_tier;
        let charged = match unpublished {
            Some(rule) if s.charged > 0 => Err(unpriced(rule, cat)),
            Some(_) => Ok(Vec::new()),
            None => self
                .tariff
                .charge_bulk(&rating, market, cat, s.charged)
                .map_err(|e| e.to_string()),
        };
        match charged {
            Ok(parts) => {
                for p in &parts {
                    let (cost, cost_max) = capped(p, k.max);
                    line.cost += cost;
                    line.cost_max += cost_max;
                    if p.confidence == Confidence::Inferred {
                        line.inferred += p.messages;
                        line.inferred_cost += cost;
                    }
                }
                line.billable += s.charged;
            }
            Err(e) => {
                line.unpriced += s.charged;
                self.fc.unpriced.push(format!(
                    "{month} {} {cat}: {} charged messages not priced: {e}",
                    self.pricing.markets.name(market),
                    s.charged
                ));
            }
        }
        if let Some(f) = &self.plan.fees {
            line.fees += f.per_message(cat) * Decimal::from(v.delivered) + line.cost * f.percent;
        }
    }

    /// [`split`], and what a dated exception switched on makes of it, as
    /// the classifier decides each message: "charge" leaves only the free
    /// entry point windows free (and names the exception when its rate is
    /// unpublished), "free" frees what the era charges.
    fn split_in_force(
        &mut self,
        rating: &RatingPlan<'_>,
        market: MarketId,
        cat: Category,
        v: &Volume,
        date: NaiveDate,
    ) -> (Split, Option<RuleName>) {
        let day = self.exceptions.on(date);
        let effect = day.for_message(cat, market).map(|a| (a.effect, a.name));
        match effect {
            Some((Effect::Charge(rate), rule)) => {
                let s = Split {
                    free: v.entry_point,
                    free_tier: 0,
                    charged: v.delivered - v.entry_point,
                };
                (s, (rate == ExceptionRate::Unpublished).then_some(rule))
            }
            Some((Effect::Free, _)) => {
                let s = split(rating.era, cat, v, |n| self.allowance(rating, n));
                let free = Split {
                    free: s.free + s.charged,
                    charged: 0,
                    ..s
                };
                (free, None)
            }
            _ => (
                split(rating.era, cat, v, |n| self.allowance(rating, n)),
                None,
            ),
        }
    }

    /// Grants up to `n` units of the era's allowance (counted in the unit
    /// its pricing model counts) in the plan's month, when switched on.
    fn allowance(&mut self, rating: &RatingPlan<'_>, n: u64) -> u64 {
        let era = rating.era;
        let Some(a) = era.allowance_in(AllowanceUnit::of(era.model)) else {
            return 0;
        };
        if !a.is_on(self.switches) {
            return 0;
        }
        let month = (rating.month.year, rating.month.month);
        let cap = a.cap(self.plan.business_numbers);
        self.allowances.take(month, 0, cap, n).0
    }
}
/// What a part of charged messages costs, and at most costs: at the card
/// rate, or for a max-price campaign from the card rate (capped at the max
/// price: "Meta will charge that max price or lower") up to the max price.
fn capped(p: &crate::engine::tariff::Part, max: Option<Decimal>) -> (Decimal, Decimal) {
    let n = Decimal::from(p.messages);
    match max {
        Some(max) => (p.rate.min(max) * n, max * n),
        None => (p.cost(), p.cost()),
    }
}

/// A plan learned from logs, and what it was learned from.
#[derive(Debug, Clone)]
pub struct Learned {
    pub plan: Plan,
    /// Months of the log with outbound messages: first, last, how many.
    pub seen: (Month, Month, usize),
    /// The months projected: first, last.
    pub projected: (Month, Month),
    /// The days the log covers in each of its months.
    pub coverage: Coverage,
}

/// The days a log covers, from its first message's local day to its last
/// one's, month by month: a partial month is scaled to the full month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Each month: days covered, days in the month.
    pub months: Vec<(Month, u32, u32)>,
}

impl Coverage {
    /// The days from `first` to `last` (both included), per month.
    pub fn between(first: NaiveDate, last: NaiveDate) -> Coverage {
        let mut months = Vec::new();
        let mut month = Month::of(first);
        while month.first_day() <= last {
            let end = month.next().first_day();
            let from = first.max(month.first_day());
            let to = last.min(end.pred_opt().unwrap_or(end));
            months.push((month, days(from, to), days(month.first_day(), end) - 1));
            month = month.next();
        }
        Coverage { months }
    }

    /// The full months the covered days make: 11/30 + 12/31 for a log of
    /// 20 September to 12 October.
    pub fn full_months(&self) -> Decimal {
        self.months
            .iter()
            .map(|&(_, n, of)| Decimal::from(n) / Decimal::from(of))
            .sum()
    }

    /// Days covered in all.
    pub fn days(&self) -> u32 {
        self.months.iter().map(|m| m.1).sum()
    }
}

impl std::fmt::Display for Coverage {
    /// `11 of 30 days of 2026-09, 12 of 31 days of 2026-10`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (k, (m, n, of)) in self.months.iter().enumerate() {
            let sep = if k > 0 { ", " } else { "" };
            write!(f, "{sep}{n} of {of} days of {m}")?;
        }
        Ok(())
    }
}

/// Days from `from` to `to`, both included.
fn days(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days() + 1).unwrap_or(0)
}

#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("no outbound messages to learn from")]
    NoOutbound,
    /// A learned campaign grows past the largest monthly volume.
    #[error("{campaign}: {msg}")]
    Volume { campaign: String, msg: String },
}

/// A market and category's share of a log: what a campaign plans.
#[derive(Debug, Default)]
struct Mix {
    outbound: u64,
    delivered: u64,
    in_window: u64,
    entry_point: u64,
}

impl Mix {
    /// Counts an outbound message's verdict.
    fn add(&mut self, p: &Priced) {
        self.outbound += 1;
        if matches!(
            p.outcome,
            Outcome::Failed | Outcome::Undelivered | Outcome::Rejected
        ) {
            return;
        }
        self.delivered += 1;
        match p.class {
            Some(c) if c.pricing_type == PricingType::FreeEntryPoint => self.entry_point += 1,
            Some(c) if c.in_window => self.in_window += 1,
            _ => {}
        }
    }
}

/// What a log holds per market and category, and in which months.
#[derive(Debug, Default)]
struct LogMix {
    mix: BTreeMap<(MarketId, Category), Mix>,
    months: BTreeSet<Month>,
    /// The first and last local day of any message.
    span: Option<(NaiveDate, NaiveDate)>,
}

impl LogMix {
    /// Prices the logs with the engine and counts their verdicts.
    fn read(
        pricing: &Pricing,
        opts: &Options,
        zone: &Zone,
        paths: &[String],
    ) -> Result<LogMix, EngineError> {
        let mut inputs = crate::engine::inputs_for(pricing, opts, zone);
        let mut rejected = Vec::new();
        let msgs = crate::engine::read_sorted(paths, None, &mut inputs, &mut rejected)?;
        let mut log = LogMix::default();
        let mut add = |m: &Message, p: &Priced| log.add(m, p);
        crate::engine::price_read(pricing, opts, zone, &msgs, &inputs, &mut add)?;
        Ok(log)
    }

    fn add(&mut self, m: &Message, p: &Priced) {
        self.span = Some(match self.span {
            Some((a, b)) => (a.min(p.date), b.max(p.date)),
            None => (p.date, p.date),
        });
        if m.direction() == Direction::Inbound {
            return;
        }
        let Some(r) = p.resolved else { return };
        self.months.insert(p.month);
        let cat = p.class.map_or_else(|| m.billed_category(), |c| c.category);
        self.mix.entry((r.market, cat)).or_default().add(p);
    }
}

/// Learns a plan from logs: the monthly average per market and category
/// of the log (its messages over the full months its days make), its
/// window shares and delivery rate, projected `months` months after the
/// log with monthly `growth`.
pub fn learn_plan(
    pricing: &Pricing,
    opts: &Options,
    zone: &Zone,
    paths: &[String],
    months: u32,
    growth: Decimal,
) -> Result<Learned, LearnError> {
    let log = LogMix::read(pricing, opts, zone, paths)?;
    let (Some(&first), Some(&last)) = (log.months.first(), log.months.last()) else {
        return Err(LearnError::NoOutbound);
    };
    let range = projection(last, months);
    let coverage = log
        .span
        .map_or_else(Coverage::default, |(a, b)| Coverage::between(a, b));
    let n_months = coverage.full_months();
    let campaigns = log
        .mix
        .into_iter()
        .map(|(key, x)| campaign(pricing, key, &x, n_months, &range, growth))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Learned {
        seen: (first, last, log.months.len()),
        projected: (range[0], range[range.len() - 1]),
        coverage,
        plan: Plan {
            currency: None,
            tz: Some(zone.name().to_string()),
            business_numbers: 1,
            campaigns,
            fees: None,
        },
    })
}

/// The `months` months (at least one) after `last`.
fn projection(last: Month, months: u32) -> Vec<Month> {
    let mut range = vec![last.next()];
    for _ in 1..months.max(1) {
        let next = range[range.len() - 1].next();
        range.push(next);
    }
    range
}

/// `x / of`, 0 when `of` is.
fn ratio(x: u64, of: u64) -> Decimal {
    if of == 0 {
        Decimal::ZERO
    } else {
        Decimal::from(x) / Decimal::from(of)
    }
}

/// The campaign repeating a market and category's monthly average.
fn campaign(
    pricing: &Pricing,
    (market, cat): (MarketId, Category),
    x: &Mix,
    n_months: Decimal,
    range: &[Month],
    growth: Decimal,
) -> Result<Campaign, LearnError> {
    let avg = Decimal::from(x.outbound) / n_months * (Decimal::ONE + growth);
    let c = Campaign {
        name: format!("{} {cat} (from log)", pricing.markets.name(market)),
        months: range.to_vec(),
        market: MarketRef::Name(market),
        category: cat,
        messages: whole(avg),
        in_window_share: ratio(x.in_window, x.delivered),
        entry_point_share: ratio(x.entry_point, x.delivered),
        delivery_rate: ratio(x.delivered, x.outbound),
        growth,
        // A log's group messages are already one row per member delivered.
        max_price: None,
        group_members: None,
    };
    check_volume(c.messages, &c.months, growth).map_err(|msg| LearnError::Volume {
        campaign: c.name.clone(),
        msg,
    })?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PricingType;
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

    #[test]
    fn coverage_counts_the_days_of_each_month() {
        let d = |s| crate::model::time::parse_date(s).unwrap();
        let c = Coverage::between(d("2026-09-20"), d("2026-10-12"));
        let m = |s| Month::parse(s).unwrap();
        assert_eq!(
            c.months,
            vec![(m("2026-09"), 11, 30), (m("2026-10"), 12, 31)]
        );
        assert_eq!(c.full_months(), dec!(11) / dec!(30) + dec!(12) / dec!(31));
        assert_eq!(
            c.to_string(),
            "11 of 30 days of 2026-09, 12 of 31 days of 2026-10"
        );
        let feb = Coverage::between(d("2028-02-01"), d("2028-02-29"));
        assert_eq!((feb.days(), feb.full_months()), (29, Decimal::ONE));
    }

    #[test]
    fn a_volume_splits_as_the_classifier_decides_its_messages_in_every_era() {
        use crate::engine::classify::{Classifier, Outbound};
        let p = Pricing::bundled().unwrap();
        for day in ["2024-03-01", "2024-11-01", "2025-08-01", "2026-10-01"] {
            let era = &p.rules.eras[p
                .rules
                .era_index(crate::model::time::parse_date(day).unwrap())
                .unwrap()];
            for cat in Category::ALL {
                // 30 delivered: 10 inside a customer service window, 20 outside.
                let v = Volume {
                    planned: 30,
                    delivered: 30,
                    entry_point: 0,
                    in_window: 10,
                };
                let expected = split(era, cat, &v, |n| n);
                let mut c = Classifier::new();
                let mut got = Split::default();
                for i in 0..30u64 {
                    let contact = 5_511_900_000_000 + i;
                    let ts = 1_700_000_000;
                    if i < 10 {
                        c.inbound(contact, ts - 3600, false);
                    }
                    let template = cat != Category::Service;
                    let m = Outbound {
                        contact,
                        ts,
                        template,
                        category: template.then_some(cat),
                        business_number: 1,
                        month: (2024, 3),
                    };
                    match c.outbound(m, era, true).pricing_type {
                        PricingType::Regular => got.charged += 1,
                        PricingType::FreeTier => got.free_tier += 1,
                        _ => got.free += 1,
                    }
                }
                assert_eq!(got, expected, "{} {cat}", era.id);
            }
        }
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

    #[test]
    fn a_month_without_a_card_is_unpriced_never_free() {
        // EUR's first card is 2026-04-01: March's marketing has no rate.
        let p = Pricing::bundled().unwrap();
        let text = "[[campaign]]\nmonths='2026-03..2026-04'\nmarket='IN'\ncategory='marketing'\nmessages=1000\n";
        let plan = Plan::parse("p.toml", text, &p.markets).unwrap();
        let f = price_plan(&p, &plan, "EUR", &BTreeMap::new(), None).unwrap();
        let feb = f.lines.values().next().unwrap();
        assert_eq!(
            (feb.billable, feb.unpriced, feb.cost),
            (0, 1000, Decimal::ZERO)
        );
        assert_eq!(f.unpriced_messages(), (1000, 1));
        assert!(!f.complete());
        let priced: Decimal = f.lines.values().skip(1).map(|l| l.cost).sum();
        assert_eq!(f.total, priced);
    }

    /// A plan priced in USD with the `on` switches.
    fn run_on(text: &str, on: &[&str]) -> Forecast {
        let p = Pricing::bundled().unwrap();
        let plan = Plan::parse("p.toml", text, &p.markets).unwrap();
        let switches = on.iter().map(|s| (s.to_string(), true)).collect();
        price_plan(&p, &plan, "USD", &switches, None).unwrap()
    }

    const SERVICE: &str = "[[campaign]]\nmonth='MONTH'\nmarket='MARKET'\ncategory='service'\nmessages=3000\nentry_point_share=0.1\n";

    #[test]
    fn exceptions_switched_on_change_a_plan_as_they_change_each_message() {
        let plan = |m: &str, market: &str| SERVICE.replace("MONTH", m).replace("MARKET", market);
        // Off: 300 in FEP windows, 1,000 free tier, 1,700 charged.
        let off = run_on(&plan("2026-11", "BR"), &[]);
        let l = off.lines.values().next().unwrap();
        assert_eq!((l.billable, l.free, l.free_tier), (1700, 1300, 1000));
        // government-nonprofit-service: nothing charged beyond the free tier.
        let gov = run_on(&plan("2026-11", "BR"), &["government-nonprofit-service"]);
        let l = gov.lines.values().next().unwrap();
        assert_eq!((l.billable, l.free, l.free_tier), (0, 3000, 1000));
        assert!(gov.unpriced.is_empty() && gov.total.is_zero());
        // ai-provider-brazil: all but the FEP charged, and not priced (rate unpublished).
        let ai = run_on(&plan("2026-04", "BR"), &["ai-provider-brazil"]);
        let l = ai.lines.values().next().unwrap();
        assert_eq!((l.billable, l.free, l.free_tier), (0, 300, 0));
        assert!(
            ai.unpriced.len() == 1
                && ai.unpriced[0]
                    .contains("2700 charged messages not priced: exception ai-provider-brazil"),
            "{:?}",
            ai.unpriced
        );
        let mexico = run_on(&plan("2026-04", "MX"), &["ai-provider-brazil"]);
        assert!(mexico.unpriced.is_empty(), "{:?}", mexico.unpriced);
    }
}
