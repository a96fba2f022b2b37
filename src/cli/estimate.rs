//! `wacost estimate`: price message logs.

use std::io::{self, IsTerminal};

use anyhow::{Context, Result};
use clap::Args;

use super::{parse_switches, to_stdout, Exit, Global};
use crate::data::Pricing;
use crate::engine::tariff::TierSeeds;
use crate::engine::{self, Options};
use crate::ingest::InputFormat;
use crate::model::money;
use crate::model::phone::Privacy;
use crate::model::time::Month;
use crate::report::estimate::{Estimate, EstimateError, Request};
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
    /// Exit 3 when any row is rejected (after reporting)
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
        detail(&req, format, privacy)?
    } else {
        summary(&req, a.group_by.clone(), g.verbose, format)?
    };
    print_notes(&done.inputs.notes);
    print_counts(&done.summary, format, a.detail);
    Ok(verdict(a.strict, done.summary.counts.rejected))
}

/// How to price: the currency, `--rule` switches and `--tier-start` seeds.
/// Fails on a currency without a card before reading gigabytes.
fn options(g: &Global, pricing: &Pricing, a: &EstimateArgs, currency: &str) -> Result<Options> {
    let opts = Options {
        switches: parse_switches(pricing, &a.rules)?,
        seeds: parse_seeds(pricing, &a.tier_start)?,
        accept: g.accept(),
        auth_international: g.auth_international(),
        waba_zones: g.waba_zones()?,
        text: g.text(),
        ..Options::new(currency)
    };
    pricing.cards(currency)?;
    Ok(opts)
}

/// Exit 3 under `--strict` when rows were rejected.
fn verdict(strict: bool, rejected: u64) -> Exit {
    if strict && rejected > 0 {
        eprintln!("wacost: --strict: {rejected} rows rejected");
        return Exit::Rejected;
    }
    Exit::Ok
}

/// `--detail`: rows stream out as they are priced.
fn detail(req: &Request<'_>, format: Format, privacy: Privacy) -> Result<Estimate> {
    // A failed write is an output error (exit 5); any other is the run's.
    let done = to_stdout(|out| match req.detail(format, privacy, out) {
        Err(EstimateError::Write(e)) => Err(e),
        other => Ok(other),
    })?;
    Ok(done?)
}

/// The summary: streamed through the engine when the input allows.
fn summary(req: &Request<'_>, dims: Vec<Dim>, verbose: bool, format: Format) -> Result<Estimate> {
    let done = req.summarize(dims)?;
    if verbose {
        eprintln!(
            "wacost: {} ({} messages held at most)",
            how_read(&done.stats),
            done.stats.peak_held
        );
    }
    to_stdout(|out| done.summary.render(format, out))?;
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
    }
    if c.rejected > 0 && format != Format::Table && !detail {
        for r in summary.rejected.iter().take(5) {
            eprintln!("wacost: rejected {}:{}: {}", r.file, r.line, r.reason);
        }
    }
}
