//! Status words of exports: how far a message got, in Meta's words and in
//! the English, Portuguese and Spanish words of providers' exports.

use super::header::folded_lower;
use crate::model::Delivery;

/// A status cell as delivery evidence: `Unknown` for an empty cell; `None`
/// for a word wacost does not know (the caller decides what to assume).
pub fn parse_status(raw: &str) -> Option<Delivery> {
    let norm: String = folded_lower(raw.trim())
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect();
    Some(match norm.as_str() {
        "" => Delivery::Unknown,
        // Meta's statuses; `deleted`: the user deleted a delivered message.
        "delivered" | "read" | "played" | "deleted" | "seen" | "viewed" => Delivery::Delivered,
        "entregue" | "lida" | "lido" | "visualizada" | "visualizado" | "reproduzida" => {
            Delivery::Delivered
        }
        "entregado" | "entregada" | "leido" | "leida" | "visto" => Delivery::Delivered,
        "sent" | "accepted" | "queued" | "enqueued" | "sending" | "pending" | "submitted" => {
            Delivery::Sent
        }
        "enviado" | "enviada" | "enviando" | "aceito" | "aceita" | "pendente" | "na_fila" => {
            Delivery::Sent
        }
        "aceptado" | "aceptada" | "pendiente" | "en_cola" => Delivery::Sent,
        "failed" | "undelivered" | "error" | "rejected" | "expired" | "blocked" => Delivery::Failed,
        "falhou" | "falha" | "erro" | "rejeitado" | "rejeitada" | "nao_entregue" | "expirado" => {
            Delivery::Failed
        }
        "fallido" | "fallida" | "fallo" | "rechazado" | "rechazada" | "no_entregado" => {
            Delivery::Failed
        }
        _ => return None,
    })
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
