//! Meta's billing rules, one test of the binary per rule, on logs that show
//! the money each rule moves (issue 13). The source is quoted in each test.

use crate::common::{counts, estimate_json, total};

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
