//! The command line: argument definitions and one module per subcommand.

pub mod completions;
pub mod defaults;
pub mod estimate;
pub mod exit;
pub mod forecast;
pub mod market;
pub mod rates;
pub mod reconcile;

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use chrono::NaiveDate;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

pub use exit::Exit;

use crate::data::{Accept, Pricing};
use crate::engine::Options;
use crate::model::currency::Code;
use crate::model::phone::Privacy;
use crate::model::time::Zone;
use crate::report::locale::{Locale, Style};
use crate::report::Format;

/// `wacost --version`: the crate's version and the newest card date of the
/// bundled rates (computed by build.rs from `pricing/rates/*.csv`).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (pricing data: newest card ",
    env!("WACOST_NEWEST_CARD"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "wacost",
    version = VERSION,
    about = "What WhatsApp Business Platform traffic costs, by Meta's rules: estimate, forecast, reconcile",
    long_about = None,
    after_help = exit::AFTER_HELP
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
    /// Pricing directory laid over the bundled data: its rows add cards, currencies, markets and rules or replace bundled ones (see pricing/README.md)
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        conflicts_with = "pricing_only"
    )]
    pub pricing: Option<PathBuf>,
    /// Pricing directory replacing the bundled data (markets.csv, calling_codes.csv, rules.toml, rates/, tiers/), e.g. one written by `wacost rates export`
    #[arg(long, global = true, value_name = "DIR")]
    pub pricing_only: Option<PathBuf>,
    /// The WhatsApp Business Account's time zone (IANA name): months, tiers and rule dates are read in it [default: UTC; forecast: the plan's]. Repeat as WABA=ZONE for accounts of the portfolio in other zones (a log's waba_id column, a webhook's entry.id): each WABA's months are its own, tiers count across them
    #[arg(long, global = true, value_name = "[WABA=]ZONE", value_parser = parse_tz)]
    pub tz: Vec<TzArg>,
    /// Rate card currency (ISO 4217); rates are never converted [default: USD; forecast: the plan's]
    #[arg(long, global = true, value_name = "CODE", value_parser = Code::parse)]
    pub currency: Option<Code>,
    /// Print phone numbers in full (they are masked by default: LGPD/GDPR)
    #[arg(long, global = true, conflicts_with = "hash_numbers")]
    pub show_numbers: bool,
    /// Print a keyed HMAC-SHA256 of each number (key from WACOST_HASH_KEY)
    #[arg(long, global = true)]
    pub hash_numbers: bool,
    /// Which rate cells may price: `any`, or `direct` to refuse inferred cells (each refused message is named) [default: any]
    #[arg(long, global = true, value_enum, value_name = "LEVEL")]
    pub confidence: Option<Accept>,
    /// The country the business is based in (ISO 3166 alpha-2): with --auth-international-from, authentication templates of CSV logs to users of other countries are priced at the authentication-international rate where the market has one
    #[arg(long, global = true, value_name = "CC", value_parser = parse_country, requires = "auth_international_from")]
    pub business_country: Option<String>,
    /// The first day Meta charges the business authentication-international (its eligibility notice; needs --business-country)
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_date, requires = "business_country")]
    pub auth_international_from: Option<NaiveDate>,
    /// Say on stderr how the input was read (streamed or held in memory)
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// Language and number marks of tables: pt-BR, es or en (R$ 1.234,56) [default: from LC_ALL or LANG, else en]; CSV and JSON stay locale-free
    #[arg(long, global = true, value_name = "LOCALE", value_parser = Locale::parse)]
    pub locale: Option<Locale>,
    /// CSV for spreadsheets: `excel-br` writes `;` between fields, decimal commas and a UTF-8 BOM [default: standard]
    #[arg(long, global = true, value_enum, value_name = "DIALECT")]
    pub csv_dialect: Option<CsvDialect>,

    // Defaults a person sets once (issue 15, honest totals).
    /// `WACOST_TZ`, `WACOST_CURRENCY` and `wacost.toml`, read when first
    /// asked for ([`Global::defaults`]); the flags above beat them.
    #[arg(skip)]
    pub defaults: std::sync::OnceLock<Result<defaults::Defaults, String>>,

    // Reading real exports (issue 15: profiles and maps).
    /// Read CSV logs as a provider's export: twilio, gupshup, 360dialog, infobip, zenvia, blip, wati, chatwoot, respondio, vonage, ycloud, kaleyra (see README "Your export") [default: detected from each header]
    #[arg(long, global = true, value_name = "NAME", value_parser = parse_profile, conflicts_with = "map")]
    pub profile: Option<String>,
    /// Read CSV logs with a TOML map of their column names, value words (any language) and constants, the shape of a profile (see README "Your export")
    #[arg(long, global = true, value_name = "FILE")]
    pub map: Option<PathBuf>,

    // Real exports (issue 15): numbers and templates.
    /// The country of national numbers in CSV logs (ISO 3166 alpha-2), e.g. `(11) 98765-4321` with BR; each is checked against the country's numbers and counted as a default_country assumption. Without it a number that looks national is rejected [env: WACOST_DEFAULT_COUNTRY]
    #[arg(long, global = true, value_name = "CC", value_parser = crate::model::phone::Country::parse)]
    pub default_country: Option<crate::model::phone::Country>,
    /// Template names to categories, for CSV logs that name templates without a category: a CSV `name,category[,language]` or Meta's message_templates Graph API JSON; repeat for several files (pages)
    #[arg(long, global = true, value_name = "FILE")]
    pub templates: Vec<PathBuf>,

    // How the logs' text is read (issue 15).
    /// The logs' text encoding, as an encoding_rs (WHATWG) label: utf-8, utf-16le, utf-16be, windows-1252, latin1, ... [default: detected: a byte order mark, UTF-16 by its zero bytes, UTF-8, else Windows-1252, said on stderr]
    #[arg(long, global = true, value_name = "NAME", value_parser = parse_encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// How to read a date like 05/10/2026, day or month first (a day over 12 always decides) [default: the order the file's other dates decide, else day first, counted as an assumption]
    #[arg(long, global = true, value_enum, value_name = "ORDER")]
    pub date_order: Option<crate::ingest::toolkit::timestamp::DateOrder>,

    // Reports people read (issue 17).
    /// Write the report to FILE instead of stdout; a name ending in .html, .parquet or .xlsx picks that format
    #[arg(long, short = 'o', global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `--encoding NAME`: an encoding_rs label.
fn parse_encoding(name: &str) -> Result<&'static encoding_rs::Encoding, String> {
    match encoding_rs::Encoding::for_label(name.trim().as_bytes()) {
        Some(e) if e != encoding_rs::REPLACEMENT => Ok(e),
        _ => Err(format!(
            "unknown encoding {name:?}; use a WHATWG label such as utf-8, utf-16le, utf-16be, windows-1252, latin1, iso-8859-15"
        )),
    }
}

impl Global {
    /// How to read the logs' text: `--encoding`, `--date-order`.
    pub fn text(&self) -> crate::ingest::TextSettings {
        crate::ingest::TextSettings {
            encoding: self.encoding,
            date_order: self.date_order,
        }
    }

    pub fn format(&self) -> Format {
        self.format.unwrap_or_else(|| {
            if self.output_is_html() {
                Format::Html
            } else if self.output_ends_with("parquet") {
                Format::Parquet
            } else if self.output_ends_with("xlsx") {
                Format::Xlsx
            } else if std::io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Csv
            }
        })
    }

    /// `--output` names an `.html` or `.htm` file.
    fn output_is_html(&self) -> bool {
        self.output_ends_with("html") || self.output_ends_with("htm")
    }

    fn output_ends_with(&self, ext: &str) -> bool {
        let found = self.output.as_ref().and_then(|p| p.extension());
        found.is_some_and(|e| e.eq_ignore_ascii_case(ext))
    }

    /// `--locale`, else the environment's.
    pub fn locale(&self) -> crate::report::locale::Locale {
        self.locale
            .unwrap_or_else(crate::report::locale::Locale::from_env)
    }

    /// `--tz ZONE` (the last given), if given.
    pub fn tz_given(&self) -> Option<Zone> {
        self.tz
            .iter()
            .rev()
            .find(|t| t.waba.is_none())
            .map(|t| t.zone.clone())
    }

    /// `--tz ZONE`, else `WACOST_TZ` or `wacost.toml`'s `tz`, else UTC (a
    /// default that does not parse is [`Global::zone`]'s error).
    pub fn zone_or_utc(&self) -> Zone {
        self.tz_given()
            .or_else(|| self.defaults().ok()?.tz.clone())
            .unwrap_or_else(|| Zone::new(chrono_tz::UTC))
    }

    /// The environment's and the defaults file's values, read once.
    pub fn defaults(&self) -> Result<&defaults::Defaults> {
        self.defaults
            .get_or_init(|| defaults::load().map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// `--profile NAME` or `--map FILE`, read once for the run.
    pub fn reader_profile(&self) -> Result<Option<crate::ingest::profile::Chosen>> {
        use crate::ingest::profile::{Chosen, Origin, Profile};
        Ok(match (&self.profile, &self.map) {
            (Some(name), _) => Some(Chosen {
                profile: Profile::bundled(name)?,
                origin: Origin::Given,
            }),
            (None, Some(path)) => {
                let path = path.to_string_lossy().into_owned();
                Some(Chosen {
                    profile: Profile::map_file(&path)?,
                    origin: Origin::Map(path),
                })
            }
            (None, None) => None,
        })
    }

    /// The run's options every subcommand takes from the global flags
    /// (confidence, business country, WABA zones, how logs are read), with
    /// `switches`, in `currency`.
    pub fn options(&self, currency: &str, switches: BTreeMap<String, bool>) -> Result<Options> {
        Ok(Options {
            switches,
            accept: self.accept(),
            auth_international: self.auth_international(),
            waba_zones: self.waba_zones()?,
            profile: self.reader_profile()?,
            reader: self.reader()?,
            text: self.text(),
            ..Options::new(currency)
        })
    }

    /// `--tz WABA=ZONE`: the WABAs with their own zone.
    pub fn waba_zones(&self) -> Result<Vec<(String, Zone)>> {
        let wabas: Vec<(String, Zone)> = self
            .tz
            .iter()
            .filter_map(|t| Some((t.waba.clone()?, t.zone.clone())))
            .collect();
        let (zones, _) = crate::model::time::zone_table(&self.zone_or_utc(), &wabas);
        let max = crate::model::message::MAX_ZONES;
        if zones.len() > max {
            bail!(
                "--tz: {} distinct time zones; one run holds at most {max}",
                zones.len()
            );
        }
        Ok(wabas)
    }

    /// The pricing data: bundled, with `--pricing DIR` laid over it, or
    /// `--pricing-only DIR` instead of it.
    pub fn pricing(&self) -> Result<Pricing> {
        match (&self.pricing, &self.pricing_only) {
            (Some(dir), _) => Pricing::overlaid(dir).with_context(|| {
                format!("loading --pricing {} over the bundled data", dir.display())
            }),
            (None, Some(dir)) => Pricing::from_dir(dir)
                .with_context(|| format!("loading --pricing-only {}", dir.display())),
            (None, None) => Pricing::bundled().context("loading the bundled pricing data"),
        }
    }

    /// Authentication-international pricing for the business, when both
    /// flags give it.
    pub fn auth_international(&self) -> Option<crate::engine::AuthInternational> {
        Some(crate::engine::AuthInternational {
            country: self.business_country.clone()?,
            from: self.auth_international_from?,
        })
    }

    /// `--confidence`, or every known cell.
    pub fn accept(&self) -> Accept {
        self.confidence.unwrap_or_default()
    }

    /// `--tz`, else `WACOST_TZ`, else `wacost.toml`'s `tz`, else UTC.
    pub fn zone(&self) -> Result<Zone> {
        match self.tz_given() {
            Some(z) => Ok(z),
            None => Ok(self
                .defaults()?
                .tz
                .clone()
                .unwrap_or_else(|| Zone::new(chrono_tz::UTC))),
        }
    }

    /// `--currency`, else `WACOST_CURRENCY`, else `wacost.toml`'s
    /// `currency`, else USD.
    pub fn currency(&self) -> Result<String> {
        let code = match self.currency {
            Some(c) => Some(c),
            None => self.defaults()?.currency,
        };
        Ok(code.map_or("USD".to_string(), |c| c.to_string()))
    }

    /// `--default-country`, else `WACOST_DEFAULT_COUNTRY`, else
    /// wacost.toml's `default_country`: the country of national numbers.
    pub fn default_country(&self) -> Result<Option<crate::model::phone::Country>> {
        Ok(
            match (
                self.default_country,
                std::env::var("WACOST_DEFAULT_COUNTRY"),
            ) {
                (Some(c), _) => Some(c),
                (None, Ok(v)) if !v.trim().is_empty() => Some(
                    crate::model::phone::Country::parse(&v)
                        .map_err(|e| anyhow::anyhow!("WACOST_DEFAULT_COUNTRY: {e}"))?,
                ),
                // Last, wacost.toml's `default_country` (already checked).
                _ => match &self.defaults()?.default_country {
                    Some(cc) => Some(
                        crate::model::phone::Country::parse(cc)
                            .map_err(|e| anyhow::anyhow!("wacost.toml default_country: {e}"))?,
                    ),
                    None => None,
                },
            },
        )
    }

    /// `--default-country` (or `WACOST_DEFAULT_COUNTRY`) and the books of
    /// `--templates`, for the readers of CSV logs.
    pub fn reader(&self) -> Result<crate::ingest::ReaderSettings> {
        let default_country = self.default_country()?;
        let mut book = crate::ingest::templates::Book::default();
        for path in &self.templates {
            book.read_file(path)
                .with_context(|| format!("reading --templates {}", path.display()))?;
        }
        Ok(crate::ingest::ReaderSettings {
            default_country,
            templates: std::sync::Arc::new(book),
        })
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
    /// Print a shell completion script (bash, zsh, fish, powershell)
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff), generated from these definitions: `wacost man > wacost.1`
    Man(completions::ManArgs),
}

/// `--csv-dialect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvDialect {
    /// RFC 4180: `,`, decimal point
    Standard,
    /// Excel set to Brazilian Portuguese: `;`, decimal comma, UTF-8 BOM
    ExcelBr,
}

/// One `--tz`: a zone, or a WABA id and its zone.
#[derive(Debug, Clone)]
pub struct TzArg {
    pub waba: Option<String>,
    pub zone: Zone,
}

/// `ZONE` or `WABA=ZONE`.
fn parse_tz(s: &str) -> Result<TzArg, String> {
    match s.split_once('=') {
        Some((waba, zone)) if !waba.trim().is_empty() => Ok(TzArg {
            waba: Some(waba.trim().to_string()),
            zone: Zone::parse(zone.trim())?,
        }),
        Some(_) => Err(format!(
            "{s:?}: expected ZONE or WABA=ZONE (a WABA id, then an IANA zone)"
        )),
        None => Ok(TzArg {
            waba: None,
            zone: Zone::parse(s)?,
        }),
    }
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
        let value = match pricing.rules.switches.get(name) {
            Some(sw) => sw
                .parse(val)
                .ok_or_else(|| anyhow::anyhow!("--rule {r:?}: value must be {}", sw.accepted()))?,
            None => crate::data::switches::on_off(val)
                .ok_or_else(|| anyhow::anyhow!("--rule {r:?}: value must be on or off"))?,
        };
        out.insert(name.to_string(), value);
    }
    Ok(out)
}

/// Runs the command line; returns the exit code.
pub fn run(cli: Cli) -> Result<Exit> {
    let g = &cli.global;
    crate::report::locale::set(Style {
        locale: g.locale.unwrap_or_else(Locale::from_env),
        excel_br: g.csv_dialect == Some(CsvDialect::ExcelBr),
    });
    match &cli.command {
        Command::Estimate(a) => estimate::run(&cli.global, a),
        Command::Forecast(a) => forecast::run(&cli.global, a),
        Command::Reconcile(a) => reconcile::run(&cli.global, a),
        Command::Rates(a) => rates::run(&cli.global, a),
        Command::Market(a) => market::run(&cli.global, a),
        Command::Completions(a) => completions::run_completions(a),
        Command::Man(a) => completions::run_man(a),
    }
}

/// A bundled profile's name (`respond.io`, `360Dialog` accepted).
fn parse_profile(s: &str) -> Result<String, String> {
    crate::ingest::profile::Profile::bundled(s)
        .map(|p| p.name)
        .map_err(|e| e.to_string())
}

/// `--business-country`: two ASCII letters, read as upper case.
pub fn parse_country(s: &str) -> Result<String, String> {
    let cc = s.trim().to_ascii_uppercase();
    if cc.len() == 2 && cc.bytes().all(|b| b.is_ascii_uppercase()) {
        return Ok(cc);
    }
    Err("not an ISO 3166 alpha-2 country code (two letters, e.g. BR)".into())
}

/// `--at`, `--as-of`, `--effective`: a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    crate::model::time::parse_date(s).ok_or_else(|| "not a YYYY-MM-DD date".to_string())
}

/// The date a look-up is for: `--at`, or today in the WABA time zone.
pub fn date_or_today(at: Option<NaiveDate>, g: &Global) -> Result<NaiveDate> {
    match at {
        Some(d) => Ok(d),
        None => Ok(g.zone()?.local_date(chrono::Utc::now().timestamp())),
    }
}

/// Writes the report to `--output FILE` when given, else to stdout.
pub fn to_output<T>(g: &Global, f: impl FnOnce(&mut dyn Write) -> io::Result<T>) -> Result<T> {
    let Some(path) = &g.output else {
        if g.format() == Format::Parquet && io::stdout().is_terminal() {
            anyhow::bail!(
                "--format parquet writes a binary file: give --output FILE or redirect stdout"
            );
        }
        return to_stdout(f);
    };
    let file = std::fs::File::create(path)
        .with_context(|| format!("--output {}: cannot create the file", path.display()))?;
    let mut out = io::BufWriter::with_capacity(1 << 16, file);
    let t = f(&mut out)
        .and_then(|t| out.flush().map(|()| t))
        .with_context(|| format!("--output {}: writing the report", path.display()))?;
    eprintln!("wacost: wrote {}", path.display());
    Ok(t)
}

/// Writes the output through a buffer and flushes it: any failure is an
/// [`exit::OutputError`] (exit 5; a closed pipe exits 0).
pub fn to_stdout<T>(f: impl FnOnce(&mut dyn Write) -> io::Result<T>) -> Result<T> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    Ok(exit::output(
        f(&mut out).and_then(|t| out.flush().map(|()| t)),
    )?)
}
