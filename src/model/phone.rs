//! Phone numbers: parsing what people and exports write, and keeping them
//! private (LGPD/GDPR) in everything a person reads.

use std::fmt::Write as _;

use hmac::{Hmac, Mac};
use phonenumber::country::{Id, Source};
use sha2::Sha256;

use crate::hash::IntMap;

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
    /// A national number read without `--default-country`.
    #[error("phone number looks national ({0}), so its country is unknown: give it with --default-country CC (e.g. --default-country BR), or write the number with its country code (+55 for Brazil)")]
    National(&'static str),
    /// Not a number of the country it is read in.
    #[error("not a valid phone number of {0} (--default-country {0}){1}")]
    NotValidIn(Country, &'static str),
}

impl E164 {
    /// Parses `+55 (11) 98765-4321`, `5511987654321`, `0055 11 ...`,
    /// `tel:+55...` and `whatsapp:+55...` (Twilio's addresses).
    pub fn parse(s: &str) -> Result<E164, PhoneError> {
        scan(s)?.e164()
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

/// What one pass over a written number sees: its digits and the marks that
/// say how it was written.
#[derive(Debug, Clone, Copy)]
struct Scan {
    /// The digits after any leading zeros.
    value: u64,
    digits: usize,
    leading_zeros: usize,
    /// Written with `+`.
    plus: bool,
    /// Starts with `(`: an area code, as national numbers are written.
    paren_first: bool,
}

/// Reads the digits of a number, refusing any character a number is not
/// written with; the hot path of every row (no allocation).
#[inline]
fn scan(s: &str) -> Result<Scan, PhoneError> {
    let s = strip_scheme(crate::text::trim(s));
    if s.is_empty() {
        return Err(PhoneError::Empty);
    }
    let mut out = Scan {
        value: 0,
        digits: 0,
        leading_zeros: 0,
        plus: s.starts_with('+'),
        paren_first: s.starts_with('('),
    };
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            b'0'..=b'9' => {
                if out.digits == 0 && b == b'0' {
                    out.leading_zeros += 1;
                    continue;
                }
                out.digits += 1;
                if out.digits > 15 {
                    return Err(PhoneError::Length(count_digits(s) - out.leading_zeros));
                }
                out.value = out.value * 10 + u64::from(b - b'0');
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
    Ok(out)
}

/// `tel:` and `whatsapp:` (Twilio's addresses) taken off.
#[inline]
fn strip_scheme(s: &str) -> &str {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_alphabetic() => ["tel:", "whatsapp:"]
            .iter()
            .find_map(|p| {
                s.get(..p.len())
                    .filter(|head| head.eq_ignore_ascii_case(p))
                    .and_then(|_| s.get(p.len()..))
            })
            .map_or(s, str::trim_start),
        _ => s,
    }
}

impl Scan {
    /// The number read with the country code it starts with.
    #[inline]
    fn e164(self) -> Result<E164, PhoneError> {
        // "00" is the international call prefix; a single leading 0 is a
        // national trunk prefix, which hides the country.
        if self.leading_zeros == 1 || self.leading_zeros > 2 {
            return Err(PhoneError::LeadingZero);
        }
        if !(7..=15).contains(&self.digits) {
            return Err(PhoneError::Length(self.digits));
        }
        Ok(E164(self.value))
    }

    /// Written with its country: `+` or the `00` international prefix.
    #[inline]
    fn international(self) -> bool {
        self.plus || (self.leading_zeros == 2 && !self.paren_first)
    }

    /// Written as national numbers are: a trunk `0` or an area code in
    /// parentheses first.
    #[inline]
    fn national_sign(self) -> Option<&'static str> {
        if self.international() {
            None
        } else if self.paren_first {
            Some("its area code is in parentheses")
        } else if self.leading_zeros > 0 {
            Some("it starts with 0, a national trunk prefix")
        } else {
            None
        }
    }

    /// The key a number's reading is remembered by: its digits, its
    /// leading zeros and whether it was bare digits.
    fn key(self) -> u64 {
        let bare = u64::from(self.national_sign().is_none());
        self.value | (self.leading_zeros.min(3) as u64) << 56 | bare << 60
    }
}

/// A country whose national numbers a run reads (`--default-country`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    id: Id,
    code: [u8; 2],
}

impl std::fmt::Display for Country {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl Country {
    /// An ISO 3166 alpha-2 code that libphonenumber has numbers for.
    pub fn parse(cc: &str) -> Result<Country, String> {
        let up = cc.trim().to_ascii_uppercase();
        match up.parse::<Id>() {
            Ok(id) if metadata().by_id(id.as_ref()).is_some() => Ok(Country {
                id,
                code: [up.as_bytes()[0], up.as_bytes()[1]],
            }),
            _ => Err(format!(
                "{} is not an ISO 3166 alpha-2 country code with phone numbers (two letters, e.g. BR)",
                crate::model::redact::quote_field(cc)
            )),
        }
    }

    /// `BR`.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("??")
    }

    /// The lengths of its numbers, national and local, as a bit set.
    fn lengths(self) -> u32 {
        metadata()
            .by_id(self.code())
            .map_or(0, |m| number_lengths(m, true))
    }
}

fn metadata() -> &'static phonenumber::metadata::Database {
    &phonenumber::metadata::DATABASE
}

/// The lengths of a country's numbers (and of its local ones, without
/// their area code), as a bit set: the union of its number types' (the
/// metadata's general description leaves them out).
fn number_lengths(m: &phonenumber::Metadata, local: bool) -> u32 {
    let d = m.descriptors();
    [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
    .into_iter()
    .flatten()
    .chain([d.general()])
    .fold(0, |acc, t| {
        let l = if local {
            t.possible_local_length()
        } else {
            &[]
        };
        acc | bits(t.possible_length()) | bits(l)
    })
}

fn bits(lengths: &[u16]) -> u32 {
    lengths
        .iter()
        .filter(|&&l| l < 32)
        .fold(0, |acc, &l| acc | 1 << l)
}

/// The lengths of national numbers of each country calling code, from
/// libphonenumber's metadata, as bit sets indexed by the code (read once).
fn code_lengths() -> &'static [u32] {
    static TABLE: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = vec![0u32; 1000];
        for m in metadata().iter() {
            if let Some(slot) = t.get_mut(usize::from(m.country_code())) {
                *slot |= number_lengths(m, false);
            }
        }
        t
    })
}

/// Whether some country calling code explains a bare number's length: it
/// starts with a code whose numbers have the length of the rest.
fn length_explained(value: u64, digits: usize) -> bool {
    let table = code_lengths();
    (1..=3usize).filter(|&k| k < digits).any(|k| {
        let cc = value / 10u64.pow((digits - k) as u32);
        table
            .get(cc as usize)
            .is_some_and(|&l| l & (1 << (digits - k)) != 0)
    })
}

/// A number as a run reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub number: E164,
    /// Read as a national number of `--default-country`: an assumption.
    pub assumed: bool,
}

/// How a run reads the numbers its logs write: E.164 as they are, national
/// ones in the default country, validated by libphonenumber; what the
/// library decided is kept per number, so it runs once per distinct one.
#[derive(Debug, Default)]
pub struct Numbers {
    default: Option<Country>,
    /// The default country's number lengths (0 without one).
    default_lengths: u32,
    decided: IntMap<u64, Result<Reading, PhoneError>>,
}

impl Numbers {
    pub fn new(default: Option<Country>) -> Numbers {
        Numbers {
            default,
            default_lengths: default.map_or(0, Country::lengths),
            decided: IntMap::default(),
        }
    }

    pub fn default_country(&self) -> Option<Country> {
        self.default
    }

    /// Reads one number: `+` and `00` numbers by [`E164::parse`] alone;
    /// bare digits as E.164 when a country code explains their length and
    /// the default country's numbers do not have it; the rest through
    /// libphonenumber in the default country, or refused without one.
    #[inline]
    pub fn read(&mut self, s: &str) -> Result<Reading, PhoneError> {
        let scan = scan(s)?;
        let international = |n| Reading {
            number: n,
            assumed: false,
        };
        if scan.international() {
            return scan.e164().map(international);
        }
        let sign = scan.national_sign();
        let Some(country) = self.default else {
            if let Some(why) = sign {
                return Err(PhoneError::National(why));
            }
            let number = scan.e164()?;
            if !length_explained(scan.value, scan.digits) {
                return Err(PhoneError::National(
                    "no country code has numbers of its length",
                ));
            }
            return Ok(international(number));
        };
        let national_length = scan.digits < 32 && self.default_lengths & (1 << scan.digits) != 0;
        if sign.is_none() && !national_length && length_explained(scan.value, scan.digits) {
            return scan.e164().map(international);
        }
        let key = scan.key();
        if let Some(r) = self.decided.get(&key) {
            return r.clone();
        }
        let r = read_in(country, s, sign.is_none().then_some(scan));
        self.decided.insert(key, r.clone());
        r
    }
}

/// libphonenumber's reading of a number in `country`; for bare digits,
/// else as an E.164 number. Valid numbers only.
#[cold]
fn read_in(country: Country, s: &str, bare: Option<Scan>) -> Result<Reading, PhoneError> {
    if let Some(p) = phonenumber::parse(Some(country.id), s)
        .ok()
        .filter(phonenumber::PhoneNumber::is_valid)
    {
        let assumed = p.code().source() == Source::Default;
        return of_library(&p).map(|number| Reading { number, assumed });
    }
    if let Some(scan) = bare {
        let plus = format!("+{}", scan.value);
        if phonenumber::parse(None, &plus).is_ok_and(|p| p.is_valid()) {
            return scan.e164().map(|number| Reading {
                number,
                assumed: false,
            });
        }
        return Err(PhoneError::NotValidIn(
            country,
            ", nor a valid number with the country code it starts with",
        ));
    }
    Err(PhoneError::NotValidIn(country, ""))
}

/// A libphonenumber number as E.164 digits (a national number's leading
/// zeros, Italy's, kept).
fn of_library(p: &phonenumber::PhoneNumber) -> Result<E164, PhoneError> {
    let zeros = "0".repeat(usize::from(p.national().zeros()));
    E164::parse(&format!(
        "+{}{zeros}{}",
        p.code().value(),
        p.national().value()
    ))
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
    hash_text(key, &n.to_plus())
}

/// `h:` and the first 16 bytes of HMAC-SHA256(key, text) in hex: numbers
/// and business-scoped user ids are hashed alike.
pub fn hash_text(key: &[u8], text: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        // HMAC accepts keys of any length; this branch cannot be taken.
        return String::from("h:invalid-key");
    };
    mac.update(text.as_bytes());
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

    fn read(numbers: &mut Numbers, s: &str) -> Result<(u64, bool), PhoneError> {
        numbers.read(s).map(|r| (r.number.value(), r.assumed))
    }

    #[test]
    fn without_a_default_national_numbers_are_refused_not_misread() {
        let mut n = Numbers::new(None);
        for s in ["(11) 98765-4321", "(31) 98888-7777", "((55)) 11 98765 4321"] {
            let e = read(&mut n, s);
            assert_eq!(
                e,
                Err(PhoneError::National("its area code is in parentheses")),
                "{s}"
            );
        }
        assert!(
            matches!(read(&mut n, "011 98765 4321"), Err(PhoneError::National(w)) if w.contains("trunk"))
        );
        // 21 + 9 digits: no country code 2, 21 or 219 has numbers of that length.
        assert!(
            matches!(read(&mut n, "21998765432"), Err(PhoneError::National(w)) if w.contains("length"))
        );
        assert!(read(&mut n, "(11) 98765-4321")
            .unwrap_err()
            .to_string()
            .contains("--default-country"));
        for s in [
            "+5511987654321",
            "5511987654321",
            "whatsapp:+5511987654321",
            "0055 11 98765 4321",
            "+55 (11) 98765-4321",
            "55 (11) 98765-4321",
        ] {
            assert_eq!(read(&mut n, s), Ok((5511987654321, false)), "{s}");
        }
        assert_eq!(read(&mut n, "14155550123"), Ok((14155550123, false)));
    }

    #[test]
    fn a_default_country_reads_national_numbers_valid_there() {
        let br = Country::parse("br").unwrap();
        assert_eq!(br.to_string(), "BR");
        let mut n = Numbers::new(Some(br));
        for (s, want) in [
            ("(11) 98765-4321", 5511987654321),
            ("(21) 99876-5432", 5521998765432),
            ("(31) 98888-7777", 5531988887777),
            ("011 98765-4321", 5511987654321),
            ("11987654321", 5511987654321),
            ("(11) 3456-7890", 551134567890),
        ] {
            assert_eq!(read(&mut n, s), Ok((want, true)), "{s}");
            assert_eq!(read(&mut n, s), Ok((want, true)), "{s}, remembered");
        }
        for (s, want) in [
            ("5511987654321", 5511987654321),
            ("+14155550123", 14155550123),
            ("14155550123", 14155550123),
        ] {
            assert_eq!(read(&mut n, s), Ok((want, false)), "{s}");
        }
        for s in [
            "(11) 1234-5678",
            "(11) 08765-4321",
            "98765-4321",
            "(00) 98765-4321",
        ] {
            assert!(
                matches!(read(&mut n, s), Err(PhoneError::NotValidIn(c, _)) if c == br),
                "{s}"
            );
        }
        assert!(read(&mut n, "(11) 1234-5678")
            .unwrap_err()
            .to_string()
            .contains("of BR"));
    }

    #[test]
    fn other_countries_keep_their_national_forms() {
        let mut gb = Numbers::new(Some(Country::parse("GB").unwrap()));
        assert_eq!(read(&mut gb, "07911 123456"), Ok((447911123456, true)));
        let mut it = Numbers::new(Some(Country::parse("IT").unwrap()));
        // Italy's fixed lines keep their leading 0 after the country code.
        assert_eq!(read(&mut it, "06 1234 5678"), Ok((390612345678, true)));
        let mut us = Numbers::new(Some(Country::parse("US").unwrap()));
        assert_eq!(read(&mut us, "(415) 555-0132"), Ok((14155550132, true)));
        for bad in ["", "B", "BRA", "ZZ", "12"] {
            assert!(Country::parse(bad).is_err(), "{bad}");
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
