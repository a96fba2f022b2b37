//! Monthly allowances of free service units, counted per month and scope:
//! one ledger for the classifier (a unit at a time) and the forecast (a
//! plan's volume at once).

use crate::data::rules::{AllowanceUnit, Era};
use crate::engine::classify::Outbound;
use crate::hash::IntMap;

/// Allowance counters: (year, month, scope key) -> units used.
pub type AllowanceCounts = IntMap<(i32, u32, u32), u64>;

/// Units used per month and scope.
#[derive(Debug, Default)]
pub struct Allowances {
    used: AllowanceCounts,
}

impl Allowances {
    /// Takes up to `n` of the `cap` units of a month and scope: the units
    /// granted, and how many are used after them.
    #[inline]
    pub fn take(&mut self, month: (i32, u32), scope: u32, cap: u64, n: u64) -> (u64, u64) {
        let used = self.used.entry((month.0, month.1, scope)).or_insert(0);
        let granted = n.min(cap.saturating_sub(*used));
        *used += granted;
        (granted, *used)
    }

    /// The number of the allowance unit a message takes, counted in `unit`
    /// (what the era's allowance counts, or nothing), when one is left
    /// and the switch is `on`.
    #[inline]
    pub(super) fn unit(
        &mut self,
        era: &Era,
        unit: AllowanceUnit,
        on: bool,
        m: &Outbound,
    ) -> Option<u64> {
        let a = era.allowance_in(unit).filter(|_| on)?;
        let scope = a.scope_key(m.business_number);
        match self.take(m.month, scope, a.count, 1) {
            (1, n) => Some(n),
            _ => None,
        }
    }

    /// The counters, for a state file ([`crate::engine::state`]).
    pub fn counts(&self) -> impl Iterator<Item = (&(i32, u32, u32), &u64)> {
        self.used.iter()
    }

    /// Sets a counter from a state file.
    pub fn resume(&mut self, key: (i32, u32, u32), used: u64) {
        self.used.insert(key, used);
    }
}
