//! Invariants shared by the reader targets.
#![allow(dead_code)]

use std::sync::OnceLock;

use wacost::ingest::{self, InputFormat, Inputs};
use wacost::model::time::Zone;
use wacost::model::{Category, Direction};
use wacost::model::{Message, Rejected};

/// Instants the readers accept: 2000-01-01 to 2100-01-01 (see `time.rs`).
const MIN_TS: i64 = 946_684_800;
const MAX_TS: i64 = 4_102_444_800;

/// A zone with a DST history (naive times can fall into a gap).
pub fn zone() -> Zone {
    static ZONE: OnceLock<Zone> = OnceLock::new();
    ZONE.get_or_init(|| Zone::parse("America/Sao_Paulo").expect("zone"))
        .clone()
}

/// Everything one read produced.
pub struct Read {
    pub inputs: Inputs,
    pub msgs: Vec<Message>,
    pub rejected: Vec<Rejected>,
    pub ok: bool,
}

/// Reads `data` as one input (format detected when `None`), then flushes
/// the held webhook messages, as `engine::read_all` does.
pub fn read(data: &[u8], format: Option<InputFormat>) -> Read {
    let name = match format {
        Some(InputFormat::Csv) => "fuzz.csv",
        Some(_) => "fuzz.jsonl",
        None => "fuzz.log",
    };
    let mut inputs = Inputs::new(zone());
    let mut msgs = Vec::new();
    let mut rejected = Vec::new();
    let res = ingest::read_from(
        Box::new(std::io::Cursor::new(data.to_vec())),
        name,
        format,
        &mut inputs,
        &mut |m| msgs.push(m),
        &mut |r| rejected.push(r),
    );
    ingest::webhook::finish(&mut inputs, &mut |m| msgs.push(m), &mut |r| {
        rejected.push(r)
    });
    Read {
        inputs,
        msgs,
        rejected,
        ok: res.is_ok(),
    }
}

/// Row conservation and per-message sanity.
pub fn check(r: &Read) {
    assert_eq!(
        r.inputs.rows,
        (r.msgs.len() + r.rejected.len()) as u64,
        "rows != messages + rejected"
    );
    for m in &r.msgs {
        assert_eq!(m.file, 0);
        assert!(
            (MIN_TS..MAX_TS).contains(&m.ts()),
            "ts {} out of range",
            m.ts()
        );
        if let wacost::model::Customer::Phone(n) = m.contact().customer() {
            let digits = n.digits().len();
            assert!((7..=15).contains(&digits), "contact with {digits} digits");
        }
        if m.is_template() {
            assert_eq!(m.direction(), Direction::Outbound, "inbound template");
            assert!(
                m.category().is_some_and(|c| c != Category::Service),
                "template without a template category"
            );
        } else {
            assert!(m.category().is_none(), "category on a non-template");
        }
        // (`failed` on an inbound CSV row is kept but never used: the engine
        // prices inbound rows before it looks at `failed`.)
        if m.direction() == Direction::Outbound {
            assert!(!m.entry_point(), "entry point on outbound");
        }
    }
    for rej in &r.rejected {
        assert!(!rej.reason.is_empty());
        if matches!(
            rej.field.as_deref(),
            Some("contact" | "from" | "recipient_id")
        ) {
            assert!(
                !leaks_number(&rej.reason),
                "a rejected phone field is echoed unredacted: {:?}",
                rej.reason
            );
        }
    }
}

/// A run of 7 or more digits, ignoring the separators phone numbers are
/// written with: a full number that redaction should have masked (the
/// example number of the error messages aside).
pub fn leaks_number(s: &str) -> bool {
    // `{:?}` escapes such as `\0` end a number; dates stay readable.
    let s = without_dates(&s.replace("e.g. +55 11 98765-4321", "").replace("\\0", " "));
    let mut digits = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            // A `{:?}` escape (`\0`, `\u{a0}`): not digits of the number.
            digits = 0;
            if chars.next() == Some('u') {
                chars.by_ref().take_while(|&c| c != '}').for_each(drop);
            }
            continue;
        }
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= 7 {
                return true;
            }
        } else if !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}') {
            digits = 0;
        }
    }
    false
}

/// Replaces what redaction keeps readable on purpose, dates such as
/// `2026-10-01` or `5/10/2026` (see `phone::is_date`), with `D`.
fn without_dates(s: &str) -> String {
    let b: Vec<char> = s.chars().collect();
    // Length of the digit run at `i`.
    let run = |i: usize| {
        b[i.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let is_sep = |c: Option<&char>| c.is_some_and(|c| matches!(c, '-' | '/' | '.' | '_'));
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let starts = i == 0 || !b[i - 1].is_ascii_digit();
        let a = run(i);
        let date_len = (starts && a > 0 && is_sep(b.get(i + a)))
            .then(|| {
                let s1 = b[i + a];
                let bl = run(i + a + 1);
                let at = i + a + 1 + bl;
                (bl > 0 && b.get(at) == Some(&s1)).then(|| {
                    let c = run(at + 1);
                    let ok = (a == 4 && bl <= 2 && (1..=2).contains(&c))
                        || (a <= 2 && bl <= 2 && c == 4);
                    ok.then_some(at + 1 + c - i)
                })
            })
            .flatten()
            .flatten();
        match date_len {
            Some(n) => {
                out.push('D');
                i += n;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    out
}
