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
    /// Parses `+55 (11) 98765-4321`, `5511987654321`, `0055 11 ...` and
    /// `tel:+55...`.
    pub fn parse(s: &str) -> Result<E164, PhoneError> {
        let s = s.trim();
        let s = s.strip_prefix("tel:").unwrap_or(s);
        if s.is_empty() {
            return Err(PhoneError::Empty);
        }
        let mut value: u64 = 0;
        let mut n = 0usize;
        let mut leading_zeros = 0usize;
        for (i, c) in s.char_indices() {
            match c {
                '0'..='9' => {
                    if n == 0 && c == '0' && value == 0 {
                        leading_zeros += 1;
                        continue;
                    }
                    n += 1;
                    if n > 15 {
                        return Err(PhoneError::Length(count_digits(s) - leading_zeros));
                    }
                    value = value * 10 + u64::from(c as u8 - b'0');
                }
                '+' if i == 0 => {}
                ' ' | '-' | '.' | '(' | ')' | '\u{a0}' | '/' => {}
                c => return Err(PhoneError::BadChar(c)),
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
        if len >= 4 && i == len - 4 {
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

/// Masks every run of 7+ digits in free text (for error messages that quote
/// an input field). A run may hold every separator [`E164::parse`] skips,
/// so that nothing it would read as a number is left readable.
pub fn redact_digits(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().filter(char::is_ascii_digit).count() >= 7 {
            let digits: Vec<char> = run.chars().collect();
            let keep_tail = 2;
            for (i, c) in digits.iter().enumerate() {
                if c.is_ascii_digit() && i >= 4 && i + keep_tail < digits.len() {
                    out.push('*');
                } else {
                    out.push(*c);
                }
            }
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_digit()
            || (!run.is_empty() && matches!(c, ' ' | '-' | '(' | ')' | '.' | '/' | '\u{a0}'))
        {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
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
        // Separators E164::parse accepts do not split a run (found by fuzzing).
        for raw in ["55/11/98765/4321x", "55\u{a0}11\u{a0}98765\u{a0}4321x"] {
            assert!(E164::parse(&raw[..raw.len() - 1]).is_ok());
            let r = redact_digits(raw);
            assert!(!r.contains("98765") && !r.contains("765"), "{r}");
        }
    }
}
