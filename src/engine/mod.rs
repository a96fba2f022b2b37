//! The one pricing engine behind estimate, forecast and reconcile: reads
//! logs, orders messages in time, classifies them and prices the charged
//! ones. Every input row leaves as exactly one [`Outcome`].
//!
//! [`run`] streams a time-sorted log (reading on one thread, pricing on
//! another, memory bounded by contacts) and falls back to holding the log
//! in memory when the order breaks; [`read_sorted`] + [`price_sorted`] hold
//! it for consumers that need the inputs while verdicts arrive. Both feed
//! one [`Pricer`], so the numbers cannot differ.

pub mod allowance;
pub mod charged;
pub mod classify;
mod contacts;
pub mod countries;
pub mod customers;
pub mod expected;
pub mod forecast;
pub mod periods;
mod pricer;
pub mod rating;
mod recent_ids;
pub mod reconcile;
pub mod savings;
pub mod state;
pub mod statuses;
mod stream;
pub mod tariff;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::data::{Accept, Confidence, Pricing, RateError, Resolved};
use crate::engine::classify::Classification;
use crate::engine::stream::{streamable, Stream};
use crate::engine::tariff::{Tier, TierSeeds};
use crate::ingest::{self, InputError, InputFormat, Inputs};
use crate::model::time::{Month, Zone};
use crate::model::Direction;
use crate::model::{Message, Rejected};

pub use pricer::Pricer;

/// What happened to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Inbound,
    Billable,
    Free,
    /// Not delivered: never billed.
    Failed,
    /// Its status evidence never reached delivered (`sent` only): never
    /// billed (Meta, Pricing: "You are only charged when a template
    /// message is delivered").
    Undelivered,
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
    /// How the rate charged is known (`None` when nothing was charged).
    pub confidence: Option<Confidence>,
    pub reject: Option<String>,
    /// Billed without delivery evidence: the log has no delivered status
    /// for it (counted and shown as an assumption).
    pub delivery_assumed: bool,
    /// An inbound row that opened no window (a switch says its kind does
    /// not).
    pub opened_no_window: bool,
    /// Where the market came from: the phone number, or the country of a
    /// business-scoped user id.
    pub market_source: customers::MarketSource,
    /// The prices the log gives for the message (issue 14): its final
    /// charge, or the max price of its marketing template.
    pub log_price: Option<crate::model::LogPrice>,
    /// The most a max-price marketing message without a final charge can
    /// cost: its max price (`cost` is the card rate, or the max when lower).
    pub cost_max: Option<Decimal>,
    /// What pricing by the log's prices noted.
    pub price_note: Option<crate::model::PriceNote>,
}

impl Priced {
    /// The rate the card charges for a billable message, whatever the log
    /// says it was charged.
    pub fn card_cost(&self) -> Decimal {
        self.rate
    }

    /// The upper bound of the message's cost: its max price, else its cost.
    pub fn upper_cost(&self) -> Decimal {
        self.cost_max.unwrap_or(self.cost)
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub currency: String,
    /// `--rule NAME=on|off` overrides of the eras' switches.
    pub switches: BTreeMap<String, bool>,
    pub seeds: TierSeeds,
    /// Which rate cells may price a message (`--confidence`).
    pub accept: Accept,
    /// When authentication templates of a CSV log are priced at the
    /// authentication-international rate (`--business-country`,
    /// `--auth-international-from`).
    pub auth_international: Option<AuthInternational>,
    /// Messages gathered before each ordered hand-over to the classifier
    /// when a sorted input streams (see [`Options::new`]).
    pub stream_batch: usize,
    /// WABAs with their own time zone (`--tz WABA=ZONE`): their months,
    /// tiers, allowances and rule dates are local to it; tiers count across
    /// them (Meta: the portfolio, "12am WABA timezone").
    pub waba_zones: Vec<(String, Zone)>,
    /// `--profile NAME` or `--map FILE`: how CSV logs name their columns
    /// and words (none: detected from each header).
    pub profile: Option<crate::ingest::profile::Chosen>,
    /// How CSV logs' numbers and template names are read
    /// (`--default-country`, `--templates`).
    pub reader: ingest::ReaderSettings,
    /// How to read the logs' text (`--encoding`, `--date-order`).
    pub text: crate::ingest::TextSettings,
}

impl Options {
    /// Prices in `currency` with every switch at its default, no tier
    /// seeds, and the streaming batch of [`batch`].
    pub fn new(currency: impl Into<String>) -> Options {
        Options {
            currency: currency.into(),
            switches: BTreeMap::new(),
            seeds: TierSeeds::default(),
            accept: Accept::Any,
            auth_international: None,
            stream_batch: batch(),
            waba_zones: Vec::new(),
            profile: None,
            reader: Default::default(),
            text: Default::default(),
        }
    }
}

/// Meta's authentication-international pricing for one business: it
/// applies to authentication templates delivered, on or after the date
/// Meta names for the business, to a user of another country in a market
/// with an authentication-international rate (Meta, Authentication-
/// international rates: "eligible", "based outside the country", "after
/// the start time").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthInternational {
    /// ISO 3166 alpha-2 code of the country the business is based in.
    pub country: String,
    /// The first local day the business pays the rate.
    pub from: NaiveDate,
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

/// Two sinks fed the same verdicts (the summary and `--savings`).
pub struct Tee<'a>(pub &'a mut dyn Sink, pub &'a mut dyn Sink);

impl Sink for Tee<'_> {
    fn priced(&mut self, m: &Message, p: &Priced) {
        self.0.priced(m, p);
        self.1.priced(m, p);
    }

    fn restartable(&self) -> bool {
        self.0.restartable() && self.1.restartable()
    }

    fn restart(&mut self) {
        self.0.restart();
        self.1.restart();
    }
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
    /// Streaming met a message older than one already priced (or rows that
    /// need merging) and the run started over with the whole input in
    /// memory; why, when it was not the order.
    pub restarted: bool,
    pub restart_reason: Option<&'static str>,
    /// Most messages held in memory at once.
    pub peak_held: usize,
}

/// How far out of order a "sorted" log may be: exports sorted by local time
/// repeat an hour when daylight saving time ends.
pub const REORDER_SECS: i64 = 6 * 3600;
const RESTART_LINKED_IDS: &str =
    "a row linked a user id to its phone number after rows of the id alone: one customer";
/// Messages gathered before each ordered hand-over to the classifier.
const BATCH: usize = 1 << 15;

/// 32,768 messages, or `WACOST_STREAM_BATCH` (a testing knob: small batches make
/// small test logs stream the way large ones do).
pub fn batch() -> usize {
    std::env::var("WACOST_STREAM_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(BATCH)
}

/// Reads `paths` and prices every message in time order, whatever the order
/// of the input. Time-sorted CSV files and stdin (not webhook JSON) stream when
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
    inputs.charge_at_delivery = charge_at_delivery(pricing, opts);
    inputs.set_waba_zones(&opts.waba_zones);
    inputs.profile = opts.profile.clone();
    opts.reader.apply(inputs);
    inputs.text = opts.text;
    if sink.restartable() && streamable(paths, format)? {
        let pricer = Pricer::new(pricing, opts, zone)?
            .streaming()
            .with_prices(inputs.prices.clone());
        let mut stream = Stream::new(pricer, opts.stream_batch.max(1));
        *rejected = stream.read_and_price(paths, format, inputs, sink)?;
        if inputs.identities.late_link() && !stream.out_of_order {
            // Rows of a user id alone were priced before a row linked it to
            // its phone number: one customer, priced as one in memory.
            stream.out_of_order = true;
            stats.restart_reason = Some(RESTART_LINKED_IDS);
        }
        if !stream.out_of_order {
            stream.flush(i64::MAX, sink);
        }
        stats.restart_reason = stats.restart_reason.or(stream.restart_reason());
        if !stream.out_of_order {
            stats.streamed = true;
            stats.peak_held = stream.peak;
            return Ok(stats);
        }
        // Start over with the whole input in memory.
        sink.restart();
        rejected.clear();
        let keep = inputs.keep_extras;
        *inputs = inputs_for(pricing, opts, zone);
        inputs.keep_extras = keep;
        stats.restarted = true;
    }
    let msgs = read_all(paths, format, inputs, rejected)?;
    stats.peak_held = msgs.len();
    let pricer = Pricer::new(pricing, opts, zone)?
        .with_members(inputs.identities.members())
        .with_prices(inputs.prices.clone());
    price_consuming(pricer, msgs, sink);
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

/// The readers' shared state for a run: `zone` for naive times and WABAs
/// without their own, the WABAs' zones, and which instant charges.
pub fn inputs_for(pricing: &Pricing, opts: &Options, zone: &Zone) -> Inputs {
    let mut inputs = Inputs::new(zone.clone());
    inputs.set_waba_zones(&opts.waba_zones);
    inputs.charge_at_delivery = charge_at_delivery(pricing, opts);
    inputs.profile = opts.profile.clone();
    opts.reader.apply(&mut inputs);
    inputs.text = opts.text;
    inputs
}

/// Whether the charging instant is the delivery time (the `charge-at`
/// rule switch).
pub fn charge_at_delivery(pricing: &Pricing, opts: &Options) -> bool {
    pricing.rules.switches.on("charge-at", &opts.switches)
}

/// Reads every input into memory and orders it for [`price_sorted`]: for
/// sinks that need the inputs (names, ids) while they receive verdicts.
/// `inputs.charge_at_delivery` says which instant charges (see
/// [`charge_at_delivery`]).
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

/// Prices messages ordered by [`sort_messages`]; `members` are the groups'
/// members the readers found (`inputs.identities.members()`).
pub fn price_sorted(
    pricing: &Pricing,
    opts: &Options,
    zone: &Zone,
    msgs: &[Message],
    members: ingest::identities::Members,
    sink: &mut dyn Sink,
) -> Result<(), RateError> {
    let mut pricer = Pricer::new(pricing, opts, zone)?.with_members(members);
    pricer.price_all(msgs, sink);
    Ok(())
}

/// [`price_sorted`] with what the readers learnt beside the messages: the
/// groups' members and the log's prices.
pub fn price_read(
    pricing: &Pricing,
    opts: &Options,
    zone: &Zone,
    msgs: &[Message],
    inputs: &Inputs,
    sink: &mut dyn Sink,
) -> Result<(), RateError> {
    let mut pricer = Pricer::new(pricing, opts, zone)?
        .with_members(inputs.identities.members())
        .with_prices(inputs.prices.clone());
    pricer.price_all(msgs, sink);
    Ok(())
}

/// Reads every input into memory (compact records), collecting rejections;
/// rows of one message id are merged into one message, and what `sent`
/// means follows each file's delivery evidence ([`statuses`]).
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
    inputs.prices.publish();
    statuses::merge(&mut msgs, inputs);
    statuses::resolve_delivery(&mut msgs, inputs.delivery_evidence);
    inputs.identities.relink(&mut msgs);
    Ok(msgs)
}

/// Orders messages so that results do not depend on input order: by time,
/// inbound before outbound in the same second (a reply sees the window its
/// question opened), then by content, then by position.
pub fn sort_messages(msgs: &mut [Message]) {
    msgs.sort_unstable_by(order);
}

pub(crate) fn order(a: &Message, b: &Message) -> std::cmp::Ordering {
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
