//! Message ids seen recently: repeated export rows (one per status) are
//! counted once.
//!
//! A bucketed cuckoo table of exact 64-bit fingerprints, each stored with
//! the UTC day it was seen in one 8-byte word, and forgotten by day: memory
//! follows the ids of the delivery horizon, at most 12 bytes each (about 11
//! on average), and nothing else grows with the log.

/// How many days the id of a message whose status is final (delivered,
/// failed) is remembered to catch repeated rows (one export row per
/// status): at least this long, one day more at most. (The two seven-day
/// generations it replaced remembered 7 to 14 days: every repeat they
/// caught is caught.)
pub const FINAL_ID_DAYS: i64 = 14;

/// How many days the id of a message that has not reached a final status
/// is remembered: Meta retries a delivery for up to 30 days (the default
/// time-to-live of marketing and utility; Meta, Configure message
/// time-to-live), and the generations this replaced kept 30 to 60.
pub const PENDING_ID_DAYS: i64 = 60;

/// Whether an id's message has reached a final status: it decides how long
/// the id is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Final,
    Pending,
}

const DAY: i64 = 86_400;
/// The fingerprint's top bits choose a shard; they are not stored.
const SHARD_BITS: u32 = 10;
const SHARDS: usize = 1 << SHARD_BITS;
/// Low bits of an entry: the pending flag, then the day modulo [`RING`].
const TAG_BITS: u32 = 10;
const PENDING_BIT: u64 = 1 << 9;
/// Days are stored modulo 511, so the low nine bits are never all ones and
/// no entry equals [`EMPTY`]. Every shard is swept of expired ids at least
/// every [`SWEEP_DAYS`], long before a stored day could come round again.
const RING: i64 = 511;
const SWEEP_DAYS: i64 = 32;
/// An empty slot. Not 0: a table filled with zeros comes from the kernel's
/// shared zero page, and the first write to each of its pages then costs a
/// copy and a TLB flush on every core the process runs on.
const EMPTY: u64 = u64::MAX;
/// A shard grows when this share of its slots is taken; by [`GROWTH`], and
/// the shards' sizes are staggered (shard `i` starts at `GROWTH^(i/SHARDS)`
/// buckets) so that they do not all grow at once: the table's load stays
/// between 0.6 and 0.9, 0.74 on average (10.8 bytes per id).
const MAX_LOAD: f64 = 0.9;
const GROWTH: f64 = 1.5;
/// Displacements tried before a full shard grows instead.
const MAX_KICKS: usize = 128;

/// Eight slots, one cache line.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Line([u64; 8]);

/// One shard: `buckets` lines, each id in one of its two buckets.
#[derive(Debug)]
struct Shard {
    lines: Vec<Line>,
    /// Slots taken, expired ones included until swept.
    len: usize,
    level: i32,
}

/// Message ids seen recently, each forgotten [`FINAL_ID_DAYS`] or
/// [`PENDING_ID_DAYS`] after the day it was seen. Called in time order.
#[derive(Debug)]
pub(super) struct RecentIds {
    shards: Vec<Shard>,
    /// The UTC day of the last call (`i64::MIN` before the first).
    today: i64,
    /// State of the displacement walk (any sequence will do).
    kick: u64,
}

impl Default for RecentIds {
    fn default() -> RecentIds {
        let shards = (0..SHARDS).map(|i| Shard::new(i, 0)).collect();
        RecentIds {
            shards,
            today: i64::MIN,
            kick: 0x9e37_79b9_7f4a_7c15,
        }
    }
}

/// `x` scaled to `0..n` by its high bits (Lemire's fast range).
#[inline]
fn scale(x: u64, n: usize) -> usize {
    ((u128::from(x) * n as u128) >> 64) as usize
}

/// The fingerprint bits an entry keeps (all but the shard's).
#[inline]
fn rest(id: u64) -> u64 {
    id & ((1 << (64 - SHARD_BITS)) - 1)
}

/// The two buckets of `rest` in a shard of `n` lines.
#[inline]
fn buckets(rest: u64, n: usize) -> (usize, usize) {
    (
        scale(rest << SHARD_BITS, n),
        scale(crate::hash::mix64(rest), n),
    )
}

impl Shard {
    /// Shard `i` at growth `level`, every slot empty and its page written.
    fn new(i: usize, level: i32) -> Shard {
        let n = GROWTH
            .powf(f64::from(level) + i as f64 / SHARDS as f64)
            .ceil() as usize;
        Shard {
            lines: vec![Line([EMPTY; 8]); n.max(1)],
            len: 0,
            level,
        }
    }

    fn slots(&self) -> usize {
        self.lines.len() * 8
    }

    /// Whether one more id would pass [`MAX_LOAD`].
    fn full(&self) -> bool {
        (self.len + 1) as f64 > self.slots() as f64 * MAX_LOAD
    }

    /// Where the entry of `rest` is: (line, slot).
    #[inline]
    fn find(&self, rest: u64) -> Option<(usize, usize)> {
        let (a, b) = buckets(rest, self.lines.len());
        [a, b].into_iter().find_map(|l| {
            let s = self.lines[l]
                .0
                .iter()
                .position(|&e| e != EMPTY && e >> TAG_BITS == rest)?;
            Some((l, s))
        })
    }

    /// Puts `e` in a free or expired slot of one of its buckets, or
    /// displaces entries along their other buckets. The entry left without
    /// a slot when that fails, if any.
    fn place(&mut self, mut e: u64, today: i64, kick: &mut u64) -> Option<u64> {
        let n = self.lines.len();
        let (mut at, other) = buckets(e >> TAG_BITS, n);
        if self.fill(at, e, today) || self.fill(other, e, today) {
            return None;
        }
        for _ in 0..MAX_KICKS {
            *kick = crate::hash::mix64(*kick);
            let s = (*kick & 7) as usize;
            e = std::mem::replace(&mut self.lines[at].0[s], e);
            let (a, b) = buckets(e >> TAG_BITS, n);
            at = if a == at { b } else { a };
            if self.fill(at, e, today) {
                return None;
            }
        }
        Some(e)
    }

    /// Puts `e` in an empty or expired slot of `line`, if it has one.
    #[inline]
    fn fill(&mut self, line: usize, e: u64, today: i64) -> bool {
        let slots = &mut self.lines[line].0;
        let free = slots.iter().position(|&x| x == EMPTY);
        let Some(s) = free.or_else(|| slots.iter().position(|&x| expired(x, today))) else {
            return false;
        };
        if slots[s] == EMPTY {
            self.len += 1;
        }
        slots[s] = e;
        true
    }

    /// Empties the slots of expired ids; how many.
    fn sweep(&mut self, today: i64) -> usize {
        let mut freed = 0;
        for e in self.lines.iter_mut().flat_map(|l| l.0.iter_mut()) {
            if *e != EMPTY && expired(*e, today) {
                *e = EMPTY;
                freed += 1;
            }
        }
        self.len -= freed;
        freed
    }

    /// The shard one level bigger, holding this one's live ids.
    fn grown(&self, i: usize, today: i64, kick: &mut u64) -> Shard {
        let mut level = self.level + 1;
        loop {
            let mut bigger = Shard::new(i, level);
            let live = self.lines.iter().flat_map(|l| l.0).filter(|&e| e != EMPTY);
            if live
                .filter(|&e| !expired(e, today))
                .all(|e| bigger.place(e, today, kick).is_none())
            {
                return bigger;
            }
            level += 1;
        }
    }
}

/// An entry: the fingerprint's kept bits, the status, the day.
#[inline]
fn entry(rest: u64, status: Status, day: i64) -> u64 {
    let pending = if status == Status::Pending {
        PENDING_BIT
    } else {
        0
    };
    rest << TAG_BITS | pending | day.rem_euclid(RING) as u64
}

/// Whether the id of entry `e` is forgotten by `today`.
#[inline]
fn expired(e: u64, today: i64) -> bool {
    let age = (today - (e & (PENDING_BIT - 1)) as i64).rem_euclid(RING);
    let days = if e & PENDING_BIT != 0 {
        PENDING_ID_DAYS
    } else {
        FINAL_ID_DAYS
    };
    age > days
}

impl RecentIds {
    /// Whether `id` was seen, and is still remembered; remembers it with
    /// `status` when not. Called in time order.
    #[inline]
    pub(super) fn seen(&mut self, id: u64, ts: i64, status: Status) -> bool {
        // In time order: a day before the last one counts as the last.
        let day = ts.div_euclid(DAY).max(self.today);
        if day != self.today {
            self.new_day(day);
        }
        let today = day.rem_euclid(RING);
        let (i, rest) = ((id >> (64 - SHARD_BITS)) as usize, rest(id));
        let shard = &mut self.shards[i];
        if let Some((l, s)) = shard.find(rest) {
            let e = &mut shard.lines[l].0[s];
            if !expired(*e, today) {
                return true;
            }
            *e = entry(rest, status, day);
            return false;
        }
        self.insert(i, entry(rest, status, day), today);
        false
    }

    fn insert(&mut self, i: usize, e: u64, today: i64) {
        let shard = &mut self.shards[i];
        // Expired ids make room first, unless too few to put off growing.
        if shard.full() && shard.sweep(today) < shard.slots() / 16 {
            self.grow(i, today);
        }
        let mut left = self.shards[i].place(e, today, &mut self.kick);
        while let Some(homeless) = left {
            self.grow(i, today);
            left = self.shards[i].place(homeless, today, &mut self.kick);
        }
    }

    /// Replaces shard `i` with a bigger one holding its live ids.
    fn grow(&mut self, i: usize, today: i64) {
        self.shards[i] = self.shards[i].grown(i, today, &mut self.kick);
    }

    /// A new day: the shards whose turn it is are swept of expired ids (a
    /// jump past every horizon forgets everything).
    fn new_day(&mut self, day: i64) {
        if self.today == i64::MIN || day - self.today > PENDING_ID_DAYS {
            for s in &mut self.shards {
                s.lines.fill(Line([EMPTY; 8]));
                s.len = 0;
            }
        } else {
            let today = day.rem_euclid(RING);
            for d in self.today + 1..=day {
                for i in (d.rem_euclid(SWEEP_DAYS) as usize..SHARDS).step_by(SWEEP_DAYS as usize) {
                    self.shards[i].sweep(today);
                }
            }
        }
        self.today = day;
    }

    /// Asks the CPU for the lines where `id` would be (see
    /// [`crate::engine::Pricer::price_all`]).
    #[inline]
    pub(super) fn prefetch(&self, id: u64) {
        let shard = &self.shards[(id >> (64 - SHARD_BITS)) as usize];
        let (a, b) = buckets(rest(id), shard.lines.len());
        crate::hash::prefetch(&shard.lines[a]);
        crate::hash::prefetch(&shard.lines[b]);
    }

    /// Ids held (expired ones not yet swept included) and the bytes their
    /// slots take.
    #[cfg(test)]
    fn footprint(&self) -> (usize, usize) {
        let held = self.shards.iter().map(|s| s.len).sum();
        let bytes = self.shards.iter().map(|s| s.lines.len() * 64).sum();
        (held, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 20_000 * DAY;
    const FINAL: Status = Status::Final;
    const PENDING: Status = Status::Pending;

    fn id(i: u64) -> u64 {
        crate::hash::mix64(i + 1)
    }

    #[test]
    fn final_ids_are_remembered_fourteen_days() {
        let mut ids = RecentIds::default();
        assert!(!ids.seen(0xabc0_0000_0001, T0, FINAL));
        assert!(!ids.seen(0xdef0_0000_0002, T0, FINAL));
        assert!(ids.seen(0xabc0_0000_0001, T0 + 15 * DAY - 1, FINAL));
        assert!(!ids.seen(0xdef0_0000_0002, T0 + 15 * DAY, FINAL));
    }

    #[test]
    fn pending_ids_are_remembered_sixty_days() {
        // Meta retries delivery for up to 30 days (M-TTL): a status row 30
        // days after the first row of its message is still merged.
        let mut ids = RecentIds::default();
        assert!(!ids.seen(0xabc0_0000_0001, T0, PENDING));
        assert!(ids.seen(0xabc0_0000_0001, T0 + 30 * DAY, FINAL));
        assert!(!ids.seen(0xdef0_0000_0002, T0, PENDING));
        assert!(ids.seen(0xdef0_0000_0002, T0 + 61 * DAY - 1, PENDING));
        assert!(!ids.seen(0x1230_0000_0003, T0 + 61 * DAY - 1, PENDING));
        // A jump past every horizon forgets everything.
        assert!(!ids.seen(0x1230_0000_0003, T0 + 200 * DAY, PENDING));
    }

    #[test]
    fn ids_differing_in_any_bit_are_different() {
        let mut ids = RecentIds::default();
        // A day whose stored form an empty slot's bits could pass for.
        let t = 40 * RING * DAY;
        let base = 0x0123_4567_89ab_cdefu64;
        assert!(!ids.seen(base, t, FINAL));
        for bit in 0..64 {
            assert!(!ids.seen(base ^ 1 << bit, t, FINAL), "bit {bit}");
        }
        // All ones below the shard bits: not mistaken for an empty slot.
        assert!(!ids.seen(u64::MAX, t, FINAL));
        assert!(ids.seen(u64::MAX, t, FINAL));
        assert!(ids.seen(base, t, FINAL));
    }

    /// A month of 10,000 ids a day: none lost while growing and sweeping,
    /// and at most 12 bytes per id held once past the first shard sizes.
    #[test]
    fn a_month_of_ids_at_most_twelve_bytes_each() {
        let mut ids = RecentIds::default();
        let per_day = 10_000;
        for day in 0..45 {
            let ts = T0 + day as i64 * DAY;
            for i in day * per_day..(day + 1) * per_day {
                assert!(!ids.seen(id(i), ts, FINAL), "day {day} id {i}");
            }
            // The whole horizon is still known.
            let first = day.saturating_sub(FINAL_ID_DAYS as u64);
            for i in (first * per_day..(day + 1) * per_day).step_by(97) {
                assert!(ids.seen(id(i), ts, FINAL), "day {day} id {i}");
            }
            let (held, bytes) = ids.footprint();
            if held > 50_000 {
                assert!(
                    bytes <= 12 * held,
                    "day {day}: {bytes} bytes for {held} ids"
                );
            }
        }
        let (held, _) = ids.footprint();
        assert!(held <= per_day as usize * 48, "expired ids swept: {held}");
    }

    proptest::proptest! {
        /// Against a model: an id is a repeat when it was remembered (its
        /// status's days) since the day it was last stored. Ids share a few
        /// shards, so that buckets fill, displace and grow.
        #[test]
        fn recent_ids_match_a_model(
            steps in proptest::collection::vec((0u64..4, 0u64..3000, 0u8..62, proptest::bool::ANY), 1..4000)
        ) {
            let mut ids = RecentIds::default();
            let mut model: std::collections::HashMap<u64, (i64, Status)> = Default::default();
            let mut day = 0;
            for (shard, k, advance, pending) in steps {
                day += match advance {
                    0..=52 => 0,
                    53..=57 => 1,
                    58 => FINAL_ID_DAYS,
                    59 => 20,
                    60 => PENDING_ID_DAYS,
                    _ => 70,
                };
                let id = shard << 54 | crate::hash::mix64(k) >> 10;
                let status = if pending { PENDING } else { FINAL };
                let expected = model.get(&id).is_some_and(|&(seen, s)| {
                    day - seen <= if s == PENDING { PENDING_ID_DAYS } else { FINAL_ID_DAYS }
                });
                let got = ids.seen(id, T0 + day * DAY, status);
                proptest::prop_assert_eq!(got, expected, "id {:x} day {}", id, day);
                if !expected {
                    model.insert(id, (day, status));
                }
            }
        }
    }
}
