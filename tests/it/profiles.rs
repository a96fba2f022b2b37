//! Provider exports read through profiles (`--profile`, detected from the
//! header), `--map` files, the built-in Portuguese and Spanish words, and
//! the assumptions a file without a type or category needs (issue 15).
//! Fixtures: `tests/fixtures/profiles/`, each written from the provider's
//! documented shape (`profiles/<name>.toml` names the source). Figures from
//! the bundled USD card of 2026-10-01, Brazil: marketing 0.0625, utility and
//! authentication 0.0068; a service (non-template) message inside the
//! customer service window is free ("Messages sent within a customer
//! service window are free", Meta, Pricing on the WhatsApp Business
//! Platform), and Meta "only charge[s] for delivered messages".

use crate::common::{count, counts, estimate_json, run, total, wacost_in, Run};
use serde_json::Value;

/// `estimate FILE --format json` in the fixtures directory, with `args`.
fn est(file: &str, args: &[&str]) -> Run {
    let mut all = vec![file];
    all.extend(args);
    estimate_json("profiles", &all)
}

/// A provider's fixture read twice, detected from its header and named
/// with `--profile`: the same figures, and the profile said on stderr.
fn provider(name: &str) -> (Value, String) {
    let file = format!("{name}.csv");
    let detected = est(&file, &[]);
    assert_eq!(detected.code, 0, "stderr: {}", detected.stderr);
    let said = format!("{file}: read with profile {name} (detected from its header");
    assert!(detected.stderr.contains(&said), "{}", detected.stderr);
    assert!(
        !detected.stderr.contains("not read:"),
        "{}",
        detected.stderr
    );
    let given = est(&file, &["--profile", name]);
    assert_eq!(given.code, 0, "stderr: {}", given.stderr);
    assert!(given.stderr.contains("(--profile)"), "{}", given.stderr);
    assert_eq!(detected.json(), given.json());
    (given.json(), given.stderr)
}

fn assumed(v: &Value, kind: &str) -> u64 {
    v["assumptions"][kind].as_u64().unwrap_or(0)
}

/// counts as (rows, inbound, outbound, billable, free, failed, rejected).
type Counts = (u64, u64, u64, u64, u64, u64, u64);

fn check(v: &Value, want_total: &str, want: Counts) {
    assert_eq!(total(v), want_total, "{v}");
    assert_eq!(counts(v), want, "{v}");
}

#[test]
fn twilio_message_log() {
    // Twilio: direction is "inbound, outbound-api, outbound-call,
    // outbound-reply"; `from`/`to` carry `whatsapp:+...`; status
    // `undelivered` (twilio.com/docs/sms/api/message-resource). The reply
    // is inside the window; the outbound-api message names no template:
    // priced as a service message, and counted as an assumption.
    let (v, err) = provider("twilio");
    check(&v, "0.0000", (4, 1, 3, 0, 2, 1, 0));
    assert_eq!(assumed(&v, "type_missing"), 3);
    assert!(
        err.contains("twilio.csv:3: an outbound row without a type or category"),
        "{err}"
    );
}

#[test]
fn gupshup_v2_events() {
    // Gupshup v2 `message-event`: payload.type sent|delivered|read|failed,
    // payload.destination, payload.pricing.category; inbound `message` with
    // payload.sender.phone (partner-docs.gupshup.io/docs/bsuid). Rows of
    // one payload.id are one message.
    let (v, _) = provider("gupshup");
    check(&v, "0.0625", (6, 1, 3, 1, 1, 1, 0));
    assert_eq!(count(&v, "status_updates"), 2);
}

#[test]
fn gupshup_console_report() {
    // The console report's words (issue 15): `Sent Time`, MT (sent by the
    // business) and MO (sent by the user); chosen with --profile.
    let r = est("gupshup_report.csv", &["--profile", "gupshup"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    check(&r.json(), "0.0625", (4, 1, 3, 1, 1, 1, 0));
    let plain = est("gupshup_report.csv", &[]);
    assert_eq!(plain.code, 2, "{}", plain.stderr);
}

#[test]
fn threesixty_dialog_statuses() {
    // Meta's statuses[] as 360dialog forwards them: recipient_id, status,
    // pricing.category (Cloud API webhooks).
    let (v, _) = provider("360dialog");
    check(&v, "0.0693", (3, 0, 3, 2, 0, 1, 0));
}

#[test]
fn infobip_delivery_reports() {
    // Infobip delivery reports: status.groupName DELIVERED, UNDELIVERABLE,
    // PENDING; no category in these payloads (reference, section 1). A
    // PENDING message in a log with delivery evidence was not delivered.
    let (v, _) = provider("infobip");
    check(&v, "0.0000", (3, 0, 3, 0, 1, 1, 0));
    assert_eq!(count(&v, "undelivered"), 1);
    assert_eq!(assumed(&v, "type_missing"), 3);
}

#[test]
fn zenvia_message_events() {
    // Zenvia v2: message.direction IN|OUT, status code NOT_DELIVERED
    // (zenvia-openapi-spec events). Templates carry no category.
    let (v, _) = provider("zenvia");
    check(&v, "0.0625", (4, 1, 3, 1, 1, 1, 0));
    assert_eq!(assumed(&v, "category_missing"), 2);
}

#[test]
fn blip_notifications() {
    // Blip notifications: Event accepted, received, consumed, failed;
    // #wa.conversation.origin.type "marketing" (help.blip.ai 35646894879639).
    let (v, _) = provider("blip");
    check(&v, "0.0693", (7, 0, 3, 2, 0, 1, 0));
    assert_eq!(count(&v, "status_updates"), 4);
}

#[test]
fn wati_template_events() {
    // WATI templateMessageSent_v2: waId, templateName, statusString; no
    // direction column (docs.wati.io track-template-messages-using-webhooks):
    // every row a template sent, without a category: priced as marketing.
    let (v, err) = provider("wati");
    check(&v, "0.1250", (3, 0, 3, 2, 0, 1, 0));
    assert_eq!(assumed(&v, "category_missing"), 3);
    assert!(
        err.contains("wati.csv:2: a template without a category: priced as marketing"),
        "{err}"
    );
}

#[test]
fn chatwoot_messages() {
    // Chatwoot: message_type 0 incoming, 1 outgoing, 2 activity, 3 template;
    // created_at epoch; status sent|delivered|read|failed
    // (api-evangelist/chatwoot json-schema/message.json).
    let (v, _) = provider("chatwoot");
    check(&v, "0.0625", (5, 2, 3, 1, 1, 1, 0));
    assert_eq!(assumed(&v, "category_missing"), 2);
}

#[test]
fn respondio_messages() {
    // respond.io: Traffic "received or sent", ChannelMessageID
    // (docs.respond.io/developer-api).
    let (v, _) = provider("respondio");
    check(&v, "0.0625", (3, 1, 2, 1, 1, 0, 0));
}

#[test]
fn vonage_status_callbacks() {
    // Vonage: message_uuid, to, status, whatsapp.pricing.category
    // (api.support.vonage.com 26937692681244).
    let (v, _) = provider("vonage");
    check(&v, "0.0693", (3, 0, 3, 2, 0, 1, 0));
}

#[test]
fn ycloud_message_updates() {
    // YCloud whatsapp.message.updated: whatsappMessage {wamid, to, type,
    // status, pricingCategory} (docs.ycloud.com webhook reference). Its
    // `totalPrice` is the final charge (docs.ycloud.com max-price
    // integration guide: "Obtain the final charge through message status
    // webhooks"), in `currency`: the cost (issue 14); the card's rates,
    // 0.0625 + 0.0068 = 0.0693, stay beside it in `card_cost`.
    let (v, _) = provider("ycloud");
    check(&v, "0.0780", (3, 0, 3, 2, 0, 1, 0));
    assert!(
        v["assumptions"].get("price_currency_assumed").is_none(),
        "{v}"
    );
    let mut c = wacost_in("profiles");
    c.args(["estimate", "ycloud.csv", "--detail", "--format", "csv"]);
    let d = run(c).stdout;
    let card = crate::common::detail_column(&d, "card_cost");
    assert_eq!(card, ["0.0625", "0.0068", ""], "{d}");
    assert_eq!(
        assumed(&v, "type_missing") + assumed(&v, "category_missing"),
        0
    );
}

#[test]
fn kaleyra_tabular_report() {
    // Kaleyra: "MESSAGE_DIRECTION ... If the value is True, it indicates the
    // incoming message. If the value is False, it indicates the outgoing
    // message."; FORMAT Template/Text; REASON_FOR_FAILURE
    // (developers.kaleyra.io/docs/whatsapp-tabular-report).
    let (v, _) = provider("kaleyra");
    check(&v, "0.0625", (4, 1, 3, 1, 1, 1, 0));
    assert_eq!(assumed(&v, "category_missing"), 2);
}

#[test]
fn portuguese_headers_and_words() {
    // Data;Direção;Telefone;Tipo;Categoria;Situação;Modelo: recebida/enviada/
    // saída, modelo = template, utilidade, entregue/lida/falhou.
    let r = est("portugues.csv", &["--tz", "America/Sao_Paulo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    check(&v, "0.0693", (5, 1, 4, 2, 1, 1, 0));
    assert!(
        r.stderr.contains("column not read: \"mensagem\""),
        "{}",
        r.stderr
    );
}

#[test]
fn spanish_headers_and_words() {
    // Fecha,Dirección,Teléfono,Tipo,Categoría,Estado: entrante/saliente,
    // plantilla, autenticación, utilidad, entregado/leído/fallido.
    let r = est("espanol.csv", &["--tz", "America/Sao_Paulo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    check(&r.json(), "0.0693", (5, 1, 4, 2, 1, 1, 0));
}

#[test]
fn a_blast_without_category_is_counted_never_free() {
    // tipo=modelo and no category column: each template priced as
    // marketing, counted, and --strict fails on it (the JSON and the table
    // show the kind).
    let r = est("disparo_sem_categoria.csv", &["--tz", "America/Sao_Paulo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    check(&v, "0.1875", (3, 0, 3, 3, 0, 0, 0));
    assert_eq!(assumed(&v, "category_missing"), 3);
    let mut c = wacost_in("profiles");
    c.args(["estimate", "disparo_sem_categoria.csv", "--format", "table"]);
    let t = run(c);
    assert!(
        t.stdout.contains("Assumed: 3 templates without a category"),
        "{}",
        t.stdout
    );
}

#[test]
fn a_map_names_columns_words_in_any_language_and_constants() {
    let r = est(
        "campanha.csv",
        &["--map", "campanha.toml", "--tz", "America/Sao_Paulo"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    check(&r.json(), "0.0693", (3, 0, 3, 2, 0, 1, 0));
    assert!(
        r.stderr.contains("read with the map campanha.toml (--map)"),
        "{}",
        r.stderr
    );
}

#[test]
fn every_missing_column_at_once_with_a_map_to_paste() {
    let r = est("campanha.csv", &["--tz", "America/Sao_Paulo"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    for name in ["timestamp", "direction", "contact"] {
        let want = format!("missing required column \"{name}\"");
        assert!(r.stderr.contains(&want), "{}", r.stderr);
    }
    assert!(
        r.stderr
            .contains("\"hora_do_disparo\", \"whatsapp_do_cliente\""),
        "{}",
        r.stderr
    );
    // The snippet, pasted as it is, reads the file.
    let snippet: String = r
        .stderr
        .lines()
        .skip_while(|l| !l.contains("A map to start from:"))
        .skip(1)
        .filter(|l| l.starts_with("    "))
        .map(|l| format!("{}\n", l.trim()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    std::fs::write(&map, &snippet).unwrap();
    let pasted = est("campanha.csv", &["--map", map.to_str().unwrap()]);
    assert_eq!(pasted.code, 0, "{snippet}\n{}", pasted.stderr);
    assert_eq!(counts(&pasted.json()).2, 3, "{snippet}");
}

#[test]
fn an_unknown_profile_or_a_bad_map_is_a_usage_error() {
    let r = est("twilio.csv", &["--profile", "acme"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("kaleyra"), "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("bad.toml");
    std::fs::write(&map, "[values.direction]\nsideways = [\"x\"]\n").unwrap();
    let r = est("twilio.csv", &["--map", map.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("sideways"), "{}", r.stderr);
}

#[test]
fn twilio_bulkexport_json_lines() {
    // Twilio BulkExport Day files: JSON Lines of flat Message records,
    // "similar to the Message resource", price not on every message
    // (twilio.com/docs/usage/bulkexport/day). Same messages as twilio.csv:
    // detected from content and the twilio profile from the keys.
    let r = est("twilio_bulkexport.jsonl", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let said = "twilio_bulkexport.jsonl: read with profile twilio (detected";
    assert!(r.stderr.contains(said), "{}", r.stderr);
    assert!(!r.stderr.contains("not read:"), "{}", r.stderr);
    let v = r.json();
    check(&v, "0.0000", (4, 1, 3, 0, 2, 1, 0));
    assert_eq!(assumed(&v, "type_missing"), 3);
    let named = "twilio_bulkexport.jsonl:3: an outbound row without a type or category";
    assert!(r.stderr.contains(named), "{}", r.stderr);
    let given = est("twilio_bulkexport.jsonl", &["--input", "records"]);
    assert_eq!(given.code, 0, "{}", given.stderr);
    assert_eq!(given.json(), v);
}

#[test]
fn a_bulkexport_line_that_is_not_json_is_rejected_on_its_own_line() {
    let src = crate::common::fixtures("profiles").join("twilio_bulkexport.jsonl");
    let text = std::fs::read_to_string(src).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(2, "{\"sid\": truncated");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("day.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let mut c = crate::common::wacost();
    c.args(["estimate", path.to_str().unwrap(), "--format", "json"]);
    let r = run(c);
    let v = r.json();
    assert_eq!(counts(&v).6, 1, "{v}");
    assert!(r.stderr.contains("day.jsonl:3"), "{}", r.stderr);
    let named = "day.jsonl:4: an outbound row without a type or category";
    assert!(r.stderr.contains(named), "{}", r.stderr);
}
