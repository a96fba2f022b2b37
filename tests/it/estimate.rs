//! `wacost estimate` end to end, on small fixtures in
//! `tests/fixtures/estimate/`. Every expected figure is computed by hand from
//! the bundled USD card (Brazil 2025-02-01 card: marketing 0.0625, utility
//! 0.0080; 2025-07-01..2026-10-01 cards: marketing 0.0625, utility and
//! authentication 0.0068, service 0.0068 from 2026-10-01; Egypt 2026-10-01:
//! authentication 0.0036, authentication_international `unknown`) and the
//! eras of `pricing/rules.toml`. The source of each rule is named on its test.

use std::io::Write as _;

use crate::common::{
    assert_no_full_number, counts, detail_column, estimate_json, fixtures, lines, rejected, run,
    total, wacost, wacost_in,
};
use serde_json::Value;

const SP: [&str; 2] = ["--tz", "America/Sao_Paulo"];
pub(crate) const ANA: &str = "+55 11 98765-4321";
pub(crate) const BRUNO: &str = "+55 21 99876-5432";
const CAIO: &str = "+55 31 98888-7766";
const MONTH_MARKET_CAT: [&str; 3] = ["month", "market", "category"];

pub(crate) fn est(file: &str, extra: &[&str]) -> Value {
    let mut args = vec![file];
    args.extend(SP);
    args.extend(extra);
    let r = estimate_json("estimate", &args);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    r.json()
}

/// `--detail --format csv` output of a fixture.
fn detail_csv(file: &str, extra: &[&str]) -> String {
    let mut c = wacost_in("estimate");
    c.args(["estimate", file])
        .args(SP)
        .args(["--detail", "--format", "csv"])
        .args(extra);
    let r = run(c);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    r.stdout
}

/// `id -> pricing_type` of the outbound rows of `--detail`.
fn pricing_types(detail: &str) -> Vec<(String, String)> {
    let ids = detail_column(detail, "id");
    let types = detail_column(detail, "pricing_type");
    let dirs = detail_column(detail, "direction");
    let mut v: Vec<(String, String)> = ids
        .into_iter()
        .zip(types)
        .zip(dirs)
        .filter(|(_, d)| d == "outbound")
        .map(|((i, t), _)| (i, t))
        .collect();
    v.sort();
    v
}

fn line(
    key: &str,
    billable: u64,
    free: u64,
    failed: u64,
    cost: &str,
) -> (String, u64, u64, u64, String) {
    (key.to_string(), billable, free, failed, cost.to_string())
}

// --- Customer service window ---------------------------------------------

#[test]
fn utility_free_until_the_last_second_of_the_customer_service_window() {
    // Meta, Pricing on the WhatsApp Business Platform (era pmp-2025-07): utility
    // templates are free inside an open 24-hour customer service window.
    // Inbound 2026-09-10 10:00:00 -03:00; utility at +23:59:59 free, at +24:00:00 charged 0.0068.
    let v = est("csw_boundary.csv", &[]);
    assert_eq!(total(&v), "0.0068");
    assert_eq!(counts(&v), (3, 1, 2, 1, 1, 0, 0));
    assert_eq!(
        lines(&v, &MONTH_MARKET_CAT),
        vec![line("2026-09|Brazil|utility", 1, 1, 0, "0.0068")]
    );
    let d = detail_csv("csw_boundary.csv", &[]);
    assert_eq!(
        pricing_types(&d),
        vec![
            ("wamid.u1".into(), "free_customer_service".into()),
            ("wamid.u2".into(), "regular".into())
        ]
    );
    assert_eq!(
        detail_column(&d, "cost"),
        vec!["0.0000", "0.0000", "0.0068"]
    );
}

#[test]
fn marketing_is_charged_inside_the_window_utility_and_service_are_not() {
    // Meta, Pricing on the WhatsApp Business Platform (pmp-2025-07): marketing is
    // charged per delivered message in or out of the window; utility templates and
    // non-template (service) messages are free inside it.
    let v = est("marketing_in_window.csv", &[]);
    assert_eq!(total(&v), "0.0625");
    assert_eq!(counts(&v), (4, 1, 3, 1, 2, 0, 0));
    assert_eq!(
        lines(&v, &MONTH_MARKET_CAT),
        vec![
            line("2026-09|Brazil|marketing", 1, 0, 0, "0.0625"),
            line("2026-09|Brazil|service", 0, 1, 0, "0.0000"),
            line("2026-09|Brazil|utility", 0, 1, 0, "0.0000"),
        ]
    );
}

// --- The day the rules change, in the WABA time zone ----------------------

#[test]
fn rule_change_day_is_read_in_the_waba_time_zone_sao_paulo() {
    // rules.toml: eras start at 12:00 AM WABA time. Reply at 2026-09-30 22:30 -03:00
    // (= 2026-10-01 01:30Z) is still 2026-09-30 in Sao Paulo: era pmp-2025-07, service
    // free inside the customer service window (Meta pricing page).
    let v = est("rule_change_day.csv", &[]);
    assert_eq!(total(&v), "0.0000");
    assert_eq!(counts(&v), (2, 1, 1, 0, 1, 0, 0));
    assert_eq!(
        lines(&v, &MONTH_MARKET_CAT),
        vec![line("2026-09|Brazil|service", 0, 1, 0, "0.0000")]
    );
    let d = detail_csv("rule_change_day.csv", &[]);
    assert_eq!(
        pricing_types(&d),
        vec![("wamid.s1".into(), "free_customer_service".into())]
    );
    assert!(
        detail_column(&d, "rule")[1].starts_with("pmp-2025-07:"),
        "{d}"
    );
    // The allowance switch does not matter before 2026-10-01.
    let off = est("rule_change_day.csv", &["--rule", "service-free-tier=off"]);
    assert_eq!(total(&off), "0.0000");
    assert_eq!(counts(&off), (2, 1, 1, 0, 1, 0, 0));
}

#[test]
fn rule_change_day_in_utc_uses_the_allowance_then_charges_service() {
    // Same log with --tz UTC: the reply is on 2026-10-01, era pmp-2026-10 (Meta,
    // Pricing for non-template messages: service charged per message at the utility
    // rate from 2026-10-01). The reported allowance of 1,000 free service messages per
    // business number and month is on by default: unit 1, free_tier.
    let mut c = wacost_in("estimate");
    c.args([
        "estimate",
        "rule_change_day.csv",
        "--tz",
        "UTC",
        "--format",
        "json",
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["tz"], "UTC");
    assert_eq!(total(&v), "0.0000");
    assert_eq!(counts(&v), (2, 1, 1, 0, 1, 0, 0));
    assert_eq!(
        lines(&v, &MONTH_MARKET_CAT),
        vec![line("2026-10|Brazil|service", 0, 1, 0, "0.0000")]
    );
    let mut c = wacost_in("estimate");
    c.args([
        "estimate",
        "rule_change_day.csv",
        "--tz",
        "UTC",
        "--detail",
        "--format",
        "csv",
    ]);
    let d = run(c).stdout;
    assert_eq!(
        pricing_types(&d),
        vec![("wamid.s1".into(), "free_tier".into())]
    );
    assert_eq!(
        detail_column(&d, "rule")[1],
        "pmp-2026-10: service unit 1 of the monthly free allowance; delivery assumed: the log has no delivered status for it (Meta bills delivered messages)"
    );

    // With the allowance switched off the reply is charged at Brazil's service rate.
    let mut c = wacost_in("estimate");
    c.args([
        "estimate",
        "rule_change_day.csv",
        "--tz",
        "UTC",
        "--rule",
        "service-free-tier=off",
        "--format",
        "json",
    ]);
    let v = run(c).json();
    assert_eq!(total(&v), "0.0068");
    assert_eq!(counts(&v), (2, 1, 1, 1, 0, 0, 0));
    assert_eq!(
        lines(&v, &MONTH_MARKET_CAT),
        vec![line("2026-10|Brazil|service", 1, 0, 0, "0.0068")]
    );
}

// --- Free entry point -----------------------------------------------------

#[test]
fn free_entry_point_reply_within_24h_opens_72h_and_late_reply_opens_none() {
    // Meta, Pricing "Free Entry Point windows" (all eras in rules.toml: reply within
    // entry_point_reply_hours = 24 opens free_entry_point_hours = 72 from the reply).
    // Ana (ctwa) gets a reply after 23h: it and marketing until 71:59:59 later are free,
    // marketing at exactly 72h is charged 0.0625. Bruno (fb_page_cta) gets his first
    // reply after 25h: no window; utility 0.0068 and marketing 0.0625 charged.
    let v = est("free_entry_point.csv", &[]);
    assert_eq!(total(&v), "0.1318");
    assert_eq!(counts(&v), (8, 2, 6, 3, 3, 0, 0));
    assert_eq!(
        lines(&v, &MONTH_MARKET_CAT),
        vec![
            line("2026-10|Brazil|marketing", 2, 2, 0, "0.1250"),
            line("2026-10|Brazil|service", 0, 1, 0, "0.0000"),
            line("2026-10|Brazil|utility", 1, 0, 0, "0.0068"),
        ]
    );
    let d = detail_csv("free_entry_point.csv", &[]);
    let want: Vec<(String, String)> = [
        ("wamid.a1", "free_entry_point"),
        ("wamid.a2", "free_entry_point"),
        ("wamid.a3", "free_entry_point"),
        ("wamid.a4", "regular"),
        ("wamid.b1", "regular"),
        ("wamid.b2", "regular"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(pricing_types(&d), want);
}

// --- Failed messages ------------------------------------------------------

#[test]
fn failed_messages_are_never_billed() {
    // Meta, Pricing page: only delivered messages are charged. Two failed rows
    // (`failed`, `FAILED`) cost nothing; the delivered marketing 0.0625 and read
    // utility 0.0068 (no window open, pmp-2026-10) are charged.
    let v = est("failed.csv", &[]);
    assert_eq!(total(&v), "0.0693");
    assert_eq!(counts(&v), (4, 0, 4, 2, 0, 2, 0));
    assert_eq!(
        lines(&v, &MONTH_MARKET_CAT),
        vec![
            line("2026-10|Brazil|marketing", 1, 0, 1, "0.0625"),
            line("2026-10|Brazil|utility", 1, 0, 1, "0.0068")
        ]
    );
    let d = detail_csv("failed.csv", &[]);
    let ids = detail_column(&d, "id");
    let outcome = detail_column(&d, "outcome");
    let cost = detail_column(&d, "cost");
    let billable = detail_column(&d, "billable");
    for (i, id) in ids.iter().enumerate() {
        if id == "wamid.f1" || id == "wamid.f3" {
            assert_eq!(
                (outcome[i].as_str(), cost[i].as_str(), billable[i].as_str()),
                ("failed", "0.0000", "false")
            );
        }
    }
}

// --- Conversation-based pricing -------------------------------------------

#[test]
fn conversation_based_pricing_march_2025() {
    // Meta, Conversation-based pricing (era cbp-2024-11): one charge per 24-hour
    // conversation per category. Marketing 08:00 (0.0625) and utility 12:00 (0.0080)
    // open two conversations; utility at 18:00 and a free-form message at 19:00 are
    // inside open conversations; utility exactly 24h after 12:00 opens a new one (0.0080).
    let v = est("cbp_2025_03.csv", &[]);
    assert_eq!(total(&v), "0.0785");
    assert_eq!(counts(&v), (5, 0, 5, 3, 2, 0, 0));
    assert_eq!(
        lines(&v, &MONTH_MARKET_CAT),
        vec![
            line("2025-03|Brazil|marketing", 1, 0, 0, "0.0625"),
            line("2025-03|Brazil|service", 0, 1, 0, "0.0000"),
            line("2025-03|Brazil|utility", 2, 1, 0, "0.0160"),
        ]
    );
    let d = detail_csv("cbp_2025_03.csv", &[]);
    let want: Vec<(String, String)> = [
        ("wamid.c1", "regular"),
        ("wamid.c2", "regular"),
        ("wamid.c3", "in_conversation"),
        ("wamid.c4", "in_conversation"),
        ("wamid.c5", "regular"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(pricing_types(&d), want);
    assert!(
        detail_column(&d, "rule")
            .iter()
            .all(|r| r.starts_with("cbp-2024-11:")),
        "{d}"
    );
}

// --- A rate that is absent from the data ---------------------------------

#[test]
fn unknown_rate_rejects_the_row_and_the_total_excludes_it() {
    // CONTRACT: absent is not zero. Iraq authentication_international is `unknown`
    // on the USD card of 2026-10-01: that row is rejected with the reason; Egypt
    // authentication 0.0036 and Brazil marketing 0.0625 are charged; exit 0.
    let v = est("missing_rate.csv", &[]);
    assert_eq!(total(&v), "0.0661");
    assert_eq!(counts(&v), (3, 0, 2, 2, 0, 0, 1));
    let rej = rejected(&v);
    assert_eq!(rej.len(), 1);
    assert_eq!(rej[0].0, 2);
    assert!(
        rej[0]
            .1
            .contains("authentication_international rate for Iraq")
            && rej[0].1.contains("unknown"),
        "{}",
        rej[0].1
    );
    assert_eq!(v["rejected"][0]["file"], "missing_rate.csv");
    assert_eq!(
        lines(&v, &MONTH_MARKET_CAT),
        vec![
            line("2026-10|Brazil|marketing", 1, 0, 0, "0.0625"),
            line("2026-10|Egypt|authentication", 1, 0, 0, "0.0036")
        ]
    );
}

#[test]
fn strict_exits_3_when_a_row_is_rejected_and_still_reports() {
    let r = estimate_json(
        "estimate",
        &["missing_rate.csv", "--tz", "America/Sao_Paulo", "--strict"],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    let v = r.json();
    assert_eq!(total(&v), "0.0661");
    assert_eq!(counts(&v), (3, 0, 2, 2, 0, 0, 1));
    assert!(r.stderr.contains("--strict"), "{}", r.stderr);
    // Nothing rejected: --strict changes nothing.
    let r = estimate_json(
        "estimate",
        &["failed.csv", "--tz", "America/Sao_Paulo", "--strict"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(total(&r.json()), "0.0693");
}

// --- Webhooks -------------------------------------------------------------

#[test]
fn webhook_statuses_of_one_message_are_counted_once() {
    // CONTRACT (webhook input): sent, delivered, read and retried statuses of one
    // wamid are one message. wamid.A (marketing: sent, delivered, read, delivered
    // again) 0.0625; wamid.B (utility: sent, delivered) 0.0068; wamid.C (sent, then
    // failed) never billed; one inbound message. 9 lines, 4 messages.
    let v = est("webhook_statuses.jsonl", &[]);
    assert_eq!(total(&v), "0.0693");
    assert_eq!(counts(&v), (4, 1, 3, 2, 0, 1, 0));
    assert_eq!(
        lines(&v, &MONTH_MARKET_CAT),
        vec![
            line("2026-10|Brazil|marketing", 1, 0, 1, "0.0625"),
            line("2026-10|Brazil|utility", 1, 0, 0, "0.0068")
        ]
    );
    // The message's time is its charging instant: the first delivered
    // status (sent at 10:00:00, delivered at 10:00:03), in the WABA zone
    // (rule switch charge-at=delivery); charge-at=sent keeps the send time.
    let d = detail_csv("webhook_statuses.jsonl", &[]);
    let ids = detail_column(&d, "id");
    let ts = detail_column(&d, "timestamp");
    let a = ids.iter().position(|i| i == "wamid.A").unwrap();
    assert_eq!(ts[a], "2026-10-05T10:00:03-03:00");
    let d = detail_csv("webhook_statuses.jsonl", &["--rule", "charge-at=sent"]);
    assert_eq!(
        detail_column(&d, "timestamp")[a],
        "2026-10-05T10:00:00-03:00"
    );
    assert_eq!(ids.len(), 4);
}

#[test]
fn webhook_statuses_split_across_files_are_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(fixtures("estimate").join("webhook_statuses.jsonl")).unwrap();
    let all: Vec<&str> = text.lines().collect();
    // Day 1: the inbound and the `sent` of wamid.A; day 2: everything else.
    let (d1, d2) = all.split_at(2);
    std::fs::write(dir.path().join("day1.jsonl"), d1.join("\n") + "\n").unwrap();
    std::fs::write(dir.path().join("day2.jsonl"), d2.join("\n") + "\n").unwrap();
    let mut c = wacost();
    c.current_dir(dir.path()).args([
        "estimate",
        "day1.jsonl",
        "day2.jsonl",
        "--tz",
        "America/Sao_Paulo",
        "--format",
        "json",
    ]);
    let v = run(c).json();
    assert_eq!(total(&v), "0.0693");
    assert_eq!(counts(&v), (4, 1, 3, 2, 0, 1, 0));
}

// --- Several inputs, stdin, gzip ------------------------------------------

/// The summary of `combined.csv` (split_a.csv + split_b.csv): state crosses files
/// (window opened in a, replies in b). Ana's utility replies are free in the window
/// (pmp-2025-07); Bruno's marketing 0.0625 and utility on 2026-10-02 0.0068 are
/// charged, his free-form message uses allowance unit 1; Caio's ctwa reply opens a
/// free entry point window that covers the next day's marketing.
fn check_combined(v: &Value) {
    assert_eq!(total(v), "0.0693");
    assert_eq!(counts(v), (9, 2, 7, 2, 5, 0, 0));
    assert_eq!(
        lines(v, &MONTH_MARKET_CAT),
        vec![
            line("2026-09|Brazil|marketing", 1, 0, 0, "0.0625"),
            line("2026-09|Brazil|utility", 0, 2, 0, "0.0000"),
            line("2026-10|Brazil|marketing", 0, 1, 0, "0.0000"),
            line("2026-10|Brazil|service", 0, 2, 0, "0.0000"),
            line("2026-10|Brazil|utility", 1, 0, 0, "0.0068"),
        ]
    );
}

#[test]
fn several_files_equal_one_concatenated_file() {
    let one = est("combined.csv", &[]);
    check_combined(&one);
    let two = est("split_a.csv", &["split_b.csv"]);
    assert_eq!(one, two);
    // Order of the files does not matter either.
    let rev = est("split_b.csv", &["split_a.csv"]);
    assert_eq!(one, rev);
}

#[test]
fn stdin_dash_reads_the_log() {
    let text = std::fs::read(fixtures("estimate").join("combined.csv")).unwrap();
    let mut c = wacost();
    c.args([
        "estimate",
        "-",
        "--tz",
        "America/Sao_Paulo",
        "--format",
        "json",
    ])
    .write_stdin(text);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    check_combined(&r.json());
}

#[test]
fn stdin_rejections_are_reported_as_stdin() {
    let text = std::fs::read(fixtures("estimate").join("missing_rate.csv")).unwrap();
    let mut c = wacost();
    c.args([
        "estimate",
        "-",
        "--tz",
        "America/Sao_Paulo",
        "--format",
        "json",
    ])
    .write_stdin(text);
    let v = run(c).json();
    assert_eq!(total(&v), "0.0661");
    assert_eq!(v["rejected"][0]["file"], "<stdin>");
    assert_eq!(v["rejected"][0]["line"], 2);
}

#[test]
fn gzip_input_is_read_transparently() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("log.csv.gz");
    let text = std::fs::read(fixtures("estimate").join("combined.csv")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&text).unwrap();
    enc.finish().unwrap();
    let mut c = wacost();
    c.arg("estimate")
        .arg(&gz)
        .args(["--tz", "America/Sao_Paulo", "--format", "json"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    check_combined(&r.json());
    // Gzip content is detected from its bytes, not its name.
    let renamed = dir.path().join("log.csv");
    std::fs::rename(&gz, &renamed).unwrap();
    let mut c = wacost();
    c.arg("estimate")
        .arg(&renamed)
        .args(["--tz", "America/Sao_Paulo", "--format", "json"]);
    check_combined(&run(c).json());
}

// --- Spreadsheet exports ----------------------------------------------------

#[test]
fn semicolon_csv_with_bom_and_crlf() {
    // A Brazilian spreadsheet export: BOM, `;`, CRLF, capitalised header names,
    // `out`/`in`, a category in upper case, naive local times read in --tz.
    // Marketing 0.0625 + utility 0.0068 (pmp-2026-10: charged in the window);
    // `promo` on line 5 is rejected.
    let v = est("bom_semicolon_crlf.csv", &[]);
    assert_eq!(total(&v), "0.0693");
    assert_eq!(counts(&v), (4, 1, 2, 2, 0, 0, 1));
    let rej = rejected(&v);
    assert_eq!(rej.len(), 1);
    assert_eq!(rej[0].0, 5);
    assert!(
        rej[0].1.contains("unknown category \"promo\""),
        "{}",
        rej[0].1
    );
    let d = detail_csv("bom_semicolon_crlf.csv", &[]);
    let ts = detail_column(&d, "timestamp");
    assert!(
        ts.contains(&"2026-10-05T10:00:00-03:00".to_string()),
        "{ts:?}"
    );
}

// --- Grouping ---------------------------------------------------------------

#[test]
fn group_by_day_and_business_number() {
    // The second message is at 23:30 -03:00 on 2026-10-05: still that day in Sao Paulo.
    let v = est("group_by.csv", &["--group-by", "day,business-number"]);
    assert_eq!(total(&v), "0.1318");
    assert_eq!(
        lines(&v, &["day", "business_number"]),
        vec![
            line("2026-10-05|5511300000001", 2, 0, 0, "0.0693"),
            line("2026-10-06|5511300000002", 1, 0, 0, "0.0625")
        ]
    );
    for l in v["lines"].as_array().unwrap() {
        assert!(l.get("month").is_none() && l.get("market").is_none(), "{l}");
    }
    // In UTC the same message falls on 2026-10-06.
    let mut c = wacost_in("estimate");
    c.args([
        "estimate",
        "group_by.csv",
        "--tz",
        "UTC",
        "--group-by",
        "day,business-number",
        "--format",
        "json",
    ]);
    let u = run(c).json();
    assert_eq!(
        lines(&u, &["day", "business_number"]),
        vec![
            line("2026-10-05|5511300000001", 1, 0, 0, "0.0625"),
            line("2026-10-06|5511300000001", 1, 0, 0, "0.0068"),
            line("2026-10-06|5511300000002", 1, 0, 0, "0.0625"),
        ]
    );
}

#[test]
fn group_by_accepts_the_column_names_it_prints() {
    let v = est("group_by.csv", &["--group-by", "day,business_number"]);
    assert_eq!(
        lines(&v, &["day", "business_number"]),
        vec![
            line("2026-10-05|5511300000001", 2, 0, 0, "0.0693"),
            line("2026-10-06|5511300000002", 1, 0, 0, "0.0625")
        ]
    );
    let p = est("failed.csv", &["--group-by", "pricing_type"]);
    assert_eq!(p["lines"].as_array().unwrap().len(), 2);
}

// --- Detail and privacy -----------------------------------------------------

#[test]
fn detail_csv_has_one_row_per_input_row_and_masks_numbers() {
    let d = detail_csv("free_entry_point.csv", &[]);
    let recs = crate::common::csv_records(&d);
    for col in [
        "line",
        "id",
        "timestamp",
        "contact",
        "market",
        "category",
        "pricing_type",
        "billable",
        "tier",
        "rate",
        "cost",
        "rule",
    ] {
        assert!(
            recs[0].iter().any(|h| h == col),
            "detail lacks {col}: {:?}",
            recs[0]
        );
    }
    let mut lines: Vec<u64> = detail_column(&d, "line")
        .iter()
        .map(|l| l.parse().unwrap())
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, (2..=9).collect::<Vec<u64>>());
    let mut contacts = detail_column(&d, "contact");
    contacts.sort();
    contacts.dedup();
    assert_eq!(contacts, vec!["+55 11 9****-**21", "+55 21 9****-**32"]);
    assert_no_full_number(&d, &[ANA, BRUNO]);
    // The sum of the detail costs is the summary total.
    let sum: rust_decimal::Decimal = detail_column(&d, "cost")
        .iter()
        .map(|c| c.parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert_eq!(sum, rust_decimal_macros::dec!(0.1318));
}

#[test]
fn detail_json_lines_has_one_object_per_row() {
    let mut c = wacost_in("estimate");
    c.args(["estimate", "missing_rate.csv"])
        .args(SP)
        .args(["--detail", "--format", "json"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    let mut by_line: Vec<(u64, &str, &str)> = rows
        .iter()
        .map(|o| {
            (
                o["line"].as_u64().unwrap(),
                o["outcome"].as_str().unwrap(),
                o["cost"].as_str().unwrap(),
            )
        })
        .collect();
    by_line.sort_unstable();
    assert_eq!(
        by_line,
        vec![
            (2, "rejected", "0.0000"),
            (3, "billable", "0.0036"),
            (4, "billable", "0.0625")
        ]
    );
    assert_eq!(
        rows.iter().find(|o| o["line"] == 3).unwrap()["rate"],
        "0.0036"
    );
    assert_no_full_number(&r.stdout, &["+20 10 1234 5678", "+964 770 123 4567", ANA]);
}

#[test]
fn show_numbers_prints_them_in_full() {
    let d = detail_csv("free_entry_point.csv", &["--show-numbers"]);
    let mut contacts = detail_column(&d, "contact");
    contacts.sort();
    contacts.dedup();
    assert_eq!(contacts, vec!["+5511987654321", "+5521998765432"]);
}

#[test]
fn hash_numbers_without_a_key_is_refused() {
    let mut c = wacost_in("estimate");
    c.args([
        "estimate",
        "free_entry_point.csv",
        "--hash-numbers",
        "--detail",
        "--format",
        "csv",
    ])
    .args(SP);
    let r = run(c);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("WACOST_HASH_KEY"), "{}", r.stderr);
    // An empty key is no key.
    let mut c = wacost_in("estimate");
    c.env("WACOST_HASH_KEY", "").args([
        "estimate",
        "free_entry_point.csv",
        "--hash-numbers",
        "--detail",
        "--format",
        "csv",
    ]);
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
}

fn hmac_hex(key: &str, number: &str) -> String {
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(number.as_bytes());
    let b = mac.finalize().into_bytes();
    let hex: String = b[..16].iter().map(|x| format!("{x:02x}")).collect();
    format!("h:{hex}")
}

#[test]
fn hash_numbers_with_a_key_prints_keyed_hashes() {
    let mut c = wacost_in("estimate");
    c.env("WACOST_HASH_KEY", "chave-secreta-2026")
        .args([
            "estimate",
            "free_entry_point.csv",
            "--hash-numbers",
            "--detail",
            "--format",
            "csv",
        ])
        .args(SP);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut contacts = detail_column(&r.stdout, "contact");
    contacts.sort();
    contacts.dedup();
    let mut want = vec![
        hmac_hex("chave-secreta-2026", "+5511987654321"),
        hmac_hex("chave-secreta-2026", "+5521998765432"),
    ];
    want.sort();
    assert_eq!(contacts, want);
    assert!(contacts.iter().all(|c| c.len() == 34));
    assert_no_full_number(&r.stdout, &[ANA, BRUNO]);
}

#[test]
fn summary_outputs_never_contain_a_full_number() {
    for format in ["json", "csv", "table"] {
        let mut c = wacost_in("estimate");
        c.args([
            "estimate",
            "combined.csv",
            "free_entry_point.csv",
            "missing_rate.csv",
            "--format",
            format,
        ])
        .args(SP);
        let r = run(c);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_no_full_number(
            &r.stdout,
            &[ANA, BRUNO, CAIO, "+20 10 1234 5678", "+964 770 123 4567"],
        );
        assert_no_full_number(
            &r.stderr,
            &[ANA, BRUNO, CAIO, "+20 10 1234 5678", "+964 770 123 4567"],
        );
    }
}

// --- Formats and usage errors ----------------------------------------------

#[test]
fn csv_summary_is_the_default_when_stdout_is_not_a_terminal() {
    let mut c = wacost_in("estimate");
    c.args(["estimate", "failed.csv"]).args(SP);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "month,market,category,billable,free,failed,undelivered,cost,inferred,currency\n2026-10,Brazil,marketing,1,0,1,0,0.0625,0,USD\n2026-10,Brazil,utility,1,0,1,0,0.0068,0,USD\n"
    );
}

#[test]
fn unknown_time_zone_is_a_usage_error_with_nothing_on_stdout() {
    for format in ["json", "csv", "table"] {
        let mut c = wacost_in("estimate");
        c.args([
            "estimate",
            "failed.csv",
            "--tz",
            "America/Sao_Paolo",
            "--format",
            format,
        ]);
        let r = run(c);
        assert_eq!(r.code, 2);
        assert_eq!(r.stdout, "");
        assert!(
            r.stderr.contains("unknown time zone \"America/Sao_Paolo\""),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn unknown_currency_is_a_usage_error_with_nothing_on_stdout() {
    // CLP is a real ISO code without a bundled card: rates are never converted.
    let r = estimate_json("estimate", &["failed.csv", "--currency", "CLP"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(
        r.stderr.contains("no rate card for currency CLP"),
        "{}",
        r.stderr
    );
    // Not an ISO 4217 code at all.
    let r = estimate_json("estimate", &["failed.csv", "--currency", "REAIS"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(r.stderr.contains("REAIS"), "{}", r.stderr);
    // Also with --detail, which streams rows: nothing may be printed before the error.
    let mut c = wacost_in("estimate");
    c.args([
        "estimate",
        "failed.csv",
        "--currency",
        "CLP",
        "--detail",
        "--format",
        "csv",
    ]);
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
}

#[test]
fn missing_input_file_is_a_usage_error() {
    let r = estimate_json("estimate", &["no-such-log.csv"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(r.stderr.contains("no-such-log.csv"), "{}", r.stderr);
}

#[test]
fn unknown_rule_switch_is_a_usage_error() {
    let r = estimate_json("estimate", &["failed.csv", "--rule", "free-lunch=on"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(r.stderr.contains("service-free-tier"), "{}", r.stderr);
}

#[test]
fn zero_total_is_rounded_to_the_minor_unit() {
    let v = est("rule_change_day.csv", &[]);
    assert_eq!(total(&v), "0.0000");
    assert_eq!(v["total_rounded"], "0.00");
}

#[test]
fn rejected_detail_row_does_not_claim_to_be_charged() {
    let d = detail_csv("missing_rate.csv", &[]);
    let lines = detail_column(&d, "line");
    let i = lines.iter().position(|l| l == "2").unwrap();
    assert_eq!(detail_column(&d, "outcome")[i], "rejected");
    assert_ne!(detail_column(&d, "pricing_type")[i], "regular", "{d}");
    assert!(!detail_column(&d, "rule")[i].contains("charged"), "{d}");
}

/// `--tier-start` seeds the tier a category counts toward, and only the
/// first month of the log ("counts already reached this month"): India's
/// INR authentication ladder is 0.1150 up to 750,000, then 0.1081.
#[test]
fn tier_start_seeds_the_counted_tier_in_the_first_month_only() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("in.csv");
    std::fs::write(
        &log,
        "timestamp,direction,contact,type,category\n\
         2026-02-10T10:00:00Z,out,+91 98765 43210,template,authentication\n\
         2026-03-10T10:00:00Z,out,+91 98765 43210,template,authentication\n",
    )
    .unwrap();
    let tiers = |seed: &str| {
        let mut c = wacost();
        c.arg("estimate")
            .arg(&log)
            .args(["--currency", "INR", "--detail", "--format", "csv"])
            .args(["--tier-start", seed]);
        let r = run(c);
        assert_eq!(r.code, 0, "{}", r.stderr);
        (
            detail_column(&r.stdout, "rate"),
            detail_column(&r.stdout, "tier"),
        )
    };
    for seed in [
        "India:authentication=750000",
        "India:authentication_international=750000",
    ] {
        let (rates, tier) = tiers(seed);
        assert_eq!(rates, ["0.1081", "0.1150"], "{seed}: {tier:?}");
        assert_eq!(tier, ["750001:15000000", "0:750000"], "{seed}");
    }
}

#[test]
fn local_times_a_clock_change_skips_or_repeats_are_priced_and_counted() {
    // America/New_York 2026: 02:30 on 8 March does not exist (clocks go from
    // 02:00 to 03:00), 01:30 on 1 November happens twice. Both messages are
    // charged (not dropped), and the assumption is counted and named.
    let r = estimate_json(
        "estimate",
        &["dst_new_york.csv", "--tz", "America/New_York"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(counts(&v), (3, 0, 3, 3, 0, 0, 0), "{v}");
    assert_eq!(v["assumptions"]["nonexistent_local_time"], 1, "{v}");
    assert_eq!(v["assumptions"]["ambiguous_local_time"], 1, "{v}");
    assert!(
        r.stderr.contains("dst_new_york.csv:2: timestamp")
            && r.stderr.contains("dst_new_york.csv:3: timestamp"),
        "{}",
        r.stderr
    );
    let mut c = wacost_in("estimate");
    c.args(["estimate", "dst_new_york.csv", "--tz", "America/New_York"])
        .args(["--detail", "--format", "csv"]);
    let d = run(c);
    assert_eq!(
        detail_column(&d.stdout, "timestamp"),
        [
            "2026-03-08T03:30:00-04:00",
            "2026-11-01T01:30:00-04:00",
            "2026-11-01T03:30:00-05:00"
        ],
        "{}",
        d.stdout
    );
    let rules = detail_column(&d.stdout, "rule");
    assert!(rules[0].contains("clocks skip"), "{}", rules[0]);
    assert!(rules[1].contains("clocks repeat"), "{}", rules[1]);
    assert!(!rules[2].contains("clocks"), "{}", rules[2]);
}
