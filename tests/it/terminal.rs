//! Terminal conveniences (issue 17): shell completions and the man page
//! generated from the clap definitions, `-V` naming the pricing data,
//! tables that fit the terminal.

use crate::common::{run, wacost};

fn wacost_out(args: &[&str]) -> crate::common::Run {
    let mut c = wacost();
    c.args(args);
    run(c)
}

#[test]
fn completions_are_generated_for_each_shell() {
    for (shell, mark) in [
        ("bash", "complete -F _wacost"),
        ("zsh", "#compdef wacost"),
        ("fish", "complete -c wacost"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let r = wacost_out(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains(mark), "{shell}: {}", r.stdout);
        // Subcommands and their flags come from the definitions.
        assert!(
            r.stdout.contains("forecast") && r.stdout.contains("from-log"),
            "{shell}"
        );
    }
    let bad = wacost_out(&["completions", "tcsh"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn the_man_page_has_every_subcommand_and_its_flags() {
    let r = wacost_out(&["man"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(".ie") || r.stdout.contains(".TH wacost"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    for want in [
        ".TH wacost 1",
        ".SH \"WACOST ESTIMATE\"",
        ".SH \"WACOST FORECAST\"",
        ".SH \"WACOST RECONCILE\"",
        "\\-\\-from\\-log",
        "\\-\\-as\\-of",
        "\\-\\-show\\-numbers",
    ] {
        assert!(r.stdout.contains(want), "{want} missing:\n{}", r.stdout);
    }
}

#[test]
fn short_version_names_the_pricing_data() {
    let r = wacost_out(&["-V"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("wacost 0."), "{}", r.stdout);
    assert!(
        r.stdout.contains("(pricing data: newest card 20"),
        "{}",
        r.stdout
    );
}

#[test]
fn csv_carries_the_currency_as_its_last_column() {
    let plan = crate::common::fixtures("forecast").join("eur_kolkata.toml");
    let mut c = wacost();
    c.arg("forecast").arg(&plan).args(["--format", "csv"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recs = crate::common::csv_records(&r.stdout);
    assert_eq!(
        recs[0][..3],
        ["month", "market", "category"],
        "{}",
        r.stdout
    );
    assert_eq!(recs[0].last().unwrap(), "currency", "{}", r.stdout);
    assert_eq!(recs[1].last().unwrap(), "EUR", "{}", r.stdout);
    // Detail rows too, and JSON keeps it once at the top.
    let mut c = crate::common::wacost_in("estimate");
    c.args([
        "estimate",
        "failed.csv",
        "--detail",
        "--format",
        "csv",
        "--currency",
        "BRL",
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recs = crate::common::csv_records(&r.stdout);
    assert_eq!(recs[0][0], "file", "{}", r.stdout);
    assert!(
        recs.iter().skip(1).all(|r| r.last().unwrap() == "BRL"),
        "{}",
        r.stdout
    );
    assert_eq!(recs[0].last().unwrap(), "currency");
}

/// `wacost ARGS --format table` in `tests/fixtures/<sub>`, `COLUMNS=100`.
fn table_in_100_columns(sub: &str, args: &[&str]) -> String {
    let mut c = crate::common::wacost_in(sub);
    c.args(args)
        .args(["--format", "table"])
        .env("COLUMNS", "100");
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let table = r
        .stdout
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '╞', '├', '└']));
    assert!(
        table.map(|l| l.chars().count()).all(|n| n <= 100),
        "wider than 100:\n{}",
        r.stdout
    );
    r.stdout
}

#[test]
fn tables_fit_a_100_column_terminal_and_say_what_they_left_out() {
    let forecast = table_in_100_columns(
        "forecast",
        &["forecast", "utility_2026_10.toml", "--as-of", "2026-09-01"],
    );
    insta::assert_snapshot!("forecast_as_of_100_columns", forecast);
    let detail = table_in_100_columns(
        "estimate",
        &[
            "estimate",
            "snapshot.csv",
            "--tz",
            "America/Sao_Paulo",
            "--detail",
        ],
    );
    insta::assert_snapshot!("detail_100_columns", detail);
    // Without a width (a pipe), nothing is left out.
    let mut c = crate::common::wacost_in("forecast");
    c.args([
        "forecast",
        "utility_2026_10.toml",
        "--as-of",
        "2026-09-01",
        "--format",
        "table",
    ]);
    let r = run(c);
    assert!(
        r.stdout.contains("delivered") && !r.stdout.contains("left out"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_pt_br_table_has_portuguese_labels_and_brazilian_money() {
    let mut c = crate::common::wacost_in("estimate");
    c.args(["estimate", "snapshot.csv", "--tz", "America/Sao_Paulo"])
        .args([
            "--currency",
            "BRL",
            "--locale",
            "pt-BR",
            "--format",
            "table",
        ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("mercado") && r.stdout.contains("Total R$ "),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("estimate_table_pt_br", r.stdout);
    // LANG decides when --locale is not given; CSV and JSON stay locale-free.
    let mut c = crate::common::wacost_in("forecast");
    c.args(["forecast", "utility_2026_10.toml", "--as-of", "2026-09-01"])
        .env("LANG", "es_MX.UTF-8");
    let table = run({
        let mut t = c;
        t.args(["--format", "table"]);
        t
    });
    insta::assert_snapshot!("forecast_table_es", table.stdout);
    let mut c = crate::common::wacost_in("forecast");
    c.args(["forecast", "utility_2026_10.toml", "--format", "csv"])
        .env("LANG", "pt_BR.UTF-8");
    let csv = run(c);
    assert!(csv.stdout.contains(",5.5080,"), "{}", csv.stdout);
}

#[test]
fn the_excel_br_dialect_has_a_bom_semicolons_and_decimal_commas() {
    let mut c = crate::common::wacost_in("estimate");
    c.args(["estimate", "snapshot.csv", "--tz", "America/Sao_Paulo"])
        .args(["--format", "csv", "--csv-dialect", "excel-br"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let body = r
        .stdout
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 BOM first");
    assert!(body.starts_with("month;market;category;"), "{body}");
    assert!(
        body.contains(";0,0625;") && !body.contains("0.0625"),
        "{body}"
    );
    insta::assert_snapshot!("estimate_csv_excel_br", body);
}
