//! Meta's 2026 platform (issue 14): customers known by a business-scoped
//! user id (BSUID) only, one customer seen by number and by id, and group
//! messages billed per member delivered. The fixtures are webhook payloads
//! in the shapes of Meta's "Business-scoped user IDs" and "Groups API"
//! pages, and CSV logs with `user_id` and `group_id` columns.

use crate::common::{count, counts, detail_column, estimate_json, run, total, wacost_in};

const SUB: &str = "platform_2026";
const TZ: [&str; 2] = ["--tz", "America/Sao_Paulo"];

fn estimate(file: &str) -> serde_json::Value {
    let r = estimate_json(SUB, &[file, TZ[0], TZ[1]]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

/// `wacost estimate FILE --tz ... --detail --format csv`, to add flags to.
fn detail_command(file: &str) -> assert_cmd::Command {
    let mut c = wacost_in(SUB);
    c.args([
        "estimate", file, TZ[0], TZ[1], "--detail", "--format", "csv",
    ]);
    c
}

fn detail(file: &str, format: &str) -> String {
    let mut c = wacost_in(SUB);
    c.args([
        "estimate", file, TZ[0], TZ[1], "--detail", "--format", format,
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn a_username_only_customer_is_priced_in_the_market_of_the_user_id_s_country() {
    // Meta, Business-scoped user IDs: a username adopter's `wa_id` "will be
    // set to empty" and `recipient_user_id` carries the BSUID
    // (`BR.1502576394655843`: "two-letter ISO country code, a period").
    // Brazil marketing, 2026-07 card: 0.0625.
    let v = estimate("username_only.jsonl");
    assert_eq!(counts(&v), (1, 0, 1, 1, 0, 0, 0), "{v}");
    assert_eq!(total(&v), "0.0625");
    assert_eq!(v["assumptions"]["market_from_user_id"], 1, "{v}");
    let d = detail("username_only.jsonl", "csv");
    assert_eq!(detail_column(&d, "market"), ["Brazil"]);
    assert_eq!(detail_column(&d, "market_source"), ["user_id"]);
    assert_eq!(detail_column(&d, "contact"), ["BR.…43"]);
}

#[test]
fn a_customer_seen_by_number_then_by_user_id_is_one_customer_with_one_window() {
    // The inbound message carries both (`from`, `from_user_id`, contacts'
    // `wa_id` and `user_id`); the utility template an hour later names only
    // the BSUID: it is inside the window the number's message opened, so
    // free (2026-09 rules); the marketing template two days on is charged
    // at the number's market, with nothing assumed.
    let v = estimate("phone_then_user_id.jsonl");
    assert_eq!(counts(&v), (3, 1, 2, 1, 1, 0, 0), "{v}");
    assert_eq!(total(&v), "0.0625");
    assert!(v["assumptions"].get("market_from_user_id").is_none(), "{v}");
    let d = detail("phone_then_user_id.jsonl", "csv");
    let contacts = detail_column(&d, "contact");
    assert!(contacts.iter().all(|c| c == &contacts[0]), "{contacts:?}");
    assert_eq!(
        detail_column(&d, "market_source"),
        ["phone", "phone", "phone"]
    );
}

#[test]
fn rows_of_a_user_id_before_it_is_linked_to_a_number_are_that_number_s() {
    // The inbound row names only the BSUID; the next row names both, so
    // the window the first opened is the number's: both utility templates
    // are free. Streamed, the late link starts the run over in memory.
    for batch in ["1", "32768"] {
        let mut c = wacost_in(SUB);
        c.env("WACOST_STREAM_BATCH", batch);
        c.args([
            "estimate",
            "user_id_first.csv",
            TZ[0],
            TZ[1],
            "--format",
            "json",
            "-v",
        ]);
        let r = run(c);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v = r.json();
        assert_eq!(counts(&v), (3, 1, 2, 0, 2, 0, 0), "batch {batch}: {v}");
        assert_eq!(total(&v), "0.0000");
        assert!(r.stderr.contains("linked a user id"), "{}", r.stderr);
    }
}

#[test]
fn a_group_message_is_billed_once_per_member_delivered_at_each_member_s_market() {
    // Meta, Groups API Pricing: "you would be charged for 5 delivered
    // messages at the going marketing message rate for each recipient's
    // country calling code"; "When any WhatsApp user in the group messages
    // you, a customer service window is opened between you and the entire
    // group". Three Brazilian members (0.0625) and two Mexican ones (0.0305,
    // one known by BSUID only): 0.2485. The group-level `sent` status is a
    // status update of the members' deliveries. The utility template after
    // a member wrote is free for all five.
    let v = estimate("group_five_members.jsonl");
    assert_eq!(counts(&v), (11, 1, 10, 5, 5, 0, 0), "{v}");
    assert_eq!(total(&v), "0.2485");
    let d = detail("group_five_members.jsonl", "csv");
    let cats = detail_column(&d, "category");
    assert_eq!(
        cats.iter().filter(|c| *c == "group_marketing").count(),
        5,
        "{cats:?}"
    );
    assert_eq!(
        cats.iter().filter(|c| *c == "group_utility").count(),
        5,
        "{cats:?}"
    );
    let markets = detail_column(&d, "market");
    assert_eq!(
        markets.iter().filter(|m| *m == "Mexico").count(),
        4,
        "{markets:?}"
    );
    let contacts = detail_column(&d, "contact");
    assert!(
        contacts.iter().all(|c| c.starts_with("group Y2FwaV9n…")),
        "{contacts:?}"
    );
}

#[test]
fn a_csv_log_names_group_members_one_row_each() {
    // One row per member delivered, under the message's id; a member's
    // message (`MX.` user id) opens the group's window for the utility
    // template: 2 x 0.0625 + 0.0305.
    let v = estimate("group_rows.csv");
    assert_eq!(counts(&v), (7, 1, 6, 3, 3, 0, 0), "{v}");
    assert_eq!(total(&v), "0.1555");
}

#[test]
fn a_user_id_whose_country_cannot_decide_the_market_is_rejected_saying_what_would() {
    let r = estimate_json(SUB, &["undecided.jsonl", TZ[0], TZ[1]]);
    assert_eq!(r.code, 2, "no row could be priced: {}", r.stderr);
    assert!(r.stderr.contains("country CA"), "{}", r.stderr);
    assert!(
        r.stderr.contains("a phone number for this customer"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("not a business-scoped user id"),
        "{}",
        r.stderr
    );
}

#[test]
fn no_user_id_or_username_is_shown_in_full_by_default() {
    let secrets = [
        "1502576394655843",
        "88776655443322",
        "5566778899",
        "4455667788990011",
        "9988776655443322",
        "pablomorales",
        "mapleuser",
        "99001122",
    ];
    let files = [
        "username_only.jsonl",
        "phone_then_user_id.jsonl",
        "group_five_members.jsonl",
        "group_rows.csv",
        "user_id_first.csv",
        "undecided.jsonl",
    ];
    for f in files {
        for format in ["table", "csv", "json"] {
            for extra in [&[][..], &["--detail"][..]] {
                let mut c = wacost_in(SUB);
                c.args(["estimate", f, TZ[0], TZ[1], "--format", format, "-v"]);
                c.args(extra);
                let r = run(c);
                for s in secrets {
                    assert!(
                        !r.stdout.contains(s),
                        "{f} {format} {extra:?}: {s} in {}",
                        r.stdout
                    );
                    assert!(
                        !r.stderr.contains(s),
                        "{f} {format} {extra:?}: {s} in {}",
                        r.stderr
                    );
                }
            }
        }
    }
    // --show-numbers shows them; --hash-numbers hashes them.
    let mut c = detail_command("username_only.jsonl");
    c.arg("--show-numbers");
    let shown = run(c);
    assert_eq!(
        detail_column(&shown.stdout, "contact"),
        ["BR.1502576394655843"]
    );
    let mut c = detail_command("username_only.jsonl");
    c.arg("--hash-numbers").env("WACOST_HASH_KEY", "k");
    let hashed = run(c);
    let h = detail_column(&hashed.stdout, "contact");
    assert!(
        h[0].starts_with("h:") && h[0].len() == 34,
        "{h:?} {}",
        hashed.stderr
    );
    assert_eq!(count(&estimate("username_only.jsonl"), "rejected"), 0);
}
