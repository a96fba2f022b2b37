//! `wacost reconcile`: wacost's numbers for a log against Meta's.

use std::io::{self, Write};

use anyhow::{Context, Result};
use clap::Args;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use rust_decimal::Decimal;
use serde_json::json;

use super::{exit, parse_switches, Global};
use crate::engine::reconcile::{self, Finding, Ours};
use crate::engine::{self, Options};
use crate::ingest::{InputFormat, Inputs};
use crate::model::money;
use crate::report::Format;

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Message logs (CSV or webhook JSON); `-` reads stdin
    #[arg(required = true, value_name = "LOG")]
    pub logs: Vec<String>,
    /// Meta's figures: pricing_analytics or conversation_analytics JSON, or an invoice CSV (month,market,category,volume,cost); repeat for several pages
    #[arg(long, value_name = "FILE")]
    pub against: Vec<String>,
    /// Largest difference per line still counted as matched [default: half the currency's smallest unit]
    #[arg(long, value_name = "AMOUNT")]
    pub tolerance: Option<Decimal>,
    /// Input format of the logs (detected by default)
    #[arg(long, value_enum)]
    pub input: Option<InputFormat>,
    /// Turn a rule switch on or off, e.g. service-free-tier=off
    #[arg(long = "rule", value_name = "NAME=on|off")]
    pub rules: Vec<String>,
}

pub fn run(g: &Global, a: &ReconcileArgs) -> Result<u8> {
    let pricing = g.pricing()?;
    let zone = g.zone()?;
    let currency = g.currency()?;
    let privacy = g.privacy()?;
    let tolerance = a
        .tolerance
        .unwrap_or_else(|| money::half_minor_unit(&currency));
    // Meta's side first: a bad file fails before the log is read.
    let mut points = Vec::new();
    let mut warnings = Vec::new();
    for f in &a.against {
        let bytes = std::fs::read(f).with_context(|| format!("reading {f}"))?;
        let rep = reconcile::read_theirs(f, &bytes)?;
        if let Some(c) = &rep.currency {
            if !c.eq_ignore_ascii_case(&currency) {
                warnings.push(format!(
                    "{f} is in {c} but --currency is {currency}: costs will not match"
                ));
            }
        }
        warnings.extend(rep.warnings);
        points.extend(rep.points);
    }
    if points.iter().any(|p| p.start.is_some()) && zone.name() != "UTC" {
        warnings.push(format!("Meta's analytics buckets are fixed instants (start/end), while --tz {} puts months at local midnight: messages near month boundaries may land in different months", zone.name()));
    }
    let opts = Options {
        currency: currency.clone(),
        switches: parse_switches(&pricing, &a.rules)?,
        seeds: Default::default(),
    };
    let mut inputs = Inputs::new(zone.clone());
    inputs.keep_extras = true;
    let mut rejected = Vec::new();
    let msgs = engine::read_sorted(&a.logs, a.input, &mut inputs, &mut rejected)?;
    let mut ours = Ours::default();
    let mut z = zone.clone();
    let mut engine_rejected = 0u64;
    engine::price_sorted(
        &pricing,
        &opts,
        &zone,
        &msgs,
        &mut |m: &_, p: &engine::Priced| {
            if p.outcome == engine::Outcome::Rejected {
                engine_rejected += 1;
            }
            ours.add(m, p, &pricing, &privacy, &inputs, &zone);
        },
    )?;
    let (theirs, typed) = reconcile::bucket_theirs(&points, &pricing, &mut z, &mut warnings);
    // Compare only the months Meta reports: a log usually spans more.
    let their_months: std::collections::BTreeSet<&String> = theirs.keys().map(|k| &k.0).collect();
    let before = ours.by_type.len() + ours.billable.len();
    if !their_months.is_empty() {
        ours.by_type.retain(|k, _| their_months.contains(&k.0));
        ours.billable.retain(|k, _| their_months.contains(&k.0));
        let skipped = before - ours.by_type.len() - ours.billable.len();
        if skipped > 0 {
            let months: Vec<&str> = their_months.iter().map(|m| m.as_str()).collect();
            warnings.push(format!(
                "compared only the months Meta reports ({}); log lines of other months left out",
                months.join(", ")
            ));
        }
    }
    let mut lines = if a.against.is_empty() {
        Vec::new()
    } else if typed {
        reconcile::compare(&ours.by_type, &theirs, tolerance)
    } else {
        reconcile::compare(&ours.billable, &theirs, tolerance)
    };
    lines.sort_by(|x, y| {
        (
            &x.month,
            &x.market,
            reconcile::category_order(&x.category),
            &x.pricing_type,
        )
            .cmp(&(
                &y.month,
                &y.market,
                reconcile::category_order(&y.category),
                &y.pricing_type,
            ))
    });
    let count = |f: Finding| lines.iter().filter(|l| l.finding == f).count();
    let residual: Decimal = lines
        .iter()
        .filter(|l| l.finding == Finding::Matched)
        .map(|l| l.difference)
        .sum();
    let total_ours: Decimal = lines.iter().map(|l| l.ours_cost).sum();
    let total_theirs: Decimal = lines.iter().map(|l| l.theirs_cost).sum();
    let differences = lines
        .iter()
        .filter(|l| l.finding != Finding::Matched)
        .count()
        + ours.messages.len();
    for w in &warnings {
        eprintln!("wacost: warning: {w}");
    }
    if !rejected.is_empty() || engine_rejected > 0 {
        eprintln!(
            "wacost: {} log rows rejected (run `wacost estimate` on the log to see why)",
            rejected.len() as u64 + engine_rejected
        );
    }
    if a.against.is_empty() && ours.compared_messages == 0 {
        anyhow::bail!("nothing to compare: give --against FILE, or a webhook log whose statuses carry Meta's pricing objects");
    }
    let out = io::stdout();
    let mut w = out.lock();
    match g.format() {
        Format::Json => {
            let v = json!({
                "currency": currency, "tz": zone.name(), "tolerance": money::fmt(tolerance),
                "summary": {"lines": lines.len(), "matched": count(Finding::Matched), "only_ours": count(Finding::OnlyOurs), "only_theirs": count(Finding::OnlyTheirs), "volume_differs": count(Finding::VolumeDiffers), "cost_differs": count(Finding::CostDiffers), "messages_compared": ours.compared_messages, "message_differences": ours.messages.len()},
                "total_ours": money::fmt(total_ours), "total_theirs": money::fmt(total_theirs), "difference": money::fmt(total_theirs - total_ours), "rounding_residual": money::fmt(residual),
                "lines": lines, "messages": ours.messages, "warnings": warnings,
            });
            serde_json::to_writer_pretty(&mut w, &v)?;
            writeln!(w)?;
        }
        Format::Csv => {
            let mut c = csv::Writer::from_writer(&mut w);
            c.write_record([
                "kind",
                "month",
                "market",
                "category",
                "pricing_type",
                "ours_volume",
                "ours_cost",
                "theirs_volume",
                "theirs_cost",
                "difference",
                "percent",
                "finding",
                "id",
                "contact",
                "rule",
            ])?;
            for l in &lines {
                c.write_record([
                    "line",
                    &l.month,
                    &l.market,
                    &l.category,
                    &l.pricing_type,
                    &l.ours_volume.to_string(),
                    &money::fmt(l.ours_cost),
                    &l.theirs_volume.to_string(),
                    &money::fmt(l.theirs_cost),
                    &money::fmt(l.difference),
                    &l.percent,
                    l.finding.as_str(),
                    "",
                    "",
                    "",
                ])?;
            }
            for m in &ours.messages {
                c.write_record([
                    "message",
                    &m.timestamp,
                    "",
                    &m.category,
                    &format!("{} vs {}", m.ours_pricing_type, m.theirs_pricing_type),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    m.code,
                    &m.id,
                    &m.contact,
                    &m.rule,
                ])?;
            }
            c.flush()?;
        }
        Format::Table => {
            if !lines.is_empty() {
                let mut t = Table::new();
                t.load_preset(UTF8_FULL_CONDENSED);
                t.set_header([
                    "month",
                    "market",
                    "category",
                    "pricing_type",
                    "ours",
                    "ours cost",
                    "theirs",
                    "theirs cost",
                    "difference",
                    "%",
                    "finding",
                ]);
                let r = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
                for l in &lines {
                    t.add_row(vec![
                        Cell::new(&l.month),
                        Cell::new(&l.market),
                        Cell::new(&l.category),
                        Cell::new(&l.pricing_type),
                        r(l.ours_volume.to_string()),
                        r(money::fmt(l.ours_cost)),
                        r(l.theirs_volume.to_string()),
                        r(money::fmt(l.theirs_cost)),
                        r(money::fmt(l.difference)),
                        r(l.percent.clone()),
                        Cell::new(l.finding.as_str()),
                    ]);
                }
                writeln!(w, "{t}")?;
                writeln!(w, "Ours {} {currency}, Meta {} {currency}, difference {}; rounding residual on matched lines {} (tolerance {} per line)", money::fmt(total_ours), money::fmt(total_theirs), money::fmt(total_theirs - total_ours), money::fmt(residual), money::fmt(tolerance))?;
                writeln!(w, "{} lines: {} matched, {} only ours, {} only theirs, {} volume differs, {} cost differs", lines.len(), count(Finding::Matched), count(Finding::OnlyOurs), count(Finding::OnlyTheirs), count(Finding::VolumeDiffers), count(Finding::CostDiffers))?;
            }
            if ours.compared_messages > 0 {
                writeln!(
                    w,
                    "Messages with Meta's own pricing object: {} compared, {} differ",
                    ours.compared_messages,
                    ours.messages.len()
                )?;
                if !ours.messages.is_empty() {
                    let mut t = Table::new();
                    t.load_preset(UTF8_FULL_CONDENSED);
                    t.set_header([
                        "line",
                        "id",
                        "contact",
                        "time",
                        "category",
                        "ours",
                        "Meta",
                        "rule wacost applied",
                    ]);
                    for m in &ours.messages {
                        t.add_row([
                            m.line.to_string(),
                            m.id.clone(),
                            m.contact.clone(),
                            m.timestamp.clone(),
                            m.category.clone(),
                            m.ours_pricing_type.clone(),
                            m.theirs_pricing_type.clone(),
                            m.rule.clone(),
                        ]);
                    }
                    writeln!(w, "{t}")?;
                }
            }
        }
    }
    Ok(if differences > 0 {
        exit::DIFFERENCES
    } else {
        exit::OK
    })
}
