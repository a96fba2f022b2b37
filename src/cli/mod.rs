//! The command line: argument definitions and one module per subcommand.

pub mod estimate;
pub mod forecast;
pub mod market;
pub mod rates;
pub mod reconcile;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::data::Pricing;
use crate::model::phone::Privacy;
use crate::model::time::Zone;
use crate::report::Format;

/// Exit codes: what scripts can rely on.
pub mod exit {
    pub const OK: u8 = 0;
    /// reconcile: differences beyond tolerance.
    pub const DIFFERENCES: u8 = 1;
    /// Usage or input error; nothing printed to stdout.
    pub const USAGE: u8 = 2;
    /// `--strict` and some rows were rejected.
    pub const REJECTED: u8 = 3;
}

#[derive(Debug, Parser)]
#[command(
    name = "wacost",
    version,
    about = "What WhatsApp Business Platform traffic costs, by Meta's rules: estimate, forecast, reconcile",
    long_about = None,
    after_help = "Exit codes: 0 ok; 1 reconcile found differences; 2 usage or input error; 3 rows rejected under --strict."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Output format [default: table on a terminal, csv otherwise]
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,
    /// Pricing directory replacing the bundled data (markets.csv, rates/, tiers/, rules.toml)
    #[arg(long, global = true, value_name = "DIR")]
    pub pricing: Option<PathBuf>,
    /// The WhatsApp Business Account's time zone (IANA name): months, tiers and rule dates are read in it
    #[arg(long, global = true, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,
    /// Rate card currency (ISO 4217); rates are never converted
    #[arg(long, global = true, default_value = "USD", value_name = "CODE")]
    pub currency: String,
    /// Print phone numbers in full (they are masked by default: LGPD/GDPR)
    #[arg(long, global = true, conflicts_with = "hash_numbers")]
    pub show_numbers: bool,
    /// Print a keyed HMAC-SHA256 of each number (key from WACOST_HASH_KEY)
    #[arg(long, global = true)]
    pub hash_numbers: bool,
    /// Say on stderr how the input was read (streamed or held in memory)
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

impl Global {
    pub fn format(&self) -> Format {
        self.format.unwrap_or_else(|| {
            if std::io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Csv
            }
        })
    }

    pub fn pricing(&self) -> Result<Pricing> {
        match &self.pricing {
            Some(dir) => Pricing::from_dir(dir)
                .with_context(|| format!("loading --pricing {}", dir.display())),
            None => Pricing::bundled().context("loading the bundled pricing data"),
        }
    }

    pub fn zone(&self) -> Result<Zone> {
        Zone::parse(&self.tz).map_err(|e| anyhow::anyhow!("--tz: {e}"))
    }

    pub fn currency(&self) -> Result<String> {
        let c = self.currency.trim().to_ascii_uppercase();
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            bail!(
                "--currency {:?} is not an ISO 4217 code such as USD, BRL, EUR, INR",
                self.currency
            );
        }
        Ok(c)
    }

    pub fn privacy(&self) -> Result<Privacy> {
        if self.show_numbers {
            return Ok(Privacy::Full);
        }
        if self.hash_numbers {
            let key = std::env::var("WACOST_HASH_KEY").unwrap_or_default();
            if key.is_empty() {
                bail!(
                    "--hash-numbers needs a secret key in the WACOST_HASH_KEY environment variable"
                );
            }
            return Ok(Privacy::Hashed(key.into_bytes()));
        }
        Ok(Privacy::Masked)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Price message logs (CSV or Cloud API webhook JSON) with the rules and rates in force at each message
    Estimate(estimate::EstimateArgs),
    /// Price planned campaigns (TOML), or next months from a log, with the rules of each month
    Forecast(forecast::ForecastArgs),
    /// Compare wacost's numbers for a log with Meta's analytics, invoice or webhook pricing
    Reconcile(reconcile::ReconcileArgs),
    /// Show the rate card in force on a date; import Meta's rate-card CSVs; check pricing data
    Rates(rates::RatesArgs),
    /// Show the ISO country and Meta market of phone numbers
    Market(market::MarketArgs),
}

/// Parses `--rule NAME=on|off` switches.
pub fn parse_switches(pricing: &Pricing, rules: &[String]) -> Result<BTreeMap<String, bool>> {
    let known = pricing.rules.switches();
    let mut out = BTreeMap::new();
    for r in rules {
        let Some((name, val)) = r.split_once('=') else {
            bail!(
                "--rule {r:?}: expected NAME=on|off (switches: {})",
                known.join(", ")
            );
        };
        if !known.contains(&name) {
            bail!(
                "--rule {r:?}: unknown switch {name:?} (switches: {})",
                known.join(", ")
            );
        }
        let on = match val.to_ascii_lowercase().as_str() {
            "on" | "true" | "yes" | "1" => true,
            "off" | "false" | "no" | "0" => false,
            _ => bail!("--rule {r:?}: value must be on or off"),
        };
        out.insert(name.to_string(), on);
    }
    Ok(out)
}

/// Runs the command line; returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match &cli.command {
        Command::Estimate(a) => estimate::run(&cli.global, a),
        Command::Forecast(a) => forecast::run(&cli.global, a),
        Command::Reconcile(a) => reconcile::run(&cli.global, a),
        Command::Rates(a) => rates::run(&cli.global, a),
        Command::Market(a) => market::run(&cli.global, a),
    }
}
