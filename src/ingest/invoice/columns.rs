//! The invoice's columns: the names each is known by and how a header
//! cell is matched to them.

use crate::ingest::figures::TheirError;
use crate::ingest::toolkit::header::{folded_lower, underscored};
use crate::model::currency;

/// A field of an invoice line and the header names it is known by.
pub(super) struct ColumnSpec {
    pub name: &'static str,
    pub what: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

pub(super) const COL_MONTH: usize = 0;
pub(super) const COL_MARKET: usize = 1;
pub(super) const COL_CATEGORY: usize = 2;
pub(super) const COL_VOLUME: usize = 3;
pub(super) const COL_COST: usize = 4;
pub(super) const COL_CURRENCY: usize = 5;
pub(super) const COL_TYPE: usize = 6;

/// Header aliases after normalisation (lower case, accents removed, spaces → `_`),
/// best first.
pub(super) const COLUMNS: [ColumnSpec; 7] = [
    ColumnSpec {
        name: "month",
        what: "billing month",
        aliases: &[
            "month",
            "billing_month",
            "period",
            "date",
            "mes",
            "mes_referencia",
            "mes_de_referencia",
            "competencia",
            "periodo",
            "data",
        ],
        required: true,
    },
    ColumnSpec {
        name: "market",
        what: "market",
        aliases: &[
            "market",
            "market_name",
            "country_market",
            "region",
            "mercado",
            "regiao",
        ],
        required: true,
    },
    ColumnSpec {
        name: "category",
        what: "category",
        aliases: &[
            "category",
            "pricing_category",
            "conversation_category",
            "type",
            "categoria",
            "tipo",
        ],
        required: true,
    },
    ColumnSpec {
        name: "volume",
        what: "volume",
        aliases: &[
            "volume",
            "messages",
            "conversations",
            "quantity",
            "count",
            "quantidade",
            "qtd",
            "qtde",
            "mensagens",
            "conversas",
        ],
        required: true,
    },
    ColumnSpec {
        name: "cost",
        what: "cost",
        aliases: &[
            "cost",
            "amount",
            "charge",
            "total",
            "spend",
            "total_cost",
            "custo",
            "valor",
            "valor_total",
            "total_custo",
        ],
        required: true,
    },
    ColumnSpec {
        name: "currency",
        what: "currency",
        aliases: &["currency", "currency_code", "moeda"],
        required: false,
    },
    ColumnSpec {
        name: "pricing_type",
        what: "pricing type",
        aliases: &["pricing_type", "conversation_type"],
        required: false,
    },
];

/// A header cell, normalised, with a currency it may carry (`Custo (R$)`, `cost_usd`).
pub(super) struct Header {
    pub written: String,
    pub norm: String,
    pub currency: Option<String>,
}

pub(super) fn normalise_header(written: &str) -> Header {
    let (name, bracketed) = without_unit(folded_lower(written));
    let norm = underscored(&name);
    let (norm, suffixed) = without_code_suffix(norm);
    Header {
        written: written.trim().to_string(),
        norm,
        currency: suffixed.or(bracketed),
    }
}

/// `custo (r$)`, `valor [brl]`: the name without its bracketed unit, and
/// the currency the unit names.
fn without_unit(mut name: String) -> (String, Option<String>) {
    let mut unit: Option<String> = None;
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let (Some(a), Some(b)) = (name.find(open), name.rfind(close)) {
            if a < b {
                let inner = name.get(a + 1..b).unwrap_or("").trim().to_string();
                unit = unit.or_else(|| currency::code_of(&inner).map(str::to_string));
                name = format!(
                    "{}{}",
                    name.get(..a).unwrap_or(""),
                    name.get(b + 1..).unwrap_or("")
                );
            }
        }
    }
    (name, unit)
}

/// `cost_usd`, `valor_brl`: a cost alias and the ISO code after it.
fn without_code_suffix(norm: String) -> (String, Option<String>) {
    if let Some((head, tail)) = norm.rsplit_once('_') {
        let code = tail.to_ascii_uppercase();
        if COLUMNS[COL_COST].aliases.contains(&head) && currency::by_code(&code).is_some() {
            return (head.to_string(), Some(code));
        }
    }
    (norm, None)
}

/// The column of each field: its best-ranked alias in the header.
pub(super) fn columns(file: &str, headers: &[Header]) -> Result<[Option<usize>; 7], TheirError> {
    let mut index: [Option<usize>; 7] = [None; 7];
    for (f, spec) in COLUMNS.iter().enumerate() {
        index[f] = column_of(file, spec, headers)?;
        if spec.required && index[f].is_none() {
            return Err(TheirError::MissingColumn {
                file: file.to_string(),
                column: spec.name,
                accepted: spec.aliases.join(", "),
                found: headers
                    .iter()
                    .map(|h| h.written.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    Ok(index)
}

/// The column whose name is the best-ranked alias of `spec`; two columns
/// of the same rank are an error.
fn column_of(
    file: &str,
    spec: &ColumnSpec,
    headers: &[Header],
) -> Result<Option<usize>, TheirError> {
    let mut best: Option<(usize, usize)> = None; // (alias rank, column)
    for (col, h) in headers.iter().enumerate() {
        let Some(rank) = spec.aliases.iter().position(|a| *a == h.norm) else {
            continue;
        };
        match best {
            Some((r, prev)) if r == rank => {
                return Err(TheirError::DuplicateColumn {
                    file: file.to_string(),
                    column: spec.what,
                    first: headers
                        .get(prev)
                        .map_or_else(String::new, |h| h.written.clone()),
                    second: h.written.clone(),
                })
            }
            Some((r, _)) if r < rank => {}
            _ => best = Some((rank, col)),
        }
    }
    Ok(best.map(|(_, c)| c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_with_units_and_currency_suffixes() {
        let h = normalise_header(" Valor (R$) ");
        assert_eq!(
            (h.written.as_str(), h.norm.as_str(), h.currency.as_deref()),
            ("Valor (R$)", "valor", Some("BRL"))
        );
        let h = normalise_header("cost_usd");
        assert_eq!(
            (h.norm.as_str(), h.currency.as_deref()),
            ("cost", Some("USD"))
        );
        let h = normalise_header("Mês de Referência");
        assert_eq!((h.norm.as_str(), h.currency), ("mes_de_referencia", None));
        let h = normalise_header("market_usd");
        assert_eq!((h.norm.as_str(), h.currency), ("market_usd", None));
    }
}
