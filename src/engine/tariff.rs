//! Tariff application: the rate of a charged message, from the rating plan
//! of its day and the message's position in its monthly volume tier.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::data::tiers::{band_for, Band};
use crate::data::{Confidence, MarketId, RateError};
use crate::engine::rating::RatingPlan;
use crate::model::time::Month;
use crate::model::Category;

/// Where a charged message sits on the volume ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tier {
    /// The category has no volume tiers (marketing, service).
    None,
    /// Tiered, but no ladder is known for this market: list rate.
    List,
    /// Meta's notation, `0:750000`.
    Band(String),
}

impl Tier {
    pub fn label(&self) -> &str {
        match self {
            Tier::None => "",
            Tier::List => "list",
            Tier::Band(b) => b,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Charge {
    pub rate: Decimal,
    pub tier: Tier,
    /// How the rate charged is known.
    pub confidence: Confidence,
}

/// Counts already reached outside the input (`--tier-start`), per market
/// and category, as the user names them: a seed of a category that counts
/// toward another's tier (authentication-international toward
/// authentication) seeds that tier.
#[derive(Debug, Clone, Default)]
pub struct TierSeeds {
    /// Bare seeds: counts reached in the first month the run reaches.
    pub seeds: HashMap<(MarketId, Category), u64>,
    /// Seeds that name their month (`2026-11:Brazil:utility=250000`):
    /// tiers reset monthly, so each applies to its month only.
    pub dated: HashMap<(Month, MarketId, Category), u64>,
}

impl TierSeeds {
    /// What the seeds give the tier `counter` of `market` in the plan's
    /// month: its dated seeds, and the bare ones when `first` (the first
    /// month of the run that reaches this tier).
    fn of(&self, plan: &RatingPlan<'_>, market: MarketId, counter: Category, first: bool) -> u64 {
        let counts = |c: Category| plan.tier_counter(c) == counter;
        let bare: u64 = self
            .seeds
            .iter()
            .filter(|((m, c), _)| first && *m == market && counts(*c))
            .map(|(_, n)| n)
            .sum();
        let dated: u64 = self
            .dated
            .iter()
            .filter(|((mo, m, c), _)| *mo == plan.month && *m == market && counts(*c))
            .map(|(_, n)| n)
            .sum();
        bare + dated
    }
}

/// The monthly tier counters of a run; prices charged messages on the
/// [`RatingPlan`] of their day.
#[derive(Debug, Default)]
pub struct Tariff {
    counts: crate::hash::IntMap<(i32, u32, MarketId, Category), u64>,
    seeds: TierSeeds,
    /// Tiers already seeded: a seed counts "this month", the first month
    /// of the run that reaches the tier, not every month after it.
    seeded: crate::hash::IntSet<(MarketId, Category)>,
}

/// One part of a bulk charge: messages in one tier band, at one rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub tier: Tier,
    pub messages: u64,
    pub rate: Decimal,
    pub confidence: Confidence,
}

impl Part {
    /// What the part's messages cost.
    pub fn cost(&self) -> Decimal {
        self.rate * Decimal::from(self.messages)
    }
}

impl Tariff {
    pub fn new(seeds: TierSeeds) -> Tariff {
        Tariff {
            seeds,
            ..Tariff::default()
        }
    }

    /// The month's counters, for a state file ([`crate::engine::state`]).
    pub fn counts(&self) -> impl Iterator<Item = (&(i32, u32, MarketId, Category), &u64)> {
        self.counts.iter()
    }

    /// Sets a counter from a state file. The tier counts as seeded: a
    /// resumed month already had its `--tier-start` seed.
    pub fn resume(&mut self, key: (i32, u32, MarketId, Category), count: u64) {
        self.seeded.insert((key.2, key.3));
        self.counts.insert(key, count);
    }

    /// The price of the next charged message of a market and category in
    /// the plan's month. Tiered categories advance the counter of their
    /// tier group; nothing advances unless the rate exists.
    pub fn charge(
        &mut self,
        plan: &RatingPlan<'_>,
        market: MarketId,
        cat: Category,
    ) -> Result<Charge, RateError> {
        let parts = self.charge_bulk(plan, market, cat, 1)?;
        // One message lands in exactly one band: `parts` has one entry.
        Ok(parts.into_iter().next().map_or(
            Charge {
                rate: Decimal::ZERO,
                tier: Tier::None,
                confidence: Confidence::Direct,
            },
            |p| Charge {
                rate: p.rate,
                tier: p.tier,
                confidence: p.confidence,
            },
        ))
    }

    /// Prices `n` charged messages at once (forecasts): split across the
    /// tier bands their positions fall in.
    pub fn charge_bulk(
        &mut self,
        plan: &RatingPlan<'_>,
        market: MarketId,
        cat: Category,
        n: u64,
    ) -> Result<Vec<Part>, RateError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let found = plan.list_rate(market, cat)?;
        let list = |tier, messages| Part {
            tier,
            messages,
            rate: found.rate,
            confidence: found.confidence,
        };
        if !plan.tiered(cat) {
            return Ok(vec![list(Tier::None, n)]);
        }
        let (first, last) = self.advance(plan, market, cat, n);
        Ok(match plan.ladder(market, cat) {
            Some(ladder) => bands(ladder, first, last, list),
            None => vec![list(Tier::List, n)],
        })
    }

    /// Moves the month's counter of the category's tier group on by `n`:
    /// the positions (first, last) the messages take, 1-based.
    fn advance(
        &mut self,
        plan: &RatingPlan<'_>,
        market: MarketId,
        cat: Category,
        n: u64,
    ) -> (u64, u64) {
        let counter = plan.tier_counter(cat);
        let (year, month) = (plan.month.year, plan.month.month);
        let (seeds, seeded) = (&self.seeds, &mut self.seeded);
        let count = self
            .counts
            .entry((year, month, market, counter))
            .or_insert_with(|| seeds.of(plan, market, counter, seeded.insert((market, counter))));
        let first = *count + 1;
        *count += n;
        (first, *count)
    }
}

/// Positions `first..=last` of a month split by the bands they fall in;
/// past the ladder, the list rate (`list` makes that part).
fn bands(ladder: &[Band], first: u64, last: u64, list: impl Fn(Tier, u64) -> Part) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut pos = first;
    while pos <= last {
        let Some(b) = band_for(ladder, pos) else {
            parts.push(list(Tier::List, last - pos + 1));
            break;
        };
        let end = b.to.map_or(last, |t| t.min(last));
        parts.push(Part {
            tier: Tier::Band(b.label()),
            messages: end - pos + 1,
            rate: b.rate,
            confidence: b.confidence,
        });
        pos = end + 1;
    }
    parts
}
