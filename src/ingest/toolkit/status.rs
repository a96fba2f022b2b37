//! Status words of exports: how far a message got, in Meta's words and in
//! the English, Portuguese and Spanish words of providers' exports.

use super::header::folded_lower;
use crate::model::Delivery;

/// Status words by what they say, accents folded, `_` for a space or `-`.
const WORDS: &[(Delivery, &[&str])] = &[
    // Meta's statuses; `deleted`: the user deleted a delivered message.
    (
        Delivery::Delivered,
        &[
            "delivered",
            "read",
            "played",
            "deleted",
            "seen",
            "viewed",
            "entregue",
            "lida",
            "lido",
            "visualizada",
            "visualizado",
            "reproduzida",
            "entregado",
            "entregada",
            "leido",
            "leida",
            "visto",
        ],
    ),
    (
        Delivery::Sent,
        &[
            "sent",
            "accepted",
            "queued",
            "enqueued",
            "sending",
            "pending",
            "submitted",
            "enviado",
            "enviada",
            "enviando",
            "aceito",
            "aceita",
            "pendente",
            "na_fila",
            "aceptado",
            "aceptada",
            "pendiente",
            "en_cola",
        ],
    ),
    (
        Delivery::Failed,
        &[
            "failed",
            "undelivered",
            "error",
            "rejected",
            "expired",
            "blocked",
            "falhou",
            "falha",
            "erro",
            "rejeitado",
            "rejeitada",
            "nao_entregue",
            "expirado",
            "fallido",
            "fallida",
            "fallo",
            "rechazado",
            "rechazada",
            "no_entregado",
        ],
    ),
];

/// A status cell as delivery evidence: `Unknown` for an empty cell; `None`
/// for a word wacost does not know (the caller decides what to assume).
/// Per row of a log: plain ASCII words are compared as they are, without
/// allocating.
pub fn parse_status(raw: &str) -> Option<Delivery> {
    let t = raw.trim();
    if t.is_empty() {
        return Some(Delivery::Unknown);
    }
    let plain = t.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_');
    let folded;
    let word = if plain {
        t
    } else {
        folded = folded_lower(t)
            .chars()
            .map(|c| if c == '-' || c == ' ' { '_' } else { c })
            .collect::<String>();
        folded.as_str()
    };
    WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| word.eq_ignore_ascii_case(w)))
        .map(|(d, _)| *d)
}

/// The status words [`parse_status`] knows, for messages.
pub const STATUS_WORDS: &str = "delivered, read, played, deleted (delivered); sent, accepted, \
    queued (sent, not delivered); failed, undelivered, error, rejected, expired (failed); and \
    their Portuguese and Spanish words (entregue, lida, enviado, falhou, entregado, leído, \
    fallido, ...)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_provider_portuguese_and_spanish_words() {
        for (word, want) in [
            ("", Some(Delivery::Unknown)),
            ("  ", Some(Delivery::Unknown)),
            ("DELIVERED", Some(Delivery::Delivered)),
            ("read", Some(Delivery::Delivered)),
            ("deleted", Some(Delivery::Delivered)),
            ("Entregue", Some(Delivery::Delivered)),
            ("leído", Some(Delivery::Delivered)),
            ("sent", Some(Delivery::Sent)),
            ("accepted", Some(Delivery::Sent)),
            ("Enviada", Some(Delivery::Sent)),
            ("failed", Some(Delivery::Failed)),
            ("undelivered", Some(Delivery::Failed)),
            ("falhou", Some(Delivery::Failed)),
            ("não entregue", Some(Delivery::Failed)),
            ("no-entregado", Some(Delivery::Failed)),
            ("warp", None),
        ] {
            assert_eq!(parse_status(word), want, "{word:?}");
        }
    }
}
