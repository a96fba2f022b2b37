//! `wacost rates`: the card in force on a date; `check` the data;
//! `import` Meta's rate-card CSVs.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{date_or_today, to_stdout, Exit, Global};
use crate::data::{check, MarketId, Pricing};
use crate::report::rates::RatesReport;
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
}

#[derive(Debug, Subcommand)]
pub enum RatesAction {
    /// Validate pricing data: complete cards, no overlaps, known names
    Check,
    /// Import Meta's downloadable Pricing.csv or Tier Pricing.csv into a pricing directory
    Import(ImportArgs),
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
        default_value = "pricing",
        help = "Pricing directory to write into (rates/<CUR>.csv or tiers/<CUR>.csv)"
    )]
    pub into: std::path::PathBuf,
    /// Source text recorded on every row [default: the file name and date]
    #[arg(long)]
    pub source: Option<String>,
}

pub fn run(g: &Global, a: &RatesArgs) -> Result<Exit> {
    match &a.action {
        Some(RatesAction::Check) => run_check(g),
        Some(RatesAction::Import(i)) => run_import(g, i),
        None => show(g, a),
    }
}

/// A failure of `write_card`: the pricing file it would rewrite is not one
/// (an input error, exit 2), or the disk refused the write (exit 5).
fn written(e: std::io::Error) -> anyhow::Error {
    match e.kind() {
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput => e.into(),
        _ => super::exit::OutputError(e).into(),
    }
}

fn run_import(g: &Global, a: &ImportArgs) -> Result<Exit> {
    use crate::data::write::write_card;
    use crate::ingest::ratecard;
    use crate::ingest::toolkit::decode::{decode, Decoding};
    let effective = a.effective;
    let pricing = g.pricing()?;
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
    let source = a.source.clone().unwrap_or_else(|| {
        format!(
            "Meta rate card {} imported with `wacost rates import` (effective {effective})",
            a.file
        )
    });
    let n = write_card(&a.into, effective, &report.imported, &source)
        .map_err(written)
        .with_context(|| format!("writing into {}", a.into.display()))?;
    to_stdout(|w| {
        writeln!(
            w,
            "{}: {} {} rows for {} effective {effective} written into {}",
            a.file,
            n,
            report.imported.kind(),
            report.imported.currency(),
            a.into.display()
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
    let cards: usize = p.rates.values().map(|c| c.cards.len()).sum();
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
