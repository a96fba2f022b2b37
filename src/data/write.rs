//! Writing an imported rate card into a pricing directory
//! (`rates/<CUR>.csv` or `tiers/<CUR>.csv`): the rows of a card as
//! `pricing/` holds them, merged with what the file already has.

use std::cmp::Ordering;
use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::legacy_header;
use super::rates::COLUMNS as RATES_COLUMNS;
use super::tiers::COLUMNS as TIERS_COLUMNS;
use crate::model::Category;

/// One base (list) rate of a `Pricing.csv` card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRate {
    /// The market's name in markets.csv (found with
    /// [`MarketMap::find_name`](crate::data::MarketMap::find_name)); an
    /// unknown name is kept as written.
    pub market: String,
    pub category: Category,
    /// `None` when the card says `n/a` (or leaves the cell empty).
    pub rate: Option<Decimal>,
}

/// One volume band of a `Tier Pricing.csv` card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTier {
    /// The market's name in markets.csv; an unknown name is kept as written.
    pub market: String,
    pub category: Category,
    /// First message of the band in the month, as Meta writes it.
    pub from: u64,
    /// Last message of the band; `None` = unbounded.
    pub to: Option<u64>,
    pub rate: Decimal,
}

/// What a card held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// A `Pricing.csv` card: rows in file order, categories in [`Category::ALL`] order.
    Rates {
        currency: String,
        rows: Vec<ImportedRate>,
    },
    /// A `Tier Pricing.csv` card: rows in file order, group by group.
    Tiers {
        currency: String,
        rows: Vec<ImportedTier>,
    },
}

impl Imported {
    /// ISO 4217 code of the card.
    pub fn currency(&self) -> &str {
        match self {
            Imported::Rates { currency, .. } | Imported::Tiers { currency, .. } => currency,
        }
    }

    /// `"rates"` or `"tiers"`, which is also the sub-directory [`write_card`] writes to.
    pub fn kind(&self) -> &'static str {
        match self {
            Imported::Rates { .. } => "rates",
            Imported::Tiers { .. } => "tiers",
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Imported::Rates { rows, .. } => rows.len(),
            Imported::Tiers { rows, .. } => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The market names of the rows, in file order (repeats included).
    pub fn markets(&self) -> Vec<&str> {
        match self {
            Imported::Rates { rows, .. } => rows.iter().map(|r| r.market.as_str()).collect(),
            Imported::Tiers { rows, .. } => rows.iter().map(|r| r.market.as_str()).collect(),
        }
    }

    /// The markets of the rows that `markets` does not know, once each, in
    /// file order: `rates import` refuses to write them.
    pub fn unknown_markets(&self, markets: &crate::data::MarketMap) -> Vec<&str> {
        let mut unknown: Vec<&str> = Vec::new();
        for m in self.markets() {
            if markets.find_name(m).is_none() && !unknown.contains(&m) {
                unknown.push(m);
            }
        }
        unknown
    }

    /// The header of the pricing file and this card's rows in its columns.
    fn file_rows(&self, eff: &str, source: &str) -> (&'static [&'static str], Vec<Vec<String>>) {
        match self {
            Imported::Rates { rows, .. } => (
                &RATES_COLUMNS,
                rows.iter().map(|r| rate_row(eff, r, source)).collect(),
            ),
            Imported::Tiers { rows, .. } => (
                &TIERS_COLUMNS,
                rows.iter().map(|r| tier_row(eff, r, source)).collect(),
            ),
        }
    }
}

/// A rates/ row: rate = decimal or `n/a`.
fn rate_row(eff: &str, r: &ImportedRate, source: &str) -> Vec<String> {
    vec![
        eff.to_string(),
        r.market.clone(),
        r.category.to_string(),
        r.rate.map_or_else(|| "n/a".to_string(), |d| d.to_string()),
        // Meta's own file states every cell of its card.
        "direct".to_string(),
        source.to_string(),
    ]
}

/// A tiers/ row: an empty `to` is unbounded.
fn tier_row(eff: &str, r: &ImportedTier, source: &str) -> Vec<String> {
    vec![
        eff.to_string(),
        r.market.clone(),
        r.category.to_string(),
        r.from.to_string(),
        r.to.map_or_else(String::new, |t| t.to_string()),
        r.rate.to_string(),
        "direct".to_string(),
        source.to_string(),
    ]
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// What a pricing file already holds.
#[derive(Default)]
struct Existing {
    /// `#` comment lines, in order (the pricing loader skips them; they are kept).
    comments: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Existing rows of a pricing file (header checked; BOM, CRLF and `#` comment lines accepted).
fn read_existing(path: &Path, columns: &[&str]) -> io::Result<Existing> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::default()),
        Err(e) => return Err(e),
    };
    let text = crate::text::strip_bom_str(&text);
    let comments = text
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| l.trim_end().to_string())
        .collect();
    let rows = existing_rows(path, text, columns)?;
    Ok(Existing { comments, rows })
}

/// The data rows of a pricing file's text, after a header that must be `columns`.
fn existing_rows(path: &Path, text: &str, columns: &[&str]) -> io::Result<Vec<Vec<String>>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut header_seen = false;
    let mut legacy = false;
    for record in reader.records() {
        let record = record.map_err(|e| invalid(format!("{}: {e}", path.display())))?;
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if !header_seen {
            header_seen = true;
            legacy = check_header(path, line, &cells, columns)?;
            continue;
        }
        let cells = if legacy {
            with_confidence(cells, columns)
        } else {
            cells
        };
        check_width(path, line, &cells, columns)?;
        rows.push(cells);
    }
    Ok(rows)
}

/// A row of a file without the confidence column, given one: the loader
/// reads those files as Meta's own cards, `direct` (nothing for `unknown`).
pub(crate) fn with_confidence(mut cells: Vec<String>, columns: &[&str]) -> Vec<String> {
    let Some(at) = columns.iter().position(|c| *c == "confidence") else {
        return cells;
    };
    if cells.len() + 1 == columns.len() {
        let unknown = cells[at - 1].eq_ignore_ascii_case("unknown");
        cells.insert(at, if unknown { "" } else { "direct" }.to_string());
    }
    cells
}

/// Refuses to rewrite a file of another format; `true` when it is the
/// layout before the confidence column (its rows are upgraded).
fn check_header(path: &Path, line: u64, cells: &[String], columns: &[&str]) -> io::Result<bool> {
    if cells == columns {
        return Ok(false);
    }
    if cells.len() + 1 == columns.len() && cells == legacy_header(columns).as_slice() {
        return Ok(true);
    }
    Err(invalid(format!(
        "{} line {line}: header is {:?}; expected {:?} (refusing to rewrite a file of another format)",
        path.display(),
        cells.join(","),
        columns.join(",")
    )))
}

fn check_width(path: &Path, line: u64, cells: &[String], columns: &[&str]) -> io::Result<()> {
    if cells.len() == columns.len() {
        return Ok(());
    }
    Err(invalid(format!(
        "{} line {line}: {} fields; expected {} ({})",
        path.display(),
        cells.len(),
        columns.len(),
        columns.join(",")
    )))
}

/// Sort order of pricing files: effective_from, market, category (in [`Category`] order,
/// as `pricing/` is laid out; an unreadable category after the others, by text), then
/// `from` numerically.
fn row_order(a: &[String], b: &[String], tiers: bool) -> Ordering {
    let key = |r: &[String], i: usize| r.get(i).map_or(String::new(), |s| s.clone());
    let cat = |r: &[String]| {
        let text = key(r, 2);
        (
            Category::from_str(&text).map_or(Category::ALL.len(), Category::index),
            text,
        )
    };
    let base = key(a, 0)
        .cmp(&key(b, 0))
        .then_with(|| key(a, 1).cmp(&key(b, 1)))
        .then_with(|| cat(a).cmp(&cat(b)));
    if !tiers {
        return base;
    }
    base.then_with(|| {
        let (fa, fb) = (key(a, 3), key(b, 3));
        match (fa.parse::<u64>(), fb.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => fa.cmp(&fb),
        }
    })
}

/// An ISO 4217 code, the only thing allowed to name the file written.
fn check_currency(currency: &str) -> io::Result<()> {
    if currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("currency {currency:?} is not an ISO 4217 code; expected three capital letters such as USD"),
    ))
}

/// Writes the card into a pricing directory: `<dir>/rates/<CUR>.csv`
/// (`effective_from,market,category,rate,confidence,source`; rate = decimal or
/// `n/a`, confidence `direct`: Meta's own file) or `<dir>/tiers/<CUR>.csv`
/// (`effective_from,market,category,from,to,rate,confidence,source`; empty `to` =
/// unbounded). A file of the layout before the confidence column is upgraded. Rows already there with the same `effective_from` are
/// replaced; other rows and `#` comment lines are kept (comments move to just below
/// the header). Output is sorted by (effective_from, market, category[, from]), the
/// category in [`Category`] order as in `pricing/`. Missing directories and files are
/// created (with the header). The file is replaced atomically. Returns the number of
/// rows written for this card.
pub fn write_card(
    dir: &Path,
    effective: NaiveDate,
    imported: &Imported,
    source: &str,
) -> io::Result<usize> {
    let currency = imported.currency();
    check_currency(currency)?;
    let eff = effective.format("%Y-%m-%d").to_string();
    let (columns, new_rows) = imported.file_rows(&eff, source);
    let tiers = matches!(imported, Imported::Tiers { .. });
    let folder = dir.join(imported.kind());
    fs::create_dir_all(&folder)?;
    let path = folder.join(format!("{currency}.csv"));

    let Existing { comments, mut rows } = read_existing(&path, columns)?;
    rows.retain(|r| r.first().map(String::as_str) != Some(eff.as_str()));
    let written = new_rows.len();
    rows.extend(new_rows);
    rows.sort_by(|a, b| row_order(a, b, tiers));
    replace_file(&path, columns, &comments, &rows)?;
    Ok(written)
}

/// Writes the rows [`write_card`] would write for this card, with the file's
/// header, to `w` (`rates import --dry-run`). Returns the number of rows.
pub fn card_csv(
    w: &mut dyn Write,
    effective: NaiveDate,
    imported: &Imported,
    source: &str,
) -> io::Result<usize> {
    let eff = effective.format("%Y-%m-%d").to_string();
    let (columns, mut rows) = imported.file_rows(&eff, source);
    rows.sort_by(|a, b| row_order(a, b, matches!(imported, Imported::Tiers { .. })));
    let mut writer = csv_writer(w);
    writer.write_record(columns)?;
    for row in &rows {
        writer.write_record(row)?;
    }
    writer.flush()?;
    Ok(rows.len())
}

/// Writes `files` ((path relative to the directory, text), e.g.
/// [`Pricing::bundled_files`](crate::data::Pricing::bundled_files)) into
/// `dir`, creating it and its sub-directories (`wacost rates export`).
/// Without `force`, nothing is written when any of the files exists
/// (an [`io::ErrorKind::AlreadyExists`] error naming them). Returns the
/// number of files written.
pub fn export(dir: &Path, files: &[(&str, &str)], force: bool) -> io::Result<usize> {
    let existing: Vec<String> = files
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !force && !existing.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} of the files already exist ({}{}); refusing to overwrite them: pass --force, or export into a new directory",
                existing.len(),
                existing.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
                if existing.len() > 3 { ", ..." } else { "" }
            ),
        ));
    }
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, text)?;
    }
    Ok(files.len())
}

/// Writes `path` anew through a temporary file beside it, renamed over it
/// (removed again when anything fails).
fn replace_file(
    path: &Path,
    columns: &[&str],
    comments: &[String],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("card");
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = write_file(&tmp, columns, comments, rows).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Writes header, comment lines, then rows to `path`, synced to disk.
fn write_file(
    path: &Path,
    columns: &[&str],
    comments: &[String],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let file = fs::File::create(path)?;
    let mut writer = csv_writer(io::BufWriter::new(file));
    writer.write_record(columns)?;
    let mut buf = csv_inner(writer)?;
    for comment in comments {
        writeln!(buf, "{comment}")?;
    }
    let mut writer = csv_writer(buf);
    for row in rows {
        writer.write_record(row)?;
    }
    csv_inner(writer)?
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()
}

fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(w)
}

/// The writer under a csv writer, flushed.
fn csv_inner<W: Write>(w: csv::Writer<W>) -> io::Result<W> {
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_card_built_by_hand_is_written_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let row = |market: &str, category, rate: Option<&str>| ImportedRate {
            market: market.into(),
            category,
            rate: rate.map(|r| Decimal::from_str(r).unwrap()),
        };
        let card = Imported::Rates {
            currency: "EUR".into(),
            rows: vec![
                row("Spain", Category::Utility, Some("0.0200")),
                row("Spain", Category::Marketing, Some("0.0615")),
                row("France", Category::AuthenticationInternational, None),
            ],
        };
        assert_eq!(
            write_card(dir.path(), date("2026-10-01"), &card, "s").unwrap(),
            3
        );
        let text = std::fs::read_to_string(dir.path().join("rates/EUR.csv")).unwrap();
        assert_eq!(
            text,
            "effective_from,market,category,rate,confidence,source\n\
             2026-10-01,France,authentication_international,n/a,direct,s\n\
             2026-10-01,Spain,marketing,0.0615,direct,s\n\
             2026-10-01,Spain,utility,0.0200,direct,s\n"
        );
    }
}
