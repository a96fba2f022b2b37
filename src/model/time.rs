//! Time: instants are Unix seconds (windows are absolute durations); dates,
//! months and the days rules change are civil dates in the WABA time zone.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
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
    /// [start, end) of an hour-aligned span known to share `offset`.
    cache: (i64, i64, i32),
}

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

    pub fn tz(&self) -> Tz {
        self.tz
    }

    pub fn name(&self) -> &'static str {
        self.tz.name()
    }

    fn offset_at(&mut self, ts: i64) -> i32 {
        let (start, end, off) = self.cache;
        if ts >= start && ts < end {
            return off;
        }
        use chrono::Offset;
        let off = match DateTime::<Utc>::from_timestamp(ts, 0) {
            Some(utc) => self
                .tz
                .offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc(),
            None => 0,
        };
        // Offsets change only on whole hours in every zone that matters
        // here; re-check at the next hour boundary.
        let hour_start = ts.div_euclid(HOUR) * HOUR;
        self.cache = (hour_start, hour_start + HOUR, off);
        off
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

    /// The instant of a local time in this zone; `None` when a
    /// daylight-saving change skips it.
    pub fn read_naive(&self, naive: NaiveDateTime) -> Option<i64> {
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(t) => Some(t.timestamp()),
            // The repeated hour when clocks go back: take the first.
            LocalResult::Ambiguous(a, _) => Some(a.timestamp()),
            LocalResult::None => None,
        }
    }
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

    #[test]
    fn month_parse_and_next() {
        let m = Month::parse("2026-12").unwrap();
        assert_eq!(m.next().to_string(), "2027-01");
        assert!(Month::parse("2026-13").is_none());
        assert!(Month::parse("26-1").is_none());
    }
}
