//! The classification engine: per contact, in time order, which window is
//! open and which rule of the era in force decides each message. It knows
//! nothing about rates; [`crate::engine::tariff`] prices what it calls `regular`.

use crate::data::rules::{
    Active, AllowanceUnit, Effect, Era, ExceptionRate, Frees, InForce, RuleName,
};
use crate::data::MarketId;
use crate::engine::allowance::Allowances;
use crate::engine::contacts::{opt, Contacts, NONE};
use crate::model::{Category, PricingModel, PricingType};

use crate::engine::contacts::ContactState;

/// Why a message got its pricing type: printed as the `rule` of detail rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Charged per message (per-message pricing).
    Charged,
    /// Charged although a customer service window was open (the window
    /// frees nothing of this category in this era).
    ChargedInWindow { since: i64 },
    /// Conversation-based pricing: this message opened a conversation.
    OpenedConversation,
    /// Conversation-based pricing: inside a conversation opened at `since`.
    InConversation { since: i64 },
    /// A utility conversation opened under CBP before 2025-07-01 was still
    /// open (Meta's documented edge case).
    CbpCarryover { since: i64 },
    /// Reply within the reply limit to an entry-point message: opens the
    /// free entry point window (of a length an exception sets, if `rule`).
    OpenedFreeEntryPoint {
        inbound: i64,
        rule: Option<RuleName>,
    },
    /// Inside a free entry point window opened at `since`; `rule` names
    /// the exception whose longer window alone frees the message.
    InFreeEntryPoint { since: i64, rule: Option<RuleName> },
    /// Free inside the customer service window opened by the inbound at `since`.
    InCustomerServiceWindow { since: i64 },
    /// Non-template message with no logged inbound: Meta delivers these only
    /// inside an open window, so one was open before the log starts.
    AssumedWindow,
    /// The category is free in this era.
    FreeCategory,
    /// Unit `n` of the monthly allowance.
    Allowance { n: u64 },
    /// A dated exception charges the message at the card's rate.
    ExceptionCharged { rule: RuleName },
    /// A dated exception charges the message, at a rate the pricing data
    /// lacks: the pricer rejects it.
    ExceptionUnpriced { rule: RuleName },
    /// A dated exception frees a message the era would charge.
    ExceptionFree { rule: RuleName },
}

impl Reason {
    /// A short English explanation, times as offsets from the message.
    pub fn explain(&self, ts: i64, cat: Category) -> String {
        let ago = |t: i64| fmt_ago(ts - t);
        match *self {
            Reason::Charged => format!("{cat} message charged"),
            Reason::ChargedInWindow { since } => format!(
                "{cat} charged even inside the customer service window (customer wrote {} before)",
                ago(since)
            ),
            Reason::OpenedConversation => {
                format!("opened a {cat} conversation (charged once per 24h)")
            }
            Reason::InConversation { since } => {
                format!("inside a conversation opened {} before", ago(since))
            }
            Reason::CbpCarryover { since } => format!(
                "utility conversation opened under CBP {} before still open",
                ago(since)
            ),
            Reason::OpenedFreeEntryPoint { inbound, rule } => format!(
                "reply {} after an entry-point message: opens a free entry point window{}",
                ago(inbound),
                longer(rule)
            ),
            Reason::InFreeEntryPoint { since, rule } => format!(
                "inside the free entry point window opened {} before{}",
                ago(since),
                longer(rule)
            ),
            Reason::InCustomerServiceWindow { since } => format!(
                "{cat} inside the customer service window (customer wrote {} before)",
                ago(since)
            ),
            Reason::AssumedWindow => {
                "non-template message with no logged inbound: a window opened before the log".into()
            }
            Reason::FreeCategory => format!("{cat} is free in this era"),
            Reason::Allowance { n } => format!("service unit {n} of the monthly free allowance"),
            Reason::ExceptionCharged { rule } => format!(
                "exception {} (switched on): {cat} charged, no free window or free tier",
                rule.as_str()
            ),
            Reason::ExceptionUnpriced { rule } => unpriced(rule, cat),
            Reason::ExceptionFree { rule } => format!(
                "exception {} (switched on): {cat} free where the era charges it",
                rule.as_str()
            ),
        }
    }
}

/// Why a message an exception charges has no price.
pub fn unpriced(rule: RuleName, cat: Category) -> String {
    format!(
        "exception {} (switched on): Meta charges this {cat} message, but its rate is not \
         published in the pricing data (see the exception's source in rules.toml); not priced",
        rule.as_str()
    )
}

/// The exception that made a free entry point window longer, if any.
fn longer(rule: Option<RuleName>) -> String {
    rule.map_or(String::new(), |r| {
        format!(" (longer under exception {})", r.as_str())
    })
}

fn fmt_ago(secs: i64) -> String {
    let m = secs.max(0) / 60;
    if m >= 60 {
        format!("{}h{:02}m", m / 60, m % 60)
    } else {
        format!("{m}m")
    }
}

/// The outcome of classifying one delivered outbound message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    pub category: Category,
    pub pricing_type: PricingType,
    pub reason: Reason,
    /// A customer service window was open (whatever it made free): the
    /// share forecasts learn from logs.
    pub in_window: bool,
}

/// Classifies messages of all contacts, in time order.
#[derive(Debug, Default)]
pub struct Classifier {
    contacts: Contacts,
    allowance: Allowances,
}

/// One outbound message as the classifier needs it.
#[derive(Debug, Clone, Copy)]
pub struct Outbound {
    pub contact: u64,
    pub ts: i64,
    pub template: bool,
    pub category: Option<Category>,
    pub business_number: u32,
    /// (year, month) in the WABA zone, for monthly allowances.
    pub month: (i32, u32),
}

/// What is in force for a message besides its era: the allowance switch
/// and the day's dated exceptions, with the market exceptions ask about.
#[derive(Debug, Clone, Copy)]
pub struct InForceFor<'a> {
    pub allowance_on: bool,
    pub exceptions: &'a InForce,
    pub market: MarketId,
}

/// A message being classified: the message, its contact's state, the era
/// and what follows from them before any rule applies.
struct Case<'a> {
    m: &'a Outbound,
    s: &'a mut ContactState,
    era: &'a Era,
    cat: Category,
    /// The open customer service window: when the customer wrote.
    window: Option<i64>,
    exceptions: &'a InForce,
    market: MarketId,
}

impl<'a> Case<'a> {
    #[inline]
    fn class(&self, pricing_type: PricingType, reason: Reason) -> Classification {
        Classification {
            category: self.cat,
            pricing_type,
            reason,
            in_window: self.window.is_some(),
        }
    }

    /// The reply that opens a free entry point window, or a message inside
    /// one. A reply too late forgets the entry-point message.
    #[inline]
    fn free_entry_point(&mut self) -> Option<Classification> {
        let (m, era) = (self.m, self.era);
        if self.entry_point_inside_cbp_window() {
            self.s.pending_entry_point = NONE;
        }
        if let Some(t) = opt(self.s.pending_entry_point) {
            if m.ts >= t && m.ts - t < era.fep_reply {
                let rule = self.open_free_entry_point();
                return Some(self.class(
                    PricingType::FreeEntryPoint,
                    Reason::OpenedFreeEntryPoint { inbound: t, rule },
                ));
            }
            if m.ts - t >= era.fep_reply {
                self.s.pending_entry_point = NONE;
            }
        }
        let since = opt(self.s.fep_since).filter(|_| m.ts < self.s.fep_until)?;
        let rule = self
            .exceptions
            .fep
            .filter(|_| m.ts - since >= era.fep)
            .map(|(_, r)| r);
        Some(self.class(
            PricingType::FreeEntryPoint,
            Reason::InFreeEntryPoint { since, rule },
        ))
    }

    /// Conversation-based pricing: an entry-point message that arrives
    /// while a free entry point conversation is open opens nothing and
    /// does not extend it (M-CBP: "no new conversations will be opened
    /// until the free entry point conversation expires").
    fn entry_point_inside_cbp_window(&self) -> bool {
        let s = &*self.s;
        self.era.model == PricingModel::Cbp
            && opt(s.pending_entry_point)
                .is_some_and(|t| opt(s.fep_since).is_some_and(|f| t >= f) && t < s.fep_until)
    }

    /// Opens the window, of the era's length or an exception's: the
    /// exception, when it sets the length.
    fn open_free_entry_point(&mut self) -> Option<RuleName> {
        let (secs, rule) = match self.exceptions.fep {
            Some((secs, rule)) => (secs, Some(rule)),
            None => (self.era.fep, None),
        };
        let s = &mut *self.s;
        s.pending_entry_point = NONE;
        s.fep_since = self.m.ts;
        s.fep_until = self.m.ts + secs;
        if self.era.model == PricingModel::Cbp {
            // An FEP conversation closes every other conversation.
            s.conversations = None;
        }
        rule
    }

    /// CBP: the open conversation a message joins (a template its own
    /// category's, a non-template the oldest of any).
    #[inline]
    fn joined_conversation(&self) -> Option<Classification> {
        let ts = self.m.ts;
        let open = |c: Category| self.s.conversation(c).filter(|&(_, until)| ts < until);
        let since = if self.m.template {
            open(self.cat)?.0
        } else {
            Category::ALL
                .iter()
                .filter_map(|&c| open(c))
                .min_by_key(|x| x.0)?
                .0
        };
        Some(self.class(
            PricingType::InConversation,
            Reason::InConversation { since },
        ))
    }

    /// PMP: a utility message inside a utility conversation opened under
    /// CBP before 2025-07-01.
    #[inline]
    fn cbp_carryover(&self) -> Option<Classification> {
        if self.cat != Category::Utility {
            return None;
        }
        let (since, until) = self.s.conversation(self.cat)?;
        (self.m.ts < until)
            .then(|| self.class(PricingType::InConversation, Reason::CbpCarryover { since }))
    }

    /// A message the era's rules free, by [`Era::frees`]; otherwise what
    /// is left: the allowance to ask, or nothing.
    #[inline]
    fn freed(&self) -> Result<Classification, Frees> {
        let free = PricingType::FreeCustomerService;
        match self
            .era
            .frees(self.cat, self.m.template, self.window.is_some())
        {
            Frees::Category => Ok(self.class(free, Reason::FreeCategory)),
            Frees::InWindow => Ok(self.class(
                free,
                Reason::InCustomerServiceWindow {
                    since: self.window.unwrap_or(self.m.ts),
                },
            )),
            Frees::AssumedWindow => Ok(self.class(free, Reason::AssumedWindow)),
            rest => Err(rest),
        }
    }

    /// PMP: the charge of a message no rule freed.
    fn charged(&self) -> Classification {
        match self.window {
            Some(since) => self.class(PricingType::Regular, Reason::ChargedInWindow { since }),
            None => self.class(PricingType::Regular, Reason::Charged),
        }
    }

    /// PMP: the dated exception concerning this message, if any.
    #[inline]
    fn exception(&self) -> Option<&'a Active> {
        self.exceptions.for_message(self.cat, self.market)
    }

    /// A message an exception charges whatever would free it.
    fn charged_by(&self, rule: RuleName, rate: ExceptionRate) -> Classification {
        let reason = match rate {
            ExceptionRate::Card => Reason::ExceptionCharged { rule },
            ExceptionRate::Unpublished => Reason::ExceptionUnpriced { rule },
        };
        self.class(PricingType::Regular, reason)
    }

    /// A message no era rule freed: charged, unless an exception frees it.
    fn charged_unless(&self, exception: Option<&Active>) -> Classification {
        match exception {
            Some(a) if a.effect == Effect::Free => self.class(
                PricingType::FreeCustomerService,
                Reason::ExceptionFree { rule: a.name },
            ),
            _ => self.charged(),
        }
    }
}

impl Classifier {
    pub fn new() -> Classifier {
        Classifier::default()
    }

    /// Asks the CPU for a contact's state (see
    /// [`crate::engine::Pricer::price_all`]).
    #[inline]
    pub fn prefetch(&self, contact: u64) {
        self.contacts.prefetch(contact);
    }

    /// Records an inbound message: it opens or refreshes the customer
    /// service window, and an entry-point message waits for a reply.
    #[inline]
    pub fn inbound(&mut self, contact: u64, ts: i64, entry_point: bool) {
        let s = self.contacts.entry(contact);
        s.last_inbound = opt(s.last_inbound).map_or(ts, |t| t.max(ts));
        if entry_point {
            s.pending_entry_point = ts;
        }
    }

    /// Classifies a delivered outbound message under `era`; `allowance_on`
    /// says whether the era's allowance switch is on. No dated exception
    /// applies (see [`Classifier::outbound_in`]).
    pub fn outbound(&mut self, m: Outbound, era: &Era, allowance_on: bool) -> Classification {
        let none = InForce::default();
        let f = InForceFor {
            allowance_on,
            exceptions: &none,
            market: 0,
        };
        self.outbound_in(m, era, f)
    }

    /// Classifies a delivered outbound message under `era` and what else
    /// is in force: the one place dated exceptions apply.
    pub fn outbound_in(&mut self, m: Outbound, era: &Era, f: InForceFor<'_>) -> Classification {
        let allowance_on = f.allowance_on;
        let cat = match m.category {
            Some(c) if m.template => c,
            _ => Category::Service,
        };
        let s = self.contacts.entry(m.contact);
        let window = opt(s.last_inbound).filter(|&t| m.ts >= t && m.ts - t < era.csw);
        let mut case = Case {
            m: &m,
            s,
            era,
            cat,
            window,
            exceptions: f.exceptions,
            market: f.market,
        };
        if let Some(k) = case.free_entry_point() {
            return k;
        }
        let allowance = &mut self.allowance;
        match era.model {
            PricingModel::Cbp => cbp(case, allowance, allowance_on),
            PricingModel::Pmp => pmp(case, allowance, allowance_on),
        }
    }
}

/// Conversation-based pricing: a message joins an open conversation or
/// opens one (a non-template a service conversation), charged unless the
/// era frees it; the allowance counts the conversations it opens.
#[inline]
fn cbp(case: Case<'_>, allowance: &mut Allowances, on: bool) -> Classification {
    if let Some(k) = case.joined_conversation() {
        return k;
    }
    let opened = if case.m.template {
        case.cat
    } else {
        Category::Service
    };
    let until = case.m.ts + case.era.conversation;
    case.s.open_conversation(opened, case.m.ts, until);
    let unit = AllowanceUnit::Conversation;
    match case.freed() {
        Ok(k) => k,
        Err(Frees::Allowance) => match allowance.unit(case.era, unit, on, case.m) {
            Some(n) => case.class(PricingType::FreeTier, Reason::Allowance { n }),
            None => case.class(PricingType::Regular, Reason::OpenedConversation),
        },
        Err(_) => case.class(PricingType::Regular, Reason::OpenedConversation),
    }
}

/// Per-message pricing: each message charged unless the CBP carry-over,
/// the era's free rules or the allowance (counting messages) free it; a
/// dated exception charges what they would free, or frees what is left.
#[inline]
fn pmp(case: Case<'_>, allowance: &mut Allowances, on: bool) -> Classification {
    if let Some(k) = case.cbp_carryover() {
        return k;
    }
    let exception = case.exception();
    if let Some(a) = exception {
        if let Effect::Charge(rate) = a.effect {
            return case.charged_by(a.name, rate);
        }
    }
    match case.freed() {
        Ok(k) => k,
        Err(Frees::Allowance) => match allowance.unit(case.era, AllowanceUnit::Message, on, case.m)
        {
            Some(n) => case.class(PricingType::FreeTier, Reason::Allowance { n }),
            None => case.charged_unless(exception),
        },
        Err(_) => case.charged_unless(exception),
    }
}

#[cfg(test)]
mod tests {
    //! Scenario tests per rule; each names its source. Times in hours.
    use super::*;

    use crate::data::rules::Rules;
    use crate::model::time::{parse_date, HOUR};

    fn rules() -> Rules {
        Rules::load(include_str!("../../pricing/rules.toml")).unwrap()
    }

    fn era<'r>(r: &'r Rules, d: &str) -> &'r Era {
        &r.eras[r.era_index(parse_date(d).unwrap()).unwrap()]
    }

    fn out(ts: i64, cat: Option<Category>) -> Outbound {
        Outbound {
            contact: 5511987654321,
            ts,
            template: cat.is_some(),
            category: cat,
            business_number: 1,
            month: (2026, 10),
        }
    }

    const C: u64 = 5511987654321;

    #[test]
    fn customer_service_window_is_24_hours_to_the_second() {
        // M-PRICING 2026-03: utility templates free inside an open window (2025-07..2026-09).
        let r = rules();
        let e = era(&r, "2025-08-01");
        let mut c = Classifier::new();
        c.inbound(C, 0, false);
        let a = c.outbound(out(24 * HOUR - 1, Some(Category::Utility)), e, true);
        assert_eq!(a.pricing_type, PricingType::FreeCustomerService);
        let b = c.outbound(out(24 * HOUR, Some(Category::Utility)), e, true);
        assert_eq!(b.pricing_type, PricingType::Regular);
    }

    #[test]
    fn marketing_and_authentication_are_charged_inside_the_window() {
        // M-PRICING 2026-03 billability matrix.
        let r = rules();
        let e = era(&r, "2025-08-01");
        let mut c = Classifier::new();
        c.inbound(C, 0, false);
        for cat in [Category::Marketing, Category::Authentication] {
            assert_eq!(
                c.outbound(out(HOUR, Some(cat)), e, true).pricing_type,
                PricingType::Regular
            );
        }
        assert_eq!(
            c.outbound(out(HOUR, None), e, true).pricing_type,
            PricingType::FreeCustomerService
        );
    }

    #[test]
    fn from_october_2026_window_no_longer_frees_utility_or_service() {
        // M-NONTEMPLATE: service and in-window utility charged from 2026-10-01.
        let r = rules();
        let e = era(&r, "2026-10-01");
        let mut c = Classifier::new();
        c.inbound(C, 0, false);
        assert_eq!(
            c.outbound(out(HOUR, Some(Category::Utility)), e, false)
                .pricing_type,
            PricingType::Regular
        );
        assert_eq!(
            c.outbound(out(HOUR, None), e, false).pricing_type,
            PricingType::Regular
        );
    }

    #[test]
    fn service_allowance_counts_per_business_number_and_month() {
        // Reported Meta wording: 1,000 free service messages per number per month from 2026-10.
        let r = rules();
        let e = era(&r, "2026-10-01");
        let mut c = Classifier::new();
        c.inbound(C, 0, false);
        for i in 1..=1000 {
            let k = c.outbound(out(HOUR, None), e, true);
            assert_eq!(
                (k.pricing_type, k.reason),
                (PricingType::FreeTier, Reason::Allowance { n: i })
            );
        }
        assert_eq!(
            c.outbound(out(HOUR, None), e, true).pricing_type,
            PricingType::Regular
        );
        let mut other = out(HOUR, None);
        other.business_number = 2;
        assert_eq!(
            c.outbound(other, e, true).pricing_type,
            PricingType::FreeTier
        );
        let mut next_month = out(HOUR, None);
        next_month.month = (2026, 11);
        assert_eq!(
            c.outbound(next_month, e, true).pricing_type,
            PricingType::FreeTier
        );
    }

    #[test]
    fn the_allowance_counts_the_unit_its_era_names() {
        // unit = "message" (PMP): each service message; a PMP era counting
        // conversations (refused by Rules::load) frees none per message.
        let r = rules();
        let mut e = era(&r, "2026-10-01").clone();
        let mut c = Classifier::new();
        assert_eq!(
            c.outbound(out(HOUR, None), &e, true).pricing_type,
            PricingType::FreeTier
        );
        e.allowance.as_mut().unwrap().unit = crate::data::rules::AllowanceUnit::Conversation;
        assert_eq!(
            c.outbound(out(2 * HOUR, None), &e, true).pricing_type,
            PricingType::Regular
        );
        // unit = "conversation" (CBP): only the message opening a conversation.
        let cbp = era(&r, "2024-03-01");
        let mut c = Classifier::new();
        let k = |c: &mut Classifier, h| c.outbound(out(h * HOUR, None), cbp, true).reason;
        assert_eq!(k(&mut c, 0), Reason::Allowance { n: 1 });
        assert_eq!(k(&mut c, 1), Reason::InConversation { since: 0 });
        assert_eq!(k(&mut c, 25), Reason::Allowance { n: 2 });
    }

    #[test]
    fn free_entry_point_needs_a_reply_within_24h_and_lasts_72h() {
        // M-PRICING "Free Entry Point windows"; M-CBP.
        let r = rules();
        let e = era(&r, "2026-10-01");
        let mut c = Classifier::new();
        c.inbound(C, 0, true);
        let open = c.outbound(out(23 * HOUR, None), e, false);
        assert_eq!(
            open.reason,
            Reason::OpenedFreeEntryPoint {
                inbound: 0,
                rule: None
            }
        );
        let inside = c.outbound(
            out(23 * HOUR + 72 * HOUR - 1, Some(Category::Marketing)),
            e,
            false,
        );
        assert_eq!(inside.pricing_type, PricingType::FreeEntryPoint);
        let after = c.outbound(
            out(23 * HOUR + 72 * HOUR, Some(Category::Marketing)),
            e,
            false,
        );
        assert_eq!(after.pricing_type, PricingType::Regular);

        let mut late = Classifier::new();
        late.inbound(C, 0, true);
        let k = late.outbound(out(24 * HOUR, Some(Category::Utility)), e, false);
        assert_eq!(
            k.pricing_type,
            PricingType::Regular,
            "a reply after 24h opens no window"
        );
    }

    #[test]
    fn cbp_an_entry_point_inside_an_open_free_entry_point_conversation_opens_nothing() {
        // M-CBP, "Free entry point conversations": "no new conversations will
        // be opened until the free entry point conversation expires".
        let r = rules();
        let cbp = era(&r, "2024-11-01");
        let mut c = Classifier::new();
        c.inbound(C, 0, true);
        let open = c.outbound(out(HOUR, Some(Category::Marketing)), cbp, true);
        assert_eq!(open.pricing_type, PricingType::FreeEntryPoint);
        // A second ad click 48 hours in, answered at once: still the first
        // window, which ends 72 hours after the first reply.
        c.inbound(C, 48 * HOUR, true);
        let again = c.outbound(out(48 * HOUR + 60, Some(Category::Marketing)), cbp, true);
        assert_eq!(
            again.reason,
            Reason::InFreeEntryPoint {
                since: HOUR,
                rule: None
            }
        );
        let after = c.outbound(out(73 * HOUR, Some(Category::Marketing)), cbp, true);
        assert_eq!(after.pricing_type, PricingType::Regular, "not extended");
    }

    #[test]
    fn cbp_conversations_per_category() {
        // M-CBP: marketing at h0 and utility at h4 -> 2 conversations; utility at h10 adds none.
        let r = rules();
        let e = era(&r, "2025-03-01");
        let mut c = Classifier::new();
        let k = |c: &mut Classifier, h, cat| c.outbound(out(h * HOUR, cat), e, true).pricing_type;
        assert_eq!(
            k(&mut c, 0, Some(Category::Marketing)),
            PricingType::Regular
        );
        assert_eq!(k(&mut c, 4, Some(Category::Utility)), PricingType::Regular);
        assert_eq!(
            k(&mut c, 10, Some(Category::Utility)),
            PricingType::InConversation
        );
        assert_eq!(
            k(&mut c, 11, None),
            PricingType::InConversation,
            "free-form joins an open conversation"
        );
        assert_eq!(
            k(&mut c, 28, Some(Category::Utility)),
            PricingType::Regular,
            "24h later a new one opens"
        );
    }

    #[test]
    fn cbp_free_tier_then_paid_service_before_november_2024() {
        // M-CBP "Free Tier conversations": 1,000 service conversations per WABA per month.
        let r = rules();
        let e = era(&r, "2024-03-01");
        let mut c = Classifier::new();
        for i in 0..1000u64 {
            let mut m = out(0, None);
            m.contact = 5511900000000 + i;
            assert_eq!(c.outbound(m, e, true).pricing_type, PricingType::FreeTier);
        }
        let mut m = out(0, None);
        m.contact = 5511800000000;
        assert_eq!(c.outbound(m, e, true).pricing_type, PricingType::Regular);
        // From 2024-11-01 service conversations are free.
        let e2 = era(&r, "2024-11-01");
        m.contact = 5511700000000;
        assert_eq!(
            c.outbound(m, e2, true).pricing_type,
            PricingType::FreeCustomerService
        );
    }

    #[test]
    fn cbp_utility_conversation_carries_over_into_pmp() {
        // M-PRICING "Edge case": utility in a CBP conversation open across 2025-07-01 is free.
        let r = rules();
        let mut c = Classifier::new();
        c.outbound(out(0, Some(Category::Utility)), era(&r, "2025-06-30"), true);
        let k = c.outbound(
            out(5 * HOUR, Some(Category::Utility)),
            era(&r, "2025-07-01"),
            true,
        );
        assert_eq!(k.pricing_type, PricingType::InConversation);
        let k = c.outbound(
            out(25 * HOUR, Some(Category::Utility)),
            era(&r, "2025-07-01"),
            true,
        );
        assert_eq!(k.pricing_type, PricingType::Regular);
    }

    #[test]
    fn non_template_without_logged_inbound_assumes_a_window_before_october_2026() {
        let r = rules();
        let mut c = Classifier::new();
        let k = c.outbound(out(0, None), era(&r, "2025-08-01"), true);
        assert_eq!(
            (k.pricing_type, k.reason),
            (PricingType::FreeCustomerService, Reason::AssumedWindow)
        );
    }

    /// The exceptions in force on `day` with the `on` switches, and the
    /// market id of `market`.
    fn in_force(on: &[&str], day: &str, market: &str) -> (InForce, MarketId) {
        let p = crate::data::Pricing::bundled().unwrap();
        let switches = on.iter().map(|s| (s.to_string(), true)).collect();
        let s = crate::data::rules::SwitchedOn::new(&p.rules, &p.markets, &switches);
        (
            s.on(parse_date(day).unwrap()),
            p.markets.id(market).unwrap(),
        )
    }

    fn under(c: &mut Classifier, m: Outbound, e: &Era, x: &(InForce, MarketId)) -> Classification {
        let f = InForceFor {
            allowance_on: true,
            exceptions: &x.0,
            market: x.1,
        };
        c.outbound_in(m, e, f)
    }

    #[test]
    fn ai_provider_brazil_charges_service_in_the_window_only_when_switched_on() {
        // Meta, "New pricing policy for AI Providers": every non-template message to
        // Brazil (+55) from 2026-03-11; rate not in the pricing data.
        let r = rules();
        let e = era(&r, "2026-04-10");
        for (on, market, want) in [
            (&["ai-provider-brazil"][..], "Brazil", PricingType::Regular),
            (&[][..], "Brazil", PricingType::FreeCustomerService),
            (
                &["ai-provider-brazil"][..],
                "Mexico",
                PricingType::FreeCustomerService,
            ),
        ] {
            let x = in_force(on, "2026-04-10", market);
            let mut c = Classifier::new();
            c.inbound(C, 0, false);
            let k = under(&mut c, out(HOUR, None), e, &x);
            assert_eq!(k.pricing_type, want, "{on:?} {market}");
            let unpriced = matches!(k.reason, Reason::ExceptionUnpriced { rule } if rule.as_str() == "ai-provider-brazil");
            assert_eq!(unpriced, want == PricingType::Regular, "{:?}", k.reason);
        }
        // From October no free tier frees them either.
        let x = in_force(&["ai-provider-brazil"], "2026-10-10", "Brazil");
        let k = under(
            &mut Classifier::new(),
            out(HOUR, None),
            era(&r, "2026-10-10"),
            &x,
        );
        assert!(
            matches!(k.reason, Reason::ExceptionUnpriced { .. }),
            "{k:?}"
        );
        // Templates are not concerned.
        let k = under(
            &mut Classifier::new(),
            out(HOUR, Some(Category::Utility)),
            e,
            &x,
        );
        assert_eq!(k.reason, Reason::Charged);
    }

    #[test]
    fn government_nonprofit_frees_service_beyond_the_free_tier_only_when_switched_on() {
        // FRFACT (3P, level C): service free beyond the monthly free tier, 2026-10..2027-12.
        let r = rules();
        let e = era(&r, "2026-10-10");
        for on in [true, false] {
            let switches: &[&str] = if on {
                &["government-nonprofit-service"]
            } else {
                &[]
            };
            let x = in_force(switches, "2026-10-10", "Brazil");
            let mut c = Classifier::new();
            for _ in 0..1000 {
                assert_eq!(
                    under(&mut c, out(HOUR, None), e, &x).pricing_type,
                    PricingType::FreeTier
                );
            }
            let k = under(&mut c, out(HOUR, None), e, &x);
            if on {
                assert_eq!(k.pricing_type, PricingType::FreeCustomerService);
                assert!(
                    k.reason
                        .explain(HOUR, k.category)
                        .contains("government-nonprofit-service"),
                    "{k:?}"
                );
            } else {
                assert_eq!(
                    (k.pricing_type, k.reason),
                    (PricingType::Regular, Reason::Charged)
                );
            }
            let util = under(&mut c, out(HOUR, Some(Category::Utility)), e, &x);
            assert_eq!(
                util.pricing_type,
                PricingType::Regular,
                "utility stays charged"
            );
        }
    }

    #[test]
    fn free_entry_point_lasts_7_days_only_when_switched_on() {
        // FRFACT (3P, level C): "The FEP window may remain open for up to 7 days".
        let r = rules();
        let e = era(&r, "2026-10-02");
        for (on, hours) in [(true, 168), (false, 72)] {
            let switches: &[&str] = if on {
                &["free-entry-point-7-days"]
            } else {
                &[]
            };
            let x = in_force(switches, "2026-10-02", "Brazil");
            let mut c = Classifier::new();
            c.inbound(C, 0, true);
            let open = under(&mut c, out(HOUR, None), e, &x);
            assert_eq!(open.pricing_type, PricingType::FreeEntryPoint);
            let mkt = Some(Category::Marketing);
            let last = under(&mut c, out(HOUR + hours * HOUR - 1, mkt), e, &x);
            assert_eq!(last.pricing_type, PricingType::FreeEntryPoint, "{on}");
            let named = last
                .reason
                .explain(0, Category::Marketing)
                .contains("free-entry-point-7-days");
            assert_eq!(named, on, "{:?}", last.reason);
            let after = under(&mut c, out(HOUR + hours * HOUR, mkt), e, &x);
            assert_eq!(after.pricing_type, PricingType::Regular, "{on}");
        }
    }

    #[test]
    fn naming_an_exception_keeps_a_reason_small() {
        // A reason is copied per message: an interned RuleName, not a String.
        assert!(std::mem::size_of::<Reason>() <= 16);
        assert!(std::mem::size_of::<Classification>() <= 24);
    }
}
