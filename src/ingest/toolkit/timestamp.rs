//! Timestamps as exports write them: RFC 3339, naive local times read in
//! the WABA time zone, `... UTC`, RFC 2822 (Twilio's `Mon, 05 Oct 2026
//! 10:00:00 +0000`), dates in numbers (`5/10/2026 9:30 AM`, `2026/10/05`,
//! `05.10.2026`), Unix seconds or milliseconds. One parser for every
//! reader of message logs.
//!
//! A date like 05/10/2026 reads either way: a day over 12 decides it
//! (`10/25/2026` is month first), else `--date-order`, else the order the
//! file's other dates decide, else day first (Brazil's, the reading
//! wacost always had), counted as an assumption.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};

use crate::model::redact::quote_field;
use crate::model::time::{LocalAssumption, Zone};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("cannot read timestamp {}; accepted: RFC 3339, YYYY-MM-DD HH:MM[:SS] [UTC] (naive ones in --tz), RFC 2822, D/M/YYYY or M/D/YYYY H:MM[:SS] [AM|PM] (--date-order), YYYY/MM/DD, DD.MM.YYYY, Unix seconds or ms", quote_field(.0))]
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

/// Which comes first in a date like 05/10/2026 (`--date-order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DateOrder {
    /// Month first, as in the United States: 10/05/2026 is 5 October.
    Mdy,
    /// Day first, as in Brazil and most of the world: 05/10/2026 is 5 October.
    Dmy,
}

impl DateOrder {
    /// The order, as a person writes it.
    pub fn pattern(self) -> &'static str {
        match self {
            DateOrder::Mdy => "M/D/YYYY",
            DateOrder::Dmy => "D/M/YYYY",
        }
    }
}

/// The last ISO date read and its day number: the rows of a log share
/// their dates, read once each. Also how to read dates that could be day
/// or month first, and how many were read day first for want of knowing.
#[derive(Debug, Clone, Copy, Default)]
pub struct LastDate {
    text: [u8; 10],
    days: i64,
    /// What reading the last timestamp had to assume, if anything (a local
    /// time that a clock change repeats or skips): the reader counts it.
    pub assumed: Option<LocalAssumption>,
    /// How to read a date that could be day or month first: `--date-order`,
    /// or what the file's own dates decide; `None`: day first, counted.
    pub order: Option<DateOrder>,
    /// Dates read day first without `order` (the `date_order_assumed`
    /// assumption).
    pub orders_assumed: u64,
    /// The timestamp being read had its date order assumed.
    order_guessed: bool,
    /// The UTC offset the last timestamp was written with (seconds east;
    /// `None` for a local time or Unix seconds): a whole file written in
    /// another zone than `--tz` is worth a warning.
    pub offset: Option<i32>,
    /// A date read without `order` was month first by its day (10/25/2026):
    /// dates read day first by assumption may be wrong.
    pub month_first_seen: bool,
}

/// [`parse_timestamp`], remembering the date in `last`.
pub fn parse_timestamp_with(s: &str, zone: &Zone, last: &mut LastDate) -> Result<i64, TimeError> {
    let s = crate::text::trim(s);
    last.assumed = None;
    last.offset = None;
    last.order_guessed = false;
    let ts = parse_inner(s, zone, last)?;
    if !(MIN_TS..MAX_TS).contains(&ts) {
        return Err(TimeError::OutOfRange(s.to_string()));
    }
    last.orders_assumed += u64::from(last.order_guessed);
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
    if let Some(ts) = numeric(b, zone, last) {
        return Ok(ts);
    }
    last.order_guessed = false;
    if b.get(4) == Some(&b'-') {
        if let Some(ts) = iso_other(s, zone, last) {
            return Ok(ts);
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        last.offset = Some(t.offset().local_minus_utc());
        return Ok(t.timestamp());
    }
    Err(TimeError::Unreadable(s.to_string()))
}

/// The ISO shapes neither [`fast_iso`] nor [`numeric`] reads, by chrono.
fn iso_other(s: &str, zone: &Zone, last: &mut LastDate) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        last.offset = Some(t.offset().local_minus_utc());
        return Some(t.timestamp());
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            last.offset = Some(t.offset().local_minus_utc());
            return Some(t.timestamp());
        }
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Some(read_local(zone, n, last));
        }
    }
    None
}

/// A date and time written in numbers, as spreadsheets and regional
/// exports do: `D/M/YYYY` or `M/D/YYYY` (also with `-`), `YYYY/MM/DD`,
/// `DD.MM.YYYY`, and ISO's `YYYY-MM-DD`; then `H:MM[:SS[.fff]]`, an
/// optional `AM`/`PM`, and an optional `UTC`, `GMT`, `Z` or offset
/// (`2026-10-05 10:00:00 UTC`); without one the time is local, read in
/// `zone`.
fn numeric(b: &[u8], zone: &Zone, last: &mut LastDate) -> Option<i64> {
    let mut p = Cursor { b, i: 0 };
    let date = numeric_date(&mut p, last)?;
    if !(p.eat(b' ') || p.eat(b'T') || p.eat(b',')) {
        return None;
    }
    p.spaces();
    let (h, mi, sec) = clock(&mut p)?;
    p.spaces();
    let offset = offset(&mut p)?;
    if p.i != b.len() {
        return None;
    }
    let naive = date.and_hms_opt(h, mi, sec)?;
    Some(match offset {
        None => read_local(zone, naive, last),
        Some(east) => {
            last.offset = i32::try_from(east).ok();
            naive.and_utc().timestamp() - east
        }
    })
}

/// Reads bytes of a timestamp left to right.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// Up to `max` digits as a number, and how many there were.
    fn digits(&mut self, max: usize) -> Option<(u32, usize)> {
        let n = self.b[self.i..]
            .iter()
            .take(max)
            .take_while(|c| c.is_ascii_digit())
            .count();
        let v = num(&self.b[self.i..self.i + n])?;
        self.i += n;
        (n > 0).then_some((v, n))
    }

    fn eat(&mut self, c: u8) -> bool {
        let found = self.b.get(self.i) == Some(&c);
        self.i += usize::from(found);
        found
    }

    fn spaces(&mut self) {
        while self.eat(b' ') {}
    }

    /// The next bytes are `word`, in any case: consumed.
    fn word(&mut self, word: &str) -> bool {
        let end = self.i + word.len();
        let found = self
            .b
            .get(self.i..end)
            .is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()));
        if found {
            self.i = end;
        }
        found
    }
}

/// `a/b/YYYY`, `a-b-YYYY`, `DD.MM.YYYY` or `YYYY/MM/DD` (any of the three
/// separators, the same twice).
fn numeric_date(p: &mut Cursor<'_>, last: &mut LastDate) -> Option<NaiveDate> {
    let (a, a_len) = p.digits(4)?;
    let sep = *p.b.get(p.i).filter(|c| matches!(c, b'/' | b'.' | b'-'))?;
    p.i += 1;
    let (b, _) = p.digits(2)?;
    if !p.eat(sep) {
        return None;
    }
    let (c, c_len) = p.digits(4)?;
    let (y, m, d) = match (a_len, c_len) {
        (4, 1 | 2) => (a, b, c),
        (1 | 2, 4) if sep == b'.' => (c, b, a),
        (1 | 2, 4) => {
            let (m, d) = month_day(a, b, last);
            (c, m, d)
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// (month, day) of a date written `a/b/YYYY`: a day over 12 decides, else
/// the order known, else day first, which the timestamp then assumed.
fn month_day(a: u32, b: u32, last: &mut LastDate) -> (u32, u32) {
    if a > 12 || a == b {
        return (b, a);
    }
    if b > 12 {
        last.month_first_seen |= last.order.is_none();
        return (a, b);
    }
    match last.order {
        Some(DateOrder::Mdy) => (a, b),
        Some(DateOrder::Dmy) => (b, a),
        None => {
            last.order_guessed = true;
            (b, a)
        }
    }
}

/// `H:MM[:SS[.fff]]`, then an optional `AM`/`PM` (`a.m.`, `p.m.`): the
/// hour, minute and second on a 24-hour clock (fractions dropped).
fn clock(p: &mut Cursor<'_>) -> Option<(u32, u32, u32)> {
    let (h, _) = p.digits(2)?;
    if !p.eat(b':') {
        return None;
    }
    let (mi, 2) = p.digits(2)? else { return None };
    let mut sec = 0;
    if p.eat(b':') {
        let (s, 2) = p.digits(2)? else { return None };
        sec = s;
        if p.eat(b'.') || p.eat(b',') {
            p.digits(9)?;
        }
    }
    let mark = p.i;
    p.spaces();
    let pm = if p.word("am") || p.word("a.m.") {
        false
    } else if p.word("pm") || p.word("p.m.") {
        true
    } else {
        p.i = mark;
        return Some((h, mi, sec));
    };
    if !(1..=12).contains(&h) {
        return None;
    }
    Some((h % 12 + if pm { 12 } else { 0 }, mi, sec))
}

/// What follows the time: nothing (`Some(None)`: local), `UTC`, `GMT` or
/// `Z`, or an offset `±HH[:MM]`: seconds east of UTC.
fn offset(p: &mut Cursor<'_>) -> Option<Option<i64>> {
    if p.i == p.b.len() {
        return Some(None);
    }
    if p.word("utc") || p.word("gmt") || p.word("z") {
        return (p.i == p.b.len()).then_some(Some(0));
    }
    let sign = match p.b.get(p.i)? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    p.i += 1;
    let (h, 2) = p.digits(2)? else { return None };
    p.eat(b':');
    let mi = if p.i < p.b.len() {
        match p.digits(2)? {
            (mi, 2) => mi,
            _ => return None,
        }
    } else {
        0
    };
    (h < 24 && mi < 60).then_some(Some(sign * i64::from(h * 3600 + mi * 60)))
}

/// The order the dates of a file's first bytes decide: `a/b/YYYY` dates
/// whose first number is over 12 say day first, whose second is, month
/// first; `None` when none decide or they disagree. Also such a date.
pub fn sniff_date_order(head: &[u8]) -> Option<(DateOrder, String)> {
    let mut found: Option<(DateOrder, String)> = None;
    for at in memchr::memchr_iter(b'/', head) {
        let Some((order, date)) = deciding_date(head, at) else {
            continue;
        };
        match &found {
            Some((seen, _)) if *seen != order => return None,
            Some(_) => {}
            None => found = Some((order, date)),
        }
    }
    found
}

/// The order a date whose first `/` is at `at` decides, if it does.
fn deciding_date(head: &[u8], at: usize) -> Option<(DateOrder, String)> {
    let start = head[..at]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let from = at - start;
    if !(1..=2).contains(&start) || (from > 0 && head[from - 1].is_ascii_alphanumeric()) {
        return None;
    }
    let mut p = Cursor { b: head, i: from };
    let (a, _) = p.digits(2)?;
    p.eat(b'/').then_some(())?;
    let (b, _) = p.digits(2)?;
    p.eat(b'/').then_some(())?;
    let (_, 4) = p.digits(4)? else { return None };
    let date = String::from_utf8_lossy(&head[from..p.i]).into_owned();
    match (a > 12, b > 12) {
        (true, false) if b > 0 => Some((DateOrder::Dmy, date)),
        (false, true) if a > 0 => Some((DateOrder::Mdy, date)),
        _ => None,
    }
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
        [b'Z' | b'z'] => {
            last.offset = Some(0);
            Ok(Some(base))
        }
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2] => {
            let (Some(oh), Some(om)) = (num(&[*oh1, *oh2]), num(&[*om1, *om2])) else {
                return Ok(None);
            };
            let off = i64::from(oh * 3600 + om * 60);
            last.offset = i32::try_from(if *sign == b'+' { off } else { -off }).ok();
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
    fn reads_the_shapes_exports_use() {
        let z = sp();
        let want = 1_790_857_800; // 2026-10-01T12:30:00Z = 09:30 in São Paulo
        for s in [
            // RFC 2822 (Twilio), with and without the weekday.
            "Thu, 01 Oct 2026 12:30:00 +0000",
            "Thu, 01 Oct 2026 09:30:00 -0300",
            "01 Oct 2026 12:30:00 GMT",
            // A UTC word after an ISO time.
            "2026-10-01 12:30:00 UTC",
            "2026-10-01T12:30:00 utc",
            "2026-10-01 12:30 GMT",
            // Month first with AM/PM (a day over 12 is not needed: 10/1 is
            // read by the order, here day first would be 10 January).
            "10/01/2026 9:30 AM",
            "10/1/2026 09:30:00 am",
            "10/1/2026, 9:30:00 A.M.",
            "10/1/2026 12:30 PM UTC",
            // Year first with slashes, and day first with dots.
            "2026/10/01 09:30:00",
            "2026/10/01 12:30:00Z",
            "01.10.2026 09:30",
            "1.10.2026 09:30:00",
            // ISO with one-digit parts, and offsets without a colon.
            "2026-10-1 9:30",
            "2026-10-01 09:30:00 -0300",
            "2026-10-01 09:30:00.125-03",
        ] {
            let mut last = LastDate {
                order: Some(DateOrder::Mdy),
                ..LastDate::default()
            };
            assert_eq!(parse_timestamp_with(s, &z, &mut last), Ok(want), "{s}");
            assert_eq!(last.orders_assumed, 0, "{s}");
        }
    }

    #[test]
    fn twelve_am_is_midnight_and_twelve_pm_noon() {
        let utc = Zone::parse("UTC").unwrap();
        let at = |s: &str| utc.format(parse_timestamp(s, &utc).unwrap());
        assert_eq!(at("10/25/2026 12:05 AM"), "2026-10-25T00:05:00+00:00");
        assert_eq!(at("10/25/2026 12:05 PM"), "2026-10-25T12:05:00+00:00");
        assert_eq!(at("10/25/2026 11:59:59 PM"), "2026-10-25T23:59:59+00:00");
        for bad in [
            "10/25/2026 13:05 PM",
            "10/25/2026 0:05 AM",
            "10/25/2026 9:5 AM",
        ] {
            assert!(parse_timestamp(bad, &utc).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_day_over_12_decides_else_the_order_else_day_first_counted() {
        let utc = Zone::parse("UTC").unwrap();
        let read = |s: &str, order: Option<DateOrder>| {
            let mut last = LastDate {
                order,
                ..LastDate::default()
            };
            let ts = parse_timestamp_with(s, &utc, &mut last).unwrap();
            (utc.format(ts)[..10].to_string(), last.orders_assumed)
        };
        let day = |d: &str, n: u64| (d.to_string(), n);
        // A day over 12 decides, whatever the order says.
        assert_eq!(
            read("25/10/2026 10:00", Some(DateOrder::Mdy)),
            day("2026-10-25", 0)
        );
        assert_eq!(
            read("10/25/2026 10:00", Some(DateOrder::Dmy)),
            day("2026-10-25", 0)
        );
        assert_eq!(read("10/25/2026 10:00", None), day("2026-10-25", 0));
        // Either way the same date: nothing assumed.
        assert_eq!(read("05/05/2026 10:00", None), day("2026-05-05", 0));
        // Ambiguous: the order, else day first, counted.
        assert_eq!(
            read("05/10/2026 10:00", Some(DateOrder::Mdy)),
            day("2026-05-10", 0)
        );
        assert_eq!(
            read("05/10/2026 10:00", Some(DateOrder::Dmy)),
            day("2026-10-05", 0)
        );
        assert_eq!(read("05/10/2026 10:00", None), day("2026-10-05", 1));
        assert_eq!(read("5-10-2026 10:00", None), day("2026-10-05", 1));
        // Dots are always day first; year first is never ambiguous.
        assert_eq!(
            read("05.10.2026 10:00", Some(DateOrder::Mdy)),
            day("2026-10-05", 0)
        );
        assert_eq!(read("2026/05/10 10:00", None), day("2026-05-10", 0));
        // Neither number a month: unreadable.
        assert!(parse_timestamp("13/13/2026 10:00", &utc).is_err());
    }

    #[test]
    fn a_month_first_date_is_seen_only_without_an_order() {
        let utc = Zone::parse("UTC").unwrap();
        let mut last = LastDate::default();
        parse_timestamp_with("10/25/2026 10:00", &utc, &mut last).unwrap();
        assert!(last.month_first_seen);
        let mut last = LastDate {
            order: Some(DateOrder::Dmy),
            ..LastDate::default()
        };
        parse_timestamp_with("10/25/2026 10:00", &utc, &mut last).unwrap();
        assert!(!last.month_first_seen);
        let mut last = LastDate::default();
        parse_timestamp_with("25/10/2026 10:00", &utc, &mut last).unwrap();
        assert!(!last.month_first_seen);
    }

    #[test]
    fn an_unreadable_timestamp_counts_no_assumed_order() {
        let utc = Zone::parse("UTC").unwrap();
        let mut last = LastDate::default();
        assert!(parse_timestamp_with("05/10/2026 25:00", &utc, &mut last).is_err());
        assert!(parse_timestamp_with("05/10/1970 10:00", &utc, &mut last).is_err());
        assert_eq!(last.orders_assumed, 0);
    }

    #[test]
    fn a_files_dates_decide_its_order() {
        let sniff = |s: &str| sniff_date_order(s.as_bytes());
        let mdy = "ts,dir\n10/05/2026 9:00 AM,out\n10/25/2026 9:00 AM,out\n";
        assert_eq!(sniff(mdy), Some((DateOrder::Mdy, "10/25/2026".into())));
        let dmy = "25/10/2026 10:00;out\n05/11/2026 10:00;out\n";
        assert_eq!(sniff(dmy), Some((DateOrder::Dmy, "25/10/2026".into())));
        // Nothing decides, or dates disagree, or they are not a/b/YYYY.
        assert_eq!(sniff("05/10/2026 10:00\n"), None);
        assert_eq!(sniff("25/10/2026,10/25/2026\n"), None);
        assert_eq!(sniff("2026/10/25 10:00,x/13/25/2026,113/10/2026\n"), None);
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
