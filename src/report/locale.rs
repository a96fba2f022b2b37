//! The reader's locale for tables: labels, report lines and numbers with
//! local marks (`R$ 1.234,56`), digits grouped by `num-format`, text from
//! a small TOML message table (`locale/messages.toml`). And the CSV dialect
//! for spreadsheets (`excel-br`: `;`, decimal comma, UTF-8 BOM). Machine
//! CSV and JSON stay locale-free. The CLI sets the style once, before
//! anything is rendered; unset, it is English and standard CSV.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use num_format::ToFormattedString;
use rust_decimal::Decimal;

use super::columns::Value;
use crate::model::money;

/// A locale of the report's text and numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    En,
    PtBr,
    Es,
}

/// How the run's output is styled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub locale: Locale,
    /// `--csv-dialect excel-br`.
    pub excel_br: bool,
}

static STYLE: OnceLock<Style> = OnceLock::new();

/// Sets the run's style (the first call wins).
pub fn set(style: Style) {
    let _ = STYLE.set(style);
}

/// The run's style.
pub fn style() -> Style {
    STYLE.get().copied().unwrap_or_default()
}

impl Locale {
    /// `pt-BR`, `pt_BR.UTF-8`, `pt`, `es`, `es-MX`, `en`, `en_US`, `C`.
    pub fn parse(s: &str) -> Result<Locale, String> {
        let base = s.split(['.', '@']).next().unwrap_or("");
        let tag = base.trim().to_ascii_lowercase().replace('_', "-");
        let lang = tag.split('-').next().unwrap_or("");
        match lang {
            "pt" => Ok(Locale::PtBr),
            "es" => Ok(Locale::Es),
            "en" | "c" | "posix" => Ok(Locale::En),
            _ => Err(format!("{s:?}: accepted locales are pt-BR, es, en")),
        }
    }

    /// `LC_ALL`, else `LANG`, when it names a locale of ours; else English.
    pub fn from_env() -> Locale {
        let var = ["LC_ALL", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()));
        var.and_then(|v| Locale::parse(&v).ok()).unwrap_or_default()
    }

    fn key(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::PtBr => "pt-BR",
            Locale::Es => "es",
        }
    }

    /// A table header in this locale (English as given when none).
    pub fn header<'a>(self, english: &'a str) -> Cow<'a, str> {
        let Some(t) = messages().get(self.key()).map(|m| &m.headers) else {
            return Cow::Borrowed(english);
        };
        if let Some(h) = t.get(english) {
            return Cow::Owned(h.clone());
        }
        let start = t
            .iter()
            .filter(|(k, _)| k.ends_with(['(', ' ']) && english.starts_with(k.as_str()))
            .max_by_key(|(k, _)| k.len());
        match start {
            Some((k, v)) => Cow::Owned(format!("{v}{}", &english[k.len()..])),
            None => Cow::Borrowed(english),
        }
    }

    /// A report line, `{name}`s replaced; `None` in English (the caller's
    /// own text).
    pub fn line(self, name: &str, args: &[(&str, &str)]) -> Option<String> {
        let text = messages().get(self.key())?.lines.get(name)?;
        let mut out = text.clone();
        for (k, v) in args {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        Some(out)
    }

    /// A plain decimal (`-1234.5600`) with this locale's marks.
    pub fn number(self, plain: &str) -> String {
        if self == Locale::En {
            return plain.to_string();
        }
        let (sign, rest) = match plain.strip_prefix('-') {
            Some(r) => ("-", r),
            None => ("", plain),
        };
        let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
        let Ok(int) = int.parse::<u128>() else {
            return plain.to_string();
        };
        let grouped = int.to_formatted_string(&num_format::Locale::pt);
        let comma = if frac.is_empty() { "" } else { "," };
        format!("{sign}{grouped}{comma}{frac}")
    }

    /// An amount with its currency: `2.0130 USD` in English, `R$ 2,0130`
    /// or `US$ 2,0130` in the others.
    pub fn money(self, amount: &str, currency: &str) -> String {
        match self {
            Locale::En => format!("{amount} {currency}"),
            _ => format!("{} {}", symbol(currency), self.number(amount)),
        }
    }

    /// A table cell's text: counts and money with local marks.
    pub fn cell<'v>(self, v: &'v Value) -> Cow<'v, str> {
        match v {
            _ if self == Locale::En => v.text(),
            Value::Count(_) | Value::Money(_) => Cow::Owned(self.number(&v.text())),
            _ => v.text(),
        }
    }
}

/// The symbol a Brazilian or Spanish-speaking reader knows a currency by.
fn symbol(code: &str) -> &str {
    match code {
        "BRL" => "R$",
        "USD" => "US$",
        "EUR" => "€",
        "GBP" => "£",
        "INR" => "₹",
        "MXN" => "MX$",
        _ => code,
    }
}

/// Money as the excel-br dialect writes it: decimal comma, no grouping.
pub fn excel_br_money(d: Decimal) -> String {
    money::fmt(d).replace('.', ",")
}

#[derive(Debug, Default, serde::Deserialize)]
struct Messages {
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    lines: BTreeMap<String, String>,
}

/// The message table, read once.
fn messages() -> &'static BTreeMap<String, Messages> {
    static M: OnceLock<BTreeMap<String, Messages>> = OnceLock::new();
    M.get_or_init(|| toml::from_str(include_str!("locale/messages.toml")).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_parse_from_tags_and_lang_values() {
        for (s, l) in [
            ("pt-BR", Locale::PtBr),
            ("pt_BR.UTF-8", Locale::PtBr),
            ("es_MX.UTF-8", Locale::Es),
            ("en", Locale::En),
            ("C.UTF-8", Locale::En),
        ] {
            assert_eq!(Locale::parse(s), Ok(l), "{s}");
        }
        assert!(Locale::parse("de-DE")
            .unwrap_err()
            .contains("pt-BR, es, en"));
    }

    #[test]
    fn money_and_labels_read_the_local_way() {
        let pt = Locale::PtBr;
        assert_eq!(pt.money("1234.56", "BRL"), "R$ 1.234,56");
        assert_eq!(pt.number("-1234567.0625"), "-1.234.567,0625");
        assert_eq!(Locale::Es.number("12"), "12");
        assert_eq!(Locale::En.money("1234.56", "USD"), "1234.56 USD");
        assert_eq!(pt.header("cost (USD)"), "custo (USD)");
        assert_eq!(pt.header("Meta cost (USD)"), "custo Meta (USD)");
        assert_eq!(pt.header("billable"), "cobradas");
        assert_eq!(Locale::Es.header("market"), "mercado");
        assert_eq!(pt.header("unknown"), "unknown");
        let line = pt.line("meta_total", &[("total", "R$ 1,00")]);
        assert_eq!(line.as_deref(), Some("Total Meta R$ 1,00"));
        assert_eq!(Locale::En.line("meta_total", &[]), None);
        assert_eq!(excel_br_money(Decimal::new(6250, 5)), "0,0625");
    }
}
