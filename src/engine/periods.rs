//! Meta's analytics buckets as the instants they cover. A data point of
//! `pricing_analytics` or `conversation_analytics` counts what was
//! delivered in `[start, end)`, and Meta starts its buckets at the
//! requested instant: the DAILY example of M-ANALYTICS starts at
//! 1748761200, 00:00 in Pacific time, not at UTC midnight. So a message
//! belongs to the bucket whose instants hold its charging instant, and a
//! bucket is named by the month of its middle in `--tz`: a daily bucket
//! requested at any zone's midnight keeps its own day (and month) whatever
//! `--tz` is, within twelve hours of that zone.

use chrono::NaiveDate;

use crate::ingest::figures::TheirPoint;
use crate::model::time::{Month, Zone};

/// The distinct `[start, end)` spans of Meta's points, sorted, each with
/// the local date that names it.
#[derive(Debug, Clone, Default)]
pub struct Periods {
    spans: Vec<(i64, i64, NaiveDate)>,
}

/// The local date of a bucket: of its middle instant (of its start when
/// Meta gives no end).
pub fn bucket_date(start: i64, end: Option<i64>, zone: &mut Zone) -> NaiveDate {
    let mid = match end {
        Some(e) if e > start => start + (e - start) / 2,
        _ => start,
    };
    zone.local_date(mid)
}

impl Periods {
    /// The spans of every point that has both a start and an end.
    pub fn of(points: &[TheirPoint], zone: &mut Zone) -> Periods {
        let mut spans: Vec<(i64, i64, NaiveDate)> = points
            .iter()
            .filter_map(|p| match (p.start, p.end) {
                (Some(s), Some(e)) if e > s => Some((s, e, bucket_date(s, Some(e), zone))),
                _ => None,
            })
            .collect();
        spans.sort_unstable();
        spans.dedup();
        Periods { spans }
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The month of the bucket holding instant `ts`, if one does.
    pub fn month_of(&self, ts: i64) -> Option<Month> {
        let i = self.spans.partition_point(|s| s.0 <= ts);
        let (_, end, date) = *self.spans.get(i.checked_sub(1)?)?;
        (ts < end).then(|| Month::of(date))
    }

    /// Whether two spans overlap (files of different granularities).
    pub fn overlap(&self) -> bool {
        self.spans.windows(2).any(|w| w[1].0 < w[0].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::figures::Source;

    fn point(start: i64, end: i64) -> TheirPoint {
        TheirPoint {
            source: Source::PricingAnalytics,
            file: "a.json".into(),
            line: None,
            start: Some(start),
            end: Some(end),
            month: None,
            country: None,
            market: None,
            category: None,
            category_raw: String::new(),
            pricing_type: None,
            tier: None,
            volume: 0,
            cost: None,
            phone_number: None,
        }
    }

    /// 2026-10-01 00:00 in Pacific time (PDT, UTC-7).
    const OCT1_PACIFIC: i64 = 1_790_838_000;
    const DAY: i64 = 86_400;

    #[test]
    fn a_pacific_day_keeps_its_month_in_utc_and_a_message_falls_in_its_instants() {
        // M-ANALYTICS: the DAILY example's buckets start at 00:00 Pacific.
        let mut utc = Zone::parse("UTC").unwrap();
        let pts = [
            point(OCT1_PACIFIC - DAY, OCT1_PACIFIC),
            point(OCT1_PACIFIC, OCT1_PACIFIC + DAY),
            point(OCT1_PACIFIC, OCT1_PACIFIC + DAY),
        ];
        let p = Periods::of(&pts, &mut utc);
        assert_eq!(p.spans.len(), 2, "duplicates merged");
        let m = |s| Month::parse(s).unwrap();
        // 03:00 UTC on 1 October is still 30 September in Pacific time.
        assert_eq!(p.month_of(OCT1_PACIFIC - 4 * 3600), Some(m("2026-09")));
        assert_eq!(p.month_of(OCT1_PACIFIC), Some(m("2026-10")));
        assert_eq!(p.month_of(OCT1_PACIFIC + DAY - 1), Some(m("2026-10")));
        assert_eq!(p.month_of(OCT1_PACIFIC + DAY), None);
        assert_eq!(p.month_of(OCT1_PACIFIC - DAY - 1), None);
        assert!(!p.overlap());
    }

    #[test]
    fn a_bucket_is_named_by_its_middle_so_the_zone_does_not_move_its_day() {
        // A UTC day read in São Paulo (UTC-3): its start is the day before.
        let mut sp = Zone::parse("America/Sao_Paulo").unwrap();
        let oct1_utc = 1_790_812_800;
        let d = bucket_date(oct1_utc, Some(oct1_utc + DAY), &mut sp);
        assert_eq!(d.to_string(), "2026-10-01");
        assert_eq!(
            bucket_date(oct1_utc, None, &mut sp).to_string(),
            "2026-09-30"
        );
    }
}
