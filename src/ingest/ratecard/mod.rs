//! Importer for Meta's downloadable rate-card CSVs.
//!
//! Meta publishes two files per billing currency:
//!
//! * `Pricing.csv`: a few preamble rows (title, notes, blank), then the header
//!   `Market,Currency,Marketing,Utility,Authentication,"Authentication-\nInternational",Service`
//!   (the auth-intl header holds a quoted newline; older cards have no Service
//!   column), then one row per market. `n/a` or an empty cell means "no rate".
//!   Read by `rates.rs`.
//! * `Tier Pricing.csv`: a title line containing "volume tier", a URL note, a
//!   group row `,,Utility,,,,,Authentication,,,,,Auth-Intl,,,,`, a sub-header
//!   row, the header `Market (per rate card),Currency,From,To,Rate type,Rate,
//!   vs. List rate` (the last five repeated per group; 17 columns), then one row
//!   per volume band. The market name appears only on the first row of a
//!   market's bands; `To` = `--` or empty means unbounded. Read by `tiers.rs`.
//!
//! [`import_meta_csv`] tells the two apart by the header row's columns,
//! normalises currency tokens with the one currency table
//! ([`crate::model::currency`]: `$US` → `USD`, `GBD` → `GBP`, …) and Meta's
//! market spellings with the market map ([`MarketMap::find_name`]: `UAE` →
//! `United Arab Emirates`, …), and reads every rate as an exact [`Decimal`]
//! with the one amount parser. [`crate::data::write::write_card`] merges an
//! imported card into a pricing directory.

mod rates;
mod tiers;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod write_tests;

use std::collections::HashSet;
use std::str::FromStr;

use rust_decimal::Decimal;

pub use crate::data::write::{Imported, ImportedRate, ImportedTier};
use crate::data::MarketMap;
use crate::ingest::toolkit::amount::{amount_core, decimal_evidence, parse_amount, DecimalMark};
use crate::model::{currency, Category};

/// A parsed card plus everything worth telling the user that did not stop the import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: Imported,
    pub warnings: Vec<String>,
}

const RATES_HEADER: &str =
    "Market,Currency,Marketing,Utility,Authentication,Authentication-International[,Service]";
const TIER_HEADER: &str = "Market (per rate card),Currency, then From,To,Rate type,Rate,vs. List rate for each of Utility, Authentication, Auth-Intl";
const RATE_EXPECTED: &str =
    "a non-negative decimal such as 0.0250, or 0,0250 with a decimal comma (one decimal mark on the whole card; optionally with the card's currency symbol, e.g. $0.0250 or R$ 0,0250), Free (zero), or n/a";

/// What a currency cell accepts: the spellings of the one currency table.
fn currency_expected() -> String {
    format!("one of {}", currency::accepted())
}

/// Why a card could not be imported. Every message names the line (1-based, as an
/// editor shows it), the field and the offending value, and says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("line 1: the file is empty; expected Meta's Pricing.csv ({RATES_HEADER}) or Tier Pricing.csv ({TIER_HEADER})")]
    Empty,

    #[error("line {line}: not valid CSV: {message}; expected comma-separated fields with double-quoted fields closed")]
    Csv { line: u64, message: String },

    #[error("lines 1-{last_line}: no header row (field `Market`: none of the rows starts with Market,Currency); expected Pricing.csv's {RATES_HEADER} or Tier Pricing.csv's {TIER_HEADER}")]
    NoHeader { last_line: u64 },

    #[error(
        "line {line}, column {column} (`{field}`): header {} {problem}; expected {expected}", crate::model::redact::quote_field(.value)
    )]
    BadHeader {
        line: u64,
        column: usize,
        field: String,
        value: String,
        problem: String,
        expected: String,
    },

    #[error(
        "line {line}: the header has no `{field}` column (found: {found:?}); expected {expected}"
    )]
    MissingColumn {
        line: u64,
        field: String,
        found: String,
        expected: String,
    },

    #[error("line {line}, column {column} (`{field}`): {} {problem}; expected {expected}", crate::model::redact::quote_field(.value))]
    InvalidValue {
        line: u64,
        column: usize,
        field: String,
        value: String,
        problem: String,
        expected: String,
    },

    #[error("line {line}, column {column} (`Currency`): {} means {found}, but line {first_line} set the card's currency to {currency}; expected {currency} on every row (one card, one currency)", crate::model::redact::quote_field(.value))]
    MixedCurrency {
        line: u64,
        column: usize,
        value: String,
        found: String,
        currency: String,
        first_line: u64,
    },

    #[error("line {line}, column {column} (`{field}`): {} repeats {what} already given on line {first_line}; expected each {what_kind} once", crate::model::redact::quote_field(.value))]
    Duplicate {
        line: u64,
        column: usize,
        field: String,
        value: String,
        what: String,
        what_kind: String,
        first_line: u64,
    },

    #[error("line {header_line}: no data rows follow the header (field `Market`: none); expected one row per market")]
    NoData { header_line: u64 },
}

impl ImportError {
    /// A cell of a data row that cannot be used.
    fn value(
        row: &Row,
        col: usize,
        field: impl Into<String>,
        problem: impl Into<String>,
        expected: impl Into<String>,
    ) -> ImportError {
        ImportError::InvalidValue {
            line: row.line,
            column: col + 1,
            field: field.into(),
            value: row.cell(col).into(),
            problem: problem.into(),
            expected: expected.into(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rows and header cells
// ---------------------------------------------------------------------------------------------

/// Whitespace-collapsed text of a cell (newlines inside quoted cells become spaces).
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A header cell as one line: `"Authentication-\nInternational"` → `Authentication-International`.
fn header_display(s: &str) -> String {
    collapse(s).replace("- ", "-")
}

/// Header cell key: lower-case letters and digits only (`"vs. List rate"` → `vslistrate`).
fn alnum_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A category named in a header cell, however Meta breaks or abbreviates it
/// (`"Authentication-\nInternational"`, `Auth-Intl`).
fn header_category(cell: &str) -> Option<Category> {
    let cleaned = header_display(cell).replace(" -", "-");
    if let Ok(c) = Category::from_str(&cleaned) {
        return Some(c);
    }
    match alnum_key(cell).as_str() {
        "authenticationinternational" | "authintl" | "authenticationintl" | "authinternational" => {
            Some(Category::AuthenticationInternational)
        }
        _ => None,
    }
}

/// One CSV record and the line it starts on.
struct Row {
    line: u64,
    cells: Vec<String>,
}

impl Row {
    fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", |s| s.trim())
    }

    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }

    /// Every cell after the first is empty.
    fn only_first(&self) -> bool {
        self.cells.iter().skip(1).all(|c| c.trim().is_empty())
    }

    /// Only the first cell holds text, and it names no market: a footnote or note, not data.
    fn is_note(&self, markets: &MarketMap) -> bool {
        !self.cell(0).is_empty() && self.only_first() && markets.find_name(self.cell(0)).is_none()
    }

    fn is_header(&self) -> bool {
        alnum_key(self.cell(0)).starts_with("market") && alnum_key(self.cell(1)) == "currency"
    }

    /// Columns up to the last non-empty cell.
    fn width(&self) -> usize {
        self.cells
            .iter()
            .rposition(|c| !c.trim().is_empty())
            .map_or(0, |i| i + 1)
    }
}

fn read_rows(text: &str) -> Result<Vec<Row>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => rows.push(Row {
                line: record.position().map_or(line, |p| p.line()),
                cells: record.iter().map(str::to_string).collect(),
            }),
            Err(e) => {
                return Err(ImportError::Csv {
                    line: e.position().map_or(line, |p| p.line()),
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// The card
// ---------------------------------------------------------------------------------------------

/// A card's rows cut at its header: (preamble, header, data).
fn split_at_header(rows: &[Row]) -> Result<(&[Row], &Row, &[Row]), ImportError> {
    let no_header = || ImportError::NoHeader {
        last_line: rows.last().map_or(1, |r| r.line),
    };
    let header_at = rows.iter().position(Row::is_header).ok_or_else(no_header)?;
    let (preamble, rest) = rows.split_at(header_at);
    let (header, data) = rest.split_first().ok_or_else(no_header)?;
    Ok((preamble, header, data))
}

/// Warns when the title line and the header's columns disagree on the kind of card.
fn layout_warning(
    says_tiers: bool,
    tier_layout: bool,
    preamble: bool,
    header: &Row,
) -> Option<String> {
    if says_tiers && !tier_layout {
        Some(format!(
            "line 1 mentions volume tiers, but the header on line {} has no From/To columns: read as a Pricing.csv (base rates) card",
            header.line
        ))
    } else if tier_layout && !says_tiers && preamble {
        Some(format!(
            "line 1 does not mention volume tiers, but the header on line {} has From/To columns: read as a Tier Pricing.csv card",
            header.line
        ))
    } else {
        None
    }
}

/// Reads one of Meta's rate-card CSVs (`Pricing.csv` or `Tier Pricing.csv`), telling
/// them apart by the header row, and names its markets as `markets` does. Accepts a
/// UTF-8 BOM and CRLF line ends.
pub fn import_meta_csv(text: &str, markets: &MarketMap) -> Result<ImportReport, ImportError> {
    let text = crate::text::strip_bom_str(text);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let rows = read_rows(text)?;
    let (preamble, header, data) = split_at_header(&rows)?;
    let first_line = text.lines().next().unwrap_or("").to_lowercase();
    let says_tiers = first_line.contains("volume tier");
    let tier_layout = header.cells.iter().any(|c| alnum_key(c) == "from");
    let mut card = CardReader::new(markets);
    card.warnings.extend(layout_warning(
        says_tiers,
        tier_layout,
        !preamble.is_empty(),
        header,
    ));
    let imported = if tier_layout {
        tiers::parse(preamble, header, data, &mut card)?
    } else {
        rates::parse(header, data, &mut card)?
    };
    Ok(ImportReport {
        imported,
        warnings: card.warnings,
    })
}

/// What reading a card's data rows keeps track of besides the rows.
struct CardReader<'a> {
    markets: &'a MarketMap,
    /// The card's one currency and the line that set it.
    currency: Option<(&'static str, u64)>,
    /// Unknown market names already warned about.
    unknown: HashSet<String>,
    warnings: Vec<String>,
    /// How the card's rate cells write decimals ([`card_mark`]); `None`
    /// when no cell shows it.
    mark: Option<DecimalMark>,
}

impl<'a> CardReader<'a> {
    fn new(markets: &'a MarketMap) -> CardReader<'a> {
        CardReader {
            markets,
            currency: None,
            unknown: HashSet::new(),
            warnings: Vec::new(),
            mark: None,
        }
    }

    /// Skips a note row (text only in the first column, naming no market), with a
    /// warning saying it was not read as `what`.
    fn skip_note(&mut self, row: &Row, what: &str) -> bool {
        if !row.is_note(self.markets) {
            return false;
        }
        self.warnings.push(format!(
            "line {}: skipped a row with text only in the first column ({:?}): read as a note, not {what}",
            row.line,
            collapse(row.cell(0))
        ));
        true
    }

    /// The market map's name for a market cell; an unknown name is kept as
    /// written, with one warning per name.
    fn market_name(&mut self, raw: &str, line: u64) -> String {
        if let Some(id) = self.markets.find_name(raw) {
            return self.markets.name(id).to_string();
        }
        let kept = collapse(raw);
        if self.unknown.insert(kept.clone()) {
            self.warnings.push(format!(
                "line {line}, column 1 (`Market`): {kept:?} matches none of the {} markets of pricing/ or their known spellings; kept as written",
                self.markets.len()
            ));
        }
        kept
    }

    /// Reads the currency cell of a data row; an empty cell repeats the row above.
    fn currency(&mut self, row: &Row, col: usize) -> Result<&'static str, ImportError> {
        let bad = |problem| ImportError::value(row, col, "Currency", problem, currency_expected());
        let raw = row.cell(col);
        if raw.is_empty() {
            let earlier = self.currency.map(|(code, _)| code);
            return earlier.ok_or_else(|| bad("is empty and no earlier row named the currency"));
        }
        let code = currency::code_of(raw).ok_or_else(|| bad("is not a currency Meta bills in"))?;
        self.same_currency(row, col, code)
    }

    /// One card, one currency: the first row's sets it.
    fn same_currency(
        &mut self,
        row: &Row,
        col: usize,
        code: &'static str,
    ) -> Result<&'static str, ImportError> {
        let (first, first_line) = *self.currency.get_or_insert((code, row.line));
        if first == code {
            return Ok(code);
        }
        Err(ImportError::MixedCurrency {
            line: row.line,
            column: col + 1,
            value: row.cell(col).into(),
            found: code.into(),
            currency: first.into(),
            first_line,
        })
    }

    /// The card's currency once every row is read; none means no data row.
    fn card_currency(&self, header: &Row) -> Result<String, ImportError> {
        self.currency
            .map(|(code, _)| code.to_string())
            .ok_or(ImportError::NoData {
                header_line: header.line,
            })
    }
}

// ---------------------------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------------------------

fn is_na(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "" | "n/a" | "na" | "n.a." | "-" | "--" | "\u{2013}" | "\u{2014}"
    )
}

/// `Free` (any case; Portuguese and Spanish `Grátis`, `Gratis`, `Gratuito`):
/// a rate of zero, as cards write service messages.
fn is_free(s: &str) -> bool {
    matches!(
        s.trim().to_lowercase().as_str(),
        "free" | "grátis" | "gratis" | "gratuito" | "gratuita"
    )
}

/// A rate cell of a card: its row, column and field name.
type RateCell<'r> = (&'r Row, usize, String);

/// The decimal mark of a card, decided once from all its rate cells (as
/// invoices are read): a cell such as `0,3217` or `1.234,5` shows a comma,
/// `0.0625` or `1,234.5` a point; cells such as `1,000` show nothing. A card
/// whose cells show both is refused (naming both cells); `None` when no cell
/// shows either.
fn card_mark(cells: &[RateCell]) -> Result<Option<DecimalMark>, ImportError> {
    let mut first: Option<(DecimalMark, &RateCell)> = None;
    for cell in cells {
        let text = cell.0.cell(cell.1);
        if is_na(text) || is_free(text) {
            continue;
        }
        // A malformed cell (`0.01.2`) is refused later, and shows nothing.
        let Some(mark) =
            decimal_evidence(&amount_core(text).0).filter(|&m| parse_amount(text, m).is_some())
        else {
            continue;
        };
        match first {
            None => first = Some((mark, cell)),
            Some((m, at)) if m != mark => return Err(mixed_marks(cell, mark, at)),
            Some(_) => {}
        }
    }
    Ok(first.map(|(m, _)| m))
}

fn mark_name(m: DecimalMark) -> &'static str {
    match m {
        DecimalMark::Dot => "a decimal point",
        DecimalMark::Comma => "a decimal comma",
    }
}

/// `cell` writes decimals with `mark`, the card's earlier cell `at` the other way.
fn mixed_marks(cell: &RateCell, mark: DecimalMark, at: &RateCell) -> ImportError {
    let problem = format!(
        "writes {}, but line {}, column {} (`{}`) {} writes {}",
        mark_name(mark),
        at.0.line,
        at.1 + 1,
        at.2,
        crate::model::redact::quote_field(at.0.cell(at.1)),
        mark_name(match mark {
            DecimalMark::Dot => DecimalMark::Comma,
            DecimalMark::Comma => DecimalMark::Dot,
        })
    );
    let expected =
        "one decimal mark on the whole card: 0.0350 throughout (Meta's files) or 0,0350 throughout";
    ImportError::value(cell.0, cell.1, cell.2.clone(), problem, expected)
}

/// Parses a rate cell with the one amount parser and the card's decimal
/// mark ([`card_mark`]; Meta's own cards write `.` decimals and `,`
/// thousands). `Ok(None)` for `n/a`/empty, zero for `Free`; `Err(problem)`
/// otherwise. A comma is never read as thousands unless the card shows
/// decimal points: on a card whose cells show neither, `1,000` is refused.
/// A currency written in the cell must be the card's.
fn parse_rate(
    cell: &str,
    card_currency: Option<&str>,
    mark: Option<DecimalMark>,
) -> Result<Option<Decimal>, String> {
    let s = cell.trim();
    if is_na(s) {
        return Ok(None);
    }
    if is_free(s) {
        return Ok(Some(Decimal::ZERO));
    }
    if mark.is_none() && s.contains(',') {
        return Err(
            "is ambiguous: no cell of the card shows whether `,` marks decimals or thousands"
                .into(),
        );
    }
    let (value, written_in) = parse_amount(s, mark.unwrap_or(DecimalMark::Dot))
        .ok_or_else(|| "is not a number".to_string())?;
    if let (Some(code), Some(card)) = (written_in, card_currency) {
        if code != card {
            return Err(format!("is written in {code}, but the card is in {card}"));
        }
    }
    if value.is_sign_negative() && !value.is_zero() {
        return Err("is negative".into());
    }
    // `-0` is zero.
    Ok(Some(value.abs()))
}
