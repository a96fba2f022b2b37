//! Category words in reports and spreadsheets: Meta's own (any case, `-`,
//! `_` or space) and the Portuguese and Spanish ones of local exports.

use std::str::FromStr;

use super::header::folded_lower;
use crate::model::Category;

/// A category word from Meta or a Portuguese/Spanish spreadsheet; `None`
/// for a word wacost does not price.
pub fn parse_category(raw: &str) -> Option<Category> {
    if let Ok(c) = Category::from_str(raw) {
        return Some(c);
    }
    let norm: String = folded_lower(raw)
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect();
    local_word(&norm)
}

/// Portuguese and Spanish category words, accents folded.
fn local_word(norm: &str) -> Option<Category> {
    Some(match norm {
        "utilidade" | "utilidad" | "utilitario" => Category::Utility,
        "autenticacao" | "autenticacion" => Category::Authentication,
        "autenticacao_internacional" | "autenticacion_internacional" => {
            Category::AuthenticationInternational
        }
        "servico" | "servicio" | "servicos" | "servicios" => Category::Service,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_portuguese_and_spanish_words() {
        for (word, want) in [
            ("MARKETING", Some(Category::Marketing)),
            (
                "Authentication-International",
                Some(Category::AuthenticationInternational),
            ),
            ("Utilidade", Some(Category::Utility)),
            (
                "autenticación internacional",
                Some(Category::AuthenticationInternational),
            ),
            ("Autenticação", Some(Category::Authentication)),
            (" Serviço ", Some(Category::Service)),
            ("servicios", Some(Category::Service)),
            ("Marketing Lite", None),
            ("", None),
        ] {
            assert_eq!(parse_category(word), want, "{word:?}");
        }
    }
}
