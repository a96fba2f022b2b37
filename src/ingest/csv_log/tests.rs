//! Unit tests of the CSV log reader.

use super::*;
use crate::ingest::toolkit::header::normalise as norm;
use crate::model::time::Zone;

fn read_str(text: &str) -> (Vec<Message>, Vec<Rejected>, Inputs) {
    read_into(text, Inputs::new(Zone::parse("America/Sao_Paulo").unwrap()))
}

/// Reads `text` as the file `t.csv` with `inputs` as prepared.
fn read_into(text: &str, mut inputs: Inputs) -> (Vec<Message>, Vec<Rejected>, Inputs) {
    let (mut msgs, mut rej) = (Vec::new(), Vec::new());
    read(
        Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
        "t.csv",
        0,
        &mut inputs,
        &mut |m| msgs.push(m),
        &mut |r| rej.push(r),
    )
    .unwrap();
    (msgs, rej, inputs)
}

#[test]
fn reads_brazilian_spreadsheet_exports() {
    // Portuguese headers are built in.
    let text = "\u{feff}Data;Dir;Telefone Cliente;Tipo;Categoria\r\n";
    let lay = layout(
        &text.split(';').map(norm).collect::<Vec<_>>(),
        "x.csv",
        None,
    )
    .unwrap();
    assert_eq!(lay.col[..5], [Some(0), Some(1), Some(2), Some(3), Some(4)]);
    let text = "\u{feff}Timestamp;Direction;Phone;Type;Category\r\n2026-10-01 09:00:00;in;+55 (11) 98765-4321;text;\r\n2026-10-01 09:05:00;out;+55 (11) 98765-4321;template;UTILITY\r\n";
    let (m, r, _) = read_str(text);
    assert!(r.is_empty(), "{r:?}");
    assert_eq!(m.len(), 2);
    assert_eq!(m[1].category(), Some(Category::Utility));
    assert_eq!(m[0].line, 2);
    // 09:00 in Sao Paulo is 12:00 UTC.
    assert_eq!(m[0].ts() % 86_400, 12 * 3600);
}

#[test]
fn bad_rows_are_rejected_with_field_and_reason() {
    let text = "timestamp,direction,contact,type,category\n\
2026-10-01T10:00:00Z,sideways,5511987654321,text,\n\
2026-10-01T10:00:00Z,out,5511987654321,template,\n\
2026-10-01T10:00:00Z,out,5511987654321,template,promo\n\
2026-13-01T10:00:00Z,out,5511987654321,text,\n\
2026-10-01T10:00:00Z,out,12345,text,\n\
2026-10-01T10:00:00Z,out\n\
2026-10-01T10:00:00Z,out,5511987654321,text,\n";
    let (m, r, inputs) = read_str(text);
    assert_eq!(m.len(), 1);
    assert_eq!(inputs.rows, 7);
    let fields: Vec<_> = r.iter().map(|x| x.field.clone()).collect();
    assert_eq!(
        fields,
        vec![
            Some("direction".into()),
            Some("category".into()),
            Some("category".into()),
            Some("timestamp".into()),
            Some("contact".into()),
            None
        ]
    );
    assert_eq!(r[0].line, 2);
    assert!(r[2].reason.contains("promo"));
    assert!(!r.iter().any(|x| x.reason.contains("5511987654321")));
}

#[test]
fn reasons_never_quote_a_number_or_a_huge_value() {
    let huge = "m".repeat(100_000);
    let text = format!(
        "timestamp,direction,contact,type,category\n\
+55 11 91234-5678,out,5511987654321,template,marketing\n\
5511912345678,out,5511987654321,template,marketing\n\
2026-10-01T10:00:00Z,+55 (11) 91234-5678,5511987654321,template,marketing\n\
2026-10-01T10:00:00Z,out,5511987654321,template,+55/11/91234/5678\n\
2026-10-01T10:00:00Z,out,+55 11 91234-5678 x,template,marketing\n\
2026-10-01T10:00:00Z,out,5511987654321,template,{huge}\n"
    );
    let (m, r, _) = read_str(&text);
    assert!(m.is_empty());
    let fields: Vec<_> = r.iter().map(|x| x.field.as_deref()).collect();
    assert_eq!(
        fields,
        [
            Some("timestamp"),
            Some("timestamp"),
            Some("direction"),
            Some("category"),
            Some("contact"),
            Some("category")
        ]
    );
    for x in &r {
        let digits: String = x.reason.chars().filter(char::is_ascii_digit).collect();
        assert!(!digits.contains("12345678"), "{}", x.reason);
        assert!(x.reason.len() < 300, "{} bytes", x.reason.len());
    }
    assert!(r[5].reason.contains("(100000 bytes)"), "{}", r[5].reason);
}

#[test]
fn missing_column_error_does_not_quote_a_data_row() {
    let mut inputs = Inputs::new(Zone::parse("UTC").unwrap());
    let row: Vec<String> = (0..40).map(|i| format!("+55 11 91234-56{i:02}")).collect();
    let e = read(
        Box::new(std::io::Cursor::new(
            format!("{}\n", row.join(",")).into_bytes(),
        )),
        "t.csv",
        0,
        &mut inputs,
        &mut |_| {},
        &mut |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(!e.contains("91234"), "{e}");
    assert!(e.contains("… and 28 more"), "{e}");
}

const HEAD: &str = "timestamp,direction,contact,type,category,template\n";

fn out_row(minute: u32, category: &str, template: &str) -> String {
    format!("2026-10-05T10:{minute:02}:00-03:00,outbound,+55 11 91234-5678,template,{category},{template}\n")
}

#[test]
fn unterminated_quote_rejects_its_row_and_reads_the_rest_again() {
    let text = format!(
        "{HEAD}{}{}{}",
        out_row(0, "marketing", "\"promo_outubro"),
        out_row(1, "utility", "pedido_enviado"),
        out_row(2, "utility", "pedido_entregue"),
    );
    for text in [text.clone(), text.replace('\n', "\r\n")] {
        let (m, r, inputs) = read_str(&text);
        assert_eq!(inputs.rows, 3, "{r:?}");
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].line, 2);
        assert_eq!(r[0].field.as_deref(), Some("template"));
        assert!(
            r[0].reason.contains("unterminated quote"),
            "{}",
            r[0].reason
        );
        assert!(r[0].reason.contains("line 2"), "{}", r[0].reason);
        assert!(
            r[0].reason
                .contains("never closed; row rejected, the lines after line 2 are read again"),
            "{}",
            r[0].reason
        );
        let lines: Vec<u64> = m.iter().map(|m| u64::from(m.line)).collect();
        assert_eq!(lines, [3, 4]);
        assert!(m.iter().all(|m| m.category() == Some(Category::Utility)));
    }
}

#[test]
fn unterminated_quote_in_a_middle_column_and_again_later() {
    let text = format!(
        "{HEAD}{}{}{}\n\n{}{}",
        out_row(0, "\"marketing", "promo"),
        out_row(1, "utility", "a"),
        out_row(2, "utility", "\"b").trim_end(),
        out_row(3, "utility", "c"),
        out_row(4, "utility", "d"),
    );
    let (m, r, inputs) = read_str(&text);
    assert_eq!(inputs.rows, 5, "{r:?}");
    let rej: Vec<(u64, Option<&str>)> = r.iter().map(|r| (r.line, r.field.as_deref())).collect();
    assert_eq!(rej, [(2, Some("category")), (4, Some("template"))]);
    let lines: Vec<u64> = m.iter().map(|m| u64::from(m.line)).collect();
    // Line 5 is blank: not a row.
    assert_eq!(lines, [3, 6, 7]);
}

#[test]
fn unterminated_quote_on_the_last_line() {
    let text = format!(
        "{HEAD}{}{}",
        out_row(0, "utility", "a"),
        out_row(1, "utility", "\"b")
    );
    for text in [text.clone(), text.trim_end().to_string()] {
        let (m, r, inputs) = read_str(&text);
        assert_eq!((m.len(), r.len(), inputs.rows), (1, 1, 2));
        assert_eq!(r[0].line, 3);
        assert!(r[0].reason.contains("never closed"), "{}", r[0].reason);
    }
}

#[test]
fn closed_quotes_at_the_end_of_the_file_are_fine() {
    for last in ["\"multi\nline\nname\"", "\"a\"\"b\"", "\"\"", "x\"y"] {
        let text = format!(
            "{HEAD}{}{}",
            out_row(0, "utility", "a"),
            out_row(1, "utility", last)
        );
        for text in [text.clone(), text.trim_end().to_string()] {
            let (m, r, _) = read_str(&text);
            assert!(r.is_empty(), "{last}: {r:?}");
            assert_eq!(m.len(), 2);
        }
    }
}

#[test]
fn unterminated_quote_after_many_rows() {
    // More than the 64 KiB kept between records.
    let mut text = HEAD.to_string();
    for i in 0..3000 {
        text.push_str(&out_row(i % 60, "utility", "pedido"));
    }
    text.push_str(&out_row(0, "utility", "\"x"));
    text.push_str(&out_row(1, "marketing", "y"));
    assert!(text.len() > 1 << 17);
    let (m, r, inputs) = read_str(&text);
    assert_eq!(inputs.rows, 3002);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].line, 3002);
    assert_eq!(m.last().map(|m| m.line), Some(3003));
    assert_eq!(
        m.last().and_then(|m| m.category()),
        Some(Category::Marketing)
    );
}

#[test]
fn a_quote_closed_lines_later_rejects_its_row_and_reads_the_rest_again() {
    // The quote opened on line 2 is closed by the stray one on line 4,
    // in the same column: the csv crate reads lines 2 to 4 as one row
    // of the right width, line 3 inside its template name.
    let text = format!(
        "{HEAD}{}{}{}{}",
        out_row(0, "marketing", "\"a"),
        out_row(1, "utility", "b"),
        out_row(2, "utility", "\"c"),
        out_row(3, "utility", "e"),
    );
    let (m, r, inputs) = read_str(&text);
    assert_eq!(inputs.rows, 4, "{r:?}");
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!((r[0].line, r[0].field.as_deref()), (2, Some("template")));
    assert_eq!(
        r[0].reason,
        "the quote opened in column 6 (\"template\") on line 2 is closed only on line 4, \
         and line 3 inside it reads as a row (a missing or stray quote?); row rejected, the \
         lines after line 2 are read again as rows"
    );
    // Read again, line 4's quote runs to the end: rejected in turn.
    assert_eq!(r[1].line, 4);
    assert!(
        r[1].reason.starts_with("unterminated quote"),
        "{}",
        r[1].reason
    );
    let lines: Vec<u64> = m.iter().map(|m| u64::from(m.line)).collect();
    assert_eq!(lines, [3, 5]);
    // Closed in another column, the row is too wide. Read again, line 4
    // is a row of 5 fields (`"utility,c"d` is one).
    let text = format!(
        "{HEAD}{}{}{}{}",
        out_row(0, "marketing", "\"a"),
        out_row(1, "utility", "b"),
        out_row(2, "\"utility", "c\"d"),
        out_row(3, "utility", "e"),
    );
    let (m, r, inputs) = read_str(&text);
    assert_eq!(inputs.rows, 4, "{r:?}");
    let rej: Vec<u64> = r.iter().map(|r| r.line).collect();
    assert_eq!(rej, [2, 4]);
    assert!(
        r[0].reason.starts_with(
            "row has 7 fields, the header has 6: the quote opened in column 6 (\"template\") \
             on line 2 is closed only on line 4 (a missing or stray quote?)"
        ),
        "{}",
        r[0].reason
    );
    let lines: Vec<u64> = m.iter().map(|m| u64::from(m.line)).collect();
    assert_eq!(lines, [3, 5]);
    // A quoted line break that swallows no row is kept.
    let text = format!(
        "{HEAD}{}{}",
        out_row(0, "utility", "\"a\nb, c\n2026-10-05\""),
        out_row(1, "utility", "c")
    );
    let (m, r, _) = read_str(&text);
    assert!(r.is_empty(), "{r:?}");
    assert_eq!(m.len(), 2);
}

#[test]
fn twilio_whatsapp_addresses_are_numbers() {
    let text = "timestamp,from,to,direction,type,category\n\
2026-10-01T10:00:00Z,whatsapp:+5511987654321,whatsapp:+14155238886,inbound,text,\n\
2026-10-01T10:01:00Z,whatsapp:+14155238886,whatsapp:+5511987654321,outbound,template,utility\n\
2026-10-01T10:02:00Z,whatsapp:+14155238886,WhatsApp:+55 11 98765-4321,outbound,template,utility\n";
    let (m, r, _) = read_str(text);
    assert!(r.is_empty(), "{r:?}");
    assert_eq!(m.len(), 3);
    assert!(m.iter().all(|m| m.contact().value() == 5511987654321));
    let text = "timestamp,direction,contact\n2026-10-01T10:00:00Z,in,whatsapp:+5511987654321\n";
    let (m, r, _) = read_str(text);
    assert!(r.is_empty(), "{r:?}");
    assert_eq!(m[0].contact().value(), 5511987654321);
}

#[test]
fn calls_reactions_and_system_rows_say_what_they_are() {
    let text = "timestamp,direction,contact,type,status\n\
2026-10-01T10:00:00Z,inbound,+5511987654321,call,\n\
2026-10-01T10:01:00Z,inbound,+5511987654321,Reação,\n\
2026-10-01T10:02:00Z,inbound,+5511987654321,system,\n\
2026-10-01T10:03:00Z,inbound,+5511987654321,text,\n\
2026-10-01T10:04:00Z,outbound,+5511987654321,call,\n";
    let (m, r, _) = read_str(text);
    let kinds: Vec<InboundKind> = m.iter().map(|m| m.inbound_kind()).collect();
    use InboundKind as K;
    assert_eq!(kinds, [K::Call, K::Reaction, K::System, K::Message]);
    assert_eq!(
        r.len(),
        1,
        "a call the business made is not a message: {r:?}"
    );
    assert!(r[0].reason.contains("Calling API"), "{r:?}");
}

#[test]
fn status_rows_and_a_delivered_at_column_are_delivery_evidence() {
    let text = "timestamp,direction,contact,type,category,status,delivered_at\n\
2026-10-01T10:00:00Z,outbound,+5511987654321,template,utility,enviado,\n\
2026-10-01T10:01:00Z,outbound,+5511987654321,template,utility,sent,2026-10-01T10:05:00Z\n\
2026-10-01T10:02:00Z,outbound,+5511987654321,template,utility,falhou,\n\
2026-10-01T10:03:00Z,outbound,+5511987654321,template,utility,warp,\n";
    let (m, r, inputs) = read_str(text);
    assert!(r.is_empty(), "{r:?}");
    let d: Vec<Delivery> = m.iter().map(|m| m.delivery()).collect();
    use Delivery as D;
    assert_eq!(d, [D::Sent, D::Delivered, D::Failed, D::Unknown]);
    assert_eq!(m[1].ts() - m[0].ts(), 300, "charged at its delivery");
    assert!(inputs.delivery_evidence);
    assert_eq!(inputs.assumptions.get("unknown_status_word"), Some(&1));
}

#[test]
fn from_and_to_columns_pick_the_customer() {
    let text = "time,from,to,direction\n2026-10-01T10:00:00Z,5511987654321,5511300000000,in\n2026-10-01T10:01:00Z,5511300000000,5511987654321,out\n";
    let (m, r, _) = read_str(text);
    assert!(r.is_empty(), "{r:?}");
    assert_eq!(m[0].contact(), m[1].contact());
}

#[test]
fn missing_column_names_the_aliases() {
    let mut inputs = Inputs::new(Zone::parse("UTC").unwrap());
    let e = read(
        Box::new(std::io::Cursor::new(b"timestamp,contact\n".to_vec())),
        "t.csv",
        0,
        &mut inputs,
        &mut |_| {},
        &mut |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("\"direction\"") && e.contains("dir"), "{e}");
}

/// `read_str` with a run's profile.
fn read_with(text: &str, profile: &str) -> (Vec<Message>, Vec<Rejected>, Inputs) {
    let mut inputs = Inputs::new(Zone::parse("UTC").unwrap());
    inputs.profile = Some(profile::Chosen {
        profile: Profile::parse(profile).unwrap(),
        origin: Origin::Map("m.toml".into()),
    });
    read_into(text, inputs)
}

#[test]
fn one_column_can_give_two_fields_their_words() {
    // Chatwoot's message_type: 0 incoming, 1 outgoing, 3 template.
    let map = "[columns]\ntimestamp = \"ts\"\ndirection = \"kind\"\ntype = \"kind\"\n\
[values.direction]\ninbound = [\"0\"]\noutbound = [\"1\", \"3\"]\n\
[values.type]\ntemplate = [\"3\"]\ntext = [\"0\", \"1\"]\n";
    let text = "ts,kind,contact,category\n\
2026-11-03T10:00:00Z,0,5511987654321,\n\
2026-11-03T10:05:00Z,1,5511987654321,\n\
2026-11-03T11:00:00Z,3,5521998765432,marketing\n";
    let (m, r, inputs) = read_with(text, map);
    assert!(r.is_empty(), "{r:?}");
    let dirs: Vec<_> = m.iter().map(|m| m.direction()).collect();
    assert_eq!(
        dirs,
        [Direction::Inbound, Direction::Outbound, Direction::Outbound]
    );
    assert_eq!(m[1].category(), None);
    assert_eq!(m[2].category(), Some(Category::Marketing));
    assert!(inputs
        .notes
        .iter()
        .any(|n| n.contains("read with the map m.toml")));
}

#[test]
fn a_constant_stands_for_a_missing_column() {
    let map = "[constants]\ndirection = \"outbound\"\ntype = \"template\"\n";
    let text = "timestamp,contact,category\n2026-11-03T11:00:00Z,5521998765432,utilidade\n";
    let (m, r, _) = read_with(text, map);
    assert!(r.is_empty(), "{r:?}");
    assert_eq!(m[0].direction(), Direction::Outbound);
    // The built-in Portuguese word under the map's words.
    assert_eq!(m[0].category(), Some(Category::Utility));
}

#[test]
fn rows_without_type_or_category_are_counted_not_silent() {
    let text = "timestamp,direction,contact,body\n\
2026-11-03T10:00:00Z,in,5511987654321,oi\n\
2026-11-03T10:05:00Z,out,5511987654321,ola\n\
2026-11-03T11:00:00Z,out,5521998765432,promo\n";
    let (m, _, inputs) = read_str(text);
    assert_eq!(m.len(), 3);
    assert_eq!(inputs.assumptions.get("type_missing"), Some(&2));
    assert!(inputs
        .notes
        .iter()
        .any(|n| n.contains(":3: an outbound row without a type")));
    assert!(inputs
        .notes
        .iter()
        .any(|n| n.contains("column not read: \"body\"")));
    // A category column without a type column: blank says non-template.
    let text = "timestamp,direction,contact,category\n2026-11-03T10:05:00Z,out,5511987654321,\n";
    let (_, _, inputs) = read_str(text);
    assert_eq!(inputs.assumptions.get("type_missing"), None);
    // A template in a file without a category column: marketing, counted.
    let text =
        "timestamp,direction,contact,tipo\n2026-11-03T10:05:00Z,enviada,5511987654321,modelo\n";
    let (m, r, inputs) = read_str(text);
    assert!(r.is_empty(), "{r:?}");
    assert_eq!(m[0].category(), Some(Category::Marketing));
    assert_eq!(inputs.assumptions.get("category_missing"), Some(&1));
}

#[test]
fn a_detected_profile_is_named() {
    let text = "MESSAGE_DIRECTION,WHATSAPP_ID,FROM,TO,FORMAT,CREATED_AT\n\
True,w1,5511987654321,5511900001111,Text,2026-11-03T10:00:00.000Z\n\
False,w2,5511900001111,5511987654321,Text,2026-11-03T10:05:00.000Z\n";
    let (m, r, inputs) = read_str(text);
    assert!(r.is_empty(), "{r:?}");
    assert_eq!(m[0].direction(), Direction::Inbound);
    assert_eq!(m[1].direction(), Direction::Outbound);
    assert!(
        inputs
            .notes
            .iter()
            .any(|n| n.contains("read with profile kaleyra (detected")),
        "{:?}",
        inputs.notes
    );
}

#[test]
fn delivered_at_is_read_in_the_files_date_order() {
    use crate::ingest::toolkit::timestamp::DateOrder;
    let text = "timestamp,direction,contact,type,category,status,delivered_at\n\
10/05/2026 10:00,outbound,+5511987654321,template,utility,sent,10/05/2026 10:05\n";
    let mut inputs = Inputs::new(Zone::parse("UTC").unwrap());
    inputs.last_date.order = Some(DateOrder::Mdy);
    let (m, r, _) = read_into(text, inputs);
    assert!(r.is_empty(), "{r:?}");
    // 5 October (month first), delivered five minutes after it was sent.
    let oct5 = chrono::NaiveDate::from_ymd_opt(2026, 10, 5).unwrap();
    let want = oct5.and_hms_opt(10, 5, 0).unwrap().and_utc().timestamp();
    assert_eq!(m[0].ts(), want);
}

#[test]
fn portuguese_and_spanish_status_words_are_built_in() {
    // profiles/builtin.toml [values.status]: accents, case and spelling as
    // exports write them.
    let rows = [
        ("Entregue", Delivery::Delivered),
        ("leído", Delivery::Delivered),
        ("Enviada", Delivery::Sent),
        ("falhou", Delivery::Failed),
        ("não entregue", Delivery::Failed),
        ("no-entregado", Delivery::Failed),
    ];
    let mut text = String::from("timestamp,direction,contact,type,category,status\n");
    for (i, (word, _)) in rows.iter().enumerate() {
        text +=
            &format!("2026-10-01T10:0{i}:00Z,outbound,+5511987654321,template,utility,{word}\n");
    }
    let (m, r, inputs) = read_str(&text);
    assert!(r.is_empty(), "{r:?}");
    let got: Vec<Delivery> = m.iter().map(|m| m.delivery()).collect();
    let want: Vec<Delivery> = rows.iter().map(|(_, d)| *d).collect();
    assert_eq!(got, want);
    assert!(!inputs.assumptions.contains_key("unknown_status_word"));
}
