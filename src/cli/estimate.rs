//! `wacost estimate`: price message logs.

use std::io::{self, IsTerminal};

use anyhow::{bail, Context, Result};
use clap::Args;

use super::{parse_switches, to_stdout, Exit, Global};
use crate::data::Pricing;
use crate::engine::tariff::TierSeeds;
use crate::engine::{self, Options};
use crate::ingest::{InputFormat, Inputs};
use crate::model::money;
use crate::model::phone::Privacy;
use crate::model::time::Zone;
use crate::report::{DetailWriter, Dim, Format, Summary};

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

pub fn run(g: &Global, a: &EstimateArgs) -> Result<Exit> {
    let pricing = g.pricing()?;
    let zone = g.zone()?;
    let currency = g.currency()?;
    let privacy = g.privacy()?;
    let format = g.format();
    let opts = options(&pricing, a, &currency)?;
    if io::stderr().is_terminal() {
        eprint!("wacost: reading...\r");
    }
    let mut inputs = Inputs::new(zone.clone());
    let mut summary = Summary::new(&currency, zone.name(), a.group_by.clone());
    let run = Run {
        pricing: &pricing,
        opts: &opts,
        zone: &zone,
        args: a,
    };
    if a.detail {
        run.detail(format, privacy, &mut inputs, &mut summary)?;
    } else {
        run.summary(g.verbose, format, &mut inputs, &mut summary)?;
    }
    print_notes(&inputs.notes);
    print_counts(&summary, format, a.detail);
    Ok(verdict(a.strict, summary.counts.rejected))
}

/// How to price: the currency, `--rule` switches and `--tier-start` seeds.
/// Fails on a currency without a card before reading gigabytes.
fn options(pricing: &Pricing, a: &EstimateArgs, currency: &str) -> Result<Options> {
    let opts = Options {
        switches: parse_switches(pricing, &a.rules)?,
        seeds: parse_seeds(pricing, &a.tier_start)?,
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

/// What every estimate needs to price.
struct Run<'a> {
    pricing: &'a Pricing,
    opts: &'a Options,
    zone: &'a Zone,
    args: &'a EstimateArgs,
}

impl Run<'_> {
    /// `--detail`: rows stream out as they are priced.
    fn detail(
        &self,
        format: Format,
        privacy: Privacy,
        inputs: &mut Inputs,
        summary: &mut Summary,
    ) -> Result<()> {
        // Detail rows need the inputs (ids, names) as they are written.
        inputs.keep_extras = true;
        let mut rejected = Vec::new();
        let msgs = engine::read_sorted(&self.args.files, self.args.input, inputs, &mut rejected)?;
        let inputs = &*inputs;
        let mut priced = Ok(());
        to_stdout(|out| {
            let mut dw = DetailWriter::new(format, out, privacy)?;
            let mut err = None;
            priced = engine::price_sorted(
                self.pricing,
                self.opts,
                self.zone,
                &msgs,
                &mut |m: &_, p: &_| {
                    summary.add(m, p);
                    if err.is_none() {
                        err = dw.message(m, p, self.pricing, inputs).err();
                    }
                },
            );
            if let Some(e) = err {
                return Err(e);
            }
            for r in &rejected {
                dw.rejected(r)?;
            }
            dw.finish()
        })?;
        priced?;
        summary.finish(self.pricing, inputs);
        summary.add_rejected(rejected);
        Ok(())
    }

    /// The summary: streamed through the engine when the input allows.
    fn summary(
        &self,
        verbose: bool,
        format: Format,
        inputs: &mut Inputs,
        summary: &mut Summary,
    ) -> Result<()> {
        let mut rejected = Vec::new();
        let a = self.args;
        let stats = engine::run(
            self.pricing,
            self.opts,
            self.zone,
            &a.files,
            a.input,
            inputs,
            &mut rejected,
            summary,
        )?;
        if verbose {
            eprintln!(
                "wacost: {} ({} messages held at most)",
                how_read(&stats),
                stats.peak_held
            );
        }
        summary.finish(self.pricing, inputs);
        summary.add_rejected(rejected);
        summary.sort_rejected();
        to_stdout(|out| summary.render(format, out))
    }
}

fn how_read(stats: &engine::RunStats) -> &'static str {
    if stats.streamed {
        "streamed the time-sorted input"
    } else if stats.restarted {
        "input not sorted by time: read it again into memory"
    } else {
        "read the whole input into memory"
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
