//! `--format xlsx --output FILE` (issue 17): the workbook reopened with
//! calamine, its numbers checked against the JSON output's.

use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

use crate::common::{run, wacost};

fn example() -> String {
    format!(
        "{}/examples/brazil-shop-2026-09.csv",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn money(d: &Data) -> Decimal {
    match d {
        Data::Float(f) => Decimal::from_f64(*f).unwrap().round_dp(6).normalize(),
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn the_estimate_workbook_has_the_json_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("estimate.xlsx");
    let mut c = wacost();
    c.args([
        "estimate",
        "--tz",
        "America/Sao_Paulo",
        "--savings",
        &example(),
        "-o",
    ])
    .arg(&file);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut c = wacost();
    c.args([
        "estimate",
        "--tz",
        "America/Sao_Paulo",
        "--format",
        "json",
        &example(),
    ]);
    let json = run(c).json();
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Summary", "Savings", "Rejected rows", "Assumptions"]
    );
    let sheet = book.worksheet_range("Summary").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let cost = header.iter().position(|h| h == "cost").unwrap();
    let rows: Vec<_> = sheet.rows().skip(1).collect();
    let lines = json["lines"].as_array().unwrap();
    assert_eq!(rows.len(), lines.len() + 1, "the lines and a total row");
    for (row, line) in rows.iter().zip(lines) {
        let want: Decimal = line["cost"].as_str().unwrap().parse().unwrap();
        assert_eq!(money(&row[cost]), want.normalize(), "{line}");
        assert_eq!(
            row[header.iter().position(|h| h == "billable").unwrap()],
            Data::Float(line["billable"].as_f64().unwrap())
        );
    }
    let total = rows.last().unwrap();
    assert_eq!(total[0], Data::String("total".into()));
    assert_eq!(money(&total[cost]).to_string(), "2.013");
    let savings = book.worksheet_range("Savings").unwrap();
    assert_eq!(savings.rows().count(), 6, "a header and five kinds");
}

#[test]
fn forecast_and_detail_workbooks_open() {
    let dir = tempfile::tempdir().unwrap();
    let plan = format!("{}/examples/plan.toml", env!("CARGO_MANIFEST_DIR"));
    let fc = dir.path().join("forecast.xlsx");
    let mut c = wacost();
    c.args(["forecast", &plan, "--format", "xlsx", "--output"])
        .arg(&fc);
    assert_eq!(run(c).code, 0);
    let mut book: Xlsx<_> = open_workbook(&fc).unwrap();
    assert!(book.worksheet_range("Forecast").unwrap().rows().count() > 10);
    let detail = dir.path().join("detail.xlsx");
    let mut c = wacost();
    c.args(["estimate", &example(), "--detail", "-o"])
        .arg(&detail);
    assert_eq!(run(c).code, 0);
    let mut book: Xlsx<_> = open_workbook(&detail).unwrap();
    assert_eq!(
        book.worksheet_range("Detail").unwrap().rows().count(),
        120,
        "a header and 119 rows"
    );
}
