//! Properties of `wacost estimate` on random small logs, run in process
//! through the library calls the CLI makes (`report::estimate`): rows are
//! conserved, the total is the sum of the detail costs, and the summary
//! depends neither on the order of the rows nor on how they are split into
//! files, nor on repeated webhook deliveries.
//!
//! Logs mix Brazilian, North American, Portuguese and Indian contacts, times
//! around two rule changes (2025-06-29..2025-07-02: conversation-based to
//! per-message pricing; 2026-09-28..2026-10-03: service charged), inbound rows
//! (some from free entry points), templates of every category, free-form
//! messages, failed rows and malformed rows.

use std::path::Path;
use std::sync::OnceLock;

use crate::common::{counts, csv_records};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use wacost::data::Pricing;
use wacost::engine::Options;
use wacost::model::{Privacy, Zone};
use wacost::report::estimate::Request;
use wacost::report::{Dim, Format};

const CONTACTS: [&str; 5] = [
    "+55 11 98765-4321",
    "+55 21 99876-5432",
    "+1 415 555 0123",
    "+351 912 345 678",
    "+91 98765 43210",
];
const CATEGORIES: [&str; 4] = [
    "marketing",
    "utility",
    "authentication",
    "authentication_international",
];
const BUSINESS: [&str; 2] = ["5511300000001", "5511300000002"];
/// 2026-09-28T00:00:00Z and 2025-06-29T00:00:00Z.
const BASE_2026: i64 = 1_790_553_600;
const BASE_2025: i64 = 1_751_155_200;
const HEADER: &str =
    "timestamp,direction,contact,type,category,status,entry_point,business_number,id";

#[derive(Debug, Clone)]
enum Kind {
    Inbound { entry_point: bool },
    Text,
    Template(usize),
}

#[derive(Debug, Clone)]
struct Row {
    ts: i64,
    kind: Kind,
    contact: usize,
    failed: bool,
    business: usize,
    /// Some(k): the row is malformed in way k.
    bad: Option<u8>,
}

fn ts_strategy() -> impl Strategy<Value = i64> {
    // Half-hour steps make boundary collisions likely; a few odd seconds.
    let secs = prop_oneof![4 => Just(0i64), 1 => Just(1i64), 1 => Just(1799i64), 1 => 0i64..1800];
    prop_oneof![
        ((0i64..240), secs.clone()).prop_map(|(h, s)| BASE_2026 + h * 1800 + s),
        ((0i64..192), secs).prop_map(|(h, s)| BASE_2025 + h * 1800 + s),
    ]
}

fn row_strategy() -> impl Strategy<Value = Row> {
    let kind = prop_oneof![
        2 => any::<bool>().prop_map(|e| Kind::Inbound { entry_point: e }),
        2 => Just(Kind::Text),
        5 => (0usize..4).prop_map(Kind::Template),
    ];
    let bad = prop_oneof![9 => Just(None), 1 => (0u8..5).prop_map(Some)];
    (
        ts_strategy(),
        kind,
        0usize..CONTACTS.len(),
        proptest::bool::weighted(0.1),
        0usize..2,
        bad,
    )
        .prop_map(|(ts, kind, contact, failed, business, bad)| Row {
            ts,
            kind,
            contact,
            failed,
            business,
            bad,
        })
}

fn log_strategy() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::vec(row_strategy(), 1..40)
}

fn tz_strategy() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("UTC"), Just("America/Sao_Paulo")]
}

/// Sao Paulo local time with its offset (-03:00, no DST since 2019).
fn rfc3339(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts - 3 * 3600, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S-03:00")
        .to_string()
}

/// One CSV line; `id` makes every row distinct.
fn render(r: &Row, id: usize) -> String {
    let mut f: Vec<String> = vec![
        rfc3339(r.ts),
        if matches!(r.kind, Kind::Inbound { .. }) {
            "inbound"
        } else {
            "outbound"
        }
        .into(),
        CONTACTS[r.contact].into(),
        match r.kind {
            Kind::Template(_) => "template",
            _ => "text",
        }
        .into(),
        match r.kind {
            Kind::Template(c) => CATEGORIES[c].into(),
            _ => String::new(),
        },
        if r.failed && !matches!(r.kind, Kind::Inbound { .. }) {
            "failed"
        } else {
            "delivered"
        }
        .into(),
        if matches!(r.kind, Kind::Inbound { entry_point: true }) {
            "ctwa"
        } else {
            ""
        }
        .into(),
        BUSINESS[r.business].into(),
        format!("wamid.P{id:04}"),
    ];
    match r.bad {
        Some(0) => f[0] = "2026-02-30T10:00:00-03:00".into(),
        Some(1) => f[1] = "sideways".into(),
        Some(2) => f[2] = "12345".into(),
        Some(3) => {
            f[1] = "outbound".into();
            f[3] = "template".into();
            f[4] = "promo".into();
        }
        Some(_) => f.truncate(6),
        None => {}
    }
    f.join(",")
}

/// Files of rendered rows: each a header plus `(original index, row)` lines.
fn write_csv(dir: &Path, name: &str, rows: &[(usize, &Row)]) {
    let mut text = String::from(HEADER);
    text.push('\n');
    for (i, r) in rows {
        text.push_str(&render(r, *i));
        text.push('\n');
    }
    std::fs::write(dir.join(name), text).unwrap();
}

fn pricing() -> &'static Pricing {
    static PRICING: OnceLock<Pricing> = OnceLock::new();
    PRICING.get_or_init(|| Pricing::bundled().unwrap())
}

/// Estimates `files` of `dir` as `wacost estimate FILES --tz TZ` does, and
/// gives the result to `f`.
fn estimate<T>(dir: &Path, files: &[&str], tz: &str, f: impl FnOnce(&Request<'_>) -> T) -> T {
    let zone = Zone::parse(tz).unwrap();
    // Tiny batches: time-sorted files stream through many hand-overs to the
    // classifier, and unsorted ones restart, as million-row logs do.
    let opts = Options {
        stream_batch: 3,
        ..Options::new("USD")
    };
    let paths: Vec<String> = files
        .iter()
        .map(|f| dir.join(f).to_string_lossy().into_owned())
        .collect();
    f(&Request {
        pricing: pricing(),
        opts: &opts,
        zone: &zone,
        files: &paths,
        input: None,
    })
}

/// The JSON summary, rejected rows named by file name (as given on a
/// command line run in `dir`).
fn summary(dir: &Path, files: &[&str], tz: &str) -> Value {
    let mut v = estimate(dir, files, tz, |r| r.summarize(Dim::DEFAULT.to_vec()))
        .unwrap()
        .summary
        .to_json();
    for r in v["rejected"].as_array_mut().unwrap() {
        let name = Path::new(r["file"].as_str().unwrap()).file_name().unwrap();
        r["file"] = json!(name.to_string_lossy());
    }
    v
}

/// `--detail --format csv` output.
fn detail_csv(dir: &Path, files: &[&str], tz: &str) -> String {
    let mut out = Vec::new();
    estimate(dir, files, tz, |r| {
        r.detail(Format::Csv, Privacy::Masked, &mut out)
    })
    .unwrap();
    String::from_utf8(out).unwrap()
}

/// The summary with `rejected` replaced by sorted (original row, field, reason):
/// `origin(file, line)` maps a rejected line back to the row that produced it.
fn normalized(mut v: Value, origin: &dyn Fn(&str, u64) -> usize) -> Value {
    let mut rej: Vec<(usize, String, String)> = v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                origin(r["file"].as_str().unwrap(), r["line"].as_u64().unwrap()),
                r["field"].as_str().unwrap_or("").to_string(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    rej.sort();
    v["rejected"] = json!(rej);
    v
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// rows = inbound + billable + free + failed + rejected = the data rows of the
    /// file; the lines add up to the counts and the total; the detail has one row
    /// per input row and its costs add up to the total.
    #[test]
    fn rows_are_conserved_and_total_is_the_sum_of_detail_costs(rows in log_strategy(), tz in tz_strategy()) {
        let dir = tempfile::tempdir().unwrap();
        let indexed: Vec<(usize, &Row)> = rows.iter().enumerate().collect();
        write_csv(dir.path(), "log.csv", &indexed);
        let v = summary(dir.path(), &["log.csv"], tz);
        let (n, inbound, outbound, billable, free, failed, rejected) = counts(&v);
        prop_assert_eq!(n, rows.len() as u64);
        prop_assert_eq!(n, inbound + billable + free + failed + rejected);
        prop_assert_eq!(outbound, billable + free + failed);
        prop_assert_eq!(rejected as usize, v["rejected"].as_array().unwrap().len());
        let want_inbound = rows.iter().filter(|r| r.bad.is_none() && matches!(r.kind, Kind::Inbound { .. })).count() as u64;
        prop_assert_eq!(inbound, want_inbound);
        let lines = v["lines"].as_array().unwrap();
        let sum = |k: &str| lines.iter().map(|l| l[k].as_u64().unwrap()).sum::<u64>();
        prop_assert_eq!((sum("billable"), sum("free"), sum("failed")), (billable, free, failed));
        let total = dec(v["total"].as_str().unwrap());
        let lines_total: Decimal = lines.iter().map(|l| dec(l["cost"].as_str().unwrap())).sum();
        prop_assert_eq!(lines_total, total);

        let d = detail_csv(dir.path(), &["log.csv"], tz);
        let recs = csv_records(&d);
        let col = |name: &str| recs[0].iter().position(|h| h == name).unwrap();
        let (line_c, cost_c, outcome_c) = (col("line"), col("cost"), col("outcome"));
        prop_assert_eq!(recs.len() - 1, rows.len());
        let mut seen: Vec<u64> = recs[1..].iter().map(|r| r[line_c].parse().unwrap()).collect();
        seen.sort_unstable();
        prop_assert_eq!(seen, (2..rows.len() as u64 + 2).collect::<Vec<u64>>());
        let detail_total: Decimal = recs[1..].iter().map(|r| dec(&r[cost_c])).sum();
        prop_assert_eq!(detail_total, total);
        let billable_rows = recs[1..].iter().filter(|r| r[outcome_c] == "billable").count() as u64;
        prop_assert_eq!(billable_rows, billable);
    }

    /// Shuffling the data rows changes nothing but the line numbers of rejected rows.
    #[test]
    fn row_order_does_not_change_the_summary(
        (rows, perm) in log_strategy().prop_flat_map(|rows| {
            let n = rows.len();
            (Just(rows), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        }),
        tz in tz_strategy(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let original: Vec<(usize, &Row)> = rows.iter().enumerate().collect();
        let shuffled: Vec<(usize, &Row)> = perm.iter().map(|&i| (i, &rows[i])).collect();
        let mut by_time = original.clone();
        by_time.sort_by_key(|(_, r)| r.ts);
        write_csv(dir.path(), "a.csv", &original);
        write_csv(dir.path(), "b.csv", &shuffled);
        write_csv(dir.path(), "c.csv", &by_time);
        let a = normalized(summary(dir.path(), &["a.csv"], tz), &|_, line| line as usize - 2);
        let b = normalized(summary(dir.path(), &["b.csv"], tz), &|_, line| perm[line as usize - 2]);
        prop_assert_eq!(&a, &b);
        // Sorted by time, the file streams: same result.
        let c = normalized(summary(dir.path(), &["c.csv"], tz), &|_, line| by_time[line as usize - 2].0);
        prop_assert_eq!(&a, &c);
    }

    /// Splitting the rows into two files (and naming them in either order)
    /// changes nothing but where rejected rows are reported.
    #[test]
    fn splitting_into_two_files_does_not_change_the_summary(
        (rows, k) in log_strategy().prop_flat_map(|rows| { let n = rows.len(); (Just(rows), 0..=n) }),
        tz in tz_strategy(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let all: Vec<(usize, &Row)> = rows.iter().enumerate().collect();
        write_csv(dir.path(), "all.csv", &all);
        write_csv(dir.path(), "p1.csv", &all[..k]);
        write_csv(dir.path(), "p2.csv", &all[k..]);
        let one = normalized(summary(dir.path(), &["all.csv"], tz), &|_, line| line as usize - 2);
        let origin = |file: &str, line: u64| if file == "p1.csv" { line as usize - 2 } else { k + line as usize - 2 };
        let two = normalized(summary(dir.path(), &["p1.csv", "p2.csv"], tz), &origin);
        prop_assert_eq!(&one, &two);
        let rev = normalized(summary(dir.path(), &["p2.csv", "p1.csv"], tz), &origin);
        prop_assert_eq!(&one, &rev);
    }

    /// Repeated deliveries of status webhooks (Meta retries; the same status
    /// twice, in any place of the log) do not change the summary.
    #[test]
    fn duplicate_webhook_status_deliveries_are_idempotent(
        msgs in proptest::collection::vec((ts_strategy(), 0usize..CONTACTS.len(), 0usize..6, proptest::bool::weighted(0.15)), 1..20),
        dups in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 0..15),
        tz in tz_strategy(),
    ) {
        let mut lines: Vec<String> = Vec::new();
        for (i, (ts, contact, what, failed)) in msgs.iter().enumerate() {
            let digits: String = CONTACTS[*contact].chars().filter(char::is_ascii_digit).collect();
            lines.extend(webhook_lines(i, *ts, &digits, *what, *failed));
        }
        let statuses: Vec<&String> = lines.iter().filter(|l| l.contains("\"statuses\":[{")).collect();
        let mut with_dups = lines.clone();
        for (pick, at) in dups.iter().filter(|_| !statuses.is_empty()) {
            let l = statuses[pick.index(statuses.len())].clone();
            let pos = at.index(with_dups.len() + 1);
            with_dups.insert(pos, l);
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("once.jsonl"), lines.join("\n") + "\n").unwrap();
        std::fs::write(dir.path().join("dups.jsonl"), with_dups.join("\n") + "\n").unwrap();
        // Rejected rows (unknown rates) are reported at the line of a message's first
        // status, which a duplicate may move: compare their reasons only.
        let strip = |v: Value| normalized(v, &|_, _| 0);
        let once = strip(summary(dir.path(), &["once.jsonl"], tz));
        let dup = strip(summary(dir.path(), &["dups.jsonl"], tz));
        prop_assert_eq!(&once, &dup);
        let (rows, inbound, ..) = counts(&once);
        prop_assert_eq!(rows, msgs.len() as u64);
        prop_assert_eq!(inbound, msgs.iter().filter(|m| m.2 == 5).count() as u64);
    }
}

/// The webhook lines of message `i`: `what` 0..4 a template of that category,
/// 4 a free-form reply (`service`), 5 an inbound message (with a referral when
/// `flag`); outbound messages get sent, delivered and read statuses, or sent
/// and failed when `flag`.
fn webhook_lines(i: usize, ts: i64, digits: &str, what: usize, flag: bool) -> Vec<String> {
    let wrap = |value: Value| {
        json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": "messages",
            "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "551130000000", "phone_number_id": "106540352242922"},
            "contacts": [{"wa_id": digits}], "statuses": value["statuses"], "messages": value["messages"]}}]}]})
        .to_string()
    };
    if what == 5 {
        let mut m = json!({"from": digits, "id": format!("wamid.IN{i:04}"), "timestamp": ts.to_string(), "type": "text", "text": {"body": "Oi"}});
        if flag {
            m["referral"] = json!({"source_type": "ad", "source_id": "120200000000001"});
        }
        return vec![wrap(json!({"statuses": [], "messages": [m]}))];
    }
    let category = if what == 4 {
        "service"
    } else {
        CATEGORIES[what]
    };
    let status = |s: &str, dt: i64| {
        let mut st = json!({"id": format!("wamid.OUT{i:04}"), "status": s, "timestamp": (ts + dt).to_string(), "recipient_id": digits});
        if s != "failed" {
            st["pricing"] = json!({"billable": true, "pricing_model": "PMP", "type": "regular", "category": category});
        }
        wrap(json!({"statuses": [st], "messages": []}))
    };
    if flag {
        vec![status("sent", 0), status("failed", 5)]
    } else {
        vec![
            status("sent", 0),
            status("delivered", 2),
            status("read", 30),
        ]
    }
}

#[test]
fn webhook_lines_shape() {
    // The generator itself: an inbound with a referral is one line, a delivered
    // message three, a failed one two.
    assert_eq!(
        webhook_lines(0, BASE_2026, "5511987654321", 5, true).len(),
        1
    );
    assert!(webhook_lines(0, BASE_2026, "5511987654321", 5, true)[0].contains("\"referral\""));
    assert_eq!(
        webhook_lines(1, BASE_2026, "5511987654321", 0, false).len(),
        3
    );
    assert_eq!(
        webhook_lines(2, BASE_2026, "5511987654321", 1, true).len(),
        2
    );
}

/// A message of a log with one row per status: sent at `ts`; then delivered
/// after `delay` seconds (and maybe read), failed, or nothing more.
#[derive(Debug, Clone)]
struct StatusMsg {
    ts: i64,
    contact: usize,
    /// 0..4: a template of that category; 4: a free-form reply.
    what: usize,
    /// 0 delivered, 1 failed, 2 stops at sent.
    fate: u8,
    delay: i64,
    read: bool,
}

fn status_msg_strategy() -> impl Strategy<Value = StatusMsg> {
    // Deliveries up to 25 days late: Meta retries for 30 (M-TTL).
    let delay = prop_oneof![3 => 1i64..120, 1 => 0i64..(25 * 86_400)];
    (
        ts_strategy(),
        0usize..CONTACTS.len(),
        0usize..5,
        prop_oneof![6 => Just(0u8), 1 => Just(1u8), 2 => Just(2u8)],
        delay,
        any::<bool>(),
    )
        .prop_map(|(ts, contact, what, fate, delay, read)| StatusMsg {
            ts,
            contact,
            what,
            fate,
            delay,
            read,
        })
}

const STATUS_HEADER: &str = "timestamp,direction,contact,type,category,status,id";

/// A row of the status-row logs; inbound rows have no status.
fn status_line(ts: i64, out: Option<(usize, &str)>, contact: usize, id: &str) -> String {
    let (dir, ty, cat, status) = match out {
        None => ("inbound", "text", "", ""),
        Some((4, s)) => ("outbound", "text", "", s),
        Some((c, s)) => ("outbound", "template", CATEGORIES[c], s),
    };
    format!(
        "{},{dir},{},{ty},{cat},{status},{id}",
        rfc3339(ts),
        CONTACTS[contact]
    )
}

/// Every status of `m` as its own row, in time order.
fn status_rows(i: usize, m: &StatusMsg) -> Vec<(i64, String)> {
    let id = format!("wamid.S{i:04}");
    let row = |dt: i64, s: &str| {
        (
            m.ts + dt,
            status_line(m.ts + dt, Some((m.what, s)), m.contact, &id),
        )
    };
    let mut rows = vec![row(0, "sent")];
    match m.fate {
        0 => {
            rows.push(row(m.delay, "delivered"));
            if m.read {
                rows.push(row(m.delay + 60, "read"));
            }
        }
        1 => rows.push(row(5, "failed")),
        _ => {}
    }
    rows
}

/// `m` as one row with its final status, at its charging instant (the
/// delivery, else the send time).
fn final_row(i: usize, m: &StatusMsg) -> (i64, String) {
    let (ts, s) = match m.fate {
        0 => (m.ts + m.delay, "delivered"),
        1 => (m.ts, "failed"),
        _ => (m.ts, "sent"),
    };
    (
        ts,
        status_line(ts, Some((m.what, s)), m.contact, &format!("wamid.S{i:04}")),
    )
}

fn write_lines(dir: &Path, name: &str, rows: &[(i64, String)]) {
    let mut text = String::from(STATUS_HEADER);
    for (_, r) in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    std::fs::write(dir.join(name), text).unwrap();
}

/// The summary without what differs by design between one row per status
/// and one row per message: the row counts, and where a rejected message's
/// row is (its reasons stay).
fn without_row_counts(v: Value) -> Value {
    let mut v = normalized(v, &|_, _| 0);
    v["counts"]["rows"] = json!(0);
    v["counts"]["status_updates"] = json!(0);
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// One row per status, in any order and split in two files, prices as one
    /// row per message with its final status at its charging instant: the
    /// rows of one id are one message (sent then failed = failed; delivered
    /// 19 days later = one delivered message), and every row is counted.
    #[test]
    fn status_rows_in_any_order_are_one_message_each(
        msgs in proptest::collection::vec(status_msg_strategy(), 1..16),
        inbound in proptest::collection::vec((ts_strategy(), 0usize..CONTACTS.len()), 0..8),
        seed in any::<u64>(),
        tz in tz_strategy(),
    ) {
        let mut rows: Vec<(i64, String)> = msgs.iter().enumerate().flat_map(|(i, m)| status_rows(i, m)).collect();
        let mut finals: Vec<(i64, String)> = msgs.iter().enumerate().map(|(i, m)| final_row(i, m)).collect();
        for (j, (ts, c)) in inbound.iter().enumerate() {
            let line = status_line(*ts, None, *c, &format!("wamid.I{j:04}"));
            rows.push((*ts, line.clone()));
            finals.push((*ts, line));
        }
        finals.sort_by_key(|r| r.0);
        let mut sorted = rows.clone();
        sorted.sort_by_key(|r| r.0);
        // A deterministic shuffle from the seed.
        let mut shuffled = rows.clone();
        shuffled.sort_by_key(|r| wacost::hash::mix64(seed ^ wacost::hash::id_hash(&r.1)));
        let dir = tempfile::tempdir().unwrap();
        write_lines(dir.path(), "final.csv", &finals);
        write_lines(dir.path(), "sorted.csv", &sorted);
        write_lines(dir.path(), "shuffled.csv", &shuffled);
        let half = shuffled.len() / 2;
        write_lines(dir.path(), "p1.csv", &sorted[..half]);
        write_lines(dir.path(), "p2.csv", &sorted[half..]);
        let want = without_row_counts(summary(dir.path(), &["final.csv"], tz));
        for files in [&["sorted.csv"][..], &["shuffled.csv"], &["p2.csv", "p1.csv"]] {
            let v = summary(dir.path(), files, tz);
            prop_assert_eq!(v["counts"]["rows"].as_u64(), Some(rows.len() as u64), "{:?}", files);
            let updates = (rows.len() - msgs.len() - inbound.len()) as u64;
            prop_assert_eq!(v["counts"]["status_updates"].as_u64(), Some(updates));
            prop_assert_eq!(v["reconciled"].as_bool(), Some(true));
            prop_assert_eq!(&without_row_counts(v), &want, "{:?}", files);
        }
    }
}
