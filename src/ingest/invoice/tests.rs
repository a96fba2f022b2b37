//! Tests of the invoice CSV reader (moved from ingest/theirs.rs).

use crate::ingest::figures::testing::{d, err, fixture, read};
use crate::ingest::figures::{read_theirs, Source, TheirError};
use crate::ingest::toolkit::amount::{parse_amount, DecimalMark};
use crate::model::Category;

// ---- invoice CSV

#[test]
fn invoice_csv() {
    let r = read("invoice.csv");
    assert_eq!(r.points.len(), 7);
    assert_eq!(r.currency.as_deref(), Some("USD"));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let p = &r.points[0];
    assert_eq!(p.source, Source::InvoiceCsv);
    assert_eq!(p.line, Some(2));
    assert_eq!(p.month.as_deref(), Some("2026-10"));
    assert_eq!(p.market.as_deref(), Some("Brazil"));
    assert_eq!(
        (p.category, p.volume, p.cost),
        (Some(Category::Marketing), 41200, Some(d("2575.00")))
    );
    assert_eq!(
        (p.start, p.country.as_deref(), p.tier.as_deref()),
        (None, None, None)
    );
    assert_eq!(
        r.points[3].category,
        Some(Category::AuthenticationInternational)
    );
    assert_eq!(r.points[3].cost, Some(d("1234.56")));
    assert_eq!(
        r.points[4].market.as_deref(),
        Some("Rest of Western Europe")
    );
    assert_eq!(r.points[4].cost.unwrap().to_string(), "0.4375");
    assert_eq!(r.points[5].category, Some(Category::Utility));
    assert_eq!(r.points[6].month.as_deref(), Some("2026-09"));
    assert_eq!(r.points[6].line, Some(8));
}

#[test]
fn invoice_semicolon_brazilian_export() {
    let r = read("invoice_semicolon_br.csv");
    assert_eq!(r.points.len(), 7);
    assert_eq!(r.currency.as_deref(), Some("BRL"));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let m = &r.points[0];
    assert_eq!(
        (m.category, m.volume, m.cost),
        (Some(Category::Marketing), 41200, Some(d("12875.00")))
    );
    assert_eq!(m.market.as_deref(), Some("Brasil"));
    assert_eq!(m.line, Some(2));
    assert_eq!(r.points[1].category, Some(Category::Utility));
    assert_eq!(r.points[1].cost, Some(d("408")));
    assert_eq!(r.points[2].category, Some(Category::Service));
    assert_eq!(r.points[2].category_raw, "Serviço");
    assert_eq!(r.points[3].category, Some(Category::Authentication));
    assert_eq!(r.points[3].cost, Some(d("10.61")));
    assert_eq!(r.points[4].month.as_deref(), Some("2026-10"));
    assert_eq!(r.points[5].month.as_deref(), Some("2026-10"));
    assert_eq!(r.points[5].cost, Some(d("0.44")));
    assert_eq!(r.points[6].month.as_deref(), Some("2026-09"));
}

#[test]
fn portuguese_and_english_header_aliases() {
    let pt = "Mês;Mercado;Categoria;Quantidade;Valor (R$)\n2026-10;Brasil;marketing;10;3,125\n";
    let r = read_theirs("pt.csv", pt.as_bytes()).unwrap();
    assert_eq!(r.points[0].cost, Some(d("3.125")));
    assert_eq!(r.points[0].volume, 10);
    assert_eq!(r.currency.as_deref(), Some("BRL"));

    let en = "Billing Month,Region,Type,Messages,Amount\n2026-10-01,India,Authentication-International,3,0.0828\n";
    let r = read_theirs("en.csv", en.as_bytes()).unwrap();
    assert_eq!(r.points[0].month.as_deref(), Some("2026-10"));
    assert_eq!(r.points[0].market.as_deref(), Some("India"));
    assert_eq!(
        r.points[0].category,
        Some(Category::AuthenticationInternational)
    );
    assert_eq!(r.currency, None);

    let other = "DATE,market_name,pricing_category,count,spend,Currency,pricing_type\n2026-10-15,Brazil,UTILITY,4,0.0272,usd,FREE_CUSTOMER_SERVICE\n";
    let r = read_theirs("o.csv", other.as_bytes()).unwrap();
    assert_eq!(r.currency.as_deref(), Some("USD"));
    assert_eq!(
        r.points[0].pricing_type.as_deref(),
        Some("free_customer_service")
    );

    let suffixed = "period,country_market,conversation_category,conversations,cost_usd\n2025-03,Brazil,marketing,2,0.125\n";
    let r = read_theirs("s.csv", suffixed.as_bytes()).unwrap();
    assert_eq!(
        (r.currency.as_deref(), r.points[0].volume),
        (Some("USD"), 2)
    );
}

#[test]
fn missing_cost_column() {
    let (e, s) = err(
        "bad_invoice_missing_cost.csv",
        &fixture("bad_invoice_missing_cost.csv"),
    );
    assert!(
        matches!(e, TheirError::MissingColumn { column: "cost", .. }),
        "{e:?}"
    );
    assert!(
        s.starts_with("bad_invoice_missing_cost.csv: no `cost` column"),
        "{s}"
    );
    assert!(
        s.contains("amount, charge, total, spend") && s.contains("custo, valor"),
        "{s}"
    );
    assert!(
        s.contains("the header has: month, market, category, volume, currency"),
        "{s}"
    );
}

#[test]
fn bad_rows_name_file_line_field_value() {
    let csv = "month,market,category,volume,cost\n2026-10,Brazil,marketing,10,0.625\n2026-10,Brazil,marketing,ten,0.625\n";
    let (e, s) = err("inv.csv", csv.as_bytes());
    assert_eq!(
        e,
        TheirError::CsvField {
            file: "inv.csv".into(),
            line: 3,
            field: "volume".into(),
            value: "ten".into(),
            expected: "expected a whole number of messages or conversations such as 1200 or 1,200"
                .into(),
        }
    );
    assert!(s.starts_with("inv.csv:3: field `volume` = \"ten\""), "{s}");

    let (_, s) = err(
        "inv.csv",
        b"month,market,category,volume,cost\n2026-13,Brazil,marketing,1,1\n",
    );
    assert!(
        s.contains("inv.csv:2: field `month` = \"2026-13\"") && s.contains("2026-10"),
        "{s}"
    );
    let (_, s) = err(
        "inv.csv",
        b"month,market,category,volume,cost\n2026-10,Brazil,marketing,1,abc\n",
    );
    assert!(
        s.contains("field `cost` = \"abc\"") && s.contains("1,234.56"),
        "{s}"
    );
    // A quoted decimal comma is read as such, unless another amount contradicts it.
    let r = read_theirs(
        "inv.csv",
        b"month,market,category,volume,cost\n2026-10,Brazil,marketing,1,\"0,4375\"\n",
    )
    .unwrap();
    assert_eq!(r.points[0].cost, Some(d("0.4375")));
    let (_, s) = err("inv.csv", b"month,market,category,volume,cost\n2026-10,Brazil,marketing,1,\"0,4375\"\n2026-10,Brazil,utility,1,\"1,234.50\"\n");
    assert!(
        s.contains("inv.csv:3: field `cost`") && s.contains("both with `.` and with `,`"),
        "{s}"
    );
    let (_, s) = err(
        "inv.csv",
        b"month,market,category,volume,cost\n2026-10,Brazil,marketing,1,\"12,34.5\"\n",
    );
    assert!(s.contains("comma-delimited"), "{s}");
    let (_, s) = err(
        "inv.csv",
        b"month,market,category,volume,cost\n2026-10,Brazil,marketing\n",
    );
    assert!(
        s.contains("inv.csv:2: field `volume`") && s.contains("3 fields"),
        "{s}"
    );
    let (_, s) = err(
        "inv.csv",
        b"month,market,category,volume,cost\n2026-10,Brazil,,1,2\n",
    );
    assert!(s.contains("field `category` = \"\""), "{s}");
    let (_, s) = err(
        "inv.csv",
        b"month,market,category,volume,cost,currency\n2026-10,Brazil,marketing,1,2,dollars\n",
    );
    assert!(
        s.contains("field `currency` = \"dollars\"") && s.contains("ISO 4217"),
        "{s}"
    );
    let (_, s) = err(
        "inv.csv",
        b"month,market,category,volume,cost,currency\n2026-10,Brazil,marketing,1,R$ 2.00,USD\n",
    );
    assert!(s.contains("in BRL but the currency column says USD"), "{s}");
}

#[test]
fn mixed_currencies_across_rows() {
    let csv = "month,market,category,volume,cost,currency\n2026-10,Brazil,marketing,1,1,BRL\n2026-10,Brazil,marketing,1,1,USD\n";
    let (e, s) = err("inv.csv", csv.as_bytes());
    assert!(matches!(e, TheirError::MixedCurrency { .. }));
    assert!(s.contains("BRL (line 2) and USD (line 3)"), "{s}");
}

#[test]
fn decimal_marks() {
    let m = |cell: &str, mark| parse_amount(cell, mark).map(|(v, c)| (v.to_string(), c));
    assert_eq!(
        m("1,234.56", DecimalMark::Dot),
        Some(("1234.56".into(), None))
    );
    assert_eq!(
        m("$1,234,567.5", DecimalMark::Dot),
        Some(("1234567.5".into(), None))
    );
    assert_eq!(
        m("US$ 12.50", DecimalMark::Dot),
        Some(("12.50".into(), Some("USD")))
    );
    assert_eq!(
        m("(1,000.00)", DecimalMark::Dot),
        Some(("-1000.00".into(), None))
    );
    assert_eq!(
        m("R$ 1.234,56", DecimalMark::Comma),
        Some(("1234.56".into(), Some("BRL")))
    );
    assert_eq!(
        m("-R$ 0,50", DecimalMark::Comma),
        Some(("-0.50".into(), Some("BRL")))
    );
    assert_eq!(
        m("1 234,56 €", DecimalMark::Comma),
        Some(("1234.56".into(), Some("EUR")))
    );
    assert_eq!(
        m("12,5 BRL", DecimalMark::Comma),
        Some(("12.5".into(), Some("BRL")))
    );
    assert_eq!(m(",5", DecimalMark::Comma), Some(("0.5".into(), None)));
    assert_eq!(m("1,23,456.7", DecimalMark::Dot), None);
    assert_eq!(m("1.2.3", DecimalMark::Dot), None);
    assert_eq!(m("", DecimalMark::Dot), None);
    assert_eq!(m("12abc", DecimalMark::Dot), None);
}

#[test]
fn zero_point_three_digits_is_a_decimal() {
    let csv = "month;market;category;volume;cost\n2026-10;Brasil;authentication;12;0.408\n";
    let r = read_theirs("x.csv", csv.as_bytes()).unwrap();
    assert_eq!(r.points[0].cost, Some(d("0.408")));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(parse_amount("0.408", DecimalMark::Comma), None);
    assert_eq!(
        parse_amount("+1.000,5", DecimalMark::Comma).map(|x| x.0),
        Some(d("1000.5"))
    );
}

#[test]
fn semicolon_file_with_dot_decimals() {
    let csv = "month;market;category;volume;cost\n2026-10;Brazil;utility;1.200;8.16\n2026-10;Brazil;marketing;3;0.1875\n";
    // `8.16` says decimals use `.`, so `1.200` is one point two: not a whole count.
    let (_, s) = err("x.csv", csv.as_bytes());
    assert!(s.contains("x.csv:2: field `volume` = \"1.200\""), "{s}");
    let csv = "month;market;category;volume;cost\n2026-10;Brazil;utility;1200;8.16\n2026-10;Brazil;marketing;3;0.1875\n";
    let r = read_theirs("x.csv", csv.as_bytes()).unwrap();
    assert_eq!(r.points[0].cost, Some(d("8.16")));
}

#[test]
fn ambiguous_thousands_in_semicolon_file_are_flagged() {
    let csv = "month;market;category;volume;cost\n2026-10;Brasil;marketing;1.500;1.234\n";
    let r = read_theirs("x.csv", csv.as_bytes()).unwrap();
    assert_eq!(r.points[0].volume, 1500);
    assert_eq!(r.points[0].cost, Some(d("1234")));
    assert!(
        r.warnings.iter().any(|w| w.contains("thousands")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn both_decimal_marks_in_one_file() {
    let csv = "month;market;category;volume;cost\n2026-10;Brasil;marketing;1;0,5\n2026-10;Brasil;utility;1;0.25\n";
    let (_, s) = err("x.csv", csv.as_bytes());
    assert!(
        s.contains("x.csv:3: field `cost` = \"0.25\"") && s.contains("line 2"),
        "{s}"
    );
    let csv = "month;market;category;volume;cost\n2026-10;Brasil;marketing;1;0,5\n2026-10;Brasil;utility;1.5;1\n";
    let (_, s) = err("x.csv", csv.as_bytes());
    assert!(s.contains("x.csv:3: field `volume` = \"1.5\""), "{s}");
}

#[test]
fn crlf_bom_quotes_sep_line_and_totals() {
    let csv = "\u{feff}sep=;\r\nmonth;market;category;volume;cost\r\n\"2026-10\";\"Rest of Latin America\";\"marketing\";\"1.000\";\"R$ 1.234,56\"\r\n\r\nTotal;;;;R$ 1.234,56\r\n2026-10;TOTAL;;;R$ 1.234,56\r\n";
    let r = read_theirs("x.csv", csv.as_bytes()).unwrap();
    assert_eq!(r.points.len(), 1);
    assert_eq!(r.points[0].line, Some(3));
    assert_eq!(r.points[0].market.as_deref(), Some("Rest of Latin America"));
    assert_eq!(r.points[0].volume, 1000);
    assert_eq!(r.points[0].cost, Some(d("1234.56")));
    assert!(
        r.warnings.iter().any(|w| w.contains("total row")
            && w.starts_with("x.csv: skipped")
            && w.contains("2 times; first at line 5")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn windows_1252_export() {
    let mut bytes = b"m\xEAs;mercado;categoria;volume;custo\r\n".to_vec();
    bytes.extend_from_slice(b"2026-10;Brasil;Servi\xE7o;5;R$ 0,18\r\n");
    let r = read_theirs("latin1.csv", &bytes).unwrap();
    assert_eq!(r.points[0].category, Some(Category::Service));
    assert_eq!(r.points[0].category_raw, "Serviço");
    assert!(r.warnings[0].contains("Windows-1252"));
}

#[test]
fn unknown_invoice_category_and_blank_cost() {
    let csv = "month,market,category,volume,cost\n2026-10,Brazil,Marketing Lite,4,\n2026-10,Brazil,marketing,4,-\n";
    let r = read_theirs("x.csv", csv.as_bytes()).unwrap();
    assert_eq!(r.points[0].category, None);
    assert_eq!(r.points[0].category_raw, "Marketing Lite");
    assert_eq!((r.points[0].cost, r.points[1].cost), (None, None));
    let w = r.warnings.join("\n");
    assert!(
        w.contains("\"Marketing Lite\"") && w.contains("2 times"),
        "{w}"
    );
}

#[test]
fn duplicate_columns() {
    let (e, _) = err("x.csv", b"month,market,category,volume,cost,Cost\n");
    assert!(
        matches!(e, TheirError::DuplicateColumn { column: "cost", .. }),
        "{e:?}"
    );
    // A better-ranked alias wins over a weaker one.
    let r = read_theirs("x.csv", b"month,date,market,category,type,volume,cost\n2026-10,2026-09-01,Brazil,utility,REGULAR,1,0.01\n").unwrap();
    assert_eq!(r.points[0].month.as_deref(), Some("2026-10"));
    assert_eq!(r.points[0].category, Some(Category::Utility));
}

#[test]
fn excel_unicode_text_export() {
    let text = "Month\tMarket\tCategory\tVolume\tCost\r\n2026-10\tBrazil\tmarketing\t2\t0.125\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let r = read_theirs("unicode.txt", &bytes).unwrap();
    assert_eq!(r.points[0].cost, Some(d("0.125")));
    assert_eq!(r.points[0].line, Some(2));
}

#[test]
fn header_only_invoice() {
    let r = read_theirs("x.csv", b"month,market,category,volume,cost\n").unwrap();
    assert!(r.points.is_empty());
    assert!(r.warnings[0].contains("no lines"));
}

#[test]
fn csv_that_is_not_an_invoice() {
    let (_, s) = err(
        "log.csv",
        b"timestamp,direction,to,template\n2026-10-01T10:00:00Z,out,5511999990000,promo\n",
    );
    assert!(
        s.contains("no `month` column") && s.contains("timestamp, direction, to, template"),
        "{s}"
    );
}
