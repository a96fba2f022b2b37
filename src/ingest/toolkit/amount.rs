//! Amounts as spreadsheets and Meta's files write them: `1.234,56`,
//! `$1,234.56`, `(R$ 12,00)`, `1 234,5`. One parser for invoices and rate
//! cards; the decimal mark is decided per file from the evidence of its
//! amounts ([`decimal_evidence`]), never guessed per cell.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::model::currency;

/// Which character a file uses for decimals in its amounts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DecimalMark {
    Dot,
    Comma,
}

impl DecimalMark {
    pub fn char(self) -> char {
        match self {
            DecimalMark::Dot => '.',
            DecimalMark::Comma => ',',
        }
    }

    pub fn thousands(self) -> char {
        match self {
            DecimalMark::Dot => ',',
            DecimalMark::Comma => '.',
        }
    }

    pub fn example(self) -> &'static str {
        match self {
            DecimalMark::Dot => "1234.56, 1,234.56 or $1,234.56",
            DecimalMark::Comma => "1234,56, 1.234,56 or R$ 1.234,56",
        }
    }
}

/// Removes sign, currency and spaces: `(R$ 1.234,56)` → (`1.234,56`, negative, BRL).
pub fn amount_core(cell: &str) -> (String, bool, Option<&'static str>) {
    let mut t = cell.trim();
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        t = inner.trim();
    }
    let (rest, mut currency) = currency::strip_token(t);
    t = rest;
    for minus in ['-', '−'] {
        if let Some(r) = t.strip_prefix(minus).or_else(|| t.strip_suffix(minus)) {
            negative = !negative;
            t = r.trim();
            break;
        }
    }
    let (rest, c2) = currency::strip_token(t);
    t = rest.strip_prefix('+').map_or(rest, str::trim);
    currency = currency.or(c2);
    let core: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    (core, negative, currency)
}

/// Evidence an amount gives about the decimal mark; `None` when it could be either
/// (`1234`, `1.234`, `1,234`).
pub fn decimal_evidence(core: &str) -> Option<DecimalMark> {
    let last = core.rfind(['.', ','])?;
    let mark = if core.get(last..)?.starts_with('.') {
        DecimalMark::Dot
    } else {
        DecimalMark::Comma
    };
    let other = mark.thousands();
    if core.contains(other) {
        return Some(mark);
    }
    if core.matches(mark.char()).count() > 1 {
        // 1.234.567: the repeated mark separates thousands.
        return Some(match mark {
            DecimalMark::Dot => DecimalMark::Comma,
            DecimalMark::Comma => DecimalMark::Dot,
        });
    }
    let digits_after = core.len() - last - 1;
    let int_part = core.get(..last).unwrap_or("");
    // `0.408` or `.408`: no number is written with a thousands separator after a zero.
    let zero_int = int_part.chars().all(|c| c == '0');
    (digits_after != 3 || zero_int).then_some(mark)
}

/// Parses an amount written with `mark` as the decimal character.
pub fn parse_amount(cell: &str, mark: DecimalMark) -> Option<(Decimal, Option<&'static str>)> {
    let (core, negative, currency) = amount_core(cell);
    let mut parts = core.split(mark.char());
    let int_part = parts.next()?;
    let frac = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let mut int_digits = String::new();
    if int_part.contains(mark.thousands()) {
        for (i, group) in int_part.split(mark.thousands()).enumerate() {
            let ok = if i == 0 {
                (1..=3).contains(&group.len()) && !group.starts_with('0')
            } else {
                group.len() == 3
            };
            if !ok {
                return None;
            }
            int_digits.push_str(group);
        }
    } else {
        int_digits.push_str(int_part);
    }
    let frac = frac.unwrap_or("");
    if int_digits.is_empty() && frac.is_empty() {
        return None;
    }
    if !int_digits.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let text = match (int_digits.is_empty(), frac.is_empty()) {
        (_, true) => int_digits,
        (true, false) => format!("0.{frac}"),
        (false, false) => format!("{int_digits}.{frac}"),
    };
    let d = Decimal::from_str(&text).ok()?;
    Some((if negative { -d } else { d }, currency))
}
