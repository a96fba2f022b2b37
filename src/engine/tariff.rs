//! Tariff application: the rate of a charged message, from the card in
//! force and the message's position in its monthly volume tier.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::data::rules::Era;
use crate::data::tiers::band_for;
use crate::data::{MarketId, Pricing, RateCards, RateError, TierCards};
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
}

/// Counts already reached outside the input, per market and tier counter.
#[derive(Debug, Clone, Default)]
pub struct TierSeeds {
    pub seeds: HashMap<(MarketId, Category), u64>,
}

/// Prices charged messages; holds the monthly tier counters.
#[derive(Debug)]
pub struct Tariff<'p> {
    pricing: &'p Pricing,
    cards: &'p RateCards,
    tiers: Option<&'p TierCards>,
    counts: crate::hash::IntMap<(i32, u32, MarketId, Category), u64>,
    seeds: TierSeeds,
}

impl<'p> Tariff<'p> {
    pub fn new(
        pricing: &'p Pricing,
        currency: &str,
        seeds: TierSeeds,
    ) -> Result<Tariff<'p>, RateError> {
        Ok(Tariff {
            pricing,
            cards: pricing.cards(currency)?,
            tiers: pricing.tiers.get(currency),
            counts: Default::default(),
            seeds,
        })
    }

    pub fn cards(&self) -> &'p RateCards {
        self.cards
    }

    /// The price of the next charged message of a market and category in a
    /// month. Tiered categories advance the counter of their tier group;
    /// nothing advances unless the rate exists.
    pub fn charge(
        &mut self,
        era: &Era,
        market: MarketId,
        cat: Category,
        date: NaiveDate,
        month: (i32, u32),
    ) -> Result<Charge, RateError> {
        let mut parts = self.charge_bulk(era, market, cat, date, month, 1)?;
        // One message lands in exactly one band: `parts` has one entry.
        let (tier, _, rate) = parts.pop().unwrap_or((Tier::None, 1, Decimal::ZERO));
        Ok(Charge { rate, tier })
    }

    /// Prices `n` charged messages at once (forecasts): split across the
    /// tier bands their positions fall in. Returns (tier, count, rate) parts.
    pub fn charge_bulk(
        &mut self,
        era: &Era,
        market: MarketId,
        cat: Category,
        date: NaiveDate,
        month: (i32, u32),
        n: u64,
    ) -> Result<Vec<(Tier, u64, Decimal)>, RateError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let list = self.cards.rate(&self.pricing.markets, market, cat, date)?;
        if !era.tiered[cat.index()] {
            return Ok(vec![(Tier::None, n, list.rate)]);
        }
        let counter = era.tier_counter[cat.index()];
        let seed = self
            .seeds
            .seeds
            .get(&(market, counter))
            .copied()
            .unwrap_or(0);
        let count = self
            .counts
            .entry((month.0, month.1, market, counter))
            .or_insert(seed);
        let first = *count + 1;
        *count += n;
        let last = *count;
        let Some(ladder) = self.tiers.and_then(|t| t.ladder(market, cat, date)) else {
            return Ok(vec![(Tier::List, n, list.rate)]);
        };
        let mut parts = Vec::new();
        let mut pos = first;
        while pos <= last {
            match band_for(ladder, pos) {
                Some(b) => {
                    let end = b.to.map_or(last, |t| t.min(last));
                    parts.push((Tier::Band(b.label()), end - pos + 1, b.rate));
                    pos = end + 1;
                }
                None => {
                    parts.push((Tier::List, last - pos + 1, list.rate));
                    break;
                }
            }
        }
        Ok(parts)
    }
}
