//! Status words of exports: how far a message got, in Meta's words and the
//! English words of providers' exports.

use crate::model::Delivery;

/// Meta's and providers' English status words, by what they say. The
/// Portuguese and Spanish words of local exports are data, with the other
/// words every CSV log is read with (`profiles/builtin.toml`, `[values.status]`),
/// and reach [`parse_status`] as these.
const WORDS: &[(Delivery, &[&str])] = &[
    // `deleted`: the user deleted a delivered message.
    (
        Delivery::Delivered,
        &["delivered", "read", "played", "deleted", "seen", "viewed"],
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
        ],
    ),
];

/// A status cell as delivery evidence: `Unknown` for an empty cell; `None`
/// for a word wacost does not know (the caller decides what to assume).
/// Per row of a log: compared as it is, without allocating.
pub fn parse_status(raw: &str) -> Option<Delivery> {
    let t = raw.trim();
    if t.is_empty() {
        return Some(Delivery::Unknown);
    }
    WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| t.eq_ignore_ascii_case(w)))
        .map(|(d, _)| *d)
}

/// The status words a CSV log may use, for messages.
pub const STATUS_WORDS: &str = "delivered, read, played, deleted (delivered); sent, accepted, \
    queued (sent, not delivered); failed, undelivered, error, rejected, expired (failed); and \
    their Portuguese and Spanish words of profiles/builtin.toml (entregue, lida, enviado, falhou, \
    entregado, leído, fallido, ...), or a --map's";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_and_provider_words() {
        for (word, want) in [
            ("", Some(Delivery::Unknown)),
            ("  ", Some(Delivery::Unknown)),
            ("DELIVERED", Some(Delivery::Delivered)),
            ("read", Some(Delivery::Delivered)),
            ("deleted", Some(Delivery::Delivered)),
            ("sent", Some(Delivery::Sent)),
            ("accepted", Some(Delivery::Sent)),
            ("failed", Some(Delivery::Failed)),
            ("undelivered", Some(Delivery::Failed)),
            ("warp", None),
        ] {
            assert_eq!(parse_status(word), want, "{word:?}");
        }
    }
}
