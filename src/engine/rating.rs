//! Rating plans: the era, rate card and tier ladders in force on one local
//! date, in one currency. The one place where the three are joined: the
//! pricer (estimate, reconcile) and the forecast both price through it.

use chrono::NaiveDate;

use crate::data::rates::FoundRate;
use crate::data::tiers::Band;
use crate::data::{
    Accept, Era, MarketId, MarketMap, Pricing, RateCards, RateCell, RateError, TierCards,
};
use crate::model::time::Month;
use crate::model::Category;

/// The pricing data of one currency, from which plans for dates are drawn.
#[derive(Debug, Clone, Copy)]
pub struct Rating<'p> {
    pricing: &'p Pricing,
    cards: &'p RateCards,
    tiers: Option<&'p TierCards>,
    accept: Accept,
}

impl<'p> Rating<'p> {
    /// Fails when the currency has no rate cards.
    pub fn new(pricing: &'p Pricing, currency: &str) -> Result<Rating<'p>, RateError> {
        Ok(Rating {
            pricing,
            cards: pricing.cards(currency)?,
            tiers: pricing.tiers.get(currency),
            accept: Accept::Any,
        })
    }

    /// The same data, pricing only with the rate cells `accept` admits.
    pub fn accepting(self, accept: Accept) -> Rating<'p> {
        Rating { accept, ..self }
    }

    /// The plan in force on a local date; `None` before the first era.
    pub fn plan(&self, date: NaiveDate) -> Option<RatingPlan<'p>> {
        let rules = &self.pricing.rules;
        let era_index = rules.era_index(date)?;
        Some(RatingPlan {
            era_index,
            era: &rules.eras[era_index],
            date,
            month: Month::of(date),
            markets: &self.pricing.markets,
            cards: self.cards,
            tiers: self.tiers,
            accept: self.accept,
        })
    }
}

/// The era, card and ladders in force on one local date.
#[derive(Debug, Clone, Copy)]
pub struct RatingPlan<'p> {
    /// Index of the era in `pricing.rules.eras`.
    pub era_index: usize,
    pub era: &'p Era,
    pub date: NaiveDate,
    /// The month whose tier counters and allowances the date advances.
    pub month: Month,
    markets: &'p MarketMap,
    cards: &'p RateCards,
    tiers: Option<&'p TierCards>,
    accept: Accept,
}

impl<'p> RatingPlan<'p> {
    /// The plan counting its tiers in another month: a forecast priced
    /// with the rules of one date (`--as-of`) still counts each month.
    pub fn counting_in(self, month: Month) -> RatingPlan<'p> {
        RatingPlan { month, ..self }
    }

    /// The card's rate for a market and category, when the run admits how
    /// it is known (`--confidence`).
    #[inline]
    pub fn list_rate(&self, market: MarketId, cat: Category) -> Result<FoundRate<'p>, RateError> {
        let found = self.cards.rate(self.markets, market, cat, self.date)?;
        if self.accept.admits(found.confidence) {
            return Ok(found);
        }
        Err(RateError::Refused {
            currency: self.cards.currency.clone(),
            market: self.markets.name(market).to_string(),
            category: cat,
            card: found.card,
            origin: found.source.to_string(),
        })
    }

    /// Whether the card in force has a rate (known or not) for a market and
    /// category: not `n/a`, not absent.
    pub fn offers(&self, market: MarketId, cat: Category) -> bool {
        self.cards.card_on(self.date).is_ok_and(|c| {
            !matches!(
                c.cell(market, cat),
                RateCell::NotOffered { .. } | RateCell::Missing
            )
        })
    }

    /// Whether the era prices the category by monthly volume tiers.
    #[inline]
    pub fn tiered(&self, cat: Category) -> bool {
        self.era.tiered[cat.index()]
    }

    /// The category whose tier counter a category's messages advance.
    #[inline]
    pub fn tier_counter(&self, cat: Category) -> Category {
        self.era.tier_counter[cat.index()]
    }

    /// The volume ladder for a market and category, when one is known.
    #[inline]
    pub fn ladder(&self, market: MarketId, cat: Category) -> Option<&'p [Band]> {
        self.tiers.and_then(|t| t.ladder(market, cat, self.date))
    }
}
