//! The figures Meta reports, for `wacost reconcile LOG... --against FILE`:
//! what both readers produce ([`TheirPoint`], [`TheirReport`], [`TheirError`])
//! and [`read_theirs`], which tells the file's format from its content.
//!
//! * JSON: Meta's `pricing_analytics` (per-message pricing, from 2025-07-01) or
//!   `conversation_analytics` (conversation-based pricing, before) Graph API response,
//!   read by `ingest::analytics`.
//! * CSV: an invoice with columns `month,market,category,volume,cost`, read by
//!   `ingest::invoice`.
//!
//! Money is never held in floating point: JSON numbers are read through their shortest
//! textual form into [`Decimal`], CSV amounts from their text.

use std::fmt;

use rust_decimal::Decimal;

use super::toolkit::decode::strip_bom;
use crate::model::Category;

/// Where a figure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// A `pricing_analytics` data point (per-message pricing).
    PricingAnalytics,
    /// A `conversation_analytics` data point (conversation-based pricing).
    ConversationAnalytics,
    /// A line of an invoice CSV.
    InvoiceCsv,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::PricingAnalytics => "pricing_analytics",
            Source::ConversationAnalytics => "conversation_analytics",
            Source::InvoiceCsv => "invoice_csv",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One figure Meta reports (an analytics data point or an invoice line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TheirPoint {
    pub source: Source,
    /// The file name given to [`read_theirs`].
    pub file: String,
    /// 1-based line of the CSV record; `None` for JSON.
    pub line: Option<u64>,
    /// Unix seconds (analytics). Meta's own examples align these to midnight Pacific time.
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// `YYYY-MM` (invoice CSV). Analytics leave it `None`: the caller buckets `start`.
    pub month: Option<String>,
    /// ISO alpha-2 as Meta gives it (analytics `country`).
    pub country: Option<String>,
    /// Invoice CSV market column, as written.
    pub market: Option<String>,
    /// `None` when Meta's category is one wacost does not price (`REFERRAL_CONVERSION`,
    /// `MARKETING_LITE`, …) or is absent; the raw word stays in `category_raw`.
    pub category: Option<Category>,
    /// Meta's category word as given (`""` when the data point has none).
    pub category_raw: String,
    /// Lower-case Meta words: `regular`, `free_customer_service`, `free_entry_point`,
    /// `free_tier` (CBP `FREE_TIER`); CBP `FREE_ENTRY_POINT`/`FREE_ENTRY` give
    /// `free_entry_point`. Other words are kept lower-cased.
    pub pricing_type: Option<String>,
    /// Volume tier as given, e.g. `0:750000` or `0:MAX`.
    pub tier: Option<String>,
    /// Messages (per-message pricing) or conversations (conversation-based pricing).
    pub volume: u64,
    /// `None` when Meta left the cost out.
    pub cost: Option<Decimal>,
    pub phone_number: Option<String>,
}

/// Everything read from one file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TheirReport {
    pub points: Vec<TheirPoint>,
    /// ISO 4217 code when the file states it (the WABA `currency` field next to the
    /// analytics, a CSV currency column, a currency in a CSV header or amount).
    pub currency: Option<String>,
    /// Things the caller should show the user; reading still succeeded.
    pub warnings: Vec<String>,
}

const EXPECTED_FILE: &str = "Meta's pricing_analytics or conversation_analytics JSON, \
    or an invoice CSV with columns month,market,category,volume,cost";

/// Why Meta's figures could not be read. Every variant names the file and the place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TheirError {
    #[error("{file}: the file is empty; expected {EXPECTED_FILE}")]
    Empty { file: String },

    #[error(
        "{file}: the JSON stops at byte {offset} (line {line}, column {column}) in the middle \
         of the document that starts at byte {doc_start}; the file looks truncated: save \
         Meta's complete response again (every page, each one complete)"
    )]
    TruncatedJson {
        file: String,
        offset: u64,
        line: u64,
        column: u64,
        doc_start: u64,
    },

    #[error(
        "{file}: invalid JSON at byte {offset} (line {line}, column {column}): {reason}; \
         accepted: one JSON object, several objects one after another (pages appended, \
         JSON Lines) or a JSON array of pages"
    )]
    BadJson {
        file: String,
        offset: u64,
        line: u64,
        column: u64,
        reason: String,
    },

    #[error("{file}: {at}: {message}")]
    Shape {
        file: String,
        at: String,
        message: String,
    },

    #[error("{file}: {at}: field `{field}` = {value}: {expected}")]
    JsonField {
        file: String,
        at: String,
        field: String,
        value: String,
        expected: String,
    },

    #[error(
        "{file}: {at}: the file holds a Graph API error instead of data: {message}; \
         fix the request and save the response again"
    )]
    GraphApi {
        file: String,
        at: String,
        message: String,
    },

    #[error("{file}:{line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },

    #[error(
        "{file}: no `{column}` column (accepted names, any case: {accepted}); \
         the header has: {found}"
    )]
    MissingColumn {
        file: String,
        column: &'static str,
        accepted: String,
        found: String,
    },

    #[error("{file}: columns `{first}` and `{second}` both give the {column}; keep one")]
    DuplicateColumn {
        file: String,
        column: &'static str,
        first: String,
        second: String,
    },

    #[error("{file}:{line}: field `{field}` = {}: {expected}", crate::model::redact::quote_field(.value))]
    CsvField {
        file: String,
        line: u64,
        field: String,
        value: String,
        expected: String,
    },

    #[error(
        "{file}: more than one currency: {first} ({first_at}) and {second} ({second_at}); \
         reconcile one currency at a time"
    )]
    MixedCurrency {
        file: String,
        first: String,
        first_at: String,
        second: String,
        second_at: String,
    },
}

/// Reads Meta's reported figures from `bytes`; `file_name` is used in messages only.
pub fn read_theirs(file_name: &str, bytes: &[u8]) -> Result<TheirReport, TheirError> {
    let mut warnings = Warnings::default();
    let mut body = strip_bom(bytes);
    let mut base = bytes.len() - body.len();
    if let Some((skip, rest)) = strip_http_headers(body) {
        warnings.note(format!(
            "skipped {skip} bytes of HTTP headers (a response saved with `curl -i`)"
        ));
        base += skip;
        body = rest;
    }
    let Some(first) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err(TheirError::Empty {
            file: file_name.to_string(),
        });
    };
    match body.get(first) {
        Some(b'{') | Some(b'[') => super::analytics::read_json(file_name, body, base, warnings),
        _ if has_json_extension(file_name) => Err(not_json(file_name, body, base, first)),
        _ => super::invoice::read_csv(file_name, body, warnings),
    }
}

/// A file named `.json` that does not start like JSON.
fn not_json(file: &str, body: &[u8], base: usize, first: usize) -> TheirError {
    let (line, column) = line_col(body, first);
    TheirError::BadJson {
        file: file.to_string(),
        offset: (base + first) as u64,
        line,
        column,
        reason: "the file is named .json but does not start with `{` or `[`".into(),
    }
}

/// `curl -i` output: status line and headers, a blank line, then the body.
fn strip_http_headers(body: &[u8]) -> Option<(usize, &[u8])> {
    if !body.starts_with(b"HTTP/") {
        return None;
    }
    let crlf = find(body, b"\r\n\r\n").map(|i| i + 4);
    let lf = find(body, b"\n\n").map(|i| i + 2);
    let end = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    body.get(end..).map(|rest| (end, rest))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn has_json_extension(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".jsonl") || lower.ends_with(".ndjson")
}

/// 1-based line and column (in bytes) of byte `offset`.
fn line_col(body: &[u8], offset: usize) -> (u64, u64) {
    let upto = body.get(..offset).unwrap_or(body);
    let line = upto.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let col_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    (line, (offset - col_start) as u64 + 1)
}

/// Warnings, merged when the same thing happens many times.
#[derive(Default)]
pub(super) struct Warnings {
    items: Vec<(String, usize, String)>,
}

impl Warnings {
    pub(super) fn add(&mut self, message: String, at: &str) {
        match self.items.iter_mut().find(|(m, _, _)| *m == message) {
            Some(item) => item.1 += 1,
            None => self.items.push((message, 1, at.to_string())),
        }
    }

    pub(super) fn note(&mut self, message: String) {
        self.items.push((message, 0, String::new()));
    }

    /// Every warning starts with the file name, like errors do.
    pub(super) fn finish(self, file: &str) -> Vec<String> {
        self.items
            .into_iter()
            .map(|(m, n, at)| match n {
                0 => format!("{file}: {m}"),
                1 => format!("{file}: {m} ({at})"),
                n => format!("{file}: {m} ({n} times; first at {at})"),
            })
            .collect()
    }
}

/// The one currency a file may state.
#[derive(Default)]
pub(super) struct CurrencySeen {
    first: Option<(String, String)>,
}

impl CurrencySeen {
    pub(super) fn see(&mut self, file: &str, code: &str, at: &str) -> Result<(), TheirError> {
        match &self.first {
            None => {
                self.first = Some((code.to_string(), at.to_string()));
                Ok(())
            }
            Some((c, _)) if c == code => Ok(()),
            Some((c, first_at)) => Err(TheirError::MixedCurrency {
                file: file.to_string(),
                first: c.clone(),
                first_at: first_at.clone(),
                second: code.to_string(),
                second_at: at.to_string(),
            }),
        }
    }

    pub(super) fn into_code(self) -> Option<String> {
        self.first.map(|(c, _)| c)
    }
}

pub(super) const KNOWN_TYPES: [&str; 4] = [
    "regular",
    "free_customer_service",
    "free_entry_point",
    "free_tier",
];

/// Meta's `pricing_type` / `conversation_type`, lower-cased; `FREE_ENTRY` (the CBP filter
/// spelling) becomes `free_entry_point`.
pub(super) fn normalise_type(raw: &str) -> String {
    let n: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    match n.as_str() {
        "free_entry" => "free_entry_point".to_string(),
        _ => n,
    }
}

/// What the readers' tests share: fixtures and short ways to read them.
#[cfg(test)]
pub(super) mod testing {
    use std::str::FromStr;

    use super::*;

    pub fn fixture(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reconcile/");
        std::fs::read(format!("{dir}{name}")).unwrap()
    }

    pub fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    pub fn read(name: &str) -> TheirReport {
        read_theirs(name, &fixture(name)).unwrap()
    }

    pub fn err(name: &str, bytes: &[u8]) -> (TheirError, String) {
        let e = read_theirs(name, bytes).unwrap_err();
        let s = e.to_string();
        (e, s)
    }
}
