//! The pricer: classifies and prices messages handed to it in time order,
//! each on the [`RatingPlan`] of its local day.

use rust_decimal::Decimal;

use crate::data::rules::{InForce, SwitchedOn};
use crate::data::{MarketId, Pricing, RateError};
use crate::engine::classify::{unpriced, Classification, Classifier, InForceFor, Outbound, Reason};
use crate::engine::customers::{CustomerMarkets, Unresolved};
use crate::engine::rating::{Rating, RatingPlan};
use crate::engine::recent_ids::{RecentIds, Status};
use crate::engine::tariff::{Tariff, Tier};
use crate::engine::{AuthInternational, Options, Outcome, Priced, Sink};
use crate::model::time::{date_of_day, Month, Zone};
use crate::model::{Category, Delivery, Direction, Message};

/// The state of one run: windows per contact, tier counters, recent ids.
pub struct Pricer<'p> {
    pricing: &'p Pricing,
    rating: Rating<'p>,
    /// Per time zone of the run (`--tz`, then `--tz WABA=ZONE`): its local
    /// day, and the message being priced's.
    locals: Vec<Local<'p>>,
    current: usize,
    tariff: Tariff,
    classifier: Classifier,
    /// Ids of messages whose status is final, and of those still waiting
    /// for one (remembered longer: Meta retries delivery for 30 days).
    ids: RecentIds,
    /// Per era: whether its allowance switch is on (switches are named by
    /// strings; this is looked up once, not per message).
    allowance_on: Vec<bool>,
    /// The dated exceptions switched on, and those in force on the local
    /// day of the last message (empty with every switch off).
    exceptions: SwitchedOn,
    /// Customers' markets: by phone number, user id country, group member.
    customers: CustomerMarkets<'p>,
    /// When authentication is priced as authentication-international.
    auth_international: Option<AuthInternational>,
    /// Per [`InboundKind`]: whether it opens the customer service window.
    opens_window: [bool; 4],
    delivery: DeliveryEvidence,
    /// The log's charged and max prices (issue 14), and the card's currency.
    prices: crate::ingest::prices::LogPrices,
    currency: &'p str,
    /// Why the run must start over with the whole input in memory: status
    /// rows repeat an id, or a file showed delivery evidence after a `sent`
    /// row of it was billed as delivered.
    pub(super) restart: Option<&'static str>,
}

/// What the pricer knows of the log's delivery evidence. Held in memory,
/// the readers resolved it (a `sent` message of a log without evidence is
/// [`Delivery::Unknown`]); streamed, it learns it as rows arrive.
#[derive(Debug, Default)]
struct DeliveryEvidence {
    learning: bool,
    /// A delivered message was seen.
    seen: bool,
    /// A `sent` message was billed as delivered before any was seen.
    assumed: bool,
}

impl DeliveryEvidence {
    /// A `sent` message: not delivered, unless the log has shown no
    /// delivery yet while streaming (then billed as delivered, assumed).
    fn undelivered(&mut self) -> bool {
        if !self.learning || self.seen {
            return true;
        }
        self.assumed = true;
        false
    }

    /// A delivered message: whether an earlier `sent` one was wrongly
    /// assumed delivered.
    fn delivered(&mut self) -> bool {
        self.seen = true;
        self.learning && self.assumed
    }
}

/// One time zone of the run: the local day of the last message priced in
/// it, and what follows from it.
#[derive(Debug)]
struct Local<'p> {
    zone: Zone,
    day: Option<Day<'p>>,
    /// The dated exceptions in force that day (empty with every switch off).
    in_force: InForce,
}

/// A local date and what the rules make of it.
#[derive(Debug, Clone, Copy)]
struct Day<'p> {
    /// Days since 1970-01-01, local.
    number: i64,
    date: chrono::NaiveDate,
    month: Month,
    /// `None` before the first era.
    plan: Option<RatingPlan<'p>>,
}

const REPEATED_FAILED: &str = "duplicate message id: an earlier row has the same id and was \
    counted; this row reports a failure, so check whether the message was delivered (Meta \
    bills delivered messages only)";
const RESTART_STATUS_ROWS: &str = "rows repeat message ids (one row per status): merged by id";
const RESTART_EVIDENCE: &str =
    "a file shows delivered statuses after rows that stop at sent: those were not delivered";
const RESTART_GROUPS: &str =
    "group messages: priced with the whole log in memory, where every group's members are known";
const REPEATED: &str = "duplicate message id: an earlier row has the same id (exports with one \
    row per status repeat it); the message is counted once, from its first row";

impl Priced {
    /// A verdict before classification: inbound until decided otherwise.
    #[inline]
    fn on(day: &Day<'_>) -> Priced {
        Priced {
            date: day.date,
            month: day.month,
            outcome: Outcome::Inbound,
            resolved: None,
            class: None,
            era: day.plan.map(|p| p.era_index),
            rate: Decimal::ZERO,
            cost: Decimal::ZERO,
            tier: Tier::None,
            confidence: None,
            reject: None,
            delivery_assumed: false,
            opened_no_window: false,
            market_source: Default::default(),
            log_price: None,
            cost_max: None,
            price_note: None,
        }
    }

    #[inline]
    fn rejected(mut self, why: String) -> Priced {
        self.outcome = Outcome::Rejected;
        self.reject = Some(why);
        self
    }
}

impl<'p> Pricer<'p> {
    pub fn new(
        pricing: &'p Pricing,
        opts: &'p Options,
        zone: &Zone,
    ) -> Result<Pricer<'p>, RateError> {
        Ok(Pricer {
            pricing,
            rating: Rating::new(pricing, &opts.currency)?.accepting(opts.accept),
            locals: local_zones(zone, opts),
            current: 0,
            tariff: Tariff::new(opts.seeds.clone()),
            classifier: Classifier::new(),
            ids: RecentIds::default(),
            allowance_on: allowance_switches(pricing, opts),
            exceptions: SwitchedOn::new(&pricing.rules, &pricing.markets, &opts.switches),
            customers: CustomerMarkets::new(&pricing.markets),
            auth_international: opts.auth_international.clone(),
            opens_window: opens_window(pricing, opts),
            delivery: DeliveryEvidence::default(),
            prices: Default::default(),
            currency: &opts.currency,
            restart: None,
        })
    }

    /// Gives the groups' members, read with the log held in memory.
    pub fn with_members(mut self, members: crate::ingest::identities::Members) -> Pricer<'p> {
        self.customers.with_members(members);
        self
    }

    /// Gives the log's prices, filled by the readers.
    pub fn with_prices(mut self, prices: crate::ingest::prices::LogPrices) -> Pricer<'p> {
        self.prices = prices;
        self
    }

    /// Streams: delivery evidence is learnt as rows arrive.
    pub(super) fn streaming(mut self) -> Pricer<'p> {
        self.delivery.learning = true;
        self
    }

    /// Prices `msgs` in order. Ids and contacts are spread over tables
    /// larger than the caches: prefetching a group's slots first lets their
    /// cache misses overlap instead of stalling one message at a time.
    pub fn price_all(&mut self, msgs: &[Message], sink: &mut dyn Sink) {
        for group in msgs.chunks(crate::ingest::prices::GROUP) {
            for m in group {
                if self.delivery.learning && m.direction() == Direction::Outbound {
                    self.ids.prefetch(m.id_hash);
                }
                self.classifier.prefetch(m.window_key());
            }
            let prices = self.prices.take_group(group);
            for (i, m) in group.iter().enumerate() {
                let mut p = self.price(m);
                if let Some(lp) = prices.as_ref().and_then(|t| t[i]) {
                    super::charged::apply(&mut p, lp, self.currency);
                }
                sink.priced(m, &p);
            }
        }
    }

    pub fn price(&mut self, m: &Message) -> Priced {
        let day = self.day_of(m.ts(), m.zone_index());
        let mut p = Priced::on(&day);
        let resolved = self.customers.resolve(m.contact(), day.date);
        if let Ok((r, source)) = resolved {
            (p.resolved, p.market_source) = (Some(r), source);
        }
        if let Some(why) = self.repeated(m) {
            return p.rejected(why.into());
        }
        if m.direction() == Direction::Inbound {
            self.inbound(m, &mut p);
            return p;
        }
        if !self.delivered(m, &mut p) {
            return p;
        }
        let Some(plan) = day.plan else {
            return p.rejected(self.no_rules());
        };
        let r = match resolved {
            Ok((r, _)) => r,
            Err(Unresolved::Why(e)) => return p.rejected(e),
            Err(Unresolved::NoMembers) => {
                self.restart = Some(RESTART_GROUPS);
                return p.rejected(RESTART_GROUPS.into());
            }
        };
        let market = r.market;
        let class = self.classify(m, &plan, market);
        let class = self.international(m, &plan, &r, class);
        p.class = Some(class);
        if !class.pricing_type.is_billable() {
            p.outcome = Outcome::Free;
            return p;
        }
        self.charge(&mut p, &plan, market);
        p
    }

    /// An inbound row opens or refreshes the window of its business number
    /// and customer, unless its kind is switched off.
    #[inline]
    fn inbound(&mut self, m: &Message, p: &mut Priced) {
        if !self.opens_window[m.inbound_kind() as usize] {
            p.opened_no_window = true;
            return;
        }
        self.classifier
            .inbound(m.window_key(), m.ts(), m.entry_point());
    }

    /// Whether an outbound message was delivered (or is billed as if it
    /// were, said so); otherwise its outcome is set.
    #[inline]
    fn delivered(&mut self, m: &Message, p: &mut Priced) -> bool {
        match m.delivery() {
            Delivery::Delivered => {
                if self.delivery.delivered() {
                    self.restart = Some(RESTART_EVIDENCE);
                }
                true
            }
            Delivery::Failed => {
                p.outcome = Outcome::Failed;
                false
            }
            Delivery::Sent if self.delivery.undelivered() => {
                p.outcome = Outcome::Undelivered;
                false
            }
            Delivery::Sent | Delivery::Unknown => {
                p.delivery_assumed = true;
                true
            }
        }
    }

    /// An authentication template of a CSV log priced as Meta prices it for
    /// a business that pays authentication-international: delivered on or
    /// after its start, to a user of another country, in a market with that
    /// rate. Webhooks keep Meta's own category.
    #[inline]
    fn international(
        &self,
        m: &Message,
        plan: &RatingPlan<'_>,
        r: &crate::data::Resolved,
        mut class: Classification,
    ) -> Classification {
        let Some(ai) = &self.auth_international else {
            return class;
        };
        let intl = Category::AuthenticationInternational;
        if class.category == Category::Authentication
            && !m.meta_category()
            && plan.date >= ai.from
            && r.country_str() != ai.country
            && plan.offers(r.market, intl)
        {
            class.category = intl;
        }
        class
    }

    /// Why a message repeats an id seen recently, when it does. Streamed,
    /// a repeated id means rows per status: the run starts over in memory,
    /// where they are merged into one message.
    #[inline]
    fn repeated(&mut self, m: &Message) -> Option<&'static str> {
        // An inbound row repeated is the same window opened twice: nothing
        // to merge, nothing to remember.
        // Held in memory, the rows of each id were merged before pricing
        // (`engine::statuses`): no id repeats, nothing to remember.
        if !self.delivery.learning || m.direction() == Direction::Inbound || m.id_hash == 0 {
            return None;
        }
        let (h, ts) = (m.id_hash, m.ts());
        let status = match m.delivery() {
            // No later row can change what a row without status says.
            Delivery::Delivered | Delivery::Failed | Delivery::Unknown => Status::Final,
            Delivery::Sent => Status::Pending,
        };
        let seen = self.ids.seen(h, ts, status);
        if seen && self.delivery.learning {
            self.restart = Some(RESTART_STATUS_ROWS);
        }
        seen.then_some(if m.failed() {
            REPEATED_FAILED
        } else {
            REPEATED
        })
    }

    #[cold]
    fn no_rules(&self) -> String {
        self.pricing.rules.before_first_era()
    }

    /// The local day of an instant in the zone of its WABA, from the last
    /// message's there when the same.
    #[inline]
    fn day_of(&mut self, ts: i64, zone: usize) -> Day<'p> {
        self.current = if zone < self.locals.len() { zone } else { 0 };
        let local = &mut self.locals[self.current];
        let number = local.zone.local_day(ts);
        match local.day {
            Some(day) if day.number == number => day,
            _ => self.new_day(number),
        }
    }

    #[cold]
    fn new_day(&mut self, number: i64) -> Day<'p> {
        let date = date_of_day(number);
        let day = Day {
            number,
            date,
            month: Month::of(date),
            plan: self.rating.plan(date),
        };
        let local = &mut self.locals[self.current];
        local.in_force = self.exceptions.on(date);
        local.day = Some(day);
        day
    }

    #[inline]
    fn classify(&mut self, m: &Message, plan: &RatingPlan<'_>, market: MarketId) -> Classification {
        let on = self.allowance_on.get(plan.era_index).copied();
        let f = InForceFor {
            allowance_on: on.unwrap_or(false),
            exceptions: &self.locals[self.current].in_force,
            market,
        };
        self.classifier.outbound_in(
            Outbound {
                contact: m.window_key(),
                ts: m.ts(),
                template: m.is_template(),
                category: m.category(),
                business_number: u32::from(m.business_number()),
                month: (plan.month.year, plan.month.month),
            },
            plan.era,
            f,
        )
    }

    /// Prices a charged message (in place: a verdict is too large to
    /// copy per message); a missing rate rejects it.
    #[inline]
    fn charge(&mut self, p: &mut Priced, plan: &RatingPlan<'_>, market: MarketId) {
        let Some(class) = p.class else { return };
        if let Reason::ExceptionUnpriced { rule } = class.reason {
            return unpriced_rejection(p, unpriced(rule, class.category));
        }
        match self.tariff.charge(plan, market, class.category) {
            Ok(c) => {
                p.outcome = Outcome::Billable;
                p.rate = c.rate;
                p.cost = c.rate;
                p.tier = c.tier;
                p.confidence = Some(c.confidence);
            }
            Err(e) => {
                // Not priced: the classification must not claim a charge.
                p.class = None;
                p.outcome = Outcome::Rejected;
                p.reject = Some(e.to_string());
            }
        }
    }
}

/// The run's zones, in [`crate::model::time::zone_table`]'s order.
fn local_zones<'p>(zone: &Zone, opts: &Options) -> Vec<Local<'p>> {
    let (zones, _) = crate::model::time::zone_table(zone, &opts.waba_zones);
    zones
        .into_iter()
        .map(|zone| Local {
            zone,
            day: None,
            in_force: InForce::default(),
        })
        .collect()
}

/// Per [`InboundKind`] (message, reaction, system, call): whether the
/// switches let it open the customer service window.
fn opens_window(pricing: &Pricing, opts: &Options) -> [bool; 4] {
    let on = |name| pricing.rules.switches.on(name, &opts.switches);
    [
        true,
        on("reactions-open-window"),
        on("system-messages-open-window"),
        on("calls-open-window"),
    ]
}

/// Per era: whether its allowance switch is on.
fn allowance_switches(pricing: &Pricing, opts: &Options) -> Vec<bool> {
    let on = |a: &crate::data::rules::Allowance| a.is_on(&opts.switches);
    pricing
        .rules
        .eras
        .iter()
        .map(|era| era.allowance.as_ref().is_some_and(on))
        .collect()
}

/// A message a dated exception charges at a rate the data lacks: rejected,
/// named, never priced at 0.
#[cold]
fn unpriced_rejection(p: &mut Priced, why: String) {
    p.class = None;
    p.outcome = Outcome::Rejected;
    p.reject = Some(why);
}
