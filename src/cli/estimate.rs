//! `wacost estimate`: price message logs.

use std::io::{self, IsTerminal};

use anyhow::{Context, Result};
use clap::Args;

use super::{parse_switches, to_output, Exit, Global};
use crate::data::Pricing;
use crate::engine::savings::Savings;
use crate::engine::tariff::TierSeeds;
use crate::engine::{self, Options};
use crate::ingest::InputFormat;
use crate::model::money;
use crate::model::phone::Privacy;
use crate::model::time::Month;
use crate::report::estimate::{Estimate, EstimateError, Request};
use crate::report::savings::SavingsReport;
use crate::report::{Dim, Format, Summary};

#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// Message logs: CSV or webhook JSON, plain or .gz; `-` reads stdin
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Input format (detected from content by default)
    #[arg(long, value_enum)]
    pub input: Option<InputFormat>,
    /// Group the summary by these dimensions (comma separated)
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = Dim::DEFAULT.to_vec())]
    pub group_by: Vec<Dim>,
    /// One row per message (CSV, JSON Lines or a table) instead of the summary
    #[arg(long)]
    pub detail: bool,
    /// Where the money can be saved: utility templates charged in an open window, marketing sent just after a window closed, templates Meta charged as marketing after utility, service beyond the free allowance, missed free entry point windows; each with its rule and amount (after the summary; CSV: the savings rows alone; JSON: `savings`; always on the HTML page)
    #[arg(long, conflicts_with = "detail")]
    pub savings: bool,
    /// Exit 3 when any row is rejected or anything was assumed (after reporting; `one_business_number` aside)
    #[arg(long)]
    pub strict: bool,
    /// Turn a rule switch on or off, e.g. service-free-tier=off (see README)
    #[arg(long = "rule", value_name = "NAME=on|off")]
    pub rules: Vec<String>,
    /// Tier counts already reached outside this log: [YYYY-MM:]MARKET:CATEGORY=N, e.g. 2026-11:India:authentication=800000 (that month), India:authentication=800000 (the first month of the log)
    #[arg(long = "tier-start", value_name = "[YYYY-MM:]MARKET:CATEGORY=N")]
    pub tier_start: Vec<String>,
}

pub fn parse_seeds(pricing: &Pricing, specs: &[String]) -> Result<TierSeeds> {
    let mut seeds = TierSeeds::default();
    for s in specs {
        let seed = parse_seed(pricing, s)?;
        match seed.month {
            Some(month) => seeds
                .dated
                .insert((month, seed.market, seed.category), seed.count),
            None => seeds.seeds.insert((seed.market, seed.category), seed.count),
        };
    }
    Ok(seeds)
}

/// One `--tier-start [YYYY-MM:]MARKET:CATEGORY=N`.
struct Seed {
    month: Option<Month>,
    market: crate::data::MarketId,
    category: crate::model::Category,
    count: u64,
}

fn parse_seed(pricing: &Pricing, s: &str) -> Result<Seed> {
    let usage = || {
        anyhow::anyhow!(
            "--tier-start {s:?}: expected [YYYY-MM:]MARKET:CATEGORY=N, e.g. Brazil:utility=250000 or 2026-11:Brazil:utility=250000"
        )
    };
    let (key, n) = s.rsplit_once('=').ok_or_else(usage)?;
    let (rest, c) = key.rsplit_once(':').ok_or_else(usage)?;
    let (month, m) = match rest.split_once(':') {
        Some((mo, m)) => {
            let month = Month::parse(mo.trim())
                .with_context(|| format!("--tier-start {s:?}: {mo:?} is not a YYYY-MM month"))?;
            (Some(month), m)
        }
        None => (None, rest),
    };
    let market = pricing
        .markets
        .find_name(m)
        .with_context(|| format!("--tier-start {s:?}: unknown market {m:?}"))?;
    let category = c.parse().with_context(|| format!("--tier-start {s:?}"))?;
    let count = n
        .trim()
        .parse()
        .with_context(|| format!("--tier-start {s:?}: {n:?} is not a whole number"))?;
    Ok(Seed {
        month,
        market,
        category,
        count,
    })
}

pub fn run(g: &Global, a: &EstimateArgs) -> Result<Exit> {
    let pricing = g.pricing()?;
    let zone = g.zone()?;
    let currency = g.currency()?;
    let privacy = g.privacy()?;
    let format = g.format();
    let opts = options(g, &pricing, a, &currency)?;
    if io::stderr().is_terminal() {
        eprint!("wacost: reading...\r");
    }
    let req = Request {
        pricing: &pricing,
        opts: &opts,
        zone: &zone,
        files: &a.files,
        input: a.input,
    };
    let done = if a.detail {
        detail(g, &req, format, privacy)?
    } else {
        let savings = a.savings || format == Format::Html;
        summary(g, &req, a.group_by.clone(), format, savings)?
    };
    print_notes(&done.inputs.notes);
    if done.summary.nothing_read() {
        print_rejected(&done.summary);
        return Err(nothing_read(&done.summary, &a.files));
    }
    print_counts(&done.summary, format, a.detail);
    Ok(verdict(a.strict, &done.summary))
}

/// A run that read no row at all: every row rejected, or none there
/// (an empty file, a header alone). Exit 2: there is no total to trust.
fn nothing_read(s: &Summary, files: &[String]) -> anyhow::Error {
    let what = files.join(", ");
    match s.counts.rejected {
        0 => anyhow::anyhow!("{what}: no rows to price (an empty file, or a header alone)"),
        n => anyhow::anyhow!(
            "{what}: no row could be read: all {n} rows were rejected (the reasons are above)"
        ),
    }
}

/// How to price: the currency, `--rule` switches and `--tier-start` seeds.
/// Fails on a currency without a card before reading gigabytes.
fn options(g: &Global, pricing: &Pricing, a: &EstimateArgs, currency: &str) -> Result<Options> {
    let opts = Options {
        seeds: parse_seeds(pricing, &a.tier_start)?,
        ..g.options(currency, parse_switches(pricing, &a.rules)?)?
    };
    pricing.cards(currency)?;
    Ok(opts)
}

/// Exit 3 under `--strict` when rows were rejected or the run assumed
/// anything (but one business number), saying which.
fn verdict(strict: bool, s: &Summary) -> Exit {
    if !strict {
        return Exit::Ok;
    }
    let rejected = s.counts.rejected;
    let assumed = s.strict_assumptions();
    if rejected > 0 {
        eprintln!("wacost: --strict: {rejected} rows rejected");
    }
    if !assumed.is_empty() {
        let kinds: Vec<String> = assumed.iter().map(|(k, n)| format!("{k} ({n})")).collect();
        eprintln!(
            "wacost: --strict: the run assumed what the input does not say: {} (see \"Assumed:\" in the table, `assumptions` in JSON)",
            kinds.join(", ")
        );
    }
    if rejected > 0 || !assumed.is_empty() {
        return Exit::Rejected;
    }
    Exit::Ok
}

/// `--detail`: rows stream out as they are priced.
fn detail(g: &Global, req: &Request<'_>, format: Format, privacy: Privacy) -> Result<Estimate> {
    // A failed write is an output error (exit 5); any other is the run's.
    let done = to_output(g, |out| match req.detail(format, privacy, out) {
        Err(EstimateError::Write(e)) => Err(e),
        other => Ok(other),
    })?;
    Ok(done?)
}

/// The summary: streamed through the engine when the input allows; not
/// printed when no row could be read (exit 2, nothing on stdout).
fn summary(
    g: &Global,
    req: &Request<'_>,
    dims: Vec<Dim>,
    format: Format,
    savings: bool,
) -> Result<Estimate> {
    let mut done = match savings {
        true => with_savings(req, dims)?,
        false => req.summarize(dims)?,
    };
    done.summary.locale = g.locale();
    if g.verbose {
        eprintln!(
            "wacost: {} ({} messages held at most)",
            how_read(&done.stats),
            done.stats.peak_held
        );
    }
    if !done.summary.nothing_read() {
        to_output(g, |out| done.summary.render(format, out))?;
    }
    Ok(done)
}

/// The summary and, from the same verdicts, the savings.
fn with_savings(req: &Request<'_>, dims: Vec<Dim>) -> Result<Estimate> {
    let mut savings = Savings::new(req.pricing, req.opts)?;
    let mut done = req.summarize_with(dims, Some(&mut savings))?;
    let found = savings.finish();
    let currency = done.summary.currency.clone();
    done.summary.savings = Some(SavingsReport::new(found, &done.inputs, &currency));
    Ok(done)
}

fn how_read(stats: &engine::RunStats) -> String {
    if stats.streamed {
        "streamed the time-sorted input".into()
    } else if let Some(why) = stats.restart_reason {
        format!("{why}: read the input again into memory")
    } else if stats.restarted {
        "input not sorted by time: read it again into memory".into()
    } else {
        "read the whole input into memory".into()
    }
}

/// The readers' notes, the first ten.
fn print_notes(notes: &[String]) {
    // Warnings first and all of them: the readers' notes can be many.
    let (warnings, notes): (Vec<&String>, Vec<&String>) =
        notes.iter().partition(|n| n.starts_with("warning: "));
    for w in warnings {
        eprintln!("wacost: {w}");
    }
    for n in notes.iter().take(10) {
        eprintln!("wacost: note: {n}");
    }
    if notes.len() > 10 {
        eprintln!("wacost: note: ... and {} more notes", notes.len() - 10);
    }
}

/// The counts on stderr when stdout is for machines (or rows).
fn print_counts(summary: &Summary, format: Format, detail: bool) {
    let c = summary.counts;
    if format != Format::Table || detail {
        eprintln!(
            "wacost: {} rows = {} inbound + {} billable + {} free + {} failed + {} rejected; total {} {}",
            c.rows, c.inbound, c.billable, c.free, c.failed, c.rejected, money::fmt(summary.total), summary.currency
        );
        if !summary.complete() {
            eprintln!(
                "wacost: incomplete: the total leaves out {} messages not priced and {} rows not read",
                summary.unpriced_messages(),
                summary.rows_not_read()
            );
        }
    }
    if c.rejected > 0 && (format != Format::Table || detail) {
        print_rejected(summary);
    }
}

/// The rejected rows on stderr, each reason once: its first row, and how
/// many more there are (the first ten reasons).
fn print_rejected(summary: &Summary) {
    let groups = crate::report::summary::group_rejected(&summary.rejected);
    for g in groups.iter().take(10) {
        eprint!("wacost: rejected {}: {}", g.first_lines[0], g.example);
        if g.more() > 0 {
            eprint!(" (and {} more like it: {})", g.more(), g.others());
        }
        eprintln!();
    }
    if groups.len() > 10 {
        eprintln!(
            "wacost: rejected: ... and {} more reasons (every row with --format json)",
            groups.len() - 10
        );
    }
}
