//! Column names as people write them in headers, made comparable with a
//! reader's aliases: accents folded, lower case, spaces, dashes, dots and
//! slashes as one `_` (`Mês de Referência` -> `mes_de_referencia`).

use super::decode::strip_bom_str;

/// Removes the accents found in Portuguese and Spanish headers and words.
pub fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

#[inline]
fn fold_char(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
        'Á' | 'À' | 'Â' | 'Ã' | 'Ä' => 'A',
        'é' | 'ê' | 'è' | 'ë' => 'e',
        'É' | 'Ê' | 'È' | 'Ë' => 'E',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'ó' | 'ô' | 'õ' | 'ò' | 'ö' => 'o',
        'Ó' | 'Ô' | 'Õ' | 'Ò' | 'Ö' => 'O',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ç' => 'c',
        'Ç' => 'C',
        'ñ' => 'n',
        'Ñ' => 'N',
        c => c,
    }
}

/// `s` trimmed, without a leading BOM, accents folded and lower-cased: a
/// word ready to compare (`Serviço` -> `servico`).
pub fn folded_lower(s: &str) -> String {
    fold(strip_bom_str(s.trim())).to_lowercase()
}

/// Spaces, dashes, dots and slashes as one `_`, none at either end.
pub fn underscored(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        let c = if c.is_whitespace() || matches!(c, '-' | '.' | '/') {
            '_'
        } else {
            c
        };
        if c == '_' && (out.is_empty() || out.ends_with('_')) {
            continue;
        }
        out.push(c);
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// A header cell as a reader's aliases are written: `Message-ID ` ->
/// `message_id`, `Mês` -> `mes`.
pub fn normalise(written: &str) -> String {
    underscored(&folded_lower(written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_of_portuguese_and_spanish_fold() {
        assert_eq!(
            fold("Mês Referência Serviço Año ÇÃO"),
            "Mes Referencia Servico Ano CAO"
        );
    }

    #[test]
    fn headers_normalise_to_alias_form() {
        for (written, want) in [
            ("timestamp", "timestamp"),
            (" Message ID ", "message_id"),
            ("message-type", "message_type"),
            ("Template Name", "template_name"),
            ("\u{feff}Timestamp", "timestamp"),
            ("Mês de Referência", "mes_de_referencia"),
            ("Billing  Month", "billing_month"),
            ("valor.total", "valor_total"),
            ("qtd/mensagens", "qtd_mensagens"),
            ("-total-", "total"),
            ("", ""),
        ] {
            assert_eq!(normalise(written), want, "{written:?}");
        }
    }

    #[test]
    fn underscored_keeps_other_characters() {
        assert_eq!(underscored("custo_(r$)"), "custo_(r$)");
        assert_eq!(folded_lower("  SERVIÇO "), "servico");
    }
}
