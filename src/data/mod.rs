//! Pricing data: the market map, rate cards, volume tiers and rule eras.
//! All of it is data under `pricing/`, compiled into the binary and
//! replaceable with `--pricing DIR`.

pub mod check;
pub mod markets;
pub mod rates;
pub mod rules;
pub mod tiers;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

pub use markets::{MarketId, MarketMap, Resolved};
pub use rates::{RateCards, RateCell, RateError};
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

/// Everything the engine needs to price traffic.
#[derive(Debug)]
pub struct Pricing {
    pub markets: MarketMap,
    pub rules: Rules,
    /// Rate cards by ISO currency code.
    pub rates: BTreeMap<String, RateCards>,
    /// Volume-tier ladders by ISO currency code.
    pub tiers: BTreeMap<String, TierCards>,
    /// `bundled` or the directory given with `--pricing`.
    pub origin: String,
}

impl Pricing {
    /// The data compiled into the binary.
    pub fn bundled() -> Result<Pricing, DataError> {
        Pricing::from_files("bundled", bundled::BUNDLED.iter().map(|(p, c)| (*p, *c)))
    }

    /// Loads a pricing directory laid out like the bundled one.
    pub fn from_dir(dir: &Path) -> Result<Pricing, DataError> {
        let mut files: Vec<(String, String)> = Vec::new();
        let io = |source| DataError::Io {
            dir: dir.to_path_buf(),
            source,
        };
        let read = |rel: &str, files: &mut Vec<(String, String)>| -> Result<(), DataError> {
            let p = dir.join(rel);
            if p.is_file() {
                let text = std::fs::read_to_string(&p).map_err(io)?;
                files.push((rel.to_string(), text));
            }
            Ok(())
        };
        for rel in [
            "markets.csv",
            "calling_codes.csv",
            "rules.toml",
            ALIASES_FILE,
        ] {
            read(rel, &mut files)?;
        }
        for sub in ["rates", "tiers"] {
            let d = dir.join(sub);
            if d.is_dir() {
                let mut names: Vec<String> = std::fs::read_dir(&d)
                    .map_err(io)?
                    .flatten()
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .filter(|n| n.ends_with(".csv"))
                    .collect();
                names.sort();
                for n in names {
                    read(&format!("{sub}/{n}"), &mut files)?;
                }
            }
        }
        Pricing::from_files(
            &dir.display().to_string(),
            files.iter().map(|(p, c)| (p.as_str(), c.as_str())),
        )
    }

    fn from_files<'a>(
        origin: &str,
        files: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Result<Pricing, DataError> {
        let files: Vec<(&str, &str)> = files.collect();
        let get = |name: &str| -> Result<&str, DataError> {
            files
                .iter()
                .find(|(p, _)| *p == name)
                .map(|(_, c)| *c)
                .ok_or_else(|| DataError::File {
                    file: format!("{origin}/{name}"),
                    msg: "missing; a pricing directory needs markets.csv, calling_codes.csv, rules.toml and rates/<CURRENCY>.csv".into(),
                })
        };
        let mut markets = MarketMap::load(get("calling_codes.csv")?, get("markets.csv")?)?;
        if let Some((_, text)) = files.iter().find(|(p, _)| *p == ALIASES_FILE) {
            markets.load_aliases(ALIASES_FILE, text)?;
        }
        let rules = Rules::load(get("rules.toml")?)?;
        let mut rates = BTreeMap::new();
        let mut tiers = BTreeMap::new();
        for (path, text) in &files {
            if let Some(cur) = currency_file(path, "rates/") {
                rates.insert(cur.clone(), RateCards::load(&cur, path, text, &markets)?);
            } else if let Some(cur) = currency_file(path, "tiers/") {
                tiers.insert(cur.clone(), TierCards::load(&cur, path, text, &markets)?);
            }
        }
        if rates.is_empty() {
            return Err(DataError::File {
                file: format!("{origin}/rates"),
                msg: "no rate cards (expected rates/<CURRENCY>.csv, e.g. rates/USD.csv)".into(),
            });
        }
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
                available: self.rates.keys().cloned().collect::<Vec<_>>().join(", "),
            })
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

/// Reads a data CSV with a header, giving (line number, record) pairs and
/// skipping blank and `#` comment lines.
pub(crate) fn data_records<'a>(
    file: &'a str,
    text: &'a str,
    want: &'a [&'a str],
) -> Result<impl Iterator<Item = Result<(u64, csv::StringRecord), DataError>> + 'a, DataError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| DataError::at(file, 1, e.to_string()))?
        .clone();
    for (i, w) in want.iter().enumerate() {
        if headers.get(i).map(str::trim) != Some(*w) {
            return Err(DataError::at(
                file,
                1,
                format!("header must be {}", want.join(",")),
            ));
        }
    }
    let n = want.len();
    Ok(rdr.into_records().map(move |r| {
        let rec = r.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            DataError::at(file, line, e.to_string())
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() < n {
            return Err(DataError::at(
                file,
                line,
                format!("{} fields, expected {n} ({})", rec.len(), want.join(",")),
            ));
        }
        Ok((line, rec))
    }))
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
