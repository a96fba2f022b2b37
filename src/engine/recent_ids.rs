//! Message ids seen recently: repeated export rows (one per status) are
//! counted once.

/// How long the id of a message whose status is final (delivered, failed)
/// is remembered to catch repeated rows (one export row per status): at
/// least this long, at most twice.
pub const ID_MEMORY_SECS: i64 = 7 * 86_400;

/// How long the id of a message that has not reached a final status is
/// remembered: Meta retries a delivery for up to 30 days (the default
/// time-to-live of marketing and utility; Meta, Configure message
/// time-to-live).
pub const PENDING_ID_MEMORY_SECS: i64 = 30 * 86_400;

/// Message ids seen recently, in two generations of [`ID_MEMORY_SECS`]:
/// memory follows the traffic of the delivery horizon (30 to 60 days), not
/// the whole log. One open
/// addressing table of fingerprints whose low bit is the generation's
/// parity: a look-up costs one cache miss, where two hash sets cost four.
#[derive(Debug)]
pub(super) struct RecentIds {
    /// Seconds per generation.
    span: i64,
    generation: i64,
    /// Fingerprint (low bit cleared, never `!1`) | generation parity, or
    /// [`EMPTY`].
    slots: Slots,
    len: usize,
}

/// An empty slot. Not 0: a table filled with zeros comes from the kernel's
/// shared zero page, and the first write to each of its pages then costs a
/// copy and a TLB flush on every core the process runs on.
const EMPTY: u64 = u64::MAX;

/// Eight slots, one cache line.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Line([u64; 8]);

/// Open-addressing slots in whole cache lines. Every probe run starts at a
/// line's first slot, so that a look-up usually reads one line: the one
/// [`RecentIds::prefetch`] asked for.
#[derive(Debug)]
struct Slots(Vec<Line>);

impl Slots {
    /// `size` (a power of two, at least 8) empty slots, their pages
    /// written now.
    fn new(size: usize) -> Slots {
        Slots(vec![Line([EMPTY; 8]); size / 8])
    }

    #[inline]
    fn len(&self) -> usize {
        self.0.len() * 8
    }

    #[inline]
    fn get(&self, i: usize) -> u64 {
        self.0[i >> 3].0[i & 7]
    }

    #[inline]
    fn set(&mut self, i: usize, e: u64) {
        self.0[i >> 3].0[i & 7] = e;
    }

    /// Where the probe run of fingerprint `e` starts.
    #[inline]
    fn home(&self, e: u64) -> usize {
        (e >> 32) as usize & (self.len() - 1) & !7
    }

    /// The first empty slot from `e`'s home on.
    fn free_slot(&self, e: u64) -> usize {
        let mask = self.len() - 1;
        let mut i = self.home(e);
        while self.get(i) != EMPTY {
            i = (i + 1) & mask;
        }
        i
    }
}

impl Default for RecentIds {
    fn default() -> RecentIds {
        RecentIds::remembering(ID_MEMORY_SECS)
    }
}

impl RecentIds {
    /// Ids remembered for at least `span` seconds, at most twice that.
    pub(super) fn remembering(span: i64) -> RecentIds {
        RecentIds {
            span,
            generation: i64::MIN,
            slots: Slots::new(1024),
            len: 0,
        }
    }

    /// Whether `id` was seen; remembers it. Called in time order.
    #[inline]
    pub(super) fn seen(&mut self, id: u64, ts: i64) -> bool {
        match self.find(id, ts) {
            Ok(()) => true,
            Err(i) => {
                self.insert(i, id);
                false
            }
        }
    }

    /// Whether `id` was seen, without remembering it. In time order.
    #[inline]
    pub(super) fn contains(&mut self, id: u64, ts: i64) -> bool {
        self.len > 0 && self.find(id, ts).is_ok()
    }

    /// `id`'s key, never a value [`EMPTY`] could take.
    #[inline]
    fn key(id: u64) -> u64 {
        match id & !1 {
            k if k == EMPTY & !1 => 2,
            k => k,
        }
    }

    /// Found, or the empty slot where `id` would go.
    #[inline]
    fn find(&mut self, id: u64, ts: i64) -> Result<(), usize> {
        let g = ts.div_euclid(self.span);
        if g != self.generation {
            self.rotate(g);
        }
        let key = Self::key(id);
        let mask = self.slots.len() - 1;
        let mut i = self.slots.home(id);
        loop {
            match self.slots.get(i) {
                EMPTY => return Err(i),
                e if e & !1 == key => return Ok(()),
                _ => i = (i + 1) & mask,
            }
        }
    }

    #[inline]
    fn insert(&mut self, i: usize, id: u64) {
        self.slots
            .set(i, Self::key(id) | (self.generation & 1) as u64);
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.grow();
        }
    }

    /// Asks the CPU for the line where `id` would be (see
    /// [`crate::engine::Pricer::price_all`]).
    #[inline]
    pub(super) fn prefetch(&self, id: u64) {
        crate::hash::prefetch(&self.slots.0[self.slots.home(id) >> 3]);
    }

    /// A new generation: the one before the last is forgotten, in place
    /// (no new table, no page faults: the table keeps the size two
    /// generations needed).
    fn rotate(&mut self, g: i64) {
        if self.generation.checked_add(1) == Some(g) {
            let keep = (self.generation & 1) as u64;
            self.retain(|e| e & 1 == keep);
        } else {
            self.retain(|_| false);
        }
        self.generation = g;
    }

    /// Empties the slots `keep` refuses and moves each remaining entry back
    /// to the first empty slot of its probe run, in one sweep, so that every
    /// entry stays reachable from its home slot.
    fn retain(&mut self, keep: impl Fn(u64) -> bool) {
        let size = self.slots.len();
        // Probe runs never cross a slot that was empty before: sweeping
        // from just after one, each entry's run lies in slots already swept.
        let Some(start) = (0..size).find(|&i| self.slots.get(i) == EMPTY) else {
            return;
        };
        let mask = size - 1;
        // Distance from `start` in sweep order.
        let rank = |i: usize| i.wrapping_sub(start) & mask;
        // The last slot swept that is empty now (`start` at first).
        let mut hole = start;
        for step in 1..=size {
            let at = (start + step) & mask;
            let e = self.slots.get(at);
            if e == EMPTY {
                hole = at;
                continue;
            }
            if !keep(e) {
                self.slots.set(at, EMPTY);
                self.len -= 1;
                hole = at;
                continue;
            }
            if rank(hole) < rank(self.slots.home(e)) {
                // No empty slot between its home and here: it stays.
                continue;
            }
            self.slots.set(at, EMPTY);
            let i = self.slots.free_slot(e);
            self.slots.set(i, e);
            if i != at {
                hole = at;
            }
        }
    }

    fn grow(&mut self) {
        let bigger = Slots::new(self.slots.len() * 2);
        let old = std::mem::replace(&mut self.slots, bigger);
        for e in old.0.iter().flat_map(|line| line.0).filter(|&e| e != EMPTY) {
            let i = self.slots.free_slot(e);
            self.slots.set(i, e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn final_ids_are_remembered_at_least_seven_days() {
        let mut ids = RecentIds::default();
        let t0 = 20_000 * DAY;
        assert!(!ids.seen(0xabc0_0000_0001, t0));
        assert!(ids.seen(0xabc0_0000_0001, t0 + 7 * DAY - 1));
    }

    #[test]
    fn recent_ids_remember_at_least_thirty_days() {
        // Meta retries delivery for up to 30 days (M-TTL): a status row 30
        // days after the first row of its message is still merged.
        let span = PENDING_ID_MEMORY_SECS;
        let mut ids = RecentIds::remembering(span);
        let t0 = 20_000 * DAY;
        assert!(!ids.seen(0xabc0_0000_0001, t0));
        assert!(ids.contains(0xabc0_0000_0001, t0 + 30 * DAY - 1));
        assert!(ids.seen(0xabc0_0000_0001, t0 + 30 * DAY - 1));
        assert!(!ids.contains(0xdef0_0000_0002, t0 + 30 * DAY));
        assert!(!ids.seen(0xdef0_0000_0002, t0 + 30 * DAY));
        // Two generations later the first id is forgotten, the second not yet.
        let later = (t0.div_euclid(span) + 2) * span;
        assert!(!ids.seen(0xabc0_0000_0001, later));
        assert!(ids.seen(0xdef0_0000_0002, later));
    }

    #[test]
    fn recent_ids_grow_and_rotate_without_losing_ids() {
        let mut ids = RecentIds::default();
        let t0 = 20_000 * ID_MEMORY_SECS;
        let id = |i: u64| crate::hash::mix64(i + 1);
        for i in 0..50_000 {
            assert!(!ids.seen(id(i), t0 + i as i64));
        }
        // Next generation: everything of the last one is still known...
        for i in 0..50_000 {
            assert!(ids.seen(id(i), t0 + ID_MEMORY_SECS + i as i64));
        }
        for i in 50_000..60_000 {
            assert!(!ids.seen(id(i), t0 + ID_MEMORY_SECS + i as i64));
        }
        // ...and a jump of several generations forgets all.
        assert!(!ids.seen(id(0), t0 + 10 * ID_MEMORY_SECS));
        // Fingerprints differing only in the parity bit are one id.
        assert!(!ids.seen(0x1234_0000_0010, t0 + 10 * ID_MEMORY_SECS));
        assert!(ids.seen(0x1234_0000_0011, t0 + 10 * ID_MEMORY_SECS));
    }

    proptest::proptest! {
        /// Against a model: an id is a repeat when it was seen in this
        /// generation or the one before. Ids share a few home slots around
        /// the end of the table, so that probe runs are long and wrap, and
        /// rotating in place must keep every id reachable.
        #[test]
        fn recent_ids_match_a_model_through_rotations(
            steps in proptest::collection::vec((0u64..12, 0u64..400, 0u8..40), 1..3000)
        ) {
            let mut ids = RecentIds::default();
            let mut model: std::collections::HashMap<u64, i64> = Default::default();
            let t0 = 20_000 * ID_MEMORY_SECS;
            let mut g = 0;
            for (home, k, advance) in steps {
                // Mostly the same generation; now and then the next one or a jump.
                g += match advance {
                    0..=36 => 0,
                    37 | 38 => 1,
                    _ => 3,
                };
                let id = (home.wrapping_sub(6) & 1023) << 32 | k << 1;
                let ts = t0 + g * ID_MEMORY_SECS;
                let expected = model.get(&id).is_some_and(|&seen| seen + 1 >= g);
                proptest::prop_assert_eq!(ids.seen(id, ts), expected, "id {:x} generation {}", id, g);
                if !expected {
                    model.insert(id, g);
                }
            }
        }
    }
}
