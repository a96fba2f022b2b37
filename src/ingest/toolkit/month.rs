//! Billing months as spreadsheets write them: `2026-10`, `10/2026`,
//! `out/2026`, `Outubro 2026`, `01/10/2026` (day first in `;` files), with
//! or without a time of day; month names in English, Portuguese, Spanish.

use chrono::NaiveDate;

use super::header::fold;

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

/// Why a date is not read: `None` when it is no month at all.
type NotAMonth = Option<&'static str>;

/// Year, month and the day when one is written.
type Ymd = (i32, u32, Option<u32>);

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

/// A four-digit year.
fn full_year(s: &str) -> Option<i32> {
    year_of(s).filter(|_| s.len() == 4)
}

fn small(s: &str) -> Option<u32> {
    if (1..=2).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// A billing month (`YYYY-MM`) from the ways spreadsheets write it; `Err`
/// carries a specific reason when there is one. `day_first` reads
/// `01/10/2026` as 1 October (`;`-delimited, European files).
pub fn parse_month(raw: &str, day_first: bool) -> Result<String, NotAMonth> {
    let date = without_time(raw.trim());
    let parts: Vec<&str> = date
        .split(['-', '/', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let (year, month, day) = match parts.as_slice() {
        [a, b] => month_and_year(a, b).ok_or(None)?,
        [a, b, c] => full_date(a, b, c, day_first)?,
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

/// Drops a time of day: `2026-10-01T00:00:00Z`, `01/10/2026 00:00`.
fn without_time(t: &str) -> &str {
    let Some(colon) = t.find(':') else {
        return t;
    };
    let head = t.get(..colon).unwrap_or(t);
    match head.rfind([' ', 'T']) {
        Some(cut) => head.get(..cut).unwrap_or(head),
        None => head,
    }
}

/// `2026-10`, `10/2026`, `Oct 2026`, `2026 out`.
fn month_and_year(a: &str, b: &str) -> Option<Ymd> {
    let (y, m) = if let (Some(y), Some(m)) = (full_year(a), small(b)) {
        (y, m)
    } else if let (Some(m), Some(y)) = (small(a), full_year(b)) {
        (y, m)
    } else if let (Some(m), Some(y)) = (month_by_name(a), year_of(b)) {
        (y, m)
    } else {
        (full_year(a)?, month_by_name(b)?)
    };
    Some((y, m, None))
}

/// `2026-10-01`, `01-Oct-2026`, `01/10/2026`, `10/31/2026`.
fn full_date(a: &str, b: &str, c: &str, day_first: bool) -> Result<Ymd, NotAMonth> {
    if a.len() == 4 {
        let y = year_of(a).ok_or(None)?;
        let m = small(b).or_else(|| month_by_name(b)).ok_or(None)?;
        return Ok((y, m, Some(small(c).ok_or(None)?)));
    }
    if let Some(m) = month_by_name(b) {
        return Ok((year_of(c).ok_or(None)?, m, Some(small(a).ok_or(None)?)));
    }
    let y = full_year(c).ok_or(None)?;
    let (x, z) = (small(a).ok_or(None)?, small(b).ok_or(None)?);
    if day_first || x > 12 {
        Ok((y, z, Some(x)))
    } else if z > 12 {
        Ok((y, x, Some(z)))
    } else {
        Err(Some(
            "day and month could be either way round in a comma-delimited file; \
             write the month as 2026-10",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn month_names_in_three_languages() {
        assert_eq!(parse_month("Dezembro 2026", true).as_deref(), Ok("2026-12"));
        assert_eq!(parse_month("ene/2026", true).as_deref(), Ok("2026-01"));
        assert_eq!(parse_month("2026 Sept.", false).as_deref(), Ok("2026-09"));
        assert_eq!(parse_month("15-dic-2026", true).as_deref(), Ok("2026-12"));
    }
}
