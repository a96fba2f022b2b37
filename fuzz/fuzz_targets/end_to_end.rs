#![no_main]
//! A log (format detected) through the engine as `wacost estimate` runs it:
//! read, `engine::sort_messages`, `engine::price` with the bundled pricing.
//! Every message leaves as exactly one outcome.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use wacost::engine::{self, Options, Outcome};
use wacost::data::Pricing;

mod common;

fn pricing() -> &'static Pricing {
    static P: OnceLock<Pricing> = OnceLock::new();
    P.get_or_init(|| Pricing::bundled().expect("bundled pricing"))
}

fuzz_target!(|data: &[u8]| {
    let mut r = common::read(data, None);
    common::check(&r);
    engine::sort_messages(&mut r.msgs);
    let opts = Options::new("USD");
    let mut seen = 0usize;
    let mut by_outcome = [0usize; 6];
    engine::price_sorted(
        pricing(),
        &opts,
        &common::zone(),
        &r.msgs,
        &mut |m: &wacost::model::Message, p: &engine::Priced| {
            seen += 1;
            let i = match p.outcome {
                Outcome::Inbound => 0,
                Outcome::Billable => 1,
                Outcome::Free => 2,
                Outcome::Failed => 3,
                Outcome::Rejected => 4,
                Outcome::Undelivered => 5,
            };
            by_outcome[i] += 1;
            match p.outcome {
                Outcome::Billable => {
                    assert!(!p.cost.is_sign_negative() || p.cost.is_zero());
                    assert!(p.class.is_some());
                }
                _ => assert_eq!(p.cost, Decimal::ZERO, "{:?} with a cost", p.outcome),
            }
            assert_eq!(
                p.outcome == Outcome::Rejected,
                p.reject.is_some(),
                "reject reason iff rejected"
            );
            if p.outcome == Outcome::Inbound {
                assert_eq!(m.direction(), wacost::model::Direction::Inbound);
            }
        },
    )
    .expect("USD cards are bundled");
    assert_eq!(seen, r.msgs.len(), "one outcome per message");
    assert_eq!(by_outcome.iter().sum::<usize>(), r.msgs.len());
});
