//! Currencies: the ISO 4217 codes wacost knows, the decimals of each one's
//! minor unit, and the tokens foreign files write for them (`R$`, `$US`,
//! `Rp`, ...). The one table every reader and the money formatter use.

/// One currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// ISO 4217 code.
    pub code: &'static str,
    /// Decimals of the minor unit, as invoices round.
    pub minor: u32,
    /// Other ways files write it, besides the code (compared ignoring
    /// ASCII case and spaces). A bare `$` names no currency.
    pub tokens: &'static [&'static str],
}

const fn cur(code: &'static str, minor: u32, tokens: &'static [&'static str]) -> Currency {
    Currency {
        code,
        minor,
        tokens,
    }
}

/// The 16 currencies Meta bills in, then a few more that exports use.
#[rustfmt::skip]
pub const CURRENCIES: &[Currency] = &[
    cur("AED", 2, &[]),
    cur("ARS", 2, &[]),
    cur("AUD", 2, &["A$", "AU$"]),
    cur("BRL", 2, &["R$"]),
    cur("CLP", 0, &[]),
    cur("COP", 0, &[]),
    cur("EUR", 2, &["€"]),
    // `GBD` is a typo seen in Meta's own rate-card files.
    cur("GBP", 2, &["£", "GBD"]),
    cur("IDR", 0, &["Rp"]),
    cur("INR", 2, &["₹"]),
    cur("MXN", 2, &["MX$"]),
    cur("MYR", 2, &["RM"]),
    cur("PEN", 2, &["S/", "S/."]),
    cur("SAR", 2, &[]),
    cur("SGD", 2, &["S$"]),
    cur("USD", 2, &["$US", "US$", "U$"]),
    cur("CAD", 2, &[]),
    cur("CHF", 2, &[]),
    cur("JPY", 0, &[]),
    cur("KRW", 0, &[]),
    cur("VND", 0, &[]),
    cur("ZAR", 2, &[]),
    cur("BHD", 3, &[]),
    cur("IQD", 3, &[]),
    cur("JOD", 3, &[]),
    cur("KWD", 3, &[]),
    cur("LYD", 3, &[]),
    cur("OMR", 3, &[]),
    cur("TND", 3, &[]),
];

/// The currency of an ISO code (exact, upper case).
pub fn by_code(code: &str) -> Option<&'static Currency> {
    CURRENCIES.iter().find(|c| c.code == code)
}

/// Decimals of a currency's minor unit (2 for a code not in the table).
pub fn minor_unit_decimals(code: &str) -> u32 {
    by_code(code).map_or(2, |c| c.minor)
}

/// Whether `token` spells currency `c`: its code or one of its tokens,
/// ignoring ASCII case and whitespace.
fn spells(c: &Currency, token: &str) -> bool {
    let same = |t: &str| {
        let mut a = token.chars().filter(|ch| !ch.is_whitespace());
        let mut b = t.chars();
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some(x), Some(y)) if x.eq_ignore_ascii_case(&y) => {}
                _ => return false,
            }
        }
    };
    same(c.code) || c.tokens.iter().any(|t| same(t))
}

/// The ISO code a token names (`$US`, `usd`, `R$`, `Rp`, `€`, ...). A bare
/// `$` and unknown words give `None`.
pub fn code_of(token: &str) -> Option<&'static str> {
    CURRENCIES.iter().find(|c| spells(c, token)).map(|c| c.code)
}

/// Every spelling, longest first, made once: cutting a token off an
/// amount tries `US$` before `S$`.
fn spellings() -> &'static [(&'static str, &'static str)] {
    static SPELLINGS: std::sync::LazyLock<Vec<(&str, &str)>> = std::sync::LazyLock::new(|| {
        let mut all: Vec<(&str, &str)> = CURRENCIES
            .iter()
            .flat_map(|c| {
                std::iter::once(c.code)
                    .chain(c.tokens.iter().copied())
                    .map(|t| (t, c.code))
            })
            .collect();
        all.sort_by_key(|(t, _)| std::cmp::Reverse(t.chars().count()));
        all
    });
    &SPELLINGS
}

/// Takes a currency token off either end of `s`: `R$ 1.234,56` gives
/// (`1.234,56`, BRL). A bare `$` is cut without naming a currency.
pub fn strip_token(s: &str) -> (&str, Option<&'static str>) {
    let t = s.trim();
    for &(token, code) in spellings() {
        let n = token.len();
        if t.len() > n && t.is_char_boundary(n) && t[..n].eq_ignore_ascii_case(token) {
            return (t[n..].trim(), Some(code));
        }
        let cut = t.len().wrapping_sub(n);
        if t.len() > n && t.is_char_boundary(cut) && t[cut..].eq_ignore_ascii_case(token) {
            return (t[..cut].trim(), Some(code));
        }
    }
    match t.strip_prefix('$').or_else(|| t.strip_suffix('$')) {
        Some(rest) => (rest.trim(), None),
        None => (t, None),
    }
}

/// Whether `s` has the shape of an ISO 4217 code (three letters), known
/// to the table or not.
pub fn is_code_shape(s: &str) -> bool {
    s.len() == 3 && s.chars().all(|c| c.is_ascii_alphabetic())
}

/// The accepted spellings, for error messages.
pub fn accepted() -> String {
    let mut v: Vec<String> = Vec::new();
    for c in CURRENCIES {
        v.extend(c.tokens.iter().map(|t| t.to_string()));
        v.push(c.code.to_string());
    }
    v.join(", ")
}

/// A currency as the user names it (`--currency`): three ASCII letters, upper
/// cased, an ISO 4217 shape. Whether a card exists is the pricing data's
/// question, not this type's: BRL is a code even without a bundled card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code([u8; 3]);

impl Code {
    /// `usd`, ` EUR ` -> `USD`, `EUR`; anything but three letters is refused.
    pub fn parse(s: &str) -> Result<Code, String> {
        let t = s.trim();
        if !is_code_shape(t) {
            return Err(format!(
                "{:?} is not an ISO 4217 code such as USD, BRL, EUR, INR",
                s
            ));
        }
        let b = t.as_bytes();
        Ok(Code([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }

    pub fn as_str(&self) -> &str {
        // Three ASCII letters: always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_currency() {
        for (token, code) in [
            ("$US", "USD"),
            ("usd", "USD"),
            (" US$ ", "USD"),
            ("U$", "USD"),
            ("€", "EUR"),
            ("GBD", "GBP"),
            ("RP", "IDR"),
            ("Rp", "IDR"),
            ("A$", "AUD"),
            ("MX$", "MXN"),
            ("R$", "BRL"),
            ("RM", "MYR"),
            ("S/", "PEN"),
            ("S/.", "PEN"),
            ("S$", "SGD"),
            ("₹", "INR"),
            ("CAD", "CAD"),
            ("JPY", "JPY"),
        ] {
            assert_eq!(code_of(token), Some(code), "{token}");
        }
        for token in ["$", "", "DOGE", "US"] {
            assert_eq!(code_of(token), None, "{token}");
        }
    }

    #[test]
    fn tokens_come_off_either_end() {
        assert_eq!(strip_token("R$ 1.234,56"), ("1.234,56", Some("BRL")));
        assert_eq!(strip_token("US$1,234.56"), ("1,234.56", Some("USD")));
        assert_eq!(strip_token("12,50 S$"), ("12,50", Some("SGD")));
        assert_eq!(strip_token("1.5 usd"), ("1.5", Some("USD")));
        assert_eq!(strip_token("RM 10"), ("10", Some("MYR")));
        assert_eq!(strip_token("$ 3"), ("3", None));
        assert_eq!(strip_token("42"), ("42", None));
        assert_eq!(strip_token("€"), ("€", None), "a token alone is no amount");
    }

    #[test]
    fn minor_units() {
        assert_eq!(minor_unit_decimals("USD"), 2);
        assert_eq!(minor_unit_decimals("CLP"), 0);
        assert_eq!(minor_unit_decimals("KWD"), 3);
        assert_eq!(minor_unit_decimals("XYZ"), 2);
    }

    #[test]
    fn codes_are_three_letters_upper_cased() {
        assert_eq!(
            Code::parse(" usd ").map(|c| c.to_string()),
            Ok("USD".into())
        );
        assert_eq!(Code::parse("BRL").map(|c| c.to_string()), Ok("BRL".into()));
        for bad in ["US", "REAIS", "U$D", "", "ÉUR"] {
            assert!(Code::parse(bad).is_err(), "{bad}");
        }
    }
}
