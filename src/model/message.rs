//! The record every layer shares: one message of a log, packed into 32
//! bytes, and the row that could not become one.

use serde::Serialize;

use super::category::{Category, Direction};
use super::identity::ContactKey;
use super::time::LocalAssumption;

/// Meta's own `pricing` object from a status webhook, kept for reconcile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetaPricing {
    pub billable: Option<bool>,
    pub pricing_model: Option<String>,
    pub pricing_type: Option<String>,
    pub category: Option<String>,
}

/// One message of the log, normalized and packed into 32 bytes: an
/// unsorted log is held whole, so this is the memory per message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Unix seconds (the readers accept years 2000 to 2100 only, so they
    /// fit).
    secs: u32,
    /// 1-based line (saturates at `u32::MAX`).
    pub line: u32,
    /// Contact key (50 bits: [`ContactKey`]), category (3 bits), flags.
    packed: u64,
    /// Fingerprint of the message id ([`crate::hash::id_hash`]); 0 = none.
    /// Also the key of its [`Extra`] kept by the readers.
    pub id_hash: u64,
    /// Interned template name (0 = none).
    pub template_name: u32,
    /// Interned business number (low [`BUSINESS_NUMBER_BITS`]; 0 = not
    /// given) and the index of its WABA's time zone (the bits above).
    business: u16,
    /// Index into the readers' list of input files.
    pub file: u16,
}

fn clamp_secs(ts: i64) -> u32 {
    // In range by parse_timestamp's years 2000..=2100; 0 marks a row
    // already rejected for its timestamp.
    u32::try_from(ts.max(0)).unwrap_or(u32::MAX)
}

const CONTACT_BITS: u32 = 50;
const CONTACT_MASK: u64 = (1 << CONTACT_BITS) - 1;
const CATEGORY_SHIFT: u32 = CONTACT_BITS;
const OUTBOUND: u64 = 1 << 53;
const TEMPLATE: u64 = 1 << 54;
const FAILED: u64 = 1 << 55;
const ENTRY_POINT: u64 = 1 << 56;
const META_CATEGORY: u64 = 1 << 57;
const AMBIGUOUS_LOCAL_TIME: u64 = 1 << 58;
const NONEXISTENT_LOCAL_TIME: u64 = 1 << 59;
const SENT_ONLY: u64 = 1 << 60;
const DELIVERED: u64 = 1 << 61;
const INBOUND_KIND_SHIFT: u32 = 62;

/// How far the log's status evidence says an outbound message got: Meta
/// bills a message once it is delivered (Meta, Pricing: "You are only
/// charged when a template message is delivered").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Delivery {
    /// No status (no column, an empty cell): billed as delivered, and the
    /// report says it assumed so.
    Unknown,
    /// `sent`, `accepted`, ...: never reached delivered.
    Sent,
    /// Failed: never billed.
    Failed,
    /// `delivered`, `read`, `played`, `deleted` (the user deleted what was
    /// delivered).
    Delivered,
}

/// What an inbound row is: Meta opens the customer service window "When a
/// WhatsApp user messages you or calls you" (Meta, Send messages); what a
/// reaction or a system message does is a rule switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundKind {
    Message,
    Reaction,
    /// A system message (the user changed number, ...): not written by the
    /// user.
    System,
    /// A user-initiated call.
    Call,
}

/// Bits of one interned business number: the contact's digits take 50 of
/// [`Message::window_key`], and the 4 bits above a number in a message
/// name its WABA's time zone (up to 16 zones in one run).
pub const BUSINESS_NUMBER_BITS: u32 = 12;
const NUMBER_MASK: u16 = (1 << BUSINESS_NUMBER_BITS) - 1;
/// Time zones one run can hold (`--tz WABA=ZONE`, the default included).
pub const MAX_ZONES: usize = 1 << (16 - BUSINESS_NUMBER_BITS);

impl Message {
    pub fn new(
        file: u16,
        line: u64,
        ts: i64,
        direction: Direction,
        contact: impl Into<ContactKey>,
    ) -> Message {
        // Keys are under 2^50 (E.164 numbers under 10^15).
        let mut packed = contact.into().value() & CONTACT_MASK;
        if direction == Direction::Outbound {
            packed |= OUTBOUND;
        }
        Message {
            secs: clamp_secs(ts),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            packed,
            id_hash: 0,
            template_name: 0,
            business: 0,
            file,
        }
    }

    /// Unix seconds.
    pub fn ts(&self) -> i64 {
        i64::from(self.secs)
    }

    pub fn set_ts(&mut self, ts: i64) {
        self.secs = clamp_secs(ts);
    }

    /// The customer: a phone number, a user id or a group member.
    pub fn contact(&self) -> ContactKey {
        ContactKey::from_value(self.packed & CONTACT_MASK)
    }

    /// Another customer for the message (the readers' identities, once a
    /// user id's phone number is known).
    pub fn set_contact(&mut self, contact: ContactKey) {
        self.packed = (self.packed & !CONTACT_MASK) | (contact.value() & CONTACT_MASK);
    }

    pub fn direction(&self) -> Direction {
        if self.packed & OUTBOUND != 0 {
            Direction::Outbound
        } else {
            Direction::Inbound
        }
    }

    pub fn is_template(&self) -> bool {
        self.packed & TEMPLATE != 0
    }

    /// The category the message is billed in: its template's, or
    /// `service` for every non-template message.
    pub fn billed_category(&self) -> Category {
        match self.category() {
            Some(c) if self.is_template() => c,
            _ => Category::Service,
        }
    }

    /// Template category (templates only).
    pub fn category(&self) -> Option<Category> {
        let i = ((self.packed >> CATEGORY_SHIFT) & 0b111) as usize;
        i.checked_sub(1).and_then(|i| Category::ALL.get(i).copied())
    }

    /// Marks the message a template of `category`, or not a template (`None`).
    pub fn set_template(&mut self, category: Option<Category>) {
        self.packed &= !(TEMPLATE | (0b111 << CATEGORY_SHIFT));
        if let Some(c) = category {
            self.packed |= TEMPLATE | ((c.index() as u64 + 1) << CATEGORY_SHIFT);
        }
    }

    /// Not delivered: never billed.
    pub fn failed(&self) -> bool {
        self.packed & FAILED != 0
    }

    pub fn set_failed(&mut self, failed: bool) {
        self.set_flag(FAILED, failed);
    }

    /// What the status evidence says of delivery.
    pub fn delivery(&self) -> Delivery {
        if self.packed & DELIVERED != 0 {
            Delivery::Delivered
        } else if self.failed() {
            Delivery::Failed
        } else if self.packed & SENT_ONLY != 0 {
            Delivery::Sent
        } else {
            Delivery::Unknown
        }
    }

    pub fn set_delivery(&mut self, d: Delivery) {
        self.set_flag(DELIVERED, d == Delivery::Delivered);
        self.set_flag(FAILED, d == Delivery::Failed);
        self.set_flag(SENT_ONLY, d == Delivery::Sent);
    }

    pub fn inbound_kind(&self) -> InboundKind {
        match (self.packed >> INBOUND_KIND_SHIFT) & 0b11 {
            0 => InboundKind::Message,
            1 => InboundKind::Reaction,
            2 => InboundKind::System,
            _ => InboundKind::Call,
        }
    }

    pub fn set_inbound_kind(&mut self, k: InboundKind) {
        self.packed &= !(0b11 << INBOUND_KIND_SHIFT);
        self.packed |= (k as u64) << INBOUND_KIND_SHIFT;
    }

    /// The key of the windows the message belongs to: Meta keeps the
    /// customer service window, the free entry point window and the
    /// conversations per business phone number and customer (error 131047:
    /// "since the recipient last replied to the sender number"), and a
    /// group's members share their group's (Meta, Groups API Pricing). The
    /// readers keep business numbers under 2^[`BUSINESS_NUMBER_BITS`].
    #[inline]
    pub fn window_key(&self) -> u64 {
        self.contact().window_part() | (u64::from(self.business_number()) << CONTACT_BITS)
    }

    /// Interned business number (0 = not given).
    #[inline]
    pub fn business_number(&self) -> u16 {
        self.business & NUMBER_MASK
    }

    /// Index of the time zone of the message's WABA (0: `--tz`).
    #[inline]
    pub fn zone_index(&self) -> usize {
        usize::from(self.business >> BUSINESS_NUMBER_BITS)
    }

    /// Sets the business number (under 2^[`BUSINESS_NUMBER_BITS`]) and its
    /// WABA's zone index (under [`MAX_ZONES`]).
    pub fn set_business(&mut self, number: u16, zone: usize) {
        let zone = (zone.min(MAX_ZONES - 1) as u16) << BUSINESS_NUMBER_BITS;
        self.business = (number & NUMBER_MASK) | zone;
    }

    /// Inbound from a free entry point (click-to-WhatsApp ad, page button).
    pub fn entry_point(&self) -> bool {
        self.packed & ENTRY_POINT != 0
    }

    pub fn set_entry_point(&mut self, entry_point: bool) {
        self.set_flag(ENTRY_POINT, entry_point);
    }

    /// The category is Meta's own (a webhook's `pricing.category`), not
    /// the log's: nothing re-prices it (authentication-international).
    pub fn meta_category(&self) -> bool {
        self.packed & META_CATEGORY != 0
    }

    pub fn set_meta_category(&mut self, meta: bool) {
        self.set_flag(META_CATEGORY, meta);
    }

    /// What reading the message's local time assumed (a clock change), if
    /// anything: `--detail` says so beside the rule.
    pub fn local_assumption(&self) -> Option<LocalAssumption> {
        if self.packed & AMBIGUOUS_LOCAL_TIME != 0 {
            Some(LocalAssumption::Ambiguous)
        } else if self.packed & NONEXISTENT_LOCAL_TIME != 0 {
            Some(LocalAssumption::Nonexistent)
        } else {
            None
        }
    }

    pub fn set_local_assumption(&mut self, a: Option<LocalAssumption>) {
        self.set_flag(AMBIGUOUS_LOCAL_TIME, a == Some(LocalAssumption::Ambiguous));
        self.set_flag(
            NONEXISTENT_LOCAL_TIME,
            a == Some(LocalAssumption::Nonexistent),
        );
    }

    fn set_flag(&mut self, flag: u64, on: bool) {
        if on {
            self.packed |= flag;
        } else {
            self.packed &= !flag;
        }
    }

    /// Everything but the position, as one comparable value: orders
    /// messages of the same second deterministically.
    pub fn content_key(&self) -> (u64, u64, u32, u16) {
        (self.packed, self.id_hash, self.template_name, self.business)
    }
}

/// What only some commands need of a message: its id's text (detail rows,
/// reconcile) and Meta's pricing object (reconcile).
#[derive(Debug, Clone, Default)]
pub struct Extra {
    pub id: Box<str>,
    pub meta: Option<MetaPricing>,
}

/// A row that could not be used, and why. Never quotes a full number.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Rejected {
    pub file: String,
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: String,
}

/// Interned strings shared by the readers (business numbers, templates).
#[derive(Debug, Default, Clone)]
pub struct Interner {
    names: Vec<String>,
    index: std::collections::HashMap<String, u32, crate::hash::BuildIntHasher>,
    /// The last names looked up: logs name a handful of business numbers
    /// and templates, row after row.
    recent: [u32; 4],
    next: usize,
}

impl Interner {
    pub fn new() -> Interner {
        Interner {
            names: vec![String::new()],
            index: Default::default(),
            recent: [0; 4],
            next: 0,
        }
    }

    pub fn get(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        for &i in &self.recent {
            if self.names.get(i as usize).is_some_and(|n| n == s) {
                return i;
            }
        }
        let i = match self.index.get(s) {
            Some(&i) => i,
            None => {
                let i = self.names.len() as u32;
                self.names.push(s.to_string());
                self.index.insert(s.to_string(), i);
                i
            }
        };
        self.recent[self.next] = i;
        self.next = (self.next + 1) % self.recent.len();
        i
    }

    pub fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::phone::E164;

    #[test]
    fn windows_are_keyed_by_business_number_and_customer_not_zone() {
        let c = E164::from_digits_value(5511987654321);
        let mut a = Message::new(0, 2, 0, Direction::Inbound, c);
        let mut b = a.clone();
        a.set_business(7, 0);
        b.set_business(8, 0);
        assert_ne!(a.window_key(), b.window_key(), "two numbers, two windows");
        b.set_business(7, 3);
        assert_eq!(a.window_key(), b.window_key(), "a zone is not a window");
        assert_eq!((b.business_number(), b.zone_index()), (7, 3));
        assert_eq!(b.contact(), c.into());
    }

    #[test]
    fn delivery_and_inbound_kind_round_trip() {
        let c = E164::from_digits_value(5511987654321);
        let mut m = Message::new(0, 2, 0, Direction::Outbound, c);
        assert_eq!(m.delivery(), Delivery::Unknown);
        for d in [
            Delivery::Sent,
            Delivery::Failed,
            Delivery::Delivered,
            Delivery::Unknown,
        ] {
            m.set_delivery(d);
            assert_eq!(m.delivery(), d);
            assert_eq!(m.failed(), d == Delivery::Failed);
        }
        for k in [
            InboundKind::Call,
            InboundKind::Reaction,
            InboundKind::System,
            InboundKind::Message,
        ] {
            m.set_inbound_kind(k);
            assert_eq!(m.inbound_kind(), k);
        }
        assert_eq!(m.contact(), c.into(), "flags leave the contact alone");
    }
}
