//! Pricing data: the market map, rate cards, volume tiers and rule eras.
//! All of it is data under `pricing/`, compiled into the binary; `--pricing
//! DIR` lays a directory over it ([`overlay`]), `--pricing-only DIR` replaces it.

pub mod check;
pub mod confidence;
pub mod markets;
pub mod overlay;
pub mod rates;
pub mod rules;
pub mod switches;
pub mod tiers;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

pub use confidence::{Accept, Confidence};
pub use markets::{MarketId, MarketMap, Resolved};
pub use rates::{LazyCards, RateCards, RateCell, RateError};
pub use rules::{Era, Rules};
pub use tiers::TierCards;

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// A problem in the pricing data itself: names the file, line and field.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{file}:{line}: {msg}")]
    At {
        file: String,
        line: u64,
        msg: String,
    },
    #[error("{file}: {msg}")]
    File { file: String, msg: String },
    #[error("cannot read pricing directory {dir}: {source}")]
    Io {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl DataError {
    pub fn at(file: &str, line: u64, msg: impl Into<String>) -> DataError {
        DataError::At {
            file: file.to_string(),
            line,
            msg: msg.into(),
        }
    }
}

/// Other spellings of market names (optional in a pricing directory).
const ALIASES_FILE: &str = "market_aliases.csv";

/// The files at the top of a pricing directory.
const TOP_FILES: [&str; 4] = [
    "markets.csv",
    "calling_codes.csv",
    "rules.toml",
    ALIASES_FILE,
];

/// Everything the engine needs to price traffic.
#[derive(Debug)]
pub struct Pricing {
    pub markets: MarketMap,
    pub rules: Rules,
    /// Rate cards by ISO currency code (read on first use: [`Pricing::cards`]).
    pub rates: BTreeMap<String, LazyCards>,
    /// Volume-tier ladders by ISO currency code.
    pub tiers: BTreeMap<String, TierCards>,
    /// `bundled`, `bundled + overlay DIR` (`--pricing`) or the directory
    /// given with `--pricing-only`.
    pub origin: String,
}

impl Pricing {
    /// The data compiled into the binary.
    pub fn bundled() -> Result<Pricing, DataError> {
        Pricing::from_files(
            "bundled",
            bundled::BUNDLED.iter().map(|(p, c)| (*p, *c)),
            |cur, path, text, _| Ok(LazyCards::later(cur, path, text)),
        )
    }

    /// The bundled data with the pricing directory `dir` laid over it
    /// (`--pricing DIR`; the merge rules are in [`overlay`]).
    pub fn overlaid(dir: &Path) -> Result<Pricing, DataError> {
        let pricing_dir = PricingDir { dir };
        let over = pricing_dir.files()?;
        if over.is_empty() {
            return Err(pricing_dir.empty());
        }
        Pricing::overlaid_files(&dir.display().to_string(), &over)
    }

    /// The bundled data with overlay files (path relative to `pricing/`,
    /// text) laid over it; `name` names the overlay in errors.
    pub fn overlaid_files(name: &str, over: &[(String, String)]) -> Result<Pricing, DataError> {
        let merged = overlay::merge(bundled::BUNDLED, over, name)?;
        Pricing::from_files(
            &format!("bundled + overlay {name}"),
            merged.files.iter().map(|(p, c)| (p.as_str(), c.as_str())),
            read_now,
        )
        .map_err(|e| merged.locate(e))
    }

    /// The files of the bundled data: (path relative to `pricing/`, text),
    /// what `wacost rates export` writes.
    pub fn bundled_files() -> &'static [(&'static str, &'static str)] {
        bundled::BUNDLED
    }

    /// Loads a pricing directory laid out like the bundled one, in place of
    /// the bundled data (`--pricing-only DIR`).
    pub fn from_dir(dir: &Path) -> Result<Pricing, DataError> {
        let files = PricingDir { dir }.files()?;
        Pricing::from_files(
            &dir.display().to_string(),
            files.iter().map(|(p, c)| (p.as_str(), c.as_str())),
            read_now,
        )
    }

    /// Loads the files; `rates` makes each currency's cards (read now, or
    /// later for the bundled files, which are known to load).
    fn from_files<'a>(
        origin: &str,
        files: impl Iterator<Item = (&'a str, &'a str)>,
        rates: ReadRates<'a>,
    ) -> Result<Pricing, DataError> {
        let files = Files {
            origin: origin.to_string(),
            files: files.collect(),
        };
        let markets = files.markets()?;
        let rules = Rules::load(files.required("rules.toml")?)?;
        let (rates, tiers) = files.cards(&markets, rates)?;
        Ok(Pricing {
            markets,
            rules,
            rates,
            tiers,
            origin: origin.to_string(),
        })
    }

    /// The rate cards of a currency, or an error that says which exist.
    pub fn cards(&self, currency: &str) -> Result<&RateCards, RateError> {
        self.rates
            .get(currency)
            .ok_or_else(|| RateError::NoCurrency {
                currency: currency.to_string(),
                available: self.currencies().join(", "),
            })?
            .get(&self.markets)
    }

    /// The currencies with rate cards, sorted.
    pub fn currencies(&self) -> Vec<String> {
        self.rates.keys().cloned().collect()
    }
}

/// A pricing directory on disk.
struct PricingDir<'a> {
    dir: &'a Path,
}

impl PricingDir<'_> {
    fn io(&self, source: std::io::Error) -> DataError {
        DataError::Io {
            dir: self.dir.to_path_buf(),
            source,
        }
    }

    /// An overlay directory with no pricing file in it (or none at all).
    fn empty(&self) -> DataError {
        DataError::File {
            file: self.dir.display().to_string(),
            msg: format!(
                "no pricing files to lay over the bundled data (expected any of {}, rates/<CURRENCY>.csv, tiers/<CURRENCY>.csv)",
                TOP_FILES.join(", ")
            ),
        }
    }

    /// (path relative to the directory, text) of every file the loader reads.
    fn files(&self) -> Result<Vec<(String, String)>, DataError> {
        let mut files = Vec::new();
        for rel in TOP_FILES
            .into_iter()
            .map(str::to_string)
            .chain(self.card_files()?)
        {
            let p = self.dir.join(&rel);
            if p.is_file() {
                let text = std::fs::read_to_string(&p).map_err(|e| self.io(e))?;
                files.push((rel, text));
            }
        }
        Ok(files)
    }

    /// `rates/*.csv` and `tiers/*.csv`, sorted by name.
    fn card_files(&self) -> Result<Vec<String>, DataError> {
        let mut all = Vec::new();
        for sub in ["rates", "tiers"] {
            let d = self.dir.join(sub);
            if !d.is_dir() {
                continue;
            }
            let mut names: Vec<String> = std::fs::read_dir(&d)
                .map_err(|e| self.io(e))?
                .flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| n.ends_with(".csv"))
                .collect();
            names.sort();
            all.extend(names.into_iter().map(|n| format!("{sub}/{n}")));
        }
        Ok(all)
    }
}

/// The files of a pricing directory (bundled or on disk), by relative path.
struct Files<'a> {
    origin: String,
    files: Vec<(&'a str, &'a str)>,
}

type Cards = (BTreeMap<String, LazyCards>, BTreeMap<String, TierCards>);

/// Makes a currency's cards from (currency, path, text, market map).
type ReadRates<'a> = fn(&str, &str, &'a str, &MarketMap) -> Result<LazyCards, DataError>;

/// Reads a currency's cards at once (files from outside the binary: their
/// errors are found when they load, on their own lines).
fn read_now(
    cur: &str,
    path: &str,
    text: &str,
    markets: &MarketMap,
) -> Result<LazyCards, DataError> {
    Ok(LazyCards::now(RateCards::load(cur, path, text, markets)?))
}

impl<'a> Files<'a> {
    fn get(&self, name: &str) -> Option<&'a str> {
        self.files.iter().find(|(p, _)| *p == name).map(|(_, c)| *c)
    }

    fn required(&self, name: &str) -> Result<&'a str, DataError> {
        self.get(name).ok_or_else(|| DataError::File {
            file: format!("{}/{name}", self.origin),
            msg: "missing; a pricing directory needs markets.csv, calling_codes.csv, rules.toml and rates/<CURRENCY>.csv".into(),
        })
    }

    /// The market map with its aliases, when the directory has them.
    fn markets(&self) -> Result<MarketMap, DataError> {
        let mut markets = MarketMap::load(
            self.required("calling_codes.csv")?,
            self.required("markets.csv")?,
        )?;
        if let Some(text) = self.get(ALIASES_FILE) {
            markets.load_aliases(ALIASES_FILE, text)?;
        }
        Ok(markets)
    }

    /// Rate cards and tier cards by currency; at least one rate card.
    fn cards(&self, markets: &MarketMap, read: ReadRates<'a>) -> Result<Cards, DataError> {
        let (mut rates, mut tiers) = (BTreeMap::new(), BTreeMap::new());
        for &(path, text) in &self.files {
            if let Some(cur) = currency_file(path, "rates/") {
                rates.insert(cur.clone(), read(&cur, path, text, markets)?);
            } else if let Some(cur) = currency_file(path, "tiers/") {
                tiers.insert(cur.clone(), TierCards::load(&cur, path, text, markets)?);
            }
        }
        if rates.is_empty() {
            return Err(DataError::File {
                file: format!("{}/rates", self.origin),
                msg: "no rate cards (expected rates/<CURRENCY>.csv, e.g. rates/USD.csv)".into(),
            });
        }
        Ok((rates, tiers))
    }
}

fn currency_file(path: &str, dir: &str) -> Option<String> {
    let name = path.strip_prefix(dir)?.strip_suffix(".csv")?;
    (name.len() == 3 && name.bytes().all(|b| b.is_ascii_uppercase())).then(|| name.to_string())
}

/// The `effective_from` cell of a data row.
pub(crate) fn effective_from(file: &str, line: u64, cell: &str) -> Result<NaiveDate, DataError> {
    crate::model::time::parse_date(cell).ok_or_else(|| {
        DataError::at(
            file,
            line,
            format!("effective_from {cell:?} is not a YYYY-MM-DD date"),
        )
    })
}

/// A market cell of a rates or tiers file: a name exactly as markets.csv writes it.
pub(crate) fn known_market(
    file: &str,
    line: u64,
    cell: &str,
    markets: &MarketMap,
) -> Result<MarketId, DataError> {
    let name = cell.trim();
    markets
        .id(name)
        .ok_or_else(|| DataError::at(file, line, format!("market {name:?} is not in markets.csv")))
}

/// The header without the `confidence` column: files written before cells
/// said how they are known.
pub(crate) fn legacy_header<'c>(columns: &[&'c str]) -> Vec<&'c str> {
    columns
        .iter()
        .copied()
        .filter(|c| *c != "confidence")
        .collect()
}

/// Reads a data CSV with a header, giving (line number, record) pairs and
/// skipping blank and `#` comment lines.
pub(crate) fn data_records<'a>(
    file: &'a str,
    text: &'a str,
    want: &'a [&'a str],
) -> Result<impl Iterator<Item = Result<(u64, csv::StringRecord), DataError>> + 'a, DataError> {
    Ok(data_records_of(file, text, &[want])?.1)
}

/// [`data_records`] for a file whose header is one of several layouts
/// (a column added later is optional): which one, and the records.
pub(crate) fn data_records_of<'a>(
    file: &'a str,
    text: &'a str,
    layouts: &[&'a [&'a str]],
) -> Result<DataRecords<'a>, DataError> {
    let text = crate::text::strip_bom_str(text);
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| DataError::at(file, 1, e.to_string()))?;
    let layout = header_layout(file, headers, layouts)?;
    let want = layouts[layout];
    let records = rdr
        .into_records()
        .map(move |r| numbered_record(file, want, r));
    Ok((layout, Box::new(records)))
}

/// Which layout a data file has, and its numbered records.
pub(crate) type DataRecords<'a> = (
    usize,
    Box<dyn Iterator<Item = Result<(u64, csv::StringRecord), DataError>> + 'a>,
);

/// The first layout whose columns start the header, in order.
fn header_layout(
    file: &str,
    headers: &csv::StringRecord,
    layouts: &[&[&str]],
) -> Result<usize, DataError> {
    let starts = |want: &[&str]| {
        want.iter()
            .enumerate()
            .all(|(i, w)| headers.get(i).map(str::trim) == Some(*w))
    };
    if let Some(i) = layouts.iter().position(|w| starts(w)) {
        return Ok(i);
    }
    let accepted: Vec<String> = layouts.iter().map(|w| w.join(",")).collect();
    Err(DataError::at(
        file,
        1,
        format!("header must be {}", accepted.join(" or ")),
    ))
}

/// A record and its line, with at least the header's columns.
fn numbered_record(
    file: &str,
    want: &[&str],
    r: csv::Result<csv::StringRecord>,
) -> Result<(u64, csv::StringRecord), DataError> {
    let rec = r.map_err(|e| {
        let line = e.position().map_or(0, |p| p.line());
        DataError::at(file, line, e.to_string())
    })?;
    let line = rec.position().map_or(0, |p| p.line());
    if rec.len() < want.len() {
        return Err(DataError::at(
            file,
            line,
            format!(
                "{} fields, expected {} ({})",
                rec.len(),
                want.len(),
                want.join(",")
            ),
        ));
    }
    Ok((line, rec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_data_loads_quickly() {
        let t = std::time::Instant::now();
        let p = Pricing::bundled().unwrap();
        let took = t.elapsed();
        assert!(p.rates.contains_key("USD"));
        assert!(!p.rules.eras.is_empty());
        // Generous in debug builds; the release figure is in the README.
        assert!(took.as_millis() < 500, "{took:?}");
    }
}
