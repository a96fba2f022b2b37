//! Tests of the analytics JSON reader (moved from ingest/theirs.rs).

use crate::ingest::figures::testing::{d, err, fixture, read};
use crate::ingest::figures::{read_theirs, Source, TheirError, TheirPoint, TheirReport};
use crate::model::Category;
use rust_decimal::Decimal;
use serde_json::Value;

fn find<'a>(r: &'a TheirReport, country: &str, cat: &str, ty: &str, start: i64) -> &'a TheirPoint {
    r.points
        .iter()
        .find(|p| {
            p.country.as_deref() == Some(country)
                && p.category_raw == cat
                && p.pricing_type.as_deref() == Some(ty)
                && p.start == Some(start)
        })
        .unwrap()
}

const OCT1: i64 = 1_790_838_000;

// ---- pricing_analytics

#[test]
fn pricing_analytics_field_response() {
    let r = read("pricing_analytics.json");
    assert_eq!(r.points.len(), 10);
    assert_eq!(r.currency.as_deref(), Some("BRL"));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert!(r.points.iter().all(|p| p.source == Source::PricingAnalytics
        && p.file == "pricing_analytics.json"
        && p.line.is_none()
        && p.month.is_none()
        && p.market.is_none()
        && p.phone_number.as_deref() == Some("551140030000")));

    let mkt = find(&r, "BR", "MARKETING", "regular", OCT1);
    assert_eq!(mkt.category, Some(Category::Marketing));
    assert_eq!(mkt.tier.as_deref(), Some("0:MAX"));
    assert_eq!(mkt.volume, 1200);
    assert_eq!(mkt.cost, Some(d("375")));
    assert_eq!(mkt.end, Some(1_790_924_400));

    let util = find(&r, "BR", "UTILITY", "regular", OCT1);
    assert_eq!(util.tier.as_deref(), Some("0:5000000"));
    assert_eq!(util.cost.unwrap().to_string(), "115.6");

    let free = find(&r, "BR", "UTILITY", "free_customer_service", OCT1);
    assert_eq!(free.category, Some(Category::Utility));
    assert_eq!(free.tier, None);
    assert_eq!(free.cost, Some(Decimal::ZERO));
    assert_eq!(free.volume, 980);

    let svc = find(&r, "BR", "SERVICE", "regular", OCT1);
    assert_eq!((svc.category, svc.volume), (Some(Category::Service), 5000));
    let fep = find(&r, "BR", "SERVICE", "free_entry_point", OCT1);
    assert_eq!(
        (fep.category, fep.volume, fep.tier.as_deref()),
        (Some(Category::Service), 140, None)
    );

    // Costs keep the exact text Meta wrote, never a binary float.
    let us = r
        .points
        .iter()
        .find(|p| p.country.as_deref() == Some("US"))
        .unwrap();
    assert_eq!(us.cost.unwrap().to_string(), "0.4375");
    let pt = r
        .points
        .iter()
        .find(|p| p.country.as_deref() == Some("PT"))
        .unwrap();
    assert_eq!(pt.cost.unwrap().to_string(), "4.4375");
    let total: Decimal = r.points.iter().filter_map(|p| p.cost).sum();
    assert_eq!(total, d("1058.383"));
}

#[test]
fn pricing_analytics_two_pages_concatenated() {
    let one = read("pricing_analytics.json");
    let paged = read("pricing_analytics_paged.json");
    assert!(paged.warnings.is_empty(), "{:?}", paged.warnings);
    assert_eq!(paged.currency, None);
    assert_eq!(paged.points.len(), 10);
    let mut a: Vec<_> = one
        .points
        .iter()
        .map(|p| (p.start, p.category_raw.clone(), p.volume, p.cost))
        .collect();
    let mut b: Vec<_> = paged
        .points
        .iter()
        .map(|p| (p.start, p.category_raw.clone(), p.volume, p.cost))
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn array_of_pages_and_json_lines() {
    let text = String::from_utf8(fixture("pricing_analytics_paged.json")).unwrap();
    let mut de = serde_json::Deserializer::from_str(&text).into_iter::<Value>();
    let p1 = de.next().unwrap().unwrap();
    let p2 = de.next().unwrap().unwrap();
    let array = serde_json::to_vec(&Value::Array(vec![p1.clone(), p2.clone()])).unwrap();
    let r = read_theirs("pages.json", &array).unwrap();
    assert_eq!(r.points.len(), 10);

    let jsonl = format!(
        "{}\n{}\n",
        serde_json::to_string(&p1).unwrap(),
        serde_json::to_string(&p2).unwrap()
    );
    let r = read_theirs("pages.jsonl", jsonl.as_bytes()).unwrap();
    assert_eq!(r.points.len(), 10);

    // Pages glued with no whitespace at all.
    let glued = format!(
        "{}{}",
        serde_json::to_string(&p1).unwrap(),
        serde_json::to_string(&p2).unwrap()
    );
    assert_eq!(
        read_theirs("glued.json", glued.as_bytes())
            .unwrap()
            .points
            .len(),
        10
    );
}

#[test]
fn bare_points_one_per_line() {
    let text = "{\"start\":1790838000,\"end\":1790924400,\"country\":\"BR\",\"pricing_type\":\"REGULAR\",\"pricing_category\":\"MARKETING\",\"volume\":3,\"cost\":0.9375}\n\
                {\"start\":1790838000,\"end\":1790924400,\"country\":\"BR\",\"pricing_type\":\"FREE_CUSTOMER_SERVICE\",\"pricing_category\":\"SERVICE\",\"volume\":9,\"cost\":0}\n";
    let r = read_theirs("points.jsonl", text.as_bytes()).unwrap();
    assert_eq!(r.points.len(), 2);
    assert_eq!(r.points[0].cost, Some(d("0.9375")));
    assert_eq!(
        r.points[1].pricing_type.as_deref(),
        Some("free_customer_service")
    );
}

#[test]
fn meta_documented_example_with_marketing_lite() {
    // Shape and values of Meta's "Pricing analytics" example response (Analytics page).
    let text = r#"{"pricing_analytics":{"data":[{"data_points":[
        {"start":1749106800,"end":1749193200,"country":"IN","tier":"0:750000","pricing_type":"REGULAR","pricing_category":"AUTHENTICATION_INTERNATIONAL","volume":2,"cost":4.6},
        {"start":1748761200,"end":1748847600,"country":"US","tier":"0:MAX","pricing_type":"REGULAR","pricing_category":"MARKETING_LITE","volume":1,"cost":10},
        {"start":1748761200,"end":1748847600,"country":"US","pricing_type":"REGULAR","pricing_category":"REFERRAL_CONVERSION","volume":1,"cost":0}
    ]}]}}"#;
    let r = read_theirs("meta.json", text.as_bytes()).unwrap();
    assert_eq!(
        r.points[0].category,
        Some(Category::AuthenticationInternational)
    );
    assert_eq!(r.points[0].cost, Some(d("4.6")));
    assert_eq!(r.points[1].category, None);
    assert_eq!(r.points[1].category_raw, "MARKETING_LITE");
    assert_eq!(r.points[1].cost, Some(d("10")));
    assert_eq!(r.points[2].category, None);
    assert_eq!(r.points[2].category_raw, "REFERRAL_CONVERSION");
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    // Kept without a category here: the engine counts it as marketing under
    // per-message pricing (its date decides the era).
    assert!(r.warnings[0].contains("MARKETING_LITE") && r.warnings[0].contains("as marketing"));
    assert!(r.warnings[1].contains("REFERRAL_CONVERSION"));
}

#[test]
fn missing_cost_and_volume_are_reported_not_invented() {
    let text = r#"{"data":[{"data_points":[
        {"start":1790838000,"end":1790924400,"country":"BR","pricing_type":"REGULAR","pricing_category":"UTILITY","volume":4},
        {"start":1790924400,"end":1791010800,"country":"BR","pricing_type":"REGULAR","pricing_category":"UTILITY","volume":5},
        {"start":1790924400,"end":1791010800,"country":"BR","pricing_type":"REGULAR","pricing_category":"UTILITY","cost":0.5}
    ]}]}"#;
    let r = read_theirs("partner.json", text.as_bytes()).unwrap();
    assert_eq!(r.points[0].cost, None);
    assert_eq!(r.points[2].volume, 0);
    let w = r.warnings.join("\n");
    assert!(
        w.contains("Solution Partner") && w.contains("2 times"),
        "{w}"
    );
    assert!(w.contains("without `volume`"), "{w}");
}

#[test]
fn numbers_in_other_spellings() {
    let text = r#"{"pricing_analytics":{"data":[{"data_points":[
        {"start":"1790838000","end":"2026-10-02T07:00:00+0000","country":"BR","pricing_type":"REGULAR","pricing_category":"utility","volume":"7","cost":"0.0475"},
        {"start":1790838000.0,"end":1790924400,"country":"BR","pricing_type":"REGULAR","pricing_category":"Authentication","volume":2.0,"cost":1e-7}
    ]}]}}"#;
    let r = read_theirs("odd.json", text.as_bytes()).unwrap();
    assert_eq!(r.points[0].end, Some(1_790_924_400));
    assert_eq!(r.points[0].start, Some(OCT1));
    assert_eq!(r.points[0].volume, 7);
    assert_eq!(r.points[0].cost, Some(d("0.0475")));
    assert_eq!(r.points[1].start, Some(OCT1));
    assert_eq!(r.points[1].volume, 2);
    assert_eq!(r.points[1].cost, Some(d("0.0000001")));
    assert_eq!(r.points[1].category, Some(Category::Authentication));
}

#[test]
fn curl_dash_i_output_is_accepted() {
    let mut bytes = b"HTTP/2 200 \r\ncontent-type: application/json; charset=UTF-8\r\nx-fb-trace-id: Abc\r\n\r\n".to_vec();
    bytes.extend(fixture("pricing_analytics.json"));
    let r = read_theirs("curl.txt", &bytes).unwrap();
    assert_eq!(r.points.len(), 10);
    assert!(r.warnings[0].contains("HTTP headers"));
}

#[test]
fn bom_and_leading_whitespace_before_json() {
    let mut bytes = b"\xEF\xBB\xBF \n".to_vec();
    bytes.extend(fixture("pricing_analytics.json"));
    assert_eq!(read_theirs("bom.json", &bytes).unwrap().points.len(), 10);
}

#[test]
fn page_without_analytics_is_a_warning() {
    let r = read_theirs("empty.json", br#"{"currency":"USD","id":"1"}"#).unwrap();
    assert!(r.points.is_empty());
    assert_eq!(r.currency.as_deref(), Some("USD"));
    assert!(r.warnings.iter().any(|w| w.contains("no data")));
}

// ---- conversation_analytics

#[test]
fn conversation_analytics_cbp() {
    let r = read("conversation_analytics.json");
    assert_eq!(r.points.len(), 6);
    assert_eq!(r.currency, None);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert!(r
        .points
        .iter()
        .all(|p| p.source == Source::ConversationAnalytics
            && p.start == Some(1_740_816_000)
            && p.end == Some(1_743_490_800)));
    let m = &r.points[0];
    assert_eq!(
        (m.category, m.volume, m.cost),
        (Some(Category::Marketing), 2000, Some(d("125")))
    );
    assert_eq!(m.pricing_type.as_deref(), Some("regular"));
    assert_eq!(r.points[2].cost.unwrap().to_string(), "9.45");
    assert_eq!(r.points[3].pricing_type.as_deref(), Some("free_tier"));
    assert_eq!(
        r.points[4].pricing_type.as_deref(),
        Some("free_entry_point")
    );
    assert_eq!(r.points[4].category, Some(Category::Service));
    assert_eq!(r.points[5].country.as_deref(), Some("US"));
}

#[test]
fn conversation_edge_response_without_wrapper() {
    // Meta's "conversation type breakdowns" example: edge form, no field key.
    let text = r#"{"data":[{"data_points":[
        {"start":1643702400,"end":1646121600,"conversation":8500,"conversation_type":"REGULAR","cost":88.1010},
        {"start":1643702400,"end":1646121600,"conversation":1000,"conversation_type":"FREE_TIER","cost":0.0000},
        {"start":1643702400,"end":1646121600,"conversation":250,"conversation_type":"FREE_ENTRY","cost":0.0000}
    ]}]}"#;
    let r = read_theirs("cbp.json", text.as_bytes()).unwrap();
    assert!(r
        .points
        .iter()
        .all(|p| p.source == Source::ConversationAnalytics));
    assert_eq!(r.points[0].cost, Some(d("88.101")));
    assert_eq!(
        r.points[2].pricing_type.as_deref(),
        Some("free_entry_point")
    );
    assert_eq!(r.points[0].category, None);
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("CONVERSATION_CATEGORY")));
}

#[test]
fn cost_only_point_takes_its_kind_from_siblings() {
    let text = r#"{"data":[{"data_points":[
        {"start":1,"end":2,"country":"BR","pricing_category":"MARKETING","volume":1,"cost":0.1},
        {"start":1,"end":2,"cost":0.2}
    ]}]}"#;
    let r = read_theirs("x.json", text.as_bytes()).unwrap();
    assert_eq!(r.points[1].source, Source::PricingAnalytics);
}

// ---- JSON errors

#[test]
fn truncated_json_names_the_byte() {
    let bytes = fixture("bad_truncated.json");
    let (e, s) = err("bad_truncated.json", &bytes);
    match e {
        TheirError::TruncatedJson {
            offset,
            doc_start,
            line,
            ..
        } => {
            assert_eq!(offset, bytes.len() as u64);
            assert_eq!(doc_start, 0);
            assert!(line > 50);
        }
        other => panic!("{other:?}"),
    }
    assert!(s.starts_with("bad_truncated.json: "), "{s}");
    assert!(
        s.contains(&format!("byte {}", bytes.len())) && s.contains("truncated"),
        "{s}"
    );
}

#[test]
fn truncated_second_page_points_at_that_page() {
    let mut bytes = fixture("pricing_analytics.json");
    let first_len = bytes.len();
    bytes.extend_from_slice(br#"{"data":[{"data_points":[{"start":1,"#);
    let (e, _) = err("pages.json", &bytes);
    assert!(
        matches!(e, TheirError::TruncatedJson { doc_start, .. } if doc_start == first_len as u64),
        "{e:?}"
    );
}

#[test]
fn bad_json_syntax_names_the_position() {
    let text = b"{\"data\":[]},\n{\"data\":[]}";
    let (e, s) = err("comma.json", text);
    assert!(
        matches!(
            e,
            TheirError::BadJson {
                offset: 11,
                line: 1,
                column: 12,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(s.contains("byte 11"), "{s}");
    let (e, _) = err("x.json", b"volume,cost\n1,2\n");
    assert!(matches!(e, TheirError::BadJson { offset: 0, .. }), "{e:?}");
}

#[test]
fn graph_error_object() {
    let text = br#"{"error":{"message":"(#100) Tried accessing nonexisting field (pricing_analytics)","type":"OAuthException","code":100,"fbtrace_id":"A1"}}"#;
    let (e, s) = err("err.json", text);
    assert!(matches!(e, TheirError::GraphApi { .. }));
    assert!(
        s.contains("nonexisting field") && s.contains("code 100"),
        "{s}"
    );
}

#[test]
fn bad_point_field_names_path_field_and_value() {
    let text = br#"{"pricing_analytics":{"data":[{"data_points":[
        {"start":1,"end":2,"country":"BR","pricing_category":"MARKETING","volume":1,"cost":0.1},
        {"start":1,"end":2,"country":"BR","pricing_category":"MARKETING","volume":-3,"cost":0.1}
    ]}]}}"#;
    let (e, s) = err("bad.json", text);
    match &e {
        TheirError::JsonField {
            at, field, value, ..
        } => {
            assert_eq!(
                at,
                "JSON document 1 (byte 0), pricing_analytics, data[0], data_points[1]"
            );
            assert_eq!((field.as_str(), value.as_str()), ("volume", "-3"));
        }
        other => panic!("{other:?}"),
    }
    assert!(s.contains("whole number"), "{s}");

    let (_, s) = err(
        "bad.json",
        br#"{"data":[{"data_points":[{"pricing_category":"UTILITY","volume":1,"cost":"abc"}]}]}"#,
    );
    assert!(s.contains("field `cost` = \"abc\""), "{s}");
    let (_, s) = err(
        "bad.json",
        br#"{"data":[{"data_points":[{"pricing_category":"UTILITY","volume":1,"start":true}]}]}"#,
    );
    assert!(
        s.contains("field `start` = true") && s.contains("Unix seconds"),
        "{s}"
    );
}

#[test]
fn wrong_kinds_of_json_are_explained() {
    let (_, s) = err(
        "wh.json",
        br#"{"object":"whatsapp_business_account","entry":[]}"#,
    );
    assert!(s.contains("webhook"), "{s}");
    let (_, s) = err("a.json", br#"{"analytics":{"data_points":[]},"id":"1"}"#);
    assert!(s.contains("pricing_analytics"), "{s}");
    let (_, s) = err(
        "a.json",
        br#"{"data":[{"data_points":[{"start":1,"end":2,"sent":5,"delivered":4}]}]}"#,
    );
    assert!(s.contains("no cost"), "{s}");
    let (_, s) = err(
        "m.json",
        br#"{"data":[{"data_points":[{"volume":1,"conversation":1}]}]}"#,
    );
    assert!(s.contains("mixes"), "{s}");
    let (_, s) = err("m.json", br#"{"conversation_analytics":{"data":[{"data_points":[{"volume":1,"pricing_category":"UTILITY"}]}]}}"#);
    assert!(
        s.contains("pricing_analytics data point inside a conversation_analytics"),
        "{s}"
    );
    let (_, s) = err(
        "t.json",
        br#"{"data":[{"granularity":"DAILY","data_points":[{"template_id":"1","start":1,"end":2,"sent":1,"cost":[]}]}]}"#,
    );
    assert!(s.contains("template_analytics"), "{s}");
    let (_, s) = err("m.json", br#"{"foo":1}"#);
    assert!(s.contains("found keys foo"), "{s}");
    let (_, s) = err("m.json", b"[1]");
    assert!(s.contains("[0]") && s.contains("a number"), "{s}");
}

#[test]
fn conflicting_currencies_between_pages() {
    let text = br#"{"currency":"BRL","data":[]} {"currency":"USD","data":[]}"#;
    let (e, _) = err("c.json", text);
    assert!(matches!(e, TheirError::MixedCurrency { .. }), "{e:?}");
}

#[test]
fn empty_file() {
    assert!(matches!(
        read_theirs("e.csv", b"  \n").unwrap_err(),
        TheirError::Empty { .. }
    ));
    assert!(matches!(
        read_theirs("e.csv", b"").unwrap_err(),
        TheirError::Empty { .. }
    ));
}
