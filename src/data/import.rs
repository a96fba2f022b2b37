//! Importer for Meta's downloadable rate-card CSVs.
//!
//! Meta publishes two files per billing currency:
//!
//! * `Pricing.csv`: a few preamble rows (title, notes, blank), then the header
//!   `Market,Currency,Marketing,Utility,Authentication,"Authentication-\nInternational",Service`
//!   (the auth-intl header holds a quoted newline; older cards have no Service
//!   column), then one row per market. `n/a` or an empty cell means "no rate".
//! * `Tier Pricing.csv`: a title line containing "volume tier", a URL note, a
//!   group row `,,Utility,,,,,Authentication,,,,,Auth-Intl,,,,`, a sub-header
//!   row, the header `Market (per rate card),Currency,From,To,Rate type,Rate,
//!   vs. List rate` (the last five repeated per group; 17 columns), then one row
//!   per volume band. The market name appears only on the first row of a
//!   market's bands; `To` = `--` or empty means unbounded.
//!
//! [`import_meta_csv`] tells the two apart by the header row's columns,
//! normalises currency tokens (`$US` → `USD`, `GBD` → `GBP`, …) and Meta's
//! market spellings (`UAE` → `United Arab Emirates`, …), and reads every rate
//! as an exact [`Decimal`]. [`write_card`] merges an imported card into a
//! pricing directory (`rates/<CUR>.csv` or `tiers/<CUR>.csv`).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::model::Category;

/// One base (list) rate of a `Pricing.csv` card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRate {
    /// Canonical market name (see [`canonical_market`]); an unknown name is kept as written.
    pub market: String,
    pub category: Category,
    /// `None` when the card says `n/a` (or leaves the cell empty).
    pub rate: Option<Decimal>,
}

/// One volume band of a `Tier Pricing.csv` card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTier {
    /// Canonical market name (see [`canonical_market`]); an unknown name is kept as written.
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
}

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
    "a non-negative decimal such as 0.0250 (optionally with the card's currency symbol, e.g. $0.0250), or n/a";
const VOLUME_EXPECTED: &str = "a whole number of messages such as 25000001 or 25,000,001";
const CURRENCY_EXPECTED: &str = "one of $US, USD, €, EUR, £, GBP, ₹, INR, Rp, IDR, A$, AUD, MX$, MXN, R$, BRL, ARS, CLP, COP, MYR, PEN, SAR, SGD, AED";

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

// ---------------------------------------------------------------------------------------------
// Currency and market vocabulary
// ---------------------------------------------------------------------------------------------

/// Meta's currency tokens (compared after removing spaces and upper-casing) → ISO 4217.
const CURRENCY_TOKENS: &[(&str, &str)] = &[
    ("$US", "USD"),
    ("US$", "USD"),
    ("USD", "USD"),
    ("€", "EUR"),
    ("EUR", "EUR"),
    ("£", "GBP"),
    ("GBP", "GBP"),
    ("GBD", "GBP"), // a typo seen in Meta's own files
    ("₹", "INR"),
    ("INR", "INR"),
    ("RP", "IDR"),
    ("IDR", "IDR"),
    ("A$", "AUD"),
    ("AU$", "AUD"),
    ("AUD", "AUD"),
    ("MX$", "MXN"),
    ("MXN", "MXN"),
    ("R$", "BRL"),
    ("BRL", "BRL"),
    ("ARS", "ARS"),
    ("CLP", "CLP"),
    ("COP", "COP"),
    ("MYR", "MYR"),
    ("RM", "MYR"),
    ("PEN", "PEN"),
    ("S/", "PEN"),
    ("S/.", "PEN"),
    ("SAR", "SAR"),
    ("SGD", "SGD"),
    ("S$", "SGD"),
    ("AED", "AED"),
];

/// The ISO 4217 code for one of Meta's currency tokens (`$US`, `USD`, `€`, `GBD`, `Rp`, `A$`, …).
/// A bare `$` is ambiguous and gives `None`.
pub fn currency_code(token: &str) -> Option<&'static str> {
    let key: String = token
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    CURRENCY_TOKENS
        .iter()
        .find(|(t, _)| *t == key)
        .map(|(_, code)| *code)
}

/// Market names as `pricing/` spells them (column 4 of the market map).
const CANONICAL_MARKETS: &[&str] = &[
    "Argentina",
    "Bangladesh",
    "Brazil",
    "Chile",
    "Colombia",
    "Egypt",
    "France",
    "Germany",
    "Hong Kong",
    "Hungary",
    "India",
    "Indonesia",
    "Iraq",
    "Israel",
    "Italy",
    "Kazakhstan",
    "Kuwait",
    "Malaysia",
    "Mexico",
    "Morocco",
    "Nepal",
    "Netherlands",
    "Nigeria",
    "North America",
    "Oman",
    "Other",
    "Pakistan",
    "Peru",
    "Poland",
    "Qatar",
    "Rest of Africa",
    "Rest of Asia Pacific",
    "Rest of Central & Eastern Europe",
    "Rest of Latin America",
    "Rest of Middle East",
    "Rest of Western Europe",
    "Romania",
    "Russia",
    "Saudi Arabia",
    "Singapore",
    "South Africa",
    "Spain",
    "Sri Lanka",
    "Turkey",
    "Ukraine",
    "United Arab Emirates",
    "United Kingdom",
];

/// Other spellings seen on rate cards and vendor copies (compared after [`market_key`]).
const MARKET_ALIASES: &[(&str, &str)] = &[
    ("UAE", "United Arab Emirates"),
    ("U.A.E.", "United Arab Emirates"),
    ("UK", "United Kingdom"),
    ("U.K.", "United Kingdom"),
    ("Great Britain", "United Kingdom"),
    ("KSA", "Saudi Arabia"),
    ("Kingdom of Saudi Arabia", "Saudi Arabia"),
    ("Türkiye", "Turkey"),
    ("Turkiye", "Turkey"),
    ("Russian Federation", "Russia"),
    ("Hong Kong SAR", "Hong Kong"),
    ("Hong Kong SAR China", "Hong Kong"),
    ("Holland", "Netherlands"),
    ("US & Canada", "North America"),
    ("USA & Canada", "North America"),
    ("US/Canada", "North America"),
    ("United States & Canada", "North America"),
    ("North America (US & Canada)", "North America"),
    ("Rest of CEE", "Rest of Central & Eastern Europe"),
    ("Rest of C&E Europe", "Rest of Central & Eastern Europe"),
    (
        "Rest of Central Eastern Europe",
        "Rest of Central & Eastern Europe",
    ),
    (
        "Rest of Central/Eastern Europe",
        "Rest of Central & Eastern Europe",
    ),
    ("Rest of LatAm", "Rest of Latin America"),
    ("Rest of ME", "Rest of Middle East"),
    ("Rest of Mid East", "Rest of Middle East"),
    ("Rest of WE", "Rest of Western Europe"),
    ("Rest of W. Europe", "Rest of Western Europe"),
    ("Rest of West Europe", "Rest of Western Europe"),
    ("Rest of APAC", "Rest of Asia Pacific"),
    ("Rest of Asia & Pacific", "Rest of Asia Pacific"),
    ("Others", "Other"),
    ("Other countries", "Other"),
    ("Rest of World", "Other"),
];

/// Comparison key for market names: lower case, `&` = `and`, punctuation and a
/// leading or inner "the" ignored, hyphens and slashes as spaces, footnote marks dropped.
fn market_key(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        match c {
            '&' => s.push_str(" and "),
            '-' | '/' | '_' | '\u{2013}' | '\u{2014}' => s.push(' '),
            '.' | ',' | '(' | ')' | '*' | '\u{2020}' | '\u{2021}' | '\'' | '\u{2019}' => {}
            c => s.extend(c.to_lowercase()),
        }
    }
    s.split_whitespace()
        .filter(|w| *w != "the")
        .collect::<Vec<_>>()
        .join(" ")
}

/// The canonical `pricing/` name for one of Meta's market spellings
/// (`UAE` → `United Arab Emirates`, `Rest of LatAm` → `Rest of Latin America`, …).
/// Case, `&`/`and`, hyphens, dots and footnote asterisks do not matter.
pub fn canonical_market(name: &str) -> Option<&'static str> {
    let key = market_key(name);
    if key.is_empty() {
        return None;
    }
    CANONICAL_MARKETS
        .iter()
        .copied()
        .find(|m| market_key(m) == key)
        .or_else(|| {
            MARKET_ALIASES
                .iter()
                .find(|(alias, _)| market_key(alias) == key)
                .map(|(_, canonical)| *canonical)
        })
}

/// Whitespace-collapsed text of a cell (newlines inside quoted cells become spaces).
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A header cell as one line: `"Authentication-\nInternational"` → `Authentication-International`.
fn header_display(s: &str) -> String {
    collapse(s).replace("- ", "-")
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

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

    /// Only the first cell holds text, and it names no market: a footnote or note, not data.
    fn is_note(&self) -> bool {
        !self.cell(0).is_empty()
            && self.cells.iter().skip(1).all(|c| c.trim().is_empty())
            && canonical_market(self.cell(0)).is_none()
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
                let line = e.position().map_or(line, |p| p.line());
                return Err(ImportError::Csv {
                    line,
                    message: e.to_string(),
                });
            }
        }
    }
    Ok(rows)
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

fn is_header_row(row: &Row) -> bool {
    alnum_key(row.cell(0)).starts_with("market") && alnum_key(row.cell(1)) == "currency"
}

/// Reads one of Meta's rate-card CSVs (`Pricing.csv` or `Tier Pricing.csv`), telling
/// them apart by the header row. Accepts a UTF-8 BOM and CRLF line ends.
pub fn import_meta_csv(text: &str) -> Result<ImportReport, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let rows = read_rows(text)?;
    let Some(header_at) = rows.iter().position(is_header_row) else {
        return Err(ImportError::NoHeader {
            last_line: rows.last().map_or(1, |r| r.line),
        });
    };
    let (preamble, rest) = rows.split_at(header_at);
    let Some((header, data)) = rest.split_first() else {
        return Err(ImportError::NoHeader {
            last_line: rows.last().map_or(1, |r| r.line),
        });
    };

    let first_line = text.lines().next().unwrap_or("").to_lowercase();
    let says_tiers = first_line.contains("volume tier");
    let tier_layout = header.cells.iter().any(|c| alnum_key(c) == "from");

    let mut warnings = Vec::new();
    if says_tiers && !tier_layout {
        warnings.push(format!(
            "line 1 mentions volume tiers, but the header on line {} has no From/To columns: read as a Pricing.csv (base rates) card",
            header.line
        ));
    } else if tier_layout && !says_tiers && !preamble.is_empty() {
        warnings.push(format!(
            "line 1 does not mention volume tiers, but the header on line {} has From/To columns: read as a Tier Pricing.csv card",
            header.line
        ));
    }
    let imported = if tier_layout {
        parse_tiers(preamble, header, data, &mut warnings)?
    } else {
        parse_rates(header, data, &mut warnings)?
    };
    Ok(ImportReport { imported, warnings })
}

/// Tracks the card's single currency.
struct CurrencyState {
    code: Option<(&'static str, u64)>,
}

impl CurrencyState {
    /// Reads the currency cell of a data row; an empty cell repeats the row above.
    fn read(&mut self, row: &Row, col: usize) -> Result<&'static str, ImportError> {
        let raw = row.cell(col);
        if raw.is_empty() {
            return match self.code {
                Some((code, _)) => Ok(code),
                None => Err(ImportError::InvalidValue {
                    line: row.line,
                    column: col + 1,
                    field: "Currency".into(),
                    value: String::new(),
                    problem: "is empty and no earlier row named the currency".into(),
                    expected: CURRENCY_EXPECTED.into(),
                }),
            };
        }
        let Some(code) = currency_code(raw) else {
            return Err(ImportError::InvalidValue {
                line: row.line,
                column: col + 1,
                field: "Currency".into(),
                value: raw.into(),
                problem: "is not a currency Meta bills in".into(),
                expected: CURRENCY_EXPECTED.into(),
            });
        };
        match self.code {
            None => {
                self.code = Some((code, row.line));
                Ok(code)
            }
            Some((first, _)) if first == code => Ok(code),
            Some((first, first_line)) => Err(ImportError::MixedCurrency {
                line: row.line,
                column: col + 1,
                value: raw.into(),
                found: code.into(),
                currency: first.into(),
                first_line,
            }),
        }
    }
}

/// Canonicalises a market cell, warning once per unknown name.
fn market_name(
    raw: &str,
    line: u64,
    unknown: &mut HashSet<String>,
    warnings: &mut Vec<String>,
) -> String {
    match canonical_market(raw) {
        Some(m) => m.to_string(),
        None => {
            let kept = collapse(raw);
            if unknown.insert(kept.clone()) {
                warnings.push(format!(
                    "line {line}, column 1 (`Market`): {kept:?} matches none of the {} markets of pricing/ or their known spellings; kept as written",
                    CANONICAL_MARKETS.len()
                ));
            }
            kept
        }
    }
}

fn is_na(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "" | "n/a" | "na" | "n.a." | "-" | "--" | "\u{2013}" | "\u{2014}"
    )
}

/// Digits with optional `,` thousands separators in groups of three.
fn valid_grouping(int_part: &str) -> bool {
    let mut groups = int_part.split(',');
    let Some(first) = groups.next() else {
        return false;
    };
    let first_ok = !first.is_empty() && first.chars().all(|c| c.is_ascii_digit());
    let grouped = int_part.contains(',');
    first_ok
        && (!grouped || first.len() <= 3)
        && groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

/// Parses a rate cell. `Ok(None)` for `n/a`/empty; `Err(problem)` otherwise.
fn parse_rate(cell: &str, card_currency: Option<&str>) -> Result<Option<Decimal>, String> {
    let s = cell.trim();
    if is_na(s) {
        return Ok(None);
    }
    let mut negative = false;
    let mut body = s;
    if let Some(rest) = body
        .strip_prefix('-')
        .or_else(|| body.strip_prefix('\u{2212}'))
    {
        negative = true;
        body = rest.trim_start();
    }
    // A currency symbol or code before or after the number.
    let num_start = body
        .find(|c: char| c.is_ascii_digit() || c == '.' || c == '-' || c == '\u{2212}')
        .unwrap_or(body.len());
    let (prefix, after) = body.split_at(num_start);
    let num_end = after
        .rfind(|c: char| c.is_ascii_digit() || c == '.')
        .map_or(0, |i| i + 1);
    let (number, suffix) = after.split_at(num_end);
    let mut number = number.trim();
    if let Some(rest) = number
        .strip_prefix('-')
        .or_else(|| number.strip_prefix('\u{2212}'))
    {
        negative = true;
        number = rest.trim_start();
    }
    for token in [prefix.trim(), suffix.trim()] {
        if token.is_empty() || token == "$" {
            continue;
        }
        match currency_code(token) {
            Some(code) if card_currency.is_none_or(|c| c == code) => {}
            Some(code) => {
                return Err(format!(
                    "is written in {code}, but the card is in {}",
                    card_currency.unwrap_or("?")
                ))
            }
            None => return Err("is not a number".into()),
        }
    }
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (number, None),
    };
    let int_ok = (int_part.is_empty() && frac_part.is_some_and(|f| !f.is_empty()))
        || valid_grouping(int_part);
    let frac_ok = frac_part.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()));
    if number.is_empty() || !int_ok || !frac_ok {
        return Err("is not a number".into());
    }
    let plain = number.replace(',', "");
    let value = Decimal::from_str(&plain).map_err(|e| format!("is not a usable decimal ({e})"))?;
    if negative && !value.is_zero() {
        return Err("is negative".into());
    }
    Ok(Some(value))
}

// ---------------------------------------------------------------------------------------------
// Pricing.csv
// ---------------------------------------------------------------------------------------------

fn parse_rates(
    header: &Row,
    data: &[Row],
    warnings: &mut Vec<String>,
) -> Result<Imported, ImportError> {
    let mut currency_col = None;
    let mut cat_cols: BTreeMap<Category, usize> = BTreeMap::new();
    for (i, cell) in header.cells.iter().enumerate() {
        let name = header_display(cell);
        if i == 0 || name.is_empty() {
            continue;
        }
        if alnum_key(&name) == "currency" {
            currency_col = Some(i);
        } else if let Some(cat) = header_category(&name) {
            if let Some(first) = cat_cols.insert(cat, i) {
                return Err(ImportError::BadHeader {
                    line: header.line,
                    column: i + 1,
                    field: cat.to_string(),
                    value: name,
                    problem: format!("repeats column {}", first + 1),
                    expected: format!("each category once: {RATES_HEADER}"),
                });
            }
        } else {
            warnings.push(format!(
                "line {}, column {}: header {name:?} is not a column wacost reads; ignored (read: {RATES_HEADER})",
                header.line,
                i + 1
            ));
        }
    }
    let found = header
        .cells
        .iter()
        .map(|c| header_display(c))
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(",");
    let Some(currency_col) = currency_col else {
        return Err(ImportError::MissingColumn {
            line: header.line,
            field: "Currency".into(),
            found,
            expected: RATES_HEADER.into(),
        });
    };
    for required in [
        Category::Marketing,
        Category::Utility,
        Category::Authentication,
    ] {
        if !cat_cols.contains_key(&required) {
            let title = match required {
                Category::Marketing => "Marketing",
                Category::Utility => "Utility",
                _ => "Authentication",
            };
            return Err(ImportError::MissingColumn {
                line: header.line,
                field: title.into(),
                found,
                expected: RATES_HEADER.into(),
            });
        }
    }
    if !cat_cols.contains_key(&Category::AuthenticationInternational) {
        warnings.push(format!(
            "line {}: no Authentication-International column (a card from before June 2024?): no authentication_international rows written",
            header.line
        ));
    }
    if !cat_cols.contains_key(&Category::Service) {
        warnings.push(format!(
            "line {}: no Service column (older card layout): no service rows written; add service rates for this date by hand if they are not free",
            header.line
        ));
    }

    let width = header
        .cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1);
    let mut currency = CurrencyState { code: None };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut unknown = HashSet::new();
    let mut rows = Vec::new();
    for row in data {
        if row.is_blank() {
            continue;
        }
        if row.is_note() {
            warnings.push(format!(
                "line {}: skipped a row with text only in the first column ({:?}): read as a note, not a market",
                row.line,
                collapse(row.cell(0))
            ));
            continue;
        }
        let raw_market = row.cell(0);
        if raw_market.is_empty() {
            return Err(ImportError::InvalidValue {
                line: row.line,
                column: 1,
                field: "Market".into(),
                value: String::new(),
                problem: "is empty".into(),
                expected: "a market name such as India or Rest of Africa on every row".into(),
            });
        }
        let code = currency.read(row, currency_col)?;
        let market = market_name(raw_market, row.line, &mut unknown, warnings);
        if let Some(first_line) = seen.insert(market.clone(), row.line) {
            return Err(ImportError::Duplicate {
                line: row.line,
                column: 1,
                field: "Market".into(),
                value: raw_market.into(),
                what: format!("market {market}"),
                what_kind: "market".into(),
                first_line,
            });
        }
        if row.cells.len() < width {
            warnings.push(format!(
                "line {}: {} has {} fields but the header has {}; the missing cells are read as n/a",
                row.line,
                market,
                row.cells.len(),
                width
            ));
        }
        for (&category, &col) in &cat_cols {
            let cell = row.cell(col);
            let rate =
                parse_rate(cell, Some(code)).map_err(|problem| ImportError::InvalidValue {
                    line: row.line,
                    column: col + 1,
                    field: header_display(header.cell(col)),
                    value: cell.into(),
                    problem,
                    expected: RATE_EXPECTED.into(),
                })?;
            rows.push(ImportedRate {
                market: market.clone(),
                category,
                rate,
            });
        }
    }
    let Some((code, _)) = currency.code else {
        return Err(ImportError::NoData {
            header_line: header.line,
        });
    };
    Ok(Imported::Rates {
        currency: code.into(),
        rows,
    })
}

// ---------------------------------------------------------------------------------------------
// Tier Pricing.csv
// ---------------------------------------------------------------------------------------------

const GROUP_COLUMNS: [(&str, &str); 5] = [
    ("from", "From"),
    ("to", "To"),
    ("ratetype", "Rate type"),
    ("rate", "Rate"),
    ("vslistrate", "vs. List rate"),
];
const DEFAULT_GROUPS: [Category; 3] = [
    Category::Utility,
    Category::Authentication,
    Category::AuthenticationInternational,
];

/// A category as the group row of Tier Pricing.csv names it.
fn group_title(category: Category) -> &'static str {
    match category {
        Category::Marketing => "Marketing",
        Category::Utility => "Utility",
        Category::Authentication => "Authentication",
        Category::AuthenticationInternational => "Auth-Intl",
        Category::Service => "Service",
    }
}

/// Parses a volume cell (`25,000,001`, `25000001`); `Ok(None)` for `--`/empty.
fn parse_volume(cell: &str) -> Result<Option<u64>, String> {
    let s = cell.trim();
    if is_na(s) || s == "\u{221e}" {
        return Ok(None);
    }
    let ok = !s.starts_with(',')
        && !s.ends_with(',')
        && !s.contains(",,")
        && s.chars().all(|c| c.is_ascii_digit() || c == ',');
    if !ok {
        return Err(if s.starts_with('-') {
            "is negative".into()
        } else {
            "is not a whole number".into()
        });
    }
    // Western (25,000,001) and Indian (2,50,00,001) grouping both reduce to digits.
    s.replace(',', "")
        .parse::<u64>()
        .map(Some)
        .map_err(|e| format!("is not a usable count ({e})"))
}

/// Parses `0%`, `-5%`, `-12.5 %`.
fn parse_percent(cell: &str) -> Option<Decimal> {
    let s = cell
        .trim()
        .strip_suffix('%')?
        .trim()
        .replace('\u{2212}', "-");
    Decimal::from_str(&s).ok()
}

fn parse_tiers(
    preamble: &[Row],
    header: &Row,
    data: &[Row],
    warnings: &mut Vec<String>,
) -> Result<Imported, ImportError> {
    let width = header
        .cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1);
    if width < 7 || (width - 2) % 5 != 0 {
        return Err(ImportError::BadHeader {
            line: header.line,
            column: width,
            field: "(column count)".into(),
            value: width.to_string(),
            problem: "columns is not 2 + 5 per category group".into(),
            expected: format!("17 columns: {TIER_HEADER}"),
        });
    }
    let groups = (width - 2) / 5;
    for g in 0..groups {
        for (k, (key, title)) in GROUP_COLUMNS.iter().enumerate() {
            let col = 2 + 5 * g + k;
            let cell = header.cell(col);
            if alnum_key(cell) != *key {
                return Err(ImportError::BadHeader {
                    line: header.line,
                    column: col + 1,
                    field: (*title).into(),
                    value: collapse(cell),
                    problem: "is not the expected column".into(),
                    expected: format!("{title} here ({TIER_HEADER})"),
                });
            }
        }
    }

    // The group row (`,,Utility,,,,,Authentication,,,,,Auth-Intl,,,,`) names each group.
    let named = preamble.iter().rev().find_map(|row| {
        (0..groups)
            .map(|g| header_category(row.cell(2 + 5 * g)))
            .collect::<Option<Vec<_>>>()
            .map(|cats| (row.line, cats))
    });
    let mut group_line = header.line;
    let categories = match named {
        Some((line, c)) => {
            group_line = line;
            c
        }
        None if groups <= DEFAULT_GROUPS.len() => {
            warnings.push(format!(
                "lines 1-{}: no group row naming the categories above the header; assumed Utility, Authentication, Auth-Intl from left to right",
                header.line.saturating_sub(1)
            ));
            DEFAULT_GROUPS.iter().take(groups).copied().collect()
        }
        None => {
            return Err(ImportError::MissingColumn {
                line: header.line,
                field: "category group row".into(),
                found: format!("{groups} groups and no row naming them"),
                expected:
                    "a row above the header like ,,Utility,,,,,Authentication,,,,,Auth-Intl,,,,"
                        .into(),
            })
        }
    };
    let mut seen_cat = HashSet::new();
    for (g, cat) in categories.iter().enumerate() {
        if !seen_cat.insert(*cat) {
            return Err(ImportError::BadHeader {
                line: group_line,
                column: 3 + 5 * g,
                field: "category group".into(),
                value: group_title(*cat).into(),
                problem: "names a category twice".into(),
                expected: "each of Utility, Authentication, Auth-Intl once".into(),
            });
        }
    }

    let mut currency = CurrencyState { code: None };
    let mut unknown = HashSet::new();
    let mut market: Option<String> = None;
    let mut seen: HashMap<(String, Category, u64), u64> = HashMap::new();
    // Last band so far of each ladder: (its To, its line).
    let mut last_band: HashMap<(String, Category), (Option<u64>, u64)> = HashMap::new();
    let mut rows: Vec<ImportedTier> = Vec::new();
    for row in data {
        if row.is_blank() {
            continue;
        }
        if row.is_note() {
            warnings.push(format!(
                "line {}: skipped a row with text only in the first column ({:?}): read as a note, not a band",
                row.line,
                collapse(row.cell(0))
            ));
            // Rows after a note must name their market again.
            market = None;
            continue;
        }
        let raw_market = row.cell(0);
        if !raw_market.is_empty() {
            market = Some(market_name(raw_market, row.line, &mut unknown, warnings));
        }
        let Some(current) = market.clone() else {
            return Err(ImportError::InvalidValue {
                line: row.line,
                column: 1,
                field: "Market (per rate card)".into(),
                value: String::new(),
                problem: "is empty and no earlier row named a market".into(),
                expected: "the market name on the first row of each market's bands".into(),
            });
        };
        if row.cells.iter().skip(1).all(|c| c.trim().is_empty()) {
            continue; // the market's name on a row of its own; its bands follow
        }
        let code = currency.read(row, 1)?;
        for (g, &category) in categories.iter().enumerate() {
            let base = 2 + 5 * g;
            let cells: Vec<&str> = (base..base + 5).map(|c| row.cell(c)).collect();
            if cells.iter().all(|c| is_na(c)) {
                continue;
            }
            let bad = |k: usize, problem: String, expected: &str| ImportError::InvalidValue {
                line: row.line,
                column: base + k + 1,
                field: format!("{} {}", group_title(category), GROUP_COLUMNS[k].1),
                value: cells[k].to_string(),
                problem,
                expected: expected.to_string(),
            };
            let from = match parse_volume(cells[0]) {
                Ok(Some(v)) => v,
                Ok(None) => {
                    return Err(bad(
                        0,
                        "gives no start although the band has other cells".into(),
                        VOLUME_EXPECTED,
                    ))
                }
                Err(p) => return Err(bad(0, p, VOLUME_EXPECTED)),
            };
            let to = parse_volume(cells[1]).map_err(|p| {
                bad(
                    1,
                    p,
                    "a whole number of messages, or -- or empty for no upper bound",
                )
            })?;
            if let Some(to) = to {
                if to < from {
                    return Err(bad(
                        1,
                        format!("is below the band's From ({from})"),
                        "a To at or above From, or -- for no upper bound",
                    ));
                }
            }
            let kind = cells[2].to_ascii_uppercase();
            if !matches!(kind.as_str(), "LIST" | "TIER" | "") {
                return Err(bad(2, "is not a rate type".into(), "LIST or TIER"));
            }
            let rate = match parse_rate(cells[3], Some(code)) {
                Ok(Some(r)) => r,
                Ok(None) => return Err(bad(3, "is missing for a band".into(), RATE_EXPECTED)),
                Err(p) => return Err(bad(3, p, RATE_EXPECTED)),
            };
            if !cells[4].is_empty() {
                match parse_percent(cells[4]) {
                    None => warnings.push(format!(
                        "line {}, column {} (`{} vs. List rate`): {:?} is not a percentage like -5%; ignored",
                        row.line,
                        base + 5,
                        group_title(category),
                        cells[4]
                    )),
                    Some(p) if kind == "LIST" && !p.is_zero() => warnings.push(format!(
                        "line {}, column {} (`{} vs. List rate`): a LIST band shows a {}% discount",
                        row.line,
                        base + 5,
                        group_title(category),
                        p
                    )),
                    Some(_) => {}
                }
            }
            if let Some(first_line) = seen.insert((current.clone(), category, from), row.line) {
                return Err(ImportError::Duplicate {
                    line: row.line,
                    column: base + 1,
                    field: format!("{} From", group_title(category)),
                    value: cells[0].into(),
                    what: format!("the {current} {category} band from {from}"),
                    what_kind: "market, category and From".into(),
                    first_line,
                });
            }
            // Bands must tile the month: the first from message 0 or 1, each next one
            // right after the previous To (what pricing/tiers loading demands).
            let tiling = match last_band.get(&(current.clone(), category)) {
                None if from <= 1 => None,
                None => Some((
                    format!("starts the {current} {category} ladder above message 1"),
                    "0 or 1 on a market's first band".to_string(),
                )),
                Some(&(Some(prev_to), _)) if Some(from) == prev_to.checked_add(1) => None,
                Some(&(Some(prev_to), prev_line)) => Some((
                    format!(
                        "does not follow the band ending at {prev_to} on line {prev_line} ({})",
                        if from > prev_to { "gap" } else { "overlap" }
                    ),
                    format!("{} (the previous To + 1)", prev_to.saturating_add(1)),
                )),
                Some(&(None, prev_line)) => Some((
                    format!("follows the unbounded band on line {prev_line}"),
                    "no further band after a band whose To is -- or empty".to_string(),
                )),
            };
            if let Some((problem, expected)) = tiling {
                return Err(bad(0, problem, &expected));
            }
            last_band.insert((current.clone(), category), (to, row.line));
            rows.push(ImportedTier {
                market: current.clone(),
                category,
                from,
                to,
                rate,
            });
        }
    }
    let Some((code, _)) = currency.code else {
        return Err(ImportError::NoData {
            header_line: header.line,
        });
    };
    check_ladders(&rows, warnings);
    Ok(Imported::Tiers {
        currency: code.into(),
        rows,
    })
}

/// Warns about ladders whose last band has an upper bound.
fn check_ladders(rows: &[ImportedTier], warnings: &mut Vec<String>) {
    let mut last: BTreeMap<(&str, Category), Option<u64>> = BTreeMap::new();
    for r in rows {
        last.insert((r.market.as_str(), r.category), r.to);
    }
    for ((market, category), to) in last {
        if let Some(to) = to {
            warnings.push(format!(
                "{market} {category}: the last band ends at {to}; no rate for messages above it"
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing into pricing/
// ---------------------------------------------------------------------------------------------

const RATES_COLUMNS: [&str; 5] = ["effective_from", "market", "category", "rate", "source"];
const TIERS_COLUMNS: [&str; 7] = [
    "effective_from",
    "market",
    "category",
    "from",
    "to",
    "rate",
    "source",
];

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
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let comments = text
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| l.trim_end().to_string())
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut header_seen = false;
    for record in reader.records() {
        let record = record.map_err(|e| invalid(format!("{}: {e}", path.display())))?;
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if !header_seen {
            header_seen = true;
            if cells != columns {
                return Err(invalid(format!(
                    "{} line {line}: header is {:?}; expected {:?} (refusing to rewrite a file of another format)",
                    path.display(),
                    cells.join(","),
                    columns.join(",")
                )));
            }
            continue;
        }
        if cells.len() != columns.len() {
            return Err(invalid(format!(
                "{} line {line}: {} fields; expected {} ({})",
                path.display(),
                cells.len(),
                columns.len(),
                columns.join(",")
            )));
        }
        rows.push(cells);
    }
    Ok(Existing { comments, rows })
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

/// Writes the card into a pricing directory: `<dir>/rates/<CUR>.csv`
/// (`effective_from,market,category,rate,source`; rate = decimal or `n/a`) or
/// `<dir>/tiers/<CUR>.csv` (`effective_from,market,category,from,to,rate,source`;
/// empty `to` = unbounded). Rows already there with the same `effective_from` are
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
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("currency {currency:?} is not an ISO 4217 code; expected three capital letters such as USD"),
        ));
    }
    let eff = effective.format("%Y-%m-%d").to_string();
    let (columns, new_rows): (&[&str], Vec<Vec<String>>) = match imported {
        Imported::Rates { rows, .. } => (
            &RATES_COLUMNS,
            rows.iter()
                .map(|r| {
                    vec![
                        eff.clone(),
                        r.market.clone(),
                        r.category.to_string(),
                        r.rate.map_or_else(|| "n/a".to_string(), |d| d.to_string()),
                        source.to_string(),
                    ]
                })
                .collect(),
        ),
        Imported::Tiers { rows, .. } => (
            &TIERS_COLUMNS,
            rows.iter()
                .map(|r| {
                    vec![
                        eff.clone(),
                        r.market.clone(),
                        r.category.to_string(),
                        r.from.to_string(),
                        r.to.map_or_else(String::new, |t| t.to_string()),
                        r.rate.to_string(),
                        source.to_string(),
                    ]
                })
                .collect(),
        ),
    };
    let tiers = matches!(imported, Imported::Tiers { .. });
    let folder = dir.join(imported.kind());
    fs::create_dir_all(&folder)?;
    let path = folder.join(format!("{currency}.csv"));

    let Existing { comments, mut rows } = read_existing(&path, columns)?;
    rows.retain(|r| r.first().map(String::as_str) != Some(eff.as_str()));
    let written = new_rows.len();
    rows.extend(new_rows);
    rows.sort_by(|a, b| row_order(a, b, tiers));

    let tmp = folder.join(format!(".{currency}.csv.{}.tmp", std::process::id()));
    let result = (|| -> io::Result<()> {
        let file = fs::File::create(&tmp)?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(io::BufWriter::new(file));
        writer.write_record(columns)?;
        writer.flush()?;
        let mut buf = writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        for comment in &comments {
            writeln!(buf, "{comment}")?;
        }
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(buf);
        for row in &rows {
            writer.write_record(row)?;
        }
        let buf = writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        buf.into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?
            .sync_all()?;
        fs::rename(&tmp, &path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| written)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/import/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn rates(report: &ImportReport) -> (&str, &[ImportedRate]) {
        match &report.imported {
            Imported::Rates { currency, rows } => (currency, rows),
            other => panic!("expected rates, got {other:?}"),
        }
    }

    fn tiers(report: &ImportReport) -> (&str, &[ImportedTier]) {
        match &report.imported {
            Imported::Tiers { currency, rows } => (currency, rows),
            other => panic!("expected tiers, got {other:?}"),
        }
    }

    fn rate(rows: &[ImportedRate], market: &str, cat: Category) -> Option<Decimal> {
        rows.iter()
            .find(|r| r.market == market && r.category == cat)
            .unwrap_or_else(|| panic!("no {market} {cat}"))
            .rate
    }

    fn ladder(
        rows: &[ImportedTier],
        market: &str,
        cat: Category,
    ) -> Vec<(u64, Option<u64>, Decimal)> {
        rows.iter()
            .filter(|r| r.market == market && r.category == cat)
            .map(|r| (r.from, r.to, r.rate))
            .collect()
    }

    const MINI_HEADER: &str = "Title,,,,,,\nMarket,Currency,Marketing,Utility,Authentication,\"Authentication-\nInternational\",Service\n";

    // --- Pricing.csv -------------------------------------------------------------------------

    #[test]
    fn pricing_card_is_detected_and_complete() {
        let report = import_meta_csv(&fixture("Pricing.csv")).unwrap();
        let (currency, rows) = rates(&report);
        assert_eq!(currency, "USD");
        assert_eq!(report.imported.kind(), "rates");
        assert_eq!(rows.len(), 9 * 5, "nine markets, five categories each");
        for market in [
            "Argentina",
            "Brazil",
            "India",
            "Indonesia",
            "Kazakhstan",
            "North America",
            "United Kingdom",
            "Rest of Africa",
            "Other",
        ] {
            let cats: Vec<Category> = rows
                .iter()
                .filter(|r| r.market == market)
                .map(|r| r.category)
                .collect();
            assert_eq!(cats, Category::ALL.to_vec(), "{market}");
        }
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        assert_eq!(
            rate(rows, "Brazil", Category::Marketing),
            Some(dec("0.0625"))
        );
        assert_eq!(rate(rows, "Brazil", Category::Service), Some(dec("0.0068")));
        // Meta's precision is kept exactly.
        assert_eq!(
            rate(rows, "Argentina", Category::Utility)
                .unwrap()
                .to_string(),
            "0.0260"
        );
    }

    #[test]
    fn quoted_newline_header_gives_auth_intl() {
        let report = import_meta_csv(&fixture("Pricing.csv")).unwrap();
        let (_, rows) = rates(&report);
        assert_eq!(
            rate(rows, "India", Category::AuthenticationInternational),
            Some(dec("0.0304"))
        );
        assert_eq!(
            rate(rows, "Indonesia", Category::AuthenticationInternational),
            Some(dec("0.1360"))
        );
    }

    #[test]
    fn na_and_empty_cells_are_absent_rates() {
        let report = import_meta_csv(&fixture("Pricing.csv")).unwrap();
        let (_, rows) = rates(&report);
        assert_eq!(
            rate(rows, "Brazil", Category::AuthenticationInternational),
            None
        );
        assert_eq!(
            rate(rows, "North America", Category::AuthenticationInternational),
            None
        );
    }

    #[test]
    fn leading_symbols_and_spaces_in_rates() {
        let report = import_meta_csv(&fixture("Pricing.csv")).unwrap();
        let (_, rows) = rates(&report);
        assert_eq!(
            rate(rows, "United Kingdom", Category::Marketing),
            Some(dec("0.0635"))
        );
        assert_eq!(
            rate(rows, "United Kingdom", Category::Utility),
            Some(dec("0.0220"))
        );

        let text = format!("{MINI_HEADER}Mexico,MX$,MX$ 0.7,MXN0.15,0.15 MXN,n/a,0\nIndia,MX$,$0.2,0.1,0.1,N/A,--\n");
        let report = import_meta_csv(&text).unwrap();
        let (cur, rows) = rates(&report);
        assert_eq!(cur, "MXN");
        assert_eq!(rate(rows, "Mexico", Category::Marketing), Some(dec("0.7")));
        assert_eq!(rate(rows, "Mexico", Category::Utility), Some(dec("0.15")));
        assert_eq!(
            rate(rows, "Mexico", Category::Authentication),
            Some(dec("0.15"))
        );
        assert_eq!(rate(rows, "Mexico", Category::Service), Some(Decimal::ZERO));
        assert_eq!(rate(rows, "India", Category::Marketing), Some(dec("0.2")));
        assert_eq!(rate(rows, "India", Category::Service), None);
    }

    #[test]
    fn thousands_separators_in_rates() {
        let text = format!(
            "{MINI_HEADER}Indonesia,Rp,\"Rp 1,940.13\",\"1,000\",356.5,\"2,123.0\",356.5\n"
        );
        let report = import_meta_csv(&text).unwrap();
        let (cur, rows) = rates(&report);
        assert_eq!(cur, "IDR");
        assert_eq!(
            rate(rows, "Indonesia", Category::Marketing),
            Some(dec("1940.13"))
        );
        assert_eq!(
            rate(rows, "Indonesia", Category::Utility),
            Some(dec("1000"))
        );
        // A decimal comma is not a thousands separator: refuse rather than read 250.
        let bad = format!("{MINI_HEADER}Indonesia,Rp,\"0,0250\",1,1,1,1\n");
        let err = import_meta_csv(&bad).unwrap_err().to_string();
        assert!(
            err.contains("line 4") && err.contains("\"0,0250\"") && err.contains("Marketing"),
            "{err}"
        );
    }

    #[test]
    fn no_service_column_leaves_service_out_with_warning() {
        let report = import_meta_csv(&fixture("Pricing-no-service.csv")).unwrap();
        let (currency, rows) = rates(&report);
        assert_eq!(currency, "USD");
        assert_eq!(rows.len(), 7 * 4);
        assert!(rows.iter().all(|r| r.category != Category::Service));
        assert_eq!(
            rate(rows, "India", Category::AuthenticationInternational),
            Some(dec("0.0280"))
        );
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
        assert!(report.warnings[0].contains("Service") && report.warnings[0].contains("line 6"));
    }

    #[test]
    fn bom_and_crlf_read_the_same() {
        let lf = fixture("Pricing.csv");
        let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
        assert_eq!(
            import_meta_csv(&crlf).unwrap(),
            import_meta_csv(&lf).unwrap()
        );
        let tlf = fixture("Tier Pricing.csv");
        let tcrlf = format!("\u{feff}{}", tlf.replace('\n', "\r\n"));
        assert_eq!(
            import_meta_csv(&tcrlf).unwrap(),
            import_meta_csv(&tlf).unwrap()
        );
    }

    #[test]
    fn unknown_market_is_kept_and_warned_once() {
        let text = format!(
            "{MINI_HEADER}Atlantis,$US,0.1,0.01,0.01,n/a,0.01\nUAE,$US,0.05,0.01,0.01,0.02,0.01\n"
        );
        let report = import_meta_csv(&text).unwrap();
        let (_, rows) = rates(&report);
        assert_eq!(rows[0].market, "Atlantis");
        assert_eq!(rows[5].market, "United Arab Emirates");
        assert_eq!(report.warnings.len(), 1);
        assert!(report.warnings[0].contains("line 4") && report.warnings[0].contains("Atlantis"));
    }

    #[test]
    fn notes_after_the_table_are_skipped() {
        let text = format!("{MINI_HEADER}Brazil,$US,0.0625,0.0068,0.0068,n/a,0.0068\n,,,,,,\n\"* Rates exclude taxes.\",,,,,,\n");
        let report = import_meta_csv(&text).unwrap();
        assert_eq!(report.imported.len(), 5);
        assert!(report
            .warnings
            .iter()
            .any(|w| w.contains("line 6") && w.contains("note")));
    }

    // --- vocabulary --------------------------------------------------------------------------

    #[test]
    fn currency_tokens() {
        for (token, code) in [
            ("$US", "USD"),
            ("USD", "USD"),
            ("usd", "USD"),
            (" US$ ", "USD"),
            ("€", "EUR"),
            ("EUR", "EUR"),
            ("£", "GBP"),
            ("GBP", "GBP"),
            ("GBD", "GBP"),
            ("₹", "INR"),
            ("INR", "INR"),
            ("RP", "IDR"),
            ("Rp", "IDR"),
            ("IDR", "IDR"),
            ("A$", "AUD"),
            ("AUD", "AUD"),
            ("MX$", "MXN"),
            ("MXN", "MXN"),
            ("R$", "BRL"),
            ("BRL", "BRL"),
            ("ARS", "ARS"),
            ("CLP", "CLP"),
            ("COP", "COP"),
            ("MYR", "MYR"),
            ("PEN", "PEN"),
            ("SAR", "SAR"),
            ("SGD", "SGD"),
            ("AED", "AED"),
        ] {
            assert_eq!(currency_code(token), Some(code), "{token}");
        }
        for token in ["$", "", "DOGE", "US"] {
            assert_eq!(currency_code(token), None, "{token}");
        }
    }

    #[test]
    fn gbd_typo_card_is_gbp() {
        let text = format!("{MINI_HEADER}United Kingdom,GBD,£0.0478,0.0166,0.0166,n/a,0.0166\n");
        let report = import_meta_csv(&text).unwrap();
        assert_eq!(report.imported.currency(), "GBP");
    }

    #[test]
    fn market_spellings() {
        for (raw, canonical) in [
            ("UAE", "United Arab Emirates"),
            ("United Arab Emirates", "United Arab Emirates"),
            ("UK", "United Kingdom"),
            ("u.k.", "United Kingdom"),
            (
                "Rest of Central & Eastern Europe",
                "Rest of Central & Eastern Europe",
            ),
            (
                "Rest of Central and Eastern Europe",
                "Rest of Central & Eastern Europe",
            ),
            ("Rest of CEE", "Rest of Central & Eastern Europe"),
            ("Rest of C&E Europe", "Rest of Central & Eastern Europe"),
            ("Rest of LatAm", "Rest of Latin America"),
            ("rest of latin america", "Rest of Latin America"),
            ("Rest of ME", "Rest of Middle East"),
            ("Rest of the Middle East", "Rest of Middle East"),
            ("Rest of WE", "Rest of Western Europe"),
            ("Rest of APAC", "Rest of Asia Pacific"),
            ("Rest of Asia-Pacific", "Rest of Asia Pacific"),
            ("US & Canada", "North America"),
            ("North America", "North America"),
            ("Other", "Other"),
            ("Others", "Other"),
            ("Türkiye", "Turkey"),
            ("India*", "India"),
            ("  Saudi   Arabia ", "Saudi Arabia"),
        ] {
            assert_eq!(canonical_market(raw), Some(canonical), "{raw}");
        }
        for raw in ["Atlantis", "", "Rest of", "United States"] {
            assert_eq!(canonical_market(raw), None, "{raw}");
        }
    }

    #[test]
    fn every_reference_market_is_canonical() {
        for m in CANONICAL_MARKETS {
            assert_eq!(canonical_market(m), Some(*m));
        }
    }

    // --- Tier Pricing.csv --------------------------------------------------------------------

    #[test]
    fn tier_card_is_detected() {
        let report = import_meta_csv(&fixture("Tier Pricing.csv")).unwrap();
        let (currency, rows) = tiers(&report);
        assert_eq!(currency, "USD");
        assert_eq!(report.imported.kind(), "tiers");
        // India 6+6+3, Brazil 4+3, UAE 3+3, Rest of Africa 3+3.
        assert_eq!(rows.len(), 15 + 7 + 6 + 6);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    #[test]
    fn tier_market_carries_forward() {
        let report = import_meta_csv(&fixture("Tier Pricing.csv")).unwrap();
        let (_, rows) = tiers(&report);
        let india = ladder(rows, "India", Category::Utility);
        assert_eq!(india.len(), 6);
        assert_eq!(ladder(rows, "India", Category::Authentication).len(), 6);
        assert_eq!(ladder(rows, "Brazil", Category::Utility).len(), 4);
        assert_eq!(ladder(rows, "Brazil", Category::Authentication).len(), 3);
        assert!(ladder(rows, "Brazil", Category::AuthenticationInternational).is_empty());
        assert_eq!(
            ladder(rows, "United Arab Emirates", Category::Utility).len(),
            3
        );
        assert!(ladder(
            rows,
            "United Arab Emirates",
            Category::AuthenticationInternational
        )
        .is_empty());
        assert_eq!(
            ladder(rows, "India", Category::AuthenticationInternational),
            vec![
                (0, Some(750_000), dec("0.0304")),
                (750_001, Some(15_000_000), dec("0.02888")),
                (15_000_001, None, dec("0.02736")),
            ]
        );
    }

    #[test]
    fn tier_thousands_separators_and_unbounded() {
        let report = import_meta_csv(&fixture("Tier Pricing.csv")).unwrap();
        let (_, rows) = tiers(&report);
        let india = ladder(rows, "India", Category::Utility);
        assert_eq!(india[1], (25_000_001, Some(50_000_000), dec("0.00133")));
        assert_eq!(
            india[5],
            (250_000_001, None, dec("0.00105")),
            "`--` is unbounded"
        );
        let brazil = ladder(rows, "Brazil", Category::Utility);
        assert_eq!(
            brazil[1],
            (5_000_001, Some(10_000_000), dec("0.00646")),
            "plain digits"
        );
        assert_eq!(
            brazil[3],
            (25_000_001, None, dec("0.00578")),
            "empty To is unbounded"
        );
        let africa = ladder(rows, "Rest of Africa", Category::Authentication);
        assert_eq!(
            africa[1],
            (100_001, Some(1_000_000), dec("0.0038")),
            "mixed styles"
        );
    }

    #[test]
    fn tier_header_on_one_line_and_empty_currency_cells() {
        let text = "WhatsApp volume tiers,,,,,,,,,,,,,,,,\n\
            ,,Utility,,,,,Authentication,,,,,Auth-Intl,,,,\n\
            Market (per rate card),Currency,From,To,Rate type,Rate,vs. List rate,From,To,Rate type,Rate,vs. List rate,From,To,Rate type,Rate,vs. List rate\n\
            Rest of LatAm,₹,0,\"1,00,000\",LIST,0.95,0%,,,,,,,,,,\n\
            ,,\"1,00,001\",--,TIER,0.9025,-5%,,,,,,,,,,\n";
        let report = import_meta_csv(text).unwrap();
        let (cur, rows) = tiers(&report);
        assert_eq!(cur, "INR");
        assert_eq!(
            ladder(rows, "Rest of Latin America", Category::Utility),
            vec![
                (0, Some(100_000), dec("0.95")),
                (100_001, None, dec("0.9025"))
            ]
        );
    }

    #[test]
    fn tier_market_on_its_own_row_and_notes() {
        let text = "volume tiers,,,,,,\n,,Authentication,,,,\nMarket,Currency,From,To,Rate type,Rate,vs. List rate\n\
            Rest of ME,,,,,,\n,USD,0,100,LIST,1,0%\n,USD,101,--,TIER,0.9,-10%\n\
            * Illustrative only,,,,,,\n,USD,0,100,LIST,1,0%\n";
        let err = import_meta_csv(text).unwrap_err().to_string();
        assert!(
            err.contains("line 8") && err.contains("Market") && err.contains("no earlier row"),
            "{err}"
        );
        let ok = text
            .rsplit_once("* Illustrative")
            .map(|(head, _)| head)
            .unwrap();
        let report = import_meta_csv(ok).unwrap();
        let (_, rows) = tiers(&report);
        assert_eq!(
            ladder(rows, "Rest of Middle East", Category::Authentication),
            vec![(0, Some(100), dec("1")), (101, None, dec("0.9"))]
        );
        let dup = "volume tiers,,,,,,,,,,,\n,,Utility,,,,,Utility,,,,\nMarket,Currency,From,To,Rate type,Rate,vs. List rate,From,To,Rate type,Rate,vs. List rate\nIndia,USD,0,--,LIST,1,0%,0,--,LIST,1,0%\n";
        let err = import_meta_csv(dup).unwrap_err().to_string();
        assert!(
            err.contains("line 2, column 8") && err.contains("Utility"),
            "{err}"
        );
    }

    #[test]
    fn tier_ladders_must_tile() {
        let head = "volume tiers,,,,,,\n,,Utility,,,,\nMarket,Currency,From,To,Rate type,Rate,vs. List rate\n";
        let cases = [
            (
                "India,INR,0,100,LIST,1,0%\n,INR,200,--,TIER,0.9,-10%\n",
                "\"200\"",
                "gap",
                "101 (the previous To + 1)",
            ),
            (
                "India,INR,0,100,LIST,1,0%\n,INR,100,--,TIER,0.9,-10%\n",
                "\"100\"",
                "overlap",
                "101",
            ),
            (
                "India,INR,0,--,LIST,1,0%\n,INR,101,200,TIER,0.9,-10%\n",
                "\"101\"",
                "unbounded band on line 4",
                "no further band",
            ),
            (
                "India,INR,0,100,LIST,1,0%\nBrazil,INR,5,--,LIST,1,0%\n",
                "\"5\"",
                "Brazil utility ladder above message 1",
                "0 or 1",
            ),
        ];
        for (rows, value, problem, expected) in cases {
            let err = import_meta_csv(&format!("{head}{rows}"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("line 5, column 3 (`Utility From`)")
                    && err.contains(value)
                    && err.contains(problem)
                    && err.contains(expected),
                "{rows}: {err}"
            );
        }
        // A ladder may start at 1, and a bounded last band is only warned about.
        let report = import_meta_csv(&format!(
            "{head}India,INR,1,100,LIST,1,0%\n,INR,101,200,TIER,0.9,-10%\n"
        ))
        .unwrap();
        assert_eq!(report.imported.len(), 2);
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
        assert!(report.warnings[0].contains("India utility") && report.warnings[0].contains("200"));
    }

    #[test]
    fn tier_errors_name_line_field_and_value() {
        let head = "volume tiers,,,,,,\n,,Utility,,,,\nMarket,Currency,From,To,Rate type,Rate,vs. List rate\n";
        let cases = [
            (",USD,0,100,LIST,1,0%\n", "line 4", "Market", "\"\""),
            (
                "India,USD,0,abc,LIST,1,0%\n",
                "line 4",
                "Utility To",
                "\"abc\"",
            ),
            (
                "India,USD,500,100,LIST,1,0%\n",
                "line 4",
                "Utility To",
                "From (500)",
            ),
            (
                "India,USD,0,100,BULK,1,0%\n",
                "line 4",
                "Rate type",
                "LIST or TIER",
            ),
            (
                "India,USD,0,100,LIST,-1,0%\n",
                "line 4",
                "Utility Rate",
                "negative",
            ),
            (
                "India,USD,0,100,LIST,n/a,0%\n",
                "line 4",
                "Utility Rate",
                "missing",
            ),
            (
                "India,USD,0,100,LIST,1,0%\n,EUR,101,--,TIER,0.9,-10%\n",
                "line 5",
                "Currency",
                "\"EUR\"",
            ),
            (
                "India,USD,0,100,LIST,1,0%\n,USD,0,--,TIER,0.9,-10%\n",
                "line 5",
                "From",
                "line 4",
            ),
        ];
        for (rows, line, field, value) in cases {
            let err = import_meta_csv(&format!("{head}{rows}"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(line) && err.contains(field) && err.contains(value),
                "{rows}: {err}"
            );
            assert!(err.contains("expected"), "{err}");
        }
        let bad_header = "volume tiers,,,,,,\nMarket,Currency,From,Until,Rate type,Rate,vs. List rate\nIndia,USD,0,1,LIST,1,0%\n";
        let err = import_meta_csv(bad_header).unwrap_err().to_string();
        assert!(
            err.contains("line 2") && err.contains("\"Until\"") && err.contains("To"),
            "{err}"
        );
    }

    // --- errors ------------------------------------------------------------------------------

    #[test]
    fn negative_rate_is_rejected() {
        let err = import_meta_csv(&fixture("bad-negative.csv")).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::InvalidValue {
                    line: 9,
                    column: 4,
                    ..
                }
            ),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains("line 9") && msg.contains("Utility") && msg.contains("-0.0068"),
            "{msg}"
        );
        assert!(
            msg.contains("negative") && msg.contains("non-negative decimal"),
            "{msg}"
        );
    }

    #[test]
    fn misspelt_header_is_rejected() {
        let err = import_meta_csv(&fixture("bad-header.csv")).unwrap_err();
        assert!(
            matches!(err, ImportError::MissingColumn { line: 6, .. }),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains("line 6") && msg.contains("Utility") && msg.contains("Utilty"),
            "{msg}"
        );
        assert!(
            msg.contains("expected Market,Currency,Marketing,Utility"),
            "{msg}"
        );
    }

    #[test]
    fn rate_errors_name_line_field_and_value() {
        let cases = [
            (
                "Brazil,$US,abc,0.0068,0.0068,n/a,0.0068\n",
                "Marketing",
                "\"abc\"",
                "not a number",
            ),
            (
                "Brazil,$US,1e-3,0.0068,0.0068,n/a,0.0068\n",
                "Marketing",
                "\"1e-3\"",
                "not a number",
            ),
            (
                "Brazil,$US,€0.06,0.0068,0.0068,n/a,0.0068\n",
                "Marketing",
                "\"€0.06\"",
                "EUR",
            ),
            (
                "Brazil,DOGE,0.06,0.0068,0.0068,n/a,0.0068\n",
                "Currency",
                "\"DOGE\"",
                "$US, USD",
            ),
            (
                "Brazil,$US,0.06,0.0068,0.0068,0.01.2,0.0068\n",
                "Authentication-International",
                "\"0.01.2\"",
                "not a number",
            ),
            (
                ",$US,0.06,0.0068,0.0068,n/a,0.0068\n",
                "Market",
                "\"\"",
                "empty",
            ),
        ];
        for (row, field, value, problem) in cases {
            let err = import_meta_csv(&format!("{MINI_HEADER}{row}"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("line 4")
                    && err.contains(field)
                    && err.contains(value)
                    && err.contains(problem),
                "{row}: {err}"
            );
            assert!(err.contains("expected"), "{err}");
        }
        let mixed = format!("{MINI_HEADER}Brazil,$US,0.06,0,0,n/a,0\nIndia,EUR,0.01,0,0,0,0\n");
        let err = import_meta_csv(&mixed).unwrap_err().to_string();
        assert!(
            err.contains("line 5") && err.contains("\"EUR\"") && err.contains("line 4"),
            "{err}"
        );
        let dup =
            format!("{MINI_HEADER}UK,$US,0.06,0,0,n/a,0\nUnited Kingdom,$US,0.06,0,0,n/a,0\n");
        let err = import_meta_csv(&dup).unwrap_err().to_string();
        assert!(
            err.contains("line 5") && err.contains("United Kingdom") && err.contains("line 4"),
            "{err}"
        );
    }

    #[test]
    fn structural_errors() {
        assert_eq!(
            import_meta_csv("\u{feff}\r\n").unwrap_err(),
            ImportError::Empty
        );
        let err = import_meta_csv("title\nnotes\nCountry,Price\nBrazil,1\n").unwrap_err();
        assert_eq!(err, ImportError::NoHeader { last_line: 4 });
        assert!(err.to_string().contains("Market,Currency"));
        let err = import_meta_csv(MINI_HEADER).unwrap_err();
        assert_eq!(err, ImportError::NoData { header_line: 2 });
        let err = import_meta_csv("Market,Currency,Marketing\n\"Brazil,USD,1\n").unwrap_err();
        assert!(
            matches!(err, ImportError::Csv { .. })
                || matches!(err, ImportError::MissingColumn { .. }),
            "{err:?}"
        );
    }

    // --- write_card --------------------------------------------------------------------------

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn write_card_creates_merges_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let card = import_meta_csv(&fixture("Pricing.csv")).unwrap().imported;
        let n = write_card(
            dir.path(),
            date("2026-10-01"),
            &card,
            "Meta Pricing.csv, USD, 2026-10",
        )
        .unwrap();
        assert_eq!(n, 45);
        let path = dir.path().join("rates/USD.csv");
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "effective_from,market,category,rate,source");
        assert_eq!(lines.len(), 46);
        assert_eq!(
            lines[1],
            "2026-10-01,Argentina,marketing,0.0618,\"Meta Pricing.csv, USD, 2026-10\""
        );
        assert!(text.contains("2026-10-01,Brazil,authentication_international,n/a,"));

        // An older card on another date is merged in front, the 2026-10 rows kept.
        let old = import_meta_csv(&fixture("Pricing-no-service.csv"))
            .unwrap()
            .imported;
        assert_eq!(
            write_card(dir.path(), date("2024-11-01"), &old, "old card").unwrap(),
            28
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 45 + 28);
        assert!(lines[1].starts_with("2024-11-01,Brazil,marketing,0.0625,old card"));
        assert!(lines[29].starts_with("2026-10-01,Argentina,"));
        // Sorted by date, market, then category in Category order (as pricing/ is).
        let keys: Vec<(String, String, usize)> = lines[1..]
            .iter()
            .map(|l| {
                let f: Vec<&str> = l.splitn(4, ',').collect();
                (
                    f[0].into(),
                    f[1].into(),
                    f[2].parse::<Category>().unwrap().index(),
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, keys, "rows come out sorted");
        let india: Vec<&str> = lines
            .iter()
            .filter(|l| l.starts_with("2026-10-01,India,"))
            .map(|l| l.split(',').nth(2).unwrap())
            .collect();
        assert_eq!(
            india,
            [
                "marketing",
                "utility",
                "authentication",
                "authentication_international",
                "service"
            ]
        );

        // Re-importing the same date replaces that date's rows only.
        let small = format!("{MINI_HEADER}Brazil,$US,0.0700,0.0068,0.0068,n/a,0.0068\n");
        let small = import_meta_csv(&small).unwrap().imported;
        assert_eq!(
            write_card(dir.path(), date("2026-10-01"), &small, "fix").unwrap(),
            5
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1 + 28 + 5);
        assert!(text.contains("2026-10-01,Brazil,marketing,0.0700,fix\n"));
        assert!(!text.contains("2026-10-01,Argentina"));
        assert!(text.contains("2024-11-01,India,authentication_international,0.0280,old card\n"));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("rates"))
            .unwrap()
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn write_card_tiers() {
        let dir = tempfile::tempdir().unwrap();
        let card = import_meta_csv(&fixture("Tier Pricing.csv"))
            .unwrap()
            .imported;
        assert_eq!(
            write_card(
                dir.path(),
                date("2026-10-01"),
                &card,
                "Meta Tier Pricing.csv"
            )
            .unwrap(),
            34
        );
        let text = std::fs::read_to_string(dir.path().join("tiers/USD.csv")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "effective_from,market,category,from,to,rate,source"
        );
        assert_eq!(lines.len(), 35);
        // Sorted by market, category text, then From as a number (not as text).
        let india_utility: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with("2026-10-01,India,utility,"))
            .collect();
        assert_eq!(
            india_utility[0],
            "2026-10-01,India,utility,0,25000000,0.0014,Meta Tier Pricing.csv"
        );
        assert_eq!(
            india_utility[5],
            "2026-10-01,India,utility,250000001,,0.00105,Meta Tier Pricing.csv"
        );
        assert!(lines[1].starts_with("2026-10-01,Brazil,utility,0,5000000,"));
        assert!(lines[5].starts_with("2026-10-01,Brazil,authentication,0,1000000,"));
    }

    #[test]
    fn write_card_keeps_hand_rows_and_refuses_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("rates")).unwrap();
        let path = dir.path().join("rates/USD.csv");
        std::fs::write(
            &path,
            "\u{feff}effective_from,market,category,rate,source\r\n# hand-kept note, keep me\r\n2026-07-01,Zed,marketing,0.5,\"by hand, checked\"\r\n",
        )
        .unwrap();
        let card = import_meta_csv(&format!("{MINI_HEADER}Brazil,$US,0.07,0,0,n/a,0\n"))
            .unwrap()
            .imported;
        write_card(dir.path(), date("2026-10-01"), &card, "s").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(
            "effective_from,market,category,rate,source\n# hand-kept note, keep me\n2026-07-01,Zed,marketing,0.5,\"by hand, checked\"\n"
        ), "{text}");
        assert_eq!(text.lines().count(), 1 + 1 + 1 + 5);

        std::fs::write(&path, "date,market,price\n2026-07-01,Zed,0.5\n").unwrap();
        let err = write_card(dir.path(), date("2026-10-01"), &card, "s").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("line 1"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "date,market,price\n2026-07-01,Zed,0.5\n"
        );

        let evil = Imported::Rates {
            currency: "../x".into(),
            rows: vec![],
        };
        assert_eq!(
            write_card(dir.path(), date("2026-10-01"), &evil, "s")
                .unwrap_err()
                .kind(),
            io::ErrorKind::InvalidInput
        );
    }
}
