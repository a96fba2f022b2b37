//! The reader's language and number conventions (`--locale`) for what a
//! person reads: labels and money written the local way (`R$ 1.234,56`).
//! Machine outputs (CSV, JSON) never use it. Digit grouping comes from
//! `num-format`'s CLDR tables; the fraction is the engine's exact decimal,
//! never rounded through a float.

use num_format::ToFormattedString;
use rust_decimal::Decimal;

use crate::model::money;

/// A language and its number conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Locale {
    /// English: `US$1,234.5600`, `1,234`.
    #[default]
    En,
    /// Brazilian Portuguese: `R$ 1.234,5600`, `1.234`.
    #[value(name = "pt-BR", alias = "pt", alias = "pt_BR")]
    PtBr,
    /// Spanish as Latin America writes money: `US$ 1.234,5600`.
    Es,
}

impl Locale {
    /// The locale of `LC_ALL`, `LC_MESSAGES` or `LANG` (`pt_BR.UTF-8`),
    /// English when none names Portuguese or Spanish.
    pub fn from_env() -> Locale {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .find(|v| !v.is_empty())
            .map_or(Locale::En, |v| Locale::from_tag(&v))
    }

    /// A POSIX or BCP 47 tag's language: `pt_BR.UTF-8`, `es-MX`, `C`.
    pub fn from_tag(tag: &str) -> Locale {
        let lang = tag.split(['_', '-', '.', '@']).next().unwrap_or("");
        match lang.to_ascii_lowercase().as_str() {
            "pt" => Locale::PtBr,
            "es" => Locale::Es,
            _ => Locale::En,
        }
    }

    /// The BCP 47 tag (an HTML `lang`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::PtBr => "pt-BR",
            Locale::Es => "es",
        }
    }

    fn digits(self) -> &'static num_format::Locale {
        match self {
            Locale::En => &num_format::Locale::en,
            Locale::PtBr => &num_format::Locale::pt,
            Locale::Es => &num_format::Locale::es,
        }
    }

    /// A count with the local digit grouping: `12,345` / `12.345`.
    pub fn count(self, n: u64) -> String {
        n.to_formatted_string(self.digits())
    }

    /// An exact amount with the local grouping and decimal sign, every
    /// digit of [`money::fmt`] kept: `1.234,5600`.
    pub fn number(self, d: Decimal) -> String {
        self.localized(&money::fmt(d))
    }

    /// A decimal as Rust writes it (`-1234.56`) written the local way.
    fn localized(self, text: &str) -> String {
        let (sign, digits) = match text.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", text),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let grouped = whole.parse::<u128>().map_or_else(
            |_| whole.to_string(),
            |w| w.to_formatted_string(self.digits()),
        );
        match frac {
            "" => format!("{sign}{grouped}"),
            f => format!("{sign}{grouped}{}{f}", self.digits().decimal()),
        }
    }

    /// Money rounded to the currency's minor unit, as the invoice shows it
    /// ([`money::fmt_minor`]): `R$ 1.234,57`.
    pub fn money_minor(self, d: Decimal, currency: &str) -> String {
        self.with_symbol(&self.localized(&money::fmt_minor(d, currency)), currency)
    }

    /// Money as a person reads it: `R$ 1.234,5600`, `US$1,234.5600`.
    pub fn money(self, d: Decimal, currency: &str) -> String {
        self.with_symbol(&self.number(d), currency)
    }

    /// Money with as few decimals as it needs exactly, at least the minor
    /// unit's (`R$ 938,90`, `US$0.0034`): charts' axes and bars.
    pub fn money_short(self, d: Decimal, currency: &str) -> String {
        let mut x = d.normalize();
        let minor = money::minor_unit_decimals(currency);
        if x.scale() < minor {
            x.rescale(minor);
        }
        self.with_symbol(&self.localized(&x.to_string()), currency)
    }

    fn with_symbol(self, number: &str, currency: &str) -> String {
        let symbol = self.symbol(currency);
        match self {
            Locale::En => format!("{symbol}{number}"),
            _ => format!("{symbol}\u{a0}{number}"),
        }
    }

    /// The currency's sign where the reader knows one, else its code.
    fn symbol(self, currency: &str) -> String {
        match (currency, self) {
            ("BRL", _) => "R$".into(),
            ("USD", _) => "US$".into(),
            ("EUR", _) => "€".into(),
            ("GBP", _) => "£".into(),
            (code, Locale::En) => format!("{code} "),
            (code, _) => code.into(),
        }
    }

    /// A label in the reader's language ([`LABELS`]), the English text when
    /// the table has no translation.
    pub fn text(self, en: &str) -> &str {
        let col = match self {
            Locale::En => return en,
            Locale::PtBr => 1,
            Locale::Es => 2,
        };
        LABELS
            .iter()
            .find(|row| row[0] == en)
            .map_or(en, |row| row[col])
    }
}

/// English, Brazilian Portuguese and Spanish labels of the reports people
/// read. Meta's own words (category names, pricing types) stay as Meta
/// writes them in its API, so they match the invoice and the docs.
const LABELS: &[[&str; 3]] = &[
    ["Estimate", "Estimativa", "Estimación"],
    ["Forecast", "Previsão", "Pronóstico"],
    ["Reconciliation", "Conciliação", "Conciliación"],
    [
        "WhatsApp Business Platform cost",
        "Custo da Plataforma WhatsApp Business",
        "Costo de la Plataforma de WhatsApp Business",
    ],
    ["Total", "Total", "Total"],
    [
        "Invoice rounding",
        "Arredondamento da fatura",
        "Redondeo de la factura",
    ],
    ["Messages", "Mensagens", "Mensajes"],
    ["Billable", "Cobradas", "Cobrados"],
    ["Free", "Gratuitas", "Gratuitos"],
    ["Failed", "Falharam", "Fallidos"],
    ["Undelivered", "Não entregues", "No entregados"],
    ["Inbound", "Recebidas", "Recibidos"],
    ["Rejected rows", "Linhas rejeitadas", "Filas rechazadas"],
    [
        "Cost by month and category",
        "Custo por mês e categoria",
        "Costo por mes y categoría",
    ],
    ["Cost by market", "Custo por mercado", "Costo por mercado"],
    [
        "Free and billable messages",
        "Mensagens gratuitas e cobradas",
        "Mensajes gratuitos y cobrados",
    ],
    ["Lines", "Linhas", "Líneas"],
    ["Notes", "Observações", "Notas"],
    ["Time zone", "Fuso horário", "Zona horaria"],
    ["Currency", "Moeda", "Moneda"],
    ["Complete", "Completo", "Completo"],
    ["yes", "sim", "sí"],
    ["no", "não", "no"],
    ["Cost by month", "Custo por mês", "Costo por mes"],
    ["Planned", "Planejado", "Planificado"],
    ["Under the rules of", "Pelas regras de", "Con las reglas de"],
    [
        "Extra cost of the change",
        "Custo extra da mudança",
        "Costo extra del cambio",
    ],
    ["With fees", "Com tarifas", "Con tarifas"],
    ["Ours", "Nosso", "Nuestro"],
    ["Meta", "Meta", "Meta"],
    ["Difference", "Diferença", "Diferencia"],
    ["Findings", "Achados", "Hallazgos"],
    [
        "Ours and Meta's by month",
        "Nosso e da Meta por mês",
        "Nuestro y de Meta por mes",
    ],
    [
        "Messages that differ",
        "Mensagens que diferem",
        "Mensajes que difieren",
    ],
    ["others", "outros", "otros"],
    ["month", "mês", "mes"],
    ["market", "mercado", "mercado"],
    ["category", "categoria", "categoría"],
    ["billable", "cobradas", "cobrados"],
    ["free", "gratuitas", "gratuitos"],
    ["failed", "falharam", "fallidos"],
    ["undelivered", "não entregues", "no entregados"],
    ["inbound", "recebidas", "recibidos"],
    ["cost", "custo", "costo"],
    ["inferred", "inferidas", "inferidos"],
    ["planned", "planejadas", "planificados"],
    ["delivered", "entregues", "entregados"],
    ["fees", "tarifas", "tarifas"],
    ["finding", "achado", "hallazgo"],
    ["difference", "diferença", "diferencia"],
    ["percent", "percentual", "porcentaje"],
    [
        "Where the money can be saved",
        "Onde dá para economizar",
        "Dónde se puede ahorrar",
    ],
    [
        "The rule behind each saving",
        "A regra por trás de cada economia",
        "La regla detrás de cada ahorro",
    ],
    ["kind", "tipo", "tipo"],
    ["messages", "mensagens", "mensajes"],
    ["charged", "cobrado", "cobrado"],
    ["could_save", "economia possível", "ahorro posible"],
    [
        "extra_cost_of_change",
        "custo extra da mudança",
        "costo extra del cambio",
    ],
];

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_the_local_way_every_digit_kept() {
        assert_eq!(
            Locale::PtBr.money(dec!(1234.56), "BRL"),
            "R$\u{a0}1.234,5600"
        );
        assert_eq!(
            Locale::En.money(dec!(1234567.0625), "USD"),
            "US$1,234,567.0625"
        );
        assert_eq!(Locale::Es.money(dec!(-0.5), "USD"), "US$\u{a0}-0,5000");
        assert_eq!(
            Locale::PtBr.money(dec!(12.000042), "EUR"),
            "€\u{a0}12,000042"
        );
        assert_eq!(Locale::En.money(dec!(3), "INR"), "INR 3.0000");
        assert_eq!(Locale::PtBr.count(1_234_567), "1.234.567");
        assert_eq!(
            Locale::PtBr.money_minor(dec!(-1234.565), "BRL"),
            "R$\u{a0}-1.234,57"
        );
        assert_eq!(Locale::En.money_minor(dec!(2.013), "CLP"), "CLP 2");
        assert_eq!(
            Locale::PtBr.money_short(dec!(938.9000), "USD"),
            "US$\u{a0}938,90"
        );
        assert_eq!(Locale::En.money_short(dec!(0.00340), "USD"), "US$0.0034");
    }

    #[test]
    fn the_environment_names_the_language() {
        assert_eq!(Locale::from_tag("pt_BR.UTF-8"), Locale::PtBr);
        assert_eq!(Locale::from_tag("es-MX"), Locale::Es);
        assert_eq!(Locale::from_tag("C.UTF-8"), Locale::En);
        assert_eq!(Locale::from_tag(""), Locale::En);
    }

    #[test]
    fn labels_translate_and_fall_back_to_english() {
        assert_eq!(Locale::PtBr.text("Cost by market"), "Custo por mercado");
        assert_eq!(Locale::Es.text("Total"), "Total");
        assert_eq!(Locale::PtBr.text("not in the table"), "not in the table");
        for row in LABELS {
            assert!(row.iter().all(|t| !t.is_empty()), "{row:?}");
        }
    }
}
