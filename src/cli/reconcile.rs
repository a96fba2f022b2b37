//! `wacost reconcile`: wacost's numbers for a log against Meta's.

use anyhow::Result;
use clap::Args;
use rust_decimal::Decimal;

use super::{parse_switches, to_output, to_stdout, Exit, Global};
use crate::engine::expected;
use crate::engine::reconcile::{self, Reconciliation, Request, Theirs};
use crate::ingest::InputFormat;
use crate::model::money;
use crate::report;
use crate::report::expected::ExpectedReport;
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Message logs (CSV or webhook JSON); `-` reads stdin. Without a log, the volumes of --against are priced instead: the expected invoice, computed by wacost
    #[arg(value_name = "LOG", required_unless_present = "against")]
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

pub fn run(g: &Global, a: &ReconcileArgs) -> Result<Exit> {
    let pricing = g.pricing()?;
    let zone = g.zone()?;
    let currency = g.currency()?;
    let privacy = g.privacy()?;
    let tolerance = tolerance(a.tolerance, &currency);
    // Meta's side first: a bad file fails before the log is read.
    let theirs = Theirs::read(&a.against, &currency)?;
    if a.logs.is_empty() {
        return expected(g, &pricing, &zone, &currency, theirs);
    }
    let opts = g.options(&currency, parse_switches(&pricing, &a.rules)?)?;
    let req = Request {
        pricing: &pricing,
        opts: &opts,
        zone: &zone,
        privacy: &privacy,
        logs: &a.logs,
        input: a.input,
        tolerance,
    };
    let rec = reconcile::reconcile(&req, theirs)?;
    warn(&rec);
    if rec.nothing_to_compare {
        anyhow::bail!("nothing to compare: give --against FILE, or a webhook log whose statuses carry Meta's pricing objects");
    }
    to_output(g, |w| {
        report::reconcile::render(&rec, g.format(), g.locale(), w)
    })?;
    Ok(verdict(&rec))
}

/// No log: Meta's volumes priced by wacost (a WABA on a partner's credit
/// line gets volumes without cost). Exit 0 once printed; unpriced volumes
/// are listed and make `complete` false.
fn expected(
    g: &Global,
    pricing: &crate::data::Pricing,
    zone: &crate::model::time::Zone,
    currency: &str,
    theirs: Theirs,
) -> Result<Exit> {
    for w in &theirs.warnings {
        eprintln!("wacost: warning: {w}");
    }
    let req = expected::Request {
        pricing,
        currency,
        accept: g.accept(),
        zone,
    };
    let e = expected::price_volumes(&req, &theirs.points)?;
    let report = ExpectedReport {
        expected: &e,
        currency,
        tz: zone.name(),
    };
    to_stdout(|w| report.render(g.format(), w))?;
    Ok(Exit::Ok)
}

/// Exit 1 when any line or message differs beyond tolerance.
fn verdict(rec: &Reconciliation) -> Exit {
    if rec.differences() > 0 {
        Exit::Differences
    } else {
        Exit::Ok
    }
}

/// `--tolerance`, or half the currency's smallest unit.
fn tolerance(given: Option<Decimal>, currency: &str) -> Decimal {
    given.unwrap_or_else(|| money::half_minor_unit(currency))
}

/// Warnings and rejected log rows, on stderr.
fn warn(rec: &Reconciliation) {
    for w in &rec.warnings {
        eprintln!("wacost: warning: {w}");
    }
    if rec.log_rejected > 0 {
        eprintln!(
            "wacost: {} log rows rejected (run `wacost estimate` on the log to see why)",
            rec.log_rejected
        );
    }
}
