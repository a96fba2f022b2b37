//! Reconciliation: what the log costs by wacost's engine ("ours") against
//! what Meta reports ("theirs": pricing/conversation analytics, invoice
//! CSV, and the `pricing` object of every webhook status).

pub mod charges;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::data::rules::{Era, Frees};
use crate::data::{Confidence, Pricing};
use crate::engine::classify::Reason;
use crate::engine::countries::{CountryMarket, CountryMarkets};
use crate::engine::periods::{bucket_date, Periods};
use crate::engine::{Outcome, Priced};
use crate::model::time::{Month, Zone};
use crate::model::Message;
use crate::model::{Category, Direction, PricingModel, PricingType};

pub use crate::ingest::figures::{read_theirs, Source, TheirPoint, TheirReport};

/// Stable finding codes (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// Same volume, cost within tolerance.
    Matched,
    /// wacost counts charges Meta does not report.
    OnlyOurs,
    /// Meta reports charges wacost does not find in the log.
    OnlyTheirs,
    /// Volumes differ.
    VolumeDiffers,
    /// Same volume, cost differs beyond tolerance (a rate or tier).
    CostDiffers,
}

impl Finding {
    pub fn as_str(self) -> &'static str {
        match self {
            Finding::Matched => "matched",
            Finding::OnlyOurs => "only_ours",
            Finding::OnlyTheirs => "only_theirs",
            Finding::VolumeDiffers => "volume_differs",
            Finding::CostDiffers => "cost_differs",
        }
    }
}

/// A bucket: month, market, category, and pricing type when the source has it.
pub type Key = (String, String, String, String);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Side {
    pub volume: u64,
    pub cost: Decimal,
    pub present: bool,
    /// Messages priced with an inferred rate cell (ours only): a
    /// difference on such a line may be the rate's, not the rules'.
    pub inferred: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub month: String,
    pub market: String,
    pub category: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub pricing_type: String,
    pub ours_volume: u64,
    #[serde(serialize_with = "money_str")]
    pub ours_cost: Decimal,
    /// Our messages priced with an inferred rate cell.
    pub ours_inferred: u64,
    pub theirs_volume: u64,
    #[serde(serialize_with = "money_str")]
    pub theirs_cost: Decimal,
    #[serde(serialize_with = "money_str")]
    pub difference: Decimal,
    pub percent: String,
    pub finding: Finding,
}

fn money_str<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::model::money::fmt(*d))
}

/// A message whose own webhook `pricing` disagrees with wacost.
#[derive(Debug, Clone, Serialize)]
pub struct MessageFinding {
    pub file: String,
    pub line: u64,
    pub id: String,
    pub contact: String,
    pub timestamp: String,
    pub category: String,
    pub ours_pricing_type: String,
    pub theirs_pricing_type: String,
    pub ours_billable: bool,
    pub theirs_billable: Option<bool>,
    pub rule: String,
    pub code: &'static str,
}

/// Our side, bucketed both with and without pricing type.
#[derive(Debug, Default)]
pub struct Ours {
    pub by_type: BTreeMap<Key, Side>,
    pub billable: BTreeMap<Key, Side>,
    pub messages: Vec<MessageFinding>,
    pub compared_messages: u64,
    /// Messages whose log charge is not the card rate, and how many
    /// charges were compared (issue 14).
    pub charges: Vec<charges::ChargeFinding>,
    pub compared_charges: u64,
    /// Meta's analytics buckets: a message counts in the one holding its
    /// charging instant (else in its own month in `--tz`).
    pub periods: Periods,
    /// Conversation-based pricing: each conversation wacost opened, by
    /// customer and opening instant, and what Meta's `billable` says of it.
    conversations: HashMap<(u64, i64), Expect>,
    /// Conversations already reported as differing (once each).
    reported: HashSet<(u64, i64)>,
}

/// What Meta's webhook `billable` is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Per-message pricing: whether wacost charges the message.
    Message(bool),
    /// Conversation-based pricing: the flag of the message's conversation.
    Conversation(bool),
    /// Meta's pages do not say: either value agrees.
    Either,
}

impl Expect {
    /// Meta's `billable` under conversation-based pricing, for the
    /// conversation a message opened. Meta's CBP-era status reference (as
    /// quoted by SDKs): billable "Default is true for all conversations,
    /// including those inside your free tier limit, except those initiated
    /// from free entry points". For the service conversations free since
    /// November 2024 it says nothing.
    fn of_opener(reason: Reason, charged: bool) -> Expect {
        match reason {
            Reason::OpenedFreeEntryPoint { .. } => Expect::Conversation(false),
            Reason::Allowance { .. } => Expect::Conversation(true),
            Reason::FreeCategory => Expect::Either,
            _ => Expect::Conversation(charged),
        }
    }
}

/// The category Meta's analytics count a bucket in. M-ANALYTICS:
/// `SERVICE` is "Messages that were not charged. Includes all non-template
/// messages and utility messages sent inside of a customer service
/// window", and its own DAILY example also shows such messages as
/// `UTILITY`/`FREE_CUSTOMER_SERVICE`: both sides count free in-window
/// utility under `service` in the eras whose rules free utility inside the
/// window (per-message pricing from 2025-07 until 2026-10, when it is
/// charged and stays utility). Messages in a free entry point window are
/// not charged either, and Meta's example lists `FREE_ENTRY_POINT` under
/// `SERVICE` only: a template there counts under `service` too.
pub fn analytics_category(era: &Era, cat: Category, ptype: &str) -> Category {
    if era.model != PricingModel::Pmp {
        return cat;
    }
    let in_window = cat == Category::Utility
        && ptype == "free_customer_service"
        && era.frees(Category::Utility, true, true) == Frees::InWindow;
    if in_window || ptype == "free_entry_point" {
        Category::Service
    } else {
        cat
    }
}

/// Meta's pricing-type word for our classification, in the model of the era.
pub fn meta_pricing_type(model: PricingModel, p: &Priced) -> Option<&'static str> {
    let c = p.class?;
    Some(match (model, c.pricing_type) {
        (_, PricingType::Regular) => "regular",
        (_, PricingType::FreeEntryPoint) => "free_entry_point",
        (PricingModel::Cbp, PricingType::FreeTier) => "free_tier",
        (PricingModel::Cbp, PricingType::FreeCustomerService) => "regular",
        // Meta reports the service allowance and CBP carry-over as free
        // customer service.
        (
            PricingModel::Pmp,
            PricingType::FreeTier | PricingType::InConversation | PricingType::FreeCustomerService,
        ) => "free_customer_service",
        (PricingModel::Cbp, PricingType::InConversation) => "in_conversation",
    })
}

/// Where a message goes in our buckets: its month, market, category and
/// Meta's word for its pricing type.
struct Verdict<'a> {
    m: &'a Message,
    p: &'a Priced,
    c: crate::engine::classify::Classification,
    cc_len: usize,
    market: crate::data::MarketId,
    era: &'a crate::data::Era,
    ptype: &'static str,
}

/// What renders a message finding: names, numbers, times.
struct Names<'a> {
    privacy: &'a crate::model::phone::Privacy,
    inputs: &'a crate::ingest::Inputs,
    zone: &'a Zone,
}

impl Ours {
    /// Adds one message's verdict. In the CBP era the unit is the
    /// conversation: only messages that opened one count.
    pub fn add(
        &mut self,
        m: &Message,
        p: &Priced,
        pricing: &Pricing,
        privacy: &crate::model::phone::Privacy,
        inputs: &crate::ingest::Inputs,
        zone: &Zone,
    ) {
        self.note_conversation(m, p, pricing);
        let Some(v) = verdict(m, p, pricing) else {
            return;
        };
        let names = Names {
            privacy,
            inputs,
            zone,
        };
        self.charge(&v, &names);
        if opens(&v) {
            self.bucket(&v, pricing.markets.name(v.market));
        }
        // Per message: Meta's own verdict from the status webhook.
        if let Some(meta) = inputs.extra(m).and_then(|e| e.meta.as_ref()) {
            self.compared_messages += 1;
            let (unit, expect) = self.conversation(&v);
            let Some(f) = message_finding(&v, meta, expect, &names) else {
                return;
            };
            if unit.is_none_or(|u| self.reported.insert(u)) {
                self.messages.push(f);
            }
        }
    }

    /// Compares the log's charged price of a message with the card.
    fn charge(&mut self, v: &Verdict, n: &Names) {
        if !charges::compared(v.m, v.p) {
            return;
        }
        self.compared_charges += 1;
        let Some((code, charged)) = charges::kind_of(v.p) else {
            return;
        };
        let m = v.m;
        self.charges.push(charges::ChargeFinding {
            file: n.inputs.file_name(m).to_string(),
            line: u64::from(m.line),
            id: n.inputs.id_of(m).to_string(),
            contact: n.inputs.identities.render(m.contact(), n.privacy, v.cc_len),
            timestamp: n.zone.format(m.ts()),
            category: v.c.category.as_str().to_string(),
            card_cost: v.p.card_cost(),
            charged,
            max_price: v.p.log_price.and_then(|lp| lp.max),
            code,
        });
    }

    /// Conversation-based pricing: a message that opened a conversation
    /// (charged, unpriced or not) is remembered with its conversation.
    fn note_conversation(&mut self, m: &Message, p: &Priced, pricing: &Pricing) {
        let (Some(c), Some(era)) = (p.class, p.era) else {
            return;
        };
        let opened = matches!(
            c.reason,
            Reason::OpenedConversation | Reason::Allowance { .. } | Reason::FreeCategory
        );
        if opened && pricing.rules.eras[era].model == PricingModel::Cbp {
            let charged = c.pricing_type == PricingType::Regular;
            let expect = Expect::of_opener(c.reason, charged);
            self.conversations
                .insert((m.contact().value(), m.ts()), expect);
        }
    }

    /// The conversation a message is in, if Meta bills conversations, and
    /// what Meta's `billable` is held to. M-CBP: "Charges are applied per
    /// conversation, not per individual message sent or received", so a
    /// message inside a charged conversation is free for wacost and
    /// `billable: true` for Meta. The 2025-07 utility carry-over stays
    /// compared per message: Meta calls it "free, but attributed to the
    /// open conversation", and does not say which `billable` it reports.
    fn conversation(&self, v: &Verdict) -> (Option<(u64, i64)>, Expect) {
        let (contact, ts) = (v.m.contact().value(), v.m.ts());
        let own = v.p.outcome == Outcome::Billable;
        if v.era.model == PricingModel::Pmp {
            return (None, Expect::Message(own));
        }
        let (key, expect) = match v.c.reason {
            Reason::InConversation { since } => {
                let opened = self.conversations.get(&(contact, since));
                ((contact, since), opened.copied().unwrap_or(Expect::Either))
            }
            Reason::InFreeEntryPoint { since, .. } => {
                ((contact, since), Expect::Conversation(false))
            }
            r => ((contact, ts), Expect::of_opener(r, own)),
        };
        (Some(key), expect)
    }

    /// Counts a message that opened a unit (PMP: every message).
    fn bucket(&mut self, v: &Verdict, market: &str) {
        let month = self.periods.month_of(v.m.ts()).unwrap_or(v.p.month);
        let cat = analytics_category(v.era, v.c.category, v.ptype);
        let key = |ptype: &str| {
            (
                month.to_string(),
                market.to_string(),
                cat.as_str().to_string(),
                ptype.to_string(),
            )
        };
        add_to(self.by_type.entry(key(v.ptype)).or_default(), v.p);
        if v.p.outcome == Outcome::Billable {
            add_to(self.billable.entry(key("")).or_default(), v.p);
        }
    }
}

fn add_to(s: &mut Side, p: &Priced) {
    s.volume += 1;
    s.cost += p.cost;
    s.present = true;
    s.inferred += u64::from(p.confidence == Some(Confidence::Inferred));
}

/// An outbound, delivered, classified and resolved message's verdict.
fn verdict<'a>(m: &'a Message, p: &'a Priced, pricing: &'a Pricing) -> Option<Verdict<'a>> {
    if m.direction() != Direction::Outbound
        || !matches!(p.outcome, Outcome::Billable | Outcome::Free)
    {
        return None;
    }
    let (c, r) = (p.class?, p.resolved?);
    let era = &pricing.rules.eras[p.era?];
    let ptype = meta_pricing_type(era.model, p)?;
    Some(Verdict {
        m,
        p,
        c,
        cc_len: r.cc_len,
        market: r.market,
        era,
        ptype,
    })
}

/// Whether the message opened a unit: in the CBP era, a conversation.
fn opens(v: &Verdict) -> bool {
    match v.era.model {
        PricingModel::Pmp => true,
        PricingModel::Cbp => matches!(
            v.c.reason,
            Reason::OpenedConversation
                | Reason::OpenedFreeEntryPoint { .. }
                | Reason::FreeCategory
                | Reason::Allowance { .. }
        ),
    }
}

/// The finding when Meta's webhook pricing disagrees with ours; `expect`
/// is what Meta's `billable` is held to (the message's, or its
/// conversation's).
fn message_finding(
    v: &Verdict,
    meta: &crate::model::MetaPricing,
    expect: Expect,
    n: &Names,
) -> Option<MessageFinding> {
    let theirs_type = meta.pricing_type.as_deref().map(str::to_ascii_lowercase);
    let ours_billable = match expect {
        Expect::Message(b) | Expect::Conversation(b) => b,
        Expect::Either => v.p.outcome == Outcome::Billable,
    };
    let type_differs =
        v.era.model == PricingModel::Pmp && theirs_type.as_deref().is_some_and(|t| t != v.ptype);
    let billable_differs =
        expect != Expect::Either && meta.billable.is_some_and(|b| b != ours_billable);
    if !type_differs && !billable_differs {
        return None;
    }
    let (m, c) = (v.m, v.c);
    Some(MessageFinding {
        file: n.inputs.file_name(m).to_string(),
        line: u64::from(m.line),
        id: n.inputs.id_of(m).to_string(),
        contact: n.inputs.identities.render(m.contact(), n.privacy, v.cc_len),
        timestamp: n.zone.format(m.ts()),
        category: c.category.as_str().to_string(),
        ours_pricing_type: v.ptype.to_string(),
        theirs_pricing_type: theirs_type.unwrap_or_default(),
        ours_billable,
        theirs_billable: meta.billable,
        rule: format!("{}: {}", v.era.id, c.reason.explain(m.ts(), c.category)),
        code: if type_differs {
            "message_type_differs"
        } else if matches!(expect, Expect::Conversation(_)) {
            "conversation_billable_differs"
        } else {
            "message_billable_differs"
        },
    })
}

/// Meta's figures bucketed like ours: each point in the month of its
/// bucket (see [`Periods`]) or the month it names, its country's market on
/// that date, and its category as its era's analytics count it.
pub fn bucket_theirs(
    points: &[TheirPoint],
    pricing: &Pricing,
    zone: &mut Zone,
    warnings: &mut Vec<String>,
) -> (BTreeMap<Key, Side>, bool) {
    let mut out: BTreeMap<Key, Side> = BTreeMap::new();
    let mut countries = CountryMarkets::new(&pricing.markets);
    let mut typed = false;
    for p in points {
        let Some((date, month)) = their_date(p, zone, warnings) else {
            continue;
        };
        let era = pricing
            .rules
            .era_index(date)
            .map(|i| &pricing.rules.eras[i]);
        let Some(cat) = point_category(p, era) else {
            warnings.push(format!(
                "{}: skipped a point of category {:?}: wacost does not price it",
                p.file, p.category_raw
            ));
            continue;
        };
        let market = their_market(p, pricing, &mut countries, date, warnings);
        let ptype = p.pricing_type.clone().unwrap_or_default();
        typed |= !ptype.is_empty();
        let cat = era.map_or(cat, |e| analytics_category(e, cat, &ptype));
        let s = out
            .entry((month, market, cat.as_str().to_string(), ptype))
            .or_default();
        s.volume += p.volume;
        s.cost += p.cost.unwrap_or_default();
        s.present = true;
    }
    (out, typed)
}

/// A point's category as wacost prices it under the era of its date.
/// `MARKETING_LITE` is marketing under per-message pricing: "Starting July
/// 1, 2025, Cloud API marketing rates will apply to messages sent via MM
/// Lite API" (M-CBP; before, "MM Lite API has different pricing"),
/// as the webhook reader prices `marketing_lite`.
pub fn point_category(p: &TheirPoint, era: Option<&Era>) -> Option<Category> {
    let per_message = era.is_some_and(|e| e.model == PricingModel::Pmp);
    match p.category {
        Some(c) => Some(c),
        None if per_message && p.category_raw.eq_ignore_ascii_case("marketing_lite") => {
            Some(Category::Marketing)
        }
        None => None,
    }
}

/// A point's local date and month: the month Meta gives (its first day),
/// or its bucket's (see [`bucket_date`]).
pub fn their_date(
    p: &TheirPoint,
    zone: &mut Zone,
    warnings: &mut Vec<String>,
) -> Option<(NaiveDate, String)> {
    match (&p.month, p.start) {
        (Some(m), _) => {
            let date = Month::parse(m).map(Month::first_day).unwrap_or_default();
            Some((date, m.clone()))
        }
        (None, Some(s)) => {
            let date = bucket_date(s, p.end, zone);
            Some((date, Month::of(date).to_string()))
        }
        (None, None) => {
            warnings.push(format!(
                "{}: skipped a point with no month or start",
                p.file
            ));
            None
        }
    }
}

/// A point's market by our names: its market, or its country's on the map
/// of its date; the country itself (with a warning, once) when the country
/// alone cannot decide the market.
fn their_market(
    p: &TheirPoint,
    pricing: &Pricing,
    countries: &mut CountryMarkets,
    date: NaiveDate,
    warnings: &mut Vec<String>,
) -> String {
    match (&p.market, &p.country) {
        (Some(m), _) => pricing
            .markets
            .find_name(m)
            .map(|id| pricing.markets.name(id).to_string())
            .unwrap_or_else(|| m.clone()),
        (None, Some(c)) => match countries.of(c, date) {
            CountryMarket::Market(id) => pricing.markets.name(id).to_string(),
            other => {
                let why = format!("{}: {}", p.file, countries.explain(c, date, &other));
                if !warnings.contains(&why) {
                    warnings.push(why);
                }
                c.clone()
            }
        },
        (None, None) => "?".into(),
    }
}

/// Compares two bucket maps.
pub fn compare(
    ours: &BTreeMap<Key, Side>,
    theirs: &BTreeMap<Key, Side>,
    tolerance: Decimal,
) -> Vec<Line> {
    let mut keys: Vec<&Key> = ours.keys().chain(theirs.keys()).collect();
    keys.sort();
    keys.dedup();
    let empty = Side::default();
    keys.into_iter()
        .map(|k| {
            let o = ours.get(k).unwrap_or(&empty);
            let t = theirs.get(k).unwrap_or(&empty);
            let diff = t.cost - o.cost;
            let finding = finding(o, t, diff, tolerance);
            let percent = if o.cost.is_zero() {
                String::new()
            } else {
                format!("{:.2}", diff / o.cost * Decimal::ONE_HUNDRED)
            };
            Line {
                month: k.0.clone(),
                market: k.1.clone(),
                category: k.2.clone(),
                pricing_type: k.3.clone(),
                ours_volume: o.volume,
                ours_cost: o.cost,
                ours_inferred: o.inferred,
                theirs_volume: t.volume,
                theirs_cost: t.cost,
                difference: diff,
                percent,
                finding,
            }
        })
        .collect()
}

/// What one bucket's two sides say.
fn finding(o: &Side, t: &Side, diff: Decimal, tolerance: Decimal) -> Finding {
    if !t.present && o.volume > 0 {
        Finding::OnlyOurs
    } else if !o.present && t.volume > 0 {
        Finding::OnlyTheirs
    } else if o.volume != t.volume {
        Finding::VolumeDiffers
    } else if diff.abs() > tolerance {
        Finding::CostDiffers
    } else {
        Finding::Matched
    }
}

/// The category of a line, for sorting reports.
pub fn category_order(s: &str) -> usize {
    s.parse::<Category>().map_or(9, Category::index)
}

/// Why a reconciliation could not run.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// Meta's file cannot be read at all.
    #[error("reading {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Theirs(#[from] Box<crate::ingest::figures::TheirError>),
    #[error(transparent)]
    Input(#[from] crate::ingest::InputError),
    #[error(transparent)]
    Rate(#[from] crate::data::RateError),
}

/// Meta's side: every point of the `--against` files, and what to warn about.
#[derive(Debug, Default)]
pub struct Theirs {
    pub points: Vec<TheirPoint>,
    pub warnings: Vec<String>,
    /// Some `--against` file was given (else only webhook pricing compares).
    pub given: bool,
}

impl Theirs {
    /// Reads Meta's files first, so a bad one fails before the log is read.
    pub fn read(paths: &[String], currency: &str) -> Result<Theirs, ReconcileError> {
        let mut t = Theirs {
            given: !paths.is_empty(),
            ..Theirs::default()
        };
        for f in paths {
            let bytes = std::fs::read(f).map_err(|source| ReconcileError::Read {
                file: f.clone(),
                source,
            })?;
            let rep = read_theirs(f, &bytes).map_err(Box::new)?;
            if let Some(c) = rep
                .currency
                .as_ref()
                .filter(|c| !c.eq_ignore_ascii_case(currency))
            {
                t.warnings.push(format!(
                    "{f} is in {c} but --currency is {currency}: costs will not match"
                ));
            }
            t.warnings.extend(rep.warnings);
            t.points.extend(rep.points);
        }
        Ok(t)
    }
}

/// What a reconciliation compares: the log, how to price it, and Meta's side.
pub struct Request<'a> {
    pub pricing: &'a Pricing,
    pub opts: &'a crate::engine::Options,
    pub zone: &'a Zone,
    pub privacy: &'a crate::model::phone::Privacy,
    pub logs: &'a [String],
    pub input: Option<crate::ingest::InputFormat>,
    pub tolerance: Decimal,
}

/// The outcome: sorted lines with their findings, the messages whose own
/// webhook pricing disagrees, the totals and what to warn about.
#[derive(Debug)]
pub struct Reconciliation {
    pub currency: String,
    pub tz: &'static str,
    pub tolerance: Decimal,
    pub lines: Vec<Line>,
    pub messages: Vec<MessageFinding>,
    pub compared_messages: u64,
    /// Messages whose log charge is not the card rate (issue 14).
    pub charges: Vec<charges::ChargeFinding>,
    pub compared_charges: u64,
    pub warnings: Vec<String>,
    /// Log rows the readers or the engine rejected.
    pub log_rejected: u64,
    pub total_ours: Decimal,
    pub total_theirs: Decimal,
    /// The sum of the (within tolerance) differences of matched lines.
    pub residual: Decimal,
    /// Neither `--against` nor webhook pricing objects: nothing compared.
    pub nothing_to_compare: bool,
}

impl Reconciliation {
    pub fn count(&self, f: Finding) -> usize {
        self.lines.iter().filter(|l| l.finding == f).count()
    }

    /// Meta's total minus ours.
    pub fn difference(&self) -> Decimal {
        self.total_theirs - self.total_ours
    }

    /// Lines not matched, plus messages that differ, plus charges above
    /// what Meta's pages allow (exit 1 when any).
    pub fn differences(&self) -> usize {
        let charges = self.charges.iter().filter(|c| c.code.is_difference());
        self.lines.len() - self.count(Finding::Matched) + self.messages.len() + charges.count()
    }
}

/// Prices the log and compares it with Meta's figures.
pub fn reconcile(req: &Request, theirs: Theirs) -> Result<Reconciliation, ReconcileError> {
    let mut warnings = theirs.warnings;
    let mut zone = req.zone.clone();
    let periods = Periods::of(&theirs.points, &mut zone);
    if periods.overlap() {
        warnings.push("Meta's buckets overlap (pages of different granularities?): a message counts in the latest-starting bucket that holds it".into());
    }
    let (mut ours, log_rejected) = price_log(req, periods)?;
    let (their, typed) = bucket_theirs(&theirs.points, req.pricing, &mut zone, &mut warnings);
    keep_their_months(&mut ours, &their, &mut warnings);
    let mut lines = match (theirs.given, typed) {
        (false, _) => Vec::new(),
        (true, true) => compare(&ours.by_type, &their, req.tolerance),
        (true, false) => compare(&ours.billable, &their, req.tolerance),
    };
    sort_lines(&mut lines);
    let matched = lines.iter().filter(|l| l.finding == Finding::Matched);
    Ok(Reconciliation {
        currency: req.opts.currency.clone(),
        tz: req.zone.name(),
        tolerance: req.tolerance,
        residual: matched.map(|l| l.difference).sum(),
        total_ours: lines.iter().map(|l| l.ours_cost).sum(),
        total_theirs: lines.iter().map(|l| l.theirs_cost).sum(),
        nothing_to_compare: !theirs.given
            && ours.compared_messages == 0
            && ours.compared_charges == 0,
        lines,
        messages: ours.messages,
        compared_messages: ours.compared_messages,
        charges: ours.charges,
        compared_charges: ours.compared_charges,
        warnings,
        log_rejected,
    })
}

/// Our side of the log, and how many of its rows were rejected.
fn price_log(req: &Request, periods: Periods) -> Result<(Ours, u64), ReconcileError> {
    let mut inputs = crate::engine::inputs_for(req.pricing, req.opts, req.zone);
    inputs.keep_extras = true;
    let mut rejected = Vec::new();
    let msgs = crate::engine::read_sorted(req.logs, req.input, &mut inputs, &mut rejected)?;
    let mut ours = Ours {
        periods,
        ..Ours::default()
    };
    let mut engine_rejected = 0u64;
    crate::engine::price_read(
        req.pricing,
        req.opts,
        req.zone,
        &msgs,
        &inputs,
        &mut |m: &_, p: &Priced| {
            if p.outcome == Outcome::Rejected {
                engine_rejected += 1;
            }
            ours.add(m, p, req.pricing, req.privacy, &inputs, req.zone);
        },
    )?;
    Ok((ours, rejected.len() as u64 + engine_rejected))
}

/// Compares only the months Meta reports: a log usually spans more.
fn keep_their_months(ours: &mut Ours, theirs: &BTreeMap<Key, Side>, warnings: &mut Vec<String>) {
    let months: std::collections::BTreeSet<&String> = theirs.keys().map(|k| &k.0).collect();
    if months.is_empty() {
        return;
    }
    let before = ours.by_type.len() + ours.billable.len();
    ours.by_type.retain(|k, _| months.contains(&k.0));
    ours.billable.retain(|k, _| months.contains(&k.0));
    if before > ours.by_type.len() + ours.billable.len() {
        let months: Vec<&str> = months.iter().map(|m| m.as_str()).collect();
        warnings.push(format!(
            "compared only the months Meta reports ({}); log lines of other months left out",
            months.join(", ")
        ));
    }
}

/// Month, market, category in Meta's order, pricing type.
fn sort_lines(lines: &mut [Line]) {
    fn key(l: &Line) -> (&str, &str, usize, &str) {
        (
            &l.month,
            &l.market,
            category_order(&l.category),
            &l.pricing_type,
        )
    }
    lines.sort_by(|x, y| key(x).cmp(&key(y)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::phone::Privacy;
    use crate::model::time::parse_date;

    fn era<'p>(p: &'p Pricing, day: &str) -> &'p Era {
        &p.rules.eras[p.rules.era_index(parse_date(day).unwrap()).unwrap()]
    }

    #[test]
    fn free_in_window_utility_is_service_in_analytics_while_its_era_frees_it() {
        // M-ANALYTICS: SERVICE "Includes all non-template messages and
        // utility messages sent inside of a customer service window".
        let p = Pricing::bundled().unwrap();
        let fcs = "free_customer_service";
        let sep = era(&p, "2026-09-10");
        assert_eq!(
            analytics_category(sep, Category::Utility, fcs),
            Category::Service
        );
        assert_eq!(
            analytics_category(sep, Category::Utility, "regular"),
            Category::Utility
        );
        assert_eq!(
            analytics_category(sep, Category::Marketing, fcs),
            Category::Marketing
        );
        // From 2026-10 in-window utility is charged: it stays utility.
        let oct = era(&p, "2026-10-10");
        assert_eq!(
            analytics_category(oct, Category::Utility, fcs),
            Category::Utility
        );
        // Not charged in a free entry point window: SERVICE, in any era of
        // per-message pricing.
        let fep = "free_entry_point";
        for e in [sep, oct] {
            assert_eq!(
                analytics_category(e, Category::Marketing, fep),
                Category::Service
            );
        }
        // Conversation-based pricing has no such bucket.
        let cbp = era(&p, "2025-03-12");
        assert_eq!(
            analytics_category(cbp, Category::Utility, fcs),
            Category::Utility
        );
    }

    #[test]
    fn metas_cbp_billable_is_true_for_every_conversation_but_free_entry_points() {
        // Meta's CBP-era status reference: "Default is true for all
        // conversations, including those inside your free tier limit, except
        // those initiated from free entry points."
        let fep = Reason::OpenedFreeEntryPoint {
            inbound: 0,
            rule: None,
        };
        assert_eq!(Expect::of_opener(fep, false), Expect::Conversation(false));
        let free_tier = Reason::Allowance { n: 3 };
        assert_eq!(
            Expect::of_opener(free_tier, false),
            Expect::Conversation(true)
        );
        let opened = Reason::OpenedConversation;
        assert_eq!(Expect::of_opener(opened, true), Expect::Conversation(true));
        // Free service conversations (from 2024-11): Meta does not say.
        assert_eq!(
            Expect::of_opener(Reason::FreeCategory, false),
            Expect::Either
        );
    }

    #[test]
    fn marketing_lite_is_marketing_under_per_message_pricing_only() {
        // M-CBP: "Starting July 1, 2025, Cloud API marketing rates
        // will apply to messages sent via MM Lite API".
        let p = Pricing::bundled().unwrap();
        let text = r#"{"pricing_analytics":{"data":[{"data_points":[{"start":1790838000,"end":1790924400,"country":"IN","pricing_type":"REGULAR","pricing_category":"MARKETING_LITE","volume":1}]}]}}"#;
        let point = &read_theirs("a.json", text.as_bytes()).unwrap().points[0];
        let pmp = era(&p, "2026-10-01");
        assert_eq!(point_category(point, Some(pmp)), Some(Category::Marketing));
        let cbp = era(&p, "2025-03-12");
        assert_eq!(point_category(point, Some(cbp)), None);
    }

    fn run(log: &str, theirs: Theirs) -> Reconciliation {
        let pricing = Pricing::bundled().unwrap();
        let opts = crate::engine::Options::new("USD");
        let zone = Zone::parse("UTC").unwrap();
        let path = format!(
            "{}/tests/fixtures/reconcile/{log}",
            env!("CARGO_MANIFEST_DIR")
        );
        let req = Request {
            pricing: &pricing,
            opts: &opts,
            zone: &zone,
            privacy: &Privacy::Masked,
            logs: &[path],
            input: None,
            tolerance: Decimal::new(5, 3),
        };
        reconcile(&req, theirs).unwrap()
    }

    #[test]
    fn under_conversation_pricing_a_message_is_held_to_its_conversations_billable() {
        // M-CBP: "Charges are applied per conversation, not per individual
        // message sent or received"; Meta's status of each message in a
        // charged conversation says billable: true, of a free entry point
        // one false.
        let r = run("cbp-conversations.jsonl", Theirs::default());
        assert_eq!(r.compared_messages, 7);
        assert!(r.messages.is_empty(), "{:?}", r.messages);
    }

    #[test]
    fn a_message_counts_in_metas_bucket_that_holds_its_instant() {
        // Pacific days (M-ANALYTICS' DAILY example starts at 00:00 Pacific)
        // against a log priced in UTC.
        let bytes = std::fs::read(format!(
            "{}/tests/fixtures/reconcile/pacific-days-analytics.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let rep = read_theirs("a.json", &bytes).unwrap();
        let theirs = Theirs {
            points: rep.points,
            warnings: Vec::new(),
            given: true,
        };
        let r = run("pacific-days.csv", theirs);
        let got: Vec<(&str, u64, u64)> = r
            .lines
            .iter()
            .map(|l| (l.month.as_str(), l.ours_volume, l.theirs_volume))
            .collect();
        assert_eq!(got, vec![("2026-09", 2, 2), ("2026-10", 1, 1)]);
        assert_eq!(r.differences(), 0);
    }
}
