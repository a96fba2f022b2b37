//! The classification engine: per contact, in time order, which window is
//! open and which rule of the era in force decides each message. It knows
//! nothing about rates; [`crate::tariff`] prices what it calls `regular`.

use crate::data::rules::{AllowanceScope, Era};
use crate::hash::IntMap;
use crate::model::{Category, PricingModel, PricingType};

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
    /// free entry point window.
    OpenedFreeEntryPoint { inbound: i64 },
    /// Inside a free entry point window opened at `since`.
    InFreeEntryPoint { since: i64 },
    /// Free inside the customer service window opened by the inbound at `since`.
    InCustomerServiceWindow { since: i64 },
    /// Non-template message with no logged inbound: Meta delivers these only
    /// inside an open window, so one was open before the log starts.
    AssumedWindow,
    /// The category is free in this era.
    FreeCategory,
    /// Unit `n` of the monthly allowance.
    Allowance { n: u64 },
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
            Reason::OpenedFreeEntryPoint { inbound } => format!(
                "reply {} after an entry-point message: opens a free entry point window",
                ago(inbound)
            ),
            Reason::InFreeEntryPoint { since } => format!(
                "inside the free entry point window opened {} before",
                ago(since)
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
        }
    }
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

/// What the engine remembers of a contact: a few instants, 40 bytes, since
/// memory grows with contacts.
#[derive(Debug, Clone)]
pub struct ContactState {
    /// Unix seconds, or [`NONE`].
    last_inbound: i64,
    /// Entry-point message waiting for the business's reply, or [`NONE`].
    pending_entry_point: i64,
    /// Free entry point window: opened, closes ([`NONE`] when never opened).
    fep_since: i64,
    fep_until: i64,
    /// CBP: open conversation per category: (opened, closes). Boxed: only
    /// logs reaching back before 2025-07 need it.
    conversations: Option<Box<Conversations>>,
}

/// CBP conversations per category: (opened, closes).
type Conversations = [Option<(i64, i64)>; 5];

/// "No instant" in [`ContactState`].
const NONE: i64 = i64::MIN;

fn opt(t: i64) -> Option<i64> {
    (t != NONE).then_some(t)
}

impl Default for ContactState {
    fn default() -> ContactState {
        ContactState {
            last_inbound: NONE,
            pending_entry_point: NONE,
            fep_since: NONE,
            fep_until: NONE,
            conversations: None,
        }
    }
}

impl ContactState {
    fn conversation(&self, c: Category) -> Option<(i64, i64)> {
        self.conversations.as_ref().and_then(|cs| cs[c.index()])
    }

    fn open_conversation(&mut self, c: Category, since: i64, until: i64) {
        self.conversations.get_or_insert_with(Default::default)[c.index()] = Some((since, until));
    }
}

/// Allowance counters: (year-month, scope key) -> units used.
pub type AllowanceCounts = IntMap<(i32, u32, u32), u64>;

/// Classifies messages of all contacts, in time order.
#[derive(Debug, Default)]
pub struct Classifier {
    contacts: Contacts,
    allowance: AllowanceCounts,
}

/// No contact: E.164 numbers have at most 15 digits.
const NO_CONTACT: u64 = u64::MAX;

/// Contacts' states in one open-addressing table (linear probing), not a
/// `HashMap`: the pricer asks the CPU for a contact's slot before it needs
/// it ([`Classifier::prefetch`]), and a `HashMap` hides where its entries
/// are. 48 bytes a slot, up to seven eighths full (as full as the
/// `HashMap` it replaces, so that it takes no more memory).
#[derive(Debug)]
struct Contacts {
    slots: Vec<(u64, ContactState)>,
    len: usize,
}

impl Default for Contacts {
    fn default() -> Contacts {
        Contacts::with_slots(1024)
    }
}

impl Contacts {
    /// `n` (a power of two) empty slots. Not zeros: their pages are
    /// written now, not mapped to the zero page and copied later.
    fn with_slots(n: usize) -> Contacts {
        Contacts {
            slots: vec![(NO_CONTACT, ContactState::default()); n],
            len: 0,
        }
    }

    fn home(&self, contact: u64) -> usize {
        crate::hash::mix64(contact) as usize & (self.slots.len() - 1)
    }

    /// The slot holding `contact`, or the empty slot that would.
    fn find(&self, contact: u64) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(contact);
        loop {
            match self.slots[i].0 {
                c if c == contact => return Ok(i),
                NO_CONTACT => return Err(i),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// The state of `contact`, a new one if it has none yet.
    fn entry(&mut self, contact: u64) -> &mut ContactState {
        debug_assert_ne!(contact, NO_CONTACT);
        let i = match self.find(contact) {
            Ok(i) => i,
            Err(mut i) => {
                if (self.len + 1) * 8 > self.slots.len() * 7 {
                    self.grow();
                    i = self.find(contact).unwrap_or_else(|empty| empty);
                }
                self.slots[i].0 = contact;
                self.len += 1;
                i
            }
        };
        &mut self.slots[i].1
    }

    fn grow(&mut self) {
        let bigger = Contacts::with_slots(self.slots.len() * 2);
        let old = std::mem::replace(self, bigger);
        for (contact, state) in old.slots {
            if contact != NO_CONTACT {
                if let Err(i) = self.find(contact) {
                    self.slots[i] = (contact, state);
                    self.len += 1;
                }
            }
        }
    }

    /// Asks the CPU for the cache lines of `contact`'s home slot.
    fn prefetch(&self, contact: u64) {
        let slot = &self.slots[self.home(contact)];
        crate::hash::prefetch(slot);
        crate::hash::prefetch(&slot.1.conversations);
    }
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

impl Classifier {
    pub fn new() -> Classifier {
        Classifier::default()
    }

    /// Asks the CPU for a contact's state (see
    /// [`crate::engine::Pricer::price_all`]).
    pub fn prefetch(&self, contact: u64) {
        self.contacts.prefetch(contact);
    }

    /// Records an inbound message: it opens or refreshes the customer
    /// service window, and an entry-point message waits for a reply.
    pub fn inbound(&mut self, contact: u64, ts: i64, entry_point: bool) {
        let s = self.contacts.entry(contact);
        s.last_inbound = opt(s.last_inbound).map_or(ts, |t| t.max(ts));
        if entry_point {
            s.pending_entry_point = ts;
        }
    }

    /// Classifies a delivered outbound message under `era`; `allowance_on`
    /// says whether the era's allowance switch is on.
    pub fn outbound(&mut self, m: Outbound, era: &Era, allowance_on: bool) -> Classification {
        let cat = if m.template {
            m.category.unwrap_or(Category::Service)
        } else {
            Category::Service
        };
        let s = self.contacts.entry(m.contact);
        let in_window = opt(s.last_inbound).is_some_and(|t| m.ts >= t && m.ts - t < era.csw);
        let class = |pricing_type, reason| Classification {
            category: cat,
            pricing_type,
            reason,
            in_window,
        };

        // Free entry point: the first reply within the limit opens the window.
        if let Some(t) = opt(s.pending_entry_point) {
            if m.ts >= t && m.ts - t < era.fep_reply {
                s.pending_entry_point = NONE;
                s.fep_since = m.ts;
                s.fep_until = m.ts + era.fep;
                if era.model == PricingModel::Cbp {
                    // An FEP conversation closes every other conversation.
                    s.conversations = None;
                }
                return class(
                    PricingType::FreeEntryPoint,
                    Reason::OpenedFreeEntryPoint { inbound: t },
                );
            }
            if m.ts - t >= era.fep_reply {
                s.pending_entry_point = NONE;
            }
        }
        if let Some(since) = opt(s.fep_since) {
            if m.ts < s.fep_until {
                return class(
                    PricingType::FreeEntryPoint,
                    Reason::InFreeEntryPoint { since },
                );
            }
        }
        let window = opt(s.last_inbound).filter(|&t| m.ts >= t && m.ts - t < era.csw);

        match era.model {
            PricingModel::Cbp => {
                let open = |c: Category, s: &ContactState| {
                    s.conversation(c).filter(|&(_, until)| m.ts < until)
                };
                if m.template {
                    if let Some((since, _)) = open(cat, s) {
                        return class(
                            PricingType::InConversation,
                            Reason::InConversation { since },
                        );
                    }
                    s.open_conversation(cat, m.ts, m.ts + era.conversation);
                    return class(PricingType::Regular, Reason::OpenedConversation);
                }
                // A non-template message joins any open conversation.
                if let Some((since, _)) = Category::ALL
                    .iter()
                    .filter_map(|&c| open(c, s))
                    .min_by_key(|x| x.0)
                {
                    return class(
                        PricingType::InConversation,
                        Reason::InConversation { since },
                    );
                }
                s.open_conversation(Category::Service, m.ts, m.ts + era.conversation);
                if era.free[cat.index()] {
                    return class(PricingType::FreeCustomerService, Reason::FreeCategory);
                }
                if let Some(n) = self.allowance_unit(era, allowance_on, &m) {
                    return class(PricingType::FreeTier, Reason::Allowance { n });
                }
                class(PricingType::Regular, Reason::OpenedConversation)
            }
            PricingModel::Pmp => {
                if cat == Category::Utility {
                    if let Some((since, until)) = s.conversation(cat) {
                        if m.ts < until {
                            return class(
                                PricingType::InConversation,
                                Reason::CbpCarryover { since },
                            );
                        }
                    }
                }
                if era.free[cat.index()] {
                    return class(PricingType::FreeCustomerService, Reason::FreeCategory);
                }
                if era.free_in_csw[cat.index()] {
                    if let Some(since) = window {
                        return class(
                            PricingType::FreeCustomerService,
                            Reason::InCustomerServiceWindow { since },
                        );
                    }
                    if !m.template {
                        return class(PricingType::FreeCustomerService, Reason::AssumedWindow);
                    }
                }
                if cat == Category::Service {
                    if let Some(n) = self.allowance_unit(era, allowance_on, &m) {
                        return class(PricingType::FreeTier, Reason::Allowance { n });
                    }
                }
                match window {
                    Some(since) => class(PricingType::Regular, Reason::ChargedInWindow { since }),
                    None => class(PricingType::Regular, Reason::Charged),
                }
            }
        }
    }

    fn allowance_unit(&mut self, era: &Era, on: bool, m: &Outbound) -> Option<u64> {
        let a = era.allowance.as_ref().filter(|_| on)?;
        let scope = match a.per {
            AllowanceScope::Waba => 0,
            AllowanceScope::BusinessNumber => m.business_number,
        };
        let used = self
            .allowance
            .entry((m.month.0, m.month.1, scope))
            .or_insert(0);
        if *used < a.count {
            *used += 1;
            Some(*used)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    //! Scenario tests per rule; each names its source. Times in hours.
    use super::*;

    proptest::proptest! {
        /// The contact table against a `HashMap`: every contact keeps its
        /// own state through growth (up to 5,000 contacts from 1,024 slots).
        #[test]
        fn contacts_table_matches_a_map(
            ops in proptest::collection::vec((0u64..5000, any_ts()), 1..12_000)
        ) {
            let mut table = Contacts::default();
            let mut model = std::collections::HashMap::new();
            for (n, ts) in ops {
                let contact = 5_511_900_000_000 + n * 7919;
                let s = table.entry(contact);
                proptest::prop_assert_eq!(
                    opt(s.last_inbound),
                    model.get(&contact).copied(),
                    "contact {}", contact
                );
                s.last_inbound = ts;
                model.insert(contact, ts);
            }
            proptest::prop_assert_eq!(table.len, model.len());
            for (&contact, &ts) in &model {
                proptest::prop_assert_eq!(table.find(contact).map(|i| table.slots[i].1.last_inbound), Ok(ts));
            }
        }
    }

    fn any_ts() -> impl proptest::strategy::Strategy<Value = i64> {
        1_700_000_000i64..1_900_000_000
    }

    #[test]
    fn contact_state_is_small() {
        // Memory per contact: 40 bytes of state + the 8-byte key; per held
        // message: 32 bytes.
        assert_eq!(std::mem::size_of::<ContactState>(), 40);
        assert_eq!(std::mem::size_of::<crate::model::Message>(), 32);
    }
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
    fn free_entry_point_needs_a_reply_within_24h_and_lasts_72h() {
        // M-PRICING "Free Entry Point windows"; M-CBP.
        let r = rules();
        let e = era(&r, "2026-10-01");
        let mut c = Classifier::new();
        c.inbound(C, 0, true);
        let open = c.outbound(out(23 * HOUR, None), e, false);
        assert_eq!(open.reason, Reason::OpenedFreeEntryPoint { inbound: 0 });
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
}
