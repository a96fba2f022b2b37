//! Meta's billing rules, one test of the binary per rule, on logs that show
//! the money each rule moves (issue 13). The source is quoted in each test.

use crate::common::{count, counts, detail_column, estimate_json, run, total, wacost_in};

const SUB: &str = "meta_rules";

#[test]
fn cbp_a_second_entry_point_inside_an_open_free_entry_point_conversation_extends_nothing() {
    // Meta, Conversation-based pricing, "Free entry point conversations": "no
    // new conversations will be opened until the free entry point conversation
    // expires". The first reply (03-01 10:05) opens 72 hours; the second ad
    // click on 03-03 opens nothing, so the template of 03-04 11:00 (73 hours
    // on) opens a paid marketing conversation: Brazil 0.0625.
    let r = estimate_json(
        SUB,
        &["cbp_entry_point_twice.csv", "--tz", "America/Sao_Paulo"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(counts(&v), (5, 2, 3, 1, 2, 0, 0), "{v}");
    assert_eq!(total(&v), "0.0625", "{v}");
}

#[test]
fn authentication_international_applies_by_the_businesss_eligibility() {
    // Meta, Authentication-international rates: the rate applies to an
    // eligible business's authentication templates delivered to users in a
    // listed market that is not the business's own country, after the start
    // time Meta notifies. Indonesia 2026-10 card: authentication 0.025,
    // authentication-international 0.136; Brazil has none (n/a): 0.0068.
    let run_with = |args: &[&str]| {
        let mut all = vec!["auth_international.csv"];
        all.extend_from_slice(args);
        let r = estimate_json(SUB, &all);
        assert_eq!(r.code, 0, "{}", r.stderr);
        total(&r.json()).to_string()
    };
    assert_eq!(run_with(&[]), "0.0318");
    let brazilian = ["--business-country", "BR", "--auth-international-from"];
    assert_eq!(
        run_with(&[&brazilian[..], &["2026-10-01"]].concat()),
        "0.1428"
    );
    // Before the business's start date, and for an Indonesian business: authentication.
    assert_eq!(
        run_with(&[&brazilian[..], &["2026-12-01"]].concat()),
        "0.0318"
    );
    let indonesian = [
        "--business-country",
        "id",
        "--auth-international-from",
        "2026-10-01",
    ];
    assert_eq!(run_with(&indonesian), "0.0318");
    // One flag without the other is a usage error.
    let r = estimate_json(SUB, &["auth_international.csv", "--business-country", "BR"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// `estimate --format json` of a fixture of this area: exit 0, the JSON.
fn json_of(file: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec![file, "--tz", "America/Sao_Paulo"];
    all.extend_from_slice(args);
    let r = estimate_json(SUB, &all);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

fn detail_of(file: &str, args: &[&str]) -> String {
    let mut c = wacost_in(SUB);
    c.args(["estimate", file, "--tz", "America/Sao_Paulo", "--detail"])
        .args(["--format", "csv"])
        .args(args);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn windows_belong_to_a_business_number_and_a_customer() {
    // Meta, error 131047: "More than 24 hours have passed since the recipient
    // last replied to the sender number." The customer wrote to number ...01:
    // its utility reply is free in the window (2026-09), the same template
    // from number ...02 opens no window of its own: Brazil utility 0.0068.
    let v = json_of("two_business_numbers.csv", &[]);
    assert_eq!(counts(&v), (3, 1, 2, 1, 1, 0, 0), "{v}");
    assert_eq!(total(&v), "0.0068");
    let d = detail_of("two_business_numbers.csv", &[]);
    assert_eq!(
        detail_column(&d, "pricing_type")[1..],
        ["free_customer_service", "regular"]
    );
    // A log that names no business number is one number, and says so.
    let v = json_of("undelivered.csv", &[]);
    assert_eq!(v["assumptions"]["one_business_number"], 4, "{v}");
}

#[test]
fn a_message_that_never_reaches_delivered_is_not_billed() {
    // Meta, Pricing: "You are only charged when a template message is
    // delivered." Two of four marketing templates stop at sent/accepted in a
    // log that shows deliveries: 2 x Brazil marketing 0.0625, not 4 x.
    let v = json_of("undelivered.csv", &[]);
    assert_eq!(total(&v), "0.1250", "{v}");
    assert_eq!(count(&v, "undelivered"), 2, "{v}");
    assert_eq!(v["reconciled"], true);
    let d = detail_of("undelivered.csv", &[]);
    assert_eq!(
        detail_column(&d, "outcome"),
        ["billable", "undelivered", "billable", "undelivered"]
    );
    assert!(
        detail_column(&d, "rule")[1].contains("only charged when a template message is delivered")
    );
    // A log whose every row stops at sent carries no delivery evidence: its
    // messages are billed as delivered, and the report says it assumed so.
    let v = json_of("sent_only.csv", &[]);
    assert_eq!(total(&v), "0.1250", "{v}");
    assert_eq!(v["assumptions"]["delivery_assumed"], 2, "{v}");
}

#[test]
fn rows_per_status_are_one_message_and_never_trip_strict() {
    // One row per status, merged by message id like webhooks: wamid.m1 (sent,
    // delivered, read) is one marketing message, 0.0625; wamid.m2 (sent then
    // failed) failed; wamid.u1 delivered 19 days after it was sent (Meta
    // retries for up to 30 days, M-TTL) is one utility message, 0.0068.
    let v = json_of("status_rows.csv", &["--strict"]);
    assert_eq!(counts(&v), (7, 0, 3, 2, 0, 1, 0), "{v}");
    assert_eq!(count(&v, "status_updates"), 4, "{v}");
    assert_eq!(total(&v), "0.0693");
    let d = detail_of("status_rows.csv", &[]);
    let outcome = detail_column(&d, "outcome");
    assert_eq!(outcome.iter().filter(|o| *o == "status_update").count(), 4);
    let ids = detail_column(&d, "id");
    let u1 = ids.iter().position(|i| i == "wamid.u1").unwrap();
    assert_eq!(
        detail_column(&d, "timestamp")[u1],
        "2026-10-24T09:00:00-03:00"
    );
}

#[test]
fn the_charging_instant_is_delivery() {
    // Meta charges "when a template message is delivered"; utility is free
    // when "delivered within an open customer service window" (M-PRICING).
    // Sent at 23:55 on 30 September inside the window, delivered at 00:10 on
    // 1 October: October's rules charge in-window utility, Brazil 0.0068.
    let v = json_of("across_midnight.csv", &[]);
    assert_eq!(total(&v), "0.0068", "{v}");
    assert_eq!(v["lines"][0]["month"], "2026-10", "{v}");
    // charge-at=sent takes September's rules at the send time: free.
    let v = json_of("across_midnight.csv", &["--rule", "charge-at=sent"]);
    assert_eq!(total(&v), "0.0000", "{v}");
    assert_eq!(v["lines"][0]["month"], "2026-09", "{v}");
}

#[test]
fn a_user_call_opens_the_customer_service_window() {
    // Meta, Send messages: "When a WhatsApp user messages you or calls you,
    // a 24-hour timer called a customer service window starts." Meta is
    // silent on reactions (on by default) and system messages (off). Each
    // utility template (2026-09) after them is free in an open window, else
    // Brazil utility 0.0068.
    assert_eq!(total(&json_of("calls.csv", &[])), "0.0068");
    let off = |rule: &str| total(&json_of("calls.csv", &["--rule", rule])).to_string();
    assert_eq!(off("calls-open-window=off"), "0.0136");
    assert_eq!(off("reactions-open-window=off"), "0.0136");
    assert_eq!(off("system-messages-open-window=on"), "0.0000");
    let d = detail_of("calls.csv", &[]);
    assert!(detail_column(&d, "rule")[0].contains("calls you"), "{d}");
    assert!(
        detail_column(&d, "rule")[4].contains("system-messages-open-window"),
        "{d}"
    );
    // The webhook `calls` field: a USER_INITIATED call, connect and terminate
    // one event, opens the window for the utility template that follows.
    let v = json_of("calls_webhook.jsonl", &[]);
    assert_eq!(counts(&v), (2, 1, 1, 0, 1, 0, 0), "{v}");
    let v = json_of("calls_webhook.jsonl", &["--rule", "calls-open-window=off"]);
    assert_eq!(total(&v), "0.0068", "{v}");
}

#[test]
fn tiers_count_across_wabas_each_in_its_own_months() {
    // Meta, Pricing, "Volume tiers": "Messages are aggregated at the business
    // portfolio level, across all WhatsApp Business accounts (WABAs)"; "Tiers
    // reset monthly — At the start of the next month (12am WABA timezone)";
    // example 3: WABAs in different time zones accrue toward two months at
    // once. Saudi Arabia utility (USD, 2026-07 ladder): 0.0107 up to 100,000,
    // then 0.0102. November starts at 99,999 (--tier-start). At 01:02 UTC on
    // 1 November it is still October in Sao Paulo: that WABA's message counts
    // toward October (0.0107); its 04:00 UTC one is November's 100,002nd.
    let seed = ["--tier-start", "2026-11:Saudi Arabia:utility=99999"];
    let one_zone = json_of(
        "two_wabas.csv",
        &[&seed[..], &["--tz", "Asia/Riyadh"]].concat(),
    );
    assert_eq!(total(&one_zone), "0.0413", "{one_zone}");
    let wabas = [
        "--tz",
        "Asia/Riyadh",
        "--tz",
        "WABA_SAOPAULO=America/Sao_Paulo",
    ];
    let v = json_of("two_wabas.csv", &[&seed[..], &wabas].concat());
    assert_eq!(total(&v), "0.0418", "{v}");
    let months: Vec<&str> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["month"].as_str().unwrap())
        .collect();
    assert_eq!(months, ["2026-10", "2026-11"], "{v}");
}
