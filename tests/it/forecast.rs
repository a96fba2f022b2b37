//! Forecasts and estimates apply the same era rules: a plan and the log it
//! describes get the same free messages.

use std::collections::BTreeMap;
use std::io::Write;

use rust_decimal::Decimal;
use wacost::data::Pricing;
use wacost::engine::forecast::{price_plan, Plan};
use wacost::engine::{self, Options, Outcome, Priced};
use wacost::ingest::Inputs;
use wacost::model::time::Zone;
use wacost::model::{Message, PricingType};

/// Brazil's CBP service rate in this test's card (the bundled cards start
/// in 2024-11, when service became free).
const SERVICE_RATE: &str = "0.0300";

/// The bundled pricing data with one more USD card from 2024-03-01: the
/// 2024-11-01 card, service in Brazil charged at [`SERVICE_RATE`].
fn pricing_with_a_march_2024_card(dir: &std::path::Path) -> Pricing {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing");
    std::fs::create_dir_all(dir.join("rates")).unwrap();
    for f in ["markets.csv", "calling_codes.csv", "rules.toml"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    let usd = std::fs::read_to_string(src.join("rates/USD.csv")).unwrap();
    let mut out = String::new();
    for line in usd.lines() {
        out += line;
        out += "\n";
        if let Some(rest) = line.strip_prefix("2024-11-01,") {
            let rest = match rest.strip_prefix("Brazil,service,") {
                Some(_) => format!("Brazil,service,{SERVICE_RATE},direct,test card"),
                None => rest.to_string(),
            };
            out += &format!("2024-03-01,{rest}\n");
        }
    }
    std::fs::write(dir.join("rates/USD.csv"), out).unwrap();
    Pricing::from_dir(dir).unwrap()
}

const MARCH_2024_SERVICE: &str = "[[campaign]]\nname='atendimento'\nmonth='2024-03'\nmarket='BR'\ncategory='service'\nmessages=1500\n";

#[test]
fn a_cbp_plan_of_service_messages_gets_the_free_tier() {
    // rules.toml era cbp-2023-06: 1,000 free service conversations per WABA a month.
    let dir = tempfile::tempdir().unwrap();
    let pricing = pricing_with_a_march_2024_card(dir.path());
    let plan = Plan::parse("p.toml", MARCH_2024_SERVICE, &pricing.markets).unwrap();
    let f = price_plan(&pricing, &plan, "USD", &BTreeMap::new(), None).unwrap();
    let l = f.lines.values().next().unwrap();
    assert_eq!(
        (l.delivered, l.free_tier, l.free, l.billable),
        (1500, 1000, 1000, 500)
    );
    assert!(f.unpriced.is_empty(), "{:?}", f.unpriced);
    let rate: Decimal = SERVICE_RATE.parse().unwrap();
    assert_eq!(f.total, rate * Decimal::from(500));

    // Switched off, every conversation is charged.
    let off = BTreeMap::from([("cbp-free-tier".to_string(), false)]);
    let f = price_plan(&pricing, &plan, "USD", &off, None).unwrap();
    let l = f.lines.values().next().unwrap();
    assert_eq!((l.free_tier, l.billable), (0, 1500));
}

#[test]
fn the_same_traffic_as_a_log_gets_the_same_free_count() {
    // 1,500 service conversations to 1,500 contacts in March 2024.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("march.csv");
    let mut csv = String::from("timestamp,direction,contact,type,category\n");
    for i in 0..1500u32 {
        let (day, min) = (1 + i / 100, i % 100);
        csv += &format!(
            "2024-03-{day:02}T10:{:02}:{:02}Z,out,+5511987{i:06},text,\n",
            min / 60,
            min % 60
        );
    }
    std::fs::File::create(&path)
        .unwrap()
        .write_all(csv.as_bytes())
        .unwrap();
    let pricing = pricing_with_a_march_2024_card(&dir.path().join("pricing"));
    let zone = Zone::parse("UTC").unwrap();
    let opts = Options::new("USD");
    let mut inputs = Inputs::new(zone.clone());
    let mut rejected = Vec::new();
    let paths = vec![path.to_string_lossy().into_owned()];
    let msgs = engine::read_sorted(&paths, None, &mut inputs, &mut rejected).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    let (mut free_tier, mut billable, mut cost) = (0, 0, Decimal::ZERO);
    engine::price_sorted(
        &pricing,
        &opts,
        &zone,
        &msgs,
        inputs.identities.members(),
        &mut |_: &Message, p: &Priced| match p.class.map(|c| c.pricing_type) {
            Some(PricingType::FreeTier) => free_tier += 1,
            _ if p.outcome == Outcome::Billable => {
                billable += 1;
                cost += p.cost;
            }
            _ => {}
        },
    )
    .unwrap();
    assert_eq!((free_tier, billable), (1000, 500));
    assert_eq!(
        cost,
        SERVICE_RATE.parse::<Decimal>().unwrap() * Decimal::from(500)
    );
}

#[test]
fn a_forecast_month_without_a_card_says_unpriced_and_the_total_leaves_it_out() {
    // EUR's first bundled card is 2026-04-01: March's 1,000 marketing messages have
    // no rate; November's are 1,000 x 0.0099 EUR (India, 2026-10-01 card).
    let plan = crate::common::fixtures("honest").join("eur_before_first_card.toml");
    let forecast = |format: &str| {
        let mut c = crate::common::wacost();
        c.arg("forecast").arg(&plan).args(["--format", format]);
        crate::common::run(c)
    };
    let r = forecast("json");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["total"], "9.9000", "{v}");
    assert_eq!(
        (v["complete"].as_bool(), v["unpriced_messages"].as_u64()),
        (Some(false), Some(1000)),
        "{v}"
    );
    let march = &v["lines"][0];
    assert_eq!(
        (march["month"].as_str(), march["cost"].as_str()),
        (Some("2026-03"), Some("unpriced")),
        "{v}"
    );
    assert_eq!(march["unpriced"], 1000, "{v}");
    assert!(
        v["unpriced"][0]
            .as_str()
            .unwrap()
            .contains("no EUR rate card in force on 2026-03-01"),
        "{v}"
    );
    let t = forecast("table");
    assert!(!t.stdout.contains(" 0.0000 "), "{}", t.stdout);
    assert!(t.stdout.contains("unpriced"), "{}", t.stdout);
    assert!(
        t.stdout.contains(
            "Meta total 9.9000 EUR; leaves out 1000 messages Meta charges that could not be priced"
        ),
        "{}",
        t.stdout
    );
    assert!(
        t.stderr.contains("not priced: 2026-03 India marketing"),
        "{}",
        t.stderr
    );
}

/// `wacost forecast ARGS`.
fn forecast_run(args: &[&str]) -> crate::common::Run {
    let mut c = crate::common::wacost_in("forecast");
    c.arg("forecast").args(args);
    crate::common::run(c)
}

#[test]
fn the_extra_cost_of_the_change_is_positive_when_the_change_costs_more() {
    // October's plan: 810 charged at 0.0068; under September's rules 450 (the 360
    // in-window utility templates free): the change costs 360 x 0.0068 = 2.4480 more,
    // whether the what-if date is before the plan's month or after it.
    for (plan, as_of) in [
        ("utility_2026_10.toml", "2026-09-01"),
        ("utility_2026_09.toml", "2026-10-01"),
    ] {
        let r = forecast_run(&[plan, "--as-of", as_of, "--format", "json"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v = r.json();
        assert_eq!(v["extra_cost_of_change"], "2.4480", "{plan}: {v}");
        assert_eq!(v["lines"][0]["extra_cost_of_change"], "2.4480", "{v}");
        let t = forecast_run(&[plan, "--as-of", as_of, "--format", "table"]);
        assert!(
            t.stdout.contains("Extra cost of the change: +2.4480 USD")
                && t.stdout.contains("extra cost of the change"),
            "{}",
            t.stdout
        );
        let csv = forecast_run(&[plan, "--as-of", as_of, "--format", "csv"]);
        assert!(
            csv.stdout.contains("extra_cost_of_change"),
            "{}",
            csv.stdout
        );
    }
}

#[test]
fn a_log_of_partial_months_is_scaled_to_full_months_and_its_coverage_printed() {
    // One marketing template a day, 2026-09-20..2026-10-12: 23 messages over
    // 11/30 + 12/31 = 0.754 months, about 31 a month (not 23 / 2 months = 12).
    let r = forecast_run(&[
        "--from-log",
        "sep20_oct12.csv",
        "--months",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["lines"][0]["month"], "2026-11", "{v}");
    assert_eq!(v["lines"][0]["planned"], 31, "{v}");
    assert!(
        r.stderr.contains(
            "from 23 days of log (11 of 30 days of 2026-09, 12 of 31 days of 2026-10: 0.75 months)"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_given_zone_and_currency_win_for_a_plan_learned_from_a_log() {
    let r = forecast_run(&[
        "--from-log",
        "sep20_oct12.csv",
        "--currency",
        "EUR",
        "--tz",
        "America/Sao_Paulo",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(
        (v["currency"].as_str(), v["tz"].as_str()),
        (Some("EUR"), Some("America/Sao_Paulo")),
        "{v}"
    );
    // With a plan of its own currency and zone, the flags win too.
    let p = forecast_run(&[
        "eur_kolkata.toml",
        "--currency",
        "USD",
        "--tz",
        "UTC",
        "--format",
        "json",
    ]);
    let v = p.json();
    assert_eq!(
        (v["currency"].as_str(), v["tz"].as_str()),
        (Some("USD"), Some("UTC")),
        "{v}"
    );
}
