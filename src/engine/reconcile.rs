//! Reconciliation: what the log costs by wacost's engine ("ours") against
//! what Meta reports ("theirs": pricing/conversation analytics, invoice
//! CSV, and the `pricing` object of every webhook status).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::data::{Confidence, Pricing};
use crate::engine::classify::Reason;
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
        let Some(v) = verdict(m, p, pricing) else {
            return;
        };
        if opens(&v) {
            self.bucket(&v, pricing.markets.name(v.market));
        }
        // Per message: Meta's own verdict from the status webhook.
        if let Some(meta) = inputs.extra(m).and_then(|e| e.meta.as_ref()) {
            self.compared_messages += 1;
            let names = Names {
                privacy,
                inputs,
                zone,
            };
            if let Some(f) = message_finding(&v, meta, &names) {
                self.messages.push(f);
            }
        }
    }

    /// Counts a message that opened a unit (PMP: every message).
    fn bucket(&mut self, v: &Verdict, market: &str) {
        let key = |ptype: &str| {
            (
                v.p.month.to_string(),
                market.to_string(),
                v.c.category.as_str().to_string(),
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

/// The finding when Meta's webhook pricing disagrees with ours.
fn message_finding(
    v: &Verdict,
    meta: &crate::model::MetaPricing,
    n: &Names,
) -> Option<MessageFinding> {
    let theirs_type = meta.pricing_type.as_deref().map(str::to_ascii_lowercase);
    let ours_billable = v.p.outcome == Outcome::Billable;
    let type_differs =
        v.era.model == PricingModel::Pmp && theirs_type.as_deref().is_some_and(|t| t != v.ptype);
    let billable_differs = meta.billable.is_some_and(|b| b != ours_billable);
    if !type_differs && !billable_differs {
        return None;
    }
    let (m, c) = (v.m, v.c);
    Some(MessageFinding {
        file: n.inputs.file_name(m).to_string(),
        line: u64::from(m.line),
        id: n.inputs.id_of(m).to_string(),
        contact: n.privacy.render(m.contact(), v.cc_len),
        timestamp: n.zone.format(m.ts()),
        category: c.category.as_str().to_string(),
        ours_pricing_type: v.ptype.to_string(),
        theirs_pricing_type: theirs_type.unwrap_or_default(),
        ours_billable,
        theirs_billable: meta.billable,
        rule: format!("{}: {}", v.era.id, c.reason.explain(m.ts(), c.category)),
        code: if type_differs {
            "message_type_differs"
        } else {
            "message_billable_differs"
        },
    })
}

/// Meta's figures bucketed like ours.
pub fn bucket_theirs(
    points: &[TheirPoint],
    pricing: &Pricing,
    zone: &mut Zone,
    warnings: &mut Vec<String>,
) -> (BTreeMap<Key, Side>, bool) {
    let mut out: BTreeMap<Key, Side> = BTreeMap::new();
    let mut typed = false;
    for p in points {
        let Some(cat) = p.category else {
            warnings.push(format!(
                "{}: skipped a point of category {:?}: wacost does not price it",
                p.file, p.category_raw
            ));
            continue;
        };
        let Some(month) = their_month(p, zone, warnings) else {
            continue;
        };
        let market = their_market(p, pricing, &month, warnings);
        let ptype = p.pricing_type.clone().unwrap_or_default();
        typed |= !ptype.is_empty();
        let s = out
            .entry((month, market, cat.as_str().to_string(), ptype))
            .or_default();
        s.volume += p.volume;
        s.cost += p.cost.unwrap_or_default();
        s.present = true;
    }
    (out, typed)
}

/// A point's month: as Meta gives it, or of its start in the WABA zone.
fn their_month(p: &TheirPoint, zone: &mut Zone, warnings: &mut Vec<String>) -> Option<String> {
    match (&p.month, p.start) {
        (Some(m), _) => Some(m.clone()),
        (None, Some(s)) => Some(Month::of(zone.local_date(s)).to_string()),
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
/// of its month.
fn their_market(
    p: &TheirPoint,
    pricing: &Pricing,
    month: &str,
    warnings: &mut Vec<String>,
) -> String {
    let date = Month::parse(month)
        .map(Month::first_day)
        .unwrap_or_default();
    match (&p.market, &p.country) {
        (Some(m), _) => pricing
            .markets
            .find_name(m)
            .map(|id| pricing.markets.name(id).to_string())
            .unwrap_or_else(|| m.clone()),
        (None, Some(c)) => match pricing.markets.resolve_country(c, date) {
            Some(id) => pricing.markets.name(id).to_string(),
            None => {
                warnings.push(format!(
                    "{}: country {c:?} is not in the market map",
                    p.file
                ));
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

    /// Lines not matched, plus messages that differ (exit 1 when any).
    pub fn differences(&self) -> usize {
        self.lines.len() - self.count(Finding::Matched) + self.messages.len()
    }
}

/// Prices the log and compares it with Meta's figures.
pub fn reconcile(req: &Request, theirs: Theirs) -> Result<Reconciliation, ReconcileError> {
    let mut warnings = theirs.warnings;
    if theirs.points.iter().any(|p| p.start.is_some()) && req.zone.name() != "UTC" {
        warnings.push(format!("Meta's analytics buckets are fixed instants (start/end), while --tz {} puts months at local midnight: messages near month boundaries may land in different months", req.zone.name()));
    }
    let (mut ours, log_rejected) = price_log(req)?;
    let mut zone = req.zone.clone();
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
        nothing_to_compare: !theirs.given && ours.compared_messages == 0,
        lines,
        messages: ours.messages,
        compared_messages: ours.compared_messages,
        warnings,
        log_rejected,
    })
}

/// Our side of the log, and how many of its rows were rejected.
fn price_log(req: &Request) -> Result<(Ours, u64), ReconcileError> {
    let mut inputs = crate::ingest::Inputs::new(req.zone.clone());
    inputs.keep_extras = true;
    let mut rejected = Vec::new();
    let msgs = crate::engine::read_sorted(req.logs, req.input, &mut inputs, &mut rejected)?;
    let mut ours = Ours::default();
    let mut engine_rejected = 0u64;
    crate::engine::price_sorted(
        req.pricing,
        req.opts,
        req.zone,
        &msgs,
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
