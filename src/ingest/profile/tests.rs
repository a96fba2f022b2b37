//! Unit tests of reader profiles.

use super::*;

#[test]
fn every_bundled_profile_parses_under_its_own_name() {
    for (name, text) in BUNDLED {
        let p = Profile::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.name, *name);
        assert!(!p.detect.is_empty(), "{name}: no header signature");
        assert!(!p.source.is_empty(), "{name}: no source");
    }
    assert_eq!(bundled_all().len(), BUNDLED.len());
    assert!(Profile::parse(BUILTIN).is_ok());
}

#[test]
fn fields_are_the_csv_readers_columns() {
    let cols: Vec<&str> = crate::ingest::csv_log::COLUMNS
        .iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(&FIELDS[..cols.len()], cols.as_slice());
}

#[test]
fn names_are_forgiving() {
    assert_eq!(Profile::bundled("Respond.io").unwrap().name, "respondio");
    assert_eq!(Profile::bundled("360Dialog").unwrap().name, "360dialog");
    let e = Profile::bundled("acme").unwrap_err().to_string();
    assert!(e.contains("twilio") && e.contains("kaleyra"), "{e}");
}

#[test]
fn each_signature_detects_only_its_profile() {
    for p in bundled_all() {
        for sig in &p.detect {
            match detect(sig) {
                Detected::One(found) => assert_eq!(found.name, p.name, "{sig:?}"),
                other => panic!("{}: {sig:?} -> {other:?}", p.name),
            }
        }
    }
    let own: Vec<String> = [
        "timestamp",
        "direction",
        "contact",
        "type",
        "category",
        "status",
        "id",
    ]
    .map(String::from)
    .to_vec();
    assert!(matches!(detect(&own), Detected::None));
    let both: Vec<String> = [
        "account_sid",
        "date_sent",
        "message_direction",
        "whatsapp_id",
    ]
    .map(String::from)
    .to_vec();
    match detect(&both) {
        Detected::Ambiguous(names) => assert_eq!(names, ["twilio", "kaleyra"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn words_match_any_case_and_accents_without_folding_ascii() {
    let p = Profile::parse(
        "[values.direction]\noutbound = [\"Saída\", \"outbound-api\"]\ninbound = [\"entrada\"]\n",
    )
    .unwrap();
    let w = &p.values["direction"];
    assert_eq!(w.get("SAIDA"), Some("outbound"));
    assert_eq!(w.get(" saída "), Some("outbound"));
    assert_eq!(w.get("SAÍDA"), Some("outbound"));
    assert_eq!(w.get("Outbound-API"), Some("outbound"));
    assert_eq!(w.get("Entrada"), Some("inbound"));
    assert_eq!(w.get("outbound"), None);
    assert_eq!(w.get("saídas"), None);
    assert_eq!(w.get(""), None);
}

#[test]
fn a_map_with_a_bad_field_or_word_is_refused_with_the_known_ones() {
    let e = Profile::parse("[columns]\nfecha = \"x\"\n").unwrap_err();
    assert!(
        e.contains("unknown field") && e.contains("timestamp"),
        "{e}"
    );
    let e = Profile::parse("[values.direction]\nsideways = [\"x\"]\n").unwrap_err();
    assert!(e.contains("sideways"), "{e}");
    let e = Profile::parse("[values.category]\npromo = [\"x\"]\n").unwrap_err();
    assert!(e.contains("promo"), "{e}");
    let e = Profile::parse("colums = 1\n").unwrap_err();
    assert!(e.contains("colums"), "{e}");
    let p = Profile::parse("[columns]\n\"Data/Hora\" = \"x\"\n");
    assert!(p.is_err());
    let p = Profile::parse(
        "[columns]\ntimestamp = \"Data/Hora de Envio\"\n[constants]\ndirection = \"outbound\"\n",
    )
    .unwrap();
    assert_eq!(p.names_of("timestamp"), ["data_hora_de_envio"]);
    assert_eq!(p.constants["direction"], "outbound");
}
