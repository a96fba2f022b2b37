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
