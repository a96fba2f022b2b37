//! Meta's `pricing_analytics` (per-message pricing, from 2025-07-01) and
//! `conversation_analytics` (conversation-based pricing, before) Graph API
//! responses.
//!
//! Accepted: the field response `{"pricing_analytics":{"data":[{"data_points":[…]}],
//! "paging":{…}},"id":"…"}`, the edge response `{"data":[{"data_points":[…]}],"paging":{…}}`,
//! several of those concatenated (pages saved one after another, or JSON Lines), a JSON
//! array of pages, and bare data points one per line. A response saved with `curl -i`
//! (HTTP headers first) is accepted too. Pricing and conversation points are told apart
//! by their keys (`volume`/`pricing_category` vs `conversation`/`conversation_category`).

use std::str::FromStr;

use chrono::DateTime;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};

use super::figures::{
    normalise_type, CurrencySeen, Source, TheirError, TheirPoint, TheirReport, Warnings,
    KNOWN_TYPES,
};
use super::toolkit::category::{group_category, parse_category};
use crate::model::{currency, Category};

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

pub(super) fn read_json(
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
    r.documents(body, base)?;
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

/// Why a point is not one of `pricing_analytics` or `conversation_analytics`.
fn not_a_pricing_point(map: &Map<String, Value>, own: Option<Source>) -> Option<&'static str> {
    if has_any(map, &PRICING_KEYS) && has_any(map, &CONVERSATION_KEYS) {
        return Some(
            "the data point mixes pricing_analytics keys (volume, pricing_category, \
             pricing_type, tier) with conversation_analytics keys (conversation, \
             conversation_category, conversation_type, conversation_direction)",
        );
    }
    if own.is_none() && map.contains_key("template_id") {
        return Some(
            "this data point is from `template_analytics` (per template, no market or \
             category); ask Meta for `pricing_analytics` instead",
        );
    }
    if own.is_none() && has_any(map, &LEGACY_KEYS) {
        return Some(
            "this data point is from the messaging `analytics` field (sent/delivered, \
             no cost); ask Meta for `pricing_analytics` instead",
        );
    }
    None
}

/// The keys a data point of each kind gives its category, pricing type
/// and volume under.
struct PointKeys {
    category: &'static str,
    pricing_type: &'static str,
    volume: &'static str,
}

impl PointKeys {
    fn of(source: Source) -> PointKeys {
        let (category, pricing_type, volume) = match source {
            Source::ConversationAnalytics => {
                ("conversation_category", "conversation_type", "conversation")
            }
            _ => ("pricing_category", "pricing_type", "volume"),
        };
        PointKeys {
            category,
            pricing_type,
            volume,
        }
    }
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

    /// Every JSON document of the file, one after another; `base` bytes
    /// (a BOM, HTTP headers) came before `body`.
    fn documents(&mut self, body: &[u8], base: usize) -> Result<(), TheirError> {
        let mut stream = serde_json::Deserializer::from_slice(body).into_iter::<Value>();
        let mut doc_no = 0usize;
        loop {
            let after_last = stream.byte_offset();
            let start = body
                .get(after_last..)
                .and_then(|rest| rest.iter().position(|b| !b.is_ascii_whitespace()))
                .map_or(body.len(), |i| after_last + i);
            match stream.next() {
                None => return Ok(()),
                Some(Ok(value)) => {
                    doc_no += 1;
                    let at = format!("JSON document {doc_no} (byte {})", base + start);
                    self.document(value, &at)?;
                }
                Some(Err(e)) => return Err(json_syntax_error(self.file, body, base, start, &e)),
            }
        }
    }

    fn document(&mut self, value: Value, at: &str) -> Result<(), TheirError> {
        match value {
            Value::Object(map) => self.object(map, at, None),
            Value::Array(items) => self.pages(items, at),
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

    /// A JSON array of pages, or of bare data points.
    fn pages(&mut self, items: Vec<Value>, at: &str) -> Result<(), TheirError> {
        if items.is_empty() {
            self.warnings.add("empty JSON array".to_string(), at);
        }
        let hint = sibling_hint(&items);
        self.objects(
            items,
            |i| format!("{at}, [{i}]"),
            hint,
            |other| {
                format!(
                    "found {}, expected a response page (a JSON object)",
                    kind(other)
                )
            },
        )
    }

    /// Reads each element of `items` as an object (a page or an element of
    /// `data`); `at(i)` names element `i`, `not_object` explains one that
    /// is not an object.
    fn objects(
        &mut self,
        items: Vec<Value>,
        at: impl Fn(usize) -> String,
        hint: Option<Source>,
        not_object: impl Fn(&Value) -> String,
    ) -> Result<(), TheirError> {
        for (i, item) in items.into_iter().enumerate() {
            let at = at(i);
            match item {
                Value::Object(map) => self.object(map, &at, hint)?,
                other => return Err(self.shape(&at, not_object(&other))),
            }
        }
        Ok(())
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
        self.page_currency(&map, at)?;
        if self.nested(&mut map, at, hint)? {
            return Ok(());
        }
        if looks_like_point(&map) || has_any(&map, &LEGACY_KEYS) {
            return self.point(&map, at, hint);
        }
        self.no_analytics(&map, at)
    }

    /// The WABA `currency` field next to the analytics.
    fn page_currency(&mut self, map: &Map<String, Value>, at: &str) -> Result<(), TheirError> {
        match map.get("currency") {
            Some(Value::String(s)) if currency::is_code_shape(s.trim()) => {
                let code = s.trim().to_ascii_uppercase();
                self.currency.see(self.file, &code, at)
            }
            None | Some(Value::Null) => Ok(()),
            Some(other) => Err(self.field_error(
                at,
                "currency",
                other,
                "expected an ISO 4217 code such as \"BRL\" or \"USD\"",
            )),
        }
    }

    /// Reads the `pricing_analytics`, `conversation_analytics`, `data` and
    /// `data_points` of a page; whether it has any of them.
    fn nested(
        &mut self,
        map: &mut Map<String, Value>,
        at: &str,
        hint: Option<Source>,
    ) -> Result<bool, TheirError> {
        let mut found = false;
        for (key, source) in [
            ("pricing_analytics", Source::PricingAnalytics),
            ("conversation_analytics", Source::ConversationAnalytics),
        ] {
            if let Some(v) = map.remove(key) {
                found = true;
                self.analytics_field(v, &format!("{at}, {key}"), key, source)?;
            }
        }
        if let Some(v) = map.remove("data") {
            found = true;
            self.data_field(v, &format!("{at}, data"), hint)?;
        }
        if let Some(v) = map.remove("data_points") {
            found = true;
            self.data_points(v, &format!("{at}, data_points"), hint)?;
        }
        Ok(found)
    }

    /// The `pricing_analytics` or `conversation_analytics` field.
    fn analytics_field(
        &mut self,
        v: Value,
        at: &str,
        key: &str,
        source: Source,
    ) -> Result<(), TheirError> {
        match v {
            Value::Object(inner) => self.object(inner, at, Some(source)),
            Value::Array(data) => self.data(data, at, Some(source)),
            Value::Null => Ok(()),
            other => Err(self.field_error(
                at,
                key,
                &other,
                "expected an object {\"data\":[{\"data_points\":[...]}]}",
            )),
        }
    }

    /// A page's `data` field.
    fn data_field(&mut self, v: Value, at: &str, hint: Option<Source>) -> Result<(), TheirError> {
        match v {
            Value::Array(data) => self.data(data, at, hint),
            other => Err(self.field_error(
                at,
                "data",
                &other,
                "expected an array [{\"data_points\":[...]}]",
            )),
        }
    }

    /// An object with no analytics in it: what it is instead, or a warning
    /// for a WABA node Meta sent without the field.
    fn no_analytics(&mut self, map: &Map<String, Value>, at: &str) -> Result<(), TheirError> {
        if map.contains_key("analytics") {
            return Err(self.shape(
                at,
                "this is the messaging `analytics` field (sent/delivered counts, no cost); \
                 ask Meta for `pricing_analytics` (or `conversation_analytics` before July 2025)",
            ));
        }
        if has_any(map, &["entry", "object", "statuses", "messages"]) {
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
        self.objects(
            data,
            |i| format!("{at}[{i}]"),
            hint,
            |other| {
                format!(
                    "found {} ({}), expected an object {{\"data_points\":[...]}}",
                    kind(other),
                    show(other)
                )
            },
        )
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
        let source = self.point_source(map, at, hint)?;
        let keys = PointKeys::of(source);
        let start = self.time(map, "start", at)?;
        let end = self.time(map, "end", at)?;
        let country = self.text(map, "country", at)?;
        let phone_number = self.text(map, "phone_number", at)?;
        let tier = self.text(map, "tier", at)?;
        let category_raw = self.text(map, keys.category, at)?.unwrap_or_default();
        let pricing_type = self
            .text(map, keys.pricing_type, at)?
            .map(|t| normalise_type(&t));
        let category = self.category(&category_raw, keys.category, at);
        self.check_type(pricing_type.as_deref(), keys.pricing_type, at);
        self.check_country(country.as_deref(), at);
        let volume = self.volume(map, source, keys.volume, at)?;
        let cost = self.cost(map, at)?;
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

    /// Whether a data point is a pricing or a conversation one: by its own
    /// keys, else by its response or siblings (`hint`).
    fn point_source(
        &self,
        map: &Map<String, Value>,
        at: &str,
        hint: Option<Source>,
    ) -> Result<Source, TheirError> {
        let own = point_kind(map);
        if let Some(why) = not_a_pricing_point(map, own) {
            return Err(self.shape(at, why));
        }
        match (own, hint) {
            (Some(o), Some(h)) if o != h => Err(self.shape(
                at,
                format!(
                    "a {} data point inside a {} response",
                    o.as_str(),
                    h.as_str()
                ),
            )),
            (Some(s), _) | (None, Some(s)) => Ok(s),
            (None, None) => Err(self.shape(
                at,
                "cannot tell a pricing_analytics point (volume, pricing_category, …) from \
                 a conversation_analytics point (conversation, conversation_category, …); \
                 save the whole response, with its pricing_analytics or \
                 conversation_analytics key",
            )),
        }
    }

    /// The point's category; a warning when it has none or one wacost does
    /// not price.
    fn category(&mut self, raw: &str, key: &str, at: &str) -> Option<Category> {
        if raw.is_empty() {
            self.warnings.add(
                format!(
                    "data points without `{key}`: ask Meta with dimensions \
                     {} to reconcile by category",
                    key.to_ascii_uppercase()
                ),
                at,
            );
            return None;
        }
        if let Some(base) = group_category(raw) {
            self.warnings.add(
                "data points in group categories (GROUP_MARKETING, ...): reconciled with \
                 their category, as Meta bills a group message at its category's rate per \
                 member delivered (Groups API Pricing)"
                    .to_string(),
                at,
            );
            return Some(base);
        }
        let c = parse_category(raw);
        if c.is_none() && raw.eq_ignore_ascii_case("marketing_lite") {
            self.warnings.add(
                "data points in category MARKETING_LITE: counted as marketing under \
                 per-message pricing (Cloud API marketing rates from July 2025), not priced before"
                    .to_string(),
                at,
            );
        } else if c.is_none() {
            self.warnings.add(
                format!(
                    "data points in category {raw}, which wacost does not price; \
                     kept without a category"
                ),
                at,
            );
        }
        c
    }

    /// Warns of a pricing type Meta does not document.
    fn check_type(&mut self, pricing_type: Option<&str>, key: &str, at: &str) {
        if let Some(t) = pricing_type {
            if !KNOWN_TYPES.contains(&t) {
                self.warnings
                    .add(format!("data points with unknown {key} {t}"), at);
            }
        }
    }

    /// Warns that points without a country cannot be reconciled by market.
    fn check_country(&mut self, country: Option<&str>, at: &str) {
        if country.is_none() {
            self.warnings.add(
                "data points without `country`: ask Meta with dimensions COUNTRY to \
                 reconcile by market"
                    .to_string(),
                at,
            );
        }
    }

    /// Messages or conversations; 0, with a warning, when Meta left them out.
    fn volume(
        &mut self,
        map: &Map<String, Value>,
        source: Source,
        key: &str,
        at: &str,
    ) -> Result<u64, TheirError> {
        let Some(v) = map.get(key).filter(|v| !v.is_null()) else {
            let metric = if source == Source::ConversationAnalytics {
                "CONVERSATION"
            } else {
                "VOLUME"
            };
            self.warnings.add(
                format!(
                    "data points without `{key}` (metric_types left out {metric}); \
                     counted as 0"
                ),
                at,
            );
            return Ok(0);
        };
        count_from_json(v).ok_or_else(|| {
            self.field_error(
                at,
                key,
                v,
                "expected a whole number of messages or conversations, 0 or more",
            )
        })
    }

    /// The cost; `None`, with a warning, when Meta left it out.
    fn cost(&mut self, map: &Map<String, Value>, at: &str) -> Result<Option<Decimal>, TheirError> {
        let v = match map.get("cost") {
            None | Some(Value::Null) => {
                self.warnings.add(
                    "data points without `cost`: Meta leaves COST out for WABAs on a \
                     Solution Partner's credit line (or when metric_types omits COST); \
                     their cost is unknown"
                        .to_string(),
                    at,
                );
                return Ok(None);
            }
            Some(v) => v,
        };
        let (cost, expected) = match v {
            Value::Number(n) => (decimal_from_number(n), "expected an amount"),
            Value::String(s) => (decimal_from_text(s), "expected an amount such as 0.4375"),
            _ => (None, "expected an amount such as 0.4375"),
        };
        cost.map(Some)
            .ok_or_else(|| self.field_error(at, "cost", v, expected))
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
            Value::String(s) => time_from_text(s.trim()),
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

/// Unix seconds written as text: digits, RFC 3339 or a Graph date-time.
fn time_from_text(s: &str) -> Option<i64> {
    s.parse::<i64>()
        .ok()
        .or_else(|| DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp()))
        .or_else(|| {
            DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
                .ok()
                .map(|d| d.timestamp())
        })
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

#[cfg(test)]
mod tests;
