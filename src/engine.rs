//! The one pricing engine behind estimate, forecast and reconcile: reads
//! logs, orders messages in time, classifies them and prices the charged
//! ones. Every input row leaves as exactly one [`Outcome`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::classify::{Classification, Classifier, Outbound};
use crate::domain::{Direction, PricingType};
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
/// question opened), then by content.
pub fn sort_messages(msgs: &mut [Message]) {
    msgs.sort_unstable_by(|a, b| {
        (
            a.ts,
            a.direction == Direction::Outbound,
            a.contact,
            a.template,
            a.category,
            &a.id,
            a.failed,
            a.business_number,
            a.entry_point,
        )
            .cmp(&(
                b.ts,
                b.direction == Direction::Outbound,
                b.contact,
                b.template,
                b.category,
                &b.id,
                b.failed,
                b.business_number,
                b.entry_point,
            ))
            .then((a.file, a.line).cmp(&(b.file, b.line)))
    });
}

/// Classifies and prices sorted messages, calling `sink` for each.
pub fn price(
    pricing: &Pricing,
    opts: &Options,
    zone: &Zone,
    msgs: &[Message],
    sink: &mut dyn FnMut(&Message, &Priced),
) -> Result<(), RateError> {
    let mut zone = zone.clone();
    let mut tariff = Tariff::new(pricing, &opts.currency, opts.seeds.clone())?;
    let mut classifier = Classifier::new();
    let rules = &pricing.rules;
    for m in msgs {
        let date = zone.local_date(m.ts);
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
        if m.direction == Direction::Inbound {
            p.resolved = pricing.markets.resolve(m.contact, date).ok();
            classifier.inbound(m.contact.value(), m.ts, m.entry_point);
            sink(m, &p);
            continue;
        }
        let resolved = pricing.markets.resolve(m.contact, date);
        p.resolved = resolved.as_ref().ok().copied();
        if m.failed {
            p.outcome = Outcome::Failed;
            sink(m, &p);
            continue;
        }
        let Some(era_idx) = p.era else {
            p.outcome = Outcome::Rejected;
            p.reject = Some(format!(
                "no pricing rules before {}: the first era in pricing/rules.toml",
                rules.eras[0].from
            ));
            sink(m, &p);
            continue;
        };
        let era = &rules.eras[era_idx];
        let resolved = match resolved {
            Ok(r) => r,
            Err(e) => {
                p.outcome = Outcome::Rejected;
                p.reject = Some(format!("contact: {e}"));
                sink(m, &p);
                continue;
            }
        };
        let allowance_on = era
            .allowance
            .as_ref()
            .is_some_and(|a| opts.switches.get(&a.switch).copied().unwrap_or(a.default));
        let class = classifier.outbound(
            Outbound {
                contact: m.contact.value(),
                ts: m.ts,
                template: m.template,
                category: m.category,
                business_number: m.business_number,
                month: (month.year, month.month),
            },
            era,
            allowance_on,
        );
        p.class = Some(class);
        if class.pricing_type == PricingType::Regular {
            match tariff.charge(
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
        } else {
            p.outcome = Outcome::Free;
        }
        sink(m, &p);
    }
    Ok(())
}
