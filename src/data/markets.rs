//! The dated map from E.164 prefixes to Meta's markets. Meta prices by the
//! recipient's calling code (and NANP area code), so this is a longest-prefix
//! table, CGRateS-style, with one snapshot per effective date.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{data_records, DataError};
use crate::model::phone::E164;
use crate::model::time::parse_date;

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
    calling: PrefixTable,
    calling_countries: Vec<([u8; 2], String)>,
    snapshots: Vec<Snapshot>,
    other: MarketId,
}

fn iso2(s: &str) -> Option<[u8; 2]> {
    let b = s.trim().as_bytes();
    (b.len() == 2 && b.iter().all(u8::is_ascii_uppercase)).then(|| [b[0], b[1]])
}

impl MarketMap {
    pub fn load(calling_codes: &str, markets: &str) -> Result<MarketMap, DataError> {
        let mut map = MarketMap {
            names: Vec::new(),
            by_name: HashMap::new(),
            calling: PrefixTable::new(),
            calling_countries: Vec::new(),
            snapshots: Vec::new(),
            other: 0,
        };
        map.other = map.intern("Other");
        let f = "calling_codes.csv";
        for r in data_records(f, calling_codes, &["prefix", "country", "name"])? {
            let (line, rec) = r?;
            let country = iso2(&rec[1]).ok_or_else(|| {
                DataError::at(
                    f,
                    line,
                    format!("country {:?} is not an ISO 3166 alpha-2 code", &rec[1]),
                )
            })?;
            let idx = map.calling_countries.len() as u32;
            map.calling_countries
                .push((country, rec[2].trim().to_string()));
            if !map.calling.insert(rec[0].trim(), idx) {
                return Err(DataError::at(
                    f,
                    line,
                    format!("prefix {:?} must be 1 to 4 digits", &rec[0]),
                ));
            }
        }
        let f = "markets.csv";
        let mut rows: Vec<(NaiveDate, String, [u8; 2], MarketId, u64)> = Vec::new();
        for r in data_records(
            f,
            markets,
            &["effective_from", "prefix", "country", "market", "source"],
        )? {
            let (line, rec) = r?;
            let from = parse_date(&rec[0]).ok_or_else(|| {
                DataError::at(
                    f,
                    line,
                    format!("effective_from {:?} is not a YYYY-MM-DD date", &rec[0]),
                )
            })?;
            let country = iso2(&rec[2]).ok_or_else(|| {
                DataError::at(
                    f,
                    line,
                    format!("country {:?} is not an ISO 3166 alpha-2 code", &rec[2]),
                )
            })?;
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
            let id = map.intern(market);
            rows.push((from, rec[1].trim().to_string(), country, id, line));
        }
        rows.sort_by_key(|r| r.0);
        for (from, prefix, country, id, line) in rows {
            if map.snapshots.last().map(|s| s.from) != Some(from) {
                map.snapshots.push(Snapshot {
                    from,
                    table: PrefixTable::new(),
                    entries: Vec::new(),
                });
            }
            let Some(snap) = map.snapshots.last_mut() else {
                continue;
            };
            let idx = snap.entries.len() as u32;
            if PrefixTable::slot(&prefix).is_some_and(|i| snap.table.slots[i].is_some()) {
                return Err(DataError::at(
                    f,
                    line,
                    format!("prefix {prefix} listed twice for {from}"),
                ));
            }
            if !snap.table.insert(&prefix, idx) {
                return Err(DataError::at(
                    f,
                    line,
                    format!("prefix {prefix:?} must be 1 to 4 digits"),
                ));
            }
            snap.entries.push((country, id));
        }
        if map.snapshots.is_empty() {
            return Err(DataError::File {
                file: f.into(),
                msg: "no rows".into(),
            });
        }
        Ok(map)
    }

    /// Interns a market name (also used by rate files for their names).
    pub(crate) fn intern(&mut self, name: &str) -> MarketId {
        if let Some(&id) = self.by_name.get(name) {
            return id;
        }
        let id = self.names.len() as MarketId;
        self.names.push(name.to_string());
        self.by_name.insert(name.to_string(), id);
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

    /// Finds a market by name, ignoring case and `&`/`and`.
    pub fn find_name(&self, s: &str) -> Option<MarketId> {
        let norm = |x: &str| x.to_ascii_lowercase().replace(" and ", " & ");
        let want = norm(s.trim());
        self.names
            .iter()
            .position(|n| norm(n) == want)
            .map(|i| i as MarketId)
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
    /// follows from its first [`MAX_PREFIX`] digits and the snapshot, and
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
}
