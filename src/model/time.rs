//! Time: instants are Unix seconds (windows are absolute durations); dates,
//! months and the days rules change are civil dates in the WABA time zone.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// Seconds in an hour, for window lengths given in hours.
pub const HOUR: i64 = 3600;

/// A calendar month, `YYYY-MM`, in the WABA time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Month> {
        let s = s.trim();
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        (1..=12).contains(&month).then_some(Month { year, month })
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The WABA time zone with a cache of the current UTC offset, so that
/// converting millions of sorted instants does not search the zone's
/// transition table each time.
#[derive(Debug, Clone)]
pub struct Zone {
    tz: Tz,
    /// [start, end) of a span known to share `offset`.
    cache: (i64, i64, i32),
}

/// Every UTC offset change from 2000 to 2100, in every zone chrono-tz
/// knows, falls on a whole minute of UTC (tested:
/// `transitions_fall_on_whole_minutes_and_lie_days_apart`). Not on whole
/// hours (Asia/Tehran left DST at 19:30 UTC), not even on quarter hours
/// (America/St_Johns changed at 00:01 local, 03:31 UTC, until 2011).
const MINUTE: i64 = 60;
/// ...and two changes lie more than this apart: an offset equal at both
/// ends of a span this long held through it.
const HORIZON: i64 = 86_400;
/// The years that claim covers, as Unix seconds: outside them, no cache.
const CACHED_FROM: i64 = 946_684_800; // 2000-01-01
const CACHED_UNTIL: i64 = 4_102_444_800; // 2100-01-01

impl Zone {
    pub fn new(tz: Tz) -> Zone {
        Zone {
            tz,
            cache: (1, 0, 0),
        }
    }

    pub fn parse(name: &str) -> Result<Zone, String> {
        name.parse::<Tz>().map(Zone::new).map_err(|_| {
            format!(
                "unknown time zone {name:?}; use an IANA name such as UTC, America/Sao_Paulo, America/Mexico_City, Asia/Kolkata"
            )
        })
    }

    pub fn name(&self) -> &'static str {
        self.tz.name()
    }

    /// The offset (seconds east of UTC) at an instant, from the cache when
    /// the instant lies in the span of the last look-up.
    #[inline]
    pub fn offset_at(&mut self, ts: i64) -> i32 {
        let (start, end, off) = self.cache;
        if ts >= start && ts < end {
            return off;
        }
        self.look_up(ts)
    }

    /// Looks the offset up and caches the span it holds for: from the
    /// minute of `ts` to the next change, or [`HORIZON`] on.
    #[cold]
    fn look_up(&mut self, ts: i64) -> i32 {
        let off = self.direct_offset(ts);
        if !(CACHED_FROM..CACHED_UNTIL - HORIZON).contains(&ts) {
            self.cache = (ts, ts + 1, off);
            return off;
        }
        let start = ts.div_euclid(MINUTE) * MINUTE;
        self.cache = (start, self.next_change(start, off), off);
        off
    }

    /// The first minute after `start` (at most [`HORIZON`] on) whose
    /// offset is not `off`: at most one change lies in the horizon, so the
    /// minutes before it share `off` and a binary search finds it.
    fn next_change(&self, start: i64, off: i32) -> i64 {
        let (mut same, mut other) = (0, HORIZON / MINUTE);
        if self.direct_offset(start + other * MINUTE) == off {
            return start + other * MINUTE;
        }
        while other - same > 1 {
            let mid = (same + other) / 2;
            if self.direct_offset(start + mid * MINUTE) == off {
                same = mid;
            } else {
                other = mid;
            }
        }
        start + other * MINUTE
    }

    /// The offset at an instant from the zone's transition table.
    fn direct_offset(&self, ts: i64) -> i32 {
        use chrono::Offset;
        match DateTime::<Utc>::from_timestamp(ts, 0) {
            Some(utc) => self
                .tz
                .offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc(),
            None => 0,
        }
    }

    /// The civil date of an instant in this zone.
    pub fn local_date(&mut self, ts: i64) -> NaiveDate {
        date_of_day(self.local_day(ts))
    }

    /// The civil date of an instant in this zone, as days since 1970-01-01.
    pub fn local_day(&mut self, ts: i64) -> i64 {
        (ts + i64::from(self.offset_at(ts))).div_euclid(86_400)
    }

    /// The instant at which a civil date starts in this zone (midnight, or
    /// the first instant after a DST gap).
    pub fn start_of(&self, d: NaiveDate) -> i64 {
        let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(t) => t.timestamp(),
            LocalResult::Ambiguous(a, _) => a.timestamp(),
            LocalResult::None => {
                let later = naive + chrono::Duration::hours(1);
                self.tz
                    .from_local_datetime(&later)
                    .earliest()
                    .map(|t| t.timestamp())
                    .unwrap_or_else(|| naive.and_utc().timestamp())
            }
        }
    }

    /// Formats an instant as RFC 3339 in this zone.
    pub fn format(&self, ts: i64) -> String {
        match DateTime::<Utc>::from_timestamp(ts, 0) {
            Some(utc) => utc
                .with_timezone(&self.tz)
                .format("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            None => ts.to_string(),
        }
    }

    /// The instant of a local time in this zone, and what had to be
    /// assumed when a clock change makes it ambiguous (the repeated hour
    /// when clocks go back: the earlier offset) or impossible (the hour
    /// skipped when they go forward: read with the offset before the gap,
    /// what a clock that did not change meant, so the time moves forward by
    /// the gap). The charge is kept either way; the caller counts the
    /// assumption and shows it.
    pub fn read_naive(&self, naive: NaiveDateTime) -> (i64, Option<LocalAssumption>) {
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(t) => (t.timestamp(), None),
            LocalResult::Ambiguous(a, _) => (a.timestamp(), Some(LocalAssumption::Ambiguous)),
            LocalResult::None => {
                let before = self.offset_before_gap(naive);
                let ts = naive.and_utc().timestamp() - i64::from(before);
                (ts, Some(LocalAssumption::Nonexistent))
            }
        }
    }

    /// The UTC offset in force a day before a local time (before the gap
    /// that skips it: offset changes are months apart).
    fn offset_before_gap(&self, naive: NaiveDateTime) -> i32 {
        let day_before = (naive - chrono::Duration::hours(24)).and_utc();
        self.tz
            .offset_from_utc_datetime(&day_before.naive_utc())
            .fix()
            .local_minus_utc()
    }
}

/// What reading a local time had to assume (a clock change made it
/// ambiguous or impossible).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LocalAssumption {
    Ambiguous,
    Nonexistent,
}

impl LocalAssumption {
    /// The kind, as the `assumptions` of a summary count it.
    pub fn as_str(self) -> &'static str {
        match self {
            LocalAssumption::Ambiguous => "ambiguous_local_time",
            LocalAssumption::Nonexistent => "nonexistent_local_time",
        }
    }

    /// What was assumed, for a person.
    pub fn explain(self) -> &'static str {
        match self {
            LocalAssumption::Ambiguous => {
                "a local time the clocks repeat (daylight saving ends): read with the earlier offset"
            }
            LocalAssumption::Nonexistent => {
                "a local time the clocks skip (daylight saving starts): read with the offset before the change, so it moves forward by the gap"
            }
        }
    }
}

/// The zones of a run: `default` first, then each distinct zone of
/// `wabas` (`--tz WABA=ZONE`), and each WABA's index into them. Readers and
/// the pricer build it alike, so an index means one zone everywhere.
pub fn zone_table(default: &Zone, wabas: &[(String, Zone)]) -> (Vec<Zone>, Vec<(String, usize)>) {
    let mut zones = vec![default.clone()];
    let mut index = Vec::with_capacity(wabas.len());
    for (waba, zone) in wabas {
        let i = match zones.iter().position(|z| z.name() == zone.name()) {
            Some(i) => i,
            None => {
                zones.push(zone.clone());
                zones.len() - 1
            }
        };
        index.push((waba.clone(), i));
    }
    (zones, index)
}

/// The date `days` after 1970-01-01.
pub fn date_of_day(days: i64) -> NaiveDate {
    i32::try_from(days + 719_163)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp() -> Zone {
        Zone::parse("America/Sao_Paulo").unwrap()
    }

    #[test]
    fn local_dates_follow_the_zone() {
        let mut z = sp();
        // 2026-10-01T02:00Z is still 2026-09-30 in Sao Paulo (UTC-3).
        let ts = 1_790_820_000;
        assert_eq!(
            z.local_date(ts),
            NaiveDate::from_ymd_opt(2026, 9, 30).unwrap()
        );
        let mut u = Zone::parse("UTC").unwrap();
        assert_eq!(
            u.local_date(ts),
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
        );
        assert_eq!(
            z.start_of(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
            1_790_823_600
        );
    }

    /// A local day computed without the cache.
    fn direct_day(tz: Tz, ts: i64) -> i64 {
        let utc = DateTime::<Utc>::from_timestamp(ts, 0).unwrap();
        let local = utc.with_timezone(&tz).date_naive();
        i64::from(local.num_days_from_ce()) - 719_163
    }

    #[test]
    fn tehran_leaves_dst_at_half_past_seven_utc() {
        // 2021-09-21 24:00 at +04:30 is 19:30 UTC; 19:40Z is 23:10 on the 21st at +03:30.
        let mut z = Zone::parse("Asia/Tehran").unwrap();
        let at = |h: i64, m: i64| 1_632_182_400 + h * HOUR + m * 60;
        assert_eq!(z.local_date(at(19, 10)).to_string(), "2021-09-21");
        assert_eq!(z.local_date(at(19, 40)).to_string(), "2021-09-21");
        assert_eq!(z.local_date(at(20, 31)).to_string(), "2021-09-22");
    }

    /// The instants (2000..2100) where a zone's offset changes, found by
    /// sampling every 4 days and bisecting to the second (a change undone
    /// within 4 days would be missed: sampling closer takes a minute over
    /// every zone in a debug build).
    fn transitions(tz: Tz) -> Vec<i64> {
        let z = Zone::new(tz);
        let mut found = Vec::new();
        let step = 4 * 86_400;
        let mut t = CACHED_FROM;
        let mut off = z.direct_offset(t);
        while t < CACHED_UNTIL {
            let next = z.direct_offset(t + step);
            if next != off {
                let (mut lo, mut hi) = (t, t + step);
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2;
                    if z.direct_offset(mid) == off {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                found.push(hi);
                off = next;
            }
            t += step;
        }
        found
    }

    #[test]
    fn transitions_fall_on_whole_minutes_and_lie_days_apart() {
        // The claims the cache rests on, over every zone chrono-tz knows.
        for tz in chrono_tz::TZ_VARIANTS {
            let ts = transitions(tz);
            for t in &ts {
                assert_eq!(t % MINUTE, 0, "{} changes offset at {t}", tz.name());
            }
            for w in ts.windows(2) {
                assert!(w[1] - w[0] > HORIZON, "{} changes twice: {w:?}", tz.name());
            }
        }
    }

    #[test]
    fn cached_local_days_match_chrono_around_transitions() {
        let zones = [
            "Asia/Tehran",
            "Asia/Kathmandu",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "America/Sao_Paulo",
            "Europe/Lisbon",
            "America/St_Johns",
            "Pacific/Apia",
        ];
        for name in zones {
            let tz: Tz = name.parse().unwrap();
            let mut z = Zone::new(tz);
            for t in transitions(tz).into_iter().take(60) {
                // Sorted instants through the change, then a jump back.
                for d in (-2 * HOUR..2 * HOUR).step_by(60).chain([-HOUR - 1, 1, -1]) {
                    let ts = t + d;
                    assert_eq!(z.local_day(ts), direct_day(tz, ts), "{name} at {ts}");
                }
            }
        }
    }

    #[test]
    fn a_zone_table_gives_each_distinct_zone_one_index() {
        let z = |n| Zone::parse(n).unwrap();
        let wabas = [
            ("A".to_string(), z("America/Sao_Paulo")),
            ("B".to_string(), z("UTC")),
            ("C".to_string(), z("America/Sao_Paulo")),
        ];
        let (zones, index) = zone_table(&z("UTC"), &wabas);
        let names: Vec<&str> = zones.iter().map(Zone::name).collect();
        assert_eq!(names, ["UTC", "America/Sao_Paulo"]);
        let idx: Vec<usize> = index.iter().map(|(_, i)| *i).collect();
        assert_eq!(idx, [1, 0, 1]);
    }

    #[test]
    fn month_parse_and_next() {
        let m = Month::parse("2026-12").unwrap();
        assert_eq!(m.next().to_string(), "2027-01");
        assert!(Month::parse("2026-13").is_none());
        assert!(Month::parse("26-1").is_none());
    }
}
