//! Phone numbers: parsing what people and exports write, and keeping them
//! private (LGPD/GDPR) in everything a person reads.

use std::fmt::Write as _;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// An E.164 number held as its digits, country code first (at most 15 digits,
/// so it fits a `u64` and hashes cheaply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct E164(u64);

/// Why a string is not a phone number. Never echoes the full number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("empty phone number")]
    Empty,
    #[error("phone number contains {0:?}; expected digits with optional +, spaces, dots, dashes and parentheses")]
    BadChar(char),
    #[error(
        "phone number has {0} digits; E.164 numbers have 7 to 15 digits including the country code"
    )]
    Length(usize),
    #[error("phone number starts with 0 after the international prefix; write it with its country code, e.g. +55 11 98765-4321")]
    LeadingZero,
}

impl E164 {
    /// Parses `+55 (11) 98765-4321`, `5511987654321`, `0055 11 ...`,
    /// `tel:+55...` and `whatsapp:+55...` (Twilio's addresses).
    pub fn parse(s: &str) -> Result<E164, PhoneError> {
        let s = crate::text::trim(s);
        let s = match s.as_bytes().first() {
            Some(b) if b.is_ascii_alphabetic() => ["tel:", "whatsapp:"]
                .iter()
                .find_map(|p| {
                    s.get(..p.len())
                        .filter(|head| head.eq_ignore_ascii_case(p))
                        .and_then(|_| s.get(p.len()..))
                })
                .map_or(s, str::trim_start),
            _ => s,
        };
        if s.is_empty() {
            return Err(PhoneError::Empty);
        }
        let mut value: u64 = 0;
        let mut n = 0usize;
        let mut leading_zeros = 0usize;
        let bytes = s.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            i += 1;
            match b {
                b'0'..=b'9' => {
                    if n == 0 && b == b'0' && value == 0 {
                        leading_zeros += 1;
                        continue;
                    }
                    n += 1;
                    if n > 15 {
                        return Err(PhoneError::Length(count_digits(s) - leading_zeros));
                    }
                    value = value * 10 + u64::from(b - b'0');
                }
                b'+' if i == 1 => {}
                b' ' | b'-' | b'.' | b'(' | b')' | b'/' => {}
                _ => match s.get(i - 1..).and_then(|rest| rest.chars().next()) {
                    Some(c @ '\u{a0}') => i += c.len_utf8() - 1,
                    Some(c) => return Err(PhoneError::BadChar(c)),
                    None => return Err(PhoneError::BadChar(char::from(b))),
                },
            }
        }
        // "00" is the international call prefix; a single leading 0 is a
        // national trunk prefix, which hides the country.
        if leading_zeros == 1 || leading_zeros > 2 {
            return Err(PhoneError::LeadingZero);
        }
        if !(7..=15).contains(&n) {
            return Err(PhoneError::Length(n));
        }
        Ok(E164(value))
    }

    pub fn from_digits_value(v: u64) -> E164 {
        E164(v)
    }

    pub fn value(self) -> u64 {
        self.0
    }

    /// The digits, country code first, without `+`.
    pub fn digits(self) -> String {
        self.0.to_string()
    }

    /// `+5511987654321`.
    pub fn to_plus(self) -> String {
        format!("+{}", self.0)
    }
}

fn count_digits(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_digit).count()
}

/// How numbers appear in output.
#[derive(Debug, Clone)]
pub enum Privacy {
    /// `+55 11 9****-**21`: country and area code stay readable so a person
    /// can still see the market.
    Masked,
    Full,
    /// Keyed HMAC-SHA256, for joining rows with other systems.
    Hashed(Vec<u8>),
}

impl Privacy {
    /// Renders a number; `cc_len` is the length of its country calling code.
    pub fn render(&self, n: E164, cc_len: usize) -> String {
        match self {
            Privacy::Masked => mask(n, cc_len),
            Privacy::Full => n.to_plus(),
            Privacy::Hashed(key) => hash(key, n),
        }
    }
}

/// Masks a number, keeping the country code, a two- or three-digit area
/// code and the last two digits: `+55 11 9****-**21`.
pub fn mask(n: E164, cc_len: usize) -> String {
    let d = n.digits();
    let cc_len = cc_len.clamp(1, 3).min(d.len().saturating_sub(4));
    let (cc, rest) = d.split_at(cc_len);
    // NANP area codes have three digits; elsewhere keep two.
    let area_len = if cc == "1" { 3 } else { 2 };
    let area_len = area_len.min(rest.len().saturating_sub(5));
    let (area, sub) = rest.split_at(area_len);
    let sub: Vec<char> = sub.chars().collect();
    let len = sub.len();
    let mut out = String::with_capacity(d.len() + 6);
    let _ = write!(out, "+{cc}");
    if !area.is_empty() {
        let _ = write!(out, " {area}");
    }
    out.push(' ');
    for (i, c) in sub.iter().enumerate() {
        if len >= 5 && i == len - 4 {
            out.push('-');
        }
        let keep = (i == 0 && len >= 8) || i + 2 >= len;
        out.push(if keep { *c } else { '*' });
    }
    out
}

/// `h:` and the first 16 bytes of HMAC-SHA256(key, "+digits") in hex.
pub fn hash(key: &[u8], n: E164) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        // HMAC accepts keys of any length; this branch cannot be taken.
        return String::from("h:invalid-key");
    };
    mac.update(n.to_plus().as_bytes());
    let bytes = mac.finalize().into_bytes();
    let mut out = String::with_capacity(34);
    out.push_str("h:");
    for b in &bytes[..16] {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Characters people and exports write between the digits of one number
/// (`_` is what CSV header normalization makes of spaces and dashes).
fn is_digit_separator(c: char) -> bool {
    // Control characters too: NULs and the like inside a number come from
    // broken exports and must not split it into short, readable runs.
    c.is_control()
        || matches!(
            c,
            ' ' | '-' | '.' | '(' | ')' | '/' | '_' | '\u{a0}' | '\u{2010}'
                ..='\u{2015}' | '\u{2212}'
        )
}

/// Masks every run of 7+ digits in free text that could be a phone number
/// (for error messages that quote an input field). Digits and the
/// separators written between them (spaces, dashes, dots, slashes,
/// parentheses, underscores, Unicode dashes) form one run, across a single
/// stray character too (`9876S-4321`, `98765,4321`); dates inside a run
/// (`2026-10-05`, `05/10/2026`) stay readable, and `:` ends a run, so times
/// do too. A masked run keeps at most its first four and its last two
/// digits and always hides at least five: `+55 11 98765-4321` becomes
/// `+55 11 *****-**21`.
pub fn redact_digits(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let run = &rest[start..];
        // The run ends at its last digit: separators after it are text.
        let mut end = 0;
        let mut prev = '0';
        let mut chars = run.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let in_number = |c: char| c.is_ascii_digit() || is_digit_separator(c);
            let next = chars.peek().map_or('\0', |&(_, n)| n);
            // One stray character (`S`, `,`, ...) inside a number, next to a
            // digit, does not end it; `:` does (times).
            let stray = c != ':'
                && in_number(prev)
                && in_number(next)
                && (prev.is_ascii_digit() || next.is_ascii_digit());
            if c.is_ascii_digit() {
                end = i + 1;
            } else if !(is_digit_separator(c) || stray) {
                break;
            }
            prev = c;
        }
        redact_run(&run[..end], &mut out);
        rest = &run[end..];
    }
    out.push_str(rest);
    out
}

/// One run of digits and separators, starting and ending with a digit.
fn redact_run(run: &str, out: &mut String) {
    // (separators before, digits) groups; digits are ASCII, so every cut
    // between a digit and a non-digit is a char boundary.
    let b = run.as_bytes();
    let mut groups: Vec<(&str, &str)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let sep = i;
        while i < b.len() && !b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        groups.push((&run[sep..digits], &run[digits..i]));
    }
    let mut date = vec![false; groups.len()];
    let mut k = 0;
    while k + 3 <= groups.len() {
        if is_date(&groups[k..k + 3]) {
            date[k..k + 3].fill(true);
            k += 3;
        } else {
            k += 1;
        }
    }
    // Groups between dates form one candidate number each.
    let mut k = 0;
    while k < groups.len() {
        let mut j = k;
        while j < groups.len() && date[j] == date[k] {
            j += 1;
        }
        if date[k] {
            for (sep, digits) in &groups[k..j] {
                out.push_str(sep);
                out.push_str(digits);
            }
        } else {
            mask_groups(&groups[k..j], out);
        }
        k = j;
    }
}

/// Writes groups of digits, masked when they hold 7 digits or more. The
/// separator before the first group is outside the number and kept.
fn mask_groups(groups: &[(&str, &str)], out: &mut String) {
    let n: usize = groups.iter().map(|g| g.1.len()).sum();
    let head = if n >= 7 { (n - 7).min(4) } else { n };
    let mut d = 0;
    for (sep, digits) in groups {
        out.push_str(sep);
        for c in digits.chars() {
            out.push(if d < head || d + 2 >= n { c } else { '*' });
            d += 1;
        }
    }
}

/// `YYYY-MM-DD`, `DD/MM/YYYY` or `MM/DD/YYYY`, with one separator of
/// `-`, `/`, `.` or `_` used twice.
fn is_date(g: &[(&str, &str)]) -> bool {
    let [(_, a), (s1, b), (s2, c)] = g else {
        return false;
    };
    if s1 != s2 || !matches!(*s1, "-" | "/" | "." | "_") {
        return false;
    }
    let num = |s: &str| s.parse::<u32>().unwrap_or(0);
    let year = |s: &str| s.len() == 4 && (1900..2200).contains(&num(s));
    let day_or_month = |s: &str| (1..=2).contains(&s.len()) && (1..=31).contains(&num(s));
    let month = |s: &str| day_or_month(s) && num(s) <= 12;
    (year(a) && month(b) && day_or_month(c))
        || (day_or_month(a) && day_or_month(b) && (month(a) || month(b)) && year(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_people_write() {
        let want = E164(5511987654321);
        for s in [
            "+55 (11) 98765-4321",
            "5511987654321",
            "0055 11 98765 4321",
            "tel:+55-11-98765-4321",
            " +55.11.98765.4321 ",
            "whatsapp:+5511987654321",
            "WhatsApp:+55 11 98765-4321",
            "whatsapp: +55 (11) 98765-4321",
            "TEL:+5511987654321",
        ] {
            assert_eq!(E164::parse(s), Ok(want), "{s}");
        }
    }

    #[test]
    fn rejects_what_cannot_be_a_number() {
        assert_eq!(E164::parse(""), Err(PhoneError::Empty));
        assert_eq!(E164::parse("abc"), Err(PhoneError::BadChar('a')));
        assert_eq!(E164::parse("12345"), Err(PhoneError::Length(5)));
        assert_eq!(E164::parse("1234567890123456"), Err(PhoneError::Length(16)));
        assert_eq!(E164::parse("011 98765 4321"), Err(PhoneError::LeadingZero));
        assert_eq!(E164::parse("whatsapp:"), Err(PhoneError::Empty));
        assert_eq!(
            E164::parse("whatsapp:whatsapp:+5511987654321"),
            Err(PhoneError::BadChar('w'))
        );
        assert_eq!(
            E164::parse("sms:+5511987654321"),
            Err(PhoneError::BadChar('s'))
        );
        assert!(matches!(
            E164::parse("+55 11 9876x"),
            Err(PhoneError::BadChar('x'))
        ));
    }

    #[test]
    fn masks_like_the_contract() {
        let n = E164::parse("+5511987654321").unwrap();
        assert_eq!(mask(n, 2), "+55 11 9****-**21");
        let us = E164::parse("+14155550123").unwrap();
        assert_eq!(mask(us, 1), "+1 415 ***-**23");
        let short = E164::parse("+6831234").unwrap();
        let m = mask(short, 3);
        assert!(m.starts_with("+683") && !m.contains("1234"), "{m}");
    }

    #[test]
    fn mask_never_shows_more_than_country_area_first_and_last_two() {
        for s in [
            "+5511987654321",
            "+351912345678",
            "+919876543210",
            "+12025550143",
        ] {
            let n = E164::parse(s).unwrap();
            let m = mask(n, 2);
            let shown: usize = m.chars().filter(char::is_ascii_digit).count();
            assert!(shown <= n.digits().len() - 4, "{m}");
        }
    }

    #[test]
    fn mask_shows_only_country_area_and_last_two_at_every_length() {
        // Shown: the country code, the area code, the first digit of a
        // subscriber number of 8 digits or more (the contract's `9****`,
        // Brazil's mobile prefix) and the last two digits; nothing else.
        for cc_len in 0..=4 {
            for len in 7..=15 {
                let digits: String = (0..len).map(|i| char::from(b'1' + (i % 9) as u8)).collect();
                let n = E164::parse(&digits).unwrap();
                let m = mask(n, cc_len);
                let (head, sub) = m.rsplit_once(' ').unwrap();
                let head: String = head.chars().filter(char::is_ascii_digit).collect();
                let sub: String = sub.chars().filter(|&c| c != '-').collect();
                assert!(head.len() <= 6 && m.starts_with('+'), "{m}");
                assert_eq!(format!("{head}{sub}").len(), len, "{m}");
                assert!(digits.starts_with(&head), "{m}");
                for (i, (c, d)) in sub.chars().zip(digits[head.len()..].chars()).enumerate() {
                    let may_show = (i == 0 && sub.len() >= 8) || i + 2 >= sub.len();
                    assert!(c == '*' || (may_show && c == d), "{digits} -> {m}");
                }
                let hidden = sub.chars().filter(|&c| c == '*').count();
                assert!(hidden >= 2 && (len < 8 || hidden >= 3), "{m}");
                assert!(!m.contains(" -"), "{m}");
            }
        }
    }

    #[test]
    fn odd_punctuation_masks_like_plain_digits() {
        for s in [
            "+55 (11) 9.8765/4321",
            "tel: +55 11 98765-4321",
            "+55--11..98765 4321",
            "((55)) 11 98765 4321",
            "+55\u{a0}11\u{a0}98765\u{a0}4321",
            "55 11 9 8 7 6 5 4 3 2 1",
            "whatsapp:+55 11 98765-4321",
        ] {
            assert_eq!(
                E164::parse(s).map(|n| mask(n, 2)).as_deref(),
                Ok("+55 11 9****-**21"),
                "{s}"
            );
        }
    }

    #[test]
    fn stray_letters_are_refused_and_not_echoed() {
        for s in [
            "+55 11 9876S-4321",
            "+55 11 98765-432l",
            "+55 11 98765-4321 ext",
            "+5511987O54321",
            "+55 11 98765\u{2013}4321",
            "+55 11 98765,4321",
            "+55 11 98765+4321",
            "++5511987654321",
            "+55 11 98765_4321",
        ] {
            assert!(matches!(E164::parse(s), Err(PhoneError::BadChar(_))), "{s}");
            // What a rejection quotes shows at most six of its digits.
            let r = redact_digits(s);
            let shown = r.chars().filter(char::is_ascii_digit).count();
            assert!(shown <= 6, "{s} -> {r}");
        }
    }

    #[test]
    fn hash_is_keyed_and_stable() {
        let n = E164::parse("+5511987654321").unwrap();
        let a = hash(b"k1", n);
        assert_eq!(a, hash(b"k1", n));
        assert_ne!(a, hash(b"k2", n));
        assert!(a.starts_with("h:") && a.len() == 34);
    }

    #[test]
    fn redacts_numbers_in_text() {
        let r = redact_digits("bad contact \"+55 11 98765-4321x\"");
        assert!(!r.contains("98765"), "{r}");
        assert!(r.contains("21x"));
        assert_eq!(redact_digits("line 12 of 2026"), "line 12 of 2026");
    }

    #[test]
    fn redacts_every_way_of_writing_a_number() {
        for (text, want) in [
            ("5511912345678", "5511*******78"),
            ("+55 11 91234-5678", "+55 11 *****-**78"),
            ("+55 (11) 91234-5678", "+55 (11) *****-**78"),
            ("+55/11/91234/5678", "+55/11/*****/**78"),
            ("+55_11_91234_5678", "+55_11_*****_**78"),
            (
                "+55\u{a0}11\u{a0}91234\u{a0}5678",
                "+55\u{a0}11\u{a0}*****\u{a0}**78",
            ),
            ("whatsapp:+5511912345678", "whatsapp:+5511*******78"),
            ("1234567", "*****67"),
        ] {
            assert_eq!(redact_digits(text), want, "{text}");
        }
        // However short the run, at least five digits are hidden.
        for len in 7..=20 {
            let digits: String = (0..len).map(|i| char::from(b'1' + (i % 9) as u8)).collect();
            let r = redact_digits(&digits);
            assert!(r.chars().filter(|&c| c == '*').count() >= 5, "{r}");
            assert!(r.chars().filter(char::is_ascii_digit).count() <= 6, "{r}");
        }
    }

    #[test]
    fn redaction_keeps_dates_and_times_readable() {
        for text in [
            "2026-10-05T10:00:00-03:00",
            "2026-10-05 10:00:00",
            "05/10/2026 10:00",
            "2026_10_05t10:00:00_03:00",
            "12.31.2026",
        ] {
            assert_eq!(redact_digits(text), text);
        }
        // Unix seconds cannot be told from a number: masked.
        assert_eq!(redact_digits("1790857800"), "179*****00");
        // A date next to a number keeps the date, masks the number.
        assert_eq!(
            redact_digits("2026-10-05 5511912345678"),
            "2026-10-05 5511*******78"
        );
        // Not dates: 13th month, 32nd day, a year out of range.
        assert_ne!(redact_digits("2026-13-05"), "2026-13-05");
        assert_ne!(redact_digits("32/10/2026"), "32/10/2026");
        assert_ne!(redact_digits("5511-12-05"), "5511-12-05");
    }

    #[test]
    fn separators_e164_accepts_do_not_split_a_masked_run() {
        // Found by fuzzing: '/' and no-break spaces between digits.
        for raw in ["55/11/98765/4321x", "55\u{a0}11\u{a0}98765\u{a0}4321x"] {
            assert!(E164::parse(&raw[..raw.len() - 1]).is_ok());
            let r = redact_digits(raw);
            assert!(!r.contains("98765") && !r.contains("765"), "{r}");
        }
    }

    #[test]
    fn control_characters_do_not_split_a_masked_run() {
        // Found by fuzzing: NULs between digits left the tail readable.
        let r = redact_digits("+5511987640\x00\x00\x0032190");
        assert!(!r.contains("32190") && !r.contains("2190"), "{r:?}");
    }
}
