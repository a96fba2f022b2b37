//! The charges a log reports per message against the card (issue 14):
//! under the Marketing Messages API "Meta will charge that max price or
//! lower" (Meta, Marketing Messages API pricing), so a charge above the
//! message's max price, or above the card rate of a message without one,
//! is a difference; a charge below the card rate is what a max price buys,
//! shown but not a difference.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::engine::{Outcome, Priced};
use crate::model::{Message, PriceNote};

/// How a log's charged price compares with what wacost expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeKind {
    /// Above the max price set on the template: Meta says it never is.
    ChargedAboveMax,
    /// Above the card rate, with no max price that allows it.
    ChargedAboveCard,
    /// Below the card rate (a max price at work).
    ChargedBelowCard,
    /// Charged, though the rules make the message free.
    ChargedWhenFree,
}

impl ChargeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeKind::ChargedAboveMax => "charged_above_max",
            ChargeKind::ChargedAboveCard => "charged_above_card",
            ChargeKind::ChargedBelowCard => "charged_below_card",
            ChargeKind::ChargedWhenFree => "charged_when_free",
        }
    }

    /// Whether the charge breaks what Meta's pages allow (exit 1).
    pub fn is_difference(self) -> bool {
        self != ChargeKind::ChargedBelowCard
    }
}

/// One message whose charged price is not its card rate.
#[derive(Debug, Clone, Serialize)]
pub struct ChargeFinding {
    pub file: String,
    pub line: u64,
    pub id: String,
    pub contact: String,
    pub timestamp: String,
    pub category: String,
    pub card_cost: Decimal,
    pub charged: Decimal,
    pub max_price: Option<Decimal>,
    pub code: ChargeKind,
}

/// The kind of a message's charge, if it is not the card rate; `None`
/// also when the log's price cannot be compared (another currency).
pub fn kind_of(p: &Priced) -> Option<(ChargeKind, Decimal)> {
    let lp = p.log_price?;
    let charged = lp.charged?;
    if p.price_note == Some(PriceNote::CurrencyDiffers) {
        return None;
    }
    let kind = match p.outcome {
        Outcome::Free if charged > Decimal::ZERO => ChargeKind::ChargedWhenFree,
        Outcome::Billable => billable_kind(charged, p.card_cost(), lp.max)?,
        _ => return None,
    };
    Some((kind, charged))
}

fn billable_kind(charged: Decimal, card: Decimal, max: Option<Decimal>) -> Option<ChargeKind> {
    match max {
        Some(max) if charged > max => Some(ChargeKind::ChargedAboveMax),
        _ if charged < card => Some(ChargeKind::ChargedBelowCard),
        None if charged > card => Some(ChargeKind::ChargedAboveCard),
        _ => None,
    }
}

/// Whether a verdict's charge can be compared (counted as compared).
pub fn compared(m: &Message, p: &Priced) -> bool {
    m.direction() == crate::model::Direction::Outbound
        && p.log_price.is_some_and(|lp| lp.charged.is_some())
        && p.price_note != Some(PriceNote::CurrencyDiffers)
        && matches!(p.outcome, Outcome::Billable | Outcome::Free)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn charges_are_held_to_the_max_price_then_the_card() {
        let card = dec!(0.0625);
        let k = |c, max| billable_kind(c, card, max);
        assert_eq!(
            k(dec!(0.09), Some(dec!(0.08))),
            Some(ChargeKind::ChargedAboveMax)
        );
        assert_eq!(
            k(dec!(0.07), Some(dec!(0.08))),
            None,
            "a max above the card allows it"
        );
        assert_eq!(k(dec!(0.07), None), Some(ChargeKind::ChargedAboveCard));
        assert_eq!(
            k(dec!(0.05), Some(dec!(0.08))),
            Some(ChargeKind::ChargedBelowCard)
        );
        assert_eq!(k(card, None), None);
        assert!(!ChargeKind::ChargedBelowCard.is_difference());
        assert!(ChargeKind::ChargedAboveMax.is_difference());
    }
}
