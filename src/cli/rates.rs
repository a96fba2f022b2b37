//! `wacost rates`: the card in force on a date; `check` the data;
//! `import` Meta's rate-card CSVs.

use std::io::{self, Write};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use serde_json::json;

use super::{exit, Global};
use crate::data::{check, RateCell};
use crate::model::money;
use crate::model::time::parse_date;
use crate::model::Category;
use crate::report::Format;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RatesArgs {
    #[command(subcommand)]
    pub action: Option<RatesAction>,
    /// Date (YYYY-MM-DD) [default: today in --tz]
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
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
    #[arg(long, value_name = "DATE")]
    pub effective: String,
    /// Pricing directory to write into (rates/<CUR>.csv or tiers/<CUR>.csv)
    #[arg(long, value_name = "DIR", default_value = "pricing")]
    pub into: std::path::PathBuf,
    /// Source text recorded on every row [default: the file name and date]
    #[arg(long)]
    pub source: Option<String>,
}

pub fn run(g: &Global, a: &RatesArgs) -> Result<u8> {
    match &a.action {
        Some(RatesAction::Check) => run_check(g),
        Some(RatesAction::Import(i)) => run_import(g, i),
        None => show(g, a),
    }
}

fn run_import(g: &Global, a: &ImportArgs) -> Result<u8> {
    use crate::data::write::write_card;
    use crate::ingest::ratecard;
    let effective = parse_date(&a.effective)
        .with_context(|| format!("--effective {:?} is not a YYYY-MM-DD date", a.effective))?;
    let pricing = g.pricing()?;
    let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file))?;
    let text = String::from_utf8(bytes)
        .with_context(|| format!("{}: not UTF-8 (save Meta's CSV as UTF-8)", a.file))?;
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
        .with_context(|| format!("writing into {}", a.into.display()))?;
    println!(
        "{}: {} {} rows for {} effective {effective} written into {}",
        a.file,
        n,
        report.imported.kind(),
        report.imported.currency(),
        a.into.display()
    );
    Ok(exit::OK)
}

fn run_check(g: &Global) -> Result<u8> {
    let p = g.pricing()?;
    let r = check::check(&p);
    for n in &r.notes {
        eprintln!("note: {n}");
    }
    for e in &r.errors {
        eprintln!("error: {e}");
    }
    let cards: usize = p.rates.values().map(|c| c.cards.len()).sum();
    println!(
        "{}: {} markets, {} rate cards in {} currencies ({}), {} tier cards, {} rule eras: {}",
        p.origin,
        p.markets.len(),
        cards,
        p.rates.len(),
        p.rates.keys().cloned().collect::<Vec<_>>().join(", "),
        p.tiers.values().map(|t| t.cards.len()).sum::<usize>(),
        p.rules.eras.len(),
        if r.errors.is_empty() {
            "ok".to_string()
        } else {
            format!("{} problems", r.errors.len())
        }
    );
    Ok(if r.errors.is_empty() {
        exit::OK
    } else {
        exit::DIFFERENCES
    })
}

fn show(g: &Global, a: &RatesArgs) -> Result<u8> {
    let p = g.pricing()?;
    let mut zone = g.zone()?;
    let currency = g.currency()?;
    let date = match &a.at {
        Some(s) => parse_date(s).with_context(|| format!("--at {s:?} is not a YYYY-MM-DD date"))?,
        None => zone.local_date(chrono::Utc::now().timestamp()),
    };
    let cards = p.cards(&currency)?;
    let card = cards.card_on(date)?;
    let mut markets = p.markets.markets_on(date);
    if let Some(want) = &a.market {
        let id = p
            .markets
            .find_name(want)
            .or_else(|| p.markets.resolve_country(want, date))
            .or_else(|| p.markets.resolve_calling_code(want, date))
            .with_context(|| {
                format!(
                    "--market {want:?}: no such market on {date} (markets: {})",
                    names(&p, &markets)
                )
            })?;
        markets.retain(|m| *m == id);
    }
    markets.sort_by_key(|m| p.markets.name(*m).to_string());
    let era = p.rules.era_index(date).map(|i| &p.rules.eras[i]);
    let cell = |m, cat| -> (String, String, &'static str) {
        match card.cell(m, cat) {
            RateCell::Rate { rate, source } => {
                (money::fmt(*rate), cards.source(*source).to_string(), "rate")
            }
            RateCell::NotOffered { source } => {
                ("n/a".into(), cards.source(*source).to_string(), "n/a")
            }
            RateCell::Unknown { source } => (
                "unknown".into(),
                cards.source(*source).to_string(),
                "unknown",
            ),
            RateCell::Missing => ("missing".into(), String::new(), "missing"),
        }
    };
    let out = io::stdout();
    let mut w = out.lock();
    match g.format() {
        Format::Json => {
            let rows: Vec<_> = markets
                .iter()
                .flat_map(|&m| Category::ALL.iter().map(move |&c| (m, c)))
                .map(|(m, c)| {
                    let (rate, source, status) = cell(m, c);
                    json!({"market": p.markets.name(m), "category": c.as_str(), "rate": if status == "rate" { json!(rate) } else { json!(null) }, "status": status, "effective_from": card.from.to_string(), "source": source})
                })
                .collect();
            let v = json!({"currency": currency, "at": date.to_string(), "card": card.from.to_string(), "era": era.map(|e| e.id.as_str()), "unit": era.map(|e| if e.model == crate::model::PricingModel::Cbp { "conversation" } else { "delivered message" }), "rates": rows});
            serde_json::to_writer_pretty(&mut w, &v)?;
            writeln!(w)?;
        }
        Format::Csv => {
            let mut c = csv::Writer::from_writer(&mut w);
            c.write_record([
                "currency",
                "effective_from",
                "market",
                "category",
                "rate",
                "source",
            ])?;
            for &m in &markets {
                for cat in Category::ALL {
                    let (rate, source, _) = cell(m, cat);
                    c.write_record([
                        currency.as_str(),
                        &card.from.to_string(),
                        p.markets.name(m),
                        cat.as_str(),
                        &rate,
                        &source,
                    ])?;
                }
            }
            c.flush()?;
        }
        Format::Table => {
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED);
            if markets.len() == 1 {
                t.set_header(["category", "rate", "source"]);
                for cat in Category::ALL {
                    let (rate, source, _) = cell(markets[0], cat);
                    t.add_row(vec![
                        Cell::new(cat),
                        Cell::new(rate).set_alignment(CellAlignment::Right),
                        Cell::new(source),
                    ]);
                }
            } else {
                t.set_header([
                    "market",
                    "marketing",
                    "utility",
                    "authentication",
                    "auth-intl",
                    "service",
                ]);
                for &m in &markets {
                    let mut row = vec![Cell::new(p.markets.name(m))];
                    row.extend(
                        Category::ALL
                            .iter()
                            .map(|&c| Cell::new(cell(m, c).0).set_alignment(CellAlignment::Right)),
                    );
                    t.add_row(row);
                }
            }
            writeln!(w, "{t}")?;
            writeln!(
                w,
                "{currency} card effective {} (in force on {date}); {}; rules {}. `unknown`: no public source gave the number; `n/a`: Meta publishes none.",
                card.from,
                era.map_or("no rules era", |e| if e.model == crate::model::PricingModel::Cbp { "per 24-hour conversation" } else { "per delivered message" }),
                era.map_or("-", |e| e.id.as_str())
            )?;
            if markets.len() == 1 {
                writeln!(w, "Sources: see pricing/SOURCES.md")?;
            }
        }
    }
    Ok(exit::OK)
}

fn names(p: &crate::data::Pricing, ms: &[crate::data::MarketId]) -> String {
    let mut v: Vec<&str> = ms.iter().map(|m| p.markets.name(*m)).collect();
    v.sort_unstable();
    v.join(", ")
}
