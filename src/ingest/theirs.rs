//! Readers of the figures Meta reports, for `wacost reconcile LOG... --against FILE`.
//!
//! `FILE` is told apart by its content, not its name:
//!
//! * JSON: Meta's `pricing_analytics` (per-message pricing, from 2025-07-01) or
//!   `conversation_analytics` (conversation-based pricing, before) Graph API response.
//!   Accepted: the field response `{"pricing_analytics":{"data":[{"data_points":[…]}],
//!   "paging":{…}},"id":"…"}`, the edge response `{"data":[{"data_points":[…]}],"paging":{…}}`,
//!   several of those concatenated (pages saved one after another, or JSON Lines), a JSON
//!   array of pages, and bare data points one per line. A response saved with `curl -i`
//!   (HTTP headers first) is accepted too. Pricing and conversation points are told apart
//!   by their keys (`volume`/`pricing_category` vs `conversation`/`conversation_category`).
//! * CSV: an invoice with columns `month,market,category,volume,cost` (any case, common
//!   English and Portuguese aliases, optional `currency`), `,` or `;` delimited.
//!
//! Money is never held in floating point: JSON numbers are read through their shortest
//! textual form into [`Decimal`], CSV amounts from their text.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};

use crate::ingest::toolkit::amount::{amount_core, decimal_evidence, parse_amount, DecimalMark};
use crate::model::currency;
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
    let (mut base, mut body) = strip_bom(bytes);
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
        Some(b'{') | Some(b'[') => read_json(file_name, body, base, warnings),
        _ if has_json_extension(file_name) => {
            let (line, column) = line_col(body, first);
            Err(TheirError::BadJson {
                file: file_name.to_string(),
                offset: (base + first) as u64,
                line,
                column,
                reason: "the file is named .json but does not start with `{` or `[`".into(),
            })
        }
        _ => read_csv(file_name, body, warnings),
    }
}

// ---------------------------------------------------------------------------------------
// Shared helpers

fn strip_bom(bytes: &[u8]) -> (usize, &[u8]) {
    match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (3, rest),
        None => (0, bytes),
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

/// Byte offset of a 1-based line and column.
fn offset_of(body: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    if line > 1 {
        let mut seen = 0;
        for (i, &b) in body.iter().enumerate() {
            if b == b'\n' {
                seen += 1;
                if seen == line - 1 {
                    start = i + 1;
                    break;
                }
            }
        }
    }
    (start + column.saturating_sub(1)).min(body.len())
}

/// Warnings, merged when the same thing happens many times.
#[derive(Default)]
struct Warnings {
    items: Vec<(String, usize, String)>,
}

impl Warnings {
    fn add(&mut self, message: String, at: &str) {
        match self.items.iter_mut().find(|(m, _, _)| *m == message) {
            Some(item) => item.1 += 1,
            None => self.items.push((message, 1, at.to_string())),
        }
    }

    fn note(&mut self, message: String) {
        self.items.push((message, 0, String::new()));
    }

    /// Every warning starts with the file name, like errors do.
    fn finish(self, file: &str) -> Vec<String> {
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
struct CurrencySeen {
    first: Option<(String, String)>,
}

impl CurrencySeen {
    fn see(&mut self, file: &str, code: &str, at: &str) -> Result<(), TheirError> {
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

    fn into_code(self) -> Option<String> {
        self.first.map(|(c, _)| c)
    }
}

/// A category word from Meta (any case, `-`/`_`/space) or a Portuguese/Spanish spreadsheet.
fn parse_category(raw: &str) -> Option<Category> {
    if let Ok(c) = Category::from_str(raw) {
        return Some(c);
    }
    let norm: String = fold(raw.trim())
        .to_lowercase()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect();
    Some(match norm.as_str() {
        "utilidade" | "utilidad" | "utilitario" => Category::Utility,
        "autenticacao" | "autenticacion" => Category::Authentication,
        "autenticacao_internacional" | "autenticacion_internacional" => {
            Category::AuthenticationInternational
        }
        "servico" | "servicio" | "servicos" | "servicios" => Category::Service,
        _ => return None,
    })
}

const KNOWN_TYPES: [&str; 4] = [
    "regular",
    "free_customer_service",
    "free_entry_point",
    "free_tier",
];

/// Meta's `pricing_type` / `conversation_type`, lower-cased; `FREE_ENTRY` (the CBP filter
/// spelling) becomes `free_entry_point`.
fn normalise_type(raw: &str) -> String {
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

/// Removes the accents found in Portuguese and Spanish headers and words.
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
            'Á' | 'À' | 'Â' | 'Ã' | 'Ä' => 'A',
            'é' | 'ê' | 'è' | 'ë' => 'e',
            'É' | 'Ê' | 'È' | 'Ë' => 'E',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'ó' | 'ô' | 'õ' | 'ò' | 'ö' => 'o',
            'Ó' | 'Ô' | 'Õ' | 'Ò' | 'Ö' => 'O',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
            'ç' => 'c',
            'Ç' => 'C',
            'ñ' => 'n',
            'Ñ' => 'N',
            c => c,
        })
        .collect()
}

/// Decimal from text such as `0.4375`, `1e-7` or `-2.5E3`.
fn decimal_from_text(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.contains(['e', 'E']) {
        Decimal::from_scientific(s).ok()
    } else {
        Decimal::from_str(s).ok()
    }
}

/// A JSON number through its shortest textual form (never through f64 arithmetic).
fn decimal_from_number(n: &Number) -> Option<Decimal> {
    decimal_from_text(&n.to_string())
}

// ---------------------------------------------------------------------------------------
// JSON: pricing_analytics / conversation_analytics

const PRICING_KEYS: [&str; 4] = ["volume", "pricing_category", "pricing_type", "tier"];
const CONVERSATION_KEYS: [&str; 4] = [
    "conversation",
    "conversation_category",
    "conversation_type",
    "conversation_direction",
];
const LEGACY_KEYS: [&str; 2] = ["sent", "delivered"];
/// Keys of a WABA node that carry no analytics.
const NODE_KEYS: [&str; 8] = [
    "id",
    "currency",
    "name",
    "timezone_id",
    "message_template_namespace",
    "account_review_status",
    "paging",
    "granularity",
];

struct JsonReader<'a> {
    file: &'a str,
    points: Vec<TheirPoint>,
    currency: CurrencySeen,
    warnings: Warnings,
}

fn read_json(
    file: &str,
    body: &[u8],
    base: usize,
    warnings: Warnings,
) -> Result<TheirReport, TheirError> {
    let mut r = JsonReader {
        file,
        points: Vec::new(),
        currency: CurrencySeen::default(),
        warnings,
    };
    let mut stream = serde_json::Deserializer::from_slice(body).into_iter::<Value>();
    let mut doc_no = 0usize;
    loop {
        let after_last = stream.byte_offset();
        let start = body
            .get(after_last..)
            .and_then(|rest| rest.iter().position(|b| !b.is_ascii_whitespace()))
            .map_or(body.len(), |i| after_last + i);
        match stream.next() {
            None => break,
            Some(Ok(value)) => {
                doc_no += 1;
                let at = format!("JSON document {doc_no} (byte {})", base + start);
                r.document(value, &at)?;
            }
            Some(Err(e)) => return Err(json_syntax_error(file, body, base, start, &e)),
        }
    }
    if r.points.is_empty() {
        r.warnings
            .note("no data points: Meta reported nothing for this period".to_string());
    }
    Ok(TheirReport {
        points: r.points,
        currency: r.currency.into_code(),
        warnings: r.warnings.finish(file),
    })
}

fn json_syntax_error(
    file: &str,
    body: &[u8],
    base: usize,
    doc_start: usize,
    e: &serde_json::Error,
) -> TheirError {
    let (line, column) = (e.line() as u64, e.column() as u64);
    if e.classify() == serde_json::error::Category::Eof {
        return TheirError::TruncatedJson {
            file: file.to_string(),
            offset: (base + body.len()) as u64,
            line,
            column,
            doc_start: (base + doc_start) as u64,
        };
    }
    let offset = base + offset_of(body, e.line(), e.column());
    // serde_json appends " at line L column C"; the variant says it already.
    let full = e.to_string();
    let reason = match full.rfind(" at line ") {
        Some(i) => full.get(..i).unwrap_or(&full).to_string(),
        None => full,
    };
    TheirError::BadJson {
        file: file.to_string(),
        offset: offset as u64,
        line,
        column,
        reason,
    }
}

/// Short rendering of a JSON value for messages.
fn show(v: &Value) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "?".to_string());
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn has_any(map: &Map<String, Value>, keys: &[&str]) -> bool {
    keys.iter().any(|k| map.contains_key(*k))
}

/// What a data point says it is, by its keys.
fn point_kind(map: &Map<String, Value>) -> Option<Source> {
    match (
        has_any(map, &PRICING_KEYS),
        has_any(map, &CONVERSATION_KEYS),
    ) {
        (true, false) => Some(Source::PricingAnalytics),
        (false, true) => Some(Source::ConversationAnalytics),
        _ => None,
    }
}

fn looks_like_point(map: &Map<String, Value>) -> bool {
    has_any(map, &PRICING_KEYS)
        || has_any(map, &CONVERSATION_KEYS)
        || (map.contains_key("start") && map.contains_key("cost"))
}

impl JsonReader<'_> {
    fn shape(&self, at: &str, message: impl Into<String>) -> TheirError {
        TheirError::Shape {
            file: self.file.to_string(),
            at: at.to_string(),
            message: message.into(),
        }
    }

    fn field_error(&self, at: &str, field: &str, value: &Value, expected: &str) -> TheirError {
        TheirError::JsonField {
            file: self.file.to_string(),
            at: at.to_string(),
            field: field.to_string(),
            value: show(value),
            expected: expected.to_string(),
        }
    }

    fn document(&mut self, value: Value, at: &str) -> Result<(), TheirError> {
        match value {
            Value::Object(map) => self.object(map, at, None),
            Value::Array(items) => {
                if items.is_empty() {
                    self.warnings.add("empty JSON array".to_string(), at);
                }
                // A JSON array of pages, or of bare data points.
                let hint = sibling_hint(&items);
                for (i, item) in items.into_iter().enumerate() {
                    let at = format!("{at}, [{i}]");
                    match item {
                        Value::Object(map) => self.object(map, &at, hint)?,
                        other => {
                            return Err(self.shape(
                                &at,
                                format!(
                                    "found {}, expected a response page (a JSON object)",
                                    kind(&other)
                                ),
                            ))
                        }
                    }
                }
                Ok(())
            }
            other => Err(self.shape(
                at,
                format!(
                    "found {} ({}), expected a JSON object such as \
                     {{\"pricing_analytics\":{{\"data\":[{{\"data_points\":[...]}}]}}}}",
                    kind(&other),
                    show(&other)
                ),
            )),
        }
    }

    /// A response page (field or edge form), an element of `data`, or a bare point.
    fn object(
        &mut self,
        mut map: Map<String, Value>,
        at: &str,
        hint: Option<Source>,
    ) -> Result<(), TheirError> {
        if let Some(err) = map.get("error") {
            return Err(TheirError::GraphApi {
                file: self.file.to_string(),
                at: at.to_string(),
                message: graph_error_text(err),
            });
        }
        if let Some(c) = map.get("currency") {
            match c {
                Value::String(s) if currency::is_code_shape(s.trim()) => {
                    let code = s.trim().to_ascii_uppercase();
                    self.currency.see(self.file, &code, at)?;
                }
                Value::Null => {}
                other => {
                    return Err(self.field_error(
                        at,
                        "currency",
                        other,
                        "expected an ISO 4217 code such as \"BRL\" or \"USD\"",
                    ))
                }
            }
        }
        let mut found = false;
        for (key, source) in [
            ("pricing_analytics", Source::PricingAnalytics),
            ("conversation_analytics", Source::ConversationAnalytics),
        ] {
            if let Some(v) = map.remove(key) {
                found = true;
                let at = format!("{at}, {key}");
                match v {
                    Value::Object(inner) => self.object(inner, &at, Some(source))?,
                    Value::Array(data) => self.data(data, &at, Some(source))?,
                    Value::Null => {}
                    other => {
                        return Err(self.field_error(
                            &at,
                            key,
                            &other,
                            "expected an object {\"data\":[{\"data_points\":[...]}]}",
                        ))
                    }
                }
            }
        }
        if let Some(v) = map.remove("data") {
            found = true;
            let at = format!("{at}, data");
            match v {
                Value::Array(data) => self.data(data, &at, hint)?,
                other => {
                    return Err(self.field_error(
                        &at,
                        "data",
                        &other,
                        "expected an array [{\"data_points\":[...]}]",
                    ))
                }
            }
        }
        if let Some(v) = map.remove("data_points") {
            found = true;
            let at = format!("{at}, data_points");
            self.data_points(v, &at, hint)?;
        }
        if found {
            return Ok(());
        }
        if looks_like_point(&map) || has_any(&map, &LEGACY_KEYS) {
            return self.point(&map, at, hint);
        }
        if map.contains_key("analytics") {
            return Err(self.shape(
                at,
                "this is the messaging `analytics` field (sent/delivered counts, no cost); \
                 ask Meta for `pricing_analytics` (or `conversation_analytics` before July 2025)",
            ));
        }
        if has_any(&map, &["entry", "object", "statuses", "messages"]) {
            return Err(self.shape(
                at,
                "this looks like a webhook payload: give webhook logs as LOG, and Meta's \
                 pricing_analytics / conversation_analytics response as --against",
            ));
        }
        if map.keys().all(|k| NODE_KEYS.contains(&k.as_str())) {
            self.warnings.add(
                "a response page without pricing_analytics or conversation_analytics \
                 (Meta leaves the field out when the period has no data)"
                    .to_string(),
                at,
            );
            return Ok(());
        }
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        Err(self.shape(
            at,
            format!(
                "found keys {}; expected pricing_analytics, conversation_analytics, data or \
                 data_points (a Graph API analytics response)",
                keys.join(", ")
            ),
        ))
    }

    /// The `data` array: elements carry `data_points`.
    fn data(&mut self, data: Vec<Value>, at: &str, hint: Option<Source>) -> Result<(), TheirError> {
        let hint = hint.or_else(|| sibling_hint(&data));
        for (i, item) in data.into_iter().enumerate() {
            let at = format!("{at}[{i}]");
            match item {
                Value::Object(map) => self.object(map, &at, hint)?,
                other => {
                    return Err(self.shape(
                        &at,
                        format!(
                            "found {} ({}), expected an object {{\"data_points\":[...]}}",
                            kind(&other),
                            show(&other)
                        ),
                    ))
                }
            }
        }
        Ok(())
    }

    fn data_points(&mut self, v: Value, at: &str, hint: Option<Source>) -> Result<(), TheirError> {
        let items = match v {
            Value::Array(items) => items,
            Value::Null => return Ok(()),
            other => {
                return Err(self.field_error(
                    at,
                    "data_points",
                    &other,
                    "expected an array of data points",
                ))
            }
        };
        let hint = hint.or_else(|| sibling_hint(&items));
        for (i, item) in items.into_iter().enumerate() {
            let at = format!("{at}[{i}]");
            match item {
                Value::Object(map) => self.point(&map, &at, hint)?,
                other => {
                    return Err(self.shape(
                        &at,
                        format!(
                            "found {} ({}), expected a data point object",
                            kind(&other),
                            show(&other)
                        ),
                    ))
                }
            }
        }
        Ok(())
    }

    fn point(
        &mut self,
        map: &Map<String, Value>,
        at: &str,
        hint: Option<Source>,
    ) -> Result<(), TheirError> {
        let own = point_kind(map);
        if has_any(map, &PRICING_KEYS) && has_any(map, &CONVERSATION_KEYS) {
            return Err(self.shape(
                at,
                "the data point mixes pricing_analytics keys (volume, pricing_category, \
                 pricing_type, tier) with conversation_analytics keys (conversation, \
                 conversation_category, conversation_type, conversation_direction)",
            ));
        }
        if own.is_none() && map.contains_key("template_id") {
            return Err(self.shape(
                at,
                "this data point is from `template_analytics` (per template, no market or \
                 category); ask Meta for `pricing_analytics` instead",
            ));
        }
        if own.is_none() && has_any(map, &LEGACY_KEYS) {
            return Err(self.shape(
                at,
                "this data point is from the messaging `analytics` field (sent/delivered, \
                 no cost); ask Meta for `pricing_analytics` instead",
            ));
        }
        let source = match (own, hint) {
            (Some(o), Some(h)) if o != h => {
                return Err(self.shape(
                    at,
                    format!(
                        "a {} data point inside a {} response",
                        o.as_str(),
                        h.as_str()
                    ),
                ))
            }
            (Some(s), _) | (None, Some(s)) => s,
            (None, None) => {
                return Err(self.shape(
                    at,
                    "cannot tell a pricing_analytics point (volume, pricing_category, …) from \
                     a conversation_analytics point (conversation, conversation_category, …); \
                     save the whole response, with its pricing_analytics or \
                     conversation_analytics key",
                ))
            }
        };
        let (category_key, type_key, volume_key) = match source {
            Source::ConversationAnalytics => {
                ("conversation_category", "conversation_type", "conversation")
            }
            _ => ("pricing_category", "pricing_type", "volume"),
        };

        let start = self.time(map, "start", at)?;
        let end = self.time(map, "end", at)?;
        let country = self.text(map, "country", at)?;
        let phone_number = self.text(map, "phone_number", at)?;
        let tier = self.text(map, "tier", at)?;
        let category_raw = self.text(map, category_key, at)?.unwrap_or_default();
        let pricing_type = self.text(map, type_key, at)?.map(|t| normalise_type(&t));

        let category = if category_raw.is_empty() {
            self.warnings.add(
                format!(
                    "data points without `{category_key}`: ask Meta with dimensions \
                     {} to reconcile by category",
                    category_key.to_ascii_uppercase()
                ),
                at,
            );
            None
        } else {
            let c = parse_category(&category_raw);
            if c.is_none() {
                self.warnings.add(
                    format!(
                        "data points in category {category_raw}, which wacost does not price; \
                         kept without a category"
                    ),
                    at,
                );
            }
            c
        };
        if let Some(t) = &pricing_type {
            if !KNOWN_TYPES.contains(&t.as_str()) {
                self.warnings
                    .add(format!("data points with unknown {type_key} {t}"), at);
            }
        }
        if country.is_none() {
            self.warnings.add(
                "data points without `country`: ask Meta with dimensions COUNTRY to \
                 reconcile by market"
                    .to_string(),
                at,
            );
        }

        let volume = match map.get(volume_key) {
            None | Some(Value::Null) => {
                self.warnings.add(
                    format!(
                        "data points without `{volume_key}` (metric_types left out {}); \
                         counted as 0",
                        if source == Source::ConversationAnalytics {
                            "CONVERSATION"
                        } else {
                            "VOLUME"
                        }
                    ),
                    at,
                );
                0
            }
            Some(v) => count_from_json(v).ok_or_else(|| {
                self.field_error(
                    at,
                    volume_key,
                    v,
                    "expected a whole number of messages or conversations, 0 or more",
                )
            })?,
        };
        let cost = match map.get("cost") {
            None | Some(Value::Null) => {
                self.warnings.add(
                    "data points without `cost`: Meta leaves COST out for WABAs on a \
                     Solution Partner's credit line (or when metric_types omits COST); \
                     their cost is unknown"
                        .to_string(),
                    at,
                );
                None
            }
            Some(Value::Number(n)) => Some(decimal_from_number(n).ok_or_else(|| {
                self.field_error(at, "cost", &Value::Number(n.clone()), "expected an amount")
            })?),
            Some(Value::String(s)) => Some(decimal_from_text(s).ok_or_else(|| {
                self.field_error(
                    at,
                    "cost",
                    &Value::String(s.clone()),
                    "expected an amount such as 0.4375",
                )
            })?),
            Some(other) => {
                return Err(self.field_error(
                    at,
                    "cost",
                    other,
                    "expected an amount such as 0.4375",
                ))
            }
        };

        self.points.push(TheirPoint {
            source,
            file: self.file.to_string(),
            line: None,
            start,
            end,
            month: None,
            country,
            market: None,
            category,
            category_raw,
            pricing_type,
            tier,
            volume,
            cost,
            phone_number,
        });
        Ok(())
    }

    /// A string field (numbers are accepted and written out, e.g. a numeric phone number).
    fn text(
        &self,
        map: &Map<String, Value>,
        key: &str,
        at: &str,
    ) -> Result<Option<String>, TheirError> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => {
                let t = s.trim();
                Ok((!t.is_empty()).then(|| t.to_string()))
            }
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(self.field_error(at, key, other, "expected a string")),
        }
    }

    /// Unix seconds; numeric strings and Graph date-times (`2026-10-01T07:00:00+0000`) too.
    fn time(
        &self,
        map: &Map<String, Value>,
        key: &str,
        at: &str,
    ) -> Result<Option<i64>, TheirError> {
        let Some(v) = map.get(key) else {
            return Ok(None);
        };
        let parsed = match v {
            Value::Null => return Ok(None),
            Value::Number(n) => n.as_i64().or_else(|| {
                decimal_from_number(n)
                    .filter(|d| d.fract().is_zero())?
                    .to_i64()
            }),
            Value::String(s) => {
                let s = s.trim();
                s.parse::<i64>()
                    .ok()
                    .or_else(|| DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp()))
                    .or_else(|| {
                        DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
                            .ok()
                            .map(|d| d.timestamp())
                    })
            }
            _ => None,
        };
        parsed.map(Some).ok_or_else(|| {
            self.field_error(
                at,
                key,
                v,
                "expected Unix seconds such as 1790838000 (or 2026-10-01T07:00:00+0000)",
            )
        })
    }
}

/// The source every decided sibling agrees on, if exactly one.
fn sibling_hint(items: &[Value]) -> Option<Source> {
    let mut seen: Option<Source> = None;
    for item in items {
        let Value::Object(map) = item else { continue };
        let own = point_kind(map).or_else(|| {
            // A page element: look one level down.
            match map.get("data_points") {
                Some(Value::Array(pts)) => sibling_hint(pts),
                _ => None,
            }
        });
        match (seen, own) {
            (_, None) => {}
            (None, Some(s)) => seen = Some(s),
            (Some(a), Some(b)) if a == b => {}
            (Some(_), Some(_)) => return None,
        }
    }
    seen
}

fn count_from_json(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            let d = decimal_from_number(n)?;
            if d.is_sign_negative() || !d.fract().is_zero() {
                return None;
            }
            d.to_u64()
        }),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
}

fn graph_error_text(err: &Value) -> String {
    let Value::Object(e) = err else {
        return show(err);
    };
    let get = |k: &str| match e.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let mut s = get("error_user_msg")
        .or_else(|| get("message"))
        .unwrap_or_else(|| show(err));
    let mut extra = Vec::new();
    if let Some(t) = get("type") {
        extra.push(t);
    }
    if let Some(c) = get("code") {
        extra.push(format!("code {c}"));
    }
    if let Some(c) = get("error_subcode") {
        extra.push(format!("subcode {c}"));
    }
    if !extra.is_empty() {
        s = format!("{s} ({})", extra.join(", "));
    }
    s
}

// ---------------------------------------------------------------------------------------
// CSV: invoice lines

struct ColumnSpec {
    name: &'static str,
    what: &'static str,
    aliases: &'static [&'static str],
    required: bool,
}

const COL_MONTH: usize = 0;
const COL_MARKET: usize = 1;
const COL_CATEGORY: usize = 2;
const COL_VOLUME: usize = 3;
const COL_COST: usize = 4;
const COL_CURRENCY: usize = 5;
const COL_TYPE: usize = 6;

/// Header aliases after normalisation (lower case, accents removed, spaces → `_`),
/// best first.
const COLUMNS: [ColumnSpec; 7] = [
    ColumnSpec {
        name: "month",
        what: "billing month",
        aliases: &[
            "month",
            "billing_month",
            "period",
            "date",
            "mes",
            "mes_referencia",
            "mes_de_referencia",
            "competencia",
            "periodo",
            "data",
        ],
        required: true,
    },
    ColumnSpec {
        name: "market",
        what: "market",
        aliases: &[
            "market",
            "market_name",
            "country_market",
            "region",
            "mercado",
            "regiao",
        ],
        required: true,
    },
    ColumnSpec {
        name: "category",
        what: "category",
        aliases: &[
            "category",
            "pricing_category",
            "conversation_category",
            "type",
            "categoria",
            "tipo",
        ],
        required: true,
    },
    ColumnSpec {
        name: "volume",
        what: "volume",
        aliases: &[
            "volume",
            "messages",
            "conversations",
            "quantity",
            "count",
            "quantidade",
            "qtd",
            "qtde",
            "mensagens",
            "conversas",
        ],
        required: true,
    },
    ColumnSpec {
        name: "cost",
        what: "cost",
        aliases: &[
            "cost",
            "amount",
            "charge",
            "total",
            "spend",
            "total_cost",
            "custo",
            "valor",
            "valor_total",
            "total_custo",
        ],
        required: true,
    },
    ColumnSpec {
        name: "currency",
        what: "currency",
        aliases: &["currency", "currency_code", "moeda"],
        required: false,
    },
    ColumnSpec {
        name: "pricing_type",
        what: "pricing type",
        aliases: &["pricing_type", "conversation_type"],
        required: false,
    },
];

/// A header cell, normalised, with a currency it may carry (`Custo (R$)`, `cost_usd`).
struct Header {
    written: String,
    norm: String,
    currency: Option<String>,
}

fn normalise_header(written: &str) -> Header {
    let mut name = fold(written.trim()).to_lowercase();
    let mut unit: Option<String> = None;
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let (Some(a), Some(b)) = (name.find(open), name.rfind(close)) {
            if a < b {
                let inner = name.get(a + 1..b).unwrap_or("").trim().to_string();
                unit = unit.or_else(|| currency::code_of(&inner).map(str::to_string));
                name = format!(
                    "{}{}",
                    name.get(..a).unwrap_or(""),
                    name.get(b + 1..).unwrap_or("")
                );
            }
        }
    }
    let mut norm = String::new();
    for c in name.trim().chars() {
        let c = if c.is_whitespace() || c == '-' || c == '.' || c == '/' {
            '_'
        } else {
            c
        };
        if c == '_' && (norm.is_empty() || norm.ends_with('_')) {
            continue;
        }
        norm.push(c);
    }
    while norm.ends_with('_') {
        norm.pop();
    }
    // `cost_usd`, `valor_brl`
    if let Some((head, tail)) = norm.rsplit_once('_') {
        let code = tail.to_ascii_uppercase();
        if COLUMNS[COL_COST].aliases.contains(&head) && currency::by_code(&code).is_some() {
            unit = Some(code);
            norm = head.to_string();
        }
    }
    Header {
        written: written.trim().to_string(),
        norm,
        currency: unit,
    }
}

/// Month names and abbreviations in English, Portuguese and Spanish (accents folded).
#[rustfmt::skip]
const MONTH_NAMES: &[(&str, u32)] = &[
    ("jan", 1), ("january", 1), ("janeiro", 1), ("ene", 1), ("enero", 1), ("feb", 2),
    ("february", 2), ("fev", 2), ("fevereiro", 2), ("febrero", 2), ("mar", 3), ("march", 3),
    ("marco", 3), ("marzo", 3), ("apr", 4), ("april", 4), ("abr", 4), ("abril", 4), ("may", 5),
    ("mai", 5), ("maio", 5), ("mayo", 5), ("jun", 6), ("june", 6), ("junho", 6), ("junio", 6),
    ("jul", 7), ("july", 7), ("julho", 7), ("julio", 7), ("aug", 8), ("august", 8), ("ago", 8),
    ("agosto", 8), ("sep", 9), ("sept", 9), ("september", 9), ("set", 9), ("setembro", 9),
    ("septiembre", 9), ("oct", 10), ("october", 10), ("out", 10), ("outubro", 10),
    ("octubre", 10), ("nov", 11), ("november", 11), ("novembro", 11), ("noviembre", 11),
    ("dec", 12), ("december", 12), ("dez", 12), ("dezembro", 12), ("dic", 12),
    ("diciembre", 12),
];

fn month_by_name(word: &str) -> Option<u32> {
    let w = fold(word).to_lowercase();
    let w = w.trim_end_matches('.');
    MONTH_NAMES.iter().find(|(n, _)| *n == w).map(|(_, m)| *m)
}

fn year_of(s: &str) -> Option<i32> {
    if !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match s.len() {
        4 => s.parse().ok(),
        2 => s.parse::<i32>().ok().map(|y| 2000 + y),
        _ => None,
    }
}

fn small(s: &str) -> Option<u32> {
    if (1..=2).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// A billing month from the ways spreadsheets write it; `Err` carries a specific reason.
fn parse_month(raw: &str, day_first: bool) -> Result<String, Option<&'static str>> {
    let t = raw.trim();
    // Drop a time of day: `2026-10-01T00:00:00Z`, `01/10/2026 00:00`.
    let date = match t.find(':') {
        Some(colon) => {
            let head = t.get(..colon).unwrap_or(t);
            match head.rfind([' ', 'T']) {
                Some(cut) => head.get(..cut).unwrap_or(head),
                None => head,
            }
        }
        None => t,
    };
    let parts: Vec<&str> = date
        .split(['-', '/', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let (year, month, day): (i32, u32, Option<u32>) = match parts.as_slice() {
        [a, b] => {
            if let (Some(y), Some(m)) = (year_of(a).filter(|_| a.len() == 4), small(b)) {
                (y, m, None)
            } else if let (Some(m), Some(y)) = (small(a), year_of(b).filter(|_| b.len() == 4)) {
                (y, m, None)
            } else if let (Some(m), Some(y)) = (month_by_name(a), year_of(b)) {
                (y, m, None)
            } else if let (Some(y), Some(m)) =
                (year_of(a).filter(|_| a.len() == 4), month_by_name(b))
            {
                (y, m, None)
            } else {
                return Err(None);
            }
        }
        [a, b, c] => {
            if a.len() == 4 {
                let y = year_of(a).ok_or(None)?;
                let m = small(b).or_else(|| month_by_name(b)).ok_or(None)?;
                (y, m, Some(small(c).ok_or(None)?))
            } else if let Some(m) = month_by_name(b) {
                (year_of(c).ok_or(None)?, m, Some(small(a).ok_or(None)?))
            } else {
                let y = year_of(c).filter(|_| c.len() == 4).ok_or(None)?;
                let (x, z) = (small(a).ok_or(None)?, small(b).ok_or(None)?);
                if day_first || x > 12 {
                    (y, z, Some(x))
                } else if z > 12 {
                    (y, x, Some(z))
                } else {
                    return Err(Some(
                        "day and month could be either way round in a comma-delimited file; \
                         write the month as 2026-10",
                    ));
                }
            }
        }
        _ => return Err(None),
    };
    if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
        return Err(None);
    }
    if let Some(d) = day {
        NaiveDate::from_ymd_opt(year, month, d).ok_or(None)?;
    }
    Ok(format!("{year:04}-{month:02}"))
}

/// Cells that mark a spreadsheet's total row.
const TOTAL_WORDS: [&str; 8] = [
    "total",
    "totals",
    "grand total",
    "total geral",
    "subtotal",
    "totais",
    "soma",
    "total general",
];

/// Windows-1252, Excel's default encoding on Windows, for files that are not UTF-8.
fn decode_cp1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// 1-based line where a record starts. The csv crate reports a CRLF record as starting
/// on the `\n` of the line before (and counts its lines one short), so skip terminators.
fn line_at(text: &str, byte: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut end = usize::try_from(byte).map_or(bytes.len(), |b| b.min(bytes.len()));
    while matches!(bytes.get(end), Some(b'\r' | b'\n')) {
        end += 1;
    }
    bytes
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count() as u64)
        + 1
}

/// Counts a delimiter outside double quotes.
fn count_outside_quotes(line: &str, delim: char) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == delim && !quoted {
            n += 1;
        }
    }
    n
}

fn read_csv(file: &str, body: &[u8], mut warnings: Warnings) -> Result<TheirReport, TheirError> {
    let utf16 = match body {
        [0xFF, 0xFE, rest @ ..] => Some((rest, true)),
        [0xFE, 0xFF, rest @ ..] => Some((rest, false)),
        _ => None,
    };
    let text = match (utf16, std::str::from_utf8(body)) {
        (Some((rest, little)), _) => {
            let units = rest.chunks(2).map(|c| match (c, little) {
                ([a, b], true) => u16::from_le_bytes([*a, *b]),
                ([a, b], false) => u16::from_be_bytes([*a, *b]),
                _ => 0xFFFD,
            });
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect::<String>()
        }
        (None, Ok(s)) => s.to_string(),
        (None, Err(_)) => {
            warnings.note(
                "the file is not UTF-8; read it as Windows-1252 (Excel's default on Windows)"
                    .to_string(),
            );
            decode_cp1252(body)
        }
    };
    let mut text: &str = &text;
    let mut line_shift = 0u64;
    // Excel's `sep=;` first line.
    let mut forced: Option<u8> = None;
    if let Some(first) = text.lines().next() {
        let f = first.trim();
        if f.len() == 5 && f.to_ascii_lowercase().starts_with("sep=") {
            forced = f.as_bytes().get(4).copied();
            text = text.get(first.len()..).unwrap_or("");
            text = text
                .strip_prefix("\r\n")
                .or_else(|| text.strip_prefix('\n'))
                .unwrap_or(text);
            line_shift = 1;
        }
    }
    let header_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    // The delimiter the header uses most: `,`, `;` or a tab (Excel's "Unicode text").
    let delimiter = forced.unwrap_or_else(|| {
        [(',', b','), (';', b';'), ('\t', b'\t')]
            .iter()
            .map(|&(c, b)| (count_outside_quotes(header_line, c), b))
            .fold(
                (0, b','),
                |best, cur| if cur.0 > best.0 { cur } else { best },
            )
            .1
    });

    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let csv_err = |e: &csv::Error| TheirError::Csv {
        file: file.to_string(),
        line: e.position().map_or(1, |p| line_at(text, p.byte())) + line_shift,
        message: e.to_string(),
    };
    let headers: Vec<Header> = rdr
        .headers()
        .map_err(|e| csv_err(&e))?
        .iter()
        .map(normalise_header)
        .collect();

    // Column index per field.
    let mut index: [Option<usize>; 7] = [None; 7];
    for (f, spec) in COLUMNS.iter().enumerate() {
        let mut best: Option<(usize, usize)> = None; // (alias rank, column)
        for (col, h) in headers.iter().enumerate() {
            let Some(rank) = spec.aliases.iter().position(|a| *a == h.norm) else {
                continue;
            };
            match best {
                Some((r, prev)) if r == rank => {
                    return Err(TheirError::DuplicateColumn {
                        file: file.to_string(),
                        column: spec.what,
                        first: headers
                            .get(prev)
                            .map_or_else(String::new, |h| h.written.clone()),
                        second: h.written.clone(),
                    })
                }
                Some((r, _)) if r < rank => {}
                _ => best = Some((rank, col)),
            }
        }
        index[f] = best.map(|(_, c)| c);
        if spec.required && index[f].is_none() {
            return Err(TheirError::MissingColumn {
                file: file.to_string(),
                column: spec.name,
                accepted: spec.aliases.join(", "),
                found: headers
                    .iter()
                    .map(|h| h.written.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    let field_name = |f: usize| -> String {
        let written = index[f]
            .and_then(|c| headers.get(c))
            .map_or(COLUMNS[f].name, |h| h.written.as_str());
        written.to_string()
    };

    let mut rows: Vec<(u64, csv::StringRecord)> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_err(&e))?;
        let line = rec.position().map_or(0, |p| line_at(text, p.byte())) + line_shift;
        if rec.iter().all(str::is_empty) {
            continue;
        }
        rows.push((line, rec));
    }

    // Decide the decimal mark from every amount in the file.
    let mut dot_at: Option<(u64, usize, String)> = None;
    let mut comma_at: Option<(u64, usize, String)> = None;
    let mut ambiguous_at: Option<(u64, String)> = None;
    for (line, rec) in &rows {
        for f in [COL_COST, COL_VOLUME] {
            let Some(cell) = index[f].and_then(|c| rec.get(c)) else {
                continue;
            };
            let (core, _, _) = amount_core(cell);
            match decimal_evidence(&core) {
                Some(DecimalMark::Dot) => {
                    dot_at.get_or_insert((*line, f, cell.to_string()));
                }
                Some(DecimalMark::Comma) => {
                    comma_at.get_or_insert((*line, f, cell.to_string()));
                }
                None if core.contains(['.', ',']) => {
                    ambiguous_at.get_or_insert((*line, cell.to_string()));
                }
                None => {}
            }
        }
    }
    let mark = match (&dot_at, &comma_at) {
        (Some(dot), Some(comma)) => {
            let (later, earlier) = if dot.0 > comma.0 {
                (dot, comma)
            } else {
                (comma, dot)
            };
            let (line, f, value) = later.clone();
            let (other_line, _, other) = earlier;
            return Err(TheirError::CsvField {
                file: file.to_string(),
                line,
                field: field_name(f),
                value,
                expected: format!(
                    "the file writes decimals both with `.` and with `,` (line {other_line} \
                     has {other:?}); write every amount the same way"
                ),
            });
        }
        (Some(_), None) => DecimalMark::Dot,
        (None, Some(_)) => DecimalMark::Comma,
        (None, None) => {
            if delimiter == b';' {
                if let Some((line, v)) = &ambiguous_at {
                    warnings.note(format!(
                        "line {line}: read {v:?} with `.` separating thousands, as Brazilian \
                         and European spreadsheets do (the file is `;`-delimited); write \
                         decimals with `,` to make that explicit"
                    ));
                }
                DecimalMark::Comma
            } else {
                DecimalMark::Dot
            }
        }
    };

    let mut points = Vec::with_capacity(rows.len());
    let mut currency = CurrencySeen::default();
    let header_currency = index[COL_COST]
        .and_then(|c| headers.get(c))
        .and_then(|h| h.currency.clone());
    if let Some(code) = &header_currency {
        currency.see(file, code, "the cost column header")?;
    }
    for (line, rec) in rows {
        let at = format!("line {line}");
        let cell = |f: usize| index[f].and_then(|c| rec.get(c)).unwrap_or("");
        let bad = |f: usize, expected: String| TheirError::CsvField {
            file: file.to_string(),
            line,
            field: field_name(f),
            value: cell(f).to_string(),
            expected,
        };
        let short_row = |f: usize| index[f].is_some_and(|c| c >= rec.len());

        let month_cell = cell(COL_MONTH);
        let is_total = |f: usize| TOTAL_WORDS.contains(&fold(cell(f)).to_lowercase().as_str());
        if is_total(COL_MONTH) || is_total(COL_MARKET) || is_total(COL_CATEGORY) {
            warnings.add("skipped a total row".to_string(), &at);
            continue;
        }
        for f in [COL_MONTH, COL_CATEGORY, COL_VOLUME] {
            if cell(f).is_empty() {
                let why = if short_row(f) {
                    format!(
                        "the row has {} fields but the header has {}; every row needs a {}",
                        rec.len(),
                        headers.len(),
                        COLUMNS[f].what
                    )
                } else {
                    format!("empty; every row needs a {}", COLUMNS[f].what)
                };
                return Err(bad(f, why));
            }
        }
        let month = parse_month(month_cell, delimiter == b';').map_err(|reason| {
            bad(
                COL_MONTH,
                reason.map_or_else(
                    || {
                        format!(
                            "expected a month such as 2026-10, 2026-10-01, 10/2026 or out/2026{}",
                            if delimiter == b';' {
                                " or 01/10/2026 (day first)"
                            } else {
                                ""
                            }
                        )
                    },
                    str::to_string,
                ),
            )
        })?;

        let market_cell = cell(COL_MARKET);
        let market = (!market_cell.is_empty()).then(|| market_cell.to_string());

        let category_raw = cell(COL_CATEGORY).to_string();
        let category = parse_category(&category_raw);
        if category.is_none() {
            warnings.add(
                format!(
                    "invoice lines in category {category_raw:?}, which wacost does not price \
                     (accepted: {}); kept without a category",
                    Category::ACCEPTED
                ),
                &at,
            );
        }

        let volume = match parse_amount(cell(COL_VOLUME), mark) {
            Some((d, None)) if !d.is_sign_negative() && d.fract().is_zero() => d.to_u64(),
            _ => None,
        }
        .ok_or_else(|| {
            bad(
                COL_VOLUME,
                format!(
                    "expected a whole number of messages or conversations such as 1200 or {}",
                    if mark == DecimalMark::Comma {
                        "1.200"
                    } else {
                        "1,200"
                    }
                ),
            )
        })?;

        let cost_cell = cell(COL_COST);
        let (cost, cell_currency) = if cost_cell.is_empty() || matches!(cost_cell, "-" | "—" | "–")
        {
            if short_row(COL_COST) {
                return Err(bad(
                    COL_COST,
                    format!(
                        "the row has {} fields but the header has {}; every row needs a cost",
                        rec.len(),
                        headers.len()
                    ),
                ));
            }
            warnings.add(
                "invoice lines without a cost; their cost is unknown".to_string(),
                &at,
            );
            (None, None)
        } else {
            let (d, c) = parse_amount(cost_cell, mark).ok_or_else(|| {
                bad(
                    COL_COST,
                    format!(
                        "expected an amount such as {}{}",
                        mark.example(),
                        if mark == DecimalMark::Dot && cost_cell.contains(',') {
                            " (a `,` between digits must separate thousands in a \
                             comma-delimited file; a file with decimal commas needs `;` \
                             as the delimiter)"
                        } else {
                            ""
                        }
                    ),
                )
            })?;
            (Some(d), c)
        };

        let currency_cell = cell(COL_CURRENCY);
        let column_currency = if currency_cell.is_empty() {
            None
        } else {
            Some(
                currency::code_of(currency_cell)
                    .map(str::to_string)
                    .or_else(|| {
                        currency::is_code_shape(currency_cell)
                            .then(|| currency_cell.to_ascii_uppercase())
                    })
                    .ok_or_else(|| {
                        bad(
                            COL_CURRENCY,
                            "expected an ISO 4217 code such as USD or BRL".to_string(),
                        )
                    })?,
            )
        };
        if let (Some(col), Some(cel)) = (&column_currency, cell_currency) {
            if col != cel {
                return Err(bad(
                    COL_COST,
                    format!("the amount is in {cel} but the currency column says {col}"),
                ));
            }
        }
        if let Some(code) = column_currency.as_deref().or(cell_currency) {
            currency.see(file, code, &at)?;
        }

        let pricing_type_cell = cell(COL_TYPE);
        let pricing_type =
            (!pricing_type_cell.is_empty()).then(|| normalise_type(pricing_type_cell));

        points.push(TheirPoint {
            source: Source::InvoiceCsv,
            file: file.to_string(),
            line: Some(line),
            start: None,
            end: None,
            month: Some(month),
            country: None,
            market,
            category,
            category_raw,
            pricing_type,
            tier: None,
            volume,
            cost,
            phone_number: None,
        });
    }
    if points.is_empty() {
        warnings.note("the invoice has a header but no lines".to_string());
    }
    Ok(TheirReport {
        points,
        currency: currency.into_code(),
        warnings: warnings.finish(file),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reconcile/");
        std::fs::read(format!("{dir}{name}")).unwrap()
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn read(name: &str) -> TheirReport {
        read_theirs(name, &fixture(name)).unwrap()
    }

    fn err(name: &str, bytes: &[u8]) -> (TheirError, String) {
        let e = read_theirs(name, bytes).unwrap_err();
        let s = e.to_string();
        (e, s)
    }

    fn find<'a>(
        r: &'a TheirReport,
        country: &str,
        cat: &str,
        ty: &str,
        start: i64,
    ) -> &'a TheirPoint {
        r.points
            .iter()
            .find(|p| {
                p.country.as_deref() == Some(country)
                    && p.category_raw == cat
                    && p.pricing_type.as_deref() == Some(ty)
                    && p.start == Some(start)
            })
            .unwrap()
    }

    const OCT1: i64 = 1_790_838_000;

    // ---- pricing_analytics

    #[test]
    fn pricing_analytics_field_response() {
        let r = read("pricing_analytics.json");
        assert_eq!(r.points.len(), 10);
        assert_eq!(r.currency.as_deref(), Some("BRL"));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert!(r.points.iter().all(|p| p.source == Source::PricingAnalytics
            && p.file == "pricing_analytics.json"
            && p.line.is_none()
            && p.month.is_none()
            && p.market.is_none()
            && p.phone_number.as_deref() == Some("551140030000")));

        let mkt = find(&r, "BR", "MARKETING", "regular", OCT1);
        assert_eq!(mkt.category, Some(Category::Marketing));
        assert_eq!(mkt.tier.as_deref(), Some("0:MAX"));
        assert_eq!(mkt.volume, 1200);
        assert_eq!(mkt.cost, Some(d("375")));
        assert_eq!(mkt.end, Some(1_790_924_400));

        let util = find(&r, "BR", "UTILITY", "regular", OCT1);
        assert_eq!(util.tier.as_deref(), Some("0:5000000"));
        assert_eq!(util.cost.unwrap().to_string(), "115.6");

        let free = find(&r, "BR", "UTILITY", "free_customer_service", OCT1);
        assert_eq!(free.category, Some(Category::Utility));
        assert_eq!(free.tier, None);
        assert_eq!(free.cost, Some(Decimal::ZERO));
        assert_eq!(free.volume, 980);

        let svc = find(&r, "BR", "SERVICE", "regular", OCT1);
        assert_eq!((svc.category, svc.volume), (Some(Category::Service), 5000));
        let fep = find(&r, "BR", "SERVICE", "free_entry_point", OCT1);
        assert_eq!(
            (fep.category, fep.volume, fep.tier.as_deref()),
            (Some(Category::Service), 140, None)
        );

        // Costs keep the exact text Meta wrote, never a binary float.
        let us = r
            .points
            .iter()
            .find(|p| p.country.as_deref() == Some("US"))
            .unwrap();
        assert_eq!(us.cost.unwrap().to_string(), "0.4375");
        let pt = r
            .points
            .iter()
            .find(|p| p.country.as_deref() == Some("PT"))
            .unwrap();
        assert_eq!(pt.cost.unwrap().to_string(), "4.4375");
        let total: Decimal = r.points.iter().filter_map(|p| p.cost).sum();
        assert_eq!(total, d("1058.383"));
    }

    #[test]
    fn pricing_analytics_two_pages_concatenated() {
        let one = read("pricing_analytics.json");
        let paged = read("pricing_analytics_paged.json");
        assert!(paged.warnings.is_empty(), "{:?}", paged.warnings);
        assert_eq!(paged.currency, None);
        assert_eq!(paged.points.len(), 10);
        let mut a: Vec<_> = one
            .points
            .iter()
            .map(|p| (p.start, p.category_raw.clone(), p.volume, p.cost))
            .collect();
        let mut b: Vec<_> = paged
            .points
            .iter()
            .map(|p| (p.start, p.category_raw.clone(), p.volume, p.cost))
            .collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }

    #[test]
    fn array_of_pages_and_json_lines() {
        let text = String::from_utf8(fixture("pricing_analytics_paged.json")).unwrap();
        let mut de = serde_json::Deserializer::from_str(&text).into_iter::<Value>();
        let p1 = de.next().unwrap().unwrap();
        let p2 = de.next().unwrap().unwrap();
        let array = serde_json::to_vec(&Value::Array(vec![p1.clone(), p2.clone()])).unwrap();
        let r = read_theirs("pages.json", &array).unwrap();
        assert_eq!(r.points.len(), 10);

        let jsonl = format!(
            "{}\n{}\n",
            serde_json::to_string(&p1).unwrap(),
            serde_json::to_string(&p2).unwrap()
        );
        let r = read_theirs("pages.jsonl", jsonl.as_bytes()).unwrap();
        assert_eq!(r.points.len(), 10);

        // Pages glued with no whitespace at all.
        let glued = format!(
            "{}{}",
            serde_json::to_string(&p1).unwrap(),
            serde_json::to_string(&p2).unwrap()
        );
        assert_eq!(
            read_theirs("glued.json", glued.as_bytes())
                .unwrap()
                .points
                .len(),
            10
        );
    }

    #[test]
    fn bare_points_one_per_line() {
        let text = "{\"start\":1790838000,\"end\":1790924400,\"country\":\"BR\",\"pricing_type\":\"REGULAR\",\"pricing_category\":\"MARKETING\",\"volume\":3,\"cost\":0.9375}\n\
                    {\"start\":1790838000,\"end\":1790924400,\"country\":\"BR\",\"pricing_type\":\"FREE_CUSTOMER_SERVICE\",\"pricing_category\":\"SERVICE\",\"volume\":9,\"cost\":0}\n";
        let r = read_theirs("points.jsonl", text.as_bytes()).unwrap();
        assert_eq!(r.points.len(), 2);
        assert_eq!(r.points[0].cost, Some(d("0.9375")));
        assert_eq!(
            r.points[1].pricing_type.as_deref(),
            Some("free_customer_service")
        );
    }

    #[test]
    fn meta_documented_example_with_marketing_lite() {
        // Shape and values of Meta's "Pricing analytics" example response (Analytics page).
        let text = r#"{"pricing_analytics":{"data":[{"data_points":[
            {"start":1749106800,"end":1749193200,"country":"IN","tier":"0:750000","pricing_type":"REGULAR","pricing_category":"AUTHENTICATION_INTERNATIONAL","volume":2,"cost":4.6},
            {"start":1748761200,"end":1748847600,"country":"US","tier":"0:MAX","pricing_type":"REGULAR","pricing_category":"MARKETING_LITE","volume":1,"cost":10},
            {"start":1748761200,"end":1748847600,"country":"US","pricing_type":"REGULAR","pricing_category":"REFERRAL_CONVERSION","volume":1,"cost":0}
        ]}]}}"#;
        let r = read_theirs("meta.json", text.as_bytes()).unwrap();
        assert_eq!(
            r.points[0].category,
            Some(Category::AuthenticationInternational)
        );
        assert_eq!(r.points[0].cost, Some(d("4.6")));
        assert_eq!(r.points[1].category, None);
        assert_eq!(r.points[1].category_raw, "MARKETING_LITE");
        assert_eq!(r.points[1].cost, Some(d("10")));
        assert_eq!(r.points[2].category, None);
        assert_eq!(r.points[2].category_raw, "REFERRAL_CONVERSION");
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
        assert!(
            r.warnings[0].contains("MARKETING_LITE") && r.warnings[0].contains("does not price")
        );
        assert!(r.warnings[1].contains("REFERRAL_CONVERSION"));
    }

    #[test]
    fn missing_cost_and_volume_are_reported_not_invented() {
        let text = r#"{"data":[{"data_points":[
            {"start":1790838000,"end":1790924400,"country":"BR","pricing_type":"REGULAR","pricing_category":"UTILITY","volume":4},
            {"start":1790924400,"end":1791010800,"country":"BR","pricing_type":"REGULAR","pricing_category":"UTILITY","volume":5},
            {"start":1790924400,"end":1791010800,"country":"BR","pricing_type":"REGULAR","pricing_category":"UTILITY","cost":0.5}
        ]}]}"#;
        let r = read_theirs("partner.json", text.as_bytes()).unwrap();
        assert_eq!(r.points[0].cost, None);
        assert_eq!(r.points[2].volume, 0);
        let w = r.warnings.join("\n");
        assert!(
            w.contains("Solution Partner") && w.contains("2 times"),
            "{w}"
        );
        assert!(w.contains("without `volume`"), "{w}");
    }

    #[test]
    fn numbers_in_other_spellings() {
        let text = r#"{"pricing_analytics":{"data":[{"data_points":[
            {"start":"1790838000","end":"2026-10-02T07:00:00+0000","country":"BR","pricing_type":"REGULAR","pricing_category":"utility","volume":"7","cost":"0.0475"},
            {"start":1790838000.0,"end":1790924400,"country":"BR","pricing_type":"REGULAR","pricing_category":"Authentication","volume":2.0,"cost":1e-7}
        ]}]}}"#;
        let r = read_theirs("odd.json", text.as_bytes()).unwrap();
        assert_eq!(r.points[0].end, Some(1_790_924_400));
        assert_eq!(r.points[0].start, Some(OCT1));
        assert_eq!(r.points[0].volume, 7);
        assert_eq!(r.points[0].cost, Some(d("0.0475")));
        assert_eq!(r.points[1].start, Some(OCT1));
        assert_eq!(r.points[1].volume, 2);
        assert_eq!(r.points[1].cost, Some(d("0.0000001")));
        assert_eq!(r.points[1].category, Some(Category::Authentication));
    }

    #[test]
    fn curl_dash_i_output_is_accepted() {
        let mut bytes = b"HTTP/2 200 \r\ncontent-type: application/json; charset=UTF-8\r\nx-fb-trace-id: Abc\r\n\r\n".to_vec();
        bytes.extend(fixture("pricing_analytics.json"));
        let r = read_theirs("curl.txt", &bytes).unwrap();
        assert_eq!(r.points.len(), 10);
        assert!(r.warnings[0].contains("HTTP headers"));
    }

    #[test]
    fn bom_and_leading_whitespace_before_json() {
        let mut bytes = b"\xEF\xBB\xBF \n".to_vec();
        bytes.extend(fixture("pricing_analytics.json"));
        assert_eq!(read_theirs("bom.json", &bytes).unwrap().points.len(), 10);
    }

    #[test]
    fn page_without_analytics_is_a_warning() {
        let r = read_theirs("empty.json", br#"{"currency":"USD","id":"1"}"#).unwrap();
        assert!(r.points.is_empty());
        assert_eq!(r.currency.as_deref(), Some("USD"));
        assert!(r.warnings.iter().any(|w| w.contains("no data")));
    }

    // ---- conversation_analytics

    #[test]
    fn conversation_analytics_cbp() {
        let r = read("conversation_analytics.json");
        assert_eq!(r.points.len(), 6);
        assert_eq!(r.currency, None);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert!(r
            .points
            .iter()
            .all(|p| p.source == Source::ConversationAnalytics
                && p.start == Some(1_740_816_000)
                && p.end == Some(1_743_490_800)));
        let m = &r.points[0];
        assert_eq!(
            (m.category, m.volume, m.cost),
            (Some(Category::Marketing), 2000, Some(d("125")))
        );
        assert_eq!(m.pricing_type.as_deref(), Some("regular"));
        assert_eq!(r.points[2].cost.unwrap().to_string(), "9.45");
        assert_eq!(r.points[3].pricing_type.as_deref(), Some("free_tier"));
        assert_eq!(
            r.points[4].pricing_type.as_deref(),
            Some("free_entry_point")
        );
        assert_eq!(r.points[4].category, Some(Category::Service));
        assert_eq!(r.points[5].country.as_deref(), Some("US"));
    }

    #[test]
    fn conversation_edge_response_without_wrapper() {
        // Meta's "conversation type breakdowns" example: edge form, no field key.
        let text = r#"{"data":[{"data_points":[
            {"start":1643702400,"end":1646121600,"conversation":8500,"conversation_type":"REGULAR","cost":88.1010},
            {"start":1643702400,"end":1646121600,"conversation":1000,"conversation_type":"FREE_TIER","cost":0.0000},
            {"start":1643702400,"end":1646121600,"conversation":250,"conversation_type":"FREE_ENTRY","cost":0.0000}
        ]}]}"#;
        let r = read_theirs("cbp.json", text.as_bytes()).unwrap();
        assert!(r
            .points
            .iter()
            .all(|p| p.source == Source::ConversationAnalytics));
        assert_eq!(r.points[0].cost, Some(d("88.101")));
        assert_eq!(
            r.points[2].pricing_type.as_deref(),
            Some("free_entry_point")
        );
        assert_eq!(r.points[0].category, None);
        assert!(r
            .warnings
            .iter()
            .any(|w| w.contains("CONVERSATION_CATEGORY")));
    }

    #[test]
    fn cost_only_point_takes_its_kind_from_siblings() {
        let text = r#"{"data":[{"data_points":[
            {"start":1,"end":2,"country":"BR","pricing_category":"MARKETING","volume":1,"cost":0.1},
            {"start":1,"end":2,"cost":0.2}
        ]}]}"#;
        let r = read_theirs("x.json", text.as_bytes()).unwrap();
        assert_eq!(r.points[1].source, Source::PricingAnalytics);
    }

    // ---- JSON errors

    #[test]
    fn truncated_json_names_the_byte() {
        let bytes = fixture("bad_truncated.json");
        let (e, s) = err("bad_truncated.json", &bytes);
        match e {
            TheirError::TruncatedJson {
                offset,
                doc_start,
                line,
                ..
            } => {
                assert_eq!(offset, bytes.len() as u64);
                assert_eq!(doc_start, 0);
                assert!(line > 50);
            }
            other => panic!("{other:?}"),
        }
        assert!(s.starts_with("bad_truncated.json: "), "{s}");
        assert!(
            s.contains(&format!("byte {}", bytes.len())) && s.contains("truncated"),
            "{s}"
        );
    }

    #[test]
    fn truncated_second_page_points_at_that_page() {
        let mut bytes = fixture("pricing_analytics.json");
        let first_len = bytes.len();
        bytes.extend_from_slice(br#"{"data":[{"data_points":[{"start":1,"#);
        let (e, _) = err("pages.json", &bytes);
        assert!(
            matches!(e, TheirError::TruncatedJson { doc_start, .. } if doc_start == first_len as u64),
            "{e:?}"
        );
    }

    #[test]
    fn bad_json_syntax_names_the_position() {
        let text = b"{\"data\":[]},\n{\"data\":[]}";
        let (e, s) = err("comma.json", text);
        assert!(
            matches!(
                e,
                TheirError::BadJson {
                    offset: 11,
                    line: 1,
                    column: 12,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(s.contains("byte 11"), "{s}");
        let (e, _) = err("x.json", b"volume,cost\n1,2\n");
        assert!(matches!(e, TheirError::BadJson { offset: 0, .. }), "{e:?}");
    }

    #[test]
    fn graph_error_object() {
        let text = br#"{"error":{"message":"(#100) Tried accessing nonexisting field (pricing_analytics)","type":"OAuthException","code":100,"fbtrace_id":"A1"}}"#;
        let (e, s) = err("err.json", text);
        assert!(matches!(e, TheirError::GraphApi { .. }));
        assert!(
            s.contains("nonexisting field") && s.contains("code 100"),
            "{s}"
        );
    }

    #[test]
    fn bad_point_field_names_path_field_and_value() {
        let text = br#"{"pricing_analytics":{"data":[{"data_points":[
            {"start":1,"end":2,"country":"BR","pricing_category":"MARKETING","volume":1,"cost":0.1},
            {"start":1,"end":2,"country":"BR","pricing_category":"MARKETING","volume":-3,"cost":0.1}
        ]}]}}"#;
        let (e, s) = err("bad.json", text);
        match &e {
            TheirError::JsonField {
                at, field, value, ..
            } => {
                assert_eq!(
                    at,
                    "JSON document 1 (byte 0), pricing_analytics, data[0], data_points[1]"
                );
                assert_eq!((field.as_str(), value.as_str()), ("volume", "-3"));
            }
            other => panic!("{other:?}"),
        }
        assert!(s.contains("whole number"), "{s}");

        let (_, s) = err("bad.json", br#"{"data":[{"data_points":[{"pricing_category":"UTILITY","volume":1,"cost":"abc"}]}]}"#);
        assert!(s.contains("field `cost` = \"abc\""), "{s}");
        let (_, s) = err("bad.json", br#"{"data":[{"data_points":[{"pricing_category":"UTILITY","volume":1,"start":true}]}]}"#);
        assert!(
            s.contains("field `start` = true") && s.contains("Unix seconds"),
            "{s}"
        );
    }

    #[test]
    fn wrong_kinds_of_json_are_explained() {
        let (_, s) = err(
            "wh.json",
            br#"{"object":"whatsapp_business_account","entry":[]}"#,
        );
        assert!(s.contains("webhook"), "{s}");
        let (_, s) = err("a.json", br#"{"analytics":{"data_points":[]},"id":"1"}"#);
        assert!(s.contains("pricing_analytics"), "{s}");
        let (_, s) = err(
            "a.json",
            br#"{"data":[{"data_points":[{"start":1,"end":2,"sent":5,"delivered":4}]}]}"#,
        );
        assert!(s.contains("no cost"), "{s}");
        let (_, s) = err(
            "m.json",
            br#"{"data":[{"data_points":[{"volume":1,"conversation":1}]}]}"#,
        );
        assert!(s.contains("mixes"), "{s}");
        let (_, s) = err("m.json", br#"{"conversation_analytics":{"data":[{"data_points":[{"volume":1,"pricing_category":"UTILITY"}]}]}}"#);
        assert!(
            s.contains("pricing_analytics data point inside a conversation_analytics"),
            "{s}"
        );
        let (_, s) = err(
            "t.json",
            br#"{"data":[{"granularity":"DAILY","data_points":[{"template_id":"1","start":1,"end":2,"sent":1,"cost":[]}]}]}"#,
        );
        assert!(s.contains("template_analytics"), "{s}");
        let (_, s) = err("m.json", br#"{"foo":1}"#);
        assert!(s.contains("found keys foo"), "{s}");
        let (_, s) = err("m.json", b"[1]");
        assert!(s.contains("[0]") && s.contains("a number"), "{s}");
    }

    #[test]
    fn conflicting_currencies_between_pages() {
        let text = br#"{"currency":"BRL","data":[]} {"currency":"USD","data":[]}"#;
        let (e, _) = err("c.json", text);
        assert!(matches!(e, TheirError::MixedCurrency { .. }), "{e:?}");
    }

    #[test]
    fn empty_file() {
        assert!(matches!(
            read_theirs("e.csv", b"  \n").unwrap_err(),
            TheirError::Empty { .. }
        ));
        assert!(matches!(
            read_theirs("e.csv", b"").unwrap_err(),
            TheirError::Empty { .. }
        ));
    }

    // ---- invoice CSV

    #[test]
    fn invoice_csv() {
        let r = read("invoice.csv");
        assert_eq!(r.points.len(), 7);
        assert_eq!(r.currency.as_deref(), Some("USD"));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let p = &r.points[0];
        assert_eq!(p.source, Source::InvoiceCsv);
        assert_eq!(p.line, Some(2));
        assert_eq!(p.month.as_deref(), Some("2026-10"));
        assert_eq!(p.market.as_deref(), Some("Brazil"));
        assert_eq!(
            (p.category, p.volume, p.cost),
            (Some(Category::Marketing), 41200, Some(d("2575.00")))
        );
        assert_eq!(
            (p.start, p.country.as_deref(), p.tier.as_deref()),
            (None, None, None)
        );
        assert_eq!(
            r.points[3].category,
            Some(Category::AuthenticationInternational)
        );
        assert_eq!(r.points[3].cost, Some(d("1234.56")));
        assert_eq!(
            r.points[4].market.as_deref(),
            Some("Rest of Western Europe")
        );
        assert_eq!(r.points[4].cost.unwrap().to_string(), "0.4375");
        assert_eq!(r.points[5].category, Some(Category::Utility));
        assert_eq!(r.points[6].month.as_deref(), Some("2026-09"));
        assert_eq!(r.points[6].line, Some(8));
    }

    #[test]
    fn invoice_semicolon_brazilian_export() {
        let r = read("invoice_semicolon_br.csv");
        assert_eq!(r.points.len(), 7);
        assert_eq!(r.currency.as_deref(), Some("BRL"));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let m = &r.points[0];
        assert_eq!(
            (m.category, m.volume, m.cost),
            (Some(Category::Marketing), 41200, Some(d("12875.00")))
        );
        assert_eq!(m.market.as_deref(), Some("Brasil"));
        assert_eq!(m.line, Some(2));
        assert_eq!(r.points[1].category, Some(Category::Utility));
        assert_eq!(r.points[1].cost, Some(d("408")));
        assert_eq!(r.points[2].category, Some(Category::Service));
        assert_eq!(r.points[2].category_raw, "Serviço");
        assert_eq!(r.points[3].category, Some(Category::Authentication));
        assert_eq!(r.points[3].cost, Some(d("10.61")));
        assert_eq!(r.points[4].month.as_deref(), Some("2026-10"));
        assert_eq!(r.points[5].month.as_deref(), Some("2026-10"));
        assert_eq!(r.points[5].cost, Some(d("0.44")));
        assert_eq!(r.points[6].month.as_deref(), Some("2026-09"));
    }

    #[test]
    fn portuguese_and_english_header_aliases() {
        let pt = "Mês;Mercado;Categoria;Quantidade;Valor (R$)\n2026-10;Brasil;marketing;10;3,125\n";
        let r = read_theirs("pt.csv", pt.as_bytes()).unwrap();
        assert_eq!(r.points[0].cost, Some(d("3.125")));
        assert_eq!(r.points[0].volume, 10);
        assert_eq!(r.currency.as_deref(), Some("BRL"));

        let en = "Billing Month,Region,Type,Messages,Amount\n2026-10-01,India,Authentication-International,3,0.0828\n";
        let r = read_theirs("en.csv", en.as_bytes()).unwrap();
        assert_eq!(r.points[0].month.as_deref(), Some("2026-10"));
        assert_eq!(r.points[0].market.as_deref(), Some("India"));
        assert_eq!(
            r.points[0].category,
            Some(Category::AuthenticationInternational)
        );
        assert_eq!(r.currency, None);

        let other = "DATE,market_name,pricing_category,count,spend,Currency,pricing_type\n2026-10-15,Brazil,UTILITY,4,0.0272,usd,FREE_CUSTOMER_SERVICE\n";
        let r = read_theirs("o.csv", other.as_bytes()).unwrap();
        assert_eq!(r.currency.as_deref(), Some("USD"));
        assert_eq!(
            r.points[0].pricing_type.as_deref(),
            Some("free_customer_service")
        );

        let suffixed = "period,country_market,conversation_category,conversations,cost_usd\n2025-03,Brazil,marketing,2,0.125\n";
        let r = read_theirs("s.csv", suffixed.as_bytes()).unwrap();
        assert_eq!(
            (r.currency.as_deref(), r.points[0].volume),
            (Some("USD"), 2)
        );
    }

    #[test]
    fn missing_cost_column() {
        let (e, s) = err(
            "bad_invoice_missing_cost.csv",
            &fixture("bad_invoice_missing_cost.csv"),
        );
        assert!(
            matches!(e, TheirError::MissingColumn { column: "cost", .. }),
            "{e:?}"
        );
        assert!(
            s.starts_with("bad_invoice_missing_cost.csv: no `cost` column"),
            "{s}"
        );
        assert!(
            s.contains("amount, charge, total, spend") && s.contains("custo, valor"),
            "{s}"
        );
        assert!(
            s.contains("the header has: month, market, category, volume, currency"),
            "{s}"
        );
    }

    #[test]
    fn bad_rows_name_file_line_field_value() {
        let csv = "month,market,category,volume,cost\n2026-10,Brazil,marketing,10,0.625\n2026-10,Brazil,marketing,ten,0.625\n";
        let (e, s) = err("inv.csv", csv.as_bytes());
        assert_eq!(
            e,
            TheirError::CsvField {
                file: "inv.csv".into(),
                line: 3,
                field: "volume".into(),
                value: "ten".into(),
                expected:
                    "expected a whole number of messages or conversations such as 1200 or 1,200"
                        .into(),
            }
        );
        assert!(s.starts_with("inv.csv:3: field `volume` = \"ten\""), "{s}");

        let (_, s) = err(
            "inv.csv",
            b"month,market,category,volume,cost\n2026-13,Brazil,marketing,1,1\n",
        );
        assert!(
            s.contains("inv.csv:2: field `month` = \"2026-13\"") && s.contains("2026-10"),
            "{s}"
        );
        let (_, s) = err(
            "inv.csv",
            b"month,market,category,volume,cost\n2026-10,Brazil,marketing,1,abc\n",
        );
        assert!(
            s.contains("field `cost` = \"abc\"") && s.contains("1,234.56"),
            "{s}"
        );
        // A quoted decimal comma is read as such, unless another amount contradicts it.
        let r = read_theirs(
            "inv.csv",
            b"month,market,category,volume,cost\n2026-10,Brazil,marketing,1,\"0,4375\"\n",
        )
        .unwrap();
        assert_eq!(r.points[0].cost, Some(d("0.4375")));
        let (_, s) = err("inv.csv", b"month,market,category,volume,cost\n2026-10,Brazil,marketing,1,\"0,4375\"\n2026-10,Brazil,utility,1,\"1,234.50\"\n");
        assert!(
            s.contains("inv.csv:3: field `cost`") && s.contains("both with `.` and with `,`"),
            "{s}"
        );
        let (_, s) = err(
            "inv.csv",
            b"month,market,category,volume,cost\n2026-10,Brazil,marketing,1,\"12,34.5\"\n",
        );
        assert!(s.contains("comma-delimited"), "{s}");
        let (_, s) = err(
            "inv.csv",
            b"month,market,category,volume,cost\n2026-10,Brazil,marketing\n",
        );
        assert!(
            s.contains("inv.csv:2: field `volume`") && s.contains("3 fields"),
            "{s}"
        );
        let (_, s) = err(
            "inv.csv",
            b"month,market,category,volume,cost\n2026-10,Brazil,,1,2\n",
        );
        assert!(s.contains("field `category` = \"\""), "{s}");
        let (_, s) = err(
            "inv.csv",
            b"month,market,category,volume,cost,currency\n2026-10,Brazil,marketing,1,2,dollars\n",
        );
        assert!(
            s.contains("field `currency` = \"dollars\"") && s.contains("ISO 4217"),
            "{s}"
        );
        let (_, s) = err(
            "inv.csv",
            b"month,market,category,volume,cost,currency\n2026-10,Brazil,marketing,1,R$ 2.00,USD\n",
        );
        assert!(s.contains("in BRL but the currency column says USD"), "{s}");
    }

    #[test]
    fn mixed_currencies_across_rows() {
        let csv = "month,market,category,volume,cost,currency\n2026-10,Brazil,marketing,1,1,BRL\n2026-10,Brazil,marketing,1,1,USD\n";
        let (e, s) = err("inv.csv", csv.as_bytes());
        assert!(matches!(e, TheirError::MixedCurrency { .. }));
        assert!(s.contains("BRL (line 2) and USD (line 3)"), "{s}");
    }

    #[test]
    fn decimal_marks() {
        let m = |cell: &str, mark| parse_amount(cell, mark).map(|(v, c)| (v.to_string(), c));
        assert_eq!(
            m("1,234.56", DecimalMark::Dot),
            Some(("1234.56".into(), None))
        );
        assert_eq!(
            m("$1,234,567.5", DecimalMark::Dot),
            Some(("1234567.5".into(), None))
        );
        assert_eq!(
            m("US$ 12.50", DecimalMark::Dot),
            Some(("12.50".into(), Some("USD")))
        );
        assert_eq!(
            m("(1,000.00)", DecimalMark::Dot),
            Some(("-1000.00".into(), None))
        );
        assert_eq!(
            m("R$ 1.234,56", DecimalMark::Comma),
            Some(("1234.56".into(), Some("BRL")))
        );
        assert_eq!(
            m("-R$ 0,50", DecimalMark::Comma),
            Some(("-0.50".into(), Some("BRL")))
        );
        assert_eq!(
            m("1 234,56 €", DecimalMark::Comma),
            Some(("1234.56".into(), Some("EUR")))
        );
        assert_eq!(
            m("12,5 BRL", DecimalMark::Comma),
            Some(("12.5".into(), Some("BRL")))
        );
        assert_eq!(m(",5", DecimalMark::Comma), Some(("0.5".into(), None)));
        assert_eq!(m("1,23,456.7", DecimalMark::Dot), None);
        assert_eq!(m("1.2.3", DecimalMark::Dot), None);
        assert_eq!(m("", DecimalMark::Dot), None);
        assert_eq!(m("12abc", DecimalMark::Dot), None);
    }

    #[test]
    fn zero_point_three_digits_is_a_decimal() {
        let csv = "month;market;category;volume;cost\n2026-10;Brasil;authentication;12;0.408\n";
        let r = read_theirs("x.csv", csv.as_bytes()).unwrap();
        assert_eq!(r.points[0].cost, Some(d("0.408")));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert_eq!(parse_amount("0.408", DecimalMark::Comma), None);
        assert_eq!(
            parse_amount("+1.000,5", DecimalMark::Comma).map(|x| x.0),
            Some(d("1000.5"))
        );
    }

    #[test]
    fn semicolon_file_with_dot_decimals() {
        let csv = "month;market;category;volume;cost\n2026-10;Brazil;utility;1.200;8.16\n2026-10;Brazil;marketing;3;0.1875\n";
        // `8.16` says decimals use `.`, so `1.200` is one point two: not a whole count.
        let (_, s) = err("x.csv", csv.as_bytes());
        assert!(s.contains("x.csv:2: field `volume` = \"1.200\""), "{s}");
        let csv = "month;market;category;volume;cost\n2026-10;Brazil;utility;1200;8.16\n2026-10;Brazil;marketing;3;0.1875\n";
        let r = read_theirs("x.csv", csv.as_bytes()).unwrap();
        assert_eq!(r.points[0].cost, Some(d("8.16")));
    }

    #[test]
    fn ambiguous_thousands_in_semicolon_file_are_flagged() {
        let csv = "month;market;category;volume;cost\n2026-10;Brasil;marketing;1.500;1.234\n";
        let r = read_theirs("x.csv", csv.as_bytes()).unwrap();
        assert_eq!(r.points[0].volume, 1500);
        assert_eq!(r.points[0].cost, Some(d("1234")));
        assert!(
            r.warnings.iter().any(|w| w.contains("thousands")),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn both_decimal_marks_in_one_file() {
        let csv = "month;market;category;volume;cost\n2026-10;Brasil;marketing;1;0,5\n2026-10;Brasil;utility;1;0.25\n";
        let (_, s) = err("x.csv", csv.as_bytes());
        assert!(
            s.contains("x.csv:3: field `cost` = \"0.25\"") && s.contains("line 2"),
            "{s}"
        );
        let csv = "month;market;category;volume;cost\n2026-10;Brasil;marketing;1;0,5\n2026-10;Brasil;utility;1.5;1\n";
        let (_, s) = err("x.csv", csv.as_bytes());
        assert!(s.contains("x.csv:3: field `volume` = \"1.5\""), "{s}");
    }

    #[test]
    fn months_as_spreadsheets_write_them() {
        for (s, day_first, want) in [
            ("2026-10", false, "2026-10"),
            ("2026-10-31", false, "2026-10"),
            ("2026-10-01T00:00:00Z", false, "2026-10"),
            ("2026/10", false, "2026-10"),
            ("10/2026", false, "2026-10"),
            ("out/2026", true, "2026-10"),
            ("out/26", true, "2026-10"),
            ("Outubro 2026", true, "2026-10"),
            ("Oct 2026", false, "2026-10"),
            ("março/2025", true, "2025-03"),
            ("01/10/2026", true, "2026-10"),
            ("01/10/2026 00:00:00", true, "2026-10"),
            ("31/10/2026", false, "2026-10"),
            ("10/31/2026", false, "2026-10"),
            ("01-Oct-2026", false, "2026-10"),
        ] {
            assert_eq!(parse_month(s, day_first).as_deref(), Ok(want), "{s}");
        }
        assert!(matches!(parse_month("01/10/2026", false), Err(Some(_))));
        for bad in ["2026-13", "2026-02-30", "Total", "10", "1999-12", ""] {
            assert!(parse_month(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn crlf_bom_quotes_sep_line_and_totals() {
        let csv = "\u{feff}sep=;\r\nmonth;market;category;volume;cost\r\n\"2026-10\";\"Rest of Latin America\";\"marketing\";\"1.000\";\"R$ 1.234,56\"\r\n\r\nTotal;;;;R$ 1.234,56\r\n2026-10;TOTAL;;;R$ 1.234,56\r\n";
        let r = read_theirs("x.csv", csv.as_bytes()).unwrap();
        assert_eq!(r.points.len(), 1);
        assert_eq!(r.points[0].line, Some(3));
        assert_eq!(r.points[0].market.as_deref(), Some("Rest of Latin America"));
        assert_eq!(r.points[0].volume, 1000);
        assert_eq!(r.points[0].cost, Some(d("1234.56")));
        assert!(
            r.warnings.iter().any(|w| w.contains("total row")
                && w.starts_with("x.csv: skipped")
                && w.contains("2 times; first at line 5")),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn windows_1252_export() {
        let mut bytes = b"m\xEAs;mercado;categoria;volume;custo\r\n".to_vec();
        bytes.extend_from_slice(b"2026-10;Brasil;Servi\xE7o;5;R$ 0,18\r\n");
        let r = read_theirs("latin1.csv", &bytes).unwrap();
        assert_eq!(r.points[0].category, Some(Category::Service));
        assert_eq!(r.points[0].category_raw, "Serviço");
        assert!(r.warnings[0].contains("Windows-1252"));
    }

    #[test]
    fn unknown_invoice_category_and_blank_cost() {
        let csv = "month,market,category,volume,cost\n2026-10,Brazil,Marketing Lite,4,\n2026-10,Brazil,marketing,4,-\n";
        let r = read_theirs("x.csv", csv.as_bytes()).unwrap();
        assert_eq!(r.points[0].category, None);
        assert_eq!(r.points[0].category_raw, "Marketing Lite");
        assert_eq!((r.points[0].cost, r.points[1].cost), (None, None));
        let w = r.warnings.join("\n");
        assert!(
            w.contains("\"Marketing Lite\"") && w.contains("2 times"),
            "{w}"
        );
    }

    #[test]
    fn duplicate_columns() {
        let (e, _) = err("x.csv", b"month,market,category,volume,cost,Cost\n");
        assert!(
            matches!(e, TheirError::DuplicateColumn { column: "cost", .. }),
            "{e:?}"
        );
        // A better-ranked alias wins over a weaker one.
        let r = read_theirs("x.csv", b"month,date,market,category,type,volume,cost\n2026-10,2026-09-01,Brazil,utility,REGULAR,1,0.01\n").unwrap();
        assert_eq!(r.points[0].month.as_deref(), Some("2026-10"));
        assert_eq!(r.points[0].category, Some(Category::Utility));
    }

    #[test]
    fn excel_unicode_text_export() {
        let text =
            "Month\tMarket\tCategory\tVolume\tCost\r\n2026-10\tBrazil\tmarketing\t2\t0.125\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let r = read_theirs("unicode.txt", &bytes).unwrap();
        assert_eq!(r.points[0].cost, Some(d("0.125")));
        assert_eq!(r.points[0].line, Some(2));
    }

    #[test]
    fn header_only_invoice() {
        let r = read_theirs("x.csv", b"month,market,category,volume,cost\n").unwrap();
        assert!(r.points.is_empty());
        assert!(r.warnings[0].contains("no lines"));
    }

    #[test]
    fn csv_that_is_not_an_invoice() {
        let (_, s) = err(
            "log.csv",
            b"timestamp,direction,to,template\n2026-10-01T10:00:00Z,out,5511999990000,promo\n",
        );
        assert!(
            s.contains("no `month` column") && s.contains("timestamp, direction, to, template"),
            "{s}"
        );
    }
}
