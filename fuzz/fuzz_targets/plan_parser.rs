#![no_main]
//! Forecast plans: `forecast::plan::Plan::parse` on UTF-8 text, then, for a
//! plan that parses, `forecast::price_plan` as `wacost forecast` runs it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use wacost::engine::forecast;
use wacost::ingest::plan::{self as limits, Plan};
use wacost::data::Pricing;

fn pricing() -> &'static Pricing {
    static P: OnceLock<Pricing> = OnceLock::new();
    P.get_or_init(|| Pricing::bundled().expect("bundled pricing"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(plan) = Plan::parse("fuzz.toml", text, &pricing().markets) else {
        return;
    };
    assert!(plan.business_numbers >= 1);
    let unit = Decimal::ZERO..=Decimal::ONE;
    for c in &plan.campaigns {
        assert!(!c.months.is_empty() && c.months.len() <= limits::MAX_MONTHS);
        assert!(c.messages <= limits::MAX_MONTHLY_MESSAGES);
        assert!(
            c.months.windows(2).all(|w| w[0].next() == w[1]),
            "months not consecutive"
        );
        assert!(unit.contains(&c.in_window_share));
        assert!(unit.contains(&c.entry_point_share));
        assert!(c.in_window_share + c.entry_point_share <= Decimal::ONE);
        assert!(unit.contains(&c.delivery_rate));
        assert!(c.growth > -Decimal::ONE && c.growth <= limits::MAX_GROWTH);
    }
    if let Some(f) = &plan.fees {
        assert!(!f.per_message.is_sign_negative() || f.per_message.is_zero());
        assert!(!f.percent.is_sign_negative() || f.percent.is_zero());
        for d in f.per_category.iter().flatten() {
            assert!(!d.is_sign_negative() || d.is_zero());
        }
    }

    let Ok(fc) = forecast::price_plan(pricing(), &plan, "USD", &BTreeMap::new(), None) else {
        return;
    };
    for (key, l) in &fc.lines {
        assert!(l.delivered <= l.planned, "{key:?}: delivered > planned");
        if fc.unpriced.is_empty() {
            assert_eq!(
                l.billable + l.free,
                l.delivered,
                "{key:?}: billable + free != delivered"
            );
        }
        assert!(!l.cost.is_sign_negative() || l.cost.is_zero());
    }
    assert_eq!(fc.total, fc.lines.values().map(|l| l.cost).sum::<Decimal>());
});
