//! The dated map from E.164 prefixes to Meta's markets. Meta prices by the
//! recipient's calling code (and NANP area code), so this is a longest-prefix
//! table, CGRateS-style, with one snapshot per effective date.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{data_records, effective_from, DataError};
use crate::model::phone::E164;

/// Index of a market name (dense, for per-market arrays).
pub type MarketId = u16;

/// The longest prefix we look up: NANP `1` + area code.
const MAX_PREFIX: usize = 4;

/// Dense longest-prefix table: one slot per prefix of 1..=4 digits.
#[derive(Debug, Clone)]
struct PrefixTable {
    slots: Vec<Option<u32>>,
}

const OFFSETS: [usize; MAX_PREFIX + 1] = [0, 0, 10, 110, 1110];

impl PrefixTable {
    fn new() -> PrefixTable {
        PrefixTable {
            slots: vec![None; 11110],
        }
    }

    fn slot(prefix: &str) -> Option<usize> {
        let len = prefix.len();
        if !(1..=MAX_PREFIX).contains(&len) || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: usize = prefix.parse().ok()?;
        Some(OFFSETS[len] + v)
    }

    fn insert(&mut self, prefix: &str, value: u32) -> bool {
        match Self::slot(prefix) {
            Some(i) => {
                self.slots[i] = Some(value);
                true
            }
            None => false,
        }
    }

    /// Longest match: (value, prefix length).
    fn lookup(&self, digits: u64, ndigits: usize) -> Option<(u32, usize)> {
        let (p, len) = leading(digits, ndigits);
        self.lookup_leading(p, len)
    }

    /// Longest prefix of `p`, the first `len` (at most [`MAX_PREFIX`]) digits.
    fn lookup_leading(&self, mut p: u64, mut len: usize) -> Option<(u32, usize)> {
        while len >= 1 {
            if let Some(v) = self.slots[OFFSETS[len] + p as usize] {
                return Some((v, len));
            }
            p /= 10;
            len -= 1;
        }
        None
    }
}

#[derive(Debug, Clone)]
struct Snapshot {
    from: NaiveDate,
    table: PrefixTable,
    /// (country, market) per table value.
    entries: Vec<([u8; 2], MarketId)>,
}

impl Snapshot {
    /// Adds one markets.csv row; a prefix listed twice on a date is an error.
    fn add(&mut self, row: MarketRow) -> Result<(), DataError> {
        let (prefix, from) = (&row.prefix, row.from);
        let idx = self.entries.len() as u32;
        if PrefixTable::slot(prefix).is_some_and(|i| self.table.slots[i].is_some()) {
            return Err(DataError::at(
                MARKETS_FILE,
                row.line,
                format!("prefix {prefix} listed twice for {from}"),
            ));
        }
        if !self.table.insert(prefix, idx) {
            return Err(DataError::at(
                MARKETS_FILE,
                row.line,
                format!("prefix {prefix:?} must be 1 to 4 digits"),
            ));
        }
        self.entries.push((row.country, row.market));
        Ok(())
    }
}

/// Markets found per leading digits, for one snapshot (see
/// [`MarketMap::resolve_cached`]).
#[derive(Debug, Clone, Default)]
pub struct ResolveCache {
    /// Snapshot number + 1 the slots are for (0: none yet).
    snapshot: usize,
    /// Per [`MAX_PREFIX`]-digit prefix: index + 1 into `values`, 0 when
    /// not looked up yet (or unknown: errors are not kept).
    slots: Vec<u16>,
    values: Vec<Resolved>,
}

/// Where a number is priced on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub country: [u8; 2],
    pub market: MarketId,
    /// Length of the country calling code (for masking).
    pub cc_len: usize,
}

impl Resolved {
    pub fn country_str(&self) -> &str {
        std::str::from_utf8(&self.country).unwrap_or("??")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarketError {
    #[error("no market map in force on {date} (the earliest starts {earliest}); supply one with --pricing DIR")]
    NoSnapshot {
        date: NaiveDate,
        earliest: NaiveDate,
    },
    #[error("number starts with no assigned country calling code")]
    UnknownCallingCode,
}

#[derive(Debug, Clone)]
pub struct MarketMap {
    names: Vec<String>,
    by_name: HashMap<String, MarketId>,
    /// [`market_key`] of every name and alias: what [`MarketMap::find_name`] looks up.
    by_key: HashMap<String, MarketId>,
    calling: PrefixTable,
    calling_countries: Vec<([u8; 2], String)>,
    snapshots: Vec<Snapshot>,
    other: MarketId,
}

fn iso2(s: &str) -> Option<[u8; 2]> {
    let b = s.trim().as_bytes();
    (b.len() == 2 && b.iter().all(u8::is_ascii_uppercase)).then(|| [b[0], b[1]])
}

/// One row of markets.csv, before the rows are grouped into snapshots.
struct MarketRow {
    from: NaiveDate,
    prefix: String,
    country: [u8; 2],
    market: MarketId,
    line: u64,
}

/// The ISO country of a cell, or an error naming the file and line.
fn country_at(file: &str, line: u64, cell: &str) -> Result<[u8; 2], DataError> {
    iso2(cell).ok_or_else(|| {
        DataError::at(
            file,
            line,
            format!("country {cell:?} is not an ISO 3166 alpha-2 code"),
        )
    })
}

/// Comparison key for market names: lower case, `&` = `and`, punctuation and a
/// leading or inner "the" ignored, hyphens and slashes as spaces, footnote marks
/// dropped (`Rest of the Middle-East*` and `rest of middle east` are one key).
pub fn market_key(name: &str) -> String {
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

const MARKETS_FILE: &str = "markets.csv";
const CALLING_FILE: &str = "calling_codes.csv";

impl MarketMap {
    pub fn load(calling_codes: &str, markets: &str) -> Result<MarketMap, DataError> {
        let mut map = MarketMap {
            names: Vec::new(),
            by_name: HashMap::new(),
            by_key: HashMap::new(),
            calling: PrefixTable::new(),
            calling_countries: Vec::new(),
            snapshots: Vec::new(),
            other: 0,
        };
        map.other = map.intern("Other");
        map.load_calling_codes(calling_codes)?;
        let rows = map.market_rows(markets)?;
        map.add_snapshots(rows)?;
        Ok(map)
    }

    /// calling_codes.csv: every assigned ITU calling code and its country.
    fn load_calling_codes(&mut self, text: &str) -> Result<(), DataError> {
        let f = CALLING_FILE;
        for r in data_records(f, text, &["prefix", "country", "name"])? {
            let (line, rec) = r?;
            let country = country_at(f, line, &rec[1])?;
            let idx = self.calling_countries.len() as u32;
            self.calling_countries
                .push((country, rec[2].trim().to_string()));
            if !self.calling.insert(rec[0].trim(), idx) {
                return Err(DataError::at(
                    f,
                    line,
                    format!("prefix {:?} must be 1 to 4 digits", &rec[0]),
                ));
            }
        }
        Ok(())
    }

    /// markets.csv's rows, their market names interned, sorted by date.
    fn market_rows(&mut self, text: &str) -> Result<Vec<MarketRow>, DataError> {
        let want = ["effective_from", "prefix", "country", "market", "source"];
        let mut rows = Vec::new();
        for r in data_records(MARKETS_FILE, text, &want)? {
            let (line, rec) = r?;
            rows.push(self.market_row(line, &rec)?);
        }
        rows.sort_by_key(|r| r.from);
        Ok(rows)
    }

    fn market_row(&mut self, line: u64, rec: &csv::StringRecord) -> Result<MarketRow, DataError> {
        let f = MARKETS_FILE;
        let from = effective_from(f, line, &rec[0])?;
        let country = country_at(f, line, &rec[2])?;
        let market = rec[3].trim();
        if market.is_empty() {
            return Err(DataError::at(f, line, "empty market"));
        }
        if rec[4].trim().is_empty() {
            return Err(DataError::at(
                f,
                line,
                "empty source: every row names where it came from",
            ));
        }
        Ok(MarketRow {
            from,
            prefix: rec[1].trim().to_string(),
            country,
            market: self.intern(market),
            line,
        })
    }

    /// Groups date-sorted rows into one snapshot per effective date.
    fn add_snapshots(&mut self, rows: Vec<MarketRow>) -> Result<(), DataError> {
        for row in rows {
            if self.snapshots.last().map(|s| s.from) != Some(row.from) {
                self.snapshots.push(Snapshot {
                    from: row.from,
                    table: PrefixTable::new(),
                    entries: Vec::new(),
                });
            }
            if let Some(snap) = self.snapshots.last_mut() {
                snap.add(row)?;
            }
        }
        if self.snapshots.is_empty() {
            return Err(DataError::File {
                file: MARKETS_FILE.into(),
                msg: "no rows".into(),
            });
        }
        Ok(())
    }

    /// Loads market_aliases.csv (`alias,market,source`): other spellings of
    /// markets seen on rate cards and invoices (`UAE`, `Rest of LatAm`), each
    /// naming a market exactly as markets.csv writes it.
    pub fn load_aliases(&mut self, file: &str, text: &str) -> Result<(), DataError> {
        for r in data_records(file, text, &["alias", "market", "source"])? {
            let (line, rec) = r?;
            let at = |msg: String| DataError::at(file, line, msg);
            self.add_alias(rec[0].trim(), rec[1].trim(), rec[2].trim())
                .map_err(at)?;
        }
        Ok(())
    }

    fn add_alias(&mut self, alias: &str, market: &str, source: &str) -> Result<(), String> {
        let quote = crate::model::redact::quote_field;
        let id = self.id(market).ok_or_else(|| {
            format!(
                "market {} (of alias {}) is not in markets.csv; expected a market name exactly as markets.csv writes it, such as United Arab Emirates",
                quote(market),
                quote(alias)
            )
        })?;
        if source.is_empty() {
            return Err("empty source: every alias names where it was seen".into());
        }
        let key = self.free_key(alias, id)?;
        self.by_key.entry(key).or_insert(id);
        Ok(())
    }

    /// The [`market_key`] of a new alias of market `id`: not empty, and not
    /// already a spelling of another market.
    fn free_key(&self, alias: &str, id: MarketId) -> Result<String, String> {
        let quote = crate::model::redact::quote_field;
        let key = market_key(alias);
        if key.is_empty() {
            return Err(format!(
                "alias {} is empty once case and punctuation are ignored; expected a market spelling such as UAE",
                quote(alias)
            ));
        }
        match self.by_key.get(&key) {
            Some(&other) if other != id => Err(format!(
                "alias {} already names {}; expected each spelling to name one market",
                quote(alias),
                self.name(other)
            )),
            _ => Ok(key),
        }
    }

    /// Interns a market name (also used by rate files for their names).
    pub(crate) fn intern(&mut self, name: &str) -> MarketId {
        if let Some(&id) = self.by_name.get(name) {
            return id;
        }
        let id = self.names.len() as MarketId;
        self.names.push(name.to_string());
        self.by_name.insert(name.to_string(), id);
        self.by_key.entry(market_key(name)).or_insert(id);
        id
    }

    pub fn name(&self, id: MarketId) -> &str {
        self.names.get(id as usize).map_or("?", String::as_str)
    }

    pub fn id(&self, name: &str) -> Option<MarketId> {
        self.by_name.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Finds a market by any of its spellings: its name or an alias of
    /// market_aliases.csv, compared by [`market_key`] (case, `&`/`and`,
    /// punctuation, footnote marks and "the" ignored). The one market-name
    /// lookup: rate-card import, plans, `--market`, invoices.
    pub fn find_name(&self, s: &str) -> Option<MarketId> {
        let key = market_key(s);
        if key.is_empty() {
            return None;
        }
        self.by_key.get(&key).copied()
    }

    /// Effective dates of the snapshots.
    pub fn snapshot_dates(&self) -> Vec<NaiveDate> {
        self.snapshots.iter().map(|s| s.from).collect()
    }

    /// Markets listed (or reachable as `Other`) in the snapshot in force on `date`.
    pub fn markets_on(&self, date: NaiveDate) -> Vec<MarketId> {
        let Some(s) = self.snapshot(date) else {
            return Vec::new();
        };
        let mut v: Vec<MarketId> = s.entries.iter().map(|e| e.1).collect();
        v.push(self.other);
        v.sort_unstable();
        v.dedup();
        v
    }

    fn snapshot(&self, date: NaiveDate) -> Option<&Snapshot> {
        self.snapshot_number(date)
            .checked_sub(1)
            .map(|i| &self.snapshots[i])
    }

    /// Snapshots in force on or before `date`: the one in force is the
    /// last of them (0: none).
    fn snapshot_number(&self, date: NaiveDate) -> usize {
        self.snapshots.partition_point(|s| s.from <= date)
    }

    /// The market of a number on a local date.
    pub fn resolve(&self, n: E164, date: NaiveDate) -> Result<Resolved, MarketError> {
        let snap = self.snapshot(date).ok_or(MarketError::NoSnapshot {
            date,
            earliest: self.snapshots[0].from,
        })?;
        let v = n.value();
        let (p, len) = leading(v, ndigits(v));
        let (cc_idx, cc_len) = self
            .calling
            .lookup_leading(p, len)
            .ok_or(MarketError::UnknownCallingCode)?;
        let first = p / POW10[len - 1];
        let cc_len = if first == 1 || first == 7 {
            1
        } else {
            cc_len.min(3)
        };
        if let Some((i, _)) = snap.table.lookup_leading(p, len) {
            let (country, market) = snap.entries[i as usize];
            return Ok(Resolved {
                country,
                market,
                cc_len,
            });
        }
        Ok(Resolved {
            country: self.calling_countries[cc_idx as usize].0,
            market: self.other,
            cc_len,
        })
    }

    /// [`MarketMap::resolve`] through `cache`: the market of a number
    /// follows from its first four digits and the snapshot, and
    /// a log's numbers share few of those.
    pub fn resolve_cached(
        &self,
        cache: &mut ResolveCache,
        n: E164,
        date: NaiveDate,
    ) -> Result<Resolved, MarketError> {
        let v = n.value();
        let nd = ndigits(v);
        let snapshot = self.snapshot_number(date);
        if nd < MAX_PREFIX || snapshot == 0 {
            return self.resolve(n, date);
        }
        if cache.snapshot != snapshot {
            cache.snapshot = snapshot;
            cache.slots.clear();
            cache.slots.resize(POW10[MAX_PREFIX] as usize, 0);
            cache.values.clear();
        }
        let p = leading(v, nd).0 as usize;
        match cache.slots.get(p).copied() {
            Some(0) => {
                let r = self.resolve(n, date)?;
                let i = match cache.values.iter().position(|&x| x == r) {
                    Some(i) => i,
                    None => {
                        cache.values.push(r);
                        cache.values.len() - 1
                    }
                };
                cache.slots[p] = u16::try_from(i + 1).unwrap_or(0);
                Ok(r)
            }
            Some(i) => Ok(cache.values[usize::from(i) - 1]),
            None => self.resolve(n, date),
        }
    }

    /// Resolves a calling code or ISO country to a market on a date (for plans).
    pub fn resolve_country(&self, country: &str, date: NaiveDate) -> Option<MarketId> {
        let c = iso2(&country.to_ascii_uppercase())?;
        let snap = self.snapshot(date)?;
        if let Some(e) = snap.entries.iter().find(|e| e.0 == c) {
            return Some(e.1);
        }
        self.calling_countries
            .iter()
            .any(|e| e.0 == c)
            .then_some(self.other)
    }

    /// Resolves a calling code like `+55` or `1787` on a date.
    pub fn resolve_calling_code(&self, code: &str, date: NaiveDate) -> Option<MarketId> {
        let digits = code.trim().trim_start_matches('+');
        if digits.is_empty()
            || digits.len() > MAX_PREFIX
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let snap = self.snapshot(date)?;
        let v: u64 = digits.parse().ok()?;
        // Only an exact prefix row names a market unambiguously.
        let slot = PrefixTable::slot(digits)?;
        if let Some(i) = snap.table.slots[slot] {
            return Some(snap.entries[i as usize].1);
        }
        self.calling
            .lookup(v, digits.len())
            .filter(|&(_, len)| len == digits.len())
            .map(|_| self.other)
    }

    pub fn other(&self) -> MarketId {
        self.other
    }

    /// All market names (for suggestions).
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

pub(crate) fn ndigits(v: u64) -> usize {
    // Numbers have 7 to 15 digits: count from the top of the table.
    POW10[1..].iter().take_while(|&&p| v >= p).count() + 1
}

/// The first `min(nd, MAX_PREFIX)` digits of the `nd`-digit number `v`
/// (one division instead of one per digit).
fn leading(v: u64, nd: usize) -> (u64, usize) {
    if nd <= MAX_PREFIX {
        (v, nd)
    } else {
        (v / POW10[nd - MAX_PREFIX], MAX_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_date;

    #[test]
    fn cached_resolution_agrees_with_resolve() {
        let pricing = crate::data::Pricing::bundled().unwrap();
        let map = &pricing.markets;
        let mut cache = ResolveCache::default();
        let mut dates = map.snapshot_dates();
        dates.push(dates[0].pred_opt().unwrap());
        let mut x: u64 = 12345;
        for round in 0..3 {
            for &date in &dates {
                for _ in 0..3000 {
                    x = crate::hash::mix64(x);
                    // 7 to 15 digits, any leading digits.
                    let n = E164::from_digits_value(x % POW10[7 + (x >> 60) as usize % 9]);
                    assert_eq!(
                        map.resolve_cached(&mut cache, n, date),
                        map.resolve(n, date),
                        "{n:?} on {date} (round {round})"
                    );
                }
            }
        }
    }

    #[test]
    fn digits_and_leading_digits() {
        assert_eq!(ndigits(0), 1);
        assert_eq!(ndigits(9), 1);
        assert_eq!(ndigits(10), 2);
        assert_eq!(ndigits(5511912345678), 13);
        assert_eq!(ndigits(999_999_999_999_999), 15);
        assert_eq!(ndigits(u64::MAX), 20);
        assert_eq!(leading(5511912345678, 13), (5511, 4));
        assert_eq!(leading(123, 3), (123, 3));
        assert_eq!(leading(1234, 4), (1234, 4));
    }

    const CC: &str = "prefix,country,name\n1,US,United States\n1787,PR,Puerto Rico\n55,BR,Brazil\n7,RU,Russia\n76,KZ,Kazakhstan\n77,KZ,Kazakhstan\n352,LU,Luxembourg\n263,ZW,Zimbabwe\n";
    const MK: &str = "effective_from,prefix,country,market,source\n\
2023-06-01,1,US,North America,t\n2023-06-01,1787,PR,Rest of Latin America,t\n2023-06-01,55,BR,Brazil,t\n2023-06-01,7,RU,Russia,t\n\
2025-10-01,1,US,North America,t\n2025-10-01,1787,PR,Rest of Latin America,t\n2025-10-01,55,BR,Brazil,t\n2025-10-01,7,RU,Russia,t\n2025-10-01,263,ZW,Rest of Africa,t\n";

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn longest_prefix_and_dated_moves() {
        let m = MarketMap::load(CC, MK).unwrap();
        let pr = E164::parse("+1 787 555 0100").unwrap();
        let us = E164::parse("+1 415 555 0100").unwrap();
        assert_eq!(
            m.name(m.resolve(pr, d("2026-01-01")).unwrap().market),
            "Rest of Latin America"
        );
        assert_eq!(
            m.name(m.resolve(us, d("2026-01-01")).unwrap().market),
            "North America"
        );
        let zw = E164::parse("+263 77 123 4567").unwrap();
        let before = m.resolve(zw, d("2025-09-30")).unwrap();
        assert_eq!(
            (m.name(before.market), before.country_str()),
            ("Other", "ZW")
        );
        assert_eq!(
            m.name(m.resolve(zw, d("2025-10-01")).unwrap().market),
            "Rest of Africa"
        );
        let lu = E164::parse("+352 621 123 456").unwrap();
        let r = m.resolve(lu, d("2026-01-01")).unwrap();
        assert_eq!(
            (m.name(r.market), r.country_str(), r.cc_len),
            ("Other", "LU", 3)
        );
    }

    #[test]
    fn errors_are_explicit() {
        let m = MarketMap::load(CC, MK).unwrap();
        let br = E164::parse("+55 11 98765 4321").unwrap();
        assert!(matches!(
            m.resolve(br, d("2020-01-01")),
            Err(MarketError::NoSnapshot { .. })
        ));
        let bad = E164::parse("+999 1234 5678").unwrap();
        assert_eq!(
            m.resolve(bad, d("2026-01-01")),
            Err(MarketError::UnknownCallingCode)
        );
    }

    #[test]
    fn plan_references() {
        let m = MarketMap::load(CC, MK).unwrap();
        let day = d("2026-01-01");
        assert_eq!(m.resolve_country("br", day), m.id("Brazil"));
        assert_eq!(m.resolve_calling_code("+55", day), m.id("Brazil"));
        assert_eq!(m.resolve_calling_code("+352", day), Some(m.other()));
        assert_eq!(m.resolve_country("LU", day), Some(m.other()));
        assert_eq!(
            m.find_name("rest of latin america"),
            m.id("Rest of Latin America")
        );
    }

    #[test]
    fn aliases_load_and_name_markets_of_the_map() {
        let mut m = MarketMap::load(CC, MK).unwrap();
        m.load_aliases(
            "market_aliases.csv",
            "alias,market,source\nRest of LatAm,Rest of Latin America,t\n# a comment\nUS & Canada,North America,t\n",
        )
        .unwrap();
        assert_eq!(m.find_name("rest of latam"), m.id("Rest of Latin America"));
        assert_eq!(m.find_name("US and Canada"), m.id("North America"));
        assert_eq!(m.find_name("Atlantis"), None);
    }

    #[test]
    fn an_alias_of_an_unknown_market_is_refused_with_file_and_line() {
        let mut m = MarketMap::load(CC, MK).unwrap();
        let e = m
            .load_aliases(
                "market_aliases.csv",
                "alias,market,source\nUAE,Brazil,t\nKSA,Saudi Arabia,t\n",
            )
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("market_aliases.csv:3:")
                && e.contains("\"Saudi Arabia\"")
                && e.contains("\"KSA\"")
                && e.contains("markets.csv"),
            "{e}"
        );
        for (rows, want) in [
            ("Brasil,Brazil,\n", "empty source"),
            ("Brasil,Brazil,t\nBrasil,Russia,t\n", "already names Brazil"),
            ("russia,Brazil,t\n", "already names Russia"),
            ("...,Brazil,t\n", "empty once case"),
        ] {
            let e = MarketMap::load(CC, MK)
                .unwrap()
                .load_aliases(
                    "market_aliases.csv",
                    &format!("alias,market,source\n{rows}"),
                )
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("market_aliases.csv:") && e.contains(want),
                "{rows}: {e}"
            );
        }
    }

    #[test]
    fn find_name_knows_meta_spellings_of_the_bundled_markets() {
        let pricing = crate::data::Pricing::bundled().unwrap();
        let m = &pricing.markets;
        for (spelling, market) in [
            ("UAE", "United Arab Emirates"),
            ("Rest of LatAm", "Rest of Latin America"),
            (
                "rest of central and eastern europe",
                "Rest of Central & Eastern Europe",
            ),
            ("Türkiye", "Turkey"),
            ("Rest of the Middle-East*", "Rest of Middle East"),
            ("  north   america ", "North America"),
        ] {
            assert_eq!(
                m.find_name(spelling).map(|id| m.name(id)),
                Some(market),
                "{spelling}"
            );
        }
        for unknown in ["", "  ", "Atlantis", "Rest of", "United States"] {
            assert_eq!(m.find_name(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn a_pricing_directory_may_carry_aliases() {
        let dir = tempfile::tempdir().unwrap();
        let bundled = crate::data::bundled::BUNDLED;
        for (rel, text) in bundled.iter().filter(|(p, _)| !p.starts_with("tiers/")) {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        let p = crate::data::Pricing::from_dir(dir.path()).unwrap();
        assert_eq!(p.markets.find_name("KSA"), p.markets.id("Saudi Arabia"));
        std::fs::write(
            dir.path().join("market_aliases.csv"),
            "alias,market,source\nNarnia,Narnia,t\n",
        )
        .unwrap();
        let e = crate::data::Pricing::from_dir(dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("market_aliases.csv:2:") && e.contains("\"Narnia\""),
            "{e}"
        );
        std::fs::remove_file(dir.path().join("market_aliases.csv")).unwrap();
        let p = crate::data::Pricing::from_dir(dir.path()).unwrap();
        assert_eq!(p.markets.find_name("KSA"), None, "the file is optional");
        assert_eq!(
            p.markets.find_name("saudi arabia"),
            p.markets.id("Saudi Arabia")
        );
    }
}
