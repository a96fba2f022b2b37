//! Snapshots of human- and spreadsheet-facing output (insta). The figures in
//! them are checked by hand once; a change in any of them must be reviewed
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test it snapshots`).
//!
//! `snapshot.csv` (tz America/Sao_Paulo, USD): Brazil marketing 0.0625 (2026-09),
//! Rest of Western Europe (Portugal) marketing 0.0592, Brazil utility 0.0068
//! (2026-10, one failed copy not billed), North America authentication 0.0034;
//! free: service and utility inside the window (pmp-2025-07), India's ctwa reply
//! and marketing in the free entry point window, Bruno's service message as
//! allowance unit 1 (pmp-2026-10); Egypt authentication_international 0.0650 on line
//! 14 (carried from the 2026-07 card); Iraq authentication_international on line 15 is
//! rejected (`unknown` on the card). Total 0.1969.

use crate::common::{run, wacost, wacost_in};

fn estimate(format: &str) -> String {
    let mut c = wacost_in("estimate");
    c.args([
        "estimate",
        "snapshot.csv",
        "--tz",
        "America/Sao_Paulo",
        "--format",
        format,
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn estimate_table() {
    insta::assert_snapshot!("estimate_table", estimate("table"));
}

#[test]
fn estimate_csv() {
    insta::assert_snapshot!("estimate_csv", estimate("csv"));
}

#[test]
fn rates_brazil_csv() {
    let mut c = wacost();
    c.args([
        "rates",
        "--at",
        "2026-11-01",
        "--market",
        "Brazil",
        "--format",
        "csv",
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("rates_brazil_2026_11_01_csv", r.stdout);
}
