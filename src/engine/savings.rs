//! Where the money can be saved (`estimate --savings`): from the priced log
//! itself, the charges a business could act on, each kind with the rule
//! behind it and its computed amount. A [`Sink`] beside the summary: it
//! sees verdicts in time order and keeps one small state per customer
//! service window (memory bounded by contacts) and one per template name.
//!
//! Every amount is the charge minus what the alternative would have cost
//! under the same era and card (the era's free-in-window rules, the card's
//! list rate), so a kind never claims more than was charged. Since
//! 2026-10 a non-template reply costs the service rate (the market's
//! utility rate, Meta) unless the number's monthly allowance of free
//! service messages has room: the room a month left unused is counted for
//! the in-window utility templates it could have replaced, largest first.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::rating::Rating;
use super::{Options, Outcome, Priced, Sink};
use crate::data::{Era, Pricing, RateError};
use crate::hash::IntMap;
use crate::model::time::Month;
use crate::model::{Category, Direction, Message, PricingType};

/// The kinds of saving, in the order the report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A utility template charged inside an open customer service window.
    UtilityInWindow,
    /// A marketing template sent within a window's length after it closed.
    MarketingAfterWindow,
    /// A template charged as marketing that the log shows charged as
    /// utility too: Meta changed its category.
    CategoryChanged,
    /// Service messages charged beyond the monthly free allowance.
    ServiceBeyondAllowance,
    /// Charges a free entry point window would have made free, had the
    /// business replied to the ad's message within the reply window.
    MissedEntryPoint,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::UtilityInWindow,
        Kind::MarketingAfterWindow,
        Kind::CategoryChanged,
        Kind::ServiceBeyondAllowance,
        Kind::MissedEntryPoint,
    ];

    /// The stable code scripts read.
    pub fn code(self) -> &'static str {
        match self {
            Kind::UtilityInWindow => "utility_in_window",
            Kind::MarketingAfterWindow => "marketing_after_window",
            Kind::CategoryChanged => "category_changed",
            Kind::ServiceBeyondAllowance => "service_beyond_allowance",
            Kind::MissedEntryPoint => "missed_entry_point",
        }
    }
}

/// What one kind found: messages, the amount they could save, where the
/// first ones are (file index, line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub messages: u64,
    pub charged: Decimal,
    pub amount: Decimal,
    pub first: Vec<(u16, u32)>,
}

/// Lines kept per kind to point at.
const FIRST_LINES: usize = 3;

impl Found {
    fn add(&mut self, m: &Message, charged: Decimal, saving: Decimal) {
        self.messages += 1;
        self.charged += charged;
        self.amount += saving.max(Decimal::ZERO).min(charged);
        if self.first.len() < FIRST_LINES {
            self.first.push((m.file, m.line));
        }
    }
}

/// A window's state for the kinds that look back.
#[derive(Debug, Clone, Copy, Default)]
struct Window {
    /// The last inbound message that opened the customer service window.
    last_inbound: Option<i64>,
    /// An entry-point message not yet answered, or answered late.
    entry_point: Option<EntryPoint>,
}

#[derive(Debug, Clone, Copy)]
struct EntryPoint {
    at: i64,
    /// The first reply came after the reply window: charges until the
    /// free window the reply would have opened are the missed saving.
    missed: bool,
}

/// A template's charges as marketing and whether it was charged as utility.
#[derive(Debug, Clone, Default)]
struct Template {
    utility_seen: bool,
    marketing: Found,
}

/// A business number's month under a service allowance: the free
/// service messages it used, and the service rates of the in-window
/// utility templates that a free non-template reply could have replaced
/// (the largest, as many as the allowance holds).
#[derive(Debug, Clone, Default)]
struct AllowanceMonth {
    count: u64,
    used: u64,
    replaceable: BinaryHeap<Reverse<Decimal>>,
}

impl AllowanceMonth {
    fn offer(&mut self, rate: Decimal) {
        self.replaceable.push(Reverse(rate));
        if self.replaceable.len() as u64 > self.count {
            self.replaceable.pop();
        }
    }

    /// What the allowance's unused room would have freed.
    fn unused_room(&self) -> Decimal {
        let room = self.count.saturating_sub(self.used) as usize;
        let mut rates: Vec<Decimal> = self.replaceable.iter().map(|r| r.0).collect();
        rates.sort_unstable_by(|a, b| b.cmp(a));
        rates.into_iter().take(room).sum()
    }
}

/// The savings sink.
#[derive(Debug)]
pub struct Savings<'p> {
    rating: Rating<'p>,
    pricing: &'p Pricing,
    switches: &'p BTreeMap<String, bool>,
    windows: IntMap<u64, Window>,
    templates: IntMap<u32, Template>,
    allowances: BTreeMap<(u16, Month), AllowanceMonth>,
    found: [Found; 5],
}

impl<'p> Savings<'p> {
    pub fn new(pricing: &'p Pricing, opts: &'p Options) -> Result<Savings<'p>, RateError> {
        Ok(Savings {
            rating: Rating::new(pricing, &opts.currency)?,
            pricing,
            switches: &opts.switches,
            windows: IntMap::default(),
            templates: IntMap::default(),
            allowances: BTreeMap::new(),
            found: Default::default(),
        })
    }

    /// Each kind with what it found, category changes gathered last.
    pub fn finish(mut self) -> Vec<(Kind, Found)> {
        let room: Decimal = self
            .allowances
            .values()
            .map(AllowanceMonth::unused_room)
            .sum();
        self.found[Kind::UtilityInWindow as usize].amount += room;
        for t in self.templates.values().filter(|t| t.utility_seen) {
            let f = &mut self.found[Kind::CategoryChanged as usize];
            f.messages += t.marketing.messages;
            f.charged += t.marketing.charged;
            f.amount += t.marketing.amount;
            let room = FIRST_LINES.saturating_sub(f.first.len());
            f.first.extend(t.marketing.first.iter().take(room));
        }
        Kind::ALL.into_iter().zip(self.found).collect()
    }

    /// The era in force on a date (its windows and free rules).
    fn era(&self, date: NaiveDate) -> Option<&'p Era> {
        let rules = &self.pricing.rules;
        rules.era_index(date).map(|i| &rules.eras[i])
    }

    /// What a message of `cat` would have cost instead: nothing where the
    /// era frees it in the window (`in_window`), else the card's rate.
    fn instead(&self, m: &Priced, cat: Category, in_window: bool) -> Option<Decimal> {
        let era = self.era(m.date)?;
        if era.free[cat.index()] || (in_window && era.free_in_csw[cat.index()]) {
            return Some(Decimal::ZERO);
        }
        let plan = self.rating.plan(m.date)?;
        plan.list_rate(m.resolved?.market, cat).ok().map(|f| f.rate)
    }

    fn inbound(&mut self, m: &Message, p: &Priced) {
        if p.opened_no_window {
            return;
        }
        let w = self.windows.entry(m.window_key()).or_default();
        w.last_inbound = Some(m.ts());
        if m.entry_point() {
            w.entry_point = Some(EntryPoint {
                at: m.ts(),
                missed: false,
            });
        }
    }

    /// An outbound message counts under at most one kind: a missed entry
    /// point first, then the kind of its category; a marketing template
    /// no kind took waits for its template's utility charges.
    fn outbound(&mut self, m: &Message, p: &Priced) {
        let (Some(class), Some(era)) = (p.class, self.era(p.date)) else {
            return;
        };
        let missed = self.entry_point(m, era);
        if class.pricing_type == PricingType::FreeTier {
            if let Some(a) = self.allowance(m, p, era) {
                a.used += 1;
            }
        }
        let named = m.is_template() && m.template_name != 0;
        if named && class.category == Category::Utility {
            self.templates
                .entry(m.template_name)
                .or_default()
                .utility_seen = true;
        }
        if p.cost <= Decimal::ZERO {
            return;
        }
        let kind = match missed {
            true => Some((Kind::MissedEntryPoint, Some(Decimal::ZERO))),
            false => self.kind_of(m, p, era),
        };
        match kind {
            Some((Kind::UtilityInWindow, Some(rate))) => {
                self.add(Kind::UtilityInWindow, m, p.cost, Some(rate));
                if let Some(a) = self.allowance(m, p, era) {
                    a.offer(rate.min(p.cost));
                }
            }
            Some((kind, instead)) => self.add(kind, m, p.cost, instead),
            None if named && class.category == Category::Marketing => self.template(m, p),
            None => {}
        }
    }

    /// The kind a charged message falls under by its category, and what
    /// the alternative would have cost.
    fn kind_of(&self, m: &Message, p: &Priced, era: &Era) -> Option<(Kind, Option<Decimal>)> {
        let class = p.class?;
        let template = m.is_template();
        match class.category {
            Category::Utility if template && class.in_window => Some((
                Kind::UtilityInWindow,
                self.instead(p, Category::Service, true),
            )),
            Category::Marketing if template && self.just_closed(m, era) => Some((
                Kind::MarketingAfterWindow,
                self.instead(p, Category::Service, true),
            )),
            Category::Service if !template => {
                Some((Kind::ServiceBeyondAllowance, Some(Decimal::ZERO)))
            }
            _ => None,
        }
    }

    /// The service allowance of the message's business number and month,
    /// when the era has one and its switch is on.
    fn allowance(&mut self, m: &Message, p: &Priced, era: &Era) -> Option<&mut AllowanceMonth> {
        let a = era.allowance.as_ref().filter(|a| a.is_on(self.switches))?;
        let month = self
            .allowances
            .entry((m.business_number(), p.month))
            .or_default();
        month.count = a.count;
        Some(month)
    }

    /// The customer's window closed less than a window's length ago.
    fn just_closed(&self, m: &Message, era: &Era) -> bool {
        let w = self.windows.get(&m.window_key());
        let closed = w.and_then(|w| w.last_inbound).map(|t| t + era.csw);
        closed.is_some_and(|c| m.ts() >= c && m.ts() < c + era.csw)
    }

    fn add(&mut self, kind: Kind, m: &Message, charged: Decimal, instead: Option<Decimal>) {
        if let Some(instead) = instead {
            self.found[kind as usize].add(m, charged, charged - instead);
        }
    }

    /// Follows an entry-point message: answered in time, the engine frees
    /// the window; answered late, each message until the free window a
    /// timely reply would have opened ends is a missed saving (true).
    fn entry_point(&mut self, m: &Message, era: &Era) -> bool {
        let Some(w) = self.windows.get_mut(&m.window_key()) else {
            return false;
        };
        let Some(ep) = w.entry_point.as_mut() else {
            return false;
        };
        let ts = m.ts();
        let answered = !ep.missed && ts <= ep.at + era.fep_reply;
        if answered || era.fep == 0 || ts >= ep.at + era.fep_reply + era.fep {
            w.entry_point = None;
            return false;
        }
        ep.missed = true;
        true
    }

    /// A marketing template's charge, saved (at the utility rate) when the
    /// same template is seen charged as utility.
    fn template(&mut self, m: &Message, p: &Priced) {
        let in_window = p.class.is_some_and(|c| c.in_window);
        let Some(utility) = self.instead(p, Category::Utility, in_window) else {
            return;
        };
        let t = self.templates.entry(m.template_name).or_default();
        t.marketing.add(m, p.cost, p.cost - utility);
    }
}

impl Sink for Savings<'_> {
    fn priced(&mut self, m: &Message, p: &Priced) {
        match (p.outcome, m.direction()) {
            (Outcome::Inbound, _) | (_, Direction::Inbound) => self.inbound(m, p),
            (Outcome::Billable | Outcome::Free, Direction::Outbound) => self.outbound(m, p),
            _ => {}
        }
    }

    fn restartable(&self) -> bool {
        true
    }

    fn restart(&mut self) {
        self.windows.clear();
        self.templates.clear();
        self.allowances.clear();
        self.found = Default::default();
    }
}
