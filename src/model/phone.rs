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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::redact::redact_digits;

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
}
