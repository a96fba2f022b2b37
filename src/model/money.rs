//! Money is `rust_decimal::Decimal`, never a float.
//!
//! Rounding rules: a message costs exactly the rate on Meta's card (4 to 6
//! decimals); sums are exact, with no intermediate rounding. Output shows
//! at least 4 decimals and never drops a significant digit. Only
//! `rounded_to_minor` (the invoice view) rounds, half away from zero, to
//! the currency's minor unit.

use rust_decimal::{Decimal, RoundingStrategy};

/// Exact decimal string with at least four decimals: `0.1250`, `12.00042`.
pub fn fmt(d: Decimal) -> String {
    let mut x = d.normalize();
    if x.scale() < 4 {
        x.rescale(4);
    }
    x.to_string()
}

pub use super::currency::minor_unit_decimals;

/// Rounds to the minor unit, half away from zero (as invoices do).
pub fn rounded_to_minor(d: Decimal, currency: &str) -> Decimal {
    d.round_dp_with_strategy(
        minor_unit_decimals(currency),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

/// The invoice view as text: `0.00`, `2.01`.
pub fn fmt_minor(d: Decimal, currency: &str) -> String {
    let dp = minor_unit_decimals(currency) as usize;
    format!("{:.dp$}", rounded_to_minor(d, currency))
}

/// Half the smallest unit of the currency: the default reconcile tolerance.
pub fn half_minor_unit(currency: &str) -> Decimal {
    Decimal::new(5, minor_unit_decimals(currency) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn formats_exactly() {
        assert_eq!(fmt(dec!(0.125)), "0.1250");
        assert_eq!(fmt(dec!(0)), "0.0000");
        assert_eq!(fmt(dec!(12.000420)), "12.00042");
        assert_eq!(rounded_to_minor(dec!(0.125), "USD"), dec!(0.13));
        assert_eq!(fmt_minor(Decimal::ZERO, "USD"), "0.00");
        assert_eq!(fmt_minor(dec!(0.0036), "USD"), "0.00");
        assert_eq!(fmt_minor(dec!(2.013), "CLP"), "2");
        assert_eq!(half_minor_unit("USD"), dec!(0.005));
        assert_eq!(half_minor_unit("CLP"), dec!(0.5));
    }
}
