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

/// The category a Groups API category names (`GROUP_MARKETING`,
/// `group_utility`, ...): Meta bills a group message at that category's
/// rate, per member delivered (Groups API Pricing).
pub fn group_category(raw: &str) -> Option<Category> {
    let t = crate::text::trim(raw);
    let head = t.get(..6)?;
    if !head.eq_ignore_ascii_case("group_") {
        return None;
    }
    Category::from_str(t.get(6..)?).ok()
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
    fn group_categories_name_the_category_they_bill_at() {
        assert_eq!(group_category("GROUP_MARKETING"), Some(Category::Marketing));
        assert_eq!(group_category(" group_utility"), Some(Category::Utility));
        assert_eq!(group_category("GROUP_SERVICE"), Some(Category::Service));
        assert_eq!(group_category("marketing"), None);
        assert_eq!(group_category("GROUP_"), None);
        assert_eq!(group_category("grüppe_x"), None);
    }

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
