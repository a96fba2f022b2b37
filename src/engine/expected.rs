//! The expected invoice: Meta's own volumes priced by wacost. M-ANALYTICS:
//! "`COST` will not be returned for WABAs that share a Solution Partner's
//! credit line"; such a WABA still gets `pricing_analytics` (or, before
//! July 2025, `conversation_analytics`) volumes. Each bucket is priced
//! with the rating plan of its date (the era, card and tier ladders a
//! forecast and the pricer use, [`Rating`]), its regular volume through
//! the month's tier counters ([`Tariff::charge_bulk`], the forecast's
//! call), buckets in time order so the month's first messages take the
//! first tier positions ("Only messages that are charged count toward the
//! tiers", M-PRICING-07). Meta's free types are priced 0 with their reason.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::data::rules::Frees;
use crate::data::{Accept, Confidence, MarketId, Pricing, RateError};
use crate::engine::countries::{CountryMarket, CountryMarkets};
use crate::engine::rating::Rating;
use crate::engine::reconcile::{category_order, point_category, their_date, TheirPoint};
use crate::engine::tariff::{Part, Tariff};
use crate::ingest::figures::Source;
use crate::model::time::{Month, Zone};
use crate::model::Category;

/// One line of the expected invoice: a month, market, category, Meta's
/// pricing type, and the tier band and rate wacost applied.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineKey {
    pub month: String,
    pub market: String,
    order: usize,
    pub category: String,
    pub pricing_type: String,
    pub tier: String,
    /// `None`: not priced (`note` says why).
    pub rate: Option<Decimal>,
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineSum {
    /// Messages (per-message pricing) or conversations (before July 2025).
    pub volume: u64,
    pub cost: Decimal,
    /// How the rate is known (`None` when nothing was charged).
    pub confidence: Option<Confidence>,
}

/// Meta's volumes priced, and what could not be.
#[derive(Debug, Default)]
pub struct Expected {
    pub lines: BTreeMap<LineKey, LineSum>,
    pub total: Decimal,
    /// One entry per line wacost could not price, with the reason.
    pub unpriced: Vec<String>,
    /// The sum of the costs Meta did report, when any point had one.
    pub meta_cost: Option<Decimal>,
    /// Points whose tier Meta names differently from wacost's count.
    pub notes: Vec<String>,
    /// Points of `conversation_analytics` (volumes are conversations).
    pub conversations: bool,
    pub messages: bool,
}

impl Expected {
    /// Every volume was priced.
    pub fn complete(&self) -> bool {
        self.unpriced.is_empty()
    }
}

/// What a point's volume is priced as.
enum Verdict {
    /// Charged: the rating plan prices it.
    Regular,
    /// Free, with the reason.
    Free(String),
    /// Not priced, with the reason.
    Unpriced(String),
}

/// Meta's pricing type: what it makes of the volume.
fn verdict_of(p: &TheirPoint) -> Verdict {
    let unit = unit_word(p.source);
    match p.pricing_type.as_deref() {
        Some("regular") => Verdict::Regular,
        None if p.source == Source::InvoiceCsv => Verdict::Regular,
        Some("free_customer_service") => Verdict::Free(format!(
            "free: FREE_CUSTOMER_SERVICE, {unit} inside a customer service window"
        )),
        Some("free_entry_point") => Verdict::Free(format!(
            "free: FREE_ENTRY_POINT, {unit} inside a free entry point window"
        )),
        Some("free_tier") => Verdict::Free("free: FREE_TIER, the monthly free tier".into()),
        Some(other) => Verdict::Unpriced(format!(
            "pricing type {} is not one wacost knows",
            other.to_ascii_uppercase()
        )),
        None => Verdict::Unpriced(
            "no pricing type: ask Meta with dimension PRICING_TYPE (CONVERSATION_TYPE before July 2025)"
                .into(),
        ),
    }
}

fn unit_word(source: Source) -> &'static str {
    match source {
        Source::ConversationAnalytics => "conversations",
        _ => "messages",
    }
}

/// How to price Meta's volumes.
pub struct Request<'a> {
    pub pricing: &'a Pricing,
    pub currency: &'a str,
    pub accept: Accept,
    pub zone: &'a Zone,
}

/// Prices Meta's volumes; fails only when the currency has no cards.
pub fn price_volumes(req: &Request, points: &[TheirPoint]) -> Result<Expected, RateError> {
    let mut pricer = Pricer {
        pricing: req.pricing,
        rating: Rating::new(req.pricing, req.currency)?.accepting(req.accept),
        tariff: Tariff::default(),
        countries: CountryMarkets::new(&req.pricing.markets),
        out: Expected::default(),
    };
    let mut zone = req.zone.clone();
    let mut dated: Vec<(NaiveDate, i64, &TheirPoint)> = Vec::new();
    for p in points {
        let mut ignored = Vec::new();
        if let Some((date, _)) = their_date(p, &mut zone, &mut ignored) {
            dated.push((date, p.start.unwrap_or(0), p));
        } else {
            pricer.unpriced_point(p, "no month or start");
        }
    }
    // Time order: the month's first buckets take the first tier positions.
    dated.sort_by_key(|d| (d.0, d.1));
    for (date, _, p) in dated {
        pricer.add(p, date);
    }
    let mut out = pricer.out;
    out.total = out.lines.values().map(|l| l.cost).sum();
    out.meta_cost = points.iter().filter_map(|p| p.cost).reduce(|a, b| a + b);
    Ok(out)
}

/// The state of pricing one file: tier counters and lines.
struct Pricer<'p> {
    pricing: &'p Pricing,
    rating: Rating<'p>,
    tariff: Tariff,
    countries: CountryMarkets<'p>,
    out: Expected,
}

impl Pricer<'_> {
    /// Prices one point on the rating plan of its date.
    fn add(&mut self, p: &TheirPoint, date: NaiveDate) {
        self.out.conversations |= p.source == Source::ConversationAnalytics;
        self.out.messages |= p.source != Source::ConversationAnalytics;
        let month = Month::of(date);
        let key = |market: &str, category: &str, note: String| LineKey {
            month: month.to_string(),
            market: market.to_string(),
            order: category_order(category),
            category: category.to_string(),
            pricing_type: p.pricing_type.clone().unwrap_or_default(),
            tier: String::new(),
            rate: None,
            note,
        };
        let raw = p.category_raw.to_ascii_lowercase();
        let (market, market_id) = self.market(p, date);
        let rules = &self.pricing.rules;
        let era = rules.era_index(date).map(|i| &rules.eras[i]);
        let Some(cat) = point_category(p, era) else {
            let why = format!("category {}: wacost does not price it", p.category_raw);
            return self.unpriced(key(&market, &raw, why), p.volume, p.source);
        };
        let Some(id) = market_id else {
            let why = self.market_reason(p, date);
            return self.unpriced(key(&market, cat.as_str(), why), p.volume, p.source);
        };
        let lite = p.category.is_none().then(|| {
            format!(
                "{}: Cloud API marketing rates (per-message pricing)",
                p.category_raw
            )
        });
        let base = key(&market, cat.as_str(), lite.unwrap_or_default());
        match verdict_of(p) {
            Verdict::Free(why) => self.free(base, why, p.volume),
            Verdict::Unpriced(why) => {
                self.unpriced(LineKey { note: why, ..base }, p.volume, p.source)
            }
            Verdict::Regular => self.regular(base, id, cat, p, date),
        }
    }

    /// A regular volume: free if its era frees the category, else charged
    /// through the tier counters of its month.
    fn regular(
        &mut self,
        base: LineKey,
        market: MarketId,
        cat: Category,
        p: &TheirPoint,
        date: NaiveDate,
    ) {
        let Some(plan) = self.rating.plan(date) else {
            let why = self.pricing.rules.before_first_era();
            return self.unpriced(LineKey { note: why, ..base }, p.volume, p.source);
        };
        if plan.era.frees(cat, cat != Category::Service, false) == Frees::Category {
            let why = format!("free: {cat} is free in era {}", plan.era.id);
            return self.free(base, why, p.volume);
        }
        let plan = plan.counting_in(Month::of(date));
        match self.tariff.charge_bulk(&plan, market, cat, p.volume) {
            Ok(parts) => {
                self.check_tier(&base, p, &parts);
                parts.iter().for_each(|part| self.charged(&base, part));
            }
            Err(e) => self.unpriced(
                LineKey {
                    note: e.to_string(),
                    ..base
                },
                p.volume,
                p.source,
            ),
        }
    }

    /// M-ANALYTICS: "Volume tiers will be determined solely by Meta", and
    /// Meta counts them across the business portfolio; a tier wacost's
    /// count of this file does not reach says so (another WABA's volume).
    fn check_tier(&mut self, base: &LineKey, p: &TheirPoint, parts: &[Part]) {
        let Some(meta) = p.tier.as_deref().filter(|t| *t != "0:MAX") else {
            return;
        };
        let ours: Vec<&str> = parts.iter().map(|x| x.tier.label()).collect();
        if ours.iter().any(|t| *t == meta || *t == "list") {
            return;
        }
        self.out.notes.push(format!(
            "{} {} {}: Meta puts {} messages in tier {meta}, wacost's count of this file in {}; Meta counts tiers across the business portfolio",
            base.month,
            base.market,
            base.category,
            p.volume,
            ours.join(" and ")
        ));
    }

    fn charged(&mut self, base: &LineKey, part: &Part) {
        let key = LineKey {
            tier: part.tier.label().to_string(),
            rate: Some(part.rate),
            ..base.clone()
        };
        let line = self.out.lines.entry(key).or_default();
        line.volume += part.messages;
        line.cost += part.cost();
        // The line is as well known as its least known part.
        line.confidence = Some(
            line.confidence
                .map_or(part.confidence, |c| c.max(part.confidence)),
        );
    }

    fn free(&mut self, base: LineKey, why: String, volume: u64) {
        let key = LineKey {
            rate: Some(Decimal::ZERO),
            note: why,
            ..base
        };
        self.out.lines.entry(key).or_default().volume += volume;
    }

    fn unpriced(&mut self, key: LineKey, volume: u64, source: Source) {
        self.out.unpriced.push(format!(
            "{} {} {} {}: {volume} {} not priced: {}",
            key.month,
            key.market,
            key.category,
            key.pricing_type,
            unit_word(source),
            key.note
        ));
        self.out.lines.entry(key).or_default().volume += volume;
    }

    fn unpriced_point(&mut self, p: &TheirPoint, why: &str) {
        self.out.unpriced.push(format!(
            "{}: {} {} not priced: {why}",
            p.file,
            p.volume,
            unit_word(p.source)
        ));
    }

    /// The point's market name (its country when none is decided), and id.
    fn market(&mut self, p: &TheirPoint, date: NaiveDate) -> (String, Option<MarketId>) {
        let markets = &self.pricing.markets;
        let id = match (&p.market, &p.country) {
            (Some(m), _) => markets.find_name(m),
            (None, Some(c)) => match self.countries.of(c, date) {
                CountryMarket::Market(id) => Some(id),
                _ => None,
            },
            (None, None) => None,
        };
        let label = match id {
            Some(id) => markets.name(id).to_string(),
            None => p
                .market
                .clone()
                .or_else(|| p.country.clone())
                .unwrap_or_else(|| "?".into()),
        };
        (label, id)
    }

    /// Why a point's market is not known.
    fn market_reason(&mut self, p: &TheirPoint, date: NaiveDate) -> String {
        match (&p.market, &p.country) {
            (Some(m), _) => format!("market {m:?} is not one of Meta's markets"),
            (None, Some(c)) => {
                let found = self.countries.of(c, date);
                self.countries.explain(c, date, &found)
            }
            (None, None) => "no country: ask Meta with dimension COUNTRY".into(),
        }
    }
}

#[cfg(test)]
mod tests;
