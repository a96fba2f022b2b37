//! `wacost rates`: the card (or, with `--tiers`, the tier ladders) in force
//! on a date; `check` the data; `import` Meta's rate-card CSVs as an overlay;
//! `export` the bundled data.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{date_or_today, to_stdout, Exit, Global};
use crate::data::{check, MarketId, Pricing};
use crate::report::rates::RatesReport;
use crate::report::tiers::TiersReport;
use crate::report::Format;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RatesArgs {
    #[command(subcommand)]
    pub action: Option<RatesAction>,
    /// Date (YYYY-MM-DD) [default: today in --tz]
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    pub at: Option<NaiveDate>,
    /// Only this market (name as on Meta's card, ISO country or calling code)
    #[arg(long, value_name = "MARKET")]
    pub market: Option<String>,
    /// Show the volume-tier ladders in force (market, category, band, rate, confidence, source) instead of the list rates
    #[arg(long)]
    pub tiers: bool,
}

#[derive(Debug, Subcommand)]
pub enum RatesAction {
    /// Validate pricing data: complete cards, no overlaps, known names
    Check,
    /// Import Meta's downloadable Pricing.csv or Tier Pricing.csv into an overlay directory (load it with --pricing DIR)
    Import(ImportArgs),
    /// Write the bundled pricing data into a directory, to edit and load with --pricing-only DIR
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Directory to write into (created if missing)
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,
    /// Overwrite files that already exist there
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Meta's rate-card CSV (Pricing.csv or Tier Pricing.csv)
    #[arg(value_name = "FILE")]
    pub file: String,
    /// First day the card is in force (YYYY-MM-DD, in the WABA time zone)
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    pub effective: NaiveDate,
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "dry_run",
        help = "Directory to write the card into (rates/<CUR>.csv or tiers/<CUR>.csv, merged with what is there): an overlay that loads on its own with --pricing DIR. Required unless --dry-run: there is no default, nothing is written into the current directory unasked"
    )]
    pub into: Option<std::path::PathBuf>,
    /// Read and check the card and print the rows it would write to stdout; write no file
    #[arg(long)]
    pub dry_run: bool,
    /// Source text recorded on every row [default: the file name and date]
    #[arg(long)]
    pub source: Option<String>,
}

pub fn run(g: &Global, a: &RatesArgs) -> Result<Exit> {
    match &a.action {
        Some(RatesAction::Check) => run_check(g),
        Some(RatesAction::Import(i)) => run_import(g, i),
        Some(RatesAction::Export(e)) => run_export(e),
        None if a.tiers => show_tiers(g, a),
        None => show(g, a),
    }
}

/// A failure of `write_card`: the pricing file it would rewrite is not one
/// (an input error, exit 2), or the disk refused the write (exit 5).
fn written(e: std::io::Error) -> anyhow::Error {
    match e.kind() {
        std::io::ErrorKind::InvalidData
        | std::io::ErrorKind::InvalidInput
        | std::io::ErrorKind::AlreadyExists => e.into(),
        _ => super::exit::OutputError(e).into(),
    }
}

fn run_import(g: &Global, a: &ImportArgs) -> Result<Exit> {
    let pricing = g.pricing()?;
    let report = read_card(a, &pricing)?;
    coverage_warning(a, &pricing, &report.imported);
    let effective = a.effective;
    let source = a.source.clone().unwrap_or_else(|| {
        format!(
            "Meta rate card {} imported with `wacost rates import` (effective {effective})",
            a.file
        )
    });
    let Some(into) = a.into.as_ref().filter(|_| !a.dry_run) else {
        to_stdout(|w| crate::data::write::card_csv(w, effective, &report.imported, &source))?;
        return Ok(Exit::Ok);
    };
    let n = crate::data::write::write_card(into, effective, &report.imported, &source)
        .map_err(written)
        .with_context(|| format!("writing into {}", into.display()))?;
    to_stdout(|w| {
        writeln!(
            w,
            "{}: {} {} rows for {} effective {effective} written into {} (load it with --pricing {})",
            a.file,
            n,
            report.imported.kind(),
            report.imported.currency(),
            into.display(),
            into.display()
        )
    })?;
    Ok(Exit::Ok)
}

/// Reads and checks Meta's card: its warnings on stderr, unknown markets refused.
fn read_card(a: &ImportArgs, pricing: &Pricing) -> Result<crate::ingest::ratecard::ImportReport> {
    use crate::ingest::ratecard;
    use crate::ingest::toolkit::decode::{decode, Decoding};
    let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file))?;
    let (text, decoding) = decode(&bytes);
    if decoding == Decoding::Windows1252 {
        eprintln!(
            "wacost: note: {}: not UTF-8; read as Windows-1252 (Excel's default on Windows)",
            a.file
        );
    }
    let report =
        ratecard::import_meta_csv(&text, &pricing.markets).with_context(|| a.file.clone())?;
    for w in &report.warnings {
        eprintln!("wacost: warning: {}: {w}", a.file);
    }
    let unknown = report.imported.unknown_markets(&pricing.markets);
    if !unknown.is_empty() {
        anyhow::bail!(
            "{}: markets not in the market map: {}; add them to markets.csv first",
            a.file,
            unknown.join(", ")
        );
    }
    Ok(report)
}

/// Warns when a base-rate card names fewer markets than the market map in
/// force on its effective date: the others would have no rate on it.
fn coverage_warning(a: &ImportArgs, p: &Pricing, imported: &crate::data::write::Imported) {
    if imported.kind() != "rates" {
        return;
    }
    let on_card = imported.markets();
    let map = p.markets.markets_on(a.effective);
    let mut missing: Vec<&str> = map
        .iter()
        .map(|&m| p.markets.name(m))
        .filter(|name| !on_card.contains(name))
        .collect();
    if missing.is_empty() {
        return;
    }
    missing.sort_unstable();
    let first: Vec<&str> = missing.iter().take(5).copied().collect();
    eprintln!(
        "wacost: warning: {}: the card covers {} of the {} markets of the market map in force on {}; {} missing ({}{}): {}",
        a.file,
        map.len() - missing.len(),
        map.len(),
        a.effective,
        missing.len(),
        first.join(", "),
        if missing.len() > first.len() { ", ..." } else { "" },
        missing_fate(p, imported.currency(), a.effective)
    );
}

/// What loading the overlay does with the markets a card leaves out.
fn missing_fate(p: &Pricing, currency: &str, effective: NaiveDate) -> String {
    match p.cards(currency).ok().and_then(|c| c.card_on(effective).ok()) {
        Some(before) if before.from < effective => format!(
            "with --pricing DIR they keep the rates of the {currency} card of {} (carried)",
            before.from
        ),
        Some(_) => format!("with --pricing DIR the rows of the {currency} card of {effective} already loaded are kept for them"),
        None => format!("their messages have no {currency} rate on this card; add rows (a rate, n/a or unknown) for them"),
    }
}

fn run_export(a: &ExportArgs) -> Result<Exit> {
    let files = Pricing::bundled_files();
    let n = crate::data::write::export(&a.dir, files, a.force)
        .map_err(written)
        .with_context(|| {
            format!(
                "exporting the bundled pricing data into {}",
                a.dir.display()
            )
        })?;
    to_stdout(|w| {
        writeln!(
            w,
            "{n} files of the bundled pricing data written into {} (edit them and load with --pricing-only {})",
            a.dir.display(),
            a.dir.display()
        )
    })?;
    Ok(Exit::Ok)
}

fn run_check(g: &Global) -> Result<Exit> {
    let p = g.pricing()?;
    let r = check::check(&p);
    for n in &r.notes {
        eprintln!("note: {n}");
    }
    for e in &r.errors {
        eprintln!("error: {e}");
    }
    let verdict = if r.errors.is_empty() {
        "ok".to_string()
    } else {
        format!("{} problems", r.errors.len())
    };
    let summary = format!("{}: {verdict}", data_summary(&p));
    // Completeness per card: a table between the origin and the verdict,
    // or only CSV/JSON on stdout when asked for (the verdict on stderr).
    match g.format {
        Some(Format::Csv) => {
            to_stdout(|w| w.write_all(check::completeness_csv(&r.cards).as_bytes()))?;
            eprintln!("{summary}");
        }
        Some(Format::Json) => to_stdout(|w| writeln!(w, "{}", check::report_json(&r, &summary)))?,
        _ => to_stdout(|w| {
            let table = check::completeness_table(&r.cards);
            write!(
                w,
                "{}: rate card cells per currency and card\n{table}{summary}\n",
                p.origin
            )
        })?,
    }
    Ok(if r.errors.is_empty() {
        Exit::Ok
    } else {
        Exit::Differences
    })
}

/// What a pricing directory holds.
fn data_summary(p: &Pricing) -> String {
    let cards: usize = p
        .currencies()
        .iter()
        .filter_map(|c| p.cards(c).ok())
        .map(|c| c.cards.len())
        .sum();
    format!(
        "{}: {} markets, {} rate cards in {} currencies ({}), {} tier cards, {} rule eras",
        p.origin,
        p.markets.len(),
        cards,
        p.rates.len(),
        p.rates.keys().cloned().collect::<Vec<_>>().join(", "),
        p.tiers.values().map(|t| t.cards.len()).sum::<usize>(),
        p.rules.eras.len(),
    )
}

fn show(g: &Global, a: &RatesArgs) -> Result<Exit> {
    let p = g.pricing()?;
    let currency = g.currency()?;
    let date = date_or_today(a.at, g)?;
    let cards = p.cards(&currency)?;
    let card = cards.card_on(date)?;
    let report = RatesReport {
        pricing: &p,
        cards,
        card,
        currency: &currency,
        at: date,
        markets: markets(&p, a.market.as_deref(), date)?,
    };
    to_stdout(|w| report.render(g.format(), w))?;
    Ok(Exit::Ok)
}

fn show_tiers(g: &Global, a: &RatesArgs) -> Result<Exit> {
    let p = g.pricing()?;
    let currency = g.currency()?;
    let date = date_or_today(a.at, g)?;
    let known = || tier_currencies(&p);
    let cards = p.tiers.get(&currency).with_context(|| {
        format!("no tier ladders known for {currency} (ladders are known for: {}); a market and category without a ladder pay the list rate", known())
    })?;
    let i = cards.cards.partition_point(|c| c.from <= date);
    let card = i.checked_sub(1).map(|i| &cards.cards[i]).with_context(|| {
        format!(
            "no {currency} tier card in force on {date} (ladders are known for: {})",
            known()
        )
    })?;
    let report = TiersReport {
        pricing: &p,
        card,
        currency: &currency,
        at: date,
        markets: markets(&p, a.market.as_deref(), date)?,
    };
    if report.is_empty() {
        anyhow::bail!(
            "no {currency} tier ladder for {} on the tier card of {} (ladders are known for: {}); the list rate applies",
            a.market.as_deref().unwrap_or("any market"),
            card.from,
            known()
        );
    }
    to_stdout(|w| report.render(g.format(), w))?;
    Ok(Exit::Ok)
}

/// Currencies with tier cards, each with its card dates and ladder markets.
fn tier_currencies(p: &Pricing) -> String {
    let each = p.tiers.iter().map(|(cur, t)| {
        let dates: Vec<String> = t.cards.iter().map(|c| c.from.to_string()).collect();
        let mut markets: Vec<&str> = t
            .cards
            .iter()
            .flat_map(|c| c.ladders.keys().map(|(m, _)| p.markets.name(*m)))
            .collect();
        markets.sort_unstable();
        markets.dedup();
        format!("{cur} from {} ({})", dates.join(", "), markets.join(", "))
    });
    let v: Vec<String> = each.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join("; ")
    }
}

/// The markets of the map on `date` (or the one asked for), by name.
fn markets(p: &Pricing, want: Option<&str>, date: NaiveDate) -> Result<Vec<MarketId>> {
    let mut markets = p.markets.markets_on(date);
    if let Some(want) = want {
        let id = p
            .markets
            .find_name(want)
            .or_else(|| p.markets.resolve_country(want, date))
            .or_else(|| p.markets.resolve_calling_code(want, date))
            .with_context(|| {
                format!(
                    "--market {want:?}: no such market on {date} (markets: {})",
                    names(p, &markets)
                )
            })?;
        markets.retain(|m| *m == id);
    }
    markets.sort_by_key(|m| p.markets.name(*m).to_string());
    Ok(markets)
}

fn names(p: &Pricing, ms: &[MarketId]) -> String {
    let mut v: Vec<&str> = ms.iter().map(|m| p.markets.name(*m)).collect();
    v.sort_unstable();
    v.join(", ")
}
