//! The one pricing engine behind estimate, forecast and reconcile: reads
//! logs, orders messages in time, classifies them and prices the charged
//! ones. Every input row leaves as exactly one [`Outcome`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::classify::{Classification, Classifier, Outbound};
use crate::domain::{Direction, PricingType};
use crate::hash::IntSet;
use crate::input::{self, InputError, InputFormat, Inputs, Message, Rejected};
use crate::pricing::{Pricing, RateError, Resolved};
use crate::tariff::{Tariff, Tier, TierSeeds};
use crate::time::{Month, Zone};

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
/// the sink can restart; anything else is held in memory (40 bytes per
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
        let read = std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Message>>(8);
            let stop = &stop;
            let reading = &mut *inputs;
            let reader = scope.spawn(move || read_in_chunks(paths, format, reading, tx, stop));
            for chunk in rx {
                for m in chunk {
                    stream.push(m, sink);
                }
                if stream.out_of_order {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
            }
            reader.join()
        });
        match read {
            Ok(Ok(r)) => *rejected = r,
            Ok(Err(e)) => return Err(e.into()),
            Err(panic) => std::panic::resume_unwind(panic),
        }
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
    let msgs = read_sorted(paths, format, inputs, rejected)?;
    stats.peak_held = msgs.len();
    price_sorted(pricing, opts, zone, &msgs, sink)?;
    Ok(stats)
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
    for m in msgs {
        let p = pricer.price(m);
        sink.priced(m, &p);
    }
    Ok(())
}

/// Messages per hand-over from the reading thread.
const CHUNK: usize = 4096;

/// The reading side of a streamed run: sends messages in chunks, in input
/// order; stops early when the pricing side found the input unsorted.
fn read_in_chunks(
    paths: &[String],
    format: Option<InputFormat>,
    inputs: &mut Inputs,
    tx: SyncSender<Vec<Message>>,
    stop: &AtomicBool,
) -> Result<Vec<Rejected>, InputError> {
    let mut rejected = Vec::new();
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut open = true;
    for p in paths {
        input::read_input(
            p,
            format,
            inputs,
            &mut |m| {
                if !open {
                    return;
                }
                chunk.push(m);
                if chunk.len() == CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
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
                let mut r = input::open(p)?;
                input::detect(&mut r).map_err(|source| InputError::Io {
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
        }
    }

    fn push(&mut self, m: Message, sink: &mut dyn Sink) {
        if self.out_of_order {
            return;
        }
        if self.priced_until.is_some_and(|t| m.ts <= t) {
            self.out_of_order = true;
            return;
        }
        self.newest = self.newest.max(m.ts);
        self.held.push(m);
        if self.held.len() >= self.flush_at {
            self.flush(self.newest.saturating_sub(REORDER_SECS), sink);
            // What stays (the last REORDER_SECS) waits for another batch.
            self.flush_at = self.held.len() + self.batch;
        }
    }

    /// Prices every held message up to `cutoff` (inclusive), in order.
    fn flush(&mut self, cutoff: i64, sink: &mut dyn Sink) {
        self.peak = self.peak.max(self.held.len());
        // Stable sort: adaptive to the sorted runs (the rest of the last
        // batch, the new nearly sorted one); the key is total, so the order
        // is the same as sort_messages'.
        self.held.sort_by(order);
        let n = self.held.partition_point(|m| m.ts <= cutoff);
        for m in &self.held[..n] {
            let p = self.pricer.price(m);
            sink.priced(m, &p);
        }
        if let Some(last) = n.checked_sub(1).and_then(|i| self.held.get(i)) {
            self.priced_until = Some(last.ts);
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
        input::read_input(p, format, inputs, &mut |m| msgs.push(m), &mut |r| {
            rejected.push(r)
        })?;
    }
    input::webhook::finish(inputs, &mut |m| msgs.push(m), &mut |r| rejected.push(r));
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
        a.ts,
        a.direction() == Direction::Outbound,
        a.content_key(),
        a.file,
        a.line,
    )
        .cmp(&(
            b.ts,
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
/// memory follows the traffic of two weeks, not the whole log.
#[derive(Debug, Default)]
struct RecentIds {
    generation: i64,
    current: IntSet<u64>,
    previous: IntSet<u64>,
}

impl RecentIds {
    /// Whether `id` was seen; remembers it. Called in time order.
    fn seen(&mut self, id: u64, ts: i64) -> bool {
        let g = ts.div_euclid(ID_MEMORY_SECS);
        if g != self.generation {
            if g == self.generation + 1 {
                self.previous = std::mem::take(&mut self.current);
            } else {
                self.previous.clear();
                self.current.clear();
            }
            self.generation = g;
        }
        self.previous.contains(&id) || !self.current.insert(id)
    }
}

/// Classifies and prices messages handed to it in time order: the state of
/// one run (windows per contact, tier counters, recent ids).
pub struct Pricer<'p> {
    pricing: &'p Pricing,
    opts: &'p Options,
    zone: Zone,
    tariff: Tariff<'p>,
    classifier: Classifier,
    ids: RecentIds,
}

impl<'p> Pricer<'p> {
    pub fn new(
        pricing: &'p Pricing,
        opts: &'p Options,
        zone: &Zone,
    ) -> Result<Pricer<'p>, RateError> {
        Ok(Pricer {
            pricing,
            opts,
            zone: zone.clone(),
            tariff: Tariff::new(pricing, &opts.currency, opts.seeds.clone())?,
            classifier: Classifier::new(),
            ids: RecentIds::default(),
        })
    }

    /// Contacts with state: what memory grows with.
    pub fn contacts(&self) -> usize {
        self.classifier.contacts()
    }

    pub fn price(&mut self, m: &Message) -> Priced {
        let pricing = self.pricing;
        let rules = &pricing.rules;
        let date = self.zone.local_date(m.ts);
        let month = Month::of(date);
        let mut p = Priced {
            date,
            month,
            outcome: Outcome::Inbound,
            resolved: None,
            class: None,
            era: rules.era_index(date),
            rate: Decimal::ZERO,
            cost: Decimal::ZERO,
            tier: Tier::None,
            reject: None,
        };
        let resolved = pricing.markets.resolve(m.contact(), date);
        p.resolved = resolved.as_ref().ok().copied();
        if m.id_hash != 0 && self.ids.seen(m.id_hash, m.ts) {
            p.outcome = Outcome::Rejected;
            p.reject = Some(
                "duplicate message id: an earlier row has the same id (exports with one row per \
                 status repeat it); the message is counted once, from its first row"
                    .into(),
            );
            return p;
        }
        if m.direction() == Direction::Inbound {
            self.classifier
                .inbound(m.contact().value(), m.ts, m.entry_point());
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
        let allowance_on = era.allowance.as_ref().is_some_and(|a| {
            self.opts
                .switches
                .get(&a.switch)
                .copied()
                .unwrap_or(a.default)
        });
        let class = self.classifier.outbound(
            Outbound {
                contact: m.contact().value(),
                ts: m.ts,
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
