//! Mixed identities (issue 14): a customer named on some rows by phone
//! number, on others by business-scoped user id only, and on at least one
//! row by both, is one customer wherever the rows fall: the estimate equals
//! the one of the same log with the number on every row, in any row order,
//! streamed or held in memory.

use proptest::prelude::*;
use serde_json::Value;
use wacost::data::Pricing;
use wacost::engine::Options;
use wacost::model::Zone;
use wacost::report::estimate::Request;
use wacost::report::Dim;

/// (phone, user id): Brazilian, Mexican and Indian customers.
const CUSTOMERS: [(&str, &str); 4] = [
    ("+5511987654321", "BR.1111222233334444"),
    ("+5521998765432", "BR.5555666677778888"),
    ("+5215512345678", "MX.9999000011112222"),
    ("+919876543210", "IN.3333444455556666"),
];
const CATEGORIES: [&str; 3] = ["marketing", "utility", "authentication"];
/// 2026-09-20T00:00:00Z: the 2026-10-01 rule change falls inside the logs.
const BASE: i64 = 1_789_862_400;

#[derive(Debug, Clone)]
struct Row {
    ts: i64,
    /// None: inbound; Some(None): a free-form reply; Some(Some(c)): a template.
    out: Option<Option<usize>>,
    customer: usize,
    /// 0: the number, 1: the user id alone, 2: both.
    named: u8,
}

fn row() -> impl Strategy<Value = Row> {
    let out = prop_oneof![
        2 => Just(None),
        1 => Just(Some(None)),
        3 => (0usize..3).prop_map(|c| Some(Some(c))),
    ];
    (
        (0i64..400).prop_map(|h| BASE + h * 1800),
        out,
        0usize..4,
        0u8..3,
    )
        .prop_map(|(ts, out, customer, named)| Row {
            ts,
            out,
            customer,
            named,
        })
}

/// A log, and for each customer in it a row naming them by both (at a
/// random place): every user id is linked to its number.
fn log() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::vec(row(), 1..30).prop_flat_map(|rows| {
        let n = rows.len();
        let seen: Vec<usize> = (0..4)
            .filter(|c| rows.iter().any(|r| r.customer == *c))
            .collect();
        (proptest::collection::vec(0..n, seen.len()), Just(seen)).prop_map(move |(at, seen)| {
            let mut all = rows.clone();
            for (i, c) in at.iter().zip(&seen) {
                let mut r = rows[*i].clone();
                (r.customer, r.named) = (*c, 2);
                all.push(r);
            }
            all
        })
    })
}

fn csv(rows: &[Row], numbers_only: bool) -> String {
    let mut s = String::from("timestamp,direction,contact,user_id,type,category,id,status\n");
    for (i, r) in rows.iter().enumerate() {
        let (phone, uid) = CUSTOMERS[r.customer];
        let named = if numbers_only { 0 } else { r.named };
        let contact = if named == 1 { "" } else { phone };
        let user_id = if named == 0 { "" } else { uid };
        let ts = chrono::DateTime::from_timestamp(r.ts, 0)
            .unwrap()
            .to_rfc3339();
        let (dir, kind, cat, status) = match r.out {
            None => ("inbound", "text", "", ""),
            Some(None) => ("outbound", "text", "", "delivered"),
            Some(Some(c)) => ("outbound", "template", CATEGORIES[c], "delivered"),
        };
        s.push_str(&format!(
            "{ts},{dir},{contact},{user_id},{kind},{cat},m{i},{status}\n"
        ));
    }
    s
}

fn summary(text: &str) -> Value {
    static PRICING: std::sync::OnceLock<Pricing> = std::sync::OnceLock::new();
    let pricing = PRICING.get_or_init(|| Pricing::bundled().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.csv");
    std::fs::write(&path, text).unwrap();
    let zone = Zone::parse("America/Sao_Paulo").unwrap();
    let opts = Options {
        stream_batch: 3,
        ..Options::new("USD")
    };
    let files = [path.to_string_lossy().into_owned()];
    let req = Request {
        pricing,
        opts: &opts,
        zone: &zone,
        files: &files,
        input: None,
    };
    let mut v = req
        .summarize(Dim::DEFAULT.to_vec())
        .unwrap()
        .summary
        .to_json();
    // The number-only log has nothing to link; everything else must agree.
    v.as_object_mut().unwrap().remove("assumptions");
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_customer_named_by_number_by_user_id_or_both_is_one_customer(
        (rows, perm) in log().prop_flat_map(|rows| {
            let n = rows.len();
            (Just(rows), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        }),
    ) {
        let mut sorted = rows.clone();
        sorted.sort_by_key(|r| r.ts);
        let reference = summary(&csv(&sorted, true));
        prop_assert_eq!(&summary(&csv(&sorted, false)), &reference, "sorted, streamed");
        let shuffled: Vec<Row> = perm.iter().map(|&i| rows[i].clone()).collect();
        prop_assert_eq!(&summary(&csv(&shuffled, false)), &reference, "shuffled, in memory");
    }
}
