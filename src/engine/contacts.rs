//! What the classifier remembers of each contact (windows, conversations),
//! in one open-addressing table: memory grows with contacts, and every
//! message looks its contact up.

use crate::model::Category;

/// What the engine remembers of a contact: a few instants, 40 bytes, since
/// memory grows with contacts.
#[derive(Debug, Clone)]
pub struct ContactState {
    /// Unix seconds, or [`NONE`].
    pub(super) last_inbound: i64,
    /// Entry-point message waiting for the business's reply, or [`NONE`].
    pub(super) pending_entry_point: i64,
    /// Free entry point window: opened, closes ([`NONE`] when never opened).
    pub(super) fep_since: i64,
    pub(super) fep_until: i64,
    /// CBP: open conversation per category: (opened, closes). Boxed: only
    /// logs reaching back before 2025-07 need it.
    pub(super) conversations: Option<Box<Conversations>>,
}

/// CBP conversations per category: (opened, closes).
type Conversations = [Option<(i64, i64)>; 5];

/// "No instant" in [`ContactState`].
pub(super) const NONE: i64 = i64::MIN;

#[inline]
pub(super) fn opt(t: i64) -> Option<i64> {
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
    #[inline]
    pub(super) fn conversation(&self, c: Category) -> Option<(i64, i64)> {
        self.conversations.as_ref().and_then(|cs| cs[c.index()])
    }

    #[inline]
    pub(super) fn open_conversation(&mut self, c: Category, since: i64, until: i64) {
        self.conversations.get_or_insert_with(Default::default)[c.index()] = Some((since, until));
    }
}

/// No contact: E.164 numbers have at most 15 digits.
const NO_CONTACT: u64 = u64::MAX;

/// Contacts' states in one open-addressing table (linear probing), not a
/// `HashMap`: the pricer asks the CPU for a contact's slot before it needs
/// it ([`Classifier::prefetch`]), and a `HashMap` hides where its entries
/// are. 48 bytes a slot, up to seven eighths full (as full as the
/// `HashMap` it replaces, so that it takes no more memory).
#[derive(Debug)]
pub(super) struct Contacts {
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

    #[inline]
    fn home(&self, contact: u64) -> usize {
        crate::hash::mix64(contact) as usize & (self.slots.len() - 1)
    }

    /// The slot holding `contact`, or the empty slot that would.
    #[inline]
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
    #[inline]
    pub(super) fn entry(&mut self, contact: u64) -> &mut ContactState {
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
    #[inline]
    pub(super) fn prefetch(&self, contact: u64) {
        let slot = &self.slots[self.home(contact)];
        crate::hash::prefetch(slot);
        crate::hash::prefetch(&slot.1.conversations);
    }
}

#[cfg(test)]
mod tests {
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
}
