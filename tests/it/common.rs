//! Helpers shared by the integration tests: running the binary from a
//! fixtures directory and reading its JSON output.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

/// `tests/fixtures/<sub>`.
pub fn fixtures(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(sub)
}

/// The `wacost` binary, without any hash key from the caller's environment.
pub fn wacost() -> Command {
    let mut c = Command::cargo_bin("wacost").unwrap();
    // A developer's own defaults (environment, wacost.toml) stay out.
    for var in [
        "WACOST_HASH_KEY",
        "WACOST_TZ",
        "WACOST_CURRENCY",
        "WACOST_DEFAULT_COUNTRY",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        // A terminal width would fit tables to it (see the terminal tests).
        "COLUMNS",
        // A locale would translate tables (see the terminal tests).
    ] {
        c.env_remove(var);
    }
    c.env("XDG_CONFIG_HOME", "/nonexistent-wacost-config");
    c.env("HOME", "/nonexistent-wacost-home");
    c
}

/// The binary run from `tests/fixtures/<sub>`, so that file names in the
/// output are the relative names given on the command line.
pub fn wacost_in(sub: &str) -> Command {
    let mut c = wacost();
    c.current_dir(fixtures(sub));
    c
}

/// What one run produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

pub fn run(mut c: Command) -> Run {
    let out = c.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `wacost estimate ARGS --format json` in `tests/fixtures/<sub>`.
pub fn estimate_json(sub: &str, args: &[&str]) -> Run {
    let mut c = wacost_in(sub);
    c.arg("estimate").args(args).args(["--format", "json"]);
    run(c)
}

/// `counts` as (rows, inbound, outbound, billable, free, failed, rejected).
pub fn counts(v: &Value) -> (u64, u64, u64, u64, u64, u64, u64) {
    let c = &v["counts"];
    let n = |k: &str| {
        c[k].as_u64()
            .unwrap_or_else(|| panic!("counts.{k} missing in {v}"))
    };
    (
        n("rows"),
        n("inbound"),
        n("outbound"),
        n("billable"),
        n("free"),
        n("failed"),
        n("rejected"),
    )
}

/// One of `counts`' fields.
pub fn count(v: &Value, key: &str) -> u64 {
    v["counts"][key]
        .as_u64()
        .unwrap_or_else(|| panic!("counts.{key} missing in {v}"))
}

/// `total` as a string (money is a decimal string, never a float).
pub fn total(v: &Value) -> &str {
    v["total"]
        .as_str()
        .unwrap_or_else(|| panic!("total is not a string in {v}"))
}

/// (line, reason) of every rejected row.
pub fn rejected(v: &Value) -> Vec<(u64, String)> {
    v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The summary lines as (key columns joined with `|`, billable, free, failed, cost).
pub fn lines(v: &Value, keys: &[&str]) -> Vec<(String, u64, u64, u64, String)> {
    v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let k: Vec<&str> = keys.iter().map(|k| l[*k].as_str().unwrap()).collect();
            (
                k.join("|"),
                l["billable"].as_u64().unwrap(),
                l["free"].as_u64().unwrap(),
                l["failed"].as_u64().unwrap(),
                l["cost"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Parses a CSV text into records (header included).
pub fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The column `name` of CSV `--detail` output, one value per data row.
pub fn detail_column(text: &str, name: &str) -> Vec<String> {
    let recs = csv_records(text);
    let i = recs[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", recs[0]));
    recs[1..].iter().map(|r| r[i].clone()).collect()
}

/// Asserts that no full phone number appears in `text`: the last nine
/// digits of each number (its subscriber part) must not appear, even when
/// written with spaces, dashes, underscores, dots or parentheses.
pub fn assert_no_full_number(text: &str, numbers: &[&str]) {
    let squeezed: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.' | '(' | ')' | '\u{a0}'))
        .collect();
    for n in numbers {
        let d: String = n.chars().filter(char::is_ascii_digit).collect();
        let tail = &d[d.len().saturating_sub(9)..];
        assert!(
            !squeezed.contains(tail),
            "full number {n} appears in output:\n{text}"
        );
    }
}
