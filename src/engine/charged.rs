//! A message priced by what its log says it was charged (issue 14):
//! Meta's Marketing Messages API lets a business set a max price per
//! marketing template, and "Meta will charge that max price or lower"
//! (Meta, Marketing Messages API pricing); providers report the final
//! charge per message.

use crate::engine::{Outcome, Priced};
use crate::model::{Category, LogPrice, PriceNote};

/// Applies a log's prices to a verdict the card priced: a final charge is
/// the cost (the card rate stays in `rate`); a max price alone on a
/// marketing message is the upper bound (`cost_max`), and caps the cost
/// when it is below the card rate. Prices in another currency than the
/// card's are not mixed in; a max price on another category is ignored.
pub fn apply(p: &mut Priced, lp: LogPrice, currency: &str) {
    p.log_price = Some(lp);
    if p.outcome != Outcome::Billable {
        return;
    }
    let marketing = p.class.is_some_and(|c| c.category == Category::Marketing);
    if lp.charged.is_none() && !marketing {
        p.price_note = Some(PriceNote::MaxNotMarketing);
        return;
    }
    match lp.currency {
        Some(c) if !c.as_str().eq_ignore_ascii_case(currency) => {
            p.price_note = Some(PriceNote::CurrencyDiffers);
            return;
        }
        None => p.price_note = Some(PriceNote::CurrencyAssumed),
        Some(_) => {}
    }
    match (lp.charged, lp.max) {
        (Some(charged), _) => p.cost = charged,
        (None, Some(max)) => {
            p.cost = p.cost.min(max);
            p.cost_max = Some(max);
        }
        (None, None) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::classify::{Classification, Reason};
    use crate::model::currency::Code;
    use crate::model::PricingType;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn billed(category: Category) -> Priced {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        Priced {
            date,
            month: crate::model::Month::of(date),
            outcome: Outcome::Billable,
            resolved: None,
            class: Some(Classification {
                category,
                pricing_type: PricingType::Regular,
                reason: Reason::Charged,
                in_window: false,
            }),
            era: None,
            rate: dec!(0.0625),
            cost: dec!(0.0625),
            tier: crate::engine::tariff::Tier::None,
            confidence: None,
            reject: None,
            delivery_assumed: false,
            opened_no_window: false,
            market_source: Default::default(),
            log_price: None,
            cost_max: None,
            price_note: None,
        }
    }

    fn usd() -> Option<Code> {
        Code::parse("USD").ok()
    }

    #[test]
    fn a_final_charge_is_the_cost_and_the_card_rate_stays() {
        let mut p = billed(Category::Marketing);
        let lp = LogPrice {
            charged: Some(dec!(0.05)),
            max: Some(dec!(0.07)),
            currency: usd(),
        };
        apply(&mut p, lp, "USD");
        assert_eq!(
            (p.cost, p.card_cost(), p.cost_max),
            (dec!(0.05), dec!(0.0625), None)
        );
        assert_eq!(p.price_note, None);
    }

    #[test]
    fn a_max_price_alone_is_the_upper_bound() {
        let mut p = billed(Category::Marketing);
        let lp = LogPrice {
            max: Some(dec!(0.08)),
            ..Default::default()
        };
        apply(&mut p, lp, "USD");
        assert_eq!((p.cost, p.cost_max), (dec!(0.0625), Some(dec!(0.08))));
        assert_eq!(p.price_note, Some(PriceNote::CurrencyAssumed));
        let lower = LogPrice {
            max: Some(dec!(0.04)),
            currency: usd(),
            ..Default::default()
        };
        let mut low = billed(Category::Marketing);
        apply(&mut low, lower, "USD");
        assert_eq!((low.cost, low.upper_cost()), (dec!(0.04), dec!(0.04)));
    }

    #[test]
    fn other_currencies_and_categories_are_not_mixed_in() {
        let mut p = billed(Category::Marketing);
        let brl = LogPrice {
            charged: Some(dec!(0.30)),
            currency: Code::parse("BRL").ok(),
            ..Default::default()
        };
        apply(&mut p, brl, "USD");
        assert_eq!(
            (p.cost, p.price_note),
            (dec!(0.0625), Some(PriceNote::CurrencyDiffers))
        );
        let mut u = billed(Category::Utility);
        let max = LogPrice {
            max: Some(dec!(0.01)),
            currency: usd(),
            ..Default::default()
        };
        apply(&mut u, max, "USD");
        assert_eq!((u.cost, u.cost_max), (dec!(0.0625), None));
        assert_eq!(u.price_note, Some(PriceNote::MaxNotMarketing));
        let mut free = billed(Category::Marketing);
        free.outcome = Outcome::Free;
        free.cost = Decimal::ZERO;
        apply(&mut free, brl, "USD");
        assert_eq!((free.cost, free.log_price), (Decimal::ZERO, Some(brl)));
    }
}
