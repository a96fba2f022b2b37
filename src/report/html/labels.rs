//! The HTML page's labels in the reader's language, and its numbers
//! through the run's [`Locale`] (the marks tables use): the page speaks
//! like the table and the table like the page.

use rust_decimal::Decimal;

use crate::model::money;
use crate::report::locale::Locale;

/// What the page asks of a locale.
pub trait PageLocale {
    /// The BCP 47 tag (`lang` of the page).
    fn tag(self) -> &'static str;
    /// A label of the page's table; the English text when it has no translation.
    fn text(self, en: &str) -> &str;
    fn count(self, n: u64) -> String;
    /// An exact amount with the locale's marks, every digit kept.
    fn amount(self, d: Decimal) -> String;
    /// Money with every digit of the engine's amount.
    fn money_exact(self, d: Decimal, currency: &str) -> String;
    /// Money rounded to the currency's minor unit, as the invoice shows it.
    fn money_minor(self, d: Decimal, currency: &str) -> String;
    /// Money with as few decimals as it needs exactly, at least the minor
    /// unit's: charts' axes and bars.
    fn money_short(self, d: Decimal, currency: &str) -> String;
}

impl PageLocale for Locale {
    fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::PtBr => "pt-BR",
            Locale::Es => "es",
        }
    }

    fn text(self, en: &str) -> &str {
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

    fn count(self, n: u64) -> String {
        self.number(&n.to_string())
    }

    fn amount(self, d: Decimal) -> String {
        self.number(&money::fmt(d))
    }

    fn money_exact(self, d: Decimal, currency: &str) -> String {
        self.money(&money::fmt(d), currency)
    }

    fn money_minor(self, d: Decimal, currency: &str) -> String {
        self.money(&money::fmt_minor(d, currency), currency)
    }

    fn money_short(self, d: Decimal, currency: &str) -> String {
        let mut x = d.normalize();
        let minor = money::minor_unit_decimals(currency);
        if x.scale() < minor {
            x.rescale(minor);
        }
        self.money(&x.to_string(), currency)
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
    fn labels_translate_and_fall_back_to_english() {
        assert_eq!(Locale::PtBr.text("Cost by market"), "Custo por mercado");
        assert_eq!(Locale::Es.text("Total"), "Total");
        assert_eq!(Locale::PtBr.text("not in the table"), "not in the table");
        for row in LABELS {
            assert!(row.iter().all(|t| !t.is_empty()), "{row:?}");
        }
    }

    #[test]
    fn money_the_way_the_tables_write_it() {
        assert_eq!(
            Locale::PtBr.money_exact(dec!(1234.56), "BRL"),
            "R$ 1.234,5600"
        );
        assert_eq!(Locale::En.money_exact(dec!(2.013), "USD"), "2.0130 USD");
        assert_eq!(
            Locale::PtBr.money_minor(dec!(-1234.565), "BRL"),
            "R$ -1.234,57"
        );
        assert_eq!(
            Locale::PtBr.money_short(dec!(938.9000), "USD"),
            "US$ 938,90"
        );
        assert_eq!(Locale::En.money_short(dec!(0.00340), "USD"), "0.0034 USD");
        assert_eq!(Locale::PtBr.count(1_234_567), "1.234.567");
        assert_eq!(Locale::Es.tag(), "es");
    }
}
