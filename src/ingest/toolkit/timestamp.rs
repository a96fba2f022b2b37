//! Timestamps as exports write them: RFC 3339, naive local times read in
//! the WABA time zone, Brazilian day-first dates, Unix seconds or
//! milliseconds. One parser for every reader of message logs.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};

use crate::model::redact::quote_field;
use crate::model::time::{LocalAssumption, Zone};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("cannot read timestamp {}; accepted: RFC 3339 (2026-10-01T09:30:00-03:00), YYYY-MM-DD HH:MM[:SS] read in --tz, DD/MM/YYYY HH:MM[:SS], Unix seconds or milliseconds", quote_field(.0))]
    Unreadable(String),
    #[error("timestamp {} is out of range (years 2000 to 2100 accepted)", quote_field(.0))]
    OutOfRange(String),
}

const MIN_TS: i64 = 946_684_800; // 2000-01-01
const MAX_TS: i64 = 4_102_444_800; // 2100-01-01

/// Reads a timestamp as exports write it. Naive local times are read in `zone`.
pub fn parse_timestamp(s: &str, zone: &Zone) -> Result<i64, TimeError> {
    parse_timestamp_with(s, zone, &mut LastDate::default())
}

/// The last ISO date read and its day number: the rows of a log share
/// their dates, read once each.
#[derive(Debug, Clone, Copy, Default)]
pub struct LastDate {
    text: [u8; 10],
    days: i64,
    /// What reading the last timestamp had to assume, if anything (a local
    /// time that a clock change repeats or skips): the reader counts it.
    pub assumed: Option<LocalAssumption>,
}

/// [`parse_timestamp`], remembering the date in `last`.
pub fn parse_timestamp_with(s: &str, zone: &Zone, last: &mut LastDate) -> Result<i64, TimeError> {
    let s = crate::text::trim(s);
    last.assumed = None;
    let ts = parse_inner(s, zone, last)?;
    if !(MIN_TS..MAX_TS).contains(&ts) {
        return Err(TimeError::OutOfRange(s.to_string()));
    }
    Ok(ts)
}

fn parse_inner(s: &str, zone: &Zone, last: &mut LastDate) -> Result<i64, TimeError> {
    let b = s.as_bytes();
    if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
        let v: i64 = s
            .parse()
            .map_err(|_| TimeError::Unreadable(s.to_string()))?;
        return match b.len() {
            9..=11 => Ok(v),
            12..=14 => Ok(v.div_euclid(1000)),
            _ => Err(TimeError::Unreadable(s.to_string())),
        };
    }
    // Fast path for the common `YYYY-MM-DDTHH:MM:SS` shapes.
    if let Some(ts) = fast_iso(b, zone, last)? {
        return Ok(ts);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Ok(t.timestamp());
        }
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(read_local(zone, n, last));
        }
    }
    Err(TimeError::Unreadable(s.to_string()))
}

fn num(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// `YYYY-MM-DD[T ]HH:MM:SS` followed by nothing (local), `Z`, or `±HH:MM`,
/// with optional fractional seconds. Returns `Ok(None)` for other shapes.
fn fast_iso(b: &[u8], zone: &Zone, last: &mut LastDate) -> Result<Option<i64>, TimeError> {
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || (b[10] != b'T' && b[10] != b' ') {
        return Ok(None);
    }
    if b[13] != b':' || b[16] != b':' {
        return Ok(None);
    }
    let days = if b[..10] == last.text {
        last.days
    } else {
        let (Some(y), Some(mo), Some(d)) = (num(&b[0..4]), num(&b[5..7]), num(&b[8..10])) else {
            return Ok(None);
        };
        let Some(date) = NaiveDate::from_ymd_opt(y as i32, mo, d) else {
            return Ok(None);
        };
        let days = i64::from(date.num_days_from_ce()) - 719_163;
        last.text.copy_from_slice(&b[..10]);
        last.days = days;
        days
    };
    let (Some(h), Some(mi), Some(sec)) = (num(&b[11..13]), num(&b[14..16]), num(&b[17..19])) else {
        return Ok(None);
    };
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Ok(None);
        }
        rest = &rest[1 + digits..];
    }
    if !(h < 24 && mi < 60 && sec < 60) {
        return Ok(None);
    }
    let base = days * 86_400 + i64::from(h * 3600 + mi * 60 + sec);
    match rest {
        [] => {
            let naive = DateTime::from_timestamp(base, 0).map(|t| t.naive_utc());
            match naive {
                Some(naive) => Ok(Some(read_local(zone, naive, last))),
                None => Ok(None),
            }
        }
        [b'Z' | b'z'] => Ok(Some(base)),
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2] => {
            let (Some(oh), Some(om)) = (num(&[*oh1, *oh2]), num(&[*om1, *om2])) else {
                return Ok(None);
            };
            let off = i64::from(oh * 3600 + om * 60);
            Ok(Some(if *sign == b'+' {
                base - off
            } else {
                base + off
            }))
        }
        _ => Ok(None),
    }
}

/// A naive local time read in `zone`.
fn read_local(zone: &Zone, naive: NaiveDateTime, last: &mut LastDate) -> i64 {
    let (ts, assumed) = zone.read_naive(naive);
    last.assumed = assumed;
    ts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp() -> Zone {
        Zone::parse("America/Sao_Paulo").unwrap()
    }

    #[test]
    fn local_times_a_clock_change_repeats_or_skips_are_read_and_said_so() {
        // America/New_York, 2026: clocks skip 02:00-03:00 on 8 March and
        // repeat 01:00-02:00 on 1 November.
        let ny = Zone::parse("America/New_York").unwrap();
        let mut last = LastDate::default();
        let mut read = |s: &str| {
            let ts = parse_timestamp_with(s, &ny, &mut last).unwrap();
            (ny.format(ts), last.assumed)
        };
        // Skipped: read with the offset before the gap (EST), so it lands
        // an hour later on the clock, not dropped.
        for s in [
            "2026-03-08 02:30:00",
            "2026-03-08T02:30",
            "08/03/2026 02:30",
        ] {
            let want = (
                "2026-03-08T03:30:00-04:00".to_string(),
                Some(LocalAssumption::Nonexistent),
            );
            assert_eq!(read(s), want, "{s}");
        }
        // Repeated: the earlier offset (EDT).
        assert_eq!(
            read("2026-11-01 01:30:00"),
            (
                "2026-11-01T01:30:00-04:00".to_string(),
                Some(LocalAssumption::Ambiguous)
            )
        );
        // An ordinary time assumes nothing, and the flag does not linger.
        assert_eq!(
            read("2026-11-01 03:30:00"),
            ("2026-11-01T03:30:00-05:00".to_string(), None)
        );
        assert_eq!(read("2026-03-08T02:30:00-05:00").1, None);
    }

    #[test]
    fn reads_every_accepted_shape() {
        let z = sp();
        let want = 1_790_857_800; // 2026-10-01T12:30:00Z
        for s in [
            "2026-10-01T12:30:00Z",
            "2026-10-01T09:30:00-03:00",
            "2026-10-01 09:30:00-03:00",
            "2026-10-01T09:30:00.250-03:00",
            "2026-10-01 09:30:00",
            "2026-10-01T09:30",
            "01/10/2026 09:30:00",
            "1790857800",
            "1790857800000",
        ] {
            assert_eq!(parse_timestamp(s, &z), Ok(want), "{s}");
        }
    }

    #[test]
    fn remembering_the_last_date_changes_no_result() {
        let z = sp();
        let mut last = LastDate::default();
        for s in [
            "2026-10-01T12:30:00Z",
            "2026-10-01T12:30:01Z",
            "2026-10-01T25:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026-10-01 09:30:00",
            "2026-10-02T00:00:00-03:00",
            "2026-10-01T23:59:60Z",
            "2024-02-29T10:00:00Z",
            "2025-02-29T10:00:00Z",
            "2026-10-01T12:30:00Z",
        ] {
            assert_eq!(
                parse_timestamp_with(s, &z, &mut last),
                parse_timestamp(s, &z),
                "{s}"
            );
        }
    }

    #[test]
    fn rejects_impossible_times() {
        let z = sp();
        assert!(parse_timestamp("2026-02-30T10:00:00Z", &z).is_err());
        assert!(parse_timestamp("yesterday", &z).is_err());
        assert!(matches!(
            parse_timestamp("1970-01-01T00:00:00Z", &z),
            Err(TimeError::OutOfRange(_))
        ));
        assert!(parse_timestamp("2026-10-01T25:00:00Z", &z).is_err());
    }
}
