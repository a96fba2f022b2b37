//! Text as real exports save it (issue 15): UTF-16 from Excel's "Unicode
//! text", UTF-16 without a BOM, Windows-1252, `--encoding`; Excel's `sep=`
//! line and rows of delimiters only; the timestamp shapes exports write and
//! `--date-order`. Fixtures in `tests/fixtures/encodings/` are the bytes
//! those exports write (see its README).
//!
//! Rates (bundled USD cards): Brazil marketing 0.0625, utility 0.0068;
//! Mexico marketing 0.0305 until 2026-09-30, 0.0397 from 2026-10-01, so a
//! date read in the wrong order changes the total.

use std::io::Write;

use crate::common::{counts, detail_column, estimate_json, run, total, wacost_in, Run};

const DIR: &str = "encodings";

/// The summary grouped by template: (template, billable, cost).
fn by_template(r: &Run) -> Vec<(String, u64, String)> {
    let v = r.json();
    let mut got: Vec<_> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["template"].as_str().unwrap().to_string(),
                l["billable"].as_u64().unwrap(),
                l["cost"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    got
}

fn line(template: &str, billable: u64, cost: &str) -> (String, u64, String) {
    (template.to_string(), billable, cost.to_string())
}

#[test]
fn excel_unicode_text_is_utf16le_with_tabs() {
    let bytes = std::fs::read(crate::common::fixtures(DIR).join("excel_unicode_text.txt")).unwrap();
    assert!(
        bytes.starts_with(b"\xFF\xFEt\0i\0m\0e\0"),
        "UTF-16LE with BOM"
    );
    let r = estimate_json(DIR, &["excel_unicode_text.txt", "--group-by", "template"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    // 10/5/2026 is 5 October: 10/25/2026 in the same file says month first.
    assert_eq!(counts(&v), (4, 0, 4, 3, 0, 1, 0));
    assert_eq!(total(&v), "0.0862");
    assert_eq!(
        by_template(&r),
        [
            line("confirmação_pedido", 1, "0.0068"),
            line("liquidação", 0, "0.0000"),
            line("promoção_outubro", 2, "0.0794"),
        ]
    );
    assert!(
        r.stderr
            .contains("excel_unicode_text.txt: dates read as M/D/YYYY (10/25/2026 says so)"),
        "{}",
        r.stderr
    );
    // The BOM says UTF-16: no guess to tell.
    assert!(!r.stderr.contains("read as UTF-16"), "{}", r.stderr);
    assert!(v["assumptions"].get("date_order_assumed").is_none(), "{v}");
}

#[test]
fn utf16be_without_bom_is_told_by_its_zero_bytes() {
    let bytes = std::fs::read(crate::common::fixtures(DIR).join("utf16be_no_bom.csv")).unwrap();
    assert!(bytes.starts_with(b"\0t\0i\0m\0e"), "UTF-16BE, no BOM");
    // `2026-09-30 23:30:00 UTC` is 1 October in Tokyo: October's Mexico
    // rate. Read as a Tokyo time it would be September's.
    let r = estimate_json(DIR, &["utf16be_no_bom.csv", "--tz", "Asia/Tokyo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(counts(&v), (3, 0, 3, 3, 0, 0, 0));
    assert_eq!(total(&v), "0.1419");
    assert!(
        r.stderr.contains(
            "utf16be_no_bom.csv: no byte order mark, but zero bytes as UTF-16BE has them; read as UTF-16BE"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn windows_1252_template_names_are_read_not_rejected() {
    let bytes = std::fs::read(crate::common::fixtures(DIR).join("windows1252.csv")).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "Latin-1 bytes");
    assert!(
        bytes.windows(2).any(|w| w == b"\xE7\xE3"),
        "ç and ã in Windows-1252"
    );
    let r = estimate_json(DIR, &["windows1252.csv", "--group-by", "template"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(counts(&v), (4, 0, 4, 4, 0, 0, 0));
    assert_eq!(total(&v), "0.1487");
    assert_eq!(
        by_template(&r),
        [
            line("avaliação", 1, "0.0397"),
            line("confirmação", 1, "0.0068"),
            line("promoção_relâmpago", 2, "0.1022"),
        ]
    );
    assert!(
        r.stderr
            .contains("windows1252.csv: not UTF-8; read as Windows-1252"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("dates read as D/M/YYYY (13/10/2026 says so)"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_encoding_named_is_used_and_nothing_is_guessed() {
    for name in ["latin1", "windows-1252", "ISO-8859-1"] {
        let r = estimate_json(
            DIR,
            &[
                "windows1252.csv",
                "--group-by",
                "template",
                "--encoding",
                name,
            ],
        );
        assert_eq!(total(&r.json()), "0.1487", "{name}");
        assert!(
            by_template(&r).contains(&line("avaliação", 1, "0.0397")),
            "{name}"
        );
        assert!(!r.stderr.contains("not UTF-8"), "{}", r.stderr);
    }
    // Named UTF-8: the Latin-1 bytes are malformed, replaced; rows priced.
    let r = estimate_json(
        DIR,
        &[
            "windows1252.csv",
            "--group-by",
            "template",
            "--encoding",
            "utf-8",
        ],
    );
    assert_eq!(total(&r.json()), "0.1487");
    assert!(by_template(&r).contains(&line("avalia\u{fffd}\u{fffd}o", 1, "0.0397")));
    let r = estimate_json(
        DIR,
        &[
            "utf16be_no_bom.csv",
            "--encoding",
            "utf-16be",
            "--tz",
            "Asia/Tokyo",
        ],
    );
    assert_eq!(total(&r.json()), "0.1419");
    assert!(!r.stderr.contains("zero bytes"), "{}", r.stderr);
}

#[test]
fn an_unknown_encoding_is_a_usage_error() {
    let mut c = wacost_in(DIR);
    c.args(["estimate", "windows1252.csv", "--encoding", "klingon"]);
    let r = run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("unknown encoding \"klingon\""),
        "{}",
        r.stderr
    );
}

#[test]
fn excel_sep_line_and_rows_of_delimiters_only() {
    // Line 1 `sep=;`, line 2 the header; lines 4, 6 and 7 are `;;;;;`.
    let r = estimate_json(DIR, &["sep_line.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(counts(&v), (3, 0, 2, 2, 0, 0, 1));
    assert_eq!(total(&v), "0.1250");
    assert_eq!(v["skipped"]["delimiter_only_rows"], 3, "{v}");
    // Later rows keep the file's own line numbers.
    let rejected = crate::common::rejected(&v);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].0, 8, "{rejected:?}");
    assert!(
        r.stderr
            .contains("sep_line.csv: 3 empty rows (only delimiters) skipped"),
        "{}",
        r.stderr
    );
}

#[test]
fn every_timestamp_shape_is_read_at_its_instant() {
    let mut c = wacost_in(DIR);
    c.args([
        "estimate",
        "timestamp_shapes.csv",
        "--tz",
        "America/Sao_Paulo",
        "--detail",
        "--format",
        "csv",
    ]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let templates = detail_column(&r.stdout, "template");
    let times = detail_column(&r.stdout, "timestamp");
    let mut got: Vec<(String, String)> = templates.into_iter().zip(times).collect();
    got.sort();
    let want = [
        ("day_over_12", "2026-10-25T10:30:00-03:00"),
        ("dots", "2026-10-05T10:25:00-03:00"),
        ("month_first_am", "2026-10-05T10:10:00-03:00"),
        ("month_first_pm", "2026-10-05T13:15:30-03:00"),
        ("rfc2822", "2026-10-05T10:00:00-03:00"),
        ("utc_word", "2026-10-05T10:05:00-03:00"),
        ("year_first", "2026-10-05T10:20:00-03:00"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
    assert!(r.stderr.contains("total 0.4375 USD"), "{}", r.stderr);
}

#[test]
fn ambiguous_dates_read_day_first_are_an_assumption_date_order_decides() {
    // 05/10/2026 and 06/10/2026, nothing in the file to decide.
    let r = estimate_json(DIR, &["ambiguous_dates.csv"]);
    let v = r.json();
    assert_eq!(total(&v), "0.0794", "October: day first");
    assert_eq!(v["assumptions"]["date_order_assumed"], 2, "{v}");
    let mdy = estimate_json(DIR, &["ambiguous_dates.csv", "--date-order", "mdy"]).json();
    assert_eq!(total(&mdy), "0.0610", "May 10 and June 10: month first");
    assert!(
        mdy["assumptions"].get("date_order_assumed").is_none(),
        "{mdy}"
    );
    let dmy = estimate_json(DIR, &["ambiguous_dates.csv", "--date-order", "dmy"]).json();
    assert_eq!(total(&dmy), "0.0794");
    assert!(
        dmy["assumptions"].get("date_order_assumed").is_none(),
        "{dmy}"
    );
    // The table footer says what was assumed, and how to say otherwise.
    let mut c = wacost_in(DIR);
    c.args(["estimate", "ambiguous_dates.csv", "--format", "table"]);
    let table = run(c);
    assert!(
        table
            .stdout
            .contains("Assumed: 2 dates like 05/10/2026 that read either way: read day first"),
        "{}",
        table.stdout
    );
}

/// A file whose first 64 KiB are ASCII and a later row is Windows-1252:
/// that row is read as Windows-1252, and said.
#[test]
fn a_windows_1252_row_after_the_first_bytes_is_read_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "timestamp,direction,contact,type,category,template").unwrap();
    let rows = 1000;
    for i in 0..rows {
        let row = format!(
            "2026-10-05T10:{:02}:{:02}Z,outbound,+55 11 9{:04}-{:04},template,marketing,promo_ascii_only_name",
            i / 60 % 60,
            i % 60,
            1000 + i,
            5000 + i
        );
        writeln!(f, "{row}").unwrap();
    }
    f.write_all(
        b"2026-10-05T11:00:00Z,outbound,+55 11 98888-7777,template,marketing,promo\xE7\xE3o\n",
    )
    .unwrap();
    drop(f);
    assert!(std::fs::metadata(&path).unwrap().len() > 1 << 16);
    let mut c = crate::common::wacost();
    c.arg("estimate")
        .arg(&path)
        .args(["--format", "json", "--group-by", "template"]);
    let r = run(c);
    let v = r.json();
    assert_eq!(counts(&v).3, rows + 1, "every row billable");
    assert!(
        by_template(&r).contains(&line("promoção", 1, "0.0625")),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains(&format!(
            "late.csv: 1 rows are not UTF-8 (the first on line {}): read as Windows-1252",
            rows + 2
        )),
        "{}",
        r.stderr
    );
}

/// Gzip and UTF-16 together, and webhook JSON saved as UTF-16: the format
/// is told from the decoded text.
#[test]
fn gzipped_utf16_and_utf16_webhook_json() {
    let dir = tempfile::tempdir().unwrap();
    let excel = std::fs::read(crate::common::fixtures(DIR).join("excel_unicode_text.txt")).unwrap();
    let gz = dir.path().join("excel.txt.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&excel).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let mut c = crate::common::wacost();
    c.arg("estimate").arg(&gz).args(["--format", "json"]);
    assert_eq!(total(&run(c).json()), "0.0862");

    let example = |name: &str| {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name)
    };
    let json = std::fs::read_to_string(example("brazil-shop-2026-09.jsonl")).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(json.encode_utf16().flat_map(u16::to_le_bytes));
    let wide = dir.path().join("webhooks.jsonl");
    std::fs::write(&wide, utf16).unwrap();
    let price = |path: &std::path::Path| {
        let mut c = crate::common::wacost();
        c.arg("estimate")
            .arg(path)
            .args(["--format", "json", "--tz", "America/Sao_Paulo"]);
        let v = run(c).json();
        (counts(&v), total(&v).to_string())
    };
    let plain = price(&example("brazil-shop-2026-09.jsonl"));
    assert!(plain.0 .0 > 0);
    assert_eq!(price(&wide), plain);
}

/// A month-first log whose first 64 KiB hold only dates that read either
/// way (1 to 12 October): those are read day first and counted, and the
/// later 10/25/2026 makes the run warn that they may be wrong.
#[test]
fn month_first_dates_after_ambiguous_ones_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("us.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "timestamp,direction,contact,type,category,template").unwrap();
    let rows = 1000;
    for i in 0..rows {
        let contact = format!("+52 55 {:04} {:04}", 1000 + i / 10_000, i % 10_000);
        writeln!(
            f,
            "10/5/2026 {:02}:{:02} AM,outbound,{contact},template,marketing,promo_ascii_only_name",
            1 + i / 60 % 11,
            i % 60
        )
        .unwrap();
    }
    writeln!(
        f,
        "10/25/2026 10:00 AM,outbound,+52 55 9999 0000,template,marketing,promo"
    )
    .unwrap();
    drop(f);
    assert!(std::fs::metadata(&path).unwrap().len() > 1 << 16);
    let mut c = crate::common::wacost();
    c.arg("estimate").arg(&path).args(["--format", "json"]);
    let r = run(c);
    let v = r.json();
    assert_eq!(v["assumptions"]["date_order_assumed"], rows, "{v}");
    assert!(
        r.stderr.contains(&format!(
            "us.csv: {rows} dates that read either way were read day first, but other dates of the file are month first (M/D/YYYY): set --date-order mdy"
        )),
        "{}",
        r.stderr
    );
    let mut c = crate::common::wacost();
    c.arg("estimate")
        .arg(&path)
        .args(["--format", "json", "--date-order", "mdy"]);
    let v = run(c).json();
    assert!(v["assumptions"].get("date_order_assumed").is_none(), "{v}");
    assert_eq!(total(&v), "39.7397", "all in October");
}
