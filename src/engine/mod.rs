//! The one pricing engine behind estimate, forecast and reconcile: reads
//! logs, orders messages in time, classifies them and prices the charged
//! ones. Every input row leaves as exactly one [`Outcome`].
//!
//! [`run`] streams a time-sorted log (reading on one thread, pricing on
//! another, memory bounded by contacts) and falls back to holding the log
//! in memory when the order breaks; [`read_sorted`] + [`price_sorted`] hold
//! it for consumers that need the inputs while verdicts arrive. Both feed
//! one [`Pricer`], so the numbers cannot differ.

pub mod classify;
pub mod forecast;
pub mod reconcile;
pub mod tariff;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::data::markets::ResolveCache;
use crate::data::{Pricing, RateError, Resolved};
use crate::engine::classify::{Classification, Classifier, Outbound};
use crate::engine::tariff::{Tariff, Tier, TierSeeds};
use crate::ingest::{self, InputError, InputFormat, Inputs};
use crate::model::time::{Month, Zone};
use crate::model::{Direction, PricingType};
use crate::model::{Message, Rejected};

/// What happened to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Inbound,
    Billable,
    Free,
    /// Not delivered: never billed.
    Failed,
    Rejected,
}

/// One message with its verdict.
#[derive(Debug, Clone)]
pub struct Priced {
    pub date: NaiveDate,
    pub month: Month,
    pub outcome: Outcome,
    pub resolved: Option<Resolved>,
    pub class: Option<Classification>,
    /// Index of the era in force.
    pub era: Option<usize>,
    pub rate: Decimal,
    pub cost: Decimal,
    pub tier: Tier,
    pub reject: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub currency: String,
    /// `--rule NAME=on|off` overrides of the eras' switches.
    pub switches: BTreeMap<String, bool>,
    pub seeds: TierSeeds,
}

/// A consumer of verdicts, in time order.
pub trait Sink {
    fn priced(&mut self, m: &Message, p: &Priced);

    /// Whether [`Sink::restart`] can forget everything received so far. A
    /// restartable sink lets the engine stream time-sorted files with memory
    /// bounded by contacts, and start over if the order breaks.
    fn restartable(&self) -> bool {
        false
    }

    fn restart(&mut self) {}
}

impl<F: FnMut(&Message, &Priced)> Sink for F {
    fn priced(&mut self, m: &Message, p: &Priced) {
        self(m, p)
    }
}

/// An input that cannot be read, or a currency without rates.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Rate(#[from] RateError),
}

/// How a run went through its input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Messages went to the classifier while the input was still being read.
    pub streamed: bool,
    /// Streaming met a message older than one already priced and the run
    /// started over with the whole input in memory.
    pub restarted: bool,
    /// Most messages held in memory at once.
    pub peak_held: usize,
}

/// How far out of order a "sorted" log may be: exports sorted by local time
/// repeat an hour when daylight saving time ends.
pub const REORDER_SECS: i64 = 6 * 3600;
/// Messages gathered before each ordered hand-over to the classifier.
const BATCH: usize = 1 << 15;

/// [`BATCH`], or `WACOST_STREAM_BATCH` (a testing knob: small batches make
/// small test logs stream the way large ones do).
fn batch() -> usize {
    std::env::var("WACOST_STREAM_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(BATCH)
}

/// Reads `paths` and prices every message in time order, whatever the order
/// of the input. Time-sorted files (not stdin, not webhook JSON) stream when
/// the sink can restart; anything else is held in memory (32 bytes per
/// message) and sorted. Reader rejections go to `rejected`.
#[allow(clippy::too_many_arguments)]
pub fn run(
    pricing: &Pricing,
    opts: &Options,
    zone: &Zone,
    paths: &[String],
    format: Option<InputFormat>,
    inputs: &mut Inputs,
    rejected: &mut Vec<Rejected>,
    sink: &mut dyn Sink,
) -> Result<RunStats, EngineError> {
    let mut stats = RunStats::default();
    if sink.restartable() && streamable(paths, format)? {
        let mut stream = Stream::new(Pricer::new(pricing, opts, zone)?, batch());
        // Two cores: one reads and parses, the other classifies and prices.
        let stop = AtomicBool::new(false);
        let read: Result<Vec<Rejected>, InputError> = std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Message>>(IN_FLIGHT);
            // Emptied chunks go back to the reader: no allocation per chunk.
            let (give_back, recycled) = std::sync::mpsc::channel::<Vec<Message>>();
            let stop = &stop;
            let reading = &mut *inputs;
            let reader = std::thread::Builder::new()
                .name("wacost-read".into())
                .spawn_scoped(scope, move || {
                    read_in_chunks(paths, format, reading, (tx, recycled), stop)
                })
                .map_err(|source| InputError::Io {
                    file: "(reading thread)".into(),
                    source,
                })?;
            for mut chunk in rx {
                for m in chunk.drain(..) {
                    stream.push(m, sink);
                }
                let _ = give_back.send(chunk);
                if stream.out_of_order {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
            }
            match reader.join() {
                Ok(r) => r,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        *rejected = read?;
        if !stream.out_of_order {
            stream.flush(i64::MAX, sink);
            stats.streamed = true;
            stats.peak_held = stream.peak;
            return Ok(stats);
        }
        // Start over with the whole input in memory.
        sink.restart();
        rejected.clear();
        let keep = inputs.keep_extras;
        *inputs = Inputs::new(zone.clone());
        inputs.keep_extras = keep;
        stats.restarted = true;
    }
    let msgs = read_all(paths, format, inputs, rejected)?;
    stats.peak_held = msgs.len();
    price_consuming(Pricer::new(pricing, opts, zone)?, msgs, sink);
    Ok(stats)
}

/// Sorts and prices `msgs`, latest first in memory, so that priced messages
/// leave from the end and their memory goes back while contacts and ids
/// take theirs: the peak is the messages alone, not messages plus state.
fn price_consuming(mut pricer: Pricer<'_>, mut msgs: Vec<Message>, sink: &mut dyn Sink) {
    const STEP: usize = 1 << 16;
    msgs.sort_unstable_by(|a, b| order(b, a));
    while !msgs.is_empty() {
        let mut step = msgs.split_off(msgs.len().saturating_sub(STEP));
        step.reverse();
        pricer.price_all(&step, sink);
        msgs.shrink_to_fit();
    }
}

/// Reads every input into memory and orders it for [`price_sorted`]: for
/// sinks that need the inputs (names, ids) while they receive verdicts.
pub fn read_sorted(
    paths: &[String],
    format: Option<InputFormat>,
    inputs: &mut Inputs,
    rejected: &mut Vec<Rejected>,
) -> Result<Vec<Message>, InputError> {
    let mut msgs = read_all(paths, format, inputs, rejected)?;
    sort_messages(&mut msgs);
    Ok(msgs)
}

/// Prices messages ordered by [`sort_messages`].
pub fn price_sorted(
    pricing: &Pricing,
    opts: &Options,
    zone: &Zone,
    msgs: &[Message],
    sink: &mut dyn Sink,
) -> Result<(), RateError> {
    let mut pricer = Pricer::new(pricing, opts, zone)?;
    pricer.price_all(msgs, sink);
    Ok(())
}

/// Messages per hand-over from the reading thread.
const CHUNK: usize = 4096;
/// Chunks the reading thread may be ahead (4 MiB): the pricing side works
/// in bursts of [`BATCH`] messages, and a reader held up by a full channel
/// during each burst would leave a core idle (8 chunks: 0.50 s on the
/// 2M-row log; 32: 0.43 s).
const IN_FLIGHT: usize = 32;

/// The reading side of a streamed run: sends messages in chunks, in input
/// order; stops early when the pricing side found the input unsorted.
fn read_in_chunks(
    paths: &[String],
    format: Option<InputFormat>,
    inputs: &mut Inputs,
    (tx, recycled): (SyncSender<Vec<Message>>, Receiver<Vec<Message>>),
    stop: &AtomicBool,
) -> Result<Vec<Rejected>, InputError> {
    let mut rejected = Vec::new();
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut open = true;
    for p in paths {
        ingest::read_input(
            p,
            format,
            inputs,
            &mut |m| {
                if !open {
                    return;
                }
                chunk.push(m);
                if chunk.len() == CHUNK {
                    let full = std::mem::replace(
                        &mut chunk,
                        recycled
                            .try_recv()
                            .unwrap_or_else(|_| Vec::with_capacity(CHUNK)),
                    );
                    open = tx.send(full).is_ok() && !stop.load(Ordering::Relaxed);
                }
            },
            &mut |r| rejected.push(r),
        )?;
        if !open || stop.load(Ordering::Relaxed) {
            return Ok(rejected);
        }
    }
    if !chunk.is_empty() {
        // The pricing side may have stopped: nothing left to tell it then.
        let _ = tx.send(chunk);
    }
    Ok(rejected)
}

/// Streaming needs files it can read again (a restart) holding CSV.
fn streamable(paths: &[String], format: Option<InputFormat>) -> Result<bool, InputError> {
    for p in paths {
        if p == "-" {
            return Ok(false);
        }
        let f = match format {
            Some(f) => f,
            None => {
                let mut r = ingest::open(p)?;
                ingest::detect(&mut r).map_err(|source| InputError::Io {
                    file: p.clone(),
                    source,
                })?
            }
        };
        if f != InputFormat::Csv {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Orders a nearly sorted stream within [`REORDER_SECS`] and hands it to
/// the pricer; notices when the input is not sorted after all.
struct Stream<'p> {
    pricer: Pricer<'p>,
    batch: usize,
    held: Vec<Message>,
    newest: i64,
    /// Time of the last message priced.
    priced_until: Option<i64>,
    out_of_order: bool,
    peak: usize,
    flush_at: usize,
    /// `held` is sorted.
    in_order: bool,
}

impl<'p> Stream<'p> {
    fn new(pricer: Pricer<'p>, batch: usize) -> Stream<'p> {
        Stream {
            pricer,
            batch,
            held: Vec::new(),
            newest: i64::MIN,
            priced_until: None,
            out_of_order: false,
            peak: 0,
            flush_at: batch,
            in_order: true,
        }
    }

    fn push(&mut self, m: Message, sink: &mut dyn Sink) {
        if self.out_of_order {
            return;
        }
        if self.priced_until.is_some_and(|t| m.ts() <= t) {
            self.out_of_order = true;
            return;
        }
        self.newest = self.newest.max(m.ts());
        self.held.push(m);
        // Keep `held` sorted by insertion while messages come nearly in
        // order (a few steps each); past that, sort it at the next flush.
        if self.in_order {
            let mut j = self.held.len() - 1;
            let mut steps = 0;
            while j > 0 && order(&self.held[j - 1], &self.held[j]).is_gt() {
                if steps == 8 {
                    self.in_order = false;
                    break;
                }
                self.held.swap(j - 1, j);
                j -= 1;
                steps += 1;
            }
        }
        if self.held.len() >= self.flush_at {
            self.flush(self.newest.saturating_sub(REORDER_SECS), sink);
            // What stays (the last REORDER_SECS) waits for another batch.
            self.flush_at = self.held.len() + self.batch;
        }
    }

    /// Prices every held message up to `cutoff` (inclusive), in order.
    fn flush(&mut self, cutoff: i64, sink: &mut dyn Sink) {
        self.peak = self.peak.max(self.held.len());
        if !self.in_order {
            // Stable sort: adaptive to the sorted runs (the rest of the last
            // batch, the new nearly sorted one); the key is total, so the
            // order is the same as sort_messages'.
            self.held.sort_by(order);
            self.in_order = true;
        }
        let n = self.held.partition_point(|m| m.ts() <= cutoff);
        self.pricer.price_all(&self.held[..n], sink);
        if let Some(last) = n.checked_sub(1).and_then(|i| self.held.get(i)) {
            self.priced_until = Some(last.ts());
        }
        self.held.drain(..n);
    }
}

/// Reads every input into memory (compact records), collecting rejections.
pub fn read_all(
    paths: &[String],
    format: Option<InputFormat>,
    inputs: &mut Inputs,
    rejected: &mut Vec<Rejected>,
) -> Result<Vec<Message>, InputError> {
    let mut msgs = Vec::new();
    for p in paths {
        ingest::read_input(p, format, inputs, &mut |m| msgs.push(m), &mut |r| {
            rejected.push(r)
        })?;
    }
    ingest::webhook::finish(inputs, &mut |m| msgs.push(m), &mut |r| rejected.push(r));
    Ok(msgs)
}

/// Orders messages so that results do not depend on input order: by time,
/// inbound before outbound in the same second (a reply sees the window its
/// question opened), then by content, then by position.
pub fn sort_messages(msgs: &mut [Message]) {
    msgs.sort_unstable_by(order);
}

fn order(a: &Message, b: &Message) -> std::cmp::Ordering {
    (
        a.ts(),
        a.direction() == Direction::Outbound,
        a.content_key(),
        a.file,
        a.line,
    )
        .cmp(&(
            b.ts(),
            b.direction() == Direction::Outbound,
            b.content_key(),
            b.file,
            b.line,
        ))
}

/// How long a message id is remembered to catch repeated rows (one export
/// row per status): at least this long, at most twice.
pub const ID_MEMORY_SECS: i64 = 7 * 86_400;

/// Message ids seen recently, in two generations of [`ID_MEMORY_SECS`]:
/// memory follows the traffic of two weeks, not the whole log. One open
/// addressing table of fingerprints whose low bit is the generation's
/// parity: a look-up costs one cache miss, where two hash sets cost four.
#[derive(Debug)]
struct RecentIds {
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

    fn len(&self) -> usize {
        self.0.len() * 8
    }

    fn get(&self, i: usize) -> u64 {
        self.0[i >> 3].0[i & 7]
    }

    fn set(&mut self, i: usize, e: u64) {
        self.0[i >> 3].0[i & 7] = e;
    }

    /// Where the probe run of fingerprint `e` starts.
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
        RecentIds {
            generation: i64::MIN,
            slots: Slots::new(1024),
            len: 0,
        }
    }
}

impl RecentIds {
    /// Whether `id` was seen; remembers it. Called in time order.
    fn seen(&mut self, id: u64, ts: i64) -> bool {
        let g = ts.div_euclid(ID_MEMORY_SECS);
        if g != self.generation {
            self.rotate(g);
        }
        let key = match id & !1 {
            k if k == EMPTY & !1 => 2,
            k => k,
        };
        let mask = self.slots.len() - 1;
        let mut i = self.slots.home(id);
        loop {
            match self.slots.get(i) {
                EMPTY => break,
                e if e & !1 == key => return true,
                _ => i = (i + 1) & mask,
            }
        }
        self.slots.set(i, key | (self.generation & 1) as u64);
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.grow();
        }
        false
    }

    /// Asks the CPU for the line where `id` would be (see
    /// [`Pricer::price_all`]).
    fn prefetch(&self, id: u64) {
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

/// Classifies and prices messages handed to it in time order: the state of
/// one run (windows per contact, tier counters, recent ids).
pub struct Pricer<'p> {
    pricing: &'p Pricing,
    zone: Zone,
    tariff: Tariff<'p>,
    classifier: Classifier,
    ids: RecentIds,
    /// Per era: whether its allowance switch is on (switches are named by
    /// strings; this is looked up once, not per message).
    allowance_on: Vec<bool>,
    /// The local day of the last message priced, and what follows from it.
    day: Option<Day>,
    markets: ResolveCache,
}

/// A local date and what the rules make of it.
#[derive(Debug, Clone, Copy)]
struct Day {
    /// Days since 1970-01-01, local.
    number: i64,
    date: NaiveDate,
    month: Month,
    era: Option<usize>,
}

impl<'p> Pricer<'p> {
    pub fn new(
        pricing: &'p Pricing,
        opts: &'p Options,
        zone: &Zone,
    ) -> Result<Pricer<'p>, RateError> {
        Ok(Pricer {
            pricing,
            zone: zone.clone(),
            tariff: Tariff::new(pricing, &opts.currency, opts.seeds.clone())?,
            classifier: Classifier::new(),
            ids: RecentIds::default(),
            allowance_on: pricing
                .rules
                .eras
                .iter()
                .map(|era| {
                    era.allowance
                        .as_ref()
                        .is_some_and(|a| opts.switches.get(&a.switch).copied().unwrap_or(a.default))
                })
                .collect(),
            day: None,
            markets: ResolveCache::default(),
        })
    }

    /// Prices `msgs` in order. Ids and contacts are spread over tables
    /// larger than the caches: prefetching a group's slots first lets their
    /// cache misses overlap instead of stalling one message at a time.
    pub fn price_all(&mut self, msgs: &[Message], sink: &mut dyn Sink) {
        for group in msgs.chunks(64) {
            for m in group {
                self.ids.prefetch(m.id_hash);
                self.classifier.prefetch(m.contact().value());
            }
            for m in group {
                let p = self.price(m);
                sink.priced(m, &p);
            }
        }
    }

    pub fn price(&mut self, m: &Message) -> Priced {
        let pricing = self.pricing;
        let rules = &pricing.rules;
        let number = self.zone.local_day(m.ts());
        let day = match self.day {
            Some(day) if day.number == number => day,
            _ => {
                let date = crate::model::time::date_of_day(number);
                let day = Day {
                    number,
                    date,
                    month: Month::of(date),
                    era: rules.era_index(date),
                };
                self.day = Some(day);
                day
            }
        };
        let (date, month) = (day.date, day.month);
        let mut p = Priced {
            date,
            month,
            outcome: Outcome::Inbound,
            resolved: None,
            class: None,
            era: day.era,
            rate: Decimal::ZERO,
            cost: Decimal::ZERO,
            tier: Tier::None,
            reject: None,
        };
        let resolved = pricing
            .markets
            .resolve_cached(&mut self.markets, m.contact(), date);
        p.resolved = resolved.as_ref().ok().copied();
        if m.id_hash != 0 && self.ids.seen(m.id_hash, m.ts()) {
            p.outcome = Outcome::Rejected;
            p.reject = Some(if m.failed() {
                "duplicate message id: an earlier row has the same id and was counted; this row \
                 reports a failure, so check whether the message was delivered (Meta bills \
                 delivered messages only)"
                    .into()
            } else {
                "duplicate message id: an earlier row has the same id (exports with one row per \
                 status repeat it); the message is counted once, from its first row"
                    .into()
            });
            return p;
        }
        if m.direction() == Direction::Inbound {
            self.classifier
                .inbound(m.contact().value(), m.ts(), m.entry_point());
            return p;
        }
        if m.failed() {
            p.outcome = Outcome::Failed;
            return p;
        }
        let Some(era_idx) = p.era else {
            p.outcome = Outcome::Rejected;
            p.reject = Some(format!(
                "no pricing rules before {}: the first era in pricing/rules.toml",
                rules.eras[0].from
            ));
            return p;
        };
        let era = &rules.eras[era_idx];
        let resolved = match resolved {
            Ok(r) => r,
            Err(e) => {
                p.outcome = Outcome::Rejected;
                p.reject = Some(format!("contact: {e}"));
                return p;
            }
        };
        let allowance_on = self.allowance_on.get(era_idx).copied().unwrap_or(false);
        let class = self.classifier.outbound(
            Outbound {
                contact: m.contact().value(),
                ts: m.ts(),
                template: m.is_template(),
                category: m.category(),
                business_number: u32::from(m.business_number),
                month: (month.year, month.month),
            },
            era,
            allowance_on,
        );
        p.class = Some(class);
        if class.pricing_type != PricingType::Regular {
            p.outcome = Outcome::Free;
            return p;
        }
        match self.tariff.charge(
            era,
            resolved.market,
            class.category,
            date,
            (month.year, month.month),
        ) {
            Ok(c) => {
                p.outcome = Outcome::Billable;
                p.rate = c.rate;
                p.cost = c.rate;
                p.tier = c.tier;
            }
            Err(e) => {
                // Not priced: the classification must not claim a charge.
                p.outcome = Outcome::Rejected;
                p.class = None;
                p.reject = Some(e.to_string());
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn recent_ids_remember_at_least_seven_days() {
        let mut ids = RecentIds::default();
        let t0 = 20_000 * DAY;
        assert!(!ids.seen(0xabc0_0000_0001, t0));
        assert!(ids.seen(0xabc0_0000_0001, t0 + 7 * DAY - 1));
        assert!(!ids.seen(0xdef0_0000_0002, t0 + 7 * DAY));
        // Two generations later the first id is forgotten, the second not yet.
        let later = (t0.div_euclid(ID_MEMORY_SECS) + 2) * ID_MEMORY_SECS;
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
