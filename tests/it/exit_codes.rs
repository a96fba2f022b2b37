//! Exit codes (README "Exit codes") and which of the plan, a flag or the
//! default decides the forecast's currency and time zone.

use crate::common::{fixtures, run, wacost, Run};

fn forecast(args: &[&str]) -> Run {
    let mut c = wacost();
    c.arg("forecast")
        .arg(fixtures("forecast").join("eur_kolkata.toml"))
        .args(["--format", "json"])
        .args(args);
    run(c)
}

#[test]
fn forecast_takes_the_plans_currency_and_zone_by_default() {
    let r = forecast(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(
        (v["currency"].as_str(), v["tz"].as_str()),
        (Some("EUR"), Some("Asia/Kolkata"))
    );
}

#[test]
fn a_given_currency_wins_over_the_plans_even_the_default_one() {
    let r = forecast(&["--currency", "USD"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["currency"], "USD");
}

#[test]
fn a_given_zone_wins_over_the_plans_even_utc() {
    let r = forecast(&["--tz", "UTC"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["tz"], "UTC");
}

#[test]
fn output_that_cannot_be_written_exits_5() {
    // assert_cmd captures stdout; std's Command lets it be a full disk.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("wacost"))
        .args(["rates", "--at", "2026-11-01", "--format", "csv"])
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("writing the output"), "{err}");
}

#[test]
fn a_card_that_cannot_be_written_exits_5_a_foreign_file_2() {
    let card = fixtures("import").join("Pricing.csv");
    let import = |into: &std::path::Path| {
        let mut c = wacost();
        c.args(["rates", "import"])
            .arg(&card)
            .args(["--effective", "2026-07-01", "--into"])
            .arg(into);
        run(c)
    };
    // /proc takes no new directory, whoever asks.
    let r = import(std::path::Path::new("/proc/wacost-no-such-dir"));
    assert_eq!(r.code, 5, "{}", r.stderr);
    // A rates file of another format is refused: an input error.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rates")).unwrap();
    std::fs::write(dir.path().join("rates/USD.csv"), "a,b\n1,2\n").unwrap();
    let r = import(dir.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("another format"), "{}", r.stderr);
}

#[test]
fn a_pricing_dir_that_does_not_load_exits_4_with_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = wacost();
    c.args([
        "rates",
        "--at",
        "2026-11-01",
        "--format",
        "csv",
        "--pricing",
    ])
    .arg(dir.path());
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (4, ""), "{}", r.stderr);
    assert!(r.stderr.contains("--pricing"), "{}", r.stderr);
}

#[test]
fn a_missing_input_file_stays_a_usage_error() {
    let mut c = wacost();
    c.args(["forecast", "no-such-plan.toml", "--format", "json"]);
    let r = run(c);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.stderr);
}

#[test]
fn a_closed_pipe_exits_0() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("wacost");
    let mut child = Command::new(bin)
        .args(["rates", "--at", "2026-11-01", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end at once: every write then fails with EPIPE.
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0), "{err}");
    assert_eq!(err, "");
}

#[test]
fn a_run_that_reads_no_row_exits_2_with_nothing_on_stdout() {
    use crate::common::wacost_in;
    let estimate = |sub: &str, file: &str| {
        let mut c = wacost_in(sub);
        c.args(["estimate", file, "--format", "json"]);
        run(c)
    };
    // Every row rejected: the reasons on stderr, each once, and exit 2.
    let r = estimate("honest", "all_rejected.csv");
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("no row could be read: all 3 rows were rejected"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("(and 2 more like it: all_rejected.csv:3, all_rejected.csv:4)"),
        "{}",
        r.stderr
    );
    // A header alone, or an empty file: nothing to price either.
    for file in ["header_only.csv", "empty.csv"] {
        let r = estimate("bad", file);
        assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{file}: {}", r.stderr);
        assert!(r.stderr.contains("no rows to price"), "{}", r.stderr);
    }
    // One row read is a run: exit 0.
    let r = estimate("bad", "bad_timestamps.csv");
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn strict_exits_3_on_an_assumption_but_not_on_one_business_number() {
    use crate::common::wacost_in;
    let strict = |sub: &str, file: &str| {
        let mut c = wacost_in(sub);
        c.args(["estimate", file, "--format", "json", "--strict"]);
        run(c)
    };
    let r = strict("honest", "window_assumed.csv");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("window_assumed (1)"), "{}", r.stderr);
    // No status column: delivery assumed.
    let r = strict("bad", "bad_timestamps.csv");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("delivery_assumed (1)"), "{}", r.stderr);
    // A log without a business number column is one number's: not refused.
    let r = strict("estimate", "failed.csv");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["assumptions"]["one_business_number"], 4);
}
