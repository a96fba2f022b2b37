//! Honest totals (issue 15): a summary says what its total leaves out,
//! rejections grouped by reason, `--strict` on assumptions, the defaults a
//! person sets once, and the warning of a log written in another zone.

use std::io::Write as _;

use crate::common::{estimate_json, fixtures, run, total, wacost, wacost_in};
use crate::estimate::{est, ANA, BRUNO};

/// `estimate FILE --format json` in `tests/fixtures/honest/`.
fn honest(args: &[&str]) -> crate::common::Run {
    estimate_json("honest", args)
}

#[test]
fn a_missing_rate_makes_the_summary_incomplete_and_says_why() {
    // CONTRACT: absent is not zero, and the total says it leaves it out. Iraq
    // authentication_international is `unknown` on the USD card of 2026-10-01.
    let v = est("missing_rate.csv", &[]);
    assert_eq!(v["complete"], false, "{v}");
    assert_eq!(v["unpriced"]["messages"], 1, "{v}");
    assert_eq!(v["unpriced"]["rows_not_read"], 0, "{v}");
    let why = &v["unpriced"]["reasons"][0];
    assert_eq!(why["count"], 1, "{v}");
    assert_eq!(why["first_lines"][0], "missing_rate.csv:2", "{v}");
    assert!(
        why["reason"]
            .as_str()
            .unwrap()
            .contains("authentication_international rate for Iraq"),
        "{v}"
    );
    // Everything priced: complete.
    let v = est("failed.csv", &[]);
    assert_eq!(
        (v["complete"].as_bool(), v["unpriced"]["messages"].as_u64()),
        (Some(true), Some(0))
    );
    // The table says what the total leaves out.
    let mut c = wacost_in("estimate");
    c.args(["estimate", "missing_rate.csv", "--format", "table"]);
    let r = run(c);
    assert!(
        r.stdout
            .contains("Incomplete: the total leaves out 1 messages wacost could not price"),
        "{}",
        r.stdout
    );
}

/// A log of `bad` rows rejected for one reason (an unreadable timestamp,
/// each its own value), one good row, and one row with no phone number.
fn many_identical(bad: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut f = std::fs::File::create(dir.path().join("export.csv")).unwrap();
    writeln!(f, "timestamp,direction,contact,type,category,status,id").unwrap();
    writeln!(
        f,
        "2026-10-05T10:00:00-03:00,outbound,{ANA},template,marketing,delivered,wamid.ok"
    )
    .unwrap();
    for i in 0..bad {
        writeln!(
            f,
            "05/10/2026 10h{i:02},outbound,{BRUNO},template,marketing,delivered,wamid.{i}"
        )
        .unwrap();
    }
    writeln!(
        f,
        "2026-10-05T11:00:00-03:00,outbound,,template,marketing,delivered,wamid.np"
    )
    .unwrap();
    dir
}

#[test]
fn identical_rejections_are_one_group_with_their_count_and_first_lines() {
    let dir = many_identical(5932);
    let json = |format: &str| {
        let mut c = wacost();
        c.current_dir(dir.path()).args([
            "estimate",
            "export.csv",
            "--tz",
            "America/Sao_Paulo",
            "--format",
            format,
        ]);
        run(c)
    };
    let r = json("json");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    // JSON keeps every row, and groups them.
    assert_eq!(v["rejected"].as_array().unwrap().len(), 5933);
    let groups = v["rejected_by_reason"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert_eq!(groups[0]["count"], 5932);
    assert_eq!(groups[0]["field"], "timestamp");
    assert_eq!(
        groups[0]["reason"]
            .as_str()
            .unwrap()
            .matches("\"…\"")
            .count(),
        1,
        "{}",
        groups[0]
    );
    let first: Vec<&str> = groups[0]["first_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(
        first,
        [
            "export.csv:3",
            "export.csv:4",
            "export.csv:5",
            "export.csv:6",
            "export.csv:7"
        ]
    );
    assert_eq!(groups[1]["count"], 1);
    // stderr: each group once, with how many more.
    let timestamp_lines = r
        .stderr
        .lines()
        .filter(|l| l.contains("cannot read timestamp"))
        .count();
    assert_eq!(timestamp_lines, 1, "{}", r.stderr);
    assert!(r.stderr.contains("(and 5931 more like it: export.csv:4, export.csv:5, export.csv:6, export.csv:7, … (5927 more))"), "{}", r.stderr);
    // The table: the group once, then where the others are.
    let t = json("table");
    assert!(
        t.stdout
            .contains("Rejected rows: 5933, by reason (2 reasons;"),
        "{}",
        t.stdout
    );
    assert!(
        t.stdout.contains("export.csv:3: cannot read timestamp"),
        "{}",
        t.stdout
    );
    assert!(
        t.stdout
            .contains("    and 5931 more like it: export.csv:4,"),
        "{}",
        t.stdout
    );
    assert_eq!(
        t.stdout.matches("cannot read timestamp").count(),
        1,
        "{}",
        t.stdout
    );
    assert!(
        t.stdout
            .contains("the total leaves out 5933 rows it could not read"),
        "{}",
        t.stdout
    );
}

#[test]
fn strict_fails_on_an_assumption_and_names_its_kind() {
    // Meta, Customer service windows: "When the window is closed, you can only send
    // template messages." Line 2 is a delivered non-template message with no logged
    // inbound (2026-09: free in the window): priced free in a window assumed open
    // before the log, counted as an assumption. Statuses and a business number are
    // there: nothing else is assumed.
    let r = honest(&["window_assumed.csv", "--tz", "America/Sao_Paulo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(
        v["assumptions"],
        serde_json::json!({"window_assumed": 1}),
        "{v}"
    );
    assert_eq!(total(&v), "0.0625");
    let strict = honest(&[
        "window_assumed.csv",
        "--tz",
        "America/Sao_Paulo",
        "--strict",
    ]);
    assert_eq!(strict.code, 3, "{}", strict.stderr);
    assert!(
        strict.stderr.contains("--strict") && strict.stderr.contains("window_assumed (1)"),
        "{}",
        strict.stderr
    );
    // Still reported in full.
    assert_eq!(total(&strict.json()), "0.0625");
    let mut c = wacost_in("honest");
    c.args(["estimate", "window_assumed.csv", "--format", "table"]);
    let t = run(c);
    assert!(
        t.stdout
            .contains("Assumed: 1 non-template messages with no logged inbound priced free"),
        "{}",
        t.stdout
    );
}

/// The binary in a temporary directory holding `wacost.toml` (when given),
/// with no defaults from the caller's environment or config directory.
fn with_defaults(toml: Option<&str>) -> (tempfile::TempDir, assert_cmd::Command) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::copy(
        fixtures("estimate").join("failed.csv"),
        dir.path().join("failed.csv"),
    )
    .unwrap();
    if let Some(t) = toml {
        std::fs::write(dir.path().join("wacost.toml"), t).unwrap();
    }
    let mut c = wacost();
    c.current_dir(dir.path())
        .env("HOME", &home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("WACOST_TZ")
        .env_remove("WACOST_CURRENCY")
        .args(["estimate", "failed.csv", "--format", "json"]);
    (dir, c)
}

fn tz_and_currency(r: &crate::common::Run) -> (String, String) {
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    (
        v["tz"].as_str().unwrap().into(),
        v["currency"].as_str().unwrap().into(),
    )
}

#[test]
fn defaults_come_from_the_flag_then_the_environment_then_wacost_toml() {
    let file = "tz = \"America/Sao_Paulo\"\ncurrency = \"brl\"\ndefault_country = \"BR\"\n";
    let (_d, c) = with_defaults(Some(file));
    assert_eq!(
        tz_and_currency(&run(c)),
        ("America/Sao_Paulo".into(), "BRL".into())
    );
    let (_d, mut c) = with_defaults(Some(file));
    c.env("WACOST_TZ", "Asia/Kolkata")
        .env("WACOST_CURRENCY", "INR");
    assert_eq!(
        tz_and_currency(&run(c)),
        ("Asia/Kolkata".into(), "INR".into())
    );
    let (_d, mut c) = with_defaults(Some(file));
    c.env("WACOST_TZ", "Asia/Kolkata")
        .args(["--tz", "UTC", "--currency", "USD"]);
    assert_eq!(tz_and_currency(&run(c)), ("UTC".into(), "USD".into()));
    // None at all: UTC and USD.
    let (_d, c) = with_defaults(None);
    assert_eq!(tz_and_currency(&run(c)), ("UTC".into(), "USD".into()));
}

#[test]
fn wacost_toml_is_found_in_the_config_directory_and_a_bad_default_is_named() {
    let (d, mut c) = with_defaults(None);
    let config = d.path().join("xdg");
    std::fs::create_dir_all(config.join("wacost")).unwrap();
    std::fs::write(config.join("wacost/wacost.toml"), "currency = \"EUR\"\n").unwrap();
    c.env("XDG_CONFIG_HOME", &config);
    assert_eq!(tz_and_currency(&run(c)).1, "EUR");
    // ~/.config/wacost/wacost.toml without XDG_CONFIG_HOME.
    let (d, c) = with_defaults(None);
    let dot = d.path().join("home/.config/wacost");
    std::fs::create_dir_all(&dot).unwrap();
    std::fs::write(dot.join("wacost.toml"), "tz = \"Asia/Kolkata\"\n").unwrap();
    assert_eq!(tz_and_currency(&run(c)).0, "Asia/Kolkata");
    // A bad value or key is an input error naming where it came from.
    let (_d, mut c) = with_defaults(None);
    c.env("WACOST_TZ", "Mars/Olympus");
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains("WACOST_TZ") && r.stderr.contains("Mars/Olympus"),
        "{}",
        r.stderr
    );
    let (_d, c) = with_defaults(Some("currncy = \"EUR\"\n"));
    let r = run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("wacost.toml") && r.stderr.contains("currncy"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_log_written_in_another_zone_than_tz_is_a_warning() {
    // Every timestamp says -03:00 (Brazil) but --tz is UTC: the 22:30 and
    // 23:10 of 31 October are 1 November in UTC, so months and tiers move.
    // The total is priced as asked, and stderr says why it may be wrong.
    let mut c = wacost_in("honest");
    c.args([
        "estimate",
        "offsets_brazil.csv",
        "--tz",
        "UTC",
        "--format",
        "json",
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("wacost: warning: offsets_brazil.csv: every timestamp carries a UTC offset (-03:00) that differs from --tz UTC (+00:00)"),
        "{}",
        r.stderr
    );
    assert_eq!(r.json()["lines"][0]["month"], "2026-11");
    let mut c = wacost_in("honest");
    c.args([
        "estimate",
        "offsets_brazil.csv",
        "--tz",
        "America/Sao_Paulo",
    ]);
    c.args(["--format", "json"]);
    let r = run(c);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    assert_eq!(r.json()["lines"][0]["month"], "2026-10");
}

#[test]
fn utc_instants_read_in_a_waba_zone_are_no_warning() {
    // Exports write machine time in UTC (`Z`): that says nothing of the
    // WABA's zone, so reading them in America/Sao_Paulo warns of nothing.
    let mut c = wacost_in("honest");
    c.args(["estimate", "offsets_utc.csv", "--tz", "America/Sao_Paulo"]);
    c.args(["--format", "json"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}
