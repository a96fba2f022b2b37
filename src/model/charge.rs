//! What a log says a message was charged: the final charge per message
//! providers report, or only the max price a business set on a marketing
//! template (Meta, Marketing Messages API pricing: "Meta will charge that
//! max price or lower").

use rust_decimal::Decimal;

use super::currency::Code;

/// A message's prices as its log writes them (issue 14). Kept beside the
/// 32-byte [`super::Message`], in a table only logs with price columns fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogPrice {
    /// The final charge (`charged_price`, YCloud's `totalPrice`, ...).
    pub charged: Option<Decimal>,
    /// The max price set on the template (`max_price`, 360dialog's
    /// `bid_amount`): the most Meta charges.
    pub max: Option<Decimal>,
    /// The log's currency of those prices; `None`: the log does not say.
    pub currency: Option<Code>,
}

impl LogPrice {
    pub fn is_empty(&self) -> bool {
        self.charged.is_none() && self.max.is_none()
    }

    /// This row's prices over an earlier row's of the same message (rows
    /// per status): a price given wins over none.
    pub fn or(self, earlier: LogPrice) -> LogPrice {
        LogPrice {
            charged: self.charged.or(earlier.charged),
            max: self.max.or(earlier.max),
            currency: self.currency.or(earlier.currency),
        }
    }
}

/// What pricing a message by its log's prices had to note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceNote {
    /// The log has no currency column: its prices are read in the card's
    /// currency (counted as `price_currency_assumed`).
    CurrencyAssumed,
    /// The log's prices are in another currency than the card's: not
    /// mixed, the message is priced at the card rate.
    CurrencyDiffers,
    /// A max price on a category other than marketing: Meta sets max
    /// prices on marketing templates only, so it is ignored.
    MaxNotMarketing,
}

impl PriceNote {
    /// The kind, as summaries count it.
    pub fn as_str(self) -> &'static str {
        match self {
            PriceNote::CurrencyAssumed => "price_currency_assumed",
            PriceNote::CurrencyDiffers => "price_currency_differs",
            PriceNote::MaxNotMarketing => "max_price_not_marketing",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            PriceNote::CurrencyAssumed => "the log's prices have no currency column: read in the card's currency",
            PriceNote::CurrencyDiffers => "the log's prices are in another currency than the card's: not mixed, priced at the card rate",
            PriceNote::MaxNotMarketing => "a max price on a message that is not marketing: ignored (Meta sets max prices on marketing templates only)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_later_row_keeps_what_an_earlier_row_gave() {
        let first = LogPrice {
            max: Some(dec!(0.07)),
            ..Default::default()
        };
        let later = LogPrice {
            charged: Some(dec!(0.05)),
            ..Default::default()
        };
        let both = later.or(first);
        assert_eq!(
            (both.charged, both.max),
            (Some(dec!(0.05)), Some(dec!(0.07)))
        );
        assert!(LogPrice::default().is_empty() && !both.is_empty());
    }
}
