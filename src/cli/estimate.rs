//! `wacost estimate`: price message logs.

use std::io::{self, IsTerminal, Write};

use anyhow::{bail, Context, Result};
use clap::Args;

use super::{exit, parse_switches, Global};
use crate::data::Pricing;
use crate::engine::tariff::TierSeeds;
use crate::engine::{self, Options};
use crate::ingest::{InputFormat, Inputs};
use crate::report::{DetailWriter, Dim, Summary};

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
    /// Tier counts already reached outside this log: MARKET:CATEGORY=N, e.g. India:authentication=800000
    #[arg(long = "tier-start", value_name = "MARKET:CATEGORY=N")]
    pub tier_start: Vec<String>,
}

pub fn parse_seeds(pricing: &Pricing, specs: &[String]) -> Result<TierSeeds> {
    let mut seeds = TierSeeds::default();
    for s in specs {
        let parsed = s.rsplit_once('=').and_then(|(k, n)| {
            let (m, c) = k.rsplit_once(':')?;
            Some((m, c, n))
        });
        let Some((m, c, n)) = parsed else {
            bail!("--tier-start {s:?}: expected MARKET:CATEGORY=N, e.g. Brazil:utility=250000");
        };
        let market = pricing
            .markets
            .find_name(m)
            .with_context(|| format!("--tier-start {s:?}: unknown market {m:?}"))?;
        let cat: crate::model::Category =
            c.parse().with_context(|| format!("--tier-start {s:?}"))?;
        let n: u64 = n
            .trim()
            .parse()
            .with_context(|| format!("--tier-start {s:?}: {n:?} is not a whole number"))?;
        seeds.seeds.insert((market, cat), n);
    }
    Ok(seeds)
}

pub fn run(g: &Global, a: &EstimateArgs) -> Result<u8> {
    let pricing = g.pricing()?;
    let zone = g.zone()?;
    let currency = g.currency()?;
    let privacy = g.privacy()?;
    let format = g.format();
    let opts = Options {
        currency: currency.clone(),
        switches: parse_switches(&pricing, &a.rules)?,
        seeds: parse_seeds(&pricing, &a.tier_start)?,
    };
    // Fail on an unknown currency before reading gigabytes.
    pricing.cards(&currency)?;
    let progress = std::io::stderr().is_terminal();
    let mut inputs = Inputs::new(zone.clone());
    let mut rejected = Vec::new();
    if progress {
        eprint!("wacost: reading...\r");
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut summary = Summary::new(&currency, zone.name(), a.group_by.clone());
    if a.detail {
        // Detail rows need the inputs (ids, names) as they are written.
        inputs.keep_extras = true;
        let msgs = engine::read_sorted(&a.files, a.input, &mut inputs, &mut rejected)?;
        let mut dw = DetailWriter::new(format, &mut out, privacy)?;
        let mut err = None;
        engine::price_sorted(&pricing, &opts, &zone, &msgs, &mut |m: &_, p: &_| {
            summary.add(m, p);
            if err.is_none() {
                if let Err(e) = dw.message(m, p, &pricing, &inputs) {
                    err = Some(e);
                }
            }
        })?;
        if let Some(e) = err {
            return Err(e.into());
        }
        for r in &rejected {
            dw.rejected(r)?;
        }
        dw.finish()?;
        summary.finish(&pricing, &inputs);
        summary.add_rejected(rejected);
    } else {
        let stats = engine::run(
            &pricing,
            &opts,
            &zone,
            &a.files,
            a.input,
            &mut inputs,
            &mut rejected,
            &mut summary,
        )?;
        if g.verbose {
            eprintln!(
                "wacost: {} ({} messages held at most)",
                if stats.streamed {
                    "streamed the time-sorted input"
                } else if stats.restarted {
                    "input not sorted by time: read it again into memory"
                } else {
                    "read the whole input into memory"
                },
                stats.peak_held
            );
        }
        summary.finish(&pricing, &inputs);
        summary.add_rejected(rejected);
        summary.sort_rejected();
        summary.render(format, &mut out)?;
    }
    out.flush()?;
    for n in inputs.notes.iter().take(10) {
        eprintln!("wacost: note: {n}");
    }
    if inputs.notes.len() > 10 {
        eprintln!(
            "wacost: note: ... and {} more notes",
            inputs.notes.len() - 10
        );
    }
    let c = summary.counts;
    if format != crate::report::Format::Table || a.detail {
        eprintln!(
            "wacost: {} rows = {} inbound + {} billable + {} free + {} failed + {} rejected; total {} {}",
            c.rows, c.inbound, c.billable, c.free, c.failed, c.rejected, crate::model::money::fmt(summary.total), currency
        );
    }
    if c.rejected > 0 && format != crate::report::Format::Table && !a.detail {
        for r in summary.rejected.iter().take(5) {
            eprintln!("wacost: rejected {}:{}: {}", r.file, r.line, r.reason);
        }
    }
    if a.strict && c.rejected > 0 {
        eprintln!("wacost: --strict: {} rows rejected", c.rejected);
        return Ok(exit::REJECTED);
    }
    Ok(exit::OK)
}
